"""Extractor: events per article in batch order, read without changing the articles."""

from __future__ import annotations

import copy

from extract_articles import article

from streams.stages import geo
from streams.stages.extract import Extractor


def test_batch_keeps_order_and_skips_other_languages(extractor: Extractor) -> None:
    german = article("Die Polizei hat am Montag zwei Demonstranten in Berlin festgenommen.", "de", "de1")
    english = article("Israeli police arrested two protesters in Jerusalem on Monday.", article_id="en1")
    results = extractor.extract([german, english])
    assert results[0] == [] and "places" not in german
    (event,) = results[1]
    assert (event["event_type"], event["mode"]) == ("COERCE", "seize")
    assert event["source_actors"][0]["country"] == "ISR" and event["source_actors"][0]["sector"] == "COP"
    assert event["location"] is not None and event["location"]["name"] == "Jerusalem"
    assert event["event_date"] == "2024-02-19" and event["date_resolution"] == "text"


def test_extract_does_not_change_its_input(extractor: Extractor) -> None:
    articles = [
        article("Die Polizei hat am Montag zwei Demonstranten in Berlin festgenommen.", "de", "de1"),
        article(
            "Turkish warplanes on Monday bombed Kurdish rebel positions in northern Iraq. Iraq condemned "
            "the strikes in Baghdad on Tuesday and said Turkey must withdraw.",
            article_id="en1",
            dateline=geo.lookup("Baghdad"),
        ),
        article("Syria said on Monday it was ready to resume peace talks with Israel.", article_id="en2"),
    ]
    before = copy.deepcopy(articles)
    results = extractor.extract(articles)
    assert results[1] and results[2], "the articles state events"
    assert articles == before


def test_places_are_those_extract_codes_with(extractor: Extractor) -> None:
    record = article("Police arrested 12 people in Paris on Saturday evening.")
    (events,) = extractor.extract([record])
    places = extractor.places(record)
    assert [e["location"] for e in events] and all(e["location"] in places for e in events)
    assert extractor.places(article("Die Polizei hat in Paris zwölf Menschen festgenommen.", "de")) == []
