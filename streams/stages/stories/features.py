"""What an article brings to story assignment: weighted terms and the dedup stage's lead embedding.

Terms are language-neutral on purpose (a Spanish report must meet the English one): capitalised
names and pairs of them, numbers, years and months that the text states, the gazetteer's places and
the extracted event types. A story is told by its names, places and dates; topic words alone cannot
tell two celebrity rehab check-ins apart. Why these kinds and weights: docs/stories.md.
"""

from __future__ import annotations

import base64
import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from streams.contracts import CleanArticle, Event, Place, StoryArticle, parse_rfc3339
from streams.stages.stories import expiry
from streams.stages.text import sentences

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan",
            "february feb",
            "march mar",
            "april apr",
            "may",
            "june jun",
            "july jul",
            "august aug",
            "september sep sept",
            "october oct",
            "november nov",
            "december dec",
        ),
        start=1,
    )
    for name in names.split()
}
#: Capitalised words that name no story: function words that open a headline word, weekdays, months.
_NOT_NAMES = frozenset(
    re.findall(
        r"\w+",
        "the a an and or but of in on at to for with by from as is are was were this that these those "
        "he she it they we you i his her its their our my your mr mrs ms dr monday "
        "tuesday wednesday thursday friday saturday sunday today yesterday tomorrow",
    )
) | frozenset(_MONTHS)
_NAME = re.compile(r"[^\W\d_][\w'’-]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR = re.compile(r"\b(?:19[5-9]\d|20\d\d)\b")
_MONTH_YEAR = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?((?:19|20)\d\d)\b")


@dataclass(frozen=True)
class StoryConfig:
    """Tunable knobs; the defaults are the calibrated ones (docs/stories.md)."""

    window_hours: float = 72.0
    #: An article joins the best candidate story scoring at least this, else it founds a story.
    join_threshold: float = 0.3
    #: A story's articles are published as two stories when their two halves (``parts.divide``) are on
    #: average less similar than this share of the looser half's own spread (0: never).
    split: float = 0.82
    #: Articles a story keeps for that division (the most recent).
    split_members: int = 32
    #: Share of the score from the embedding cosine; the rest is the weighted term cosine.
    embedding_weight: float = 0.3
    #: Weight of each term kind in the term vector (n: name, b: name pair, #: number, y: year,
    #: d: month, p: place, t: event type).
    kind_weights: tuple[tuple[str, float], ...] = (
        ("n", 1.0),
        ("b", 1.0),
        ("#", 0.5),
        ("y", 1.0),
        ("d", 1.0),
        ("p", 0.7),
        ("t", 0.3),
    )
    #: Names in the title and the first sentences (who and where the news is about) count this much more.
    lead_sentences: int = 3
    lead_boost: int = 1
    #: Stories kept per term bucket (the most recently updated); a term in more stories names none.
    bucket_cap: int = 64
    #: Seconds between two records of one story on the ``stories`` topic (the last change is kept).
    publish_interval: float = 10.0
    #: Articles listed in a story record (the most recent).
    record_articles: int = 20

    @property
    def window_seconds(self) -> float:
        return self.window_hours * 3600.0

    @property
    def slot_seconds(self) -> float:
        """Width of the expiry index's time slots."""
        return expiry.slot_seconds(self.window_seconds)

    def weight(self, kind: str) -> float:
        return dict(self.kind_weights).get(kind, 0.0)


DEFAULT = StoryConfig()


@dataclass
class Features:
    """An article as story assignment sees it."""

    article: StoryArticle
    ts: float  # publication time, epoch seconds
    terms: dict[str, int]  # term → count in the article
    embedding: str  # base64 int8 lead embedding (dedup's), "" when the article has none
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def _terms(text: str, places: Sequence[Place], events: Sequence[Event], config: StoryConfig) -> Counter[str]:
    terms: Counter[str] = Counter()
    for number, (start, end) in enumerate(sentences(text)):
        weight = 1 + (config.lead_boost if number < config.lead_sentences else 0)
        words = _NAME.findall(text, start, end)
        capitalised = [w[0].isupper() and w.casefold() not in _NOT_NAMES and len(w) > 2 for w in words]
        for position, word in enumerate(words):
            if position and capitalised[position]:  # a sentence's first word is capitalised anyway
                terms[f"n:{word.casefold()}"] += weight
        for (one, first), (two, second) in zip(
            zip(words, capitalised, strict=True), zip(words[1:], capitalised[1:], strict=True), strict=False
        ):
            if first and second:
                terms[f"b:{one.casefold()} {two.casefold()}"] += weight
    for number in _NUMBER.findall(text):
        digits = re.sub(r"\D", "", number)
        if len(digits) >= 2 and not _YEAR.fullmatch(number):
            terms[f"#:{digits}"] += 1
    for year in _YEAR.findall(text):
        terms[f"y:{year}"] += 1
    for word, year in _MONTH_YEAR.findall(text):
        month = _MONTHS.get(word.casefold())
        if month:
            terms[f"d:{year}-{month:02d}"] += 1
    for place in places:
        if place.get("geonameid"):
            terms[f"p:{place['geonameid']}"] += 1
    for event in events:
        terms[f"t:{event['event_type']}"] += 1
    return terms


def features(
    article: CleanArticle,
    events: Sequence[Event] = (),
    places: Sequence[Place] = (),
    config: StoryConfig = DEFAULT,
) -> Features:
    """The article's features; its lead embedding comes from dedup (``lead_embedding`` on the record)."""
    text = f"{article.get('title') or ''}\n{article['text']}"
    return Features(
        article={
            "id": article["id"],
            "url": article.get("url"),
            "title": article.get("title") or _first_line(article["text"]),
            "source": article.get("source") or urlsplit(article.get("url") or "").hostname or None,
            "language": article.get("language") or "und",
            "seen": article["received_at"],
        },
        ts=parse_rfc3339(article["published_at"]).timestamp(),
        terms=dict(_terms(text, places, events, config)),
        embedding=article.get("lead_embedding") or "",
        places=list(places),
        events=list(events),
    )


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip()
    return line[:300] or None


@functools.lru_cache(maxsize=4096)
def unit_vector(encoded: str) -> npt.NDArray[np.float32]:
    """The int8 embedding as a float unit vector (zeros when absent), read-only. Cached: a story's centroid
    and an article in flight are decoded again by every probe that meets them (3.5 % of a worker's event
    loop in a burst, docs/performance.md)."""
    if not encoded:
        vector = np.zeros(0, dtype=np.float32)
    else:
        vector = np.frombuffer(base64.b64decode(encoded), dtype=np.int8).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        vector = vector / norm if norm else vector
    vector.setflags(write=False)
    return vector


def encode_vector(vector: npt.NDArray[np.float32]) -> str:
    """A centroid as the same int8 base64 form dedup uses for a lead."""
    norm = float(np.linalg.norm(vector))
    unit = vector / norm if norm else vector
    return base64.b64encode(np.clip(np.rint(unit * 512), -127, 127).astype(np.int8).tobytes()).decode("ascii")
