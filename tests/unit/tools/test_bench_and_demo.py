"""The pieces of bench and demo that are plain functions: generated input, percentiles, output lines."""

from __future__ import annotations

import orjson

from streams.tools.bench import generated_articles
from streams.tools.bench_figures import percentile
from streams.tools.demo import describe, feed_lines


def test_generated_articles_are_valid_raw_records_with_some_reprints() -> None:
    records = [orjson.loads(raw) for raw in generated_articles(200, seed=3)]
    assert len({r["id"] for r in records}) == 200
    assert all(r["body"] and r["published_at"].endswith("Z") for r in records)
    bodies = [r["body"] for r in records]
    reprints = [b for b in bodies if any(b != o and o in b for o in bodies)]
    assert 5 <= len(reprints) <= 40
    assert generated_articles(50, seed=3) == generated_articles(50, seed=3)


def test_percentile_picks_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0 or percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([3.0], 0.95) == 3.0


def test_demo_lines_describe_each_output_kind() -> None:
    event = {
        "event_type": "CONSULT",
        "source_actors": [{"name": "Cho Tae-yeol", "text": "Cho", "country": "KOR"}],
        "target_actors": [{"name": "Tony Blinken", "text": "Blinken", "country": "USA"}],
        "location": {"name": "Rio de Janeiro", "country": "BRA"},
        "event_date": "2024-02-22",
        "confidence": 0.9,
        "num_sources": 3,
        "story_id": "s-0123456789abcdef",
        "evidence": {"sentence": "The ministers met in Rio de Janeiro."},
    }
    line = describe("events", event)
    assert (
        line is not None
        and "CONSULT" in line
        and "Cho Tae-yeol (KOR)" in line
        and "Rio de Janeiro, BRA" in line
        and "3 source(s), story s-0123456789abcdef" in line
    )
    story = {
        "story_id": "s-0123456789abcdef",
        "headline": "Ministers meet in Rio",
        "num_articles": 4,
        "num_mentions": 6,
        "num_sources": 3,
        "languages": ["en", "pt"],
        "event_types": {"CONSULT": 2, "AGREE": 1},
    }
    assert describe("stories", story) == (
        'STORY  s-0123456789abcdef "Ministers meet in Rio": 4 articles, 6 mentions, 3 sources, '
        "languages en/pt; events: AGREE 1, CONSULT 2"
    )
    link = {"id": "b", "canonical_id": "a", "method": "near", "similarity": 0.93}
    assert describe("articles.duplicates", link) == "DUP    b is a reprint of a (near, similarity 0.93)"
    letter = {"reason": "not_json", "stage": "normalize", "error": "unexpected end"}
    assert describe("articles.deadletter", letter) == "DEAD   not_json at normalize: unexpected end"
    assert describe("articles.deadletter", b"raw bytes") is None
    alert = {
        "fired_at": "2026-11-24T06:12:00Z",
        "rule": "sanctions",
        "level": 1,
        "num_sources": 1,
        "headline": "EU",
    }
    assert describe("alerts", alert) == "ALERT  2026-11-24T06:12:00Z  sanctions  L1  1 sources  []  None: EU"


def test_bundled_feed_is_packaged() -> None:
    assert len(feed_lines()) >= 30
