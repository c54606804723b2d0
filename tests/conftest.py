"""Shared fixtures: a real embedded broker and a real worker process, started once per session."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.kafka.clients import TopicReader, produce
from streams.kafka.local import LocalPipeline

DATA = Path(__file__).parent / "data"
#: The session pipeline's NEWSEVENTS_MAX_BACKLOG.
ADMISSION_LIMIT = 8


class RunningPipeline:
    """What tests get: the broker address, the worker's metrics endpoint, produce and consume."""

    def __init__(self, local: LocalPipeline) -> None:
        self.local = local
        self.settings = local.settings
        self.bootstrap = local.settings.bootstrap_servers
        self.worker = local.workers[0]
        self.metrics_port = self.worker.web_port
        self.metrics_url = self.worker.metrics_url

    def produce(self, records: list[dict[str, Any] | bytes]) -> None:
        raw = [r if isinstance(r, bytes) else orjson.dumps(r) for r in records]
        assert produce(self.settings, raw) == len(raw)

    def consume(
        self,
        topic: str,
        n: int,
        timeout: float = 60,
        where: Callable[[Any], bool] | None = None,
    ) -> list[Any]:
        """The first ``n`` records of ``topic`` (from the beginning) that satisfy ``where``."""
        return self.consume_any([topic], n, timeout, where)

    def consume_any(
        self,
        topics: list[str],
        n: int,
        timeout: float = 60,
        where: Callable[[Any], bool] | None = None,
    ) -> list[Any]:
        """The first ``n`` records of any of ``topics`` (from the beginning) that satisfy ``where``."""
        found: list[Any] = []
        deadline = time.monotonic() + timeout
        with TopicReader(self.settings, topics) as reader:
            while len(found) < n and time.monotonic() < deadline:
                found.extend(r.value for r in reader.poll(0.5) if where is None or where(r.value))
        return found[:n] if len(found) >= n else found


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPipeline]:
    log_dir = tmp_path_factory.mktemp("pipeline")
    # A small backlog limit, so that the tests' bursts go through admission control.
    env = {"NEWSEVENTS_MAX_BACKLOG": str(ADMISSION_LIMIT)}
    with LocalPipeline(workers=1, partitions=4, bootstrap="", log_dir=log_dir, env=env) as local:
        yield RunningPipeline(local)
        for worker in local.workers:
            assert worker.process is not None and worker.process.poll() is None, (
                "the worker died during tests"
            )


@pytest.fixture(scope="session")
def sample_article_text() -> str:
    return (DATA / "raw-article-trilateral-ministers.txt").read_text("utf-8")
