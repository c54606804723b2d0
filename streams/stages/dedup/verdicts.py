"""Verification of a candidate pair, and the verdict step that turns shard reports into links.

Verification needs only the stored entries, never the text, so a band partition can check its own
candidates and report just the matches; the verdict step sees one article's few matches and picks
the canonical by publication, so arrival order cannot change the groups. Thresholds: docs/dedup.md.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from streams.contracts import SCHEMA_VERSION, DuplicateLink
from streams.stages.dedup.signatures import DEFAULT, DedupConfig, ShardEntry

#: Methods by precedence: when shards verify one pair by different band kinds, the first one wins.
METHODS = ("exact", "near", "crosslingual")


class Verified(TypedDict):
    """A candidate that passed verification at a band partition, with what ``decide`` needs."""

    id: str
    published_at: str
    received_at: str
    ts: float
    method: str
    similarity: float
    bands: int  # the article's buckets on this shard that held the candidate
    #: whether it matches the shard's earliest verified candidate (then they are linked already)
    matches_first: bool


class ShardReport(TypedDict):
    shard: int
    article: ShardEntry  # without samples or embedding: what a link and ``expire_pending`` need
    verified: list[Verified]
    candidates: int
    bucket_sizes: list[int]


def crosslingual_pair(a: str, b: str) -> bool:
    """Whether two languages (as ``signatures`` gives them) allow a cross-lingual test."""
    return a != b and "und" not in (a, b)


def publication_order(item: ShardEntry | Verified) -> tuple[float, str]:
    """The canonical of a group is the earliest by this: publication time, then id."""
    return (item["ts"], item["id"])


@functools.lru_cache(maxsize=4096)
def _decoded(sample: str) -> npt.NDArray[np.uint32]:
    """Sorted sample values; cached because a shard verifies one article against many candidates."""
    return np.frombuffer(base64.b64decode(sample), dtype="<u4")


def _sample_values(entry: ShardEntry, rate: int) -> npt.NDArray[np.uint32]:
    values = _decoded(entry["sample"])
    return values[: np.searchsorted(values, (1 << 32) // rate)] if rate > 1 else values


def containment(a: ShardEntry, b: ShardEntry) -> float:
    """Share of the shorter text's shingles found in the other, estimated on the common sample."""
    rate = max(a["sample_rate"], b["sample_rate"])
    sa, sb = _sample_values(a, rate), _sample_values(b, rate)
    if len(sa) > len(sb):
        sa, sb = sb, sa
    if not len(sa):
        return 0.0
    at = np.searchsorted(sb, sa)  # both sorted and distinct: count the shorter's values found in the other
    found = sb[np.minimum(at, len(sb) - 1)] == sa
    return int(np.count_nonzero(found)) / len(sa)


def cosine(a: ShardEntry, b: ShardEntry) -> float:
    va = np.frombuffer(base64.b64decode(a["embedding"]), dtype=np.int8).astype(np.float32)
    vb = np.frombuffer(base64.b64decode(b["embedding"]), dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / norm if norm else 0.0


def anchor_overlap(a: ShardEntry, b: ShardEntry) -> float:
    """Share of the smaller anchor set found in the other; 0 when either lead has none."""
    sa, sb = set(a["anchors"]), set(b["anchors"])
    smaller = min(len(sa), len(sb))
    return len(sa & sb) / smaller if smaller else 0.0


def match(
    a: ShardEntry, b: ShardEntry, config: DedupConfig = DEFAULT, kinds: Iterable[str] = "me"
) -> tuple[str, float] | None:
    """(method, similarity) when ``a`` and ``b`` are reprints, testing only the band ``kinds`` they share."""
    if abs(a["ts"] - b["ts"]) > config.retention_seconds:
        return None
    if a["content_hash"] == b["content_hash"]:
        return "exact", 1.0
    if "m" in kinds and "sample" in a and "sample" in b:
        score = containment(a, b)
        if score >= config.containment_threshold:
            return "near", round(score, 4)
    if (
        "e" in kinds
        and "embedding" in a
        and "embedding" in b
        and crosslingual_pair(a["language"], b["language"])
    ):
        score = cosine(a, b)
        if score >= config.crosslingual_strong or (
            score >= config.crosslingual_threshold and anchor_overlap(a, b) >= config.anchor_threshold
        ):
            return "crosslingual", round(score, 4)
    return None


def _link(
    member: ShardEntry | Verified,
    canonical: ShardEntry | Verified,
    method: str,
    similarity: float,
    bands: int,
) -> DuplicateLink:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": member["id"],
        "canonical_id": canonical["id"],
        "method": method,
        "similarity": similarity,
        "matched_band_count": bands,
        "published_at": member["published_at"],
        "received_at": member["received_at"],
    }


def _merge(reports: Iterable[ShardReport]) -> dict[str, Verified]:
    """Verified candidates by id over all shards: the best method wins, bands add up."""
    merged: dict[str, Verified] = {}
    for report in reports:
        for found in report["verified"]:
            known = merged.get(found["id"])
            if known is None:
                merged[found["id"]] = dict(found)  # type: ignore[assignment]
                continue
            bands = known["bands"] + found["bands"]
            if METHODS.index(found["method"]) < METHODS.index(known["method"]):
                known = merged[found["id"]] = dict(found)  # type: ignore[assignment]
            known["bands"] = bands
    return merged


def decide(
    verdict_state: MutableMapping[str, Any],
    article_id: str,
    reports: list[ShardReport],
    expected_reports: int,
    config: DedupConfig = DEFAULT,
) -> list[DuplicateLink] | None:
    """Collect the shard reports for one article; once all arrived, return the links it causes.

    The group of the article is itself plus its verified candidates; its canonical is the earliest
    by (published_at, id). The article links to it when it is not the canonical itself. A candidate
    links to it too unless a shard holding both saw that they match each other (both arrived before
    this article, so the later of them already linked them); this re-link is how an
    earlier-published article that arrives late takes over as canonical, and how two groups bridged
    by this article are joined. The links thus form the same connected components whatever the
    arrival order. ``verdict_state`` only holds articles still waiting for reports; see
    ``expire_pending`` for ones that never complete.
    """
    pending: dict[str, ShardReport] = dict(verdict_state.get(article_id) or {})
    for report in reports:
        pending[str(report["shard"])] = report
    if len(pending) < expected_reports:
        verdict_state[article_id] = pending
        return None
    verdict_state.pop(article_id, None)
    reports_in = list(pending.values())
    verified = _merge(reports_in)
    if not verified:
        return []
    article = reports_in[0]["article"]
    candidates: list[ShardEntry | Verified] = [article, *verified.values()]
    canonical = min(candidates, key=publication_order)
    linked: set[str] = set()
    for report in reports_in:
        if report["verified"] and min(report["verified"], key=publication_order)["id"] == canonical["id"]:
            linked.update(found["id"] for found in report["verified"] if found["matches_first"])
    links = []
    if canonical["id"] != article_id:
        found = verified[canonical["id"]]
        links.append(_link(article, canonical, found["method"], found["similarity"], found["bands"]))
    for cid, found in sorted(verified.items()):
        if cid == canonical["id"] or (canonical["id"] != article_id and cid in linked):
            continue
        link = _link(found, canonical, found["method"], found["similarity"], found["bands"])
        link["note"] = (
            f"out_of_order: {canonical['id']} was published earlier but arrived later"
            if canonical["id"] == article_id
            else f"joined: {article_id} matched both; canonical is the earliest published"
        )
        links.append(link)
    return links


def expire_pending(
    verdict_state: MutableMapping[str, Any],
    due: Iterable[str],
    now_ts: float,
    config: DedupConfig = DEFAULT,
    sweepable: Callable[[str], bool] | None = None,
) -> int:
    """Drop verdicts still waiting past the retention window (a lost report); returns how many.

    Only the article ids in ``due`` are looked at: those a ``TimeIndex`` of the reports' ``seen``
    says may have expired, so the work follows what expires, not what waits. ``sweepable`` spares
    some of them: an article whose reports are still arriving.
    """
    horizon = now_ts - config.retention_seconds
    dead = [
        key
        for key in due
        if (pending := verdict_state.get(key)) is not None
        and (sweepable is None or sweepable(key))
        and all(report["article"]["seen"] < horizon for report in pending.values())
    ]
    for key in dead:
        del verdict_state[key]
    return len(dead)
