"""Event dates: news states them relative to the day it is published ('on Monday', 'on the 22nd'),
so each is resolved against the publication date as the publisher dates it (no time-zone shift).
An article without a publication date is read against the full date its opening lines state (a
date line, 'Thursday, Apr 2, 2009'), and only failing that against the day it was received. A
weekday is the last one before that day, or the next one when the clause speaks of the future."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from streams.contracts import CleanArticle, parse_rfc3339
from streams.stages.extract.lexicon import words

_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
#: Heads of a date or time phrase: 'on Monday', 'Monday night', 'March 3', 'two days of talks', '5 a.m.'.
TIME_WORDS = frozenset(
    {*_WEEKDAYS, *_MONTHS, *(month[:3] for month in _MONTHS), "sept"}
    | set(
        words(
            "today tonight yesterday tomorrow morning afternoon evening night overnight noon midnight dawn "
            "dusk day days week weeks weekend month months year years hour hours minute minutes decade "
            "decades century summer winter autumn a.m. p.m."
        )
    )
)
_ORDINAL_DAY = re.compile(r"\bon the (\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_NAMES = "|".join(_MONTHS)
_MONTH_DAY = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})|({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)"
    rf"(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(rf"\b(?:(last|this|on|next)\s+)?({'|'.join(_WEEKDAYS)})\b", re.IGNORECASE)
#: Future time in the clause before a weekday: 'will meet on Friday', 'is due to vote Monday'.
_FUTURE = re.compile(
    r"\b(?:will|shall|'ll|(?:is|are|was|were)\s+(?:going|set|scheduled|due|expected|slated)\s+to|"
    r"plans?\s+to|planned\s+for|scheduled\s+for)\b",
    re.IGNORECASE,
)
#: Where a clause ends, for the future test: the weekday's verb lies after the last one of these.
_CLAUSE_BREAK = re.compile(
    r"[;:,.!?—–]|\b(?:and|but|after|before|when|while|because|said|says)\b", re.IGNORECASE
)
_MONTH_ABBREVIATIONS = {name.lower(): index for index, name in enumerate(calendar.month_abbr) if name}
#: A full date with its year, as a date line states it: 'April 5, 2018', 'Wednesday, 05 January 2011',
#: 'Apr 2, 2009', 'Dec 23 2012', '2013-09-26'. The lookahead (a digit or a month's initial) spares
#: the alternatives at most word starts: a scan of the whole text costs a third.
_FULL_DATE = re.compile(
    rf"\b(?=[\djfmasond])(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES}|{'|'.join(_MONTH_ABBREVIATIONS)}|sept)\.?,?\s+(\d{{4}})"
    rf"|({_MONTH_NAMES}|{'|'.join(_MONTH_ABBREVIATIONS)}|sept)\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})"
    r"|(\d{4})-(\d{2})-(\d{2}))\b",
    re.IGNORECASE,
)
#: A numeric date in US order under a headline: '11 / 30 / 09', '4/2/2009' (read in the opening only).
_NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})\s?/\s?(\d{1,2})\s?/\s?(\d{4}|\d{2})(?![\d/])")
#: The opening of an article where its own date stands (a date line under the headline).
_DATE_LINE_SPAN = 300
_RELATIVE_DAY = re.compile(
    r"\b(yesterday|today|tonight|this morning|this afternoon|this evening|last night)\b", re.IGNORECASE
)


def publication_date(article: CleanArticle) -> tuple[date, str]:
    """The day the article was published as the publisher dates it (no time-zone shift: a date-only
    ``published_at`` is midnight of that day, and a 'Published:' label of the page, ``page_date``, is one
    too), else the full date its opening lines state, else the day it was received; and which of the
    three ('published_at', 'text', 'received_at')."""
    if article.get("published_at_source") in ("record", "page", "dateline"):
        return parse_rfc3339(article["published_at"]).date(), "published_at"
    if article.get("page_date"):
        return date.fromisoformat(article["page_date"]), "published_at"
    stated = date_line(article["text"])
    if stated is not None:
        return stated, "text"
    return parse_rfc3339(article["received_at"]).date(), "received_at"


def date_line(text: str) -> date | None:
    """The date an undated article gives itself: the first full date (with its year) in its opening
    lines, written out or numeric, else the first full date written out anywhere in it."""
    opening = _full_date(text, _DATE_LINE_SPAN)
    if opening is not None:
        return opening
    for match in _NUMERIC_DATE.finditer(text, 0, _DATE_LINE_SPAN):
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(year if year > 99 else 2000 + year if year < 50 else 1900 + year, month, day)
        except ValueError:
            continue
    return _full_date(text, len(text))


def _full_date(text: str, end: int) -> date | None:
    for match in _FULL_DATE.finditer(text, 0, end):
        day, month, year = (
            (match.group(1), match.group(2), match.group(3))
            if match.group(1)
            else (match.group(5), match.group(4), match.group(6))
            if match.group(4)
            else (match.group(9), match.group(8), match.group(7))
        )
        number = int(month) if month.isdigit() else _month_number(month)
        try:
            return date(int(year), number, int(day))
        except ValueError:
            continue
    return None


def _month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    return _MONTHS.get(key) or _MONTH_ABBREVIATIONS.get(key[:3], 0)


def resolve_date(sentence: str, trigger_at: int, published: date) -> tuple[str, str]:
    """The event date a sentence states, relative to the publication date; ('', 'none') if it states none."""
    found: list[tuple[int, date, str]] = []
    for match in _ORDINAL_DAY.finditer(sentence):
        day = int(match.group(1))
        candidate = _day_of_month(published, day)
        if candidate is not None:
            found.append((match.start(), candidate, "day_of_month"))
    for match in _MONTH_DAY.finditer(sentence):
        day = int(match.group(1) or match.group(4))
        month = _MONTHS[(match.group(2) or match.group(3)).lower()]
        year = int(match.group(5)) if match.group(5) else published.year
        try:
            candidate = date(year, month, day)
            if not match.group(5) and candidate > published + timedelta(days=1):
                candidate = date(year - 1, month, day)  # no 29 February the year before: no date
        except ValueError:
            continue
        found.append((match.start(), candidate, "explicit"))
    for match in _WEEKDAY.finditer(sentence):
        weekday = _WEEKDAYS[match.group(2).lower()]
        back = (published.weekday() - weekday) % 7
        if (match.group(1) or "").lower() == "last" and back == 0:
            back = 7
        if (match.group(1) or "").lower() == "next" or _future(sentence, match.start()):
            back = -((weekday - published.weekday()) % 7 or 7)
        found.append((match.start(), published - timedelta(days=back), "weekday"))
    for match in _RELATIVE_DAY.finditer(sentence):
        back = 1 if match.group(1).lower() in ("yesterday", "last night") else 0
        found.append((match.start(), published - timedelta(days=back), "relative_day"))
    if not found:
        return "", "none"
    _, chosen, how = min(found, key=lambda item: abs(item[0] - trigger_at))
    return chosen.isoformat(), how


def _future(sentence: str, at: int) -> bool:
    """The clause that names a weekday at ``at`` speaks of the future ('will meet on Friday')."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, at)]
    return _FUTURE.search(sentence, breaks[-1] if breaks else 0, at) is not None


def _day_of_month(published: date, day: int) -> date | None:
    """'on the 22nd': this month, or last month when the 22nd is still ahead."""
    year, month = published.year, published.month
    if day > published.day + 1:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    try:
        return date(year, month, day)
    except ValueError:
        return None
