"""Rule evaluation: an event or story record in, the alerts to publish out, over a state mapping.

State (a dict in the ``alerts`` command, a Faust table in the worker, keyed by story) holds, per
(rule, story), the highest level already sent, so a story that keeps matching sends one alert per rule
until it crosses an escalation threshold; and, per story, the source and article counts of the story
records seen within the longest growth window, to measure growth over any window.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from streams.contracts import SCHEMA_VERSION, Alert, AlertArticle, parse_rfc3339, rfc3339
from streams.stages.alerts.rules import ActorMatch, Rule
from streams.stages.geo.distance import haversine_km

#: Links an alert carries: the story's most recent articles.
MAX_LINKS = 10
#: Story records kept per story for growth: enough for one every ~20 s over a 30-minute window.
MAX_HISTORY = 100
#: Growth figures the story stage computes itself (``growth`` field), by (counted field, window minutes).
STORY_GROWTH_FIELDS = {("sources", 30): "sources_last_30m", ("articles", 60): "articles_last_hour"}
#: How long the state of a story is kept after its last record (longer than the story window, 72 h).
STATE_RETENTION = timedelta(days=7)

FIRED = "fired"
HISTORY = "history"


def state_key(kind: str, story: str, rule: str = "") -> str:
    return "\x1f".join((kind, story, rule))


def subject_key(record: Mapping[str, Any]) -> str:
    """What alerts are counted per: the story (every event carries its story id), else the event."""
    story = record.get("story_id")
    if isinstance(story, str) and story:
        return story
    return f"event:{record['event_id']}"


def evaluate(
    state: MutableMapping[str, Any],
    rules: Sequence[Rule],
    kind: str,
    record: Mapping[str, Any],
    now: datetime,
) -> list[Alert]:
    """The alerts ``record`` (an ``events`` or ``stories`` record, by ``kind``) fires; updates ``state``."""
    subject = subject_key(record)
    at = _record_time(kind, record, now)
    history: list[list[float]] = []
    if kind == "stories" and any(rule.growth for rule in rules):
        history = _remember(state, subject, record, at, rules, now)
    alerts = []
    for rule in rules:
        if kind not in rule.records:
            continue
        why = match(rule, kind, record, history, at)
        if why is None:
            continue
        level = rule.level(int(record.get("num_sources") or 0))
        key = state_key(FIRED, subject, rule.name)
        fired = state.get(key)
        if fired is not None and fired["level"] >= level:
            continue
        state[key] = {"level": level, "at": now.timestamp()}
        alerts.append(_alert(rule, kind, record, subject, level, why, now))
    return alerts


def remember_sent(state: MutableMapping[str, Any], alert: Mapping[str, Any]) -> None:
    """Count an alert already published (read back from the alerts topic at start) as sent."""
    key = state_key(FIRED, subject_key(alert), alert["rule"])
    fired = state.get(key)
    if fired is None or fired["level"] < alert["level"]:
        state[key] = {"level": alert["level"], "at": parse_rfc3339(alert["fired_at"]).timestamp()}


def expire(state: MutableMapping[str, Any], now: datetime, owned: Callable[[str], bool] | None = None) -> int:
    """Drop the state of stories not seen for :data:`STATE_RETENTION`; returns how many keys went.

    Every value carries ``at``, the clock's time when it was last written (record times can be old in a
    replay, so they would expire what was just written). ``owned`` (given a story) limits the sweep to
    the stories of one partition: a table may only be written by the partition that owns the key."""
    cutoff = (now - STATE_RETENTION).timestamp()
    stale = [
        key
        for key, value in list(state.items())
        if (owned is None or owned(key.split("\x1f")[1])) and (not value or value["at"] < cutoff)
    ]
    for key in stale:
        del state[key]
    return len(stale)


def match(
    rule: Rule, kind: str, record: Mapping[str, Any], history: Sequence[Sequence[float]], at: datetime
) -> dict[str, Any] | None:
    """The values that satisfied each of the rule's conditions, or None when one is not met."""
    why: dict[str, Any] = {}
    story = kind == "stories"
    if rule.event_types:
        found = _event_types(record, story) & rule.event_types
        if not found:
            return None
        why["event_types"] = sorted(found)
    if rule.countries:
        found = _countries(record, story) & rule.countries
        if not found:
            return None
        why["countries"] = sorted(found)
    if rule.actors:
        actors = [] if story else _matching_actors(rule.actors, record)
        if not actors:
            return None
        why["actors"] = actors
    if rule.place is not None:
        near = _nearest_place(rule, record, story)
        if near is None:
            return None
        why["place"] = near
    if rule.languages:
        found = set(record.get("languages") or ()) & rule.languages
        if not found:
            return None
        why["languages"] = sorted(found)
    sources = int(record.get("num_sources") or 0)
    if rule.min_sources:
        if sources < rule.min_sources:
            return None
        why["num_sources"] = sources
    if rule.growth is not None:
        grown = _growth(rule, record, history, at) if story else None
        if grown is None:
            return None
        why["growth"] = grown
    return why


def _event_types(record: Mapping[str, Any], story: bool) -> set[str]:
    if story:
        return {name for name, count in (record.get("event_types") or {}).items() if count}
    return {record["event_type"]} if record.get("event_type") else set()


def _countries(record: Mapping[str, Any], story: bool) -> set[str]:
    if story:
        return set(record.get("countries") or ())
    actors = (record.get("source_actors") or []) + (record.get("target_actors") or [])
    found = {actor["country"] for actor in actors if actor.get("country")}
    location = record.get("location") or {}
    if location.get("country"):
        found.add(location["country"])
    return found


def _matching_actors(specs: Iterable[ActorMatch], record: Mapping[str, Any]) -> list[dict[str, Any]]:
    actors = (record.get("source_actors") or []) + (record.get("target_actors") or [])
    found = []
    for actor in actors:
        for spec in specs:
            if spec.country is not None and actor.get("country") != spec.country:
                continue
            if spec.name is not None and not _names(spec.name, actor):
                continue
            found.append({"name": actor.get("name"), "country": actor.get("country")})
            break
    return found


def _names(name: str, actor: Mapping[str, Any]) -> bool:
    """Whole words, any case, in the actor's normalised name or its words in the text."""
    pattern = re.compile(rf"(?<!\w){re.escape(name.casefold())}(?!\w)")
    return any(pattern.search(str(actor.get(field) or "").casefold()) for field in ("name", "text"))


def _nearest_place(rule: Rule, record: Mapping[str, Any], story: bool) -> dict[str, Any] | None:
    assert rule.place is not None
    places = (record.get("places") or []) if story else [record.get("location") or {}]
    best: dict[str, Any] | None = None
    for place in places:
        if place.get("lat") is None or place.get("lon") is None:
            continue
        distance = haversine_km(rule.place.lat, rule.place.lon, place["lat"], place["lon"])
        if distance <= rule.place.radius_km and (best is None or distance < best["distance_km"]):
            best = {
                "name": place.get("name"),
                "country": place.get("country"),
                "distance_km": round(distance, 1),
            }
    return best


def _record_time(kind: str, record: Mapping[str, Any], now: datetime) -> datetime:
    """When the record describes its story or event: the time growth is measured in, not the clock's."""
    field = "updated_at" if kind == "stories" else "last_seen"
    try:
        return parse_rfc3339(record[field])
    except (KeyError, TypeError, ValueError):
        return now


def _remember(
    state: MutableMapping[str, Any],
    subject: str,
    record: Mapping[str, Any],
    at: datetime,
    rules: Sequence[Rule],
    now: datetime,
) -> list[list[float]]:
    """Append the story's counts at ``at`` to its history, trimmed to the longest growth window."""
    key = state_key(HISTORY, subject)
    history = [list(point) for point in (state.get(key) or {}).get("points", ())]
    point = [at.timestamp(), float(record.get("num_sources") or 0), float(record.get("num_articles") or 0)]
    history = sorted([p for p in history if p[0] != point[0]] + [point])
    longest = max((rule.growth.within_minutes for rule in rules if rule.growth), default=0) * 60
    # Keep the last point before the window too: it is the baseline a window starting then is measured from.
    older = [p for p in history if p[0] < point[0] - longest]
    history = older[-1:] + [p for p in history if p[0] >= point[0] - longest]
    history = history[-MAX_HISTORY:]
    state[key] = {"at": now.timestamp(), "points": history}
    return history


def _growth(
    rule: Rule, record: Mapping[str, Any], history: Sequence[Sequence[float]], at: datetime
) -> dict[str, Any] | None:
    """New sources/articles within the rule's window, when they reach its thresholds.

    The story stage's own figure is used when it measures the same window (it counts articles by their
    time); otherwise the counts are compared with the last story record seen before the window, or with
    zero when the story began inside it. A story first seen mid-way is compared with its first record."""
    assert rule.growth is not None
    minutes = rule.growth.within_minutes
    start = at - timedelta(minutes=minutes)
    why: dict[str, Any] = {"within_minutes": minutes}
    for field, column, threshold in (
        ("sources", 1, rule.growth.sources),
        ("articles", 2, rule.growth.articles),
    ):
        if threshold is None:
            continue
        own = STORY_GROWTH_FIELDS.get((field, minutes))
        if own is not None and isinstance((record.get("growth") or {}).get(own), int):
            grown = int(record["growth"][own])
        else:
            now_count = int(record.get(f"num_{field}") or 0)
            grown = now_count - _baseline(record, history, start, column)
        if grown < threshold:
            return None
        why[f"new_{field}"] = grown
    return why


def _baseline(
    record: Mapping[str, Any], history: Sequence[Sequence[float]], start: datetime, column: int
) -> int:
    before = [point for point in history if point[0] <= start.timestamp()]
    if before:
        return int(before[-1][column])
    try:
        born_inside = parse_rfc3339(record["first_seen"]) >= start
    except (KeyError, TypeError, ValueError):
        born_inside = False
    return 0 if born_inside or not history else int(history[0][column])


def _alert(
    rule: Rule,
    kind: str,
    record: Mapping[str, Any],
    subject: str,
    level: int,
    why: dict[str, Any],
    now: datetime,
) -> Alert:
    story = kind == "stories"
    story_id = record.get("story_id") or None
    articles: list[AlertArticle]
    if story:
        articles = [
            {"url": a.get("url"), "title": a.get("title"), "source": a.get("source")}
            for a in (record.get("articles") or [])[:MAX_LINKS]
        ]
        headline = record.get("headline") or ""
    else:
        articles = [{"url": record.get("url"), "title": record.get("title"), "source": record.get("source")}]
        headline = record.get("title") or (record.get("evidence") or {}).get("sentence") or ""
    digest = hashlib.sha256(f"{rule.name}\x1f{subject}\x1f{level}".encode()).hexdigest()[:16]
    return {
        "schema_version": SCHEMA_VERSION,
        "alert_id": f"a-{digest}",
        "rule": rule.name,
        "description": rule.description,
        "level": level,
        "subject": "story" if story else "event",
        "story_id": story_id,
        "event_id": None if story else record.get("event_id"),
        "headline": headline,
        "why": why,
        "num_sources": int(record.get("num_sources") or 0),
        "num_articles": int(record.get("num_articles") or 0),
        "languages": list(record.get("languages") or []),
        "first_seen": record.get("first_seen"),
        "links": [url for url in (a["url"] for a in articles) if url],
        "articles": articles,
        "fired_at": rfc3339(now),
    }
