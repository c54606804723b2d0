"""Admission control: a worker lets new articles in only as fast as its later stages take them.

In a burst normalize and dedup outrun extract and the story stage (judged 36 articles/s where the
pipeline drained 17): the articles between them wait in the event loop's queues and in parked table
rows, whose changelog records multiply the longer they wait, and a 20,000-article burst grew a worker
by ~1 GB. So every 0.25 s a worker counts the articles that dedup's route, extract or the story verdict
has not yet finished on its own partitions, plus those in flight on its story term partitions, and
normalize takes in only as many raw articles as that leaves room for below ``max_backlog``; above it,
none until the count is down to half. The story stage's in-flight articles are counted as the articles
themselves: every one lengthens the lists each later probe reads, so a story stage left behind slows
down as it falls behind.

Normalize itself waits (:class:`Gate`), not the fetch: Faust stops fetching a partition whose buffer is
full, so the raw articles wait in Kafka, where nothing is lost. Pausing the raw partitions instead let
whole waves in: one tick is long enough for several fetches of ~600 compressed articles each, and
normalize takes 700 a second (docs/performance.md, session 13).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from streams import contracts
from streams.stages.stories import InFlight
from streams.worker import metrics
from streams.worker.app import Pipeline
from streams.worker.transport import committed_offsets

log = logging.getLogger("newsevents")

#: How often the backlog is measured.
ADMISSION_INTERVAL_SECONDS = 0.25
#: How long one measurement may wait for the broker before the input is let in (normalize must not wait
#: on a broker that does not answer, nor hold up a rebalance, which waits for the article it holds).
MEASURE_TIMEOUT_SECONDS = 5.0
#: The topics whose unfinished articles count: the inputs of dedup's route, of extract and of the story
#: verdict (a park per article, a link per reprint, and report batches).
BACKLOG_TOPICS = frozenset({contracts.CLEAN, contracts.UNIQUE, contracts.STORIES_VERDICTS})


@dataclass
class Admission:
    """When to hold the raw input back. Fails open: while held, if the later stages finish nothing for
    ``stall_after`` seconds (their committed offsets stand), a stage is stuck (the health check reports
    it), not slow, and holding new articles back would stall the worker for it, so the input flows
    until the backlog is down to half."""

    max_backlog: int
    stall_after: float
    held: bool = False
    stalled: bool = False
    _done: int = 0
    _since: float = 0.0

    def admit(self, backlog: int, done: int, now: float) -> bool:
        """Whether the worker should let raw articles in now, given its backlog and how many articles the
        later stages have finished so far (any running count: only its moving matters)."""
        if self.max_backlog <= 0:
            return True
        if backlog <= self.max_backlog // 2:
            self.held = self.stalled = False
        elif self.held:
            if done != self._done:
                self._done, self._since = done, now
            elif now - self._since > self.stall_after:
                self.held, self.stalled = False, True
                log.warning(
                    "admission: nothing of a backlog of %d articles finished for %.0f s: new articles "
                    "are let in until it is down to %d",
                    backlog,
                    self.stall_after,
                    self.max_backlog // 2,
                )
        elif backlog > self.max_backlog and not self.stalled:
            self.held, self._done, self._since = True, done, now
        return not self.held


async def backlog(consumer: Any, partitions: Iterable[Any]) -> tuple[int, int]:
    """Records on ``partitions`` past the consumer's committed offsets, and the committed offsets' sum.

    The end offsets are asked of the broker, not taken from the last fetch: Faust stops fetching the
    partitions of a stage that is behind (its buffer is full), so their last-fetched end stands still
    while the stage before keeps writing."""
    partitions = list(partitions)
    committed = committed_offsets(consumer)
    async with asyncio.timeout(MEASURE_TIMEOUT_SECONDS):
        ends = await consumer.highwaters(*partitions) if partitions else {}
    waiting = done = 0
    for tp in partitions:
        offset = committed.get(tp) or 0
        done += offset
        end = ends.get(tp)
        if end is not None:
            waiting += max(0, end - offset)
    return waiting, done


class Gate:
    """What normalize passes each raw article through: open for as many articles as the last measurement
    left room for (``None``: no limit), closed when they are in."""

    def __init__(self) -> None:
        self._room: int | None = None
        self._open = asyncio.Event()
        self._open.set()

    def allow(self, room: int | None) -> None:
        self._room = room
        if room is None or room > 0:
            self._open.set()
        else:
            self._open.clear()

    async def enter(self) -> None:
        while not self._open.is_set():
            await self._open.wait()
        if self._room is not None:
            self._room -= 1
            if self._room <= 0:
                self._open.clear()


def register(pipeline: Pipeline, in_flight: InFlight, gate: Gate) -> None:
    app = pipeline.app
    admission = Admission(pipeline.settings.max_backlog, pipeline.settings.stuck_after)
    failing = False

    async def tick() -> None:
        assigned = app.consumer.assignment()
        waiting, done = await backlog(app.consumer, [tp for tp in assigned if tp.topic in BACKLOG_TOPICS])
        waiting += len(in_flight.listed)
        done += in_flight.landed
        metrics.ADMISSION_BACKLOG.set(waiting)
        if not admission.admit(waiting, done, time.monotonic()):
            gate.allow(0)
        elif admission.stalled:
            gate.allow(None)
        else:  # at least one: the count can then cross the limit, where a stuck stage is noticed
            gate.allow(max(1, admission.max_backlog - waiting))
        metrics.ADMISSION_HELD.set(1 if admission.held else 0)

    @app.timer(ADMISSION_INTERVAL_SECONDS)
    async def admit() -> None:
        """Never raises (a timer's exception would stop the worker); a failure lets the input in."""
        nonlocal failing
        if admission.max_backlog <= 0:
            return
        if app.rebalancing or app.in_recovery:  # a rebalance waits for the article normalize holds
            gate.allow(None)
            return
        try:
            await tick()
            failing = False
        except Exception:
            if not failing:
                log.exception("admission: the backlog could not be measured; input admitted")
            failing = True
            admission.held = False
            gate.allow(None)
            metrics.ADMISSION_HELD.set(0)
