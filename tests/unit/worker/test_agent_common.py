"""run_batch: a batch that fails is retried record by record, and only the failing records are
dead-lettered.

The pipeline is the real Faust app from ``create_app``; only its dead-letter topic is swapped for a
Faust in-memory channel (what Faust's own agent ``test_context`` does), so the test sees the exact
record the agent hands to the topic without a broker.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import orjson
from prometheus_client import REGISTRY

from streams import contracts
from streams.config import Settings
from streams.worker.agents.common import run_batch
from streams.worker.app import create_app

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
