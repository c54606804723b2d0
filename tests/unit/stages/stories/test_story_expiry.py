"""The story tables' time index: constant-size writes, and keys gone within one slot of the window."""

from __future__ import annotations

from typing import Any

import orjson

from streams.stages.stories import expiry


class WriteLog(dict[str, Any]):
    """A dict that records the size of every value written, as a table's changelog would carry it."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[int] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self.written.append(len(orjson.dumps(value)))
        super().__setitem__(key, value)


def test_a_write_costs_the_same_however_full_the_slot() -> None:
    state = WriteLog()
    for n in range(2000):
        state[f"a{n}"] = {"ts": 100.0}
        expiry.remember(state, 0, f"a{n}", 100.0, 60.0)
    assert max(state.written) < 40  # a list row per slot grew to 2,000 ids (~14 KB) a write


def test_keys_past_the_horizon_are_dropped_and_the_index_with_them() -> None:
    state: dict[str, Any] = {}
    for n, ts in enumerate([10.0, 70.0, 130.0, 130.0]):
        state[f"a{n}"] = {"ts": ts}
        expiry.remember(state, 1, f"a{n}", ts, 60.0)
    expiry.remember(state, 1, "a0", 10.0, 60.0)  # touched twice: dropped once
    assert expiry.drop_due(state, 1, 125.0, "ts", 60.0) == ["a0", "a1"]
    assert sorted(key for key in state if not expiry.is_index_key(key)) == ["a2", "a3"]
    assert expiry.drop_due(state, 1, 500.0, "ts", 60.0) == ["a2", "a3"]
    assert state == {"h1": []}


def test_a_key_stamped_again_later_is_kept() -> None:
    state: dict[str, Any] = {"s": {"last_ts": 10.0}}
    expiry.remember(state, 0, "s", 10.0, 60.0)
    state["s"] = {"last_ts": 200.0}
    expiry.remember(state, 0, "s", 200.0, 60.0)
    assert expiry.drop_due(state, 0, 150.0, "last_ts", 60.0) == []
    assert expiry.drop_due(state, 0, 300.0, "last_ts", 60.0) == ["s"]


def test_slots_scale_with_the_window() -> None:
    assert expiry.slot_seconds(360.0) == expiry.MIN_SLOT_SECONDS
    assert expiry.slot_seconds(72 * 3600.0) == 72 * 3600.0 / expiry.SLOTS_PER_WINDOW
