"""The worker's stage work, in child processes: normalize in one, dedup's signatures in another, extract's
coding in a third.

Why processes and not a thread: the event loop that moves every Kafka message and an NLP thread share one
GIL, so each slowed the other (docs/performance.md, "NLP in child processes"); a child also runs on a
core of its own, and one that overruns its budget is killed instead of finishing in the background.
The children are forked from the sandbox's fork server, which loads the models once (``preload``), so a
replacement child starts warm in milliseconds.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime

from streams.contracts import CleanArticle, Event, Place
from streams.stages import dedup
from streams.stages.extract import Extractor
from streams.stages.normalize import normalize
from streams.worker.sandbox import WARM_UP_ARTICLE, Sandbox, StageCrashed

log = logging.getLogger("newsevents")

_extractor: Extractor | None = None


def load_models() -> Extractor:
    """Run each stage once on a small article so every lazy model is loaded."""
    article = normalize(WARM_UP_ARTICLE, datetime.now(UTC))
    dedup.signatures([article])
    extractor = Extractor()
    extractor.extract([article])
    return extractor


def preload() -> None:
    """In the fork server: load the models once, before any child is forked from it."""
    global _extractor
    started = time.perf_counter()
    _extractor = load_models()
    log.info("models loaded in %.1f s", time.perf_counter() - started)


def signatures(batch: list[CleanArticle]) -> list[dedup.Signature]:
    """Run in the dedup child."""
    return dedup.signatures(batch)


def code(batch: list[CleanArticle]) -> list[tuple[list[Event], list[Place]]]:
    """Run in the extract child (one whose fork server failed to preload loads the models itself)."""
    global _extractor
    if _extractor is None:
        _extractor = load_models()
    return _extractor.code(batch)


class Models:
    """The stage children of a worker, started once the app runs: one owner, so that readiness and the
    health check's revival cover each of them."""

    def __init__(self, budget: float) -> None:
        # normalize's child too: a process, not a thread, so a page past its budget can be stopped.
        self.normalize = Sandbox(normalize, budget, "normalize")
        self.dedup = Sandbox(signatures, budget, "dedup")
        self.extract = Sandbox(code, budget, "extract")
        self.children = (self.normalize, self.dedup, self.extract)
        self._started: asyncio.Task[None] | None = None
        self._revived: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin starting the children (the first waits for the fork server to load the models)."""
        if self._started is None:
            self._started = asyncio.get_running_loop().create_task(self._start())

    async def _start(self) -> None:
        started = time.perf_counter()
        await asyncio.gather(*(child.start() for child in self.children))
        log.info("stage children ready in %.1f s", time.perf_counter() - started)

    def revive(self) -> None:
        """Fork again a child that died between calls (killed by the system, or its fork server gone), from
        the health check: else only the next record would, and an idle worker would stay unready."""
        if self._started is None or not self._started.done():
            return
        if self._revived is None or self._revived.done():
            self._revived = asyncio.get_running_loop().create_task(self._revive())

    async def _revive(self) -> None:
        try:
            await asyncio.gather(*(child.restart() for child in self.children))
        except Exception:  # the next health check tries again
            log.exception("a stage child did not start again")

    @property
    def ready(self) -> bool:
        return all(child.running for child in self.children)

    async def wait(self) -> None:
        """Until the children answer; a failed start is retried by each call, so agents go on."""
        self.start()
        assert self._started is not None
        try:
            await asyncio.shield(self._started)
        except StageCrashed:
            log.exception("a stage child did not start")
