"""Fault injection on the real worker: a hostile corpus mixed with good articles, exact accounting.

Every input is accounted for exactly once at normalize: dead-lettered (found by the SHA-256 its dead
letter carries) or published on articles.clean (found by id). Every good article, and every hostile one
that was accepted, then gets a dedup verdict. Hostile input is dead-lettered with a specific reason
(never ``internal_error``) or accepted; no agent crashes or restarts.
"""

from __future__ import annotations

import collections
import hashlib
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

import streams
from streams import contracts
from streams.contracts import Rejected
from streams.kafka.clients import TopicReader, make_producer, produce
from streams.stages.normalize import MAX_RAW_BYTES, normalize

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data"
ACCEPTED = "accepted"
PARAGRAPH = (
    "GENEVA (Reuters) - The foreign ministers of France and Germany met in Geneva on Monday to discuss "
    "the crisis in Sudan, officials said, and agreed to send more humanitarian aid to the region."
)
#: The whole run, from the first message produced to the last verdict, must fit in this.
TIMEOUT = 150.0


@dataclass
class Input:
    """One message for articles.raw and the outcomes it may have (a dead-letter reason, or accepted)."""

    name: str
    value: bytes
    allowed: frozenset[str]
    article_id: str | None = None  # the id it gets on articles.clean when accepted
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    key: bytes | None = None
    timestamp_ms: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.value).hexdigest()


def _url_id(url: str) -> str:
    return "u:" + hashlib.sha1(url.encode()).hexdigest()[:16]


def _nested(depth: int, leaf: str = '"x"') -> str:
    return '{"a":' * depth + leaf + "}" * depth


def hostile_inputs(run: str) -> list[Input]:
    """At least 150 hostile messages, each byte-unique (the run id and an index are in each)."""
    out: list[Input] = []

    def add(name: str, value: bytes, *allowed: str, article_id: str | None = None, **kw: object) -> None:
        out.append(Input(name, value, frozenset(allowed), article_id, **kw))

    def record(i: int, **fields: object) -> dict[str, object]:
        return {"id": f"h-{run}-{i}", "body": f"{PARAGRAPH} Case {run}-{i}.", **fields}

    good_json = orjson.dumps(record(0, title="A title", url=f"https://news.example/{run}/0"))
    # Malformed and truncated JSON.
    for cut in range(5, len(good_json) - 1, max(1, (len(good_json) - 6) // 25)):
        add(f"truncated-at-{cut}", good_json[:cut] + f"/*{run}*/".encode(), "not_json")
    malformed = [
        b"{id: 1, body: 'text'}",
        b'{"id": "x", "body": "text",}',
        b'{"id": "x" "body": "text"}',
        b'{"body": "a\x01b"}',
        b'{"body": NaN}',
        b'{"body": "text"} trailing',
        b"\xef\xbb\xbf" + orjson.dumps({"body": PARAGRAPH}),
        b'{"body": "\\ud800 lone surrogate"}',
        b'{"body": "\\x41"}',
        b"",
        b"   ",
        b"{" * 10,
    ]
    for index, value in enumerate(malformed):
        add(f"malformed-{index}", value + f"   {run}-{index}".encode(), "not_json")
    add("empty", b"", "not_json")
    # Invalid UTF-8.
    for index, bad in enumerate(
        [b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]
    ):
        value = b'{"id": "h-%s-u%d", "body": "caf' % (run.encode(), index) + bad + b' society"}'
        add(f"invalid-utf8-{index}", value, "invalid_utf8")
    # Not an object.
    for index, value in enumerate(
        [[1, 2, run], f"a string {run}", 42, None, True, [{"body": PARAGRAPH}, run]]
    ):
        add(f"not-object-{index}", orjson.dumps(value) + b" " * index, "not_object")
    # Wrong types, non-string ids.
    wrong = [
        {"id": 42},
        {"id": 4.2},
        {"id": True},
        {"id": ["a"]},
        {"id": {"nested": "id"}},
        {"title": ["x"]},
        {"body": 42, "html": None},
        {"html": {"tag": "p"}},
        {"url": 7},
        {"source": False},
        {"published_at": 1700000000},
        {"language": ["en"]},
        {"meta": "not an object"},
        {"meta": [1, 2, 3]},
    ]
    for index, fields in enumerate(wrong):
        add(f"wrong-type-{index}", orjson.dumps({**record(100 + index), **fields}), "wrong_type")
    url = f"https://news.example/{run}/null-id"
    add("null-id", orjson.dumps({**record(120), "id": None, "url": url}), ACCEPTED, article_id=_url_id(url))
    # Deep nesting: in meta, in the document, in an ignored field.
    for depth in (33, 60, 200, 250, 254, 255, 256, 300, 600, 1000):
        value = orjson.dumps(record(200 + depth))[:-1] + b', "meta": ' + _nested(depth).encode() + b"}"
        add(f"deep-meta-{depth}", value, "too_deep")
    for depth in (1100, 5000, 50_000):
        add(
            f"deep-document-{depth}",
            (f'{{"run": "{run}", "x": ' + "[" * depth + "]" * depth + "}").encode(),
            "too_deep",
        )
    ignored = {**record(300), "extra": orjson.loads("[" * 200 + "]" * 200)}
    add("deep-ignored-field", orjson.dumps(ignored), ACCEPTED, article_id=f"h-{run}-300")
    add("deep-body", orjson.dumps({**record(301), "body": orjson.loads("[" * 100 + "]" * 100)}), "wrong_type")
    # Attribute and element bombs, entity expansion, pathological markup.
    attrs = " ".join(f'a{i}="{i}"' for i in range(100_000))
    bombs = {
        "attribute-bomb-100k": f"<html><body><div {attrs}>x</div><p>{PARAGRAPH}</p></body></html>",
        "attribute-bomb-bare": "<html><body><div "
        + " ".join(f"b{i}" for i in range(100_000))
        + f">x</div><p>{PARAGRAPH}</p></body></html>",
        "attribute-bomb-300": "<div " + " ".join(f"c{i}" for i in range(300)) + f"><p>{PARAGRAPH}</p></div>",
        "attribute-total": ("<i " + " ".join(f"d{i}=1" for i in range(12)) + ">x</i>") * 20_000,
        "element-bomb-raw": "<span>a</span>" * 110_000,
        "element-bomb-parsed": "<div><p>x</p></div>" * 12_000 + f"<p>{PARAGRAPH}</p>",
    }
    for index, (name, html) in enumerate(bombs.items()):
        add(name, orjson.dumps({**record(400 + index), "body": None, "html": html}), "too_complex")
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    markup = {
        "entity-expansion": f'<!DOCTYPE html [<!ENTITY l0 "lol">{laughs}]><p>&l9;</p><p>{PARAGRAPH}</p>',
        "entity-flood": f"<p>{'&amp;&lt;&#x41;&#65;' * 100_000}</p><p>{PARAGRAPH}</p>",
        "deep-markup": "<div>" * 50_000 + f"<p>{PARAGRAPH}</p>" + "</div>" * 50_000,
        "unclosed-tags": "<b><i>" * 20_000 + f"<p>{PARAGRAPH}</p>",
        "huge-attribute-value": f"<div data-x='{'2024-01-01 ' * 200_000}'>x</div><p>{PARAGRAPH}</p>",
        "long-tag-name": "<" + "a" * 1_000_000 + f"><p>{PARAGRAPH}</p>",
        "comment-flood": "<!-- c -->" * 200_000 + f"<p>{PARAGRAPH}</p>",
        "script-only": "<script>" + "var a=1;" * 100_000 + "</script>",
        "nul-in-markup": f"<p>\x00\x00{PARAGRAPH}\x00</p>",
        "broken-tags": f"<<<p>>>{PARAGRAPH}</p</p<<",
    }
    for index, (name, html) in enumerate(markup.items()):
        i = 500 + index
        value = orjson.dumps({**record(i), "body": None, "html": html})
        add(name, value, ACCEPTED, "empty_text", "too_complex", article_id=f"h-{run}-{i}")
    # Control and zero-width characters, bidi overrides, odd Unicode.
    texts = {
        "control-chars": "".join(chr(c) for c in range(32) if c not in (10, 13)) + PARAGRAPH,
        "zero-width": "\u200b\u200c\u200d\u2060\ufeff".join(PARAGRAPH.split(" ")),
        "only-zero-width": "\u200b" * 1000,
        "only-control": "\x00\x01\x02\x07" * 100,
        "bidi-override": "\u202e" + PARAGRAPH + "\u202c",
        "combining-flood": "e" + "\u0301" * 100_000 + " " + PARAGRAPH,
        "line-separators": "\u2028".join([PARAGRAPH] * 50),
        "many-lines": "Share This Post\n" * 100_000 + PARAGRAPH,
        "one-huge-line": "word " * 700_000,
        "emoji": "😀" * 50_000 + PARAGRAPH,
    }
    for index, (name, body) in enumerate(texts.items()):
        i = 600 + index
        value = orjson.dumps({**record(i), "body": body})
        add(name, value, ACCEPTED, "empty_text", "missing_content", article_id=f"h-{run}-{i}")
    # Huge fields.
    for index, size in enumerate((5_000, 100_000, 2_000_000)):
        i = 700 + index
        add(
            f"huge-title-{size}",
            orjson.dumps({**record(i), "title": "Headline " * (size // 9)}),
            ACCEPTED,
            article_id=f"h-{run}-{i}",
        )
    add("huge-id", orjson.dumps({**record(710), "id": f"h-{run}-" + "x" * 5000}), "too_large")
    add("huge-url", orjson.dumps({**record(711), "url": "https://x.example/" + "a" * 20_000}), "too_large")
    add("huge-meta", orjson.dumps({**record(712), "meta": {"blob": "m" * 100_000}}), "too_large")
    add(
        "over-raw-cap",
        orjson.dumps({**record(713), "body": "word " * (MAX_RAW_BYTES // 5 + 10)}),
        "too_large",
    )
    add("12MB", orjson.dumps({**record(714), "body": "y" * 12_000_000}), "too_large")
    # Dates.
    dates = [
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+14:00",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:59:59Z",
        "0999-12-31T23:59:59Z",
    ]
    for index, date in enumerate(dates):
        add(
            f"out-of-range-date-{index}",
            orjson.dumps({**record(800 + index), "published_at": date}),
            "invalid_date",
        )
    for index, date in enumerate(
        ["yesterday", "0000-00-00", "2024-13-45T99:99:99Z", "2999-12-31T23:59:59Z", "", "\x00"]
    ):
        i = 810 + index
        add(
            f"odd-date-{index}",
            orjson.dumps({**record(i), "published_at": date}),
            ACCEPTED,
            article_id=f"h-{run}-{i}",
        )
    # Missing or empty content.
    for index, fields in enumerate(
        [{"body": None}, {"body": ""}, {"body": "   "}, {"body": None, "html": " "}]
    ):
        add(f"missing-content-{index}", orjson.dumps({**record(900 + index), **fields}), "missing_content")
    for index, body in enumerate(
        ["Share This Post", "- Advertisement -\n\nRelated Posts", "Subscribe\nLogin"]
    ):
        add(
            f"debris-only-{index}",
            orjson.dumps({**record(910 + index), "body": body}),
            "empty_text",
            ACCEPTED,
            article_id=f"h-{run}-{910 + index}",
        )
    # Duplicate ids with different bodies (both accepted: the id is the producer's business).
    for index in range(5):
        same = f"h-{run}-dup-{index}"
        for variant in ("first", "second"):
            body = f"{PARAGRAPH} Variant {variant} of case {run}-{index}: " + (
                "other words " * (3 if variant == "first" else 30)
            )
            add(
                f"duplicate-id-{index}-{variant}",
                orjson.dumps({"id": same, "body": body}),
                ACCEPTED,
                article_id=same,
            )
    # Junk headers, keys and timestamps on otherwise good records.
    junk = [
        {"headers": [("x-junk", b"\xff\xfe\x00")]},
        {"headers": [("", b"")]},
        {"headers": [("\u2603" * 50, b"h" * 10_000)]},
        {"headers": [("content-type", b"application/x-not-json"), ("content-type", b"text/html")]},
        {"headers": [(f"h{n}", b"v") for n in range(200)]},
        {"key": b"\x00\xff" * 1000},
        {"key": b""},
        {"timestamp_ms": 253_402_300_800_000},  # year 10000: no datetime can hold it
        {"timestamp_ms": 253_402_214_400_000},  # 9999-12-31: a day is added to it at your peril
        {"timestamp_ms": 0},
        {"timestamp_ms": 1},
    ]
    for index, extras in enumerate(junk):
        i = 1000 + index
        add(f"junk-transport-{index}", orjson.dumps(record(i)), ACCEPTED, article_id=f"h-{run}-{i}", **extras)
    return out


def good_articles(run: str) -> list[Input]:
    """Real articles (demo feed, evaluation slices) that normalize accepts, with run-unique ids."""
    lines = resources.files("streams.data").joinpath("demo_feed.jsonl").read_bytes().splitlines()
    lines += (DATA / "eval" / "dedup" / "articles.jsonl").read_bytes().splitlines()
    lines += (DATA / "eval" / "coding" / "articles.jsonl").read_bytes().splitlines()
    received = datetime.now(UTC)
    out = []
    for line in lines:
        try:
            record = orjson.loads(line)
            assert isinstance(record, dict)
            record["id"] = f"g-{run}-{len(out)}"
            value = orjson.dumps(record)
            normalize(value, received)
        except (orjson.JSONDecodeError, AssertionError, Rejected):
            continue
        out.append(Input(f"good-{len(out)}", value, frozenset({ACCEPTED}), record["id"]))
        if len(out) == 40:
            break
    return out


def produce_all(pipeline, inputs: list[Input]) -> None:
    producer = make_producer(pipeline.settings)
    try:
        futures = [
            producer.send(
                contracts.RAW,
                value=item.value,
                key=item.key,
                headers=item.headers or None,
                timestamp_ms=item.timestamp_ms,
            )
            for item in inputs
        ]
        producer.flush()
    finally:
        producer.close()
    failed = [item.name for item, future in zip(inputs, futures, strict=True) if not future.succeeded()]
    assert not failed, f"the broker refused {failed}"


@dataclass
class Outcomes:
    letters: dict[str, list[dict]] = field(default_factory=lambda: collections.defaultdict(list))
    cleaned: collections.Counter[str] = field(default_factory=collections.Counter)
    judged: collections.Counter[str] = field(default_factory=collections.Counter)
    later_letters: list[dict] = field(default_factory=list)  # dead letters of dedup/extract


def read_outcomes(pipeline, inputs: list[Input], run: str, deadline: float) -> Outcomes:
    """Read clean/unique/duplicates/dead letters until every input is accounted for and judged, then a quiet
    spell (to catch anything published twice)."""
    by_sha = {item.sha256 for item in inputs}
    ids = {item.article_id for item in inputs if item.article_id}
    got = Outcomes()
    topics = [contracts.CLEAN, contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER]

    def settled() -> bool:
        accounted = sum(len(v) for v in got.letters.values()) + sum(got.cleaned.values())
        accepted_ids = set(got.cleaned)
        return accounted >= len(inputs) and accepted_ids <= set(got.judged)

    with TopicReader(pipeline.settings, topics) as reader:
        quiet_since = None
        while time.monotonic() < deadline:
            records = reader.poll(0.5)
            for record in records:
                value = record.value
                if not isinstance(value, dict):
                    continue
                if record.topic == contracts.DEADLETTER:
                    if value.get("original_sha256") in by_sha:
                        got.letters[value["original_sha256"]].append(value)
                    elif value.get("stage") != "normalize" and run in value.get("original", ""):
                        got.later_letters.append(value)
                elif value.get("id") in ids:
                    (got.cleaned if record.topic == contracts.CLEAN else got.judged)[value["id"]] += 1
            if records:
                quiet_since = None
            elif settled():
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 3:
                    break
    return got


def agent_crashes(url: str) -> float:
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
        if sample.name == "newsevents_agent_crashes_total"
    )


def summary(inputs: list[Input], got: Outcomes) -> Iterator[str]:
    reasons = collections.Counter(letters[0]["reason"] for letters in got.letters.values() if letters)
    yield f"inputs {len(inputs)}; dead-lettered by reason {dict(sorted(reasons.items()))}"
    yield f"cleaned {sum(got.cleaned.values())}, judged ids {len(got.judged)}"


def test_hostile_corpus_is_dead_lettered_or_accepted_and_every_good_article_comes_out(pipeline) -> None:
    run = uuid.uuid4().hex[:8]
    hostile, good = hostile_inputs(run), good_articles(run)
    assert len(hostile) >= 150 and len(good) >= 30
    inputs = hostile + good
    # Mixed: a good article after every few hostile messages.
    step = len(hostile) // len(good)
    mixed = [*hostile]
    for index, item in reversed(list(enumerate(good))):
        mixed.insert(index * step, item)
    assert len({item.sha256 for item in mixed}) == len(mixed) == len(inputs), "inputs must be byte-unique"
    started = time.monotonic()
    produce_all(pipeline, mixed)
    got = read_outcomes(pipeline, mixed, run, started + TIMEOUT)
    elapsed = time.monotonic() - started

    expected_clean = collections.Counter(item.article_id for item in mixed if ACCEPTED in item.allowed)
    lost, duplicated, wrong = [], [], []
    for item in mixed:
        letters = got.letters.get(item.sha256, [])
        cleaned = got.cleaned.get(item.article_id, 0) if item.article_id else 0
        if len(letters) > 1:
            duplicated.append(f"{item.name}: {len(letters)} dead letters")
        if letters:
            reason = letters[0]["reason"]
            if reason not in item.allowed:
                error = letters[0]["error"][:100]
                wrong.append(f"{item.name}: dead-lettered {reason} ({error}), allowed {sorted(item.allowed)}")
            for letter in letters:
                contracts.validate(contracts.DEADLETTER, letter)
                assert letter["stage"] == "normalize" and letter["original_length"] == len(item.value)
                assert len(letter["original"]) <= 2 * pipeline.settings.deadletter_max_original
        elif cleaned:
            if ACCEPTED not in item.allowed:
                wrong.append(f"{item.name}: accepted, allowed {sorted(item.allowed)}")
            if cleaned > expected_clean[item.article_id]:
                duplicated.append(f"{item.name}: {cleaned} clean records")
        else:
            lost.append(item.name)
    unjudged = sorted(
        {item.article_id for item in mixed if got.cleaned.get(item.article_id or "")} - set(got.judged)
    )
    print(*summary(mixed, got), sep="\n")
    print(
        f"hostile {len(hostile)}, good {len(good)}; lost {len(lost)}, duplicated {len(duplicated)}, "
        f"worker peak RSS {pipeline.worker.peak_rss_mb():.0f} MB; in {elapsed:.0f} s"
    )
    assert not lost, f"never accounted for: {lost}"
    assert not duplicated, f"published more than once: {duplicated}"
    assert not wrong, "unexpected outcomes:\n" + "\n".join(wrong)
    assert not unjudged, f"accepted but never judged by dedup: {unjudged}"
    assert not got.later_letters, (
        f"dead letters after normalize: {[(d['stage'], d['reason']) for d in got.later_letters]}"
    )
    for item in good:
        assert got.cleaned[item.article_id] == 1 and got.judged[item.article_id] >= 1, item.name
    reasons = {letters[0]["reason"] for letters in got.letters.values()}
    assert "internal_error" not in reasons and "timeout" not in reasons
    big = got.letters[next(item.sha256 for item in mixed if item.name == "12MB")][0]
    assert big["original_length"] == len(next(item.value for item in mixed if item.name == "12MB"))
    assert len(big["original"].encode()) <= pipeline.settings.deadletter_max_original

    worker = pipeline.worker
    assert worker.process.poll() is None, "the worker died"
    log = worker.log_path.read_text("utf-8", "replace")
    assert f"code: {Path(streams.__file__).resolve().parents[1]}\n" in log, "the worker runs other code"
    assert "crashed" not in log.lower() and "restarting" not in log.lower()
    assert agent_crashes(pipeline.metrics_url) == 0


def test_producer_refuses_records_above_the_topic_limit(pipeline) -> None:
    refused: list[int] = []
    over = b"z" * (contracts.MAX_MESSAGE_BYTES + 1)
    sent = produce(pipeline.settings, [over], on_refused=lambda index, _exc: refused.append(index))
    assert (sent, refused) == (0, [0])
