"""Admission control's rule: hold the raw input while the later stages are behind, fail open when stuck."""

from __future__ import annotations

from streams.worker.admission import Admission


def test_the_input_is_held_above_the_limit_and_let_in_again_at_half() -> None:
    gate = Admission(max_backlog=100, stall_after=60.0)
    assert gate.admit(100, 0.0)
    assert not gate.admit(101, 1.0)
    assert not gate.admit(80, 2.0)  # shrinking, but above half
    assert not gate.admit(51, 3.0)
    assert gate.admit(50, 4.0)
    assert gate.admit(90, 5.0)  # below the limit again: admitted
    assert not gate.admit(150, 6.0)


def test_a_backlog_that_stops_shrinking_lets_the_input_in_until_it_is_down_to_half() -> None:
    gate = Admission(max_backlog=100, stall_after=10.0)
    assert not gate.admit(200, 0.0)
    assert not gate.admit(190, 5.0)
    assert not gate.admit(195, 14.0)  # no lower than 190 for 9 s
    assert gate.admit(195, 16.0)  # 11 s: a stuck stage, not a slow one
    assert gate.admit(400, 17.0) and gate.stalled
    assert gate.admit(50, 30.0) and not gate.stalled
    assert not gate.admit(101, 31.0)  # held again once it moved


def test_zero_admits_everything() -> None:
    gate = Admission(max_backlog=0, stall_after=1.0)
    assert all(gate.admit(backlog, float(backlog)) for backlog in (0, 10**6))
