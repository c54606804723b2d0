"""extract agent: articles.unique → events, in batches so spaCy runs over many articles at once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from concurrent.futures import Future, ThreadPoolExecutor

from streams import contracts, metrics
from streams.agents.common import send_internal_error
from streams.app import Pipeline
from streams.contracts import CleanArticle, Event
from streams.extract import Extractor

STAGE = "extract"


def wire(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    # One thread runs the NLP so the event loop keeps heart-beating; the model loads while
    # the worker joins its consumer group.
    nlp_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
    extractor_ready: Future[Extractor] = nlp_thread.submit(Extractor)

    async def publish(article: CleanArticle, events: list[Event]) -> None:
        if not events:
            reason = "unsupported_language" if article.get("language") != "en" else "no_event"
            metrics.WITHOUT_EVENTS.labels(reason).inc()
        for event in events:
            await pipeline.events.send(key=event["event_id"].encode(), value=event)
            metrics.RECORDS_OUT.labels(STAGE, contracts.EVENTS).inc()
            metrics.EVENTS.labels(event["event_type"]).inc()
            for actor in event["source_actors"] + event["target_actors"]:
                if actor.get("country"):
                    metrics.EVENTS_BY_COUNTRY.labels(actor["country"]).inc()
        if events:
            received = contracts.parse_rfc3339(article["received_at"])
            metrics.END_TO_END_LATENCY.observe((contracts.utc_now() - received).total_seconds())

    @pipeline.app.agent(pipeline.unique, name=STAGE)
    async def extract_agent(stream: AsyncIterator[CleanArticle]) -> None:
        extractor = await asyncio.wrap_future(extractor_ready)
        loop = asyncio.get_running_loop()
        batches = stream.take(settings.extract_batch_size, within=settings.extract_batch_wait)  # type: ignore[attr-defined]
        async for batch in batches:
            metrics.RECORDS_IN.labels(STAGE).inc(len(batch))
            started = time.perf_counter()
            try:
                results = await loop.run_in_executor(nlp_thread, extractor.extract, batch)
            except Exception:
                # One bad record must not cost the batch: retry one by one, dead-letter the culprit.
                results = []
                for article in batch:
                    try:
                        results.append(await loop.run_in_executor(nlp_thread, extractor.extract, [article]))
                    except Exception as exc:
                        await send_internal_error(pipeline, STAGE, exc, article)
                        results.append([[]])
                results = [single[0] for single in results]
            share = (time.perf_counter() - started) / max(len(batch), 1)
            for article, events in zip(batch, results, strict=True):
                metrics.STAGE_LATENCY.labels(STAGE).observe(share)
                await publish(article, events)
