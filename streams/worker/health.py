"""Operations surface of a worker: /metrics, /healthz, /readyz, consumer lag and table gauges.

Readiness tells the truth about faults a load balancer or an operator must see: the broker out of
reach, an agent dead, or a partition with lag whose committed offset does not move. Liveness fails
once such a fault has lasted ``unhealthy_after`` seconds, so an orchestrator restarts the worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams import contracts
from streams.worker import metrics
from streams.worker.app import Pipeline
from streams.worker.logs import RepeatFilter
from streams.worker.models import Models

log = logging.getLogger("newsevents")

#: How often lag, table sizes and broker reachability are checked.
CHECK_INTERVAL_SECONDS = 5.0
#: A broker call slower than this counts as the broker out of reach.
BROKER_TIMEOUT_SECONDS = 3.0
#: The event loop's lag probe sleeps this long between wake-ups (10 cheap wake-ups a second).
LOOP_PROBE_SECONDS = 0.1


@dataclass
class Health:
    """What the periodic check last found; the web views only read it."""

    stuck_after: float
    unhealthy_after: float
    broker_down_since: float | None = None
    failed_broker_calls: int = 0
    dead_agents: list[str] = field(default_factory=list)
    #: Agents that crashed (and were restarted by Faust) within the last ``stuck_after`` seconds.
    recent_crashes: list[str] = field(default_factory=list)
    #: (topic, partition) → (committed offset, when it last moved)
    progress: dict[tuple[str, int], tuple[int, float]] = field(default_factory=dict)
    stuck: list[str] = field(default_factory=list)
    faulty_since: float | None = None

    def broker_answered(self, now: float) -> None:
        if self.broker_down_since is not None:
            log.warning(
                "broker reachable again after %.0f s (%d failed calls)",
                now - self.broker_down_since,
                self.failed_broker_calls,
            )
        self.broker_down_since, self.failed_broker_calls = None, 0

    def broker_failed(self, now: float, error: BaseException) -> None:
        if self.broker_down_since is None:
            log.error("broker unreachable: %r", error)
            self.broker_down_since = now
        self.failed_broker_calls += 1

    def track_progress(self, lags: Mapping[tuple[str, int], tuple[int, int]], now: float) -> None:
        """``lags``: (topic, partition) → (committed offset, lag). Stuck: lag while the offset stands."""
        moved: dict[tuple[str, int], tuple[int, float]] = {}
        self.stuck = []
        for key, (committed, lag) in lags.items():
            before = self.progress.get(key)
            since = now if before is None or before[0] != committed or lag == 0 else before[1]
            moved[key] = (committed, since)
            if lag > 0 and now - since > self.stuck_after:
                self.stuck.append(f"{key[0]}/{key[1]}")
        self.progress = moved

    def problems(self, now: float) -> list[str]:
        found = [f"agent {name} is not running" for name in self.dead_agents]
        found += [
            f"agent {name} crashed in the last {self.stuck_after:.0f} s" for name in self.recent_crashes
        ]
        if self.broker_down_since is not None:
            found.append(f"broker unreachable for {now - self.broker_down_since:.0f} s")
        found += [f"no progress on {tp} for over {self.stuck_after:.0f} s with lag" for tp in self.stuck]
        if found and self.faulty_since is None:
            self.faulty_since = now
        elif not found:
            self.faulty_since = None
        return found

    def alive(self, now: float) -> bool:
        return self.faulty_since is None or now - self.faulty_since < self.unhealthy_after


def dead_agents(agents: Iterable[Any]) -> list[str]:
    """Agents none of whose actor tasks is running (Faust keeps them in the private ``_actors``)."""
    dead = []
    for agent in agents:
        tasks = [actor.actor_task for actor in getattr(agent, "_actors", ()) if actor.actor_task is not None]
        if tasks and all(task.done() for task in tasks):
            dead.append(agent.name)
    return dead


def table_entries(table: Any) -> int:
    """Entries of a table without a scan: RocksDB's key estimate per partition, else the dict size."""
    databases = getattr(table.data, "_dbs", None)
    if databases is None:
        return len(table.data)
    return sum(db.property_int_value("rocksdb.estimate-num-keys") or 0 for db in databases.values())


def register(pipeline: Pipeline, models: Models) -> None:
    app = pipeline.app
    settings = pipeline.settings
    health = Health(settings.stuck_after, settings.unhealthy_after)

    @app.page("/metrics")
    async def metrics_page(self: View, request: Request) -> Response:
        return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def health_page(self: View, request: Request) -> Response:
        now = time.monotonic()
        problems = health.problems(now)
        alive = health.alive(now)
        return self.json({"alive": alive, "problems": problems}, status=200 if alive else 503)

    @app.page("/readyz")
    async def ready_page(self: View, request: Request) -> Response:
        assigned = sorted(f"{tp.topic}/{tp.partition}" for tp in app.consumer.assignment())
        problems = health.problems(time.monotonic())
        ready = bool(assigned) and not app.rebalancing and models.ready and not problems
        body: dict[str, Any] = {
            "ready": ready,
            "models_loaded": models.ready,
            "rebalancing": app.rebalancing,
            "problems": problems,
            "assigned": assigned,
            **pipeline.supervision.snapshot(),
        }
        return self.json(body, status=200 if ready else 503)

    @app.task
    async def probe_event_loop() -> None:
        """Latency that no stage histogram shows: a record waits while the loop runs someone else's
        synchronous stretch, and the p99 of every hop carries it."""
        loop = asyncio.get_running_loop()
        while not app.should_stop:
            before = loop.time()
            await asyncio.sleep(LOOP_PROBE_SECONDS)
            metrics.EVENT_LOOP_LAG.observe(max(0.0, loop.time() - before - LOOP_PROBE_SECONDS))

    @app.timer(CHECK_INTERVAL_SECONDS)
    async def check() -> None:
        """Lag of the input partitions this worker commits, broker reachability, agents, tables."""
        now = time.monotonic()
        RepeatFilter.install()
        health.dead_agents = dead_agents(app.agents.values())
        health.recent_crashes = pipeline.supervision.crashed_since(time.time() - settings.stuck_after)
        if not models.ready:
            models.revive()
        for table in app.tables.values():
            metrics.TABLE_ENTRIES.labels(table.name).set(table_entries(table))
        recovery = app.tables.recovery  # type: ignore[attr-defined]  # the TableManager's, not in its stub
        remaining = sum(recovery.active_remaining().values()) if recovery.in_recovery else 0
        metrics.RECOVERY_REMAINING.set(remaining)
        try:
            await check_lag(now)
        finally:
            metrics.WORKER_PROBLEMS.set(len(health.problems(now)))

    async def check_lag(now: float) -> None:
        if app.rebalancing:
            return
        inputs = [tp for tp in app.consumer.assignment() if tp.topic in contracts.ALL_TOPICS]
        if not inputs:
            return
        try:
            end_offsets = await asyncio.wait_for(app.consumer.highwaters(*inputs), BROKER_TIMEOUT_SECONDS)
        except Exception as exc:  # any failure to reach the broker; the gauges keep their last values
            health.broker_failed(now, exc)
            return
        health.broker_answered(now)
        committed = app.monitor.tp_committed_offsets
        lags: dict[tuple[str, int], tuple[int, int]] = {}
        for tp in inputs:
            end = end_offsets.get(tp)
            if end is not None:
                offset = committed.get(tp, 0)
                lags[tp.topic, tp.partition] = (offset, max(0, end - offset))
        health.track_progress(lags, now)
        metrics.set_consumer_lag({key: lag for key, (_, lag) in lags.items()})
