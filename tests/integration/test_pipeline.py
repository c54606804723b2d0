"""The real worker on the embedded broker: reprints, events, dead letters, metrics, contracts."""

from __future__ import annotations

import base64
import hashlib
import threading
import time
import unicodedata
import urllib.request
import uuid

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams import contracts
from streams.tools.bench import generated_articles

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

    # Judged either way: other tests send the same wire story, and then it is (rightly) a reprint.
    judged = pipeline.consume_any(
        [contracts.UNIQUE, contracts.DUPLICATES], 1, where=lambda v: v["id"] == good["id"], timeout=90
    )
    assert len(judged) == 1, "good input behind the bad input did not come out"

    letters = pipeline.consume(
        contracts.DEADLETTER, len(bad), where=lambda v: run.encode() in original_bytes(v), timeout=30
    )
    by_reason = {letter["reason"]: letter for letter in letters}
    assert set(by_reason) == set(bad), f"dead-letter reasons {sorted(by_reason)}"
    for reason, letter in by_reason.items():
        contracts.validate(contracts.DEADLETTER, letter)
        assert letter["stage"] == "normalize" and letter["error"]
        kept, sent = original_bytes(letter), bad[reason]
        assert letter["original_length"] == len(sent)
        assert letter["original_sha256"] == hashlib.sha256(sent).hexdigest()
        if len(sent) <= contracts.DEADLETTER_MAX_ORIGINAL:
            assert kept == sent, f"{reason}: original not kept byte for byte"
        else:  # only the first MiB of a bigger original
            assert kept == sent[: contracts.DEADLETTER_MAX_ORIGINAL], f"{reason}: not the original's start"
    assert by_reason["invalid_utf8"]["original_encoding"] == "base64"

    worker = pipeline.worker
    assert worker.process.poll() is None
    log = worker.log_path.read_text("utf-8", "replace").lower()
    assert "crashed" not in log and "restarting" not in log


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the worker's /metrics as (name, sorted labels) -> value."""
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def _counters(samples: dict) -> dict:
    """Counters that move only with records (the event loop's lag probe counts the passing time)."""
    return {
        k: v
        for k, v in samples.items()
        if k[0].startswith("newsevents_")
        and k[0].endswith(("_total", "_count"))
        and not k[0].startswith("newsevents_event_loop_lag")
    }


def settled_scrape(url: str, quiet: float = 3.0, timeout: float = 60) -> dict:
    """A scrape taken once the counters have stopped moving for ``quiet`` seconds (earlier tests' records)."""
    deadline = time.monotonic() + timeout
    last = scrape(url)
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = scrape(url)
        if _counters(now) != _counters(last):
            still_since = time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            return now
        last = now
    raise AssertionError("the worker's counters never settled")


def test_metrics_rise_by_what_the_input_caused(pipeline):
    run = uuid.uuid4().hex[:8]
    article = {
        "id": f"metrics-{run}",
        "body": f"NAIROBI (Reuters) - Kenyan police arrested the opposition leader in Nairobi on Tuesday, "
        f"his party said, after a rally in case {run} turned violent.\n\n"
        f"The United States condemned the arrest and urged Kenya to release him, the State Department "
        f"said in a statement numbered {run}.",
        "published_at": "2024-02-23T01:00:00Z",
        "url": f"https://news.example/{run}",
    }
    reprint = {**article, "id": f"metrics-{run}-reprint", "published_at": "2024-02-23T02:00:00Z"}
    before = settled_scrape(pipeline.metrics_url)
    # The reprint goes in once the original is out: articles.clean partitions are consumed in no
    # fixed order, and a reprint routed first is published unique and re-linked later.
    pipeline.produce([article, b'{"id": "%s", "body": "truncated' % run.encode(), {"id": run, "body": 42}])
    assert pipeline.consume(contracts.UNIQUE, 1, where=lambda v: v["id"] == article["id"], timeout=90)
    pipeline.produce([reprint])

    def of_article(event: dict) -> bool:
        return article["id"] in event["article_ids"]

    assert pipeline.consume(contracts.EVENTS, 1, where=of_article, timeout=90), "the article made no event"
    assert pipeline.consume(contracts.DUPLICATES, 1, where=lambda v: v["id"] == reprint["id"], timeout=90)
    after = settled_scrape(pipeline.metrics_url)
    events = pipeline.consume(contracts.EVENTS, 100, where=of_article, timeout=5)

    def rise(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert rise("newsevents_records_in_total", stage="normalize") == 4
    assert rise("newsevents_records_out_total", stage="normalize", topic=contracts.CLEAN) == 2
    assert rise("newsevents_records_out_total", stage="normalize", topic=contracts.DEADLETTER) == 2
    assert rise("newsevents_deadletter_total", stage="normalize", reason="not_json") == 1
    assert rise("newsevents_deadletter_total", stage="normalize", reason="wrong_type") == 1
    assert rise("newsevents_stage_latency_seconds_count", stage="normalize") == 4
    assert rise("newsevents_dedup_articles_total", result="unique") == 1
    assert rise("newsevents_dedup_articles_total", result="duplicate") == 1
    assert rise("newsevents_duplicates_total", method="exact") == 1
    assert rise("newsevents_records_out_total", stage="dedup", topic=contracts.UNIQUE) == 1
    assert rise("newsevents_records_out_total", stage="dedup", topic=contracts.DUPLICATES) == 1
    assert rise("newsevents_records_in_total", stage="extract") == 1
    assert rise("newsevents_records_out_total", stage="extract", topic=contracts.STORIES_VERDICTS) == 1
    assert rise("newsevents_records_in_total", stage="stories") == 1  # the reprint joins as a mention
    assert rise("newsevents_story_assigned_total", outcome="joined") == 1
    assert rise("newsevents_story_assigned_total", outcome="reprint") == 1
    assert rise("newsevents_records_out_total", stage="stories", topic=contracts.EVENTS) == len(events)
    assert rise("newsevents_records_out_total", stage="stories", topic=contracts.STORIES) >= 1
    assert rise("newsevents_stories_total") == 1
    by_type = {t: sum(1 for e in events if e["event_type"] == t) for t in contracts.PLOVER_TYPES}
    for event_type, count in by_type.items():
        assert rise("newsevents_events_total", event_type=event_type) == count, event_type
    assert rise("newsevents_end_to_end_latency_seconds_count") == 1
    assert rise("newsevents_event_loop_lag_seconds_count") > 0
    assert after[("newsevents_dedup_hit_ratio", ())] > 0


def test_a_burst_is_admitted_as_fast_as_the_later_stages_take_it_and_comes_out_whole(pipeline):
    """The fixture's backlog limit is 8 articles: a burst of 200 holds the raw input back (the gauge says
    so), normalize never runs far ahead of dedup's route, every article still gets its verdict, and the
    input is let in again. Each raw record carries 48 KB that normalize ignores, so the burst takes
    several fetches per partition, and a fetch hands over more articles than the limit at once."""
    run = uuid.uuid4().hex[:8]
    burst = []
    for raw in generated_articles(200, duplicate_share=0.0):
        article = orjson.loads(raw)
        burst.append({**article, "id": f"admit-{run}-{article['id']}", "padding": "p" * 48_000})
    held: list[float] = []
    ahead: list[float] = []  # articles normalize took in that dedup's route has not
    done = threading.Event()

    def normalize_ahead(samples: dict) -> float:
        def taken(stage: str) -> float:
            return samples.get(("newsevents_records_in_total", (("stage", stage),)), 0.0)

        return taken("normalize") - taken("dedup")

    before = normalize_ahead(settled_scrape(pipeline.metrics_url))  # earlier tests' records dedup never saw

    def watch() -> None:
        while not done.is_set():
            samples = scrape(pipeline.metrics_url)
            held.append(samples.get(("newsevents_admission_held", ()), 0.0))
            ahead.append(normalize_ahead(samples) - before)
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        pipeline.produce(burst)
        verdicts = pipeline.consume_any(
            [contracts.UNIQUE, contracts.DUPLICATES],
            len(burst),
            timeout=240,
            where=lambda v: v["id"].startswith(f"admit-{run}-") and "note" not in v,
        )
    finally:
        done.set()
        watcher.join()
    assert {v["id"] for v in verdicts} == {article["id"] for article in burst}
    assert max(held) == 1.0, "the burst never held the raw input back"
    # three times the limit: the room one measurement gives, what the next one sees late, a batch in dedup
    assert max(ahead) <= 24, f"normalize ran {max(ahead):.0f} articles ahead of dedup's route"
    after = settled_scrape(pipeline.metrics_url)
    assert after[("newsevents_admission_held", ())] == 0.0
