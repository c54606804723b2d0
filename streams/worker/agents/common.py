"""What every agent does the same way: dead-lettering and per-record accounting."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import orjson
from faust.exceptions import ProducerSendError

from streams import contracts
from streams.worker import metrics
from streams.worker.app import Pipeline

log = logging.getLogger("newsevents")
#: What is kept of an original whose dead letter the broker refused (its message size limit).
TRUNCATED_ORIGINAL_BYTES = 256 * 1024
T = TypeVar("T")
R = TypeVar("R")


async def send_deadletter(
    pipeline: Pipeline, stage: str, reason: str, error: str, original: bytes, received_at: datetime
) -> None:
    """Publish a dead letter; if the broker refuses it whole, publish it with the original cut short."""
    record = contracts.dead_letter(stage, reason, error, original, received_at)
    try:
        await pipeline.deadletter.send(value=record)
    except ProducerSendError as exc:
        log.error("dead letter refused by the broker (%s); sending it with the original truncated", exc)
        record = contracts.dead_letter(stage, reason, error, original[:TRUNCATED_ORIGINAL_BYTES], received_at)
        record["original_truncated_from"] = len(original)
        await pipeline.deadletter.send(value=record)
    metrics.DEADLETTERED.labels(stage, reason).inc()
    metrics.RECORDS_OUT.labels(stage, contracts.DEADLETTER).inc()
    log.warning("dead-lettered at %s: %s (%s)", stage, reason, error[:200])


async def send_internal_error(pipeline: Pipeline, stage: str, exc: Exception, record: object) -> None:
    """A stage bug must not lose the record nor stop the worker: keep it on the dead-letter topic."""
    log.exception("%s failed on a record", stage, exc_info=exc)
    original = record if isinstance(record, bytes) else orjson.dumps(record, default=str)
    await send_deadletter(
        pipeline, stage, "internal_error", f"{type(exc).__name__}: {exc}", original, contracts.utc_now()
    )


async def run_batch(
    pipeline: Pipeline, stage: str, run: Callable[[list[T]], Awaitable[list[R]]], batch: list[T]
) -> list[R | None]:
    """Results of ``run`` for a batch; if the batch fails, each record alone, the failing ones
    dead-lettered (None), so one bad record never costs its neighbours."""
    try:
        return list(await run(batch))
    except Exception:
        results: list[R | None] = []
        for record in batch:
            try:
                results.extend(await run([record]))
            except Exception as exc:
                await send_internal_error(pipeline, stage, exc, record)
                results.append(None)
        return results
