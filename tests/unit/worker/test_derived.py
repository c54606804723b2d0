"""The agents' derived state: rebuilt from the tables on first use after each rebalance, not before."""

from __future__ import annotations

from streams.worker.agents.common import Derived


def test_derived_state_is_rebuilt_once_per_rebalance_and_filled_in_for_new_partitions() -> None:
    rebuilds: list[int] = []

    def rebuild() -> dict[int, list[str]]:
        rebuilds.append(1)
        return {0: ["from the table"]}

    derived = Derived(rebuild, lambda shard: [f"empty {shard}"])
    assert derived[0] == ["from the table"] and derived[1] == ["empty 1"]
    derived[0].append("kept up to date")
    assert derived[0] == ["from the table", "kept up to date"] and len(rebuilds) == 1
    derived.forget(object(), {"revoked"}, signal=None)  # as the app's rebalance signals call it
    assert derived[0] == ["from the table"] and len(rebuilds) == 2
