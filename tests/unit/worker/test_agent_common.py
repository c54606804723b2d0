"""What every agent does: run_batch (a batch that fails is retried record by record, and only the failing
records are dead-lettered), guarded steps and sends, dead letters that cannot fail, thread budgets, and
the supervision of agents that die anyway.

The pipeline is the real Faust app from ``create_app``; only its dead-letter topic is swapped for a
Faust in-memory channel (what Faust's own agent ``test_context`` does), so the test sees the exact
record the agent hands to the topic without a broker.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from streams import contracts
from streams.config import Settings
from streams.worker.agents.common import (
    BudgetExceeded,
    Undeliverable,
    check_article,
    encode,
    guard,
    in_child,
    message_time,
    publish,
    receive,
    run_batch,
    send_batched,
    send_deadletter,
)
from streams.worker.app import Pipeline, create_app
from streams.worker.sandbox import Sandbox

STAGE = "dedup"


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def run_and_collect(
    run: Callable[[list[Any]], Awaitable[list[Any]]], batch: list[Any]
) -> tuple[list[Any], list[contracts.DeadLetter]]:
    """``run_batch`` over ``batch``; its results and every dead letter it sent."""
    pipeline = create_app(Settings())
    # Channel queues stay suspended until a worker starts; Faust's test_context resumes them too.
    pipeline.app.flow_control.resume()
    deadletter = pipeline.app.channel()
    letters = deadletter.clone(is_iterator=True)
    results = await run_batch(dataclasses.replace(pipeline, deadletter=deadletter), STAGE, run, batch)
    sent = []
    while not letters.empty():
        sent.append(orjson.loads((await letters.get()).value))  # agents send encoded bytes
    return results, sent


calls: list[list[Any]] = []


async def published(batch: list[dict[str, str]]) -> list[datetime]:
    """A batch step that fails on a record with a malformed date, as a stage bug would."""
    calls.append(batch)
    return [contracts.parse_rfc3339(article["published_at"]) for article in batch]


async def parsed(batch: list[bytes]) -> list[Any]:
    return [orjson.loads(raw) for raw in batch]


def test_a_failing_batch_dead_letters_only_the_failing_record() -> None:
    calls.clear()
    good = [
        {"id": "a", "published_at": "2024-02-23T01:00:00Z"},
        {"id": "c", "published_at": "2024-02-24T01:00:00Z"},
    ]
    bad = {"id": "b", "published_at": "yesterday"}
    batch = [good[0], bad, good[1]]
    letters_before = counter("newsevents_deadletter_total", stage=STAGE, reason="internal_error")
    out_before = counter("newsevents_records_out_total", stage=STAGE, topic=contracts.DEADLETTER)
    started = contracts.utc_now()

    results, letters = asyncio.run(run_and_collect(published, batch))

    assert results == [
        contracts.parse_rfc3339("2024-02-23T01:00:00Z"),
        None,
        contracts.parse_rfc3339("2024-02-24T01:00:00Z"),
    ]
    assert calls == [batch, [good[0]], [bad], [good[1]]], "the batch once, then each record alone"
    assert len(letters) == 1
    letter = letters[0]
    contracts.validate(contracts.DEADLETTER, letter)
    assert (letter["stage"], letter["reason"]) == (STAGE, "internal_error")
    assert letter["error"].startswith("ValueError: ") and "yesterday" in letter["error"]
    assert letter["original_encoding"] == "utf-8"
    assert orjson.loads(letter["original"]) == bad
    assert started <= contracts.parse_rfc3339(letter["received_at"]) <= contracts.utc_now()
    assert counter("newsevents_deadletter_total", stage=STAGE, reason="internal_error") == letters_before + 1
    assert counter("newsevents_records_out_total", stage=STAGE, topic=contracts.DEADLETTER) == out_before + 1


def test_a_batch_that_succeeds_is_run_once_and_dead_letters_nothing() -> None:
    calls.clear()
    batch = [{"id": "a", "published_at": "2024-02-23T01:00:00Z"}]

    results, letters = asyncio.run(run_and_collect(published, batch))

    assert results == [contracts.parse_rfc3339("2024-02-23T01:00:00Z")]
    assert calls == [batch]
    assert letters == []


def test_bytes_records_are_dead_lettered_byte_for_byte() -> None:
    broken = [b'{"id": "caf\xe9"}', b'{"id": "truncated']
    batch = [broken[0], b'{"id": "fine"}', broken[1]]

    results, letters = asyncio.run(run_and_collect(parsed, batch))

    assert results == [None, {"id": "fine"}, None]
    assert [letter["original_encoding"] for letter in letters] == ["base64", "utf-8"]
    assert base64.b64decode(letters[0]["original"]) == broken[0]
    assert letters[1]["original"].encode() == broken[1]
    for letter in letters:
        contracts.validate(contracts.DEADLETTER, letter)
        assert letter["reason"] == "internal_error" and letter["error"].startswith("JSONDecodeError: ")


# ------------------------------------------------------------------ guarded steps and sends


async def collect(
    step: Callable[[Pipeline], Awaitable[None]], settings: Settings | None = None
) -> tuple[list[tuple[Any, Any]], list[contracts.DeadLetter]]:
    """Run ``step`` on a pipeline whose clean and dead-letter topics are in-memory channels; what each got."""
    pipeline = create_app(settings or Settings())
    pipeline.app.flow_control.resume()
    clean, deadletter = pipeline.app.channel(), pipeline.app.channel()
    clean_out, letters_out = clean.clone(is_iterator=True), deadletter.clone(is_iterator=True)
    await step(dataclasses.replace(pipeline, clean=clean, deadletter=deadletter))
    sent, letters = [], []
    while not clean_out.empty():
        event = await clean_out.get()
        sent.append((event.key, orjson.loads(event.value)))
    while not letters_out.empty():
        letters.append(orjson.loads((await letters_out.get()).value))
    for letter in letters:
        contracts.validate(contracts.DEADLETTER, letter)
    return sent, letters


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_encode_refuses_what_no_topic_can_carry(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Undeliverable) as deep:
        encode({"meta": nested(300)})
    assert deep.value.reason == "too_deep"
    monkeypatch.setattr(contracts, "MAX_MESSAGE_BYTES", 100)
    with pytest.raises(Undeliverable) as big:
        encode({"text": "x" * 200})
    assert big.value.reason == "too_large"
    assert orjson.loads(encode({"text": "fits"})) == {"text": "fits"}


def test_publish_dead_letters_the_original_when_the_record_cannot_be_sent() -> None:
    raw = b'{"id": "deep", "body": "..."}'

    async def step(pipeline: Pipeline) -> None:
        assert not await publish(pipeline, "normalize", pipeline.clean, {"meta": nested(300)}, original=raw)
        assert await publish(pipeline, "normalize", pipeline.clean, {"id": "fine"}, key=b"fine", original=raw)

    sent, letters = asyncio.run(collect(step))
    assert sent == [(b"fine", {"id": "fine"})]
    assert [(letter["reason"], letter["original"]) for letter in letters] == [("too_deep", raw.decode())]


def test_batched_records_share_messages_up_to_the_limit_and_fail_alone() -> None:
    mib = 1 << 20
    records: list[tuple[int, object, bytes]] = [
        (partition, {"id": name}, b'{"id":"%s","pad":"%s"}' % (name.encode(), b"x" * size))
        for partition, name, size in (
            (0, "a", 20 * mib),
            (1, "e", 1),
            (0, "b", 20 * mib),
            (0, "c", 65 * mib),
            (0, "d", 30 * mib),
            (1, "f", 1),
        )
    ]

    async def step(pipeline: Pipeline) -> None:
        await send_batched(pipeline, STAGE, pipeline.clean, "probes", records)

        async def refuse(value: bytes, partition: int) -> None:
            refused.append((partition, [record["id"] for record in orjson.loads(value)["probes"]]))
            raise RuntimeError("broker gone")

        broken = SimpleNamespace(send=refuse)
        await send_batched(pipeline, STAGE, broken, "probes", records[:3])  # type: ignore[arg-type]

    refused: list[tuple[int, list[str]]] = []

    sent, letters = asyncio.run(collect(step))
    # per partition: a and b fit in one message, d needs its own, c fits in none and is dead-lettered
    # alone; e and f share partition 1's message
    assert [[record["id"] for record in value["probes"]] for _, value in sent] == [
        ["a", "b"],
        ["d"],
        ["e", "f"],
    ]
    assert [(orjson.loads(letter["original"])["id"], letter["reason"]) for letter in letters] == [
        ("c", "too_large"),
        ("a", "internal_error"),
        ("b", "internal_error"),
        ("e", "internal_error"),
    ]
    assert refused == [(0, ["a", "b"]), (1, ["e"])]


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (contracts.Rejected("too_complex", "many tags"), "too_complex"),
        (Undeliverable("too_large", "big"), "too_large"),
        (BudgetExceeded("slow"), "timeout"),
        (KeyError("text"), "internal_error"),
    ],
)
def test_guard_dead_letters_whatever_a_step_raises_with_its_reason(exc: Exception, reason: str) -> None:
    async def failing() -> None:
        raise exc

    async def step(pipeline: Pipeline) -> None:
        await guard(pipeline, "dedup", {"id": "x"}, failing())

    _, letters = asyncio.run(collect(step))
    assert [(letter["stage"], letter["reason"]) for letter in letters] == [("dedup", reason)]
    assert orjson.loads(letters[0]["original"]) == {"id": "x"}


def test_an_unserialisable_record_is_still_dead_lettered() -> None:
    record = nested(100_000)  # too deep for orjson and for repr

    async def failing() -> None:
        raise RuntimeError("stage bug")

    async def step(pipeline: Pipeline) -> None:
        await guard(pipeline, "extract", record, failing())

    _, letters = asyncio.run(collect(step))
    assert [letter["reason"] for letter in letters] == ["internal_error"]
    assert "dict" in letters[0]["original"]


def test_a_dead_letter_that_cannot_be_sent_is_counted_not_raised() -> None:
    before = counter("newsevents_deadletter_failures_total", stage="normalize")

    async def step(pipeline: Pipeline) -> None:
        async def refuse(**_: Any) -> None:
            raise RuntimeError("broker gone")

        broken = dataclasses.replace(pipeline, deadletter=SimpleNamespace(send=refuse))
        await send_deadletter(broken, "normalize", "not_json", "bad", b"{")  # type: ignore[arg-type]

    asyncio.run(collect(step))
    assert counter("newsevents_deadletter_failures_total", stage="normalize") == before + 1


def test_dead_letters_keep_the_configured_prefix_of_the_original() -> None:
    original = b"x" * 5000

    async def step(pipeline: Pipeline) -> None:
        await send_deadletter(pipeline, "normalize", "too_large", "big", original)

    _, letters = asyncio.run(collect(step, Settings(deadletter_max_original=1000)))
    assert letters[0]["original"] == "x" * 1000
    assert letters[0]["original_length"] == 5000
    assert letters[0]["original_sha256"] == hashlib.sha256(original).hexdigest()


def test_receive_dead_letters_what_is_not_a_record() -> None:
    got: list[Any] = []

    async def step(pipeline: Pipeline) -> None:
        for raw in (b'{"id": "a", "text": "t", "published_at": "p", "received_at": "r"}', b"{bad", b"[1]"):
            got.append(await receive(pipeline, "dedup", raw, check_article))
        got.append(await receive(pipeline, "dedup", b'{"id": 1}', check_article))
        got.append(await receive(pipeline, "dedup", b"[" * 2000 + b"]" * 2000))

    _, letters = asyncio.run(collect(step))
    assert got[0]["id"] == "a" and got[1:] == [None, None, None, None]
    assert [letter["reason"] for letter in letters] == ["not_json", "not_object", "wrong_type", "too_deep"]


@pytest.mark.parametrize("timestamp", [253_402_300_800.0, 253_402_214_400.0, -1e20, float("nan"), None])
def test_junk_message_timestamps_count_as_now(timestamp: float | None) -> None:
    before = contracts.utc_now()
    assert before <= message_time(timestamp) <= contracts.utc_now()


def test_ordinary_message_timestamps_are_kept() -> None:
    assert message_time(0.0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert message_time(1_700_000_000.5).isoformat() == "2023-11-14T22:13:20.500000+00:00"


# ------------------------------------------------------------------ child budget


def test_child_work_past_its_budget_kills_the_child_and_the_next_call_gets_a_new_one() -> None:
    async def main() -> None:
        box = Sandbox(time.sleep, 5.0, "slow")
        try:
            await box.start()
            first = box.pid
            started = time.perf_counter()
            with pytest.raises(BudgetExceeded):
                await in_child(box, 2.0, budget=0.2)
            assert time.perf_counter() - started < 1.0 and box.kills == 1 and not box.running
            assert await in_child(box, 0.05) is None  # a fresh child, and the sandbox's own budget
            assert box.pid != first and box.running
        finally:
            box.close()

    asyncio.run(main())


def test_a_batch_past_its_budget_is_retried_record_by_record() -> None:
    box = Sandbox(time.sleep, 5.0, "slow")

    async def run(batch: list[float]) -> list[float]:
        await in_child(box, sum(batch) if len(batch) == 1 else 1.5, budget=0.3 * len(batch))
        return batch

    try:
        results, letters = asyncio.run(run_and_collect(run, [0.01, 1.0, 0.02]))
    finally:
        box.close()
    assert results == [0.01, None, 0.02]
    assert [letter["reason"] for letter in letters] == ["timeout"]


def test_a_call_whose_child_is_killed_runs_again_in_a_new_child_when_asked() -> None:
    """normalize's records have no record-by-record retry: a child killed under one must not cost it."""

    async def killed_once(**retry: bool) -> Any:
        box = Sandbox(time.sleep, 5.0, "slow")
        try:
            await box.start()
            assert box.pid is not None
            call = asyncio.ensure_future(in_child(box, 0.5, **retry))
            await asyncio.sleep(0.2)
            os.kill(box.pid, signal.SIGKILL)
            return await call
        finally:
            box.close()

    assert asyncio.run(killed_once(retry_crashed=True)) is None
    with pytest.raises(RuntimeError, match="child died"):
        asyncio.run(killed_once())

    async def dies_twice() -> None:
        box = Sandbox(os.abort, 5.0, "abort")
        try:
            await in_child(box, retry_crashed=True)
        finally:
            box.close()

    with pytest.raises(RuntimeError, match="child died"):
        asyncio.run(dies_twice())


# ------------------------------------------------------------------ supervision


def test_an_agent_crash_is_logged_counted_and_exposed() -> None:
    pipeline = create_app(Settings())
    before = counter("newsevents_agent_crashes_total", agent="dedup-route")
    assert pipeline.supervision.crashed_since(0) == []
    asyncio.run(pipeline.app._on_agent_error(SimpleNamespace(name="dedup-route"), ValueError("boom")))  # type: ignore[attr-defined]
    assert counter("newsevents_agent_crashes_total", agent="dedup-route") == before + 1
    state = pipeline.supervision.snapshot()
    assert pipeline.supervision.crashed_since(0) == ["dedup-route"] and state["agents_healthy"] is False
    assert state["agent_crashes"] == {"dedup-route": 1}
    assert state["last_agent_crash"]["dedup-route"]["error"] == "ValueError: boom"
