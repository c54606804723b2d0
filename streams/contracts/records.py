"""Record shapes on the topics (TypedDicts over plain dicts), dead-letter reasons and time formats."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

SCHEMA_VERSION = 1

#: Reasons a record can be dead-lettered for. Stages raise :class:`Rejected` with one of them.
DEADLETTER_REASONS = (
    "invalid_utf8",
    "not_json",
    "not_object",
    "wrong_type",
    "missing_content",
    "empty_text",
    "too_large",
    "too_deep",
    "too_complex",
    "invalid_date",
    "timeout",
    "expired",
    "internal_error",
)
#: Times the pipeline takes for a publication date or a message timestamp: years 1000-2999. No article
#: is dated outside them, and near the ends of the calendar date arithmetic overflows (9999-12-31 + 1 day).
EARLIEST_TIME = datetime(1000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(3000, 1, 1, tzinfo=UTC)
#: What a dead letter keeps of its original by default: a prefix, with the whole one's length and SHA-256.
DEADLETTER_MAX_ORIGINAL = 1024 * 1024

PLOVER_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)


class Rejected(Exception):
    """Raised by stage code for input that must go to the dead-letter topic."""

    def __init__(self, reason: str, error: str) -> None:
        if reason not in DEADLETTER_REASONS:
            raise ValueError(f"unknown dead-letter reason {reason!r}")
        super().__init__(f"{reason}: {error}")
        self.reason = reason
        self.error = error


class GeoPlace(TypedDict):
    name: str
    country: str | None  # ISO 3166-1 alpha-3
    geonameid: int | None
    lat: float | None
    lon: float | None
    feature: NotRequired[str]  # "country", "admin1", "city", ...


class Place(GeoPlace):
    text: str  # the words in the cleaned text
    start: int
    end: int


class CleanArticle(TypedDict):
    """Record on ``articles.clean`` and ``articles.unique``."""

    schema_version: int
    id: str
    url: str | None
    source: str | None
    title: str | None
    text: str
    language: str  # ISO 639-1, or "und"
    language_confidence: float
    language_hint: str | None
    mixed_language: bool
    published_at: str  # RFC 3339, UTC
    published_at_source: str  # record | page | dateline | ingest
    received_at: str  # RFC 3339, UTC: the articles.raw message timestamp
    content_hash: str
    author: str | None
    dateline: GeoPlace | None
    agency: str | None
    credited_source: str | None
    meta: dict[str, Any]
    #: YYYY-MM-DD a 'Published:' label in the page's text states, when nothing else dates it
    page_date: NotRequired[str]
    places: NotRequired[list[Place]]
    #: On ``articles.unique`` only: dedup's int8 title+lead embedding (base64), reused by the story stage.
    lead_embedding: NotRequired[str]


class DuplicateLink(TypedDict):
    """Record on ``articles.duplicates``."""

    schema_version: int
    id: str
    canonical_id: str
    method: str  # exact | near | crosslingual
    similarity: float
    matched_band_count: NotRequired[int]
    note: NotRequired[str]
    published_at: str
    received_at: str


class Actor(TypedDict):
    text: str
    name: str
    country: str | None
    #: How the country was found: ``stated`` (its own words: a name, demonym or affiliation),
    #: ``place`` (the place the sentence puts it in), ``article`` (the article's setting), ``none``.
    country_source: str
    sector: str | None
    start: int
    end: int


class Evidence(TypedDict):
    sentence: str
    start: int
    end: int
    trigger: str
    trigger_start: int
    trigger_end: int


class Event(TypedDict):
    """Record on ``events``, keyed by ``event_id``; a later record with the same id supersedes."""

    schema_version: int
    event_id: str
    event_type: str
    mode: str | None
    cameo_root: str | None
    quad_class: int | None
    source_actors: list[Actor]
    target_actors: list[Actor]
    location: Place | None
    location_source: str  # sentence | dateline | article | none
    event_date: str  # YYYY-MM-DD
    date_resolution: str  # text | published_at | received_at
    modality: str  # asserted | reported | claimed
    role: str  # main | background
    goldstein: float | None  # CAMEO Goldstein scale of the nearest CAMEO code
    evidence: Evidence
    quotes: list[dict[str, Any]]
    article_ids: list[str]
    sources: list[str]
    num_articles: int
    num_sources: int
    languages: list[str]
    first_seen: str
    last_seen: str
    confidence: float
    received_at: str
    url: str | None  # of the reporting article
    title: str | None
    source: str | None
    extractor_version: str
    #: The story the reporting articles belong to (set by the story stage, which publishes events).
    story_id: NotRequired[str]


class StoryArticle(TypedDict):
    """An article as a story record lists it."""

    id: str
    url: str | None
    title: str | None
    source: str | None
    language: str
    seen: str  # its received_at


class StoryRecord(TypedDict):
    """Record on ``stories``, keyed by ``story_id`` (compacted: a later record supersedes)."""

    schema_version: int
    story_id: str  # "s-" + 16 hex digits of a hash of the founding article's id
    headline: str | None
    first_seen: str
    last_seen: str
    num_articles: int  # unique articles
    num_mentions: int  # articles and their reprints
    num_sources: int
    languages: list[str]
    countries: list[str]  # ISO 3166-1 alpha-3, most frequent first
    places: list[dict[str, Any]]  # top 5: {name, country, lat, lon, count}
    event_types: dict[str, int]
    event_ids: list[str]
    articles: list[StoryArticle]  # the most recent, newest first
    growth: dict[str, int]  # articles_last_hour, sources_last_30m
    updated_at: str
    #: When the story's articles tell two happenings: the other one's story id → its articles (the rest
    #: are this story's). Recomputed at every article, so a later record can move or drop it.
    parts: NotRequired[dict[str, list[str]]]


class AlertArticle(TypedDict):
    url: str | None
    title: str | None
    source: str | None


class Alert(TypedDict):
    """Record on ``alerts``: a rule of an alerts file matched a story or an event."""

    schema_version: int
    alert_id: str  # deterministic: rule, story (or event) and level
    rule: str
    description: str
    level: int  # 1 on the first match; one more per escalation threshold crossed
    subject: str  # story | event: the record that fired it
    story_id: str | None
    event_id: str | None
    headline: str
    why: dict[str, Any]  # condition → the values that met it
    num_sources: int
    num_articles: int
    languages: list[str]
    first_seen: str | None
    links: list[str]
    articles: list[AlertArticle]
    fired_at: str


class DeadLetter(TypedDict):
    """Record on ``articles.deadletter``: enough to replay or diagnose the input."""

    schema_version: int
    reason: str
    stage: str
    error: str
    original: str  # the original, or its first ``max_original`` bytes when longer
    original_encoding: str  # utf-8 | base64
    original_length: int  # bytes of the whole original
    original_sha256: str  # hex digest of the whole original
    received_at: str


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """UTC RFC 3339 with microseconds, so latency can be measured from it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_rfc3339(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def dead_letter(
    stage: str,
    reason: str,
    error: str,
    original: bytes,
    received_at: datetime,
    max_original: int = DEADLETTER_MAX_ORIGINAL,
) -> DeadLetter:
    """Build the dead-letter record; bytes that are not UTF-8 travel base64-encoded.

    Only the first ``max_original`` bytes of the original are kept (a UTF-8 original is cut at a
    character boundary), so a dead letter stays far below the topic's message limit whatever the
    input; ``original_length`` and ``original_sha256`` describe the whole original.
    """
    prefix = original[: max(0, max_original)]
    try:
        original.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(prefix).decode("ascii"), "base64"
    else:
        # The original is valid UTF-8: the only bytes "ignore" can drop are a character cut in two.
        text, encoding = prefix.decode("utf-8", "ignore"), "utf-8"
    return {
        "schema_version": SCHEMA_VERSION,
        "reason": reason,
        "stage": stage,
        "error": error[:2000],
        "original": text,
        "original_encoding": encoding,
        "original_length": len(original),
        "original_sha256": hashlib.sha256(original).hexdigest(),
        "received_at": rfc3339(received_at),
    }
