"""Term partitions: the stories each term occurs in, probed by new articles and updated as stories grow.

The score of an article against a story is a weighted term cosine plus an embedding cosine. The term
dot product is a sum over terms, so every partition computes its share over the terms it owns (crc32
of the term, as dedup's band keys) and the verdict adds the shares up: no partition sees every article,
and a story's term vector lives only in the buckets of its terms. Each partition keeps a copy of the
story's centroid and norm, refreshed by every update the story sends it. State is bounded: a bucket
keeps ``bucket_cap`` stories, and stories leave through a time index once their window has passed.

Only two kinds of rows are written (so changelogged): a story's entry and each stored article's terms,
one row each per partition and article. The buckets, document frequencies and time index are derived
from them in memory, as dedup's buckets are: rewriting a bucket row for each term of each article cost
~47 changelog records an article (docs/performance.md).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

from streams.stages.dedup.expiry import TimeIndex
from streams.stages.dedup.shards import band_partition
from streams.stages.stories.features import DEFAULT, StoryConfig, unit_vector


class ShardReport(TypedDict):
    shard: int
    weights: dict[str, float]  # the article's term weights (tf × idf) on this shard
    dots: dict[str, float]  # story id → share of the term dot product
    stories: dict[str, list[float]]  # story id → [embedding cosine, story norm, story articles]
    #: articles probed here before this one, sharing a term with it, whose terms are not stored yet:
    #: id → [share of the term dot product, its squared term norm here, lead cosine]
    before: NotRequired[dict[str, list[float]]]


class ShardUpdate(TypedDict):
    story_id: str
    article_id: str  # the article the terms are of: it is no longer in flight once they are stored
    terms: dict[str, float]  # the article's unit-vector weights on this shard
    centroid: str  # base64 int8, the story's lead centroid
    norm: float  # the story's term-vector norm
    articles: int
    last: float  # the story's latest publication time


def shard_of_term(term: str, partitions: int) -> int:
    return band_partition(term, partitions)


def shard_terms(terms: Mapping[str, int], partitions: int) -> dict[int, dict[str, int]]:
    """The article's terms grouped by owning partition: one probe message per group."""
    by_shard: dict[int, dict[str, int]] = defaultdict(dict)
    for term, count in terms.items():
        by_shard[shard_of_term(term, partitions)][term] = count
    return dict(by_shard)


def entry_key(shard: int, story_id: str) -> str:
    return f"s{shard}:{story_id}"


def terms_key(shard: int, article_id: str) -> str:
    return f"a{shard}:{article_id}"


@dataclass
class TermShard:
    """One term partition's state: its rows in ``table``, and in memory what is derived from them."""

    table: MutableMapping[str, Any]
    shard: int
    articles: int = 0  # articles stored here: the idf's count of documents
    df: dict[str, int] = field(default_factory=dict)  # term → articles stored with it
    #: term → story id → [the story's summed unit weights of the term, its latest publication time]
    buckets: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # story id → its articles' term rows
    expiry: TimeIndex = field(default_factory=TimeIndex)  # story ids by latest publication time

    def add(self, key: str, row: Mapping[str, Any], config: StoryConfig) -> None:
        """What one article's term row adds: a bucket over ``bucket_cap`` keeps its latest-updated stories."""
        story_id, last = row["story"], row["last"]
        self.articles += 1
        self.members.setdefault(story_id, []).append(key)
        self.expiry.add(story_id, last)
        for term, value in row["terms"].items():
            self.df[term] = self.df.get(term, 0) + 1
            bucket = self.buckets.setdefault(term, {})
            old = bucket.get(story_id)
            bucket[story_id] = [(old[0] if old else 0.0) + value, last]
            if len(bucket) > config.bucket_cap:
                del bucket[min(bucket, key=lambda sid: (bucket[sid][1], sid))]


def recover_shards(
    table: MutableMapping[str, Any], partitions: int, config: StoryConfig = DEFAULT
) -> dict[int, TermShard]:
    """The term partitions whose rows ``table`` holds, with what is derived rebuilt from them in one pass.

    Rows are applied in publication order (arrival order is not kept), and the counts start from the
    rows still in the window: a rebuilt partition may differ from the one before a restart where a full
    bucket dropped a story or a story expired, never elsewhere.
    """
    shards: dict[int, TermShard] = {}
    rows = sorted(
        ((row["last"], key, row) for key, row in table.items() if row and key[0] == "a"),
        key=lambda item: (item[0], item[1]),
    )
    for _, key, row in rows:
        shard = int(key[1:].split(":", 1)[0])
        (shards.get(shard) or shards.setdefault(shard, TermShard(table, shard))).add(key, row, config)
    for shard in range(partitions):
        shards.setdefault(shard, TermShard(table, shard))
    return shards


def probe(
    state: TermShard,
    terms: Mapping[str, int],
    embedding: str,
    ts: float,
    config: StoryConfig = DEFAULT,
) -> ShardReport:
    """Score the article's terms on this shard against the stories in their buckets (reads only)."""
    vector = unit_vector(embedding)
    weights: dict[str, float] = {}
    dots: dict[str, float] = defaultdict(float)
    for term, count in terms.items():
        df = state.df.get(term, 0)
        # smoothed idf: a term every article so far shares still counts (else two first reports never meet)
        idf = 1 + math.log((state.articles + 1) / (df + 1))
        weight = config.weight(term[0]) * (1 + math.log(count)) * idf
        weights[term] = weight
        for story_id, (value, last) in state.buckets.get(term, {}).items():
            if abs(ts - last) <= config.window_seconds:
                dots[story_id] += weight * value
    stories: dict[str, list[float]] = {}
    for story_id in dots:
        entry = state.table.get(entry_key(state.shard, story_id))
        if entry is None:
            continue
        centroid = unit_vector(entry["centroid"])
        cosine = float(centroid @ vector) if len(centroid) and len(vector) else 0.0
        stories[story_id] = [cosine, entry["norm"], entry["articles"]]
    return {
        "shard": state.shard,
        "weights": weights,
        "dots": {story_id: dots[story_id] for story_id in stories},
        "stories": stories,
    }


@dataclass
class InFlight:
    """The articles probed on a worker's term partitions whose terms are not stored yet, in memory.

    Listing and unlisting an article on each of its terms in the table wrote ~90 changelog records per
    article, over half of all the messages the pipeline sent (docs/performance.md). The list only tells an
    article which earlier ones to wait for, so after a restart or a rebalance it starts empty: an article
    in flight then is not waited for and may found a story of its own. A term's list is a dict in probe
    order, so that landing an article is one delete per term: as lists copied without it, a sweep that
    unlisted thousands held the event loop for minutes (docs/performance.md).
    """

    #: (shard, term) → article id → (publication time, its term weight), in probe order
    terms: dict[tuple[int, str], dict[str, tuple[float, float]]] = field(default_factory=dict)
    #: (shard, article id) → its squared term norm there, lead embedding, publication time, listed terms
    articles: dict[tuple[int, str], tuple[float, str, float, list[str]]] = field(default_factory=dict)
    #: article id → the partitions it is listed on: ``len`` is the articles in flight (admission control)
    listed: dict[str, int] = field(default_factory=dict)
    landed: int = 0  # a running count of listings landed: the progress admission control's stall rule watches

    def forget(self, *_args: Any, **_kwargs: Any) -> None:
        """Connected to the app's rebalance signals: a partition may have changed hands."""
        self.terms.clear()
        self.articles.clear()
        self.listed.clear()

    def land(self, shard: int, article_id: str) -> None:
        """The article's terms are stored on ``shard`` (or never will be): it is no longer in flight there."""
        listed = self.articles.pop((shard, article_id), None)
        if listed is None:
            return
        self.landed += 1
        for term in listed[3]:
            entries = self.terms.get((shard, term))
            if entries is not None:
                entries.pop(article_id, None)
                if not entries:
                    del self.terms[shard, term]
        left = self.listed.pop(article_id, 1) - 1
        if left:
            self.listed[article_id] = left

    def expire(self, shard: int, cutoff: float) -> None:
        """Unlist articles published before ``cutoff`` whose terms never came (a lost message)."""
        for key in [key for key, listed in self.articles.items() if key[0] == shard and listed[2] < cutoff]:
            self.land(*key)


def register(
    flights: InFlight,
    shard: int,
    article_id: str,
    weights: Mapping[str, float],
    embedding: str,
    ts: float,
    config: StoryConfig = DEFAULT,
    first: bool = True,
) -> dict[str, list[float]]:
    """List the article as in flight on its terms here (on its first probe only: a repeated probe keeps its
    place) and return the articles listed before it on any of them, each with [its share of the term dot
    product with this article, its squared term norm on this shard, its lead cosine with this article].
    Their stories reach the buckets only once they are stored, so the verdict waits for those it might
    join (``predecessors``): a burst of one story's articles would otherwise each found a story."""
    shares: dict[str, float] = defaultdict(float)
    listed_terms = []
    window = config.window_seconds
    for term, weight in weights.items():
        if weight <= 0:
            continue
        entries = flights.terms.get((shard, term))
        if entries is None:
            if first:
                flights.terms[shard, term] = {article_id: (ts, weight)}
                listed_terms.append(term)
            continue
        # Up to the article's own place: a repeated probe waits only for those listed before it. A list is
        # never rewritten to this probe's window: an article dropped from it would take later articles for
        # earlier ones on its repeated probe, and three such wait forever. A repeated probe no longer
        # listed (landed, or a restart) waits for no one.
        listed = article_id in entries
        if not (listed or first):
            continue
        for other, (other_ts, other_weight) in entries.items():
            if other == article_id:
                break
            if abs(ts - other_ts) <= window:
                shares[other] += weight * other_weight
        if not listed:
            entries[article_id] = (ts, weight)
            listed_terms.append(term)
    if listed_terms:
        norm2 = sum(w * w for w in weights.values())
        previous = flights.articles.get((shard, article_id))
        if previous is None:
            flights.listed[article_id] = flights.listed.get(article_id, 0) + 1
        flights.articles[shard, article_id] = (
            norm2,
            embedding,
            ts,
            (previous[3] if previous else []) + listed_terms,
        )
    vector = unit_vector(embedding)
    before: dict[str, list[float]] = {}
    for other, dot in shares.items():
        norm2, lead_embedding, _, _ = flights.articles.get((shard, other)) or (0.0, "", 0.0, [])
        lead = unit_vector(lead_embedding)
        cosine = float(lead @ vector) if len(lead) and len(vector) else 0.0
        before[other] = [dot, norm2, cosine]
    return before


def predecessors(
    reports: list[ShardReport], waited: Sequence[str] = (), config: StoryConfig = DEFAULT
) -> list[str]:
    """The articles in flight before this one that it might join, but those it has waited for already: an
    upper bound of its score against each (the other's norm counts only the shards this article has terms
    on, so it is at most the whole) reaches the join threshold and beats the best story stored already.
    In a steady feed most articles join a stored story, and waiting for every related article in flight
    cost a fifth of the worker's CPU and doubled the event latency's p99 (docs/stories.md)."""
    _, best, _ = choose(reports, config)
    floor = max(config.join_threshold, best)
    norm = math.sqrt(sum(w * w for report in reports for w in report["weights"].values()))
    dots: dict[str, float] = defaultdict(float)
    norms2: dict[str, float] = defaultdict(float)
    cosines: dict[str, float] = {}
    for report in reports:
        for other, (dot, norm2, cosine) in report.get("before", {}).items():
            dots[other] += dot
            norms2[other] += norm2
            cosines[other] = cosine
    might = []
    for other, dot in dots.items():
        term_cosine = dot / (norm * math.sqrt(norms2[other])) if norm and norms2[other] else 0.0
        bound = config.embedding_weight * cosines[other] + (1 - config.embedding_weight) * term_cosine
        if bound >= floor and other not in waited:
            might.append(other)
    return sorted(might)


def choose(
    reports: list[ShardReport], config: StoryConfig = DEFAULT, prefer: str | None = None
) -> tuple[str | None, float, float]:
    """(best story or None, its score, its term dot with the article's unit vector) from all shards.

    ``prefer`` is a story the article belongs to whatever it scores: one that a copy of it (a reprint dedup
    linked to it, which arrived and joined first) is in."""
    norm = math.sqrt(sum(w * w for report in reports for w in report["weights"].values()))
    dots: dict[str, float] = defaultdict(float)
    seen: dict[str, list[float]] = {}
    for report in reports:
        for story_id, dot in report["dots"].items():
            dots[story_id] += dot
        for story_id, stats in report["stories"].items():
            if story_id not in seen or stats[2] > seen[story_id][2]:  # the freshest copy
                seen[story_id] = stats
    if prefer is not None:
        return prefer, 0.0, dots[prefer] / norm if norm else 0.0
    scored = []
    for story_id, (cosine, story_norm, _) in seen.items():
        dot = dots[story_id] / norm if norm else 0.0
        term_cosine = dot / story_norm if story_norm else 0.0
        score = config.embedding_weight * cosine + (1 - config.embedding_weight) * term_cosine
        if score >= config.join_threshold:
            scored.append((-score, story_id, dot))
    if not scored:
        return None, 0.0, 0.0
    negative, story_id, dot = min(scored)  # the best score; on a tie the smaller id
    return story_id, -negative, dot


def unit_weights(reports: list[ShardReport]) -> dict[int, dict[str, float]]:
    """The article's term vector scaled to unit length, by shard: what the story adds to its buckets."""
    norm = math.sqrt(sum(w * w for report in reports for w in report["weights"].values()))
    return {
        report["shard"]: {t: w / norm for t, w in report["weights"].items() if w > 0} if norm else {}
        for report in reports
    }


def store(state: TermShard, update: ShardUpdate, config: StoryConfig = DEFAULT) -> None:
    """Add the article's terms to the story's buckets here and refresh the story's entry: two rows."""
    story_id, last = update["story_id"], update["last"]
    key = terms_key(state.shard, update["article_id"])
    if key in state.table:  # a redelivered update
        return
    row = {"story": story_id, "terms": update["terms"], "last": last}
    state.table[key] = row
    state.table[entry_key(state.shard, story_id)] = {
        "centroid": update["centroid"],
        "norm": update["norm"],
        "articles": update["articles"],
        "last": last,
    }
    state.add(key, row, config)


def expire(state: TermShard, now_ts: float, config: StoryConfig = DEFAULT) -> int:
    """Drop this shard's stories past their window, found through the time index; returns how many."""
    cutoff = now_ts - config.window_seconds
    dropped = 0
    for story_id in state.expiry.due(cutoff):
        key = entry_key(state.shard, story_id)
        entry = state.table.get(key)
        if entry is None or entry["last"] >= cutoff:
            continue
        del state.table[key]
        dropped += 1
        for row_key in state.members.pop(story_id, []):
            row = state.table.pop(row_key, None) or {"terms": {}}
            for term in row["terms"]:
                bucket = state.buckets.get(term)
                if bucket is not None:
                    bucket.pop(story_id, None)
                    if not bucket:
                        del state.buckets[term]
                        state.df.pop(term, None)
    return dropped
