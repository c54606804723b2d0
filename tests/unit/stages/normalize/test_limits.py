"""normalize's parsing limits: each is checked before the work it bounds, with a reason of its own."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from streams import contracts
from streams.contracts import Rejected
from streams.stages.normalize import (
    MAX_ATTRIBUTES,
    MAX_ATTRIBUTES_PER_ELEMENT,
    MAX_FIELD_CHARS,
    MAX_HTML_TAGS,
    MAX_LINES,
    MAX_META_BYTES,
    MAX_META_DEPTH,
    MAX_TITLE_CHARS,
    normalize,
)

RECEIVED = datetime(2024, 2, 23, 8, 30, tzinfo=UTC)
PARAGRAPH = "The city council approved the new budget after a long debate on Tuesday evening, officials said."


def reason(raw: bytes) -> str:
    with pytest.raises(Rejected) as caught:
        normalize(raw, RECEIVED)
    return caught.value.reason


def with_meta(meta_json: str) -> bytes:
    """A record with ``meta`` written as raw JSON (orjson itself cannot write 255 levels)."""
    return orjson.dumps({"body": PARAGRAPH})[:-1] + b', "meta": ' + meta_json.encode() + b"}"


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def run(record: dict[str, Any]) -> contracts.CleanArticle:
    article = normalize(orjson.dumps(record), RECEIVED)
    contracts.validate(contracts.CLEAN, article)
    return article


# ------------------------------------------------------------------ JSON depth and sizes


@pytest.mark.parametrize("depth", [MAX_META_DEPTH + 1, 250, 254, 255, 256, 600, 1023])
def test_meta_deeper_than_the_limit_is_too_deep(depth: int) -> None:
    assert reason(with_meta(nested(depth))) == "too_deep"


def test_meta_at_the_depth_limit_passes_and_stays_serialisable_two_levels_down() -> None:
    article = normalize(with_meta(nested(MAX_META_DEPTH - 1)), RECEIVED)
    parked = {"article": article, "expected": 1}  # what dedup-route sends on dedup.reports
    assert orjson.loads(orjson.dumps(parked))["article"]["meta"] == article["meta"]


@pytest.mark.parametrize("depth", [1025, 100_000])
def test_documents_deeper_than_the_json_parser_allows_are_too_deep_not_not_json(depth: int) -> None:
    started = time.perf_counter()
    raw = b'{"body": "x", "other": ' + b"[" * depth + b"]" * depth + b"}"
    assert reason(raw) == "too_deep"
    assert time.perf_counter() - started < 0.5


def test_deep_fields_that_are_not_passed_on_do_not_matter() -> None:
    raw = orjson.dumps({"body": PARAGRAPH})[:-1] + b', "extra": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert "extra" not in normalize(raw, RECEIVED)["meta"]


def test_meta_bigger_than_the_limit_is_too_large() -> None:
    assert reason(orjson.dumps({"body": PARAGRAPH, "meta": {"blob": "x" * MAX_META_BYTES}})) == "too_large"
    assert run({"body": PARAGRAPH, "meta": {"blob": "x" * (MAX_META_BYTES - 100)}})["meta"]


@pytest.mark.parametrize("field", sorted(MAX_FIELD_CHARS))
def test_key_fields_longer_than_their_limit_are_too_large(field: str) -> None:
    record = {"body": PARAGRAPH, field: "a" * (MAX_FIELD_CHARS[field] + 1)}
    assert reason(orjson.dumps(record)) == "too_large"


def test_huge_titles_are_cut_at_a_word_boundary() -> None:
    title = "Headline words " * 200_000
    cut = run({"body": PARAGRAPH, "title": title})["title"]
    assert cut is not None and MAX_TITLE_CHARS - 15 < len(cut) <= MAX_TITLE_CHARS
    assert title.startswith(cut + " "), "cut between words"


def test_line_cleanup_looks_at_a_bounded_number_of_lines() -> None:
    started = time.perf_counter()
    body = "Share This Post\n" * (MAX_LINES + 10) + PARAGRAPH
    assert reason(orjson.dumps({"body": body})) == "empty_text"  # the paragraph is past the cut
    assert time.perf_counter() - started < 2


# ------------------------------------------------------------------ HTML tag and attribute counts


def page(body: str) -> bytes:
    return orjson.dumps({"html": f"<html><body>{body}<p>{PARAGRAPH}</p></body></html>"})


@pytest.mark.parametrize("quoted", [True, False], ids=["valued", "bare"])
def test_an_element_with_100k_attributes_is_too_complex_before_any_parsing(quoted: bool) -> None:
    attrs = " ".join(f'a{i}="{i}"' if quoted else f"a{i}" for i in range(100_000))
    raw = page(f"<div {attrs}>x</div>")
    started = time.perf_counter()
    assert reason(raw) == "too_complex"  # it cost minutes in lxml and htmldate before the check
    assert time.perf_counter() - started < 0.5


def test_attributes_per_element_limit_is_exact() -> None:
    def element(n: int) -> str:
        return "<div " + " ".join(f'x{i}="{i}"' for i in range(n)) + ">x</div>"

    assert reason(page(element(MAX_ATTRIBUTES_PER_ELEMENT + 1))) == "too_complex"
    assert PARAGRAPH in normalize(page(element(MAX_ATTRIBUTES_PER_ELEMENT)), RECEIVED)["text"]


def test_attributes_of_the_whole_page_are_bounded() -> None:
    per_element = 20
    element = "<i " + " ".join(f"d{i}=1" for i in range(per_element)) + ">x</i>"
    assert reason(page(element * (MAX_ATTRIBUTES // per_element + 1))) == "too_complex"


def test_raw_tag_count_is_checked_before_parsing() -> None:
    started = time.perf_counter()
    assert reason(page("<span>a</span>" * (MAX_HTML_TAGS + 1))) == "too_complex"
    assert time.perf_counter() - started < 1


def test_parsed_element_count_is_too_complex_too() -> None:
    assert reason(page("<div><p>x</p></div>" * 6_000)) == "too_complex"


def test_angle_brackets_without_tags_cost_one_linear_pass() -> None:
    started = time.perf_counter()
    normalize(page("<a" * 500_000), RECEIVED)
    assert time.perf_counter() - started < 3


def test_entity_definitions_are_not_expanded() -> None:
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    html = (
        f'<!DOCTYPE html [<!ENTITY l0 "lol">{laughs}]><html><body><p>&l9;</p><p>{PARAGRAPH}</p></body></html>'
    )
    started = time.perf_counter()
    article = normalize(orjson.dumps({"html": html}), RECEIVED)
    assert len(article["text"]) < 1000 and time.perf_counter() - started < 1


# ------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "published_at",
    [
        "9999-12-31T23:59:59-12:00",  # past datetime.max once in UTC: was an OverflowError (internal_error)
        "0001-01-01T00:00:00+14:00",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "9999-12-31T23:59:59Z",  # representable, but a day later is not (extract adds days)
        "0999-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
    ],
)
def test_out_of_range_dates_are_invalid_date(published_at: str) -> None:
    assert reason(orjson.dumps({"body": PARAGRAPH, "published_at": published_at})) == "invalid_date"


@pytest.mark.parametrize("published_at", ["1000-01-01T00:00:00Z", "2999-12-31T23:59:59Z"])
def test_dates_at_the_ends_of_the_range_pass(published_at: str) -> None:
    assert run({"body": PARAGRAPH, "published_at": published_at})["published_at_source"] == "record"


@pytest.mark.parametrize("published_at", ["yesterday", "0000-00-00", "2024-13-45T99:99:99Z", "\x00"])
def test_unreadable_dates_still_fall_back_to_ingest_time(published_at: str) -> None:
    article = run({"body": PARAGRAPH, "published_at": published_at})
    assert article["published_at_source"] == "ingest"
