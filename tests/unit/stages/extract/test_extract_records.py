"""Event records: a real article's events, merged across sentences, follow the events contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from extract_articles import article

from streams import contracts
from streams.contracts import CleanArticle, Event
from streams.stages.extract import Extractor

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "raw-article-trilateral-ministers.txt"
DEBRIS = {
    "No menu items!",
    "Share This Post",
    "- Advertisement -",
    "[워싱턴=뉴시스]",
    "Source: Donga",
    "Related Posts",
}


@pytest.fixture(scope="module")
def sample(extractor: Extractor) -> tuple[CleanArticle, list[Event]]:
    lines = (line.strip() for line in SAMPLE.read_text("utf-8").splitlines())
    text = "\n\n".join(line for line in lines if line and line not in DEBRIS)
    record = article(text, article_id="trilateral")
    return record, extractor.extract([record])[0]


def _countries(event: Event) -> set[str | None]:
    return {a["country"] for a in (*event["source_actors"], *event["target_actors"])}


def test_sample_consult_in_rio_on_the_22nd(sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    consult = next(e for e in events if e["event_type"] == "CONSULT")
    assert {"KOR", "USA", "JPN"} <= _countries(consult)
    assert all(a["sector"] == "GOV" for a in consult["source_actors"])
    location = consult["location"]
    assert location is not None
    assert (location["name"], location["country"]) == ("Rio de Janeiro", "BRA")
    assert record["text"][location["start"] : location["end"]] == "Rio de Janeiro"
    assert (consult["event_date"], consult["date_resolution"]) == ("2024-02-22", "text")
    evidence = consult["evidence"]
    assert record["text"][evidence["start"] : evidence["end"]] == evidence["sentence"]
    # Two sentences tell the meeting; the record keeps one of them whole, with its own trigger.
    retellings = {"met in Brazil on the 22nd": "met", "held talks between Korea": "held talks"}
    (trigger,) = [t for words, t in retellings.items() if words in evidence["sentence"]]
    assert (
        record["text"][evidence["trigger_start"] : evidence["trigger_end"]] == evidence["trigger"] == trigger
    )
    for actor in consult["source_actors"]:
        assert record["text"][actor["start"] : actor["end"]] == actor["text"]
    assert (consult["cameo_root"], consult["quad_class"]) == ("04", 1)


def test_sample_agreement_to_cooperate_with_the_same_actors(sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    consult = next(e for e in events if e["event_type"] == "CONSULT")
    agree = next(e for e in events if e["event_type"] in ("AGREE", "COOPERATE"))
    assert {"KOR", "USA", "JPN"} <= _countries(agree)
    evidence = agree["evidence"]
    assert record["text"][evidence["start"] : evidence["end"]] == evidence["sentence"]
    assert "decided to strengthen cooperation" in evidence["sentence"]
    assert evidence["trigger"] == "strengthen"
    assert agree["event_date"] == "2024-02-22"
    assert agree["event_id"] != consult["event_id"]


def test_records_follow_the_events_contract(
    extractor: Extractor, sample: tuple[CleanArticle, list[Event]]
) -> None:
    record, events = sample
    assert events
    for event in events:
        contracts.validate(contracts.EVENTS, event)
        assert event["article_ids"] == ["trilateral"]
        assert event["sources"] == ["news.example.com"] and event["num_sources"] == 1
        assert event["languages"] == ["en"] and event["first_seen"] == record["received_at"]
        assert 0 < event["confidence"] <= 1
    places = extractor.places(record)
    assert places and all(record["text"][p["start"] : p["end"]] == p["text"] for p in places)


def test_event_ids_are_deterministic(extractor: Extractor, sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    again = extractor.extract([dict(record)])[0]  # type: ignore[list-item]
    assert [e["event_id"] for e in again] == [e["event_id"] for e in events]
