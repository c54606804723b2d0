"""What an operator sees of the stage children: each replacement counted once, by its cause, and readiness
that follows every child, normalize's included.

Real children throughout (standard-library or stage functions: a child imports them by name), killed for
real; the counters are read from the Prometheus registry, as a scrape would.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import psutil
import pytest
from prometheus_client import REGISTRY

from streams.worker import metrics
from streams.worker.agents.common import BudgetExceeded, in_child
from streams.worker.models import Models
from streams.worker.sandbox import Sandbox, StageTimeout

PARAGRAPH = "The city council approved the new budget after a long debate on Tuesday evening, officials said."


def replacements(child: str) -> dict[str, float]:
    """``newsevents_child_replacements_total`` of ``child``, by cause."""
    return {
        cause: REGISTRY.get_sample_value(
            "newsevents_child_replacements_total", {"child": child, "cause": cause}
        )
        or 0.0
        for cause in metrics.CHILD_CAUSES
    }


def restarts() -> float:
    return REGISTRY.get_sample_value("newsevents_fork_server_restarts_total") or 0.0


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {cause: after[cause] - before[cause] for cause in after if after[cause] != before[cause]}


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def kill(pid: int | None) -> None:
    assert pid is not None
    os.kill(pid, signal.SIGKILL)


def test_each_replacement_is_counted_once_by_its_cause() -> None:
    async def main() -> None:
        box = Sandbox(time.sleep, 5.0, "sleeper")
        before = replacements("sleeper")
        try:
            await box.start()
            assert await box.call(0.01) is None
            assert moved(before, replacements("sleeper")) == {}, "a first start replaces nothing"

            with pytest.raises(StageTimeout):
                await box.call(5.0, budget=0.2)
            assert await box.call(0.01) is None
            assert moved(before, replacements("sleeper")) == {"budget": 1}

            kill(box.pid)  # between calls: found dead by the next call
            await until(lambda: not box.running)
            assert await box.call(0.01) is None
            assert moved(before, replacements("sleeper")) == {"budget": 1, "crashed": 1}

            with pytest.raises(TimeoutError):
                await asyncio.wait_for(box.call(5.0), 0.2)  # the call is cancelled: its child goes
            assert not box.running
            assert await box.call(0.01) is None
            assert moved(before, replacements("sleeper")) == {"budget": 1, "crashed": 1, "cancelled": 1}
        finally:
            box.close()
        assert moved(before, replacements("sleeper")) == {"budget": 1, "crashed": 1, "cancelled": 1}, (
            "closing is not a replacement"
        )

    asyncio.run(main())


def test_a_child_killed_during_a_call_counts_once_though_the_call_is_retried() -> None:
    """normalize's calls run again in a new child when theirs is killed from outside: one replacement."""

    async def main() -> None:
        box = Sandbox(time.sleep, 5.0, "killed")
        before = replacements("killed")
        try:
            await box.start()
            first = box.pid
            call = asyncio.ensure_future(in_child(box, 0.5, retry_crashed=True))
            await asyncio.sleep(0.2)
            kill(first)
            assert await call is None  # done by the second child
            assert box.running and box.pid != first
            assert moved(before, replacements("killed")) == {"crashed": 1}
            with pytest.raises(BudgetExceeded):
                await in_child(box, 5.0, budget=0.2, retry_crashed=True)  # a timeout is not retried
            assert moved(before, replacements("killed")) == {"crashed": 1, "budget": 1}
        finally:
            box.close()

    asyncio.run(main())


def test_a_crash_looping_child_counts_every_death() -> None:
    """The alertable case: a record (or a broken child) that kills each child it reaches."""

    async def main() -> None:
        box = Sandbox(os._exit, 5.0, "looping")
        before = replacements("looping")
        try:
            for calls in range(1, 4):
                with pytest.raises(RuntimeError, match="died"):
                    await in_child(box, 3, retry_crashed=True)  # dies, and its retry dies too
                assert moved(before, replacements("looping")) == {"crashed": 2 * calls}
        finally:
            box.close()

    asyncio.run(main())


def test_readiness_follows_a_killed_normalize_child_and_the_health_check_revives_it() -> None:
    async def main() -> None:
        models = Models(5.0)
        before = {child.name: replacements(child.name) for child in models.children}
        try:
            await models.wait()
            assert models.ready
            article = await in_child(
                models.normalize, orjson.dumps({"id": "a", "body": PARAGRAPH}), datetime.now(UTC)
            )
            assert article["id"] == "a"
            pids = {child.name: child.pid for child in models.children}

            kill(models.normalize.pid)
            await until(lambda: not models.normalize.running)
            assert not models.ready, "readiness counts the normalize child"
            assert models.dedup.running and models.extract.running

            models.revive()  # what the health check does while the worker is unready
            await until(lambda: models.ready)
            assert models.normalize.pid != pids["normalize"]
            assert (models.dedup.pid, models.extract.pid) == (pids["dedup"], pids["extract"])
            after = {child.name: replacements(child.name) for child in models.children}
            assert {name: moved(before[name], after[name]) for name in after} == {
                "normalize": {"crashed": 1},
                "dedup": {},
                "extract": {},
            }
        finally:
            for child in models.children:
                child.close()

    asyncio.run(main())


def test_a_fork_server_that_died_is_counted_once_and_its_children_replaced() -> None:
    """Last: the new fork server loads the models again, for seconds."""

    async def main() -> None:
        boxes = [Sandbox(abs, 5.0, "orphan-a"), Sandbox(abs, 5.0, "orphan-b")]
        before = {box.name: replacements(box.name) for box in boxes}
        restarted = restarts()
        try:
            await asyncio.gather(*(box.start() for box in boxes))
            children = [psutil.Process(box.pid) for box in boxes]
            server = children[0].parent()
            assert server is not None and children[1].ppid() == server.pid
            server.kill()  # not waited for: multiprocessing reaps its fork server itself
            await until(lambda: not any(box.running for box in boxes))
            assert [await box.call(-2) for box in boxes] == [2, 2]
            assert restarts() - restarted == 1
            for box in boxes:
                assert moved(before[box.name], replacements(box.name)) == {"crashed": 1}
                assert psutil.Process(box.pid).ppid() != server.pid
            gone, _ = psutil.wait_procs(children, timeout=5)
            assert len(gone) == 2 or all(c.status() == psutil.STATUS_ZOMBIE for c in children), (
                "the old children were killed, not left orphaned"
            )
        finally:
            for box in boxes:
                box.close()

    asyncio.run(main())
