"""expiry: sweeps find what expired through a time index, so their work does not grow with the window."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from streams.stages import dedup
from streams.stages.dedup.expiry import SLOT_SECONDS

DAY = 86400.0
T0 = 1_700_000_000.0


class Counted(MutableMapping[str, Any]):
    """A table that counts what a sweep does to it: reads, writes, deletes and listings."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.operations = self.listings = 0

    def __getitem__(self, key: str) -> Any:
        self.operations += 1
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.operations += 1
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        self.operations += 1
        del self.data[key]

    def __iter__(self) -> Iterator[str]:
        self.listings += 1
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def entry(article_id: str, at: float) -> dedup.ShardEntry:
    stamp = f"{article_id}@{at}"
    return {
        "id": article_id,
        "published_at": stamp,
        "received_at": stamp,
        "ts": at,
        "seen": at,
        "language": "en",
        "content_hash": article_id,
    }


def keys(index: int) -> list[str]:
    return [f"x:{index}", f"m:{index % 50}"]  # every article shares a bucket with others


def shard_with(old: int, fresh: int) -> tuple[dedup.BandShard, Counted]:
    """``old`` articles a fortnight before the ``fresh`` ones, all probed into one band partition."""
    table = Counted()
    band = dedup.BandShard(table, 0)
    for index in range(old):
        dedup.probe_shard(band, entry(f"old{index}", T0 + index), keys(index))
    for index in range(fresh):
        dedup.probe_shard(band, entry(f"new{index}", T0 + 14 * DAY + index), keys(index))
    return band, table


def test_a_sweep_works_on_what_expires_whatever_the_shard_holds() -> None:
    work = {}
    for fresh in (200, 4000):
        band, table = shard_with(old=30, fresh=fresh)
        table.operations = 0
        assert dedup.expire(band, T0 + 14 * DAY) == 30
        assert table.listings == 0
        work[fresh] = table.operations
        assert sorted(key for key in table.data if key.startswith("s")) == sorted(
            f"s0:new{index}" for index in range(fresh)
        )
        members = {member.id for bucket in band.buckets.values() for member in bucket.members}
        assert members == {f"new{index}" for index in range(fresh)}
        table.operations = 0
        assert dedup.expire(band, T0 + 14 * DAY) == 0 and table.operations == 0  # nothing left to look at
    assert work[200] == work[4000] > 0


def test_a_recovered_shard_sweeps_like_the_one_that_wrote_the_rows() -> None:
    band, table = shard_with(old=10, fresh=20)
    (recovered,) = dedup.recover_shards(table, partitions=4).values()
    assert recovered.shard == 0 and recovered.table is table
    assert dedup.expire(recovered, T0 + 14 * DAY) == 10
    assert dedup.expire(band, T0 + 14 * DAY) == 0  # the rows are gone: the stale index finds nothing


def test_time_index_returns_each_key_stamped_before_the_horizon_once() -> None:
    index = dedup.TimeIndex()
    index.add("a", T0)
    index.add("b", T0 + 10)
    index.add("a", T0 + 3 * SLOT_SECONDS)  # stamped again later: returned by both slots, once each
    index.add("c", T0 + 5 * SLOT_SECONDS)
    assert index.due(T0 + 5) == ["a"]  # within a slot, only what is older than the horizon
    assert sorted(index.due(T0 + 4 * SLOT_SECONDS)) == ["a", "b"]
    assert index.due(T0 + 4 * SLOT_SECONDS) == []
    assert index.due(T0 + 9 * SLOT_SECONDS) == ["c"]


def test_waiting_verdicts_are_swept_through_their_index() -> None:
    verdicts: dict[str, Any] = {}
    index = dedup.TimeIndex()
    for article_id, at in (("lost", T0), ("recent", T0 + 6 * DAY)):
        report: dedup.ShardReport = {
            "shard": 0,
            "article": entry(article_id, at),
            "verified": [],
            "candidates": 0,
            "bucket_sizes": [],
        }
        assert dedup.decide(verdicts, article_id, [report], expected_reports=2) is None
        index.add(article_id, at)
    now = T0 + 8 * DAY
    assert dedup.expire_pending(verdicts, index.due(now - dedup.DEFAULT.retention_seconds), now) == 1
    assert list(verdicts) == ["recent"]
