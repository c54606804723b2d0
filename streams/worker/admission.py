"""Admission control: a worker fetches new articles only as fast as its later stages take them.

In a burst normalize and dedup outrun extract and the story stage (judged 36 articles/s where the
pipeline drained 17): the articles between them wait in the event loop's queues and in parked table
rows, whose changelog records multiply the longer they wait, and a 20,000-article burst grew a worker
by ~1 GB. So a worker stops fetching its ``articles.raw`` partitions while the articles that dedup's
route or extract has not yet finished on its own partitions, plus those in flight on its story term
partitions, exceed ``max_backlog``, and fetches again at half of it. The raw articles wait in Kafka
meanwhile, where nothing is lost. The story stage's articles are counted as the articles themselves:
its topics' lag counts batch messages of many articles each, and every article in flight lengthens
the lists each later probe reads, so a story stage left behind slows down as it falls behind.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from streams import contracts
from streams.stages.stories import InFlight
from streams.worker import metrics
from streams.worker.app import Pipeline
from streams.worker.transport import committed_offsets, pause_fetching

log = logging.getLogger("newsevents")

#: How often the backlog is measured (from offsets the consumer already holds: no broker call).
ADMISSION_INTERVAL_SECONDS = 0.25
#: The topics whose unfinished articles count: the inputs of dedup's route and of extract.
BACKLOG_TOPICS = frozenset({contracts.CLEAN, contracts.UNIQUE})


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
        """Whether the worker should fetch raw articles now, given its backlog and how many articles the
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


def backlog(consumer: Any, partitions: Iterable[Any]) -> tuple[int, int]:
    """Records on ``partitions`` past the consumer's committed offsets (high watermarks as the
    consumer last fetched them; a partition not fetched yet counts nothing), and the committed
    offsets' sum."""
    committed = committed_offsets(consumer)
    waiting = done = 0
    for tp in partitions:
        offset = committed.get(tp) or 0
        done += offset
        end = consumer.highwater(tp)
        if end is not None:
            waiting += max(0, end - offset)
    return waiting, done


def register(pipeline: Pipeline, in_flight: InFlight) -> None:
    app = pipeline.app
    admission = Admission(pipeline.settings.max_backlog, pipeline.settings.stuck_after)
    held: set[Any] = set()
    failing = False

    async def tick() -> None:
        assigned = app.consumer.assignment()
        raw = {tp for tp in assigned if tp.topic == contracts.RAW}
        waiting, done = backlog(app.consumer, [tp for tp in assigned if tp.topic in BACKLOG_TOPICS])
        waiting += len(in_flight.listed)
        done += in_flight.landed
        metrics.ADMISSION_BACKLOG.set(waiting)
        if admission.admit(waiting, done, time.monotonic()):
            if held:
                await pause_fetching(app.consumer, held, paused=False)
                held.clear()
        else:  # every tick: a rebalance unpauses what it assigns
            await pause_fetching(app.consumer, raw, paused=True)
            held.update(raw)
        metrics.ADMISSION_HELD.set(1 if held else 0)

    @app.timer(ADMISSION_INTERVAL_SECONDS)
    async def admit() -> None:
        """Never raises (a timer's exception would stop the worker); a failure lets the input in."""
        nonlocal failing
        if admission.max_backlog <= 0 or app.rebalancing or app.in_recovery:
            return  # Faust pauses and resumes partitions itself around a rebalance
        try:
            await tick()
            failing = False
        except Exception:
            if not failing:
                log.exception("admission: the backlog could not be measured or acted on; input admitted")
            failing = True
            admission.held = False
            with contextlib.suppress(Exception):  # else tried again at the next tick
                await pause_fetching(app.consumer, set(held), paused=False)
                held.clear()
            metrics.ADMISSION_HELD.set(1 if held else 0)
