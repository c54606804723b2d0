"""SIGKILL of a worker's stage children (normalize, dedup, extract) and once of their fork server, under a
steady feed: every input judged or dead-lettered, records flow again after each kill, and the worker is
ready again afterwards, even with no record coming to fork the replacements."""

from __future__ import annotations

import collections
import contextlib
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import orjson
import psutil
import pytest
from replay import VERDICTS, Feed, Recorder, account

from streams import contracts
from streams.kafka.local import LocalPipeline, WorkerProcess
from streams.tools.bench import generated_articles

pytestmark = pytest.mark.faults

RATE = 10.0  # articles per second: the feed lasts past the last kill
ARTICLES = 420
KILL_EVERY = 2.0
#: How long a round waits for a child at work before it kills them all anyway.
WAIT_BUSY = 1.0
ROUNDS = 5
#: The round that kills the fork server alone: its children live on, orphaned, but the worker reads them
#: as dead (their exit codes came through the fork server) and forks new ones from a new fork server.
FORK_SERVER_ROUND = ROUNDS - 1
#: Longest a kill may hold up new articles (a new fork server loads the models first).
MAX_STALL_S = 45.0
STAGES = ("normalize", "dedup", "extract")
#: The worker's log line naming each new child (sandbox.Sandbox._start).
CHILD_READY = re.compile(r"(\w+) sandbox: child (\d+) ready")


def fork_server(worker: WorkerProcess) -> psutil.Process | None:
    """The worker's running fork server (None while a killed one is not replaced yet)."""
    assert worker.pid is not None
    for child in psutil.Process(worker.pid).children():
        with contextlib.suppress(psutil.Error):  # a killed fork server is a zombie until it is replaced
            if "multiprocessing.forkserver" in " ".join(child.cmdline()):
                return child
    return None


def stage_children(worker: WorkerProcess) -> list[psutil.Process]:
    server = fork_server(worker)
    return server.children() if server is not None else []


def child_names(worker: WorkerProcess) -> dict[int, str]:
    """pid → stage of every child the worker has started, from its log."""
    text = worker.log_path.read_text("utf-8", "replace")
    return {int(pid): name for name, pid in CHILD_READY.findall(text)}


def busy(children: list[psutil.Process], interval: float = 0.05) -> set[int]:
    """The children that used CPU over ``interval``: at work on a call."""
    before = {child.pid: sum(child.cpu_times()[:2]) for child in children}
    time.sleep(interval)
    return {child.pid for child in children if sum(child.cpu_times()[:2]) > before[child.pid]}


def kill_children(worker: WorkerProcess, wait_busy: float = 0.0) -> tuple[dict[int, str], list[str]]:
    """SIGKILL the stage children, once one of them is at work (waiting up to ``wait_busy`` seconds), so
    that kills land in calls too; pid → stage of each killed, and the stages that were at work."""
    victims = stage_children(worker)
    deadline = time.monotonic() + wait_busy
    working = busy(victims)
    while not working and time.monotonic() < deadline:
        working = busy(victims)
    for process in victims:
        process.kill()
    names = child_names(worker)
    return {p.pid: names[p.pid] for p in victims}, sorted(names[p.pid] for p in victims if p.pid in working)


def replaced(worker: WorkerProcess, gone: set[int]) -> bool:
    """A new child for each stage: the worker has forked replacements for the killed ones."""
    children = {process.pid for process in stage_children(worker)}
    return len(children) >= len(STAGES) and not children & gone


def ids(recorder: Recorder, topic: str) -> set[str]:
    return {record.value["id"] for record in list(recorder.records) if record.topic == topic}


def new_articles_through(recorder: Recorder, cleaned: set[str], unique: set[str]) -> bool:
    """An article not yet cleaned when the new children came has a verdict (their normalize and dedup at
    work), and one not yet unique then has events (their extract)."""
    records = list(recorder.records)
    judged = {r.value["id"] for r in records if r.topic in VERDICTS}
    coded = {i for r in records if r.topic == contracts.EVENTS for i in r.value["article_ids"]}
    return bool(judged - cleaned) and bool(coded - unique)


def alive(pids: set[int]) -> list[int]:
    """Of ``pids``, those still running (not even a zombie)."""
    running = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                running.append(pid)
    return running


def healthy(worker: WorkerProcess) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/healthz", timeout=2) as response:
            return bool(orjson.loads(response.read())["alive"])
    except (OSError, urllib.error.URLError, ValueError):
        return False


def until(condition: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``condition()`` holds, None if it did not within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return round(time.monotonic() - started, 1)
        time.sleep(0.1)
    return None


def test_killed_stage_children_lose_nothing_and_the_worker_recovers(tmp_path: Path) -> None:
    records = generated_articles(ARTICLES, seed=31)
    started = time.monotonic()
    with LocalPipeline(workers=1, partitions=4, bootstrap="", log_dir=tmp_path) as local:
        worker = local.workers[0]
        recorder = Recorder(local.settings)
        recorder.start()
        feed = Feed(local.settings, records, RATE)
        feed.start()
        kills = []
        orphans: set[int] = set()
        for round_ in range(ROUNDS):
            time.sleep(KILL_EVERY)
            server = fork_server(worker)
            assert server is not None
            if round_ == FORK_SERVER_ROUND:
                orphans = {child.pid for child in server.children()}
                server.kill()
                gone, killed, working = orphans | {server.pid}, ["fork server"], []
            else:
                victims, working = kill_children(worker, wait_busy=WAIT_BUSY)
                gone, killed = set(victims), sorted(victims.values())
            killed_at = time.monotonic()
            replaced_after = until(lambda gone=gone: replaced(worker, gone), MAX_STALL_S)
            cleaned, unique = ids(recorder, contracts.CLEAN), ids(recorder, contracts.UNIQUE)
            through = until(lambda c=cleaned, u=unique: new_articles_through(recorder, c, u), MAX_STALL_S)
            kills.append(
                {
                    "killed": killed,
                    "at_work": working,
                    "replaced_after_s": replaced_after,
                    "new_articles_through_after_s": None
                    if through is None
                    else round(time.monotonic() - killed_at, 1),
                }
            )
        feed.join(120)
        accounting = account(local.settings, records, timeout=120)
        recorder.stop()
        # Idle: no record comes to fork the replacements, readiness must not wait for one.
        idle_killed, _ = kill_children(worker)
        unready = until(lambda: not worker.ready(), 5)
        ready_again = until(lambda: len(stage_children(worker)) >= 2 and worker.ready(), 30)
        orphans_left = alive(orphans)
        is_healthy = healthy(worker)
        log = worker.log_path.read_text("utf-8", "replace")
        assert worker.process is not None and worker.process.poll() is None, "the worker died"
    report = {
        "test": "child_kill",
        "rate": RATE,
        **accounting.report(),
        "kills": kills,
        "dead_letters": dict(
            collections.Counter(f"{d['stage']}/{d['error'][:60]}" for d in accounting.letters)
        ),
        # The worker logs each warning at most once a minute (logs.RepeatFilter): lower bounds.
        "batch_retries_logged": log.count("retrying its records one by one"),
        "normalize_retries_logged": log.count("once more in a new child"),
        "idle_kill": sorted(idle_killed.values()),
        "idle_unready_after_s": unready,
        "idle_ready_again_after_s": ready_again,
        "healthz_alive": is_healthy,
        "fork_server_orphans_left": len(orphans_left),
        "wall_s": round(time.monotonic() - started, 1),
    }
    print(orjson.dumps(report).decode())
    assert feed.sent == ARTICLES, report
    assert not accounting.lost, f"lost: {accounting.lost[:5]} ({report})"
    # A record is dead-lettered only if a second kill lands on its own retry.
    assert all("child died" in letter["error"] for letter in accounting.letters), report
    assert len(accounting.letters) <= ROUNDS, f"more dead letters than kills ({report})"
    assert all(kill["replaced_after_s"] is not None for kill in kills), f"children not replaced ({report})"
    assert all(kill["new_articles_through_after_s"] is not None for kill in kills), f"stalled ({report})"
    assert unready is not None and ready_again is not None and is_healthy, (
        f"not ready/healthy after an idle kill ({report})"
    )
    assert not orphans_left, f"a killed fork server's children outlived it ({report})"
