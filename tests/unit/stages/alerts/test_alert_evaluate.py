"""Rule evaluation over event and story records: what matches, why, escalation, and no alert storms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from alert_records import KHARKIV, LVIV, START, actor, event, story

from streams import contracts
from streams.stages.alerts import evaluate, expire, parse_rules
from streams.stages.alerts.evaluate import STATE_RETENTION

NOW = START


def rules(text: str) -> list[Any]:
    return parse_rules("rules:\n" + text)


def fire(state: dict[str, Any], rule_text: str, kind: str, *records: dict[str, Any]) -> list[list[Any]]:
    parsed = rules(rule_text)
    return [evaluate(state, parsed, kind, record, NOW) for record in records]


def test_story_alert_says_why_and_links_the_articles() -> None:
    text = """\
  - name: kharkiv
    event_types: [ASSAULT, PROTEST]
    countries: [UKR, POL]
    place: {name: Kharkiv centre, lat: 49.99, lon: 36.23, radius_km: 25}
    languages: [es, nl]
    min_sources: 3
"""
    ((alert,),) = fire({}, text, "stories", story(10, sources=4))
    contracts.validate(contracts.ALERTS, alert)
    assert alert["rule"] == "kharkiv" and alert["level"] == 1
    assert alert["subject"] == "story" and alert["story_id"] == "s-0123456789abcdef"
    assert alert["event_id"] is None
    assert alert["headline"] == "Explosion hits a power plant in Kharkiv"
    assert alert["why"] == {
        "event_types": ["ASSAULT"],
        "countries": ["UKR"],
        "place": {"name": "Kharkiv", "country": "UKR", "distance_km": 1.9},
        "languages": ["es"],
        "num_sources": 4,
    }
    assert alert["links"] == [f"https://outlet{n}.example/kharkiv-{n}" for n in range(4)]
    assert alert["fired_at"] == contracts.rfc3339(NOW)


@pytest.mark.parametrize(
    ("condition", "record"),
    [
        ("event_types: [PROTEST]", story(10, 4)),
        ("countries: [FRA]", story(10, 4)),
        ("place: {lat: 49.84, lon: 24.03, radius_km: 100}", story(10, 4)),
        ("place: {lat: 49.98, lon: 36.25, radius_km: 10}", story(10, 4, places=[{**LVIV, "count": 1}])),
        ("languages: [fr]", story(10, 4)),
        ("min_sources: 5", story(10, 4)),
    ],
)
def test_one_unmet_condition_silences_the_rule(condition: str, record: dict[str, Any]) -> None:
    assert fire({}, f"  - name: r\n    {condition}\n", "stories", record) == [[]]


def test_event_rule_matches_actors_by_whole_word_and_country() -> None:
    text = "  - name: forces\n    records: [events]\n    actors: [{name: forces, country: RUS}]\n"
    ((alert,),) = fire({}, text, "events", event())
    contracts.validate(contracts.ALERTS, alert)
    assert alert["subject"] == "event" and alert["event_id"] == "e-1"
    assert alert["story_id"] == "s-0123456789abcdef"
    assert alert["why"] == {"actors": [{"name": "Russian forces", "country": "RUS"}]}
    assert alert["links"] == ["https://outlet0.example/kharkiv-0"]
    assert alert["headline"] == "Russian strike hits Kharkiv power plant"
    ukrainian = event(source_actors=[actor("Ukrainian forces", "UKR")])
    part_of_a_word = event(source_actors=[actor("Russian forcesmen", "RUS")])
    assert fire({}, text, "events", ukrainian, part_of_a_word) == [[], []]


def test_event_countries_come_from_actors_and_location() -> None:
    text = "  - name: poland\n    countries: [POL]\n"
    in_poland = event(location={"name": "Rzeszow", "country": "POL", "lat": 50.04, "lon": 21.99})
    ((alert,), none) = fire({}, text, "events", in_poland, event())
    assert alert["why"] == {"countries": ["POL"]} and none == []


def test_rules_skip_records_they_do_not_read() -> None:
    text = "  - name: only-stories\n    records: [stories]\n    event_types: [ASSAULT]\n"
    assert fire({}, text, "events", event()) == [[]]
    text = "  - name: actors\n    actors: [{name: forces}]\n"
    assert fire({}, text, "stories", story(10, 4)) == [[]]


def test_one_alert_per_rule_and_story_until_it_escalates() -> None:
    text = "  - name: big\n    event_types: [ASSAULT]\n    min_sources: 3\n    escalation: [10, 30]\n"
    state: dict[str, Any] = {}
    growing = [story(minute, sources) for minute, sources in enumerate([2, 3, 4, 5, 9, 10, 12, 29, 31, 40])]
    fired = fire(state, text, "stories", *growing)
    levels = [[alert["level"] for alert in alerts] for alerts in fired]
    assert levels == [[], [1], [], [], [], [2], [], [], [3], []]
    assert len({alert["alert_id"] for alerts in fired for alert in alerts}) == 3
    # The story's events count for the same story: no second alert for what the story already fired.
    assert fire(state, text, "events", event(sources=12)) == [[]]
    # Another story fires on its own.
    ((other,),) = fire(state, text, "stories", story(20, 3, story_id="s-fedcba9876543210"))
    assert other["story_id"] == "s-fedcba9876543210" and other["level"] == 1


def test_a_story_jumping_past_two_thresholds_sends_one_alert_at_the_higher_level() -> None:
    text = "  - name: big\n    min_sources: 3\n    escalation: [10, 30]\n"
    assert [[a["level"] for a in alerts] for alerts in fire({}, text, "stories", story(1, 40))] == [[3]]


def test_events_without_a_story_are_counted_per_event() -> None:
    text = "  - name: any-assault\n    event_types: [ASSAULT]\n"
    state: dict[str, Any] = {}
    first, again = fire(state, text, "events", event(story_id=None), event(story_id=None))
    assert first[0]["story_id"] is None and again == []


def test_growth_from_successive_story_records() -> None:
    """Five new outlets within 45 minutes, measured from the story records seen (the story began earlier)."""
    text = "  - name: growing\n    records: [stories]\n    growth: {sources: 5, within_minutes: 45}\n"
    state: dict[str, Any] = {}
    timeline = [(0, 2), (20, 4), (40, 5), (50, 6), (70, 9), (80, 11)]
    records = [story(minute, sources, growth={}, first_minute=-100) for minute, sources in timeline]
    fired = fire(state, text, "stories", *records)
    # At 40 min: 5 - 2 (the first record seen); at 50: 6 - 2 (at 0 min, the last record before 5 min) = 4;
    # at 70: 9 - 4 (at 20 min) = 5; at 80: 11 - 4 = 7, already sent.
    assert [len(alerts) for alerts in fired] == [0, 0, 0, 0, 1, 0]
    assert fired[4][0]["why"] == {"growth": {"within_minutes": 45, "new_sources": 5}}


def test_growth_of_a_story_born_inside_the_window_counts_from_zero() -> None:
    text = "  - name: growing\n    records: [stories]\n    growth: {articles: 6, within_minutes: 90}\n"
    (alerts,) = fire({}, text, "stories", story(12, sources=3, articles=7, first_minute=5, growth={}))
    assert alerts[0]["why"]["growth"] == {"within_minutes": 90, "new_articles": 7}


def test_growth_uses_the_story_stage_figure_for_its_own_windows() -> None:
    text = "  - name: growing\n    records: [stories]\n    growth: {sources: 5, within_minutes: 30}\n"
    slow = story(200, sources=40, growth={"sources_last_30m": 2, "articles_last_hour": 3})
    fast = story(201, sources=41, growth={"sources_last_30m": 6, "articles_last_hour": 9})
    assert [len(alerts) for alerts in fire({}, text, "stories", slow, fast)] == [0, 1]


def test_history_is_bounded_by_the_longest_window() -> None:
    text = "  - name: growing\n    records: [stories]\n    growth: {sources: 50, within_minutes: 30}\n"
    state: dict[str, Any] = {}
    fire(state, text, "stories", *[story(minute, 1 + minute // 10, growth={}) for minute in range(0, 600, 5)])
    (history,) = [value["points"] for key, value in state.items() if key.startswith("history")]
    assert 6 <= len(history) <= 8
    assert history[-1][0] - history[1][0] <= 30 * 60


def test_expire_drops_state_not_written_for_a_week() -> None:
    text = "  - name: any\n    records: [stories]\n    growth: {sources: 1, within_minutes: 30}\n"
    parsed = rules(text)
    state: dict[str, Any] = {}
    evaluate(state, parsed, "stories", story(0, 2), NOW)
    # Another story a day later by the clock, with a record time from long ago (a replay).
    evaluate(
        state, parsed, "stories", story(-90000, 3, story_id="s-1111111111111111"), NOW + timedelta(days=1)
    )
    assert len(state) == 4
    assert expire(state, NOW + STATE_RETENTION) == 0
    assert expire(state, NOW + STATE_RETENTION + timedelta(minutes=1)) == 2
    assert all("s-1111111111111111" in key for key in state)
    assert expire(state, NOW + STATE_RETENTION + timedelta(days=1, minutes=1)) == 2 and state == {}


def test_expire_of_one_partition_leaves_the_other_stories() -> None:
    state: dict[str, Any] = {}
    text = "  - name: any\n    min_sources: 1\n"
    fire(state, text, "stories", story(0, 2), story(0, 3, story_id="s-1111111111111111"))
    later = NOW + STATE_RETENTION + timedelta(minutes=1)
    assert expire(state, later, owned=lambda subject: subject == "s-1111111111111111") == 1
    assert [key.split("\x1f")[1] for key in state] == ["s-0123456789abcdef"]


def test_no_growth_rule_keeps_no_history() -> None:
    state: dict[str, Any] = {}
    fire(state, "  - name: any\n    min_sources: 1\n", "stories", story(0, 2), story(5, 3))
    assert [key.split("\x1f")[0] for key in state] == ["fired"]


def test_kharkiv_fixture_is_within_the_radius_of_itself() -> None:
    text = f"  - name: here\n    place: {{lat: {KHARKIV['lat']}, lon: {KHARKIV['lon']}, radius_km: 1}}\n"
    ((alert,),) = fire({}, text, "events", event())
    assert alert["why"]["place"]["distance_km"] == 0.0
