"""Topic JSON Schemas against the TypedDicts in streams.contracts, and the bundled demo feed."""

from __future__ import annotations

import collections
import copy
import json
import re
import types
import typing
from importlib import resources
from typing import Any, NotRequired

import jsonschema
import pytest

from streams import contracts
from streams.contracts import (
    Alert,
    CleanArticle,
    DeadLetter,
    DuplicateLink,
    Event,
    GeoPlace,
    Place,
    StoryRecord,
    dead_letter,
    parse_rfc3339,
    validate,
)

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
RECORD_TYPES: dict[str, type] = {
    contracts.CLEAN: CleanArticle,
    contracts.UNIQUE: CleanArticle,
    contracts.DUPLICATES: DuplicateLink,
    contracts.EVENTS: Event,
    contracts.STORIES: StoryRecord,
    contracts.ALERTS: Alert,
    contracts.DEADLETTER: DeadLetter,
}
#: "GENEVA (Reuters) -", "KYIV, Ukraine (AP) —", "SEOUL, Nov. 24 (Yonhap) --"
WIRE_DATELINE = re.compile(r"^[A-Z][A-Z .]+(, [A-Za-z0-9. ]+)? \((Reuters|AP|AFP|Yonhap)\) (-|—|--) ")
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array", dict: "object"}

TEXT = (
    "GENEVA (Reuters) - Iran's deputy foreign minister held talks with European envoys in Geneva on Monday."
)
RECEIVED = "2026-11-23T16:42:05.123456Z"
GENEVA: GeoPlace = {
    "name": "Geneva",
    "country": "CHE",
    "geonameid": 2660646,
    "lat": 46.20222,
    "lon": 6.14569,
    "feature": "city",
}
IN_GENEVA: Place = {
    **GENEVA,
    "text": "Geneva",
    "start": TEXT.index("Geneva"),
    "end": TEXT.index("Geneva") + 6,
}


def clean_article() -> CleanArticle:
    return {
        "schema_version": 1,
        "id": "reuters-20261123-iran-e3-geneva",
        "url": "https://www.reuters.com/world/iran-talks-geneva",
        "source": "reuters.com",
        "title": "Iran, European powers hold nuclear talks in Geneva",
        "text": TEXT,
        "language": "en",
        "language_confidence": 0.96,
        "language_hint": None,
        "mixed_language": False,
        "published_at": "2026-11-23T16:42:00Z",
        "published_at_source": "record",
        "received_at": RECEIVED,
        "content_hash": "9f2c1a",
        "author": None,
        "dateline": GENEVA,
        "agency": "Reuters",
        "credited_source": None,
        "meta": {"section": "world"},
        "places": [IN_GENEVA],
    }


def duplicate_link() -> DuplicateLink:
    return {
        "schema_version": 1,
        "id": "worldnewsdaily-88213",
        "canonical_id": "reuters-20261123-iran-e3-geneva",
        "method": "near",
        "similarity": 0.91,
        "matched_band_count": 7,
        "published_at": "2026-11-23T17:30:00Z",
        "received_at": RECEIVED,
    }


def event() -> Event:
    trigger = TEXT.index("held talks")
    return {
        "schema_version": 1,
        "event_id": "ev-3f9d2c",
        "event_type": "CONSULT",
        "mode": "meet",
        "cameo_root": "04",
        "quad_class": 1,
        "source_actors": [
            {
                "text": "Iran",
                "name": "Iran",
                "country": "IRN",
                "country_source": "stated",
                "sector": "GOV",
                "start": 19,
                "end": 23,
            }
        ],
        "target_actors": [
            {
                "text": "European envoys",
                "name": "Europe",
                "country": None,
                "country_source": "none",
                "sector": "GOV",
                "start": TEXT.index("European"),
                "end": TEXT.index("European") + 15,
            }
        ],
        "location": IN_GENEVA,
        "location_source": "sentence",
        "event_date": "2026-11-23",
        "date_resolution": "text",
        "modality": "asserted",
        "role": "main",
        "goldstein": 1.0,
        "evidence": {
            "sentence": TEXT,
            "start": 0,
            "end": len(TEXT),
            "trigger": "held talks",
            "trigger_start": trigger,
            "trigger_end": trigger + 10,
        },
        "quotes": [],
        "article_ids": ["reuters-20261123-iran-e3-geneva"],
        "sources": ["reuters.com"],
        "num_articles": 1,
        "num_sources": 1,
        "languages": ["en"],
        "first_seen": RECEIVED,
        "last_seen": RECEIVED,
        "confidence": 0.8,
        "received_at": RECEIVED,
        "url": "https://www.reuters.com/world/iran-e3-geneva",
        "title": "Iran holds talks with European envoys in Geneva",
        "source": "reuters.com",
        "extractor_version": "0.1.0+0a1b2c3d",
    }


def story_record() -> StoryRecord:
    article = {
        "id": "a1",
        "url": "https://example.org/geneva-talks",
        "title": "Iran holds talks with European envoys in Geneva",
        "source": "example.org",
        "language": "en",
        "seen": RECEIVED,
    }
    return {
        "schema_version": 1,
        "story_id": "s-0123456789abcdef",
        "headline": article["title"],
        "first_seen": RECEIVED,
        "last_seen": RECEIVED,
        "num_articles": 1,
        "num_mentions": 2,
        "num_sources": 1,
        "languages": ["en"],
        "countries": ["CHE", "IRN"],
        "places": [{"name": "Geneva", "country": "CHE", "lat": 46.20222, "lon": 6.14569, "count": 2}],
        "event_types": {"CONSULT": 1},
        "event_ids": ["ev-3f9d2c"],
        "articles": [article],  # type: ignore[list-item]
        "growth": {"articles_last_hour": 1, "sources_last_30m": 1},
        "updated_at": RECEIVED,
    }


def alert() -> Alert:
    return {
        "schema_version": 1,
        "alert_id": "a-0123456789abcdef",
        "rule": "geneva-talks",
        "description": "Talks in Geneva",
        "level": 1,
        "subject": "story",
        "story_id": "s-0123456789abcdef",
        "event_id": None,
        "headline": "Iran holds talks with European envoys in Geneva",
        "why": {
            "event_types": ["CONSULT"],
            "place": {"name": "Geneva", "country": "CHE", "distance_km": 0.0},
        },
        "num_sources": 3,
        "num_articles": 4,
        "languages": ["en", "fr"],
        "first_seen": RECEIVED,
        "links": ["https://example.com/geneva"],
        "articles": [
            {"url": "https://example.com/geneva", "title": "Talks in Geneva", "source": "example.com"}
        ],
        "fired_at": RECEIVED,
    }


def valid_records() -> dict[str, dict[str, Any]]:
    dead = dead_letter(
        "normalize", "not_json", "Expecting value", b'{"body": "The minis', parse_rfc3339(RECEIVED)
    )
    return {
        contracts.CLEAN: dict(clean_article()),
        contracts.UNIQUE: dict(clean_article()),
        contracts.DUPLICATES: dict(duplicate_link()),
        contracts.EVENTS: dict(event()),
        contracts.STORIES: dict(story_record()),
        contracts.ALERTS: dict(alert()),
        contracts.DEADLETTER: dict(dead),
    }


# ------------------------------------------------------------------ schema documents


@pytest.mark.parametrize("topic", [*contracts.SCHEMA_TOPICS, contracts.RAW])
def test_schema_is_valid_draft_2020_12(topic: str) -> None:
    doc = contracts.schema(topic)
    jsonschema.Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == DRAFT_2020_12
    assert doc["$id"].endswith(f"/{topic}.schema.json")
    assert doc["title"] == topic
    assert len(doc["description"]) > 20
    assert doc["additionalProperties"] is True


def test_clean_and_unique_share_one_contract() -> None:
    clean, unique = (dict(contracts.schema(t)) for t in (contracts.CLEAN, contracts.UNIQUE))
    for doc in (clean, unique):
        del doc["$id"], doc["title"]
    assert clean == unique


# ------------------------------------------------------------------ drift against contracts.py


def _deref(doc: dict[str, Any], sub: dict[str, Any]) -> dict[str, Any]:
    prefix = "#/$defs/"
    assert sub["$ref"].startswith(prefix), sub["$ref"]
    target: dict[str, Any] = doc["$defs"][sub["$ref"].removeprefix(prefix)]
    return target


def _object_fields(doc: dict[str, Any], sub: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """Properties and required keys of an object subschema, following local ``$ref`` extension."""
    props: dict[str, Any] = {}
    required: set[str] = set()
    if "$ref" in sub:
        props, required = _object_fields(doc, _deref(doc, sub))
    return props | sub.get("properties", {}), required | set(sub.get("required", []))


def _alternatives(doc: dict[str, Any], sub: dict[str, Any]) -> list[dict[str, Any]]:
    return [alt for option in sub.get("anyOf", [sub]) for alt in _expand(doc, option)]


def _expand(doc: dict[str, Any], sub: dict[str, Any]) -> list[dict[str, Any]]:
    return [sub] if "type" in sub else _alternatives(doc, _deref(doc, sub))


def _schema_types(alternatives: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for alt in alternatives:
        found |= {alt["type"]} if isinstance(alt["type"], str) else set(alt["type"])
    return found


def _hints(record_type: type) -> dict[str, Any]:
    # TypedDict.__required_keys__ ignores NotRequired under postponed annotations on Python 3.11,
    # so required-ness is read from the resolved hints instead.
    return typing.get_type_hints(record_type, include_extras=True)


def _required(record_type: type) -> set[str]:
    return {key for key, hint in _hints(record_type).items() if typing.get_origin(hint) is not NotRequired}


def _assert_matches(doc: dict[str, Any], sub: dict[str, Any], hint: Any, path: str) -> None:
    """Assert that ``sub`` accepts exactly the JSON types of ``hint``, recursing into objects and lists."""
    if typing.get_origin(hint) is NotRequired:
        hint = typing.get_args(hint)[0]
    if hint is Any:
        return
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    (base,) = [option for option in options if option is not type(None)]
    origin = typing.get_origin(base) or base
    expected = {JSON_TYPES[dict] if typing.is_typeddict(base) else JSON_TYPES[origin]}
    expected |= {"null"} if len(options) > 1 else set()
    alternatives = _alternatives(doc, sub)
    assert _schema_types(alternatives) == expected, path
    (inner,) = [alt for alt in alternatives if alt["type"] != "null"]
    if typing.is_typeddict(base):
        _assert_object_matches(doc, inner, base, path)
    elif origin is list:
        _assert_matches(doc, inner["items"], typing.get_args(base)[0], f"{path}[]")


def _assert_object_matches(doc: dict[str, Any], sub: dict[str, Any], record_type: type, path: str) -> None:
    props, required = _object_fields(doc, sub)
    hints = _hints(record_type)
    assert set(props) == set(hints), path
    assert required == _required(record_type), path
    for key, hint in hints.items():
        _assert_matches(doc, props[key], hint, f"{path}.{key}")


@pytest.mark.parametrize("topic", contracts.SCHEMA_TOPICS)
def test_schema_matches_typeddict(topic: str) -> None:
    doc = contracts.schema(topic)
    record_type = RECORD_TYPES[topic]
    assert set(doc["required"]) == _required(record_type)
    _assert_object_matches(doc, doc, record_type, topic)


def test_enums_come_from_contracts() -> None:
    assert contracts.schema(contracts.EVENTS)["properties"]["event_type"]["enum"] == list(
        contracts.PLOVER_TYPES
    )
    reasons = contracts.schema(contracts.DEADLETTER)["properties"]["reason"]["enum"]
    assert reasons == list(contracts.DEADLETTER_REASONS)


def test_optional_keys_really_are_optional() -> None:
    article = clean_article()
    del article["places"]
    validate(contracts.CLEAN, article)
    link = duplicate_link()
    del link["matched_band_count"]
    validate(contracts.DUPLICATES, link)


# ------------------------------------------------------------------ valid and invalid records


@pytest.mark.parametrize("topic", contracts.SCHEMA_TOPICS)
def test_valid_record_passes(topic: str) -> None:
    record = valid_records()[topic]
    validate(topic, record)
    validate(topic, {**record, "added_in_a_later_version": {"any": "thing"}})


def test_dead_letter_of_non_utf8_bytes_is_valid() -> None:
    record = dead_letter("normalize", "invalid_utf8", "bad byte", b"\xff\xfe{", parse_rfc3339(RECEIVED))
    assert record["original_encoding"] == "base64"
    validate(contracts.DEADLETTER, record)


def _set(path: str, value: Any) -> Any:
    """A mutation that sets ``value`` at a dotted path (list indexes as digits)."""

    def mutate(record: Any) -> None:
        *parents, last = path.split(".")
        for part in parents:
            record = record[int(part)] if part.isdigit() else record[part]
        record[int(last) if last.isdigit() else last] = value

    return mutate


def _drop(key: str) -> Any:
    return lambda record: record.pop(key)


INVALID = [
    (contracts.STORIES, "story id not derived", _set("story_id", "story-1")),
    (contracts.STORIES, "no articles", _set("num_articles", 0)),
    (contracts.STORIES, "country not alpha-3", _set("countries", ["CH"])),
    (contracts.CLEAN, "missing text", _drop("text")),
    (contracts.CLEAN, "missing nullable key", _drop("author")),
    (contracts.CLEAN, "title not a string", _set("title", 42)),
    (contracts.CLEAN, "schema_version 2", _set("schema_version", 2)),
    (contracts.CLEAN, "unknown published_at_source", _set("published_at_source", "guess")),
    (contracts.CLEAN, "published_at not a date-time", _set("published_at", "Monday 23 November")),
    (contracts.CLEAN, "impossible date-time", _set("published_at", "2026-13-45T25:61:00Z")),
    (contracts.CLEAN, "published_at not UTC", _set("published_at", "2026-11-23T17:42:00+01:00")),
    (contracts.CLEAN, "confidence above 1", _set("language_confidence", 1.5)),
    (contracts.CLEAN, "alpha-2 country", _set("dateline.country", "CH")),
    (contracts.CLEAN, "unknown key in nested place", _set("dateline.population", 203856)),
    (contracts.CLEAN, "place without span", _set("places", [GENEVA])),
    (contracts.UNIQUE, "meta not an object", _set("meta", "world")),
    (contracts.DUPLICATES, "unknown method", _set("method", "fuzzy")),
    (contracts.DUPLICATES, "missing canonical_id", _drop("canonical_id")),
    (contracts.DUPLICATES, "similarity as text", _set("similarity", "0.9")),
    (contracts.EVENTS, "unknown event type", _set("event_type", "consult")),
    (contracts.EVENTS, "event_date with time", _set("event_date", "2026-11-23T10:00:00Z")),
    (contracts.EVENTS, "impossible event_date", _set("event_date", "2026-02-30")),
    (contracts.EVENTS, "actor without name", lambda r: r["source_actors"][0].pop("name")),
    (contracts.EVENTS, "unknown modality", _set("modality", "rumoured")),
    (contracts.EVENTS, "date resolution not honest", _set("date_resolution", "weekday")),
    (
        contracts.EVENTS,
        "actor country without its source",
        lambda r: r["source_actors"][0].pop("country_source"),
    ),
    (contracts.EVENTS, "negative evidence offset", _set("evidence.start", -1)),
    (contracts.EVENTS, "no article ids", _set("article_ids", [])),
    (contracts.EVENTS, "missing evidence", _drop("evidence")),
    (contracts.ALERTS, "level 0", _set("level", 0)),
    (contracts.ALERTS, "unknown subject", _set("subject", "article")),
    (contracts.ALERTS, "why not an object", _set("why", ["ASSAULT"])),
    (contracts.ALERTS, "alert id not derived", _set("alert_id", "alert-1")),
    (contracts.ALERTS, "missing rule", _drop("rule")),
    (contracts.DEADLETTER, "unknown reason", _set("reason", "boring")),
    (contracts.DEADLETTER, "unknown encoding", _set("original_encoding", "latin-1")),
    (contracts.DEADLETTER, "received_at missing", _drop("received_at")),
]


@pytest.mark.parametrize(("topic", "case", "mutate"), INVALID, ids=[case for _, case, _ in INVALID])
def test_invalid_record_fails(topic: str, case: str, mutate: Any) -> None:
    record = copy.deepcopy(valid_records()[topic])
    mutate(record)
    with pytest.raises(jsonschema.ValidationError):
        validate(topic, record)


# ------------------------------------------------------------------ demo feed


def _feed_lines() -> list[str]:
    return resources.files("streams.data").joinpath("demo_feed.jsonl").read_text("utf-8").splitlines()


def _defect(line: str) -> str | None:
    """The dead-letter reason a line deserves by the raw contract alone (boilerplate needs normalize)."""
    try:
        record = json.loads(line)
    except ValueError:
        return "not_json"
    if not isinstance(record, dict):
        return "not_object"
    try:
        validate(contracts.RAW, record)
    except jsonschema.ValidationError:
        if all(record.get(key) is None for key in ("body", "html")):
            return "missing_content"
        return "wrong_type"
    return None


def _good_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in _feed_lines() if _defect(line) is None]


def test_feed_size_and_broken_lines() -> None:
    lines = _feed_lines()
    defects = collections.Counter(d for d in map(_defect, lines) if d is not None)
    assert len(lines) >= 30
    assert set(defects) == {"not_json", "not_object", "wrong_type", "missing_content"}
    assert sum(defects.values()) >= 3
    assert len(_good_records()) >= 25


def test_feed_starts_with_english_articles() -> None:
    for line in _feed_lines()[:3]:
        record = json.loads(line)
        assert _defect(line) is None
        assert WIRE_DATELINE.match(record["body"])
        assert record.get("language") in (None, "en")


def test_feed_ids_unique_and_one_url_resent() -> None:
    records = _good_records()
    ids = [r["id"] for r in records if "id" in r]
    assert len(ids) == len(set(ids))
    assert len(ids) < len(records), "one record has no id, so normalize derives it"
    ids_by_url = collections.defaultdict(set)
    for r in records:
        ids_by_url[r.get("url")].add(r.get("id"))
    assert any(len(same_url) > 1 for url, same_url in ids_by_url.items() if url)


def test_feed_languages_html_and_dates() -> None:
    records = _good_records()
    hints = collections.Counter(r.get("language") for r in records)
    assert sum(n for lang, n in hints.items() if lang not in (None, "en")) >= 2
    assert len({r["source"] for r in records}) >= 8
    assert any("html" in r and "body" not in r for r in records)
    dates = [parse_rfc3339(r["published_at"]).year for r in records if "published_at" in r]
    assert set(dates) <= {2025, 2026}
    assert len(dates) < len(records), "some records rely on the page, dateline or ingest time"


def test_feed_reprints_wire_stories() -> None:
    """At least four wire leads appear in three or more records, modulo quote forms and spacing."""
    plain = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u00a0": " "})
    leads: collections.Counter[str] = collections.Counter()
    for r in _good_records():
        paragraphs = {" ".join(p.translate(plain).split()) for p in r.get("body", "").split("\n")}
        leads.update(p for p in paragraphs if WIRE_DATELINE.match(p))
    assert sum(1 for n in leads.values() if n >= 3) >= 4
