"""Dates: what a sentence states, resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from streams.stages.extract.dates import resolve_date


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("They met on the 22nd (local time).", ("2024-02-22", "day_of_month")),
        ("They met on the 28th.", ("2024-01-28", "day_of_month")),
        ("Talks resumed last Tuesday.", ("2024-02-20", "weekday")),
        ("Troops withdrew yesterday.", ("2024-02-22", "relative_day")),
        ("The deal was signed on February 2, 2023.", ("2023-02-02", "explicit")),
        ("The deal was signed.", ("", "none")),
    ],
)
def test_resolve_date(sentence: str, expected: tuple[str, str]) -> None:
    assert resolve_date(sentence, 0, date(2024, 2, 23)) == expected


def test_a_29_february_ahead_of_publication_with_none_the_year_before_is_no_date() -> None:
    """A month-day ahead of the publication date is last year's; 29 February has no last year's."""
    assert resolve_date("The talks set for February 29 were held.", 0, date(2028, 2, 10)) == ("", "none")
    assert resolve_date("They met on March 3.", 0, date(2028, 2, 10)) == ("2027-03-03", "explicit")
