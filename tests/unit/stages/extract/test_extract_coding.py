"""Event coding: the type an event is stated with, through reported speech and promises."""

from __future__ import annotations

from extract_articles import article

from streams.stages.extract import Extractor


def test_reported_speech_is_attributed(extractor: Extractor) -> None:
    text = "Officials in Washington said Iran threatened to close the Strait of Hormuz to American ships."
    (events,) = extractor.extract([article(text)])
    threat = max(events, key=lambda e: e["confidence"])
    assert threat["event_type"] == "THREATEN"
    assert threat["source_actors"][0]["country"] == "IRN"
    assert threat["quotes"] and threat["quotes"][0]["speaker"].startswith("Officials")
    quote = threat["quotes"][0]
    assert text[quote["start"] - 0 : quote["end"]] == quote["text"]
