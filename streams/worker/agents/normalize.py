"""normalize agent: articles.raw (bytes) → articles.clean, or articles.deadletter."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from faust import StreamT

from streams import contracts
from streams.stages.normalize import normalize
from streams.worker import metrics
from streams.worker.agents.common import send_deadletter, send_internal_error
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "normalize"


def register(pipeline: Pipeline, models: Models) -> None:
    @pipeline.app.agent(pipeline.raw, name=STAGE)
    async def normalize_agent(stream: StreamT[Any]) -> None:
        await models.extractor()
        async for event in stream.events():
            raw: bytes = event.value or b""
            received_at = datetime.fromtimestamp(event.message.timestamp, UTC)
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            try:
                article = normalize(raw, received_at)
            except contracts.Rejected as exc:
                await send_deadletter(pipeline, STAGE, exc.reason, exc.error, raw, received_at)
            except Exception as exc:
                await send_internal_error(pipeline, STAGE, exc, raw)
            else:
                # Keyed by article id: dedup re-keys by its own band keys.
                await pipeline.clean.send(key=article["id"].encode(), value=article)
                metrics.RECORDS_OUT.labels(STAGE, contracts.CLEAN).inc()
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
