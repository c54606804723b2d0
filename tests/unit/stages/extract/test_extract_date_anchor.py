"""Dates: weekdays by tense, and an undated article read against the date its opening states."""

from __future__ import annotations

from datetime import date

import pytest
from extract_articles import article

from streams.stages.extract import Extractor
from streams.stages.extract.dates import date_line, publication_date, resolve_date

WEDNESDAY = date(2024, 2, 21)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The council voted on Monday.", "2024-02-19"),
        ("The council will vote on Monday.", "2024-02-26"),
        ("Talks are scheduled to resume Friday.", "2024-02-23"),
        ("Police arrested him Friday and said he will appear in court Monday.", "2024-02-16"),
    ],
)
def test_a_weekday_is_the_last_one_unless_the_clause_speaks_of_the_future(
    sentence: str, expected: str
) -> None:
    at = sentence.index("arrested") if "arrested" in sentence else 0
    assert resolve_date(sentence, at, WEDNESDAY) == (expected, "weekday")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Jailed reporter freed, Tbilisi, Georgia, April 5, 2018.\n\nThere was good news today.",
            date(2018, 4, 5),
        ),
        ("Team signs a guard\nWednesday, 05 January 2011\nThe team said on Wednesday.", date(2011, 1, 5)),
        ("Hire a driver!\nThursday, Apr 2, 2009 | Updated 1:32 PM\nThe office said.", date(2009, 4, 2)),
        ("Inmate escapes\n11 / 30 / 09 05:40 PM ET\nA convict pulled a gun.", date(2009, 11, 30)),
        ("Election to have two parties 2013-09-26 For the first time", date(2013, 9, 26)),
        ("No date here at all.", None),
    ],
)
def test_date_line(text: str, expected: date | None) -> None:
    assert date_line(text) == expected


def test_an_undated_article_is_read_against_its_own_date_line() -> None:
    undated = article(
        "Fire destroys church\nSunday, 9 March 2014\nThe church burned on Saturday.",
        published_at=None,
        published_at_source="ingest",
    )
    anchor, resolution = publication_date(undated)
    assert (anchor, resolution) == (date(2014, 3, 9), "text")
    assert resolve_date("The church burned on Saturday.", 0, anchor) == ("2014-03-08", "weekday")


def test_without_any_date_the_day_received_is_used() -> None:
    undated = article("The church burned on Saturday.", published_at=None, published_at_source="ingest")
    assert publication_date(undated) == (date(2024, 2, 23), "received_at")


def test_a_published_label_the_page_left_in_its_text_dates_an_undated_article() -> None:
    labelled = article(
        "The church burned on Saturday.",
        published_at=None,
        published_at_source="ingest",
        page_date="2014-03-09",
    )
    assert publication_date(labelled) == (date(2014, 3, 9), "published_at")


def test_the_news_told_on_from_the_opening_happened_on_its_day(extractor: Extractor) -> None:
    text = (
        "Thousands of traders marched on parliament in Nairobi on Tuesday against a new fuel levy. "
        "Police arrested 43 people, a police spokeswoman said."
    )
    events = {e["event_type"]: e for e in extractor.extract([article(text)])[0]}
    assert events["PROTEST"]["event_date"] == events["COERCE"]["event_date"] == "2024-02-20"
    assert events["COERCE"]["date_resolution"] == "text"
