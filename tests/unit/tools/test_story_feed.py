"""One story told by five outlets in three languages, plus two reprints of the wire copy and an unrelated
story, replayed through normalize → dedup → extract → stories as the workers chain them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from streams import contracts
from streams.stages import stories
from streams.tools.eval.replay import replay_stories

FEED = Path(__file__).parents[2] / "data" / "story-valencia.jsonl"
OUTLETS = ["valencia-wire", "valencia-daily", "valencia-es", "valencia-globe", "valencia-nl"]


def test_five_outlets_three_languages_and_reprints_make_one_story_with_exact_counts() -> None:
    config = dataclasses.replace(stories.DEFAULT, publish_interval=0)  # every change is a record
    replay, _ = replay_stories(FEED.read_bytes().splitlines(), config)
    story_of = replay.stream.story_of()
    valencia = stories.story_id("valencia-wire")  # founded by the first report to arrive
    assert {story_of[a] for a in [*OUTLETS, "valencia-wire-reprint-1", "valencia-wire-reprint-2"]} == {
        valencia
    }
    assert story_of["lyon-strike"] == stories.story_id("lyon-strike")
    latest = {record["story_id"]: record for record in replay.stories}
    for record in replay.stories:
        contracts.validate(contracts.STORIES, record)
    story = latest[valencia]
    assert (story["num_articles"], story["num_mentions"], story["num_sources"]) == (5, 7, 5)
    assert story["languages"] == ["en", "es", "nl"] and story["countries"][0] == "ESP"
    assert story["headline"] == "Spanish police arrest 43 after Valencia housing protest turns violent"
    assert [a["id"] for a in story["articles"]] == list(reversed(OUTLETS))
    assert story["growth"] == {"articles_last_hour": 5, "sources_last_30m": 5}  # replayed within seconds
    assert any(place["name"] == "Valencia" and place["country"] == "ESP" for place in story["places"])
    events = {event["event_id"]: event for event in replay.events}  # the latest version of each
    for event in events.values():
        contracts.validate(contracts.EVENTS, event)
        assert event["story_id"] in latest
    arrests = [e for e in events.values() if e["story_id"] == valencia and e["event_type"] == "COERCE"]
    (arrest,) = arrests  # the arrests, reported by the three English outlets, are one event
    assert arrest["article_ids"] == ["valencia-wire", "valencia-daily", "valencia-globe"]
    assert (arrest["num_articles"], arrest["num_sources"], arrest["languages"]) == (3, 3, ["en"])
    assert arrest["first_seen"] < arrest["last_seen"]
    assert sorted(story["event_ids"]) == sorted(
        e["event_id"] for e in events.values() if e["story_id"] == valencia
    )
