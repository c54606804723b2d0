"""Admission control's rule: hold the raw input while the later stages are behind, fail open when stuck."""

from __future__ import annotations

import asyncio

from streams.worker.admission import Admission, Gate


def test_the_input_is_held_above_the_limit_and_let_in_again_at_half() -> None:
    gate = Admission(max_backlog=100, stall_after=60.0)
    assert gate.admit(100, 0, 0.0)
    assert not gate.admit(101, 0, 1.0)
    assert not gate.admit(180, 5, 2.0)  # growing still (what was fetched before the hold), but moving
    assert not gate.admit(51, 90, 3.0)
    assert gate.admit(50, 140, 4.0)
    assert gate.admit(90, 150, 5.0)  # below the limit again: admitted
    assert not gate.admit(150, 160, 6.0)


def test_stages_that_finish_nothing_while_held_let_the_input_in_until_the_backlog_is_half() -> None:
    gate = Admission(max_backlog=100, stall_after=10.0)
    assert not gate.admit(200, 7, 0.0)
    assert not gate.admit(400, 9, 5.0)  # the backlog grows, but articles are finished: slow, not stuck
    assert not gate.admit(400, 9, 14.0)  # nothing finished for 9 s
    assert gate.admit(400, 9, 16.0)  # 11 s: a stuck stage
    assert gate.admit(900, 12, 17.0) and gate.stalled
    assert gate.admit(50, 900, 30.0) and not gate.stalled
    assert not gate.admit(101, 950, 31.0)  # held again once it moved


def test_zero_admits_everything() -> None:
    gate = Admission(max_backlog=0, stall_after=1.0)
    assert all(gate.admit(backlog, 0, float(backlog)) for backlog in (0, 10**6))


def test_the_gate_lets_in_as_many_articles_as_there_is_room_for_then_waits_for_more_room() -> None:
    async def scenario() -> list[int]:
        gate = Gate()
        entered: list[int] = []

        async def normalize() -> None:
            for article in range(5):
                await gate.enter()
                entered.append(article)

        gate.allow(2)
        task = asyncio.create_task(normalize())
        await asyncio.sleep(0.01)
        assert entered == [0, 1]  # the room of one measurement, then it waits
        gate.allow(0)
        await asyncio.sleep(0.01)
        assert entered == [0, 1]  # held
        gate.allow(None)  # no limit (admission off, stalled, or failing)
        await asyncio.wait_for(task, 1.0)
        return entered

    assert asyncio.run(scenario()) == [0, 1, 2, 3, 4]
