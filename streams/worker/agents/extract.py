"""extract agent: articles.unique → the story stage's route step (each batch's articles with their events
and places, so the story probes go out as one message per term partition), in batches so spaCy runs over
many articles at once; the story stage publishes the events, aggregated across a story."""

from __future__ import annotations

import time
from typing import Any

from faust import StreamT

from streams import contracts
from streams.contracts import CleanArticle, Event, Place
from streams.worker import metrics
from streams.worker.agents.common import check_article, in_child, receive, run_batch
from streams.worker.agents.stories import Coded, Route
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "extract"


def register(pipeline: Pipeline, models: Models, to_stories: Route) -> None:
    settings = pipeline.settings

    @pipeline.app.agent(pipeline.unique, name=STAGE)
    async def extract_agent(stream: StreamT[Any]) -> None:
        await models.wait()

        async def extract(batch: list[CleanArticle]) -> list[tuple[list[Event], list[Place]]]:
            # In the extract child, so the event loop keeps moving the other hops meanwhile; within budget.
            coded: list[tuple[list[Event], list[Place]]] = await in_child(
                models.extract, batch, budget=settings.stage_timeout * len(batch)
            )
            return coded

        batches = stream.take(settings.extract_batch_size, within=settings.batch_wait)
        async for raw_batch in batches:
            metrics.RECORDS_IN.labels(STAGE).inc(len(raw_batch))
            started = time.perf_counter()
            batch = []
            for raw in raw_batch:
                article = await receive(pipeline, STAGE, raw, check_article)
                if article is not None:
                    batch.append(article)
            results = await run_batch(pipeline, STAGE, extract, batch) if batch else []
            share = (time.perf_counter() - started) / len(raw_batch)
            for _ in raw_batch:
                metrics.STAGE_LATENCY.labels(STAGE).observe(share)
            routed: list[Coded] = []
            for article, coded in zip(batch, results, strict=True):
                if coded is None:
                    continue
                events, places = coded
                if not events:
                    reason = "unsupported_language" if article.get("language") != "en" else "no_event"
                    metrics.WITHOUT_EVENTS.labels(reason).inc()
                routed.append((article, events, places))
            metrics.RECORDS_OUT.labels(STAGE, contracts.STORIES_VERDICTS).inc(await to_stories(routed))
