"""Run a whole pipeline locally: a broker (embedded unless configured) plus worker processes.

Shared by ``demo``, ``bench``, ``eval --kafka`` and the integration tests, so they all
exercise the same real worker command a deployment runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

import orjson
import psutil

import streams
from streams.config import Settings
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import EmbeddedBroker, free_port

log = logging.getLogger("newsevents")

#: The directory holding the ``streams`` package this process runs: put first on a worker's path, so a
#: worker runs the same code as whoever started it (a checkout or worktree, not another editable install).
CODE_ROOT = str(Path(streams.__file__).resolve().parents[1])


def code_path(env: dict[str, str]) -> str:
    return os.pathsep.join([CODE_ROOT, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)])


#: The workers' fetch wait on the embedded broker (ms), unless NEWSEVENTS_FETCH_MAX_WAIT_MS is set.
EMBEDDED_FETCH_MAX_WAIT_MS = "50"


def _tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants, live and reaped (normalize's sandbox
    is a child of the worker): per-article CPU judged apart from how many cores the machine has."""
    total = 0.0
    with contextlib.suppress(psutil.Error):
        for process in _tree(pid):
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system + times.children_user + times.children_system
    return total


def memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident set size, and the proportional set size of it with its descendants: the model
    children are forked from one fork server and share most of their pages, which each one's RSS counts."""
    sizes = []
    with contextlib.suppress(psutil.Error):
        for process in _tree(pid):
            with contextlib.suppress(psutil.Error):
                info = process.memory_full_info()
                sizes.append((info.rss / 2**20, info.pss / 2**20))
    return (sizes[0][0], sum(pss for _, pss in sizes)) if sizes else (0.0, 0.0)


class WorkerProcess:
    """One ``newsevents worker`` subprocess with its own web/metrics port."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.web_port = free_port()
        self.env = {
            **env,
            "NEWSEVENTS_WEB_PORT": str(self.web_port),
            "NEWSEVENTS_WEB_HOST": "127.0.0.1",
            "PYTHONPATH": code_path(env),
            # Python >= 3.11: ``-m`` does not put the working directory first, so PYTHONPATH decides.
            "PYTHONSAFEPATH": "1",
        }
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/metrics"

    def start(self) -> WorkerProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streams.tools.cli", "worker"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/readyz", timeout=1) as response:
                return bool(orjson.loads(response.read()).get("ready"))
        except (OSError, urllib.error.URLError, ValueError):
            return False

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"worker exited with code {self.process.returncode}; see {self.log_path}")
            if self.ready():
                return
            time.sleep(0.2)
        raise TimeoutError(f"worker not ready after {timeout:.0f}s; see {self.log_path}")

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def peak_rss_mb(self) -> float:
        """Peak resident set size (VmHWM) of the worker process, read from /proc."""
        if self.process is None:
            return 0.0
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def kill(self) -> None:
        """SIGKILL the worker (its whole process group): no shutdown, no last commit."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class LocalPipeline:
    """Broker + topics + ``workers`` worker processes, stopped on exit."""

    def __init__(
        self,
        workers: int = 1,
        partitions: int = 4,
        bootstrap: str | None = None,
        log_dir: Path | None = None,
        app_id: str = "newsevents",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.log_dir = log_dir or Path("newsevents-data")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.configured_bootstrap = (
            bootstrap if bootstrap is not None else os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        )
        self.broker: EmbeddedBroker | None = None
        self.partitions = partitions
        self.worker_count = workers
        self.app_id = app_id
        #: Extra environment of the workers (e.g. ``NEWSEVENTS_STORE``), over the process's own.
        self.extra_env = dict(env or {})
        self.workers: list[WorkerProcess] = []
        self.settings = Settings()

    @property
    def embedded(self) -> bool:
        return self.broker is not None

    def start(self, ready_timeout: float = 90.0) -> LocalPipeline:
        tuning: dict[str, str] = {}
        if self.configured_bootstrap:
            bootstrap = self.configured_bootstrap
        else:
            self.broker = EmbeddedBroker(port=free_port(), log_path=self.log_dir / "broker.log").start()
            bootstrap = self.broker.bootstrap
            # The embedded broker answers a waiting fetch only after ~0.5 s even when data arrives
            # meanwhile, so with Faust's 1.5 s wait each pipeline hop would cost that.
            tuning["NEWSEVENTS_FETCH_MAX_WAIT_MS"] = EMBEDDED_FETCH_MAX_WAIT_MS
        env = {
            **tuning,
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "NEWSEVENTS_PARTITIONS": str(self.partitions),
            "NEWSEVENTS_APP_ID": self.app_id,
            "NEWSEVENTS_DATA_DIR": str(self.log_dir / "state"),
            **self.extra_env,
        }
        self.settings = Settings.from_env(env)
        ensure_topics(self.settings)
        for index in range(self.worker_count):
            worker = WorkerProcess(env, self.log_dir / f"worker-{index}.log").start()
            self.workers.append(worker)
        for worker in self.workers:
            worker.wait_ready(ready_timeout)
        return self

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self.broker is not None:
            code = self.broker.process.poll() if self.broker.process else None
            if code is not None:  # a stalled run's cause, said where its failure is shown
                log.error("the embedded broker had exited (code %s) before the pipeline stopped", code)
            self.broker.stop()

    def __enter__(self) -> LocalPipeline:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
