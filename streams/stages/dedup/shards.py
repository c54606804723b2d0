"""Band partitions: where an article's band keys live, and the probe each owning partition runs.

State is sharded by band key so that no partition needs to see every article: a bucket holds only
light members and an article's verification data is stored once per band partition, so buckets
stay small and candidates are verified where they are found. Why these sizes: docs/dedup.md.
"""

from __future__ import annotations

import bisect
import itertools
import math
import zlib
from collections import defaultdict
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from streams.stages.dedup.expiry import TimeIndex
from streams.stages.dedup.signatures import DEFAULT, DedupConfig, ShardEntry, Signature
from streams.stages.dedup.verdicts import (
    ShardReport,
    Verified,
    crosslingual_pair,
    match,
    publication_order,
)


class Member(NamedTuple):
    """A bucket member: just enough to find candidates in a time window and expire them.

    Stored as a plain list in this field order and read back with ``Member._make(raw)``: the
    orjson codec of the tables refuses tuple subclasses, and a list costs no more bytes.
    """

    id: str
    ts: float  # publication time: what pairs are matched by
    seen: int  # ``ShardEntry.seen`` rounded up to whole seconds: what the member expires by
    language: str


def _member_ts(raw: Sequence[Any]) -> float:
    return Member._make(raw).ts


def _member_order(raw: Sequence[Any]) -> tuple[float, str]:
    """Buckets are sorted by this, so a time window is a slice."""
    member = Member._make(raw)
    return (member.ts, member.id)


@dataclass(slots=True)
class _Hit:
    """A candidate found in the article's buckets: how many of them held it, by which band kinds."""

    bands: int
    kinds: set[str]


@dataclass
class BandShard:
    """One band partition's state: its rows in ``table``, and an index of them kept in memory.

    The index is derived from the rows (``recover_shards`` rebuilds it in one pass after a restart or
    a rebalance), so it needs no changelog of its own; with it, a sweep never lists the table.
    """

    table: MutableMapping[str, Any]
    shard: int
    expiry: TimeIndex = field(default_factory=TimeIndex)  # article ids by ``seen``


def recover_shards(table: MutableMapping[str, Any], partitions: int) -> dict[int, BandShard]:
    """The band partitions whose entries ``table`` holds, with their indexes rebuilt from those rows."""
    shards: dict[int, BandShard] = {}
    for key, value in table.items():
        if value and key.startswith("s"):
            shard = shard_of(key, partitions)
            band = shards.get(shard) or shards.setdefault(shard, BandShard(table, shard))
            band.expiry.add(value["id"], value["seen"])
    return shards


def band_partition(band_key: str, partitions: int) -> int:
    """The partition that owns a band key's bucket: stable across workers, restarts and versions."""
    return zlib.crc32(band_key.encode()) % partitions


def entry_key(shard: int, article_id: str) -> str:
    """Where a band partition keeps an article's entry; the shard in the key keeps partitions apart."""
    return f"s{shard}:{article_id}"


def shard_of(key: str, partitions: int) -> int:
    """The partition that owns a key of the band state (a bucket or an entry)."""
    if key.startswith("s"):
        return int(key[1 : key.index(":")])
    return band_partition(key, partitions)


def shard_keys(sig: Signature, partitions: int) -> dict[int, list[str]]:
    """The article's band keys grouped by owning partition: one message and one report per group."""
    by_shard: dict[int, list[str]] = defaultdict(list)
    for key in sig["keys"]:
        by_shard[band_partition(key, partitions)].append(key)
    return dict(by_shard)


def shard_entry(sig: Signature, keys: Iterable[str]) -> ShardEntry:
    """The part of the entry that the band kinds among ``keys`` can verify (what the shard stores)."""
    kinds = {key[0] for key in keys}
    entry: ShardEntry = dict(sig["entry"])  # type: ignore[assignment]
    if "m" not in kinds:
        del entry["sample"], entry["sample_rate"]
    if "e" not in kinds:
        del entry["embedding"], entry["anchors"]
    return entry


def _light(entry: ShardEntry) -> ShardEntry:
    heavy = ("sample", "sample_rate", "embedding", "anchors", "keys")
    return {k: v for k, v in entry.items() if k not in heavy}  # type: ignore[return-value]


def probe_shard(
    band: BandShard,
    entry: ShardEntry,
    keys: Sequence[str],
    config: DedupConfig = DEFAULT,
) -> ShardReport:
    """Add the article to its buckets on this shard, verify the members found there, report matches.

    Buckets hold light members (``Member``); the entry is stored once under ``entry_key``, with
    the article's band keys there (what the sweep needs to empty its buckets). Pairs
    match only within ``retention_days`` of publication time. A member is dropped once the bucket's
    clock (its newest ``seen``) is more than that window past the member's own ``seen``, the later
    of its publication and its arrival: in a live stream that is publication time; in a replay of
    an archive, shuffled or not, members stay while the replay runs, so old news still meets its
    reprints. The answer never depends on the wall clock. A full bucket keeps the latest published.
    Same-language members found only in embedding bands are not even looked up: only a
    cross-lingual test could pass them.
    """
    window = config.retention_seconds
    state, shard = band.table, band.shard
    article_id, ts, seen, language = entry["id"], entry["ts"], entry["seen"], entry["language"]
    state[entry_key(shard, article_id)] = {**entry, "keys": list(keys)}
    band.expiry.add(article_id, seen)
    me = list(Member(article_id, ts, math.ceil(seen), language))  # whole seconds are plenty to expire by
    found: dict[str, _Hit] = {}
    sizes = []
    # exact and shingle bands first, so a same-language member of an embedding bucket is only
    # counted when another band already made it a candidate
    for key in sorted(keys, key=lambda k: k[0] == "e"):
        bucket = state.get(key)
        members: list[list[Any]] = []
        newest = oldest = seen
        if bucket:  # members are sorted by (ts, id), so the window is a slice
            newest, oldest = max(bucket["newest"], seen), min(bucket["oldest"], seen)
            horizon = newest - window
            members = bucket["members"]
            if oldest < horizon:  # a member left the window
                members = [raw for raw in members if Member._make(raw).seen >= horizon]
                oldest = min((Member._make(raw).seen for raw in members), default=seen)
            else:
                members = members.copy()
            kind, cross_only = key[0], key[0] == "e"
            start = bisect.bisect_left(members, ts - window, key=_member_ts)
            end = bisect.bisect_right(members, ts + window, key=_member_ts)
            for raw in itertools.islice(members, start, end):
                member = Member._make(raw)
                hit = found.get(member.id)
                if hit is not None:
                    hit.bands += 1
                    hit.kinds.add(kind)
                elif member.id != article_id and not (
                    cross_only and not crosslingual_pair(language, member.language)
                ):
                    found[member.id] = _Hit(bands=1, kinds={kind})
        at = bisect.bisect_left(members, (ts, article_id), key=_member_order)
        if at == len(members) or Member._make(members[at]).id != article_id:  # not a redelivery
            members.insert(at, me)
        if len(members) > config.bucket_cap:  # keep the latest published
            del members[: len(members) - config.bucket_cap]
        state[key] = {"newest": newest, "oldest": min(oldest, seen), "members": members}
        sizes.append(len(members))
    matched: list[tuple[ShardEntry, str, float, int]] = []  # candidate, method, similarity, bands
    for cid, hit in found.items():
        candidate = state.get(entry_key(shard, cid))
        if candidate is None:  # swept
            continue
        result = match(entry, candidate, config, hit.kinds)
        if result:
            method, similarity = result
            matched.append((candidate, method, similarity, hit.bands))
    verified: list[Verified] = []
    if matched:
        first = min((candidate for candidate, _, _, _ in matched), key=publication_order)
        for candidate, method, similarity, bands in matched:
            verified.append(
                {
                    "id": candidate["id"],
                    "published_at": candidate["published_at"],
                    "received_at": candidate["received_at"],
                    "ts": candidate["ts"],
                    "method": method,
                    "similarity": similarity,
                    "bands": bands,
                    "matches_first": candidate is not first and match(candidate, first, config) is not None,
                }
            )
    return {
        "shard": shard,
        "article": _light(entry),
        "verified": verified,
        "candidates": len(found),
        "bucket_sizes": sizes,
    }


def expire(band: BandShard, now_ts: float, config: DedupConfig = DEFAULT) -> int:
    """Periodic sweep for entries nobody probes any more, and their members; returns how many articles.

    Only the articles the time index says are past the window are looked at, so the work follows
    what expires, not what the shard holds.
    """
    horizon = now_ts - config.retention_seconds
    state = band.table
    expired: set[str] = set()
    touched: set[str] = set()
    for article_id in band.expiry.due(horizon):
        key = entry_key(band.shard, article_id)
        entry = state.get(key)
        if not entry or entry["seen"] >= horizon:  # gone already, or stored again since
            continue
        expired.add(article_id)
        touched.update(entry["keys"])
        del state[key]
    for band_key in touched:
        bucket = state.get(band_key)
        if not bucket or bucket["oldest"] >= horizon + 1:  # holds no expired member (``seen`` rounds up)
            continue
        kept = [raw for raw in bucket["members"] if Member._make(raw).id not in expired]
        if not kept:
            del state[band_key]
        elif len(kept) != len(bucket["members"]):
            oldest = min(Member._make(raw).seen for raw in kept)
            state[band_key] = {"newest": bucket["newest"], "oldest": oldest, "members": kept}
    return len(expired)
