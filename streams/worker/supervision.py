"""Agent supervision: an agent whose task dies anyway (the agents catch everything they can) is logged,
counted in ``newsevents_agent_crashes_total`` and remembered here, so health checks can report it.

Faust's supervisor restarts a crashed agent; what it does not do is tell anyone. The app calls
:meth:`Supervision.crashed` from its agent-error hook (``NewsApp._on_agent_error``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from streams.worker import metrics

log = logging.getLogger("newsevents")


@dataclass
class AgentCrash:
    agent: str
    error: str
    at: float  # seconds since the epoch


@dataclass
class Supervision:
    """Crashes of this worker's agents since it started: per agent, the count and the last one."""

    counts: dict[str, int] = field(default_factory=dict)
    last: dict[str, AgentCrash] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def crashed(self, agent: str, exc: BaseException) -> None:
        crash = AgentCrash(agent, f"{type(exc).__name__}: {exc}"[:2000], time.time())
        with self._lock:
            self.counts[agent] = self.counts.get(agent, 0) + 1
            self.last[agent] = crash
        metrics.AGENT_CRASHES.labels(agent).inc()
        log.error("agent %s crashed (%d so far): %s", agent, self.counts[agent], crash.error, exc_info=exc)

    def crashed_since(self, moment: float) -> list[str]:
        """Agents whose last crash came after ``moment`` (seconds since the epoch)."""
        with self._lock:
            return sorted(name for name, crash in self.last.items() if crash.at > moment)

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state for a health endpoint: crash counts and the last error of each agent."""
        with self._lock:
            return {
                "agents_healthy": not self.counts,
                "agent_crashes": dict(self.counts),
                "last_agent_crash": {
                    name: {"error": crash.error, "at": crash.at} for name, crash in self.last.items()
                },
            }
