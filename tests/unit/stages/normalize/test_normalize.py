"""The normalize stage end to end: raw bytes in, a schema-valid clean article or a dead-letter reason out."""

from __future__ import annotations

import hashlib
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams import contracts
from streams.contracts import CleanArticle, Rejected
from streams.stages.normalize import MAX_ELEMENTS, MAX_RAW_BYTES, MAX_TEXT_CHARS, canonical, normalize

DATA = Path(__file__).resolve().parents[3] / "data"
RECEIVED = datetime(2024, 2, 23, 8, 30, tzinfo=UTC)
PARAGRAPH = "The city council approved the new budget after a long debate on Tuesday evening, officials said."


def run(record: dict[str, Any], received_at: datetime = RECEIVED) -> CleanArticle:
    article = normalize(orjson.dumps(record), received_at)
    contracts.validate(contracts.CLEAN, article)
    return article


def rejected(raw: bytes) -> str:
    with pytest.raises(Rejected) as caught:
        normalize(raw, RECEIVED)
    return caught.value.reason


@pytest.fixture(scope="module")
def sample() -> CleanArticle:
    body = (DATA / "raw-article-trilateral-ministers.txt").read_text("utf-8")
    return run(
        {"body": body, "url": "https://example.com/trilateral", "published_at": "2024-02-23T09:00:00+09:00"}
    )


@pytest.fixture(scope="module")
def html_page() -> dict[str, Any]:
    with (DATA / "eval" / "cleaning" / "articles.jsonl").open("rb") as handle:
        pages = [orjson.loads(line) for line in handle]
    page: dict[str, Any] = next(p for p in pages if "sciencealert.com" in p["url"])
    return page


def test_sample_article_metadata(sample: CleanArticle) -> None:
    assert sample["dateline"] is not None
    assert (sample["dateline"]["name"], sample["dateline"]["country"]) == ("Washington", "USA")
    assert sample["agency"] == "Newsis"
    assert sample["credited_source"] == "Donga Ilbo"
    assert sample["language"] == "en" and sample["language_confidence"] > 0.8
    assert sample["mixed_language"] is False
    assert sample["published_at"] == "2024-02-23T00:00:00.000000Z"
    assert sample["published_at_source"] == "record"


def test_sample_article_has_none_of_its_debris(sample: CleanArticle) -> None:
    text = sample["text"]
    for debris in (
        "No menu items",
        "Share This Post",
        "Advertisement",
        "Related Posts",
        "뉴시스",
        "Source: Donga",
    ):
        assert debris not in text
    assert text.startswith("Korea, the United States, and Japan hold their first foreign ministerial meeting")
    assert text.endswith("increase humanitarian aid to Palestinian citizens.”")
    assert "met in Brazil on the 22nd (local time)" in text


def test_sample_article_id_comes_from_the_url(sample: CleanArticle) -> None:
    assert sample["id"] == "u:" + hashlib.sha1(b"https://example.com/trilateral").hexdigest()[:16]


def test_output_has_exactly_the_contract_keys(sample: CleanArticle) -> None:
    # places and lead_embedding are not normalize's to set; page_date only for an undated article
    expected = set(CleanArticle.__annotations__) - {"places", "lead_embedding", "page_date"}
    assert set(sample) == expected
    assert sample["schema_version"] == contracts.SCHEMA_VERSION


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b'{"body": "caf\xe9"}', "invalid_utf8"),
        (b"{body: 1", "not_json"),
        (b'["a list"]', "not_object"),
        (b'"just a string"', "not_object"),
        (b'{"body": 42}', "wrong_type"),
        (b'{"body": "text", "title": ["x"]}', "wrong_type"),
        (b'{"body": "text", "published_at": 1700000000}', "wrong_type"),
        (b'{"body": "text", "meta": "not an object"}', "wrong_type"),
        (b'{"title": "Headline only"}', "missing_content"),
        (b'{"body": "   ", "html": null}', "missing_content"),
        (b'{"body": "Share This Post\\n- Advertisement -\\nRelated Posts"}', "empty_text"),
        (b'{"html": "<html><head><script>var x = 1;</script></head><body></body></html>"}', "empty_text"),
    ],
)
def test_bad_records_get_their_dead_letter_reason(raw: bytes, reason: str) -> None:
    assert rejected(raw) == reason


def test_oversized_raw_is_rejected_before_parsing() -> None:
    started = time.perf_counter()
    raw = b'{"html": "<script>' + b"x" * (20 * 1024 * 1024) + b'</script>"'  # also invalid JSON: never parsed
    assert rejected(raw) == "too_large"
    assert time.perf_counter() - started < 0.5
    assert MAX_RAW_BYTES == 4 * 1024 * 1024


def test_ids_given_else_url_else_content() -> None:
    assert run({"id": "abc", "body": PARAGRAPH})["id"] == "abc"
    by_url = run({"url": "https://x.org/a", "body": PARAGRAPH})
    assert by_url["id"] == "u:" + hashlib.sha1(b"https://x.org/a").hexdigest()[:16]
    by_content = run({"body": PARAGRAPH})
    assert by_content["id"] == "c:" + hashlib.sha1(by_content["content_hash"].encode()).hexdigest()[:16]
    assert run({"body": PARAGRAPH})["id"] == by_content["id"]


def test_reprints_in_other_unicode_and_whitespace_forms_share_a_hash() -> None:
    original = "“We will act,” the minister said — in Seoul.\n\nTalks resume on Monday."
    reprint = '"We will act,"  the minister\u00a0said - in Ｓｅｏｕｌ.\r\nTalks resume on Monday. '
    first, second = run({"body": original}), run({"body": reprint})
    assert first["content_hash"] == second["content_hash"]
    assert first["content_hash"] == hashlib.sha256(canonical(first["text"]).encode()).hexdigest()
    assert "“We will act,”" in first["text"]  # display text keeps the source's quotes
    assert run({"body": original.replace("Monday", "Tuesday")})["content_hash"] != first["content_hash"]


def test_display_text_is_nfc_without_control_or_zero_width_characters() -> None:
    article = run(
        {"body": "Cafe\u0301 owners\u200b met the\x07 mayor.\u00a0\u00a0Again.\u2028Second paragraph here."}
    )
    assert article["text"] == "Café owners met the mayor. Again.\nSecond paragraph here."


def test_record_title_never_enters_the_text() -> None:
    title = "Council approves budget after marathon session"
    article = run({"title": title, "body": f"{title}\n\n{PARAGRAPH}"})
    assert article["title"] == title
    assert article["text"] == PARAGRAPH


@pytest.mark.parametrize(
    ("published_at", "expected"),
    [
        ("2024-02-22T15:04:05+09:00", "2024-02-22T06:04:05.000000Z"),
        ("2024-02-22T06:04:05Z", "2024-02-22T06:04:05.000000Z"),
        ("2024-02-22T06:04:05", "2024-02-22T06:04:05.000000Z"),
        ("Thu, 22 Feb 2024 06:04:05 +0000", "2024-02-22T06:04:05.000000Z"),
    ],
)
def test_record_dates_are_normalised_to_utc(published_at: str, expected: str) -> None:
    article = run({"body": PARAGRAPH, "published_at": published_at})
    assert (article["published_at"], article["published_at_source"]) == (expected, "record")


def test_dateline_date_is_used_when_the_record_has_none() -> None:
    body = "MOSCOW, Feb 22 (Reuters) - Russia's central bank kept its key rate unchanged on Thursday."
    article = run({"body": body})
    assert (article["published_at"], article["published_at_source"]) == (
        "2024-02-22T00:00:00.000000Z",
        "dateline",
    )
    assert article["text"] == "Russia's central bank kept its key rate unchanged on Thursday."
    january = run({"body": body.replace("Feb 22", "Dec 30")}, datetime(2025, 1, 2, tzinfo=UTC))
    assert january["published_at"] == "2024-12-30T00:00:00.000000Z"


def test_unparseable_or_missing_date_falls_back_to_ingest_time() -> None:
    for record in ({"body": PARAGRAPH}, {"body": PARAGRAPH, "published_at": "sometime last week"}):
        article = run(record)
        assert (article["published_at"], article["published_at_source"]) == (
            contracts.rfc3339(RECEIVED),
            "ingest",
        )
    assert run({"body": PARAGRAPH})["received_at"] == "2024-02-23T08:30:00.000000Z"


def test_html_page_gives_text_title_author_and_date(html_page: dict[str, Any]) -> None:
    article = run(html_page)
    assert (
        article["title"]
        == "NASA Just Confirmed There Are Water Plumes Above The Surface of Jupiter's Moon Europa"
    )
    assert article["author"] == "Victor Tangermann; Futurism"
    assert (article["published_at"], article["published_at_source"]) == (
        "2019-11-18T00:00:00.000000Z",
        "page",
    )
    assert article["text"].startswith("A team led by researchers out of NASA's Goddard Space Flight Center")
    assert article["title"] not in article["text"]
    assert article["language"] == "en"


def test_page_chrome_is_dropped_but_json_ld_article_body_still_counts() -> None:
    chrome = (
        "<nav><a href='/'>Home</a> <a href='/world'>World news and analysis from our desk</a></nav>"
        "<aside><p>Most read: celebrity chef opens a second restaurant in the harbour district.</p></aside>"
        "<script>var tracker = 'Subscribe today and read unlimited articles on every device';</script>"
        "<footer><p>Copyright 2024 Example Media Group. All rights reserved worldwide.</p></footer>"
    )
    paragraphs = "".join(f"<p>{PARAGRAPH} Paragraph {n} adds detail.</p>" for n in range(4))
    page = f"<html><body>{chrome}<article>{paragraphs}</article>{chrome}</body></html>"
    text = run({"html": page})["text"]
    assert text.startswith(PARAGRAPH) and "Paragraph 3 adds detail." in text
    for debris in ("World news", "celebrity chef", "tracker", "Subscribe", "Copyright"):
        assert debris not in text

    body = " ".join([PARAGRAPH] * 4)
    ld = orjson.dumps({"@type": "NewsArticle", "headline": "Budget passes", "articleBody": body}).decode()
    head = f'<head><script type="application/ld+json">{ld}</script></head>'
    only_ld = f"<html>{head}<body><div></div></body></html>"
    assert PARAGRAPH in run({"html": only_ld})["text"]


def test_record_fields_win_over_the_page_and_body_wins_over_html(html_page: dict[str, Any]) -> None:
    record = {**html_page, "title": "Our headline", "published_at": "2019-11-19T10:00:00Z", "body": PARAGRAPH}
    article = run(record)
    assert (article["title"], article["text"]) == ("Our headline", PARAGRAPH)
    assert article["published_at_source"] == "record"
    assert article["author"] == "Victor Tangermann; Futurism"


@pytest.mark.parametrize(
    ("body", "language"),
    [
        (PARAGRAPH, "en"),
        ("정부는 22일 내년도 예산안을 발표했다. 예산 규모는 올해보다 3% 늘어난 수준이다.", "ko"),
        ("中国外務省の報道官は22日の記者会見で、日本政府の対応を強く批判した。", "ja"),
        ("国务院总理22日主持召开国务院常务会议，研究部署稳经济的措施。", "zh"),
        ("Le gouvernement a présenté mercredi son projet de loi sur l'immigration au Parlement.", "fr"),
        ("Die Bundesregierung will die Schuldenbremse im kommenden Jahr wieder einhalten.", "de"),
        ("El Gobierno aprobó este jueves la reforma de la ley de vivienda en el Congreso.", "es"),
        ("Президент России провел совещание с постоянными членами Совета безопасности.", "ru"),
    ],
)
def test_language_is_identified(body: str, language: str) -> None:
    article = run({"body": body, "language": "en"})
    assert article["language"] == language
    assert article["language_hint"] == "en"
    assert 0 < article["language_confidence"] <= 1


def test_hint_decides_only_when_the_detector_is_unsure() -> None:
    unsure = run({"body": "Bom dia", "language": "pt-BR"})
    assert (unsure["language"], unsure["language_hint"]) == ("pt", "pt-BR")
    assert run({"body": "Taxi", "language": "de"})["language"] == "de"
    assert run({"body": "Taxi"})["language"] == "und"
    overridden = run({"body": PARAGRAPH, "language": "pt"})
    assert (overridden["language"], overridden["language_hint"]) == ("en", "pt")


def test_text_mixing_languages_is_flagged() -> None:
    korean = (
        "한미일 외교장관은 22일 브라질 리우데자네이루에서 회담을 열고 "
        "북한 문제에 대한 긴밀한 공조를 재확인했다고 외교부가 밝혔다."
    )
    english = "The foreign ministers of Korea, the United States and Japan met in Rio de Janeiro on the 22nd."
    assert run({"body": f"{english}\n{korean}\n{english}\n{korean}"})["mixed_language"] is True
    assert run({"body": f"{english}\n{english} Again.\n{english} Once more."})["mixed_language"] is False


def test_meta_passes_through_and_output_is_deterministic() -> None:
    record = {"body": PARAGRAPH, "meta": {"feed": "demo", "rank": 3}}
    assert run(record)["meta"] == {"feed": "demo", "rank": 3}
    assert run(record) == run(record)


def test_cleaned_text_is_capped() -> None:
    body = "\n".join(
        f"Paragraph {i}: " + "the council debated the budget at length. " * 10 for i in range(600)
    )
    text = run({"body": body})["text"]
    assert len(text) <= MAX_TEXT_CHARS and text.endswith("at length.")


@pytest.mark.parametrize(
    "html",
    [
        "<html><body>" + "<div>" * 20_000 + f"<p>{PARAGRAPH}</p>" + "</div>" * 20_000 + "</body></html>",
        "<html><body><script>" + "var a=1;" * 400_000 + f"</script><p>{PARAGRAPH}</p></body></html>",
        "<html><body><p>" + "<b><i>text " * 30_000 + f"</p><p>{PARAGRAPH}</p></body></html>",
        "<html><body>" + "<span>a</span>" * 100_000 + f"<p>{PARAGRAPH}</p></body></html>",
        "<html><body>" + "<div><p>x</p></div>" * 20_000 + f"<p>{PARAGRAPH}</p></body></html>",
        f"<html><body><p>{PARAGRAPH}\x00\x01\x0b\ufeff</p></body></html>",
    ],
    ids=["deep-nesting", "3MB-script", "unclosed-tags", "100k-inline-tags", "40k-elements", "control-chars"],
)
def test_pathological_pages_finish_fast_with_text_or_a_reason(html: str) -> None:
    raw = orjson.dumps({"html": html})
    assert len(raw) <= MAX_RAW_BYTES
    started = time.process_time()
    try:
        article = normalize(raw, RECEIVED)
        assert PARAGRAPH in article["text"] or "text text" in article["text"]
    except Rejected as exc:
        assert exc.reason in {"empty_text", "too_complex"}
    assert time.process_time() - started < 10


def test_element_cap_rejects_pages_that_would_stall_the_extractor() -> None:
    html = "<html><body>" + "<div><p>x</p></div>" * MAX_ELEMENTS + "</body></html>"
    assert rejected(orjson.dumps({"html": html})) == "too_complex"


def test_cleaning_never_touches_the_network(
    monkeypatch: pytest.MonkeyPatch, html_page: dict[str, Any]
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("normalize tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert run(html_page)["text"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Date Published: Tuesday, March 11, 2014", "2014-03-11"),
        ("UPDATED: 19:14 GMT, 10 March 2014", "2014-03-10"),
        ("Posted 09:00 | Updated: March 10, 2014 5:50 PM ET", "2014-03-10"),
        ("Updated: 2 hours ago", None),
    ],
)
def test_a_published_label_dates_the_article_for_extract_not_for_dedup(
    label: str, expected: str | None
) -> None:
    clean = run({"body": f"Fire destroys church\n{label}\nThe church in Leeds burned on Saturday night."})
    assert clean.get("page_date") == expected
    assert clean["published_at_source"] == "ingest"
    dated = run({"body": f"{label}\nThe church burned.", "published_at": "2014-03-12T08:00:00Z"})
    assert "page_date" not in dated
