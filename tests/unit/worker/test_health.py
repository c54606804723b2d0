"""Readiness and liveness logic, lag gauges and log de-duplication, without a broker."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from prometheus_client import REGISTRY

from streams.worker import metrics
from streams.worker.health import Health, dead_agents, table_entries
from streams.worker.logs import RepeatFilter


def test_a_partition_with_lag_and_no_progress_is_stuck_after_the_limit() -> None:
    health = Health(stuck_after=60, unhealthy_after=120)
    health.track_progress({("articles.raw", 0): (10, 5), ("articles.clean", 1): (7, 0)}, now=0)
    health.track_progress({("articles.raw", 0): (10, 5), ("articles.clean", 1): (7, 0)}, now=59)
    assert health.problems(59) == []
    health.track_progress({("articles.raw", 0): (10, 5), ("articles.clean", 1): (7, 0)}, now=61)
    assert health.problems(61) == ["no progress on articles.raw/0 for over 60 s with lag"]
    health.track_progress({("articles.raw", 0): (12, 3)}, now=62)  # it moved
    assert health.problems(62) == []


def test_liveness_fails_only_once_a_fault_has_lasted() -> None:
    health = Health(stuck_after=60, unhealthy_after=120)
    health.broker_failed(now=100, error=TimeoutError())
    assert health.problems(100) == ["broker unreachable for 0 s"] and health.alive(100)
    assert health.problems(219) and health.alive(219)
    assert health.problems(221) and not health.alive(221)
    health.broker_answered(now=230)
    assert health.problems(230) == [] and health.alive(230)


def test_an_agent_whose_tasks_all_ended_is_dead() -> None:
    async def tasks() -> tuple[asyncio.Task[None], asyncio.Task[None]]:
        done = asyncio.create_task(asyncio.sleep(0))
        running = asyncio.create_task(asyncio.sleep(10))
        await done
        return done, running

    loop = asyncio.new_event_loop()
    try:
        done, running = loop.run_until_complete(tasks())
        crashed = SimpleNamespace(name="normalize", _actors=[SimpleNamespace(actor_task=done)])
        alive = SimpleNamespace(name="extract", _actors=[SimpleNamespace(actor_task=running)])
        starting = SimpleNamespace(name="dedup-route", _actors=[])
        assert dead_agents([crashed, alive, starting]) == ["normalize"]
        running.cancel()
    finally:
        loop.close()


def test_table_entries_use_the_rocksdb_estimate_and_never_iterate() -> None:
    class Db:
        def property_int_value(self, name: str) -> int:
            assert name == "rocksdb.estimate-num-keys"
            return 21

    class NoIteration(dict):  # type: ignore[type-arg]
        def __iter__(self):  # type: ignore[no-untyped-def]
            raise AssertionError("a scan")

    assert table_entries(SimpleNamespace(data=SimpleNamespace(_dbs={0: Db(), 1: Db()}))) == 42
    assert table_entries(SimpleNamespace(data=NoIteration(a=1, b=2))) == 2


def test_lag_series_are_replaced_not_cleared() -> None:
    def series() -> dict[tuple[str, str], float]:
        return {
            (s.labels["topic"], s.labels["partition"]): s.value
            for family in REGISTRY.collect()
            if family.name == "newsevents_consumer_lag_messages"
            for s in family.samples
        }

    metrics.set_consumer_lag({("articles.raw", 0): 5, ("articles.raw", 1): 0})
    assert series() == {("articles.raw", "0"): 5, ("articles.raw", "1"): 0}
    metrics.set_consumer_lag({("articles.raw", 1): 3})
    assert series() == {("articles.raw", "1"): 3}
    metrics.set_consumer_lag({})


def test_repeated_errors_are_logged_once_per_window_with_a_count() -> None:
    repeat = RepeatFilter(window=60)

    def record(message: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
        return logging.LogRecord("aiokafka.consumer", level, __file__, 1, message, args, None)

    first = record("Failed fetch messages from %s: %s", 1, "closed")
    assert repeat.filter(first)
    assert not any(repeat.filter(record("Failed fetch messages from %s: %s", 1, "closed")) for _ in range(99))
    assert repeat.filter(record("Unable connect to node with id %s", 1)), "another message passes"
    assert repeat.filter(record("debug chatter", level=logging.INFO))
    repeat._seen[("aiokafka.consumer", "Failed fetch messages from %s: %s")] = (-61.0, 99)
    later = record("Failed fetch messages from %s: %s", 1, "closed")
    assert repeat.filter(later) and "repeated 99 more times" in later.getMessage()
