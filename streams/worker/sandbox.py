"""Stage work in a child process with a time budget: the worker's event loop never runs it, and a record
that overruns its budget is abandoned by killing the child, so it cannot stall the stage either.

Why a process and not a thread: a thread cannot be stopped, so a pathological page would keep a core
(and the GIL) until it finished; a child process is killed at the budget and the next one is forked,
already warm, from a fork server that loaded the stage's models once (see :data:`PRELOAD`).

The child speaks over one pipe: the parent sends the call's arguments, the child answers
``("ok", result)``, ``("rejected", reason, error)`` or ``("error", text)``. The parent waits for the
answer with ``loop.add_reader``, so waiting costs the event loop nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext
from multiprocessing.process import BaseProcess
from typing import Any

import orjson
import psutil

from streams.contracts import Rejected
from streams.worker import metrics

log = logging.getLogger("newsevents")

#: Imported once by the fork server, so children start with the stage's code and models loaded.
PRELOAD = ("streams.worker.sandbox_preload",)
#: One small page through every stage, so lazily loaded models are loaded before the first record.
WARM_UP_ARTICLE = orjson.dumps(
    {
        "id": "warm-up",
        "html": "<html><head><title>Warm-up</title></head><body><article><p>GENEVA (Reuters) - "
        "The foreign ministers of France and Germany met in Geneva on Monday.</p></article></body></html>",
    }
)
#: How long a new child may take to say it is ready (the first one waits for the fork server's warm-up).
START_TIMEOUT = 300.0


class StageTimeout(Exception):
    """The call took longer than its budget; the child that ran it has been killed."""


class StageCrashed(Exception):
    """The child died during the call (killed by the system, or a crash in native code)."""


class StageError(Exception):
    """The stage raised something else than :class:`Rejected` in the child (a stage bug)."""


_context: ForkServerContext | None = None
#: The fork server the last child came from: another one means the first died and was started again.
_server_pid: int | None = None


def _fork_server() -> ForkServerContext:
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        assert isinstance(context, ForkServerContext)
        context.set_forkserver_preload(list(PRELOAD))
        _context = context
    return _context


def _serve(conn: Connection, func: Callable[..., Any]) -> None:
    """The child: run ``func`` on each call that arrives, answer, until the parent goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn.send(("ready",))
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply: tuple[Any, ...] = ("ok", func(*args))
        except Rejected as exc:
            reply = ("rejected", exc.reason, exc.error)
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except Exception as exc:  # a result that does not pickle
            conn.send(("error", f"{type(exc).__name__} sending the result: {exc}"))


def _cause(exc: BaseException, otherwise: str) -> str:
    return "cancelled" if isinstance(exc, asyncio.CancelledError) else otherwise


def _forked_by(server: int) -> None:
    """Note the fork server a new child came from; count a new one (the old one died: every child
    forked from it is read as dead, and the new one loads the models again, for seconds)."""
    global _server_pid
    if _server_pid is not None and server != _server_pid:
        metrics.FORK_SERVER_RESTARTS.inc()
        log.warning("sandbox fork server %s replaced by %s", _server_pid, server)
    _server_pid = server


class Sandbox:
    """One child process running ``func`` (a module-level function) one call at a time."""

    def __init__(self, func: Callable[..., Any], budget: float, name: str) -> None:
        self.func = func
        self.budget = budget
        self.name = name
        self.kills = 0
        self._process: BaseProcess | None = None
        #: The child as psutil knows it (its pid and start time): still killable once the fork server,
        #: which reports the child's exit to this process, is gone.
        self._child: psutil.Process | None = None
        self._conn: Connection | None = None
        self._lock = asyncio.Lock()
        self._start_lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        """Fork the child (if none runs) and wait until it answers; idempotent, and concurrent calls fork
        one child (the worker starts it ahead of its first call, see agents.normalize)."""
        async with self._start_lock:
            await self._start()

    async def _start(self) -> None:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return
        self._discard("crashed")  # died between calls (or lost its fork server)
        parent, child = multiprocessing.Pipe(duplex=True)
        process = _fork_server().Process(
            target=_serve, args=(child, self.func), name=f"newsevents-{self.name}", daemon=True
        )
        # Starting the fork server the first time waits for its warm-up: not on the event loop.
        await asyncio.get_running_loop().run_in_executor(None, process.start)
        child.close()
        self._process, self._conn = process, parent
        with contextlib.suppress(psutil.Error):  # one that died at once is reported below
            self._child = psutil.Process(process.pid)
            _forked_by(self._child.ppid())
        try:
            await self._readable(START_TIMEOUT)
            greeting = parent.recv()
        except (TimeoutError, EOFError, OSError) as exc:
            self._discard("start_failed")
            raise StageCrashed(f"{self.name} child did not start: {exc!r}") from None
        except BaseException as exc:
            # Cancelled before the greeting: the next call would read it as its answer.
            self._discard(_cause(exc, "start_failed"))
            raise
        if greeting != ("ready",):
            self._discard("start_failed")
            raise StageCrashed(f"{self.name} child sent an unexpected greeting")
        log.info("%s sandbox: child %s ready", self.name, process.pid)

    async def restart(self) -> None:
        """Fork a child if none runs, after the call in progress (if any): that call owns the child's pipe,
        and replaces a child that dies under it itself."""
        async with self._lock:
            await self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    async def call(self, *args: Any, budget: float | None = None) -> Any:
        """``func(*args)`` in the child within ``budget`` seconds (the sandbox's own by default); raises
        Rejected as the stage did, StageTimeout, StageCrashed or StageError."""
        budget = self.budget if budget is None else budget
        async with self._lock:
            await self.start()
            assert self._conn is not None
            try:
                self._conn.send(args)
            except (BrokenPipeError, OSError):
                # The child died between calls: a new one gets the call.
                self._discard("crashed")
                await self.start()
                assert self._conn is not None
                self._conn.send(args)
            started = time.monotonic()
            try:
                await self._readable(budget)
                reply = self._conn.recv()
            except TimeoutError:
                self._discard("budget")
                raise StageTimeout(
                    f"{self.name} took longer than its {budget:g} s budget; child killed"
                ) from None
            except (EOFError, OSError):
                code = self._process.exitcode if self._process is not None else None
                self._discard("crashed")
                raise StageCrashed(
                    f"{self.name} child died after {time.monotonic() - started:.1f} s (exit code {code})"
                ) from None
            except BaseException as exc:
                # Cancelled (or an answer that does not unpickle) while the child still owes this call
                # its answer: kept, the child would hand that answer to the next call.
                self._discard(_cause(exc, "unreadable"))
                raise
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "rejected":
            raise Rejected(reply[1], reply[2])
        raise StageError(reply[1])

    async def _readable(self, timeout: float) -> None:
        """Wait, without blocking the loop, until the child has written (or closed) its end."""
        assert self._conn is not None
        if self._conn.poll(0):
            return
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = self._conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, readable)
        try:
            await asyncio.wait_for(ready, timeout)
        finally:
            loop.remove_reader(fd)

    def _discard(self, cause: str | None = None) -> None:
        """Kill the child (if any) and forget it; the next call forks a new one. With a ``cause`` the
        child is being replaced, and counted: a child that keeps dying shows as a rate an alert can see."""
        if self._process is not None and cause is not None:
            metrics.CHILD_REPLACEMENTS.labels(self.name, cause).inc()
            log.warning("%s sandbox: child %s replaced (%s)", self.name, self._process.pid, cause)
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
                self.kills += 1
            elif self._child is not None:
                # Read as dead because its fork server died: it may still be running, orphaned.
                with contextlib.suppress(psutil.Error):
                    self._child.kill()
            self._process.join(5)
            with contextlib.suppress(ValueError):
                self._process.close()
        self._process, self._conn, self._child = None, None, None

    def close(self) -> None:
        self._discard()
