"""Term partitions: the stories each term occurs in, probed by new articles and updated as stories grow.

The score of an article against a story is a weighted term cosine plus an embedding cosine. The term
dot product is a sum over terms, so every partition computes its share over the terms it owns (crc32
of the term, as dedup's band keys) and the verdict adds the shares up: no partition sees every article,
and a story's term vector lives only in the buckets of its terms. Each partition keeps a copy of the
story's centroid and norm, refreshed by every update the story sends it. State is bounded: a bucket
keeps ``bucket_cap`` stories, and stories leave through an hour index once their window has passed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, NotRequired, TypedDict

from streams.stages.dedup.shards import band_partition
from streams.stages.stories.expiry import due, remember
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


def flight_key(shard: int, term: str) -> str:
    return f"f{shard}:{term}"


def shard_of(key: str, partitions: int) -> int:
    """The partition that owns a key of the term state (a bucket, a story entry, a counter, an index, the
    articles in flight on a term)."""
    if key[0] in "schf" and key[1].isdigit():
        return int(key[1:].split(":", 1)[0])
    return shard_of_term(key, partitions)


def probe(
    state: Mapping[str, Any],
    shard: int,
    terms: Mapping[str, int],
    embedding: str,
    ts: float,
    config: StoryConfig = DEFAULT,
) -> ShardReport:
    """Score the article's terms on this shard against the stories in their buckets (reads only)."""
    articles = state.get(f"c{shard}") or 0
    vector = unit_vector(embedding)
    weights: dict[str, float] = {}
    dots: dict[str, float] = defaultdict(float)
    for term, count in terms.items():
        bucket = state.get(term)
        df = bucket["df"] if bucket else 0
        # smoothed idf: a term every article so far shares still counts (else two first reports never meet)
        weight = config.weight(term[0]) * (1 + math.log(count)) * (1 + math.log((articles + 1) / (df + 1)))
        weights[term] = weight
        if bucket:
            for story_id, (value, last) in bucket["stories"].items():
                if abs(ts - last) <= config.window_seconds:
                    dots[story_id] += weight * value
    stories: dict[str, list[float]] = {}
    for story_id in dots:
        entry = state.get(entry_key(shard, story_id))
        if entry is None:
            continue
        centroid = unit_vector(entry["centroid"])
        cosine = float(centroid @ vector) if len(centroid) and len(vector) else 0.0
        stories[story_id] = [cosine, entry["norm"], entry["articles"]]
    return {
        "shard": shard,
        "weights": weights,
        "dots": {story_id: dots[story_id] for story_id in stories},
        "stories": stories,
    }


def register(
    state: MutableMapping[str, Any],
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
    added = False
    for term, weight in weights.items():
        if weight <= 0:
            continue
        key = flight_key(shard, term)
        listed = state.get(key) or []
        flight = [entry for entry in listed if abs(ts - entry[1]) <= config.window_seconds]
        ids = [entry[0] for entry in flight]
        earlier = flight[: ids.index(article_id)] if article_id in ids else flight
        for other, _, other_weight in earlier:
            shares[other] += weight * other_weight
        if first and article_id not in ids:
            flight.append([article_id, ts, weight])
            added = True
        if flight != listed:
            if flight:
                state[key] = flight
            else:
                del state[key]
    if added:
        norm2 = sum(w * w for w in weights.values())
        state[flight_key(shard, f"~{article_id}")] = {"norm2": norm2, "embedding": embedding}
    vector = unit_vector(embedding)
    before: dict[str, list[float]] = {}
    for other, dot in shares.items():
        entry = state.get(flight_key(shard, f"~{other}")) or {"norm2": 0.0, "embedding": ""}
        lead = unit_vector(entry["embedding"])
        cosine = float(lead @ vector) if len(lead) and len(vector) else 0.0
        before[other] = [dot, entry["norm2"], cosine]
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


def store(
    state: MutableMapping[str, Any], shard: int, update: ShardUpdate, config: StoryConfig = DEFAULT
) -> None:
    """Add the article's terms to the story's buckets on this shard and refresh the story's entry."""
    story_id, last = update["story_id"], update["last"]
    counter = f"c{shard}"
    state[counter] = (state.get(counter) or 0) + 1
    state.pop(flight_key(shard, f"~{update['article_id']}"), None)
    for term, value in update["terms"].items():
        flight = state.get(flight_key(shard, term))
        if flight is not None:
            rest = [entry for entry in flight if entry[0] != update["article_id"]]
            if not rest:
                del state[flight_key(shard, term)]
            elif len(rest) < len(flight):
                state[flight_key(shard, term)] = rest
        bucket = state.get(term) or {"df": 0, "stories": {}}
        stories = dict(bucket["stories"])
        old = stories.get(story_id)
        stories[story_id] = [(old[0] if old else 0.0) + value, last]
        if len(stories) > config.bucket_cap:  # keep the most recently updated
            del stories[min(stories, key=lambda sid: (stories[sid][1], sid))]
        state[term] = {"df": bucket["df"] + 1, "stories": stories}
    key = entry_key(shard, story_id)
    entry = state.get(key)
    keys = sorted(set(entry["keys"] if entry else ()) | set(update["terms"]))
    state[key] = {
        "centroid": update["centroid"],
        "norm": update["norm"],
        "articles": update["articles"],
        "last": last,
        "keys": keys,
    }
    remember(state, shard, story_id, last, config.slot_seconds)


def expire(state: MutableMapping[str, Any], shard: int, now_ts: float, config: StoryConfig = DEFAULT) -> int:
    """Drop this shard's stories past their window via the time index (no scan); returns how many.

    Each bucket is rewritten once, however many of its stories go: a sweep that drops many stories
    otherwise wrote a bucket (and its changelog message) once per story it held."""
    cutoff = now_ts - config.window_seconds
    gone: dict[str, set[str]] = {}
    dropped = 0
    for story_id in dict.fromkeys(due(state, shard, cutoff, config.slot_seconds)):
        key = entry_key(shard, story_id)
        entry = state.get(key)
        if entry is None or entry["last"] >= cutoff:
            continue
        for term in entry["keys"]:
            gone.setdefault(term, set()).add(story_id)
        del state[key]
        dropped += 1
    for term, story_ids in gone.items():
        bucket = state.get(term)
        if not bucket or story_ids.isdisjoint(bucket["stories"]):
            continue
        stories = {sid: v for sid, v in bucket["stories"].items() if sid not in story_ids}
        if stories:
            state[term] = {"df": bucket["df"], "stories": stories}
        else:
            del state[term]
    return dropped
