"""shards: the probe on one band partition, what it stores, and the expiry sweep of that state."""

from __future__ import annotations

from typing import Any

import orjson
from dedup_articles import AFTERMATH, AFTERMATH_TITLE, STORY, article, links_of, run, signature

from streams.contracts import CleanArticle
from streams.stages import dedup


def test_probe_shard_keeps_light_members_and_one_entry_and_reports_only_matches(
    original: CleanArticle,
) -> None:
    sig_a, sig_b, sig_c = dedup.signatures(
        [original, article("copy", STORY, hours=1), article("other", AFTERMATH, title=AFTERMATH_TITLE)]
    )
    state: dict[str, Any] = {}
    band = dedup.BandShard(state, 0)
    keys = sig_a["keys"]
    first = dedup.probe_shard(band, sig_a["entry"], keys)
    assert first["verified"] == [] and first["bucket_sizes"] == [1] * len(keys)
    again = dedup.probe_shard(band, sig_a["entry"], keys)  # redelivery: no self-match, no second copy
    assert again["verified"] == [] and again["bucket_sizes"] == [1] * len(keys)
    second = dedup.probe_shard(band, sig_b["entry"], sig_b["keys"])
    (found,) = second["verified"]
    assert (found["id"], found["method"], found["bands"]) == ("orig", "exact", len(keys))
    assert "sample" not in second["article"] and "embedding" not in second["article"]
    # a shared band makes "other" a candidate of "orig", not a match
    third = dedup.probe_shard(band, sig_c["entry"], [keys[1], *sig_c["keys"]])
    assert third["candidates"] >= 2 and third["verified"] == []
    # buckets hold light members in memory; the table holds the verification data, once per article
    # and shard, with the keys the buckets are rebuilt from
    assert all(type(m) is dedup.Member for key in keys for m in band.buckets[key].members)
    assert sorted(state) == ["s0:copy", "s0:orig", "s0:other"]
    assert state["s0:orig"]["keys"] == keys
    assert orjson.loads(orjson.dumps(state)) == state


def test_a_probe_writes_one_row_and_recovery_rebuilds_the_buckets_from_the_rows() -> None:
    stream = [
        article("wire", STORY),
        article("copy", STORY, hours=3),
        article("other", AFTERMATH, title=AFTERMATH_TITLE, hours=5),
        article("week-later", STORY, hours=24 * 8),  # the wire copies leave the buckets it shares
        article("wire-again", STORY, hours=24 * 8 + 1),
    ]
    state: dict[str, Any] = {}
    run(stream, state, partitions=4)
    bands, shards = state["bands"], state["shards"]
    assert len(bands) == sum(len(dedup.shard_keys(sig, 4)) for sig in dedup.signatures(stream))
    recovered = dedup.recover_shards(orjson.loads(orjson.dumps(bands)), 4)
    assert recovered.keys() == shards.keys()
    for shard, band in shards.items():
        assert recovered[shard].buckets == band.buckets
        assert recovered[shard].expiry.due(1e12) == band.expiry.due(1e12)


def test_shard_entry_carries_only_what_its_band_kinds_verify(original: CleanArticle) -> None:
    sig = signature(original)
    near = dedup.shard_entry(sig, ["x:a", "m:b"])
    assert "sample" in near and "embedding" not in near and "anchors" not in near
    cross = dedup.shard_entry(sig, ["e3:1f"])
    assert "embedding" in cross and "anchors" in cross and "sample" not in cross


def test_bucket_cap_keeps_the_newest_members(original: CleanArticle) -> None:
    config = dedup.DedupConfig(bucket_cap=3)
    sigs = dedup.signatures([article(f"c{i}", STORY, hours=i) for i in range(5)], config)
    state: dict[str, Any] = {}
    band = dedup.BandShard(state, 0)
    key = sigs[0]["keys"][0]
    for sig in sigs:
        dedup.probe_shard(band, sig["entry"], [key], config)
    assert sorted(m.id for m in band.buckets[key].members) == ["c2", "c3", "c4"]


def test_copies_further_apart_than_the_retention_window_are_not_linked(original: CleanArticle) -> None:
    late = article("late", STORY, hours=24 * 8)
    state: dict[str, Any] = {}
    outputs = run([original, late], state)
    assert links_of(outputs) == [] and [a["id"] for a in outputs[1].unique] == [late["id"]]
    # the old member was dropped from every bucket the new one shares with it
    (band,) = state["shards"].values()
    for key in signature(late)["keys"]:
        assert [m.id for m in band.buckets[key].members] == ["late"]


def test_retention_is_configurable_and_swept(original: CleanArticle) -> None:
    wide = dedup.DedupConfig(retention_days=10)
    late = article("late", STORY, hours=24 * 8)
    assert [link["canonical_id"] for link in links_of(dedup.dedup_batch({}, [original, late], wide))] == [
        "orig"
    ]

    state: dict[str, Any] = {}
    run([original], state)
    bands, (band,) = state["bands"], state["shards"].values()
    assert bands and dedup.expire(band, signature(original)["entry"]["seen"]) == 0
    assert dedup.expire(band, signature(original)["entry"]["seen"] + 7.5 * 86400) == 1 and bands == {}
