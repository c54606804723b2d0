"""A time index over state keys, so that an expiry sweep visits what may have expired, not the whole table.

A sweep that lists a table costs as much as the window holds (on RocksDB it reads every key on the
event loop); one that pops the time slots before its horizon costs as much as expires.
"""

from __future__ import annotations

import heapq
import math

#: Width of a slot: a sweep looks at each key of the slots it pops once, so any width works; an hour
#: keeps the number of slots in a week's window small.
SLOT_SECONDS = 3600.0


class TimeIndex:
    """Keys by time stamp, in slots of ``SLOT_SECONDS``.

    It may still hold keys that are gone from the state or were stamped again later: callers check
    each key that ``due`` returns against the state. What it must never do is miss a key, so every
    time stamp that can make a key live longer is ``add``-ed.
    """

    def __init__(self) -> None:
        self._slots: dict[int, dict[str, float]] = {}
        self._order: list[int] = []  # heap of the slot numbers in ``_slots``

    def add(self, key: str, at: float) -> None:
        slot = math.floor(at / SLOT_SECONDS)
        keys = self._slots.get(slot)
        if keys is None:
            keys = self._slots[slot] = {}
            heapq.heappush(self._order, slot)
        keys[key] = max(at, keys.get(key, at))

    def due(self, horizon: float) -> list[str]:
        """Forget and return the keys stamped before ``horizon``, each once; the work is what they number."""
        edge = math.floor(horizon / SLOT_SECONDS)
        found: dict[str, None] = {}
        while self._order and self._order[0] < edge:
            found.update(dict.fromkeys(self._slots.pop(heapq.heappop(self._order))))
        keys = self._slots.get(edge, {})
        for key in [key for key, at in keys.items() if at < horizon]:
            del keys[key]
            found[key] = None
        return list(found)
