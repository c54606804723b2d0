"""Event and story records in the shapes the alert rules read (``events`` and the agreed ``stories``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from streams.contracts import rfc3339

START = datetime.fromisoformat("2026-11-30T06:12:00+00:00")
KHARKIV = {"name": "Kharkiv", "country": "UKR", "lat": 49.98081, "lon": 36.25272}
LVIV = {"name": "Lviv", "country": "UKR", "lat": 49.83826, "lon": 24.02324}


def at(minutes: float) -> str:
    return rfc3339(START + timedelta(minutes=minutes))


def story(
    minute: float,
    sources: int,
    articles: int | None = None,
    *,
    story_id: str = "s-0123456789abcdef",
    languages: tuple[str, ...] = ("en", "uk", "es"),
    event_types: dict[str, int] | None = None,
    places: list[dict[str, Any]] | None = None,
    growth: dict[str, int] | None = None,
    first_minute: float = 0,
) -> dict[str, Any]:
    """A story record as the story stage publishes it after ``minute`` minutes, with ``sources`` outlets."""
    count = articles if articles is not None else sources
    return {
        "schema_version": 1,
        "story_id": story_id,
        "headline": "Explosion hits a power plant in Kharkiv",
        "first_seen": at(first_minute),
        "last_seen": at(minute),
        "num_articles": count,
        "num_mentions": count + 2,
        "num_sources": sources,
        "languages": list(languages),
        "countries": ["UKR", "RUS"],
        "places": [{**KHARKIV, "count": 4}] if places is None else places,
        "event_types": {"ASSAULT": 3, "ACCUSE": 1} if event_types is None else event_types,
        "event_ids": ["e-1", "e-2"],
        "articles": [
            {
                "id": f"a-{n}",
                "url": f"https://outlet{n}.example/kharkiv-{n}",
                "title": f"Kharkiv blast report {n}",
                "source": f"outlet{n}.example",
                "language": languages[n % len(languages)],
                "seen": at(minute),
            }
            for n in range(min(count, 20))
        ],
        "growth": growth
        if growth is not None
        else {"articles_last_hour": count, "sources_last_30m": sources},
        "updated_at": at(minute),
    }


def actor(name: str, country: str | None) -> dict[str, Any]:
    return {
        "text": name,
        "name": name,
        "country": country,
        "country_source": "stated",
        "sector": None,
        "start": 0,
        "end": len(name),
    }


def event(
    *,
    event_type: str = "ASSAULT",
    sources: int = 1,
    story_id: str | None = "s-0123456789abcdef",
    location: dict[str, Any] | None = None,
    source_actors: list[dict[str, Any]] | None = None,
    languages: tuple[str, ...] = ("en",),
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "schema_version": 1,
        "event_id": "e-1",
        "event_type": event_type,
        "source_actors": [actor("Russian forces", "RUS")] if source_actors is None else source_actors,
        "target_actors": [actor("power plant", "UKR")],
        "location": {**KHARKIV, "geonameid": 706483, "text": "Kharkiv", "start": 0, "end": 7}
        if location is None
        else location,
        "evidence": {"sentence": "Russian forces struck a power plant in Kharkiv on Monday."},
        "num_articles": sources,
        "num_sources": sources,
        "languages": list(languages),
        "first_seen": at(0),
        "last_seen": at(5),
        "url": "https://outlet0.example/kharkiv-0",
        "title": "Russian strike hits Kharkiv power plant",
        "source": "outlet0.example",
    }
    if story_id is not None:
        record["story_id"] = story_id
    return record
