"""A story's own state, kept on the partition that owns its id: counts, the story record, and the events
of its articles aggregated across them.

One partition writes each story, so its counts are exact and its record can be re-published as it grows;
records are rate-limited per story by the arrival times of its articles (``publish_interval``), so a
reprint storm changes the counts but not the rate of records. Times come from the articles, never from
the wall clock, so a replay gives the same records.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Iterable, MutableMapping
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from streams.contracts import SCHEMA_VERSION, Event, StoryArticle, StoryRecord, parse_rfc3339
from streams.stages.stories.features import (
    DEFAULT,
    Features,
    StoryConfig,
    encode_vector,
    unit_vector,
)
from streams.stages.stories.parts import Member, divide, keep
from streams.stages.stories.shards import ShardUpdate

_DIM = 512
_HOUR = 3600.0


def story_id(founder: str) -> str:
    """Deterministic: derived from the founding article's id alone."""
    return "s-" + hashlib.sha256(founder.encode()).hexdigest()[:16]


def _centroid(state: dict[str, Any]) -> npt.NDArray[np.float32]:
    raw = state.get("centroid")
    return np.frombuffer(base64.b64decode(raw), dtype="<f4").copy() if raw else np.zeros(_DIM, np.float32)


def new_story(story: str) -> dict[str, Any]:
    """An empty story under its id (``story_id`` of the founder, or the id a term partition still knows)."""
    return {
        "story_id": story,
        "headline": None,
        "first_seen": None,
        "last_seen": None,
        "last_ts": 0.0,
        "centroid": "",
        "norm2": 0.0,
        "num_articles": 0,
        "num_mentions": 0,
        "sources": {},
        "languages": {},
        "countries": {},
        "places": {},
        "event_types": {},
        "events": [],
        "articles": [],
        "members": [],
        "parts": {},
        "recent": [],
        "published": None,
        "dirty": False,
    }


def _count(counts: dict[str, int], keys: Iterable[str | None]) -> dict[str, int]:
    out = Counter(counts)
    out.update(key for key in keys if key)
    return dict(out)


def _seen(state: dict[str, Any], when: str) -> float:
    state["first_seen"] = min(filter(None, [state["first_seen"], when]), key=parse_rfc3339)
    state["last_seen"] = max(filter(None, [state["last_seen"], when]), key=parse_rfc3339)
    return parse_rfc3339(when).timestamp()


def join(
    state: dict[str, Any],
    feats: Features,
    dot: float,
    updates_terms: dict[int, dict[str, float]],
    rows: MutableMapping[str, Any],
    config: StoryConfig = DEFAULT,
) -> tuple[StoryRecord | None, list[Event], dict[int, ShardUpdate]]:
    """Add a unique article to the story: (record to publish or None, event records, term-shard updates).

    ``dot`` is the article's unit term vector dotted with the story's (0 for the founder), so the
    story's norm grows exactly without keeping its vector here. ``rows`` holds what the story writes once
    and reads back: the first report of each of its events (``event_key``) and the unit term weights and
    lead of each article kept for the division (``member_key``). The state keeps only their ids and
    counts, so rewriting it as the story grows does not copy them each time.
    """
    article = feats.article
    state["norm2"] = (
        state["norm2"] + 2 * dot + sum(w * w for terms in updates_terms.values() for w in terms.values())
    )
    vector = unit_vector(feats.embedding)
    centroid = _centroid(state)
    if len(vector):
        centroid = centroid + vector
        state["centroid"] = base64.b64encode(centroid.astype("<f4").tobytes()).decode("ascii")
    state["num_articles"] += 1
    state["num_mentions"] += 1
    state["headline"] = state["headline"] or article["title"]
    state["last_ts"] = max(state["last_ts"], feats.ts)
    state["sources"] = _count(state["sources"], [article["source"]])
    state["languages"] = _count(state["languages"], [article["language"]])
    countries = [p.get("country") for p in feats.places]
    countries += [a.get("country") for e in feats.events for a in e["source_actors"] + e["target_actors"]]
    state["countries"] = _count(state["countries"], countries)
    state["event_types"] = _count(state["event_types"], [e["event_type"] for e in feats.events])
    places = dict(state["places"])
    for place in feats.places:
        if place.get("geonameid") is None or place.get("lat") is None:
            continue
        key = str(place["geonameid"])
        known = places.get(key) or {
            "name": place["name"],
            "country": place.get("country"),
            "lat": place["lat"],
            "lon": place["lon"],
            "count": 0,
        }
        places[key] = {**known, "count": known["count"] + 1}
    state["places"] = places
    state["articles"] = [*state["articles"], dict(article)][-config.record_articles :]
    moment = _seen(state, article["seen"])
    last = parse_rfc3339(state["last_seen"]).timestamp()
    state["recent"] = [item for item in state["recent"] if item[0] >= last - _HOUR] + [
        [moment, article["source"]]
    ]
    events = [_aggregate(state, event, article, rows) for event in feats.events]
    # four decimals: the same divisions on the eval file as full floats, at ~30 % fewer bytes per article kept
    terms = {term: round(w, 4) for shard_terms in updates_terms.values() for term, w in shard_terms.items()}
    if config.split:
        story = state["story_id"]
        rows[member_key(story, article["id"])] = [terms, feats.embedding]
        kept = keep(state.get("members", []), article["id"], config)
        for gone in set(state.get("members", [])) - set(kept):
            rows.pop(member_key(story, gone), None)
        state["members"] = kept
        leaving = divide(kept_members(state, rows), config)
        state["parts"] = {member: story_id(leaving[0]) for member in leaving}
    updates: dict[int, ShardUpdate] = {
        shard: {
            "story_id": state["story_id"],
            "article_id": article["id"],
            "terms": terms,
            "centroid": encode_vector(centroid) if len(vector) or state["centroid"] else "",
            "norm": float(np.sqrt(max(state["norm2"], 0.0))),
            "articles": state["num_articles"],
            "last": state["last_ts"],
        }
        for shard, terms in updates_terms.items()
    }
    return _maybe_record(state, moment, config), events, updates


def mention(state: dict[str, Any], seen: str, config: StoryConfig = DEFAULT) -> StoryRecord | None:
    """A reprint of one of the story's articles: one more mention, no new article."""
    state["num_mentions"] += 1
    return _maybe_record(state, _seen(state, seen), config)


def kept_members(state: dict[str, Any], rows: MutableMapping[str, Any]) -> list[Member]:
    """The articles kept for the division, each with its unit term weights and lead. A member whose row
    is missing is left out: a worker killed mid-flush can leave a story's state on the broker without
    the rows written with it (tables are changelogged apart), and its replay must not fail for that."""
    story = state["story_id"]
    found = ((member, rows.get(member_key(story, member))) for member in state.get("members", []))
    return [[member, *row] for member, row in found if row is not None]


def forget_rows(state: dict[str, Any], rows: MutableMapping[str, Any]) -> None:
    """The story leaves the window: its rows go with it."""
    for agg in state["events"]:
        rows.pop(event_key(state["story_id"], agg["event_id"]), None)
    for member in state.get("members", []):
        rows.pop(member_key(state["story_id"], member), None)


def flush(state: dict[str, Any]) -> StoryRecord | None:
    """The record held back by the rate limit, if any."""
    if not state["dirty"]:
        return None
    state["dirty"] = False
    state["published"] = parse_rfc3339(state["last_seen"]).timestamp()
    return record(state)


def _maybe_record(state: dict[str, Any], moment: float, config: StoryConfig) -> StoryRecord | None:
    if state["published"] is not None and moment - state["published"] < config.publish_interval:
        state["dirty"] = True
        return None
    state["published"], state["dirty"] = moment, False
    return record(state)


def part_of(state: dict[str, Any], article_id: str) -> str:
    """The story an article of this story is published in: the story itself, or the other half's."""
    parts: dict[str, str] = state.get("parts") or {}
    return parts.get(article_id, state["story_id"])


def record(state: dict[str, Any]) -> StoryRecord:
    last = parse_rfc3339(state["last_seen"]).timestamp()
    recent = [item for item in state["recent"] if item[0] >= last - _HOUR]
    sources_30m = {source for moment, source in recent if moment >= last - _HOUR / 2 and source}
    places = sorted(state["places"].values(), key=lambda p: (-p["count"], p["name"]))[:5]
    out: StoryRecord = {
        "schema_version": SCHEMA_VERSION,
        "story_id": state["story_id"],
        "headline": state["headline"],
        "first_seen": state["first_seen"],
        "last_seen": state["last_seen"],
        "num_articles": state["num_articles"],
        "num_mentions": state["num_mentions"],
        "num_sources": len(state["sources"]),
        "languages": sorted(state["languages"]),
        "countries": [c for c, _ in sorted(state["countries"].items(), key=lambda kv: (-kv[1], kv[0]))],
        "places": places,
        "event_types": dict(sorted(state["event_types"].items())),
        "event_ids": [agg["event_id"] for agg in state["events"]],
        "articles": list(reversed(state["articles"])),
        "growth": {"articles_last_hour": len(recent), "sources_last_30m": len(sources_30m)},
        "updated_at": state["last_seen"],
    }
    if state.get("parts"):
        out["parts"] = {
            part: sorted(a for a, p in state["parts"].items() if p == part)
            for part in set(state["parts"].values())
        }
    return out


# --- events ---------------------------------------------------------------------------------


def _countries(event: Event) -> list[str]:
    return sorted({a["country"] or "" for a in event["source_actors"] + event["target_actors"]} - {""})


def _compatible(agg: dict[str, Any], event: Event, article_id: str) -> bool:
    """One occurrence: another article's report (an article's own events are distinct already), the same
    type, dates at most a day apart, and the same set of actors' countries (one that names a country more
    is another occurrence, or one this record could not describe)."""
    if article_id in agg["articles"] or agg["event_type"] != event["event_type"]:
        return False
    if abs((date.fromisoformat(agg["event_date"]) - date.fromisoformat(event["event_date"])).days) > 1:
        return False
    return bool(agg["countries"] == _countries(event))


def event_key(story: str, event_id: str) -> str:
    return f"{story}:e:{event_id}"


def member_key(story: str, article_id: str) -> str:
    return f"{story}:m:{article_id}"


def _aggregate(
    state: dict[str, Any], event: Event, article: StoryArticle, rows: MutableMapping[str, Any]
) -> Event:
    """The event record as it stands once this article's report of it is counted."""
    for agg in state["events"]:
        if _compatible(agg, event, article["id"]):
            break
    else:
        rows[event_key(state["story_id"], event["event_id"])] = dict(event)
        agg = {
            "event_id": event["event_id"],
            "event_type": event["event_type"],
            "event_date": event["event_date"],
            "countries": _countries(event),
            "sources": {},
            "languages": {},
            "articles": [],
        }
        state["events"] = [*state["events"], agg]
    if article["id"] not in agg["articles"]:
        agg["articles"] = [*agg["articles"], article["id"]]
        agg["sources"] = _count(agg["sources"], [article["source"]])
        agg["languages"] = _count(agg["languages"], [article["language"]])
        agg["first_seen"] = min(filter(None, [agg.get("first_seen"), article["seen"]]), key=parse_rfc3339)
        agg["last_seen"] = max(filter(None, [agg.get("last_seen"), article["seen"]]), key=parse_rfc3339)
    key = event_key(state["story_id"], agg["event_id"])
    if rows.get(key) is None:  # lost to a kill mid-flush (see kept_members): this report stands for it
        rows[key] = {**event, "event_id": agg["event_id"]}
    out: Event = dict(rows[key])  # type: ignore[assignment]
    out["story_id"] = state["story_id"]
    out["article_ids"] = list(agg["articles"])
    out["sources"] = sorted(agg["sources"])
    out["num_articles"] = len(agg["articles"])
    out["num_sources"] = len(agg["sources"])
    out["languages"] = sorted(agg["languages"])
    out["first_seen"] = agg["first_seen"]
    out["last_seen"] = agg["last_seen"]
    return out
