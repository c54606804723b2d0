"""An hour index over a partition's keys: expiry finds what is due without scanning the table.

``h{partition}`` lists the hours that hold keys, ``h{partition}:{hour}`` the keys touched in that hour. A key
touched again stays listed under its older hours too; the caller checks its own last time before dropping.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

HOUR = 3600


def is_index_key(key: str) -> bool:
    return key.startswith("h") and key[1:2].isdigit()


def remember(state: MutableMapping[str, Any], partition: int, key: str, ts: float) -> None:
    """List ``key`` under the hour of ``ts``."""
    hour = int(ts // HOUR)
    index = f"h{partition}:{hour}"
    listed = state.get(index) or []
    if key not in listed:
        state[index] = [*listed, key]
    hours = state.get(f"h{partition}") or []
    if hour not in hours:
        state[f"h{partition}"] = sorted([*hours, hour])


def due(state: MutableMapping[str, Any], partition: int, horizon: float) -> Iterator[str]:
    """Keys listed only under hours wholly before ``horizon`` (each hour's list is dropped once read)."""
    hours = state.get(f"h{partition}") or []
    old = [hour for hour in hours if (hour + 1) * HOUR < horizon]
    for hour in old:
        index = f"h{partition}:{hour}"
        yield from state.get(index) or []
        state.pop(index, None)
    if old:
        state[f"h{partition}"] = [hour for hour in hours if hour not in old]


def drop_due(state: MutableMapping[str, Any], partition: int, horizon: float, field: str) -> list[str]:
    """Delete the due keys whose value's ``field`` (a time) is before ``horizon``; returns them."""
    dropped = []
    for key in list(due(state, partition, horizon)):
        value = state.get(key)
        if value is not None and value[field] < horizon:
            del state[key]
            dropped.append(key)
    return dropped
