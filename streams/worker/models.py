"""Model loading for a worker: once, off the event loop, while the worker joins its group.

Loading spaCy, the sentence encoder, the gazetteer and the language-id model takes seconds;
doing it in a thread overlaps it with the consumer-group join, and agents wait for it before
their first record, so the first article does not pay for it inside the stream.
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime

from streams.stages import dedup
from streams.stages.extract import Extractor
from streams.stages.normalize import normalize
from streams.worker.sandbox import WARM_UP_ARTICLE

log = logging.getLogger("newsevents")


def load_models() -> Extractor:
    """Run each stage once on a small article so every lazy model is loaded."""
    article = normalize(WARM_UP_ARTICLE, datetime.now(UTC))
    dedup.signatures([article])
    extractor = Extractor()
    extractor.extract([article])
    return extractor


class Models:
    """The worker's loaded models and the one thread that runs NLP batches."""

    def __init__(self) -> None:
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")
        self._loaded: Future[Extractor] | None = None

    def start(self) -> None:
        """Begin loading; called once the app runs, so loading never holds up the worker's set-up."""
        if self._loaded is None:
            self._loaded = self.thread.submit(self._load)

    def _load(self) -> Extractor:
        started = time.perf_counter()
        extractor = load_models()
        log.info("models loaded in %.1f s", time.perf_counter() - started)
        return extractor

    @property
    def ready(self) -> bool:
        return self._loaded is not None and self._loaded.done() and self._loaded.exception() is None

    async def extractor(self) -> Extractor:
        self.start()
        assert self._loaded is not None
        return await asyncio.wrap_future(self._loaded)
