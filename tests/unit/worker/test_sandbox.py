"""The sandbox child: results and rejections come back, a call past its budget is killed, the event loop
never waits for the child, and a dead child is replaced.

The functions run in the child are standard-library or stage functions: a child imports them by name.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import psutil
import pytest
from trafilatura.utils import load_html

from streams.contracts import Rejected
from streams.stages.normalize import normalize
from streams.worker import sandbox
from streams.worker.models import Models
from streams.worker.sandbox import Sandbox, StageCrashed, StageError, StageTimeout

PARAGRAPH = "The city council approved the new budget after a long debate on Tuesday evening, officials said."
RECEIVED = datetime(2024, 2, 23, 8, 30, tzinfo=UTC)


async def with_lag_probe(work: Callable[[], Awaitable[Any]]) -> tuple[Any, float, float]:
    """``work()``'s result (or exception), its duration, and the longest the event loop was held meanwhile."""
    stop = asyncio.Event()
    worst = 0.0

    async def probe() -> None:
        nonlocal worst
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, time.perf_counter() - before - 0.005)

    task = asyncio.create_task(probe())
    started = time.perf_counter()
    try:
        result: Any = await work()
    except Exception as exc:
        result = exc
    took = time.perf_counter() - started
    stop.set()
    await task
    return result, took, worst


def test_normalize_in_the_sandbox_returns_articles_and_rejections() -> None:
    async def main() -> None:
        box = Sandbox(normalize, 5.0, "normalize")
        try:
            article = await box.call(orjson.dumps({"id": "a", "body": PARAGRAPH}), RECEIVED)
            assert (article["id"], article["text"]) == ("a", PARAGRAPH)
            with pytest.raises(Rejected) as caught:
                await box.call(b"{not json", RECEIVED)
            assert caught.value.reason == "not_json"
        finally:
            box.close()
        bug = Sandbox(int, 5.0, "int")
        try:
            with pytest.raises(StageError, match="ValueError"):
                await bug.call("not a number")
        finally:
            bug.close()

    asyncio.run(main())


def test_a_call_past_its_budget_is_killed_and_the_next_call_gets_a_new_child() -> None:
    async def main() -> None:
        box = Sandbox(sum, 0.5, "spin")
        try:
            await box.start()
            first = box.pid
            result, took, lag = await with_lag_probe(lambda: box.call(range(10**12)))  # minutes of CPU
            assert isinstance(result, StageTimeout)
            assert 0.5 <= took < 1.5 and lag < 0.1
            assert box.kills == 1
            started = time.perf_counter()
            assert await box.call(range(4)) == 6
            assert box.pid != first and time.perf_counter() - started < 2, "a warm child, forked"
        finally:
            box.close()

    asyncio.run(main())


def test_the_attribute_bomb_holds_the_loop_no_longer_than_the_budget() -> None:
    """The page that held normalize (on the event loop) for minutes: lxml's parse alone, unguarded by
    normalize's limits, is stopped at the budget while the loop keeps running."""
    attrs = " ".join(f'a{i}="{i}"' for i in range(100_000))
    html = f"<html><body><div {attrs}>x</div><p>{PARAGRAPH}</p></body></html>"
    assert len(html) > 1_000_000

    async def main() -> tuple[Any, float, float]:
        box = Sandbox(load_html, 1.0, "lxml")
        try:
            await box.start()
            return await with_lag_probe(lambda: box.call(html))
        finally:
            box.close()

    result, took, lag = asyncio.run(main())
    assert isinstance(result, StageTimeout)
    assert took < 2.0 and lag < 0.1


def test_a_child_that_dies_is_reported_and_replaced() -> None:
    async def main() -> None:
        box = Sandbox(os.abort, 5.0, "abort")
        try:
            with pytest.raises(StageCrashed, match="died"):
                await box.call()
            with pytest.raises(StageCrashed):
                await box.call()  # a new child, which dies again
        finally:
            box.close()

    asyncio.run(main())


def test_concurrent_starts_fork_one_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker starts the sandbox ahead of its first call (while its models load): a call, or another
    start, that comes meanwhile waits for that child instead of forking a second one."""
    forks = []
    fork_server = sandbox._fork_server

    def counting() -> Any:
        forks.append(1)
        return fork_server()

    monkeypatch.setattr(sandbox, "_fork_server", counting)

    async def main() -> None:
        box = Sandbox(abs, 5.0, "abs")
        try:
            await asyncio.gather(box.start(), box.start(), box.call(-3))
            assert len(forks) == 1
            assert await box.call(-4) == 4
            assert len(forks) == 1 and box.kills == 0
        finally:
            box.close()

    asyncio.run(main())


def test_a_call_cancelled_while_the_child_works_does_not_hand_its_answer_to_the_next_call() -> None:
    """Cancelled (the agent stopped) while the child computes: kept, the child would answer the next call
    with the cancelled one's result."""

    async def main() -> None:
        box = Sandbox(sum, 10.0, "sum")
        try:
            await box.start()
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(box.call(range(10**8)), 0.05)  # about a second of CPU
            assert await box.call(range(4)) == 6
            assert box.kills == 1
        finally:
            box.close()

    asyncio.run(main())


def test_a_start_cancelled_before_the_greeting_leaves_no_half_started_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Kept, the child's unread greeting would be read as the next call's answer."""

    async def main() -> None:
        box = Sandbox(abs, 5.0, "abs")
        try:
            with monkeypatch.context() as patched:

                async def cancelled(_timeout: float) -> None:
                    raise asyncio.CancelledError

                patched.setattr(box, "_readable", cancelled)
                with pytest.raises(asyncio.CancelledError):
                    await box.start()
            assert not box.running
            assert await box.call(-3) == 3
        finally:
            box.close()

    asyncio.run(main())


def test_model_children_killed_between_calls_are_revived_without_a_call() -> None:
    """Readiness counts the model children: an idle worker must not wait for a record to fork new ones."""

    async def main() -> None:
        models = Models(5.0)
        try:
            await models.wait()
            assert models.ready
            before = {models.dedup.pid, models.extract.pid}
            for pid in before:
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
            while models.dedup.running or models.extract.running:
                await asyncio.sleep(0.01)
            assert not models.ready
            models.revive()
            for _ in range(1000):
                if models.ready:
                    break
                await asyncio.sleep(0.01)
            assert models.ready and not {models.dedup.pid, models.extract.pid} & before
        finally:
            for child in models.children:
                child.close()

    asyncio.run(main())


def test_a_call_past_its_budget_kills_its_child_even_after_the_fork_server_died() -> None:
    """The fork server reports its children's exits: once it is dead the parent reads a child as dead, and
    the one computing past its budget would be left running, orphaned. (Last: the next test that forks
    waits for a new fork server to load the models.)"""

    async def main() -> None:
        box = Sandbox(time.sleep, 5.0, "slow")
        try:
            await box.start()
            assert box.pid is not None
            child = psutil.Process(box.pid)
            call = asyncio.ensure_future(box.call(60.0, budget=1.0))
            await asyncio.sleep(0.2)
            child.parent().kill()
            with pytest.raises(StageTimeout):
                await call
            gone, _ = psutil.wait_procs([child], timeout=5)
            assert gone or child.status() == psutil.STATUS_ZOMBIE
        finally:
            box.close()

    asyncio.run(main())
