"""The worker's transport tweaks without a broker: the fetch wait the Kafka consumer gets, the version
guard around them, and a pre-commit flush that waits for what was sent before it only."""

from __future__ import annotations

import asyncio
import logging
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from faust.transport.drivers import aiokafka as aiokafka_driver

from streams.config import Settings
from streams.worker import transport
from streams.worker.app import create_app
from streams.worker.tables import CoalescedTable

PYPROJECT = Path(__file__).parents[3] / "pyproject.toml"
FAUST_FETCH_MAX_WAIT_MS = 1500


@pytest.fixture(autouse=True)
def fresh_version_check() -> Iterator[None]:
    transport.tweaks_apply.cache_clear()
    yield
    transport.tweaks_apply.cache_clear()


def effective_fetch_wait(env: dict[str, str]) -> int:
    """The ``_fetch_max_wait_ms`` of the Kafka consumer a worker with this environment creates
    (aiokafka hands it to its fetcher when the consumer starts)."""
    pipeline = create_app(Settings.from_env(env))

    async def create() -> Any:
        thread = pipeline.app.consumer._thread  # type: ignore[attr-defined]
        return thread._create_worker_consumer(pipeline.app.transport)

    consumer = asyncio.run(create())
    wait: int = consumer._fetch_max_wait_ms
    return wait


def test_the_fetch_wait_is_faust_s_unless_set() -> None:
    assert effective_fetch_wait({}) == FAUST_FETCH_MAX_WAIT_MS
    assert effective_fetch_wait({"NEWSEVENTS_FETCH_MAX_WAIT_MS": "50"}) == 50


def test_on_other_versions_the_stock_transport_runs_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(
        transport, "installed_versions", lambda: {"aiokafka": "0.15.0", "faust-streaming": "0.15.3"}
    )
    with caplog.at_level(logging.WARNING, logger="newsevents"):
        app = create_app(Settings.from_env({"NEWSEVENTS_FETCH_MAX_WAIT_MS": "50"})).app
        assert type(app.transport) is aiokafka_driver.Transport
    assert "stock transport" in caplog.text
    assert effective_fetch_wait({"NEWSEVENTS_FETCH_MAX_WAIT_MS": "50"}) == FAUST_FETCH_MAX_WAIT_MS


def test_the_tweaks_apply_to_the_pinned_versions_which_are_installed() -> None:
    assert transport.installed_versions() == transport.PINNED_VERSIONS
    dependencies = tomllib.loads(PYPROJECT.read_text("utf-8"))["project"]["dependencies"]
    pins = {m[1]: m[2] for d in dependencies if (m := re.fullmatch(r"([\w-]+)==([\w.]+)", d))}
    assert {name: pins.get(name) for name in transport.PINNED_VERSIONS} == transport.PINNED_VERSIONS
    assert type(create_app(Settings.from_env({})).app.transport) is transport._NewsTransport


def test_a_flush_waits_for_what_was_queued_before_it_not_for_what_keeps_coming() -> None:
    producer = create_app(Settings.from_env({})).app.producer
    assert isinstance(producer, transport._NewsProducer)
    flushed: list[str] = []

    async def kafka_flush() -> None:
        flushed.append("kafka")

    # The buffer and the Kafka producer of a running worker, as far as flush() sees them.
    producer.buffer = SimpleNamespace(should_stop=False, state="running", put=lambda fut: None)  # type: ignore[assignment]
    producer._producer = SimpleNamespace(flush=kafka_flush)  # type: ignore[assignment]

    async def scenario() -> bool:
        loop = asyncio.get_running_loop()
        before = loop.create_future()
        producer.send_soon(before)
        stop = asyncio.Event()

        async def keep_writing() -> None:  # table writes that never pause, from after the flush began
            while not stop.is_set():
                await asyncio.sleep(0.01)
                producer.send_soon(loop.create_future())

        writer = asyncio.create_task(keep_writing())
        loop.call_later(0.1, before.set_result, None)
        await asyncio.wait_for(producer.flush(), 5)
        stop.set()
        await writer
        return before.done()

    assert asyncio.run(scenario())
    assert flushed == ["kafka"]


def test_a_table_sends_each_changed_key_once_per_flush_with_its_latest_value() -> None:
    app = create_app(Settings.from_env({})).app
    table = app.Table("t", default=None, partitions=4)
    assert isinstance(table, CoalescedTable)
    sent: list[tuple[int, Any, Any]] = []
    table.partition_for_key = lambda key: 2  # type: ignore[method-assign]  # the event being processed
    table.send_changelog = lambda partition, key, value, **_: sent.append((partition, key, value))  # type: ignore[method-assign]
    for value in range(5):
        table["story"] = {"articles": value}  # one story rewritten by every article
    table["parked"] = {"text": "…"}
    del table["parked"]  # parked and judged within one commit interval: never in the changelog
    table["other"] = 1
    table["judged"] = 1
    assert sent == []
    producer = app.producer
    producer.buffer = SimpleNamespace(should_stop=False, state="running")  # type: ignore[assignment]
    producer._producer = None
    asyncio.run(producer.flush())
    assert sent == [(2, "story", {"articles": 4}), (2, "other", 1), (2, "judged", 1)]
    sent.clear()
    asyncio.run(producer.flush())
    assert sent == []  # nothing changed since
    table["judged"] = 2
    del table["judged"]  # in the changelog since the last flush: its deletion must reach it
    asyncio.run(producer.flush())
    assert sent == [(2, "judged", None)]
