"""The real worker on the embedded broker: reprints, events, dead letters, metrics, contracts."""

from __future__ import annotations

import base64
import unicodedata
import urllib.request
import uuid

import orjson
import pytest

from streams import contracts

pytestmark = pytest.mark.integration


def bad_inputs(run: str) -> dict[str, bytes]:
    """One input per dead-letter reason of normalize, each carrying ``run`` so it can be found."""
    from streams.stages.normalize import MAX_RAW_BYTES

    return {
        "not_json": b'{"id": "%s", "body": "truncated' % run.encode(),
        "not_object": orjson.dumps(["an", "array", run]),
        "wrong_type": orjson.dumps({"id": run, "title": 42, "body": "Text."}),
        "missing_content": orjson.dumps({"id": run, "title": "Only a title"}),
        "empty_text": orjson.dumps(
            {"id": run, "body": "Share This Post\n\n- Advertisement -\n\nRelated Posts"}
        ),
        "invalid_utf8": b'{"id": "%s", "body": "caf\xe9 society"}' % run.encode(),
        "too_large": orjson.dumps({"id": run, "body": "word " * (MAX_RAW_BYTES // 5 + 10)}),
    }


def original_bytes(letter: dict[str, str]) -> bytes:
    if letter["original_encoding"] == "base64":
        return base64.b64decode(letter["original"])
    return letter["original"].encode()


def unique_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def reformatted(text: str) -> str:
    """Same text after normalisation: other whitespace, straight quotes, decomposed Unicode forms."""
    text = text.replace("“", '"').replace("”", '"').replace("’", "'")
    text = text.replace(". ", ".  ").replace("\n\n", "\n \n\n")
    return unicodedata.normalize("NFD", text)


def test_sample_article_and_reprints_give_one_canonical_two_links_and_events(pipeline, sample_article_text):
    run = uuid.uuid4().hex[:8]
    original = {
        "id": f"trilateral-{run}",
        "url": f"https://news.example/{run}/trilateral",
        "source": "news.example",
        "body": sample_article_text,
        "published_at": "2024-02-23T01:00:00Z",
    }
    other_url = {
        **original,
        "id": None,
        "url": f"https://mirror.example/{run}/copy",
        "source": "mirror.example",
        "body": reformatted(sample_article_text),
        "published_at": "2024-02-23T05:00:00Z",
    }
    other_id = {**original, "id": f"trilateral-{run}-syndicated", "published_at": "2024-02-23T03:00:00Z"}
    pipeline.produce([original, other_url, other_id])

    links = pipeline.consume(
        contracts.DUPLICATES, 2, where=lambda v: v["canonical_id"] == original["id"], timeout=90
    )
    assert len(links) == 2, links
    assert {link["method"] for link in links} <= {"exact", "near"}
    assert original["id"] not in {link["id"] for link in links}
    assert f"trilateral-{run}-syndicated" in {link["id"] for link in links}
    for link in links:
        contracts.validate(contracts.DUPLICATES, link)

    cleaned = pipeline.consume(contracts.CLEAN, 3, where=lambda v: run in (v["url"] or "") or run in v["id"])
    assert len(cleaned) == 3
    for article in cleaned:
        contracts.validate(contracts.CLEAN, article)
    assert len({article["content_hash"] for article in cleaned}) == 1, "reprints must hash alike"
    assert {article["agency"] for article in cleaned} == {"Newsis"}

    unique = pipeline.consume(contracts.UNIQUE, 1, where=lambda v: v["id"] == original["id"])
    assert len(unique) == 1
    contracts.validate(contracts.UNIQUE, unique[0])
    assert "Advertisement" not in unique[0]["text"]
    assert unique[0]["language"] == "en"

    def trilateral_in_brazil(event: dict) -> bool:
        countries = {a["country"] for a in event["source_actors"] + event["target_actors"]}
        location = event["location"] or {}
        return (
            original["id"] in event["article_ids"]
            and event["event_type"] in ("CONSULT", "AGREE")
            and {"KOR", "USA", "JPN"} <= countries
            and location.get("country") == "BRA"
        )

    events = pipeline.consume(contracts.EVENTS, 1, where=trilateral_in_brazil, timeout=60)
    assert events, "no CONSULT/AGREE event of KOR, USA and JPN in Brazil for the sample article"
    event = events[0]
    contracts.validate(contracts.EVENTS, event)
    text = unique[0]["text"]
    evidence = event["evidence"]
    assert text[evidence["start"] : evidence["end"]] == evidence["sentence"]
    assert "Brazil" in evidence["sentence"] or "Rio de Janeiro" in evidence["sentence"]


def test_bad_input_is_dead_lettered_and_good_input_behind_it_still_flows(pipeline):
    run = uuid.uuid4().hex[:8]
    bad = bad_inputs(run)
    good = {
        "id": f"good-after-bad-{run}",
        "body": "GENEVA (Reuters) - The foreign ministers of France and Germany met in Geneva on Monday "
        f"to discuss the crisis in Sudan, officials said. Reference {run}.",
    }
    pipeline.produce([*bad.values(), good])

    unique = pipeline.consume(contracts.UNIQUE, 1, where=lambda v: v["id"] == good["id"], timeout=90)
    assert len(unique) == 1, "good input behind the bad input did not come out"

    letters = pipeline.consume(
        contracts.DEADLETTER, len(bad), where=lambda v: run.encode() in original_bytes(v), timeout=30
    )
    by_reason = {letter["reason"]: letter for letter in letters}
    assert set(by_reason) == set(bad), f"dead-letter reasons {sorted(by_reason)}"
    for reason, letter in by_reason.items():
        contracts.validate(contracts.DEADLETTER, letter)
        assert letter["stage"] == "normalize" and letter["error"]
        assert original_bytes(letter) == bad[reason], f"{reason}: original not kept byte for byte"
    assert by_reason["invalid_utf8"]["original_encoding"] == "base64"

    worker = pipeline.worker
    assert worker.process.poll() is None
    log = worker.log_path.read_text("utf-8", "replace").lower()
    assert "crashed" not in log and "restarting" not in log


def test_worker_exports_prometheus_metrics(pipeline):
    with urllib.request.urlopen(pipeline.metrics_url, timeout=5) as response:
        body = response.read().decode()
    for name in (
        "newsevents_records_in_total",
        "newsevents_records_out_total",
        "newsevents_deadletter_total",
        "newsevents_stage_latency_seconds_bucket",
        "newsevents_end_to_end_latency_seconds_bucket",
        "newsevents_dedup_hit_ratio",
        "newsevents_events_total",
        "newsevents_consumer_lag_messages",
    ):
        assert name in body, name
    assert 'newsevents_records_in_total{stage="normalize"}' in body
