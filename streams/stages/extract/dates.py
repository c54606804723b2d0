"""Event dates: news states them relative to the day it is published ('on Monday', 'on the 22nd'),
so each is resolved against the publication date, in the dateline's time zone when there is one."""

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
_RELATIVE_DAY = re.compile(
    r"\b(yesterday|today|tonight|this morning|this afternoon|this evening|last night)\b", re.IGNORECASE
)


def publication_date(article: CleanArticle) -> tuple[date, str]:
    """The day the article was published as the publisher dates it (no time-zone shift: a date-only
    ``published_at`` is midnight of that day), else the day it was received; and which of the two."""
    if article.get("published_at_source") in ("record", "page", "dateline"):
        return parse_rfc3339(article["published_at"]).date(), "published_at"
    return parse_rfc3339(article["received_at"]).date(), "received_at"


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
        except ValueError:
            continue
        if not match.group(5) and candidate > published + timedelta(days=1):
            candidate = candidate.replace(year=year - 1)
        found.append((match.start(), candidate, "explicit"))
    for match in _WEEKDAY.finditer(sentence):
        weekday = _WEEKDAYS[match.group(2).lower()]
        back = (published.weekday() - weekday) % 7
        if (match.group(1) or "").lower() == "last" and back == 0:
            back = 7
        if (match.group(1) or "").lower() == "next":
            back = -((weekday - published.weekday()) % 7 or 7)
        found.append((match.start(), published - timedelta(days=back), "weekday"))
    for match in _RELATIVE_DAY.finditer(sentence):
        back = 1 if match.group(1).lower() in ("yesterday", "last night") else 0
        found.append((match.start(), published - timedelta(days=back), "relative_day"))
    if not found:
        return "", "none"
    _, chosen, how = min(found, key=lambda item: abs(item[0] - trigger_at))
    return chosen.isoformat(), how


def _day_of_month(published: date, day: int) -> date | None:
    """'on the 22nd': this month, or last month when the 22nd is still ahead."""
    year, month = published.year, published.month
    if day > published.day + 1:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    try:
        return date(year, month, day)
    except ValueError:
        return None
