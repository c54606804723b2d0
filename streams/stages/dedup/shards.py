"""Band partitions: where an article's band keys live, and the probe each owning partition runs.

State is sharded by band key so that no partition needs to see every article: a bucket holds only
light members and an article's verification data is stored once per band partition, so buckets
stay small and candidates are verified where they are found. Only the entries are table rows; the
buckets are derived from them, so a probe writes one row. Why these sizes: docs/dedup.md.
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
    """A bucket member: just enough to find candidates in a time window and expire them."""

    id: str
    ts: float  # publication time: what pairs are matched by
    seen: int  # ``ShardEntry.seen`` rounded up to whole seconds: what the member expires by
    language: str


def _member_ts(member: Member) -> float:
    return member.ts


def _member_order(member: Member) -> tuple[float, str]:
    """Buckets are sorted by this, so a time window is a slice."""
    return (member.ts, member.id)


@dataclass(slots=True)
class Bucket:
    """The members of one band key, sorted by ``_member_order``; ``newest`` is the bucket's clock."""

    newest: float
    oldest: float
    members: list[Member]


@dataclass(slots=True)
class _Hit:
    """A candidate found in the article's buckets: how many of them held it, by which band kinds."""

    bands: int
    kinds: set[str]


@dataclass
class BandShard:
    """One band partition's state: its entry rows in ``table``, and in memory what is derived from them.

    An entry row is all a probe writes (one changelog record per article and band partition); the
    buckets and the time index are rebuilt from the rows in one pass after a restart or a rebalance
    (``recover_shards``), so they need no changelog of their own, and a sweep never lists the table.
    """

    table: MutableMapping[str, Any]
    shard: int
    buckets: dict[str, Bucket] = field(default_factory=dict)
    expiry: TimeIndex = field(default_factory=TimeIndex)  # article ids by ``seen``


def recover_shards(
    table: MutableMapping[str, Any], partitions: int, config: DedupConfig = DEFAULT
) -> dict[int, BandShard]:
    """The band partitions whose entries ``table`` holds, with their buckets and index rebuilt from them.

    A bucket gets what ``probe_shard`` would have left in it: the members within the window of its
    newest, the latest published up to ``bucket_cap``. (Arrival order is not kept, so where a full
    bucket dropped a member that later members' expiry would have made room for, the rebuilt bucket
    has it back: a bucket over ``bucket_cap`` is a burst of one story, where one more member changes
    nothing.)
    """
    shards: dict[int, BandShard] = {}
    for key, entry in table.items():
        if not entry or not key.startswith("s"):
            continue
        shard = shard_of(key, partitions)
        band = shards.get(shard) or shards.setdefault(shard, BandShard(table, shard))
        band.expiry.add(entry["id"], entry["seen"])
        member = Member(entry["id"], entry["ts"], math.ceil(entry["seen"]), entry["language"])
        for band_key in entry.get("keys", ()):  # rows written before keys were stored have none
            bucket = band.buckets.get(band_key)
            if bucket is None:
                band.buckets[band_key] = Bucket(entry["seen"], entry["seen"], [member])
            else:
                bucket.newest = max(bucket.newest, entry["seen"])
                bucket.members.append(member)
    for band in shards.values():
        for bucket in band.buckets.values():
            if len(bucket.members) == 1:  # most buckets: one article's own shingle minima
                bucket.oldest = bucket.newest  # that article's ``seen``, as the probe left it
                continue
            horizon = bucket.newest - config.retention_seconds
            kept = sorted((m for m in bucket.members if m.seen >= horizon), key=_member_order)
            bucket.members = kept[-config.bucket_cap :]
            bucket.oldest = min((m.seen for m in bucket.members), default=bucket.newest)
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

    The entry is stored once under ``entry_key``, with the article's band keys there: the one table
    write of a probe, and what a recovery rebuilds the in-memory buckets of light members from. Pairs
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
    me = Member(article_id, ts, math.ceil(seen), language)  # whole seconds are plenty to expire by
    found: dict[str, _Hit] = {}
    sizes = []
    # exact and shingle bands first, so a same-language member of an embedding bucket is only
    # counted when another band already made it a candidate
    for key in sorted(keys, key=lambda k: k[0] == "e"):
        bucket = band.buckets.get(key)
        if bucket is None:
            bucket = band.buckets[key] = Bucket(seen, seen, [])
        else:  # members are sorted by (ts, id), so the window is a slice
            bucket.newest, bucket.oldest = max(bucket.newest, seen), min(bucket.oldest, seen)
            horizon = bucket.newest - window
            if bucket.oldest < horizon:  # a member left the window
                bucket.members = [member for member in bucket.members if member.seen >= horizon]
                bucket.oldest = min((member.seen for member in bucket.members), default=seen)
            kind, cross_only = key[0], key[0] == "e"
            start = bisect.bisect_left(bucket.members, ts - window, key=_member_ts)
            end = bisect.bisect_right(bucket.members, ts + window, key=_member_ts)
            for member in itertools.islice(bucket.members, start, end):
                hit = found.get(member.id)
                if hit is not None:
                    hit.bands += 1
                    hit.kinds.add(kind)
                elif member.id != article_id and not (
                    cross_only and not crosslingual_pair(language, member.language)
                ):
                    found[member.id] = _Hit(bands=1, kinds={kind})
        members = bucket.members
        at = bisect.bisect_left(members, (ts, article_id), key=_member_order)
        if at == len(members) or members[at].id != article_id:  # not a redelivery
            members.insert(at, me)
        if len(members) > config.bucket_cap:  # keep the latest published
            del members[: len(members) - config.bucket_cap]
        bucket.oldest = min(bucket.oldest, seen)
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
        touched.update(entry.get("keys", ()))
        del state[key]
    for band_key in touched:
        bucket = band.buckets.get(band_key)
        if bucket is None or bucket.oldest >= horizon + 1:  # holds no expired member (``seen`` rounds up)
            continue
        kept = [member for member in bucket.members if member.id not in expired]
        if not kept:
            del band.buckets[band_key]
        elif len(kept) != len(bucket.members):
            bucket.members, bucket.oldest = kept, min(member.seen for member in kept)
    return len(expired)
