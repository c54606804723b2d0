"""A time index over a partition's keys: expiry finds what is due without scanning the table.

``h{partition}`` lists the time slots that hold keys; slot ``s`` keeps a count row ``h{partition}:{s}`` and
one row per entry, ``h{partition}:{s}#{n}``. Adding a key writes two small rows, whatever the slot holds:
one list row per slot, rewritten at each key, grew with the traffic and made every write (and its
changelog message) cost as much as the slot held. A key touched again is listed again; the caller checks
its own last time before dropping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

#: A slot is this share of the window (at least a minute): a key expires at most one slot late, and the
#: slot list stays a few hundred numbers long whatever the window.
SLOTS_PER_WINDOW = 256
MIN_SLOT_SECONDS = 60.0


def slot_seconds(window_seconds: float) -> float:
    return max(MIN_SLOT_SECONDS, window_seconds / SLOTS_PER_WINDOW)


def is_index_key(key: str) -> bool:
    return key.startswith("h") and key[1:2].isdigit()


def remember(state: MutableMapping[str, Any], partition: int, key: str, ts: float, width: float) -> None:
    """List ``key`` under the slot of ``ts`` (slots ``width`` seconds wide)."""
    slot = int(ts // width)
    count_key = f"h{partition}:{slot}"
    count = state.get(count_key) or 0
    state[f"{count_key}#{count}"] = key
    state[count_key] = count + 1
    slots = state.get(f"h{partition}") or []
    if slot not in slots:
        state[f"h{partition}"] = sorted([*slots, slot])


def due(state: MutableMapping[str, Any], partition: int, horizon: float, width: float) -> Iterator[str]:
    """Keys listed under slots wholly before ``horizon`` (each slot's rows are dropped once read)."""
    slots = state.get(f"h{partition}") or []
    old = [slot for slot in slots if (slot + 1) * width < horizon]
    for slot in old:
        count_key = f"h{partition}:{slot}"
        for entry in range(state.get(count_key) or 0):
            key = state.pop(f"{count_key}#{entry}", None)
            if key is not None:
                yield key
        state.pop(count_key, None)
    if old:
        state[f"h{partition}"] = [slot for slot in slots if slot not in old]


def drop_due(
    state: MutableMapping[str, Any],
    partition: int,
    horizon: float,
    field: str,
    width: float,
    on_drop: Callable[[Any], None] | None = None,
) -> list[str]:
    """Delete the due keys whose value's ``field`` (a time) is before ``horizon`` (calling ``on_drop`` with
    each value first); returns them."""
    dropped = []
    for key in dict.fromkeys(due(state, partition, horizon, width)):
        value = state.get(key)
        if value is not None and value[field] < horizon:
            if on_drop is not None:
                on_drop(value)
            del state[key]
            dropped.append(key)
    return dropped
