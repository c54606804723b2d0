"""extract agent: articles.unique → events, in batches so spaCy runs over many articles at once."""

from __future__ import annotations

import time
from typing import Any

from faust import StreamT

from streams import contracts
from streams.contracts import CleanArticle, Event
from streams.worker import metrics
from streams.worker.agents.common import check_article, encode, guard, receive, run_batch, run_in_thread
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "extract"


def register(pipeline: Pipeline, models: Models) -> None:
    settings = pipeline.settings

    async def publish(article: CleanArticle, events: list[Event]) -> None:
        if not events:
            reason = "unsupported_language" if article.get("language") != "en" else "no_event"
            metrics.WITHOUT_EVENTS.labels(reason).inc()
        encoded = [(event, encode(event)) for event in events]  # all or none: encoded before any is sent
        for event, payload in encoded:
            await pipeline.events.send(key=event["event_id"].encode(), value=payload)
            metrics.RECORDS_OUT.labels(STAGE, contracts.EVENTS).inc()
            metrics.EVENTS.labels(event["event_type"]).inc()
            for actor in event["source_actors"] + event["target_actors"]:
                if actor.get("country"):
                    metrics.EVENTS_BY_COUNTRY.labels(actor["country"]).inc()
        if events:
            received = contracts.parse_rfc3339(article["received_at"])
            metrics.END_TO_END_LATENCY.observe((contracts.utc_now() - received).total_seconds())

    @pipeline.app.agent(pipeline.unique, name=STAGE)
    async def extract_agent(stream: StreamT[Any]) -> None:
        extractor = await models.extractor()

        async def extract(batch: list[CleanArticle]) -> list[list[Event]]:
            # In the NLP thread, so the event loop keeps heart-beating during a long batch; within budget.
            return await run_in_thread(models.thread, settings.stage_timeout, extractor.extract, batch)

        batches = stream.take(settings.extract_batch_size, within=settings.extract_batch_wait)
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
            for article, events in zip(batch, results, strict=True):
                if events is not None:
                    await guard(pipeline, STAGE, article, publish(article, events))
