"""normalize agent: articles.raw (bytes) → articles.clean, or articles.deadletter.

The stage runs in a sandbox child process (``Models.normalize``, :mod:`streams.worker.sandbox`) with a
time budget (``NEWSEVENTS_STAGE_TIMEOUT``): HTML parsing is the one CPU-heavy step that hostile input can
stretch, and a child can be killed at the budget, where a thread could only be abandoned still running.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from faust import StreamT

from streams import contracts
from streams.worker import metrics
from streams.worker.admission import Gate
from streams.worker.agents.common import guard, in_child, message_time, publish
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "normalize"


def register(pipeline: Pipeline, models: Models, gate: Gate) -> None:
    async def handle(raw: bytes, received_at: datetime) -> None:
        article: contracts.CleanArticle = await in_child(
            models.normalize, raw, received_at, retry_crashed=True
        )
        # Keyed by article id: dedup re-keys by its own band keys.
        sent = await publish(
            pipeline,
            STAGE,
            pipeline.clean,
            article,
            key=article["id"].encode(),
            original=raw,
            received_at=received_at,
        )
        if sent:
            metrics.RECORDS_OUT.labels(STAGE, contracts.CLEAN).inc()

    @pipeline.app.agent(pipeline.raw, name=STAGE)
    async def normalize_agent(stream: StreamT[Any]) -> None:
        # Its child starts with the others (Models), forked from one fork server that loaded the models;
        # while it fails to start, each record retries the start and is dead-lettered.
        await models.wait()
        async for event in stream.events():
            await gate.enter()  # admission control: the later stages' backlog leaves room for it
            raw = event.value if isinstance(event.value, bytes) else b""
            received_at = message_time(getattr(event.message, "timestamp", None))
            metrics.RECORDS_IN.labels(STAGE).inc()
            started = time.perf_counter()
            await guard(pipeline, STAGE, raw, handle(raw, received_at), received_at)
            metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
