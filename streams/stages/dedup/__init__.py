"""Reprint detection: exact copies, near-duplicates and translations, linked to the earliest published.

A stream cannot afford to compare every article with every other, nor one partition that sees them
all, so the stage is a chain of steps over sharded state: ``signatures`` per article, ``probe_shard``
on each partition owning some of its band keys, ``decide`` on the partition owning its id. The
workers run those steps as agents over Faust tables; ``dedup_batch`` runs the same steps, in the same
order, over one dict (eval, bench, tests), so what is measured is what runs.

The measured rationale for the keys, thresholds and state layout: docs/dedup.md.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.contracts import CleanArticle, DuplicateLink
from streams.stages.dedup.expiry import TimeIndex
from streams.stages.dedup.shards import (
    BandShard,
    Member,
    band_partition,
    expire,
    probe_shard,
    recover_shards,
    shard_entry,
    shard_keys,
    shard_of,
)
from streams.stages.dedup.signatures import DEFAULT, DedupConfig, ShardEntry, Signature, signatures
from streams.stages.dedup.verdicts import (
    ShardReport,
    Verified,
    containment,
    decide,
    expire_pending,
    match,
)

__all__ = [
    "DEFAULT",
    "BandShard",
    "DedupConfig",
    "DedupOutput",
    "Member",
    "ShardEntry",
    "ShardReport",
    "Signature",
    "TimeIndex",
    "Verified",
    "band_partition",
    "containment",
    "decide",
    "dedup_batch",
    "expire",
    "expire_pending",
    "match",
    "probe_shard",
    "recover_shards",
    "shard_entry",
    "shard_keys",
    "shard_of",
    "signatures",
    "with_lead_embedding",
]


def with_lead_embedding(article: CleanArticle, sig: Signature) -> CleanArticle:
    """The article as ``articles.unique`` carries it: with the lead embedding the signature computed, so
    the story stage reuses it instead of running the encoder again."""
    return {**article, "lead_embedding": sig["entry"]["embedding"]}


@dataclass
class DedupOutput:
    unique: list[CleanArticle] = field(default_factory=list)
    duplicates: list[DuplicateLink] = field(default_factory=list)


def dedup_batch(
    state: MutableMapping[str, Any],
    articles: Sequence[CleanArticle],
    config: DedupConfig = DEFAULT,
    partitions: int = 1,
) -> list[DedupOutput]:
    """In-memory driver: the shard steps in the order the agents run them, over one dict.

    Signatures are computed for the whole batch first (as the route agent does), then each
    article goes through its band partitions and its verdict in arrival order. ``state["bands"]``
    holds the band partitions' rows, as their table does, and ``state["shards"]`` their ``BandShard``.
    """
    bands = state.setdefault("bands", {})
    shards: dict[int, BandShard] = state.setdefault("shards", {})
    verdicts = state.setdefault("verdicts", {})
    outputs = []
    for article, sig in zip(articles, signatures(articles, config), strict=True):
        reports = [
            probe_shard(
                shards.setdefault(shard, BandShard(bands, shard)), shard_entry(sig, keys), keys, config
            )
            for shard, keys in shard_keys(sig, partitions).items()
        ]
        links = decide(verdicts, article["id"], reports, len(reports), config) or []
        out = DedupOutput(duplicates=links)
        if not any(link["id"] == article["id"] for link in links):
            out.unique.append(with_lead_embedding(article, sig))
        outputs.append(out)
    return outputs
