"""What every agent does the same way: guarded sends, dead-lettering, per-record accounting and budgets.

The rule the agents follow: nothing between receiving a record and taking the next one may raise out of
the agent. Each step runs under :func:`guard`; a record that cannot be decoded, processed, serialised or
sent goes to the dead-letter topic with its original and the stage; and a dead letter that cannot be
sent either is logged and counted, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import faust
import orjson
from faust import TopicT

from streams import contracts
from streams.worker import metrics
from streams.worker.app import Pipeline
from streams.worker.sandbox import Sandbox, StageCrashed, StageTimeout

log = logging.getLogger("newsevents")
T = TypeVar("T")
R = TypeVar("R")


class Derived(Generic[T]):
    """Per-partition state derived from table rows: rebuilt in one pass on first use after a rebalance
    (a partition may have changed hands, and recovery refills the tables first), kept up to date by the
    agents in between."""

    def __init__(self, rebuild: Callable[[], dict[int, T]], empty: Callable[[int], T]) -> None:
        self._rebuild, self._empty = rebuild, empty
        self._shards: dict[int, T] | None = None

    def forget(self, *_args: Any, **_kwargs: Any) -> None:
        """Connected to the app's rebalance signals."""
        self._shards = None

    def __getitem__(self, shard: int) -> T:
        if self._shards is None:
            self._shards = self._rebuild()
        if shard not in self._shards:
            self._shards[shard] = self._empty(shard)
        return self._shards[shard]


def forget_on_rebalance(app: faust.App, *derived: Any) -> None:
    """Each of ``derived`` forgets what it derived whenever partitions are revoked or assigned."""
    for item in derived:
        app.on_partitions_revoked.connect(item.forget)
        app.on_partitions_assigned.connect(item.forget)


class Undeliverable(Exception):
    """A record that cannot go to its topic: it has been dead-lettered with ``reason`` instead."""

    def __init__(self, reason: str, error: str) -> None:
        super().__init__(f"{reason}: {error}")
        self.reason = reason
        self.error = error


class BudgetExceeded(Exception):
    """Stage work ran longer than its time budget (see :func:`in_child`)."""


def message_time(timestamp: float | None) -> datetime:
    """A message timestamp as UTC; a producer-set one outside the years the pipeline takes
    (``contracts.EARLIEST_TIME``/``LATEST_TIME``) counts as now."""
    try:
        moment = datetime.fromtimestamp(float(timestamp), UTC) if timestamp is not None else None
    except (OverflowError, OSError, ValueError, TypeError):
        moment = None
    if moment is None or not contracts.EARLIEST_TIME <= moment < contracts.LATEST_TIME:
        return contracts.utc_now()
    return moment


def encode(value: Any) -> bytes:
    """A record as the bytes that go on a topic; :class:`Undeliverable` if it cannot be serialised or is
    larger than the topic's message limit (whatever the broker would accept)."""
    try:
        payload = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:  # orjson refuses more than 255 levels of nesting
        reason = "too_deep" if "recursion" in str(exc).lower() else "internal_error"
        raise Undeliverable(reason, f"cannot serialise the record: {exc}") from None
    if len(payload) > contracts.MAX_MESSAGE_BYTES:
        raise Undeliverable(
            "too_large", f"record is {len(payload)} bytes > MAX_MESSAGE_BYTES={contracts.MAX_MESSAGE_BYTES}"
        )
    return payload


def decode(raw: Any) -> Any:
    """A JSON record from a pipeline topic (consumed as bytes, so Faust's decoder cannot crash an agent)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        reason = "too_deep" if "depth limit" in str(exc) else "not_json"
        raise contracts.Rejected(reason, str(exc)) from None


async def receive(
    pipeline: Pipeline,
    stage: str,
    raw: Any,
    check: Callable[[Any], None] | None = None,
    received_at: datetime | None = None,
) -> Any | None:
    """The decoded record (``check`` raises :class:`contracts.Rejected` for a wrong shape), or None once the
    message has been dead-lettered."""
    decoded: list[Any] = []

    async def step() -> None:
        value = decode(raw)
        if check is not None:
            check(value)
        decoded.append(value)

    await guard(pipeline, stage, raw, step(), received_at)
    return decoded[0] if decoded else None


def check_article(value: Any) -> None:
    """What dedup and extract need of a clean article before any stage code sees it."""
    if not isinstance(value, dict):
        raise contracts.Rejected("not_object", f"JSON {type(value).__name__}, not an object")
    for key in ("id", "text", "published_at", "received_at"):
        if not isinstance(value.get(key), str):
            raise contracts.Rejected("wrong_type", f"{key} is {type(value.get(key)).__name__}, not a string")


def check_object(value: Any) -> None:
    if not isinstance(value, dict):
        raise contracts.Rejected("not_object", f"JSON {type(value).__name__}, not an object")


async def send(
    topic: TopicT,
    value: Any,
    *,
    key: bytes | None = None,
    partition: int | None = None,
) -> None:
    """Serialise and size-check ``value`` here (raises :class:`Undeliverable`), then send the bytes."""
    payload = encode(value)
    await topic.send(key=key, value=payload, partition=partition)


async def publish(
    pipeline: Pipeline,
    stage: str,
    topic: TopicT,
    value: Any,
    *,
    original: Any,
    received_at: datetime | None = None,
    key: bytes | None = None,
    partition: int | None = None,
) -> bool:
    """Send ``value``; if it cannot be sent, dead-letter ``original`` with the reason. True when sent."""
    try:
        await send(topic, value, key=key, partition=partition)
    except Undeliverable as exc:
        await send_deadletter(pipeline, stage, exc.reason, exc.error, original_bytes(original), received_at)
        return False
    return True


async def send_batched(
    pipeline: Pipeline,
    stage: str,
    topic: TopicT,
    field: str,
    records: Iterable[tuple[int, object, bytes]],
) -> None:
    """Send encoded records, each ``(partition, original, payload)``, as few ``{field: [...]}`` messages
    per partition as the size limit allows (one message costs the producer, the broker and the consumer
    about as much as a record: batching is the saving). A message that cannot be sent dead-letters each
    of its records alone, with its own original."""
    head, tail = b'{"%s":[' % field.encode(), b"]}"
    limit = contracts.MAX_MESSAGE_BYTES - len(head) - len(tail)
    chunks: dict[int, list[list[tuple[object, bytes]]]] = {}
    sizes: dict[int, int] = {}
    for partition, original, payload in records:
        if len(payload) > limit:
            error = f"record is {len(payload)} bytes > {limit} that fit in a batch message"
            await send_deadletter(pipeline, stage, "too_large", error, original_bytes(original))
            continue
        partition_chunks = chunks.setdefault(partition, [[]])
        if partition_chunks[-1] and sizes[partition] + len(payload) + 1 > limit:
            partition_chunks.append([])
            sizes[partition] = 0
        partition_chunks[-1].append((original, payload))
        sizes[partition] = sizes.get(partition, 0) + len(payload) + 1
    for partition, partition_chunks in chunks.items():
        for chunk in partition_chunks:
            try:
                await topic.send(
                    value=head + b",".join(payload for _, payload in chunk) + tail, partition=partition
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                for original, _ in chunk:
                    await send_internal_error(pipeline, stage, exc, original)


def original_bytes(record: object) -> bytes:
    """The bytes to keep of a record in a dead letter: as received, else its JSON, else its repr."""
    if isinstance(record, bytes):
        return record
    try:
        return orjson.dumps(record, default=str)
    except Exception:  # too deep, or a type orjson cannot write even as str
        try:
            return repr(record)[: contracts.DEADLETTER_MAX_ORIGINAL].encode("utf-8", "replace")
        except Exception:  # repr recurses too
            return f"<{type(record).__name__} that cannot be serialised>".encode()


async def send_deadletter(
    pipeline: Pipeline,
    stage: str,
    reason: str,
    error: str,
    original: bytes,
    received_at: datetime | None = None,
) -> None:
    """Publish a dead letter (a bounded prefix of the original, its length and SHA-256). Never raises: a dead
    letter that cannot be sent is logged and counted in ``newsevents_deadletter_failures_total``."""
    try:
        record = contracts.dead_letter(
            stage,
            reason,
            error,
            original,
            received_at or contracts.utc_now(),
            max_original=pipeline.settings.deadletter_max_original,
        )
        await send(pipeline.deadletter, record)
    except asyncio.CancelledError:
        raise
    except Exception:
        metrics.DEADLETTER_FAILURES.labels(stage).inc()
        log.exception("dead letter of %s (%s) could not be sent; the record is lost", stage, reason)
        return
    metrics.DEADLETTERED.labels(stage, reason).inc()
    metrics.RECORDS_OUT.labels(stage, contracts.DEADLETTER).inc()
    log.warning("dead-lettered at %s: %s (%s)", stage, reason, error[:200])


async def send_internal_error(
    pipeline: Pipeline, stage: str, exc: BaseException, record: object, received_at: datetime | None = None
) -> None:
    """A stage bug must not lose the record nor stop the worker: keep it on the dead-letter topic."""
    log.error("%s failed on a record", stage, exc_info=exc)
    await send_deadletter(
        pipeline, stage, "internal_error", f"{type(exc).__name__}: {exc}", original_bytes(record), received_at
    )


async def guard(
    pipeline: Pipeline,
    stage: str,
    original: object,
    step: Awaitable[None],
    received_at: datetime | None = None,
) -> None:
    """Run one record's step; whatever it raises is dead-lettered (with its own reason when it has one)."""
    try:
        await step
    except asyncio.CancelledError:
        raise
    except contracts.Rejected as exc:
        await send_deadletter(pipeline, stage, exc.reason, exc.error, original_bytes(original), received_at)
    except Undeliverable as exc:
        await send_deadletter(pipeline, stage, exc.reason, exc.error, original_bytes(original), received_at)
    except BudgetExceeded as exc:
        await send_deadletter(pipeline, stage, "timeout", str(exc), original_bytes(original), received_at)
    except Exception as exc:
        await send_internal_error(pipeline, stage, exc, original, received_at)


async def in_child(
    sandbox: Sandbox, *args: Any, budget: float | None = None, retry_crashed: bool = False
) -> Any:
    """``sandbox``'s function on ``args`` in its child process, its failures as :func:`guard` reads them:
    past the budget (the child is killed, the next call gets a new one) :class:`BudgetExceeded`, a child
    that died :class:`RuntimeError`. With ``retry_crashed`` (a caller without run_batch's record-by-record
    retry) a call whose child died runs once more in a new one: a child killed from outside (the OOM
    killer, an operator) is not the record's doing; a record that kills the second child too is."""
    try:
        return await sandbox.call(*args, budget=budget)
    except StageTimeout as exc:
        raise BudgetExceeded(str(exc)) from None
    except StageCrashed as exc:
        if not retry_crashed:
            raise RuntimeError(str(exc)) from None
        log.warning("%s; once more in a new child", exc)
    return await in_child(sandbox, *args, budget=budget)


async def run_batch(
    pipeline: Pipeline,
    stage: str,
    run: Callable[[list[T]], Awaitable[list[R]]],
    batch: list[T],
    received_at: Callable[[T], datetime | None] = lambda _: None,
) -> list[R | None]:
    """Results of ``run`` for a batch; if the batch fails, each record alone, the failing ones
    dead-lettered (None), so one bad record never costs its neighbours."""
    try:
        results: list[R | None] = list(await run(batch))
        if len(results) != len(batch):
            raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
        return results
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.warning("%s: a batch of %d failed (%r); retrying its records one by one", stage, len(batch), exc)
    results = []
    for record in batch:
        result: list[R] = []

        async def one(record: T = record, result: list[R] = result) -> None:
            result.extend(await run([record]))
            if len(result) != 1:
                raise RuntimeError(f"{len(result)} results for one record")

        await guard(pipeline, stage, record, one(), received_at(record))
        results.append(result[0] if len(result) == 1 else None)
    return results
