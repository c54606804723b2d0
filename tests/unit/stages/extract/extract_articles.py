"""Clean articles for the extract tests."""

from __future__ import annotations

from typing import Any

from streams import contracts
from streams.contracts import CleanArticle
from streams.stages.extract import Extractor


def article(text: str, language: str = "en", article_id: str = "a1", **extra: Any) -> CleanArticle:
    record: dict[str, Any] = {
        "schema_version": contracts.SCHEMA_VERSION,
        "id": article_id,
        "url": "https://news.example.com/2024/02/23/story",
        "source": None,
        "title": None,
        "text": text,
        "language": language,
        "language_confidence": 0.99,
        "language_hint": None,
        "mixed_language": False,
        "published_at": "2024-02-23T00:00:00Z",
        "published_at_source": "record",
        "received_at": "2024-02-23T00:05:00.000000Z",
        "content_hash": "0" * 16,
        "author": None,
        "dateline": None,
        "agency": None,
        "credited_source": None,
        "meta": {},
    }
    record.update(extra)
    return record  # type: ignore[return-value]


def event_types(extractor: Extractor, text: str) -> list[str]:
    """The types of the records one article of ``text`` gives, in the order they are published."""
    return [event["event_type"] for event in extractor.extract([article(text)])[0]]
