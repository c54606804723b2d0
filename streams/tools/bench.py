"""``newsevents bench``: throughput, latency and memory, end to end on a broker or per stage in-process.

Numbers from a shared 2-core machine are noisy: quote medians of several runs and ratios.
"""

from __future__ import annotations

import contextlib
import functools
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from streams import contracts
from streams.config import DEDUP_BATCH_SIZE, EXTRACT_BATCH_SIZE
from streams.kafka.clients import TopicReader, produce, until_settled
from streams.kafka.local import LocalPipeline
from streams.tools.inputs import read_input

ACTORS = [
    ("Foreign Minister", "France", "French"),
    ("Defence Minister", "Germany", "German"),
    ("President", "Brazil", "Brazilian"),
    ("Prime Minister", "Japan", "Japanese"),
    ("Foreign Minister", "South Korea", "South Korean"),
    ("Secretary of State", "United States", "U.S."),
    ("President", "Kenya", "Kenyan"),
    ("Prime Minister", "India", "Indian"),
    ("Foreign Minister", "Turkey", "Turkish"),
    ("President", "Mexico", "Mexican"),
    ("Prime Minister", "Canada", "Canadian"),
    ("Foreign Minister", "Egypt", "Egyptian"),
]
PLACES = ["Geneva", "Nairobi", "Jakarta", "Vienna", "Doha", "Lima", "Oslo", "Hanoi", "Madrid", "Ankara"]
ACTIONS = [
    "met {target} counterpart in {place} to discuss trade and security",
    "signed an agreement with {target} officials in {place} on energy cooperation",
    "accused {target} authorities of violating the ceasefire near {place}",
    "threatened to impose sanctions on {target} companies after talks in {place} collapsed",
    "pledged humanitarian aid to {target} flood victims at a donor conference in {place}",
    "rejected a {target} proposal for a new border commission during a summit in {place}",
    "called on {target} leaders to release detained journalists, speaking in {place}",
    "praised {target} efforts to mediate the conflict at a news conference in {place}",
]
BOILERPLATE = ["Share this article", "Advertisement", "Subscribe to our newsletter", "Read more: World news"]


def generated_articles(count: int, seed: int = 7, duplicate_share: float = 0.1) -> list[bytes]:
    """Synthetic English wire stories with events; a share of them are reprints with new boilerplate."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    originals: list[dict[str, Any]] = []
    records: list[bytes] = []
    for index in range(count):
        if originals and rng.random() < duplicate_share:
            reprint = dict(rng.choice(originals))
            reprint["id"] = f"bench-{index}"
            reprint["source"] = f"outlet{rng.randint(1, 50)}.example"
            later = timedelta(minutes=rng.randint(5, 600))  # outlets republish after the wire
            published = datetime.fromisoformat(reprint["published_at"]) + later
            reprint["published_at"] = published.isoformat().replace("+00:00", "Z")
            reprint["body"] = f"{rng.choice(BOILERPLATE)}\n\n{reprint['body']}\n\n{rng.choice(BOILERPLATE)}"
            records.append(orjson.dumps(reprint))
            continue
        (title, country, _), (_, target_country, target_adj) = rng.sample(ACTORS, 2)
        place = rng.choice(PLACES)
        action = rng.choice(ACTIONS).format(target=target_adj, place=place)
        day = start + timedelta(days=rng.randint(0, 300), minutes=index)
        paragraphs = [
            f"{place.upper()} (Reuters) - The {title.lower()} of {country} {action} on Tuesday, "
            f"officials said, in the {index}th such round this year.",
            f"The talks with {target_country} followed weeks of tension over a disputed shipment "
            f"of {rng.randint(100, 9000)} tonnes of grain and several detained crew members.",
            f"Diplomats in {place} said further meetings were planned for "
            f"{rng.choice(['May', 'June', 'July'])}, while critics warned the dispute could widen.",
        ]
        article = {
            "id": f"bench-{index}",
            "url": f"https://news{rng.randint(1, 20)}.example/world/{index}",
            "source": f"news{rng.randint(1, 20)}.example",
            "title": f"{country} and {target_country}: {action[:60]}",
            "body": "\n\n".join(paragraphs),
            "published_at": day.isoformat().replace("+00:00", "Z"),
        }
        originals.append(article)
        records.append(orjson.dumps(article))
    return records


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(label: str, fn: Callable[[], int], results: dict[str, Any], runs: int) -> None:
    """Median of ``runs`` timed passes (the spread is reported too: one pass on a shared core misleads)."""
    seconds: list[float] = []
    handled = 0
    for _ in range(runs):
        started = time.perf_counter()
        handled = fn()
        seconds.append(time.perf_counter() - started)
    median = statistics.median(seconds)
    results[f"{label}_articles_per_s"] = round(handled / median, 1) if median else None
    results[f"{label}_seconds"] = round(median, 3)
    if runs > 1:
        results[f"{label}_runs_per_s"] = [round(handled / run, 1) if run else None for run in seconds]


def bench_stages(records: list[bytes], runs: int = 3) -> dict[str, Any]:
    """Each stage's function over the same articles, in one process, no Kafka, timed ``runs`` times."""
    from streams.stages.dedup import dedup_batch
    from streams.stages.dedup.embeddings import clear_cache
    from streams.stages.normalize import normalize
    from streams.stages.stories import StoryStream
    from streams.worker.models import load_models

    results: dict[str, Any] = {"mode": "stage-only", "articles": len(records), "runs": runs}
    started = time.perf_counter()
    extractor = load_models()  # as a worker does before its first record
    results["model_load_seconds"] = round(time.perf_counter() - started, 2)
    received = contracts.utc_now()
    clean: list[contracts.CleanArticle] = []

    def run_normalize() -> int:
        clean.clear()
        for raw in records:
            with contextlib.suppress(contracts.Rejected):
                clean.append(normalize(raw, received))
        return len(records)

    for kind in ("html", "text"):
        subset = [raw for raw in records if (b'"html"' in raw) == (kind == "html")]
        if subset and len(subset) < len(records):
            count = functools.partial(_count_accepted, normalize, subset, received)
            _timed(f"normalize_{kind}", count, results, runs)
    _timed("normalize", run_normalize, results, runs)
    pages = _html_pages(records)
    if pages:
        _timed("trafilatura_alone", functools.partial(_trafilatura_alone, pages), results, runs)

    unique: list[contracts.CleanArticle] = []

    def run_dedup() -> int:
        state: dict[str, Any] = {}
        unique.clear()
        clear_cache()  # each pass starts as cold as a new worker
        for offset in range(0, len(clean), DEDUP_BATCH_SIZE):
            for out in dedup_batch(state, clean[offset : offset + DEDUP_BATCH_SIZE]):
                unique.extend(out.unique)
        return len(clean)

    _timed("dedup", run_dedup, results, runs)
    leads = list(dict.fromkeys(" ".join(article["text"].split())[:300] for article in clean))
    if leads:
        _timed("encoder_alone", functools.partial(_encoder_alone, leads), results, runs)

    coded: list[tuple[list[contracts.Event], list[contracts.Place]]] = []

    def run_extract() -> int:
        coded.clear()
        for offset in range(0, len(unique), EXTRACT_BATCH_SIZE):
            coded.extend(extractor.code(unique[offset : offset + EXTRACT_BATCH_SIZE]))
        return len(unique)

    _timed("extract", run_extract, results, runs)
    results["events"] = sum(len(found) for found, _ in coded)
    story_count: list[int] = []

    def run_stories() -> int:
        stream = StoryStream(partitions=4)  # the default partition count: four term partitions
        for article, (found, places) in zip(unique, coded, strict=True):
            stream.add(article, found, places)
        story_count[:] = [len(set(stream.story_of().values()))]
        return len(unique)

    _timed("stories", run_stories, results, runs)
    results["stories"] = story_count[0] if story_count else 0
    per_article = sum(
        results[f"{stage}_seconds"] / max(count, 1)
        for stage, count in (
            ("normalize", len(records)),
            ("dedup", len(clean)),
            ("extract", len(unique)),
            ("stories", len(unique)),
        )
    )
    results["articles_per_s"] = round(1 / per_article, 1) if per_article else None
    return results


def _encoder_alone(leads: list[str]) -> int:
    """The dedup stage's reference: the embedding model alone on 300-character leads in dedup's
    batches, a yardstick for this machine's speed at the time of the run."""
    from streams.stages.dedup.embeddings import clear_cache, embed

    clear_cache()
    for offset in range(0, len(leads), DEDUP_BATCH_SIZE):
        embed(leads[offset : offset + DEDUP_BATCH_SIZE])
    return len(leads)


def _html_pages(records: list[bytes]) -> list[str]:
    pages = []
    for raw in records:
        with contextlib.suppress(orjson.JSONDecodeError, AttributeError):
            page = orjson.loads(raw).get("html")
            if isinstance(page, str) and page.strip():
                pages.append(page)
    return pages


def _trafilatura_alone(pages: list[str]) -> int:
    """The reference the normalize stage is held to: trafilatura's default extraction of the same pages."""
    import trafilatura

    for page in pages:
        trafilatura.extract(page, include_comments=False)
    return len(pages)


def _count_accepted(
    normalize: Callable[[bytes, datetime], Any], records: list[bytes], received: datetime
) -> int:
    accepted = 0
    for raw in records:
        with contextlib.suppress(contracts.Rejected):
            normalize(raw, received)
            accepted += 1
    return accepted


def bench_pipeline(
    records: list[bytes], workers: int, rate: float = 0.0, idle_timeout: float = 20.0
) -> dict[str, Any]:
    """Replay through a broker and real worker processes; latency is raw timestamp → event publish.

    With ``rate`` 0 the articles go in one burst (throughput; latency then includes queueing);
    with a rate below capacity, latency is what a steady feed sees.
    """
    results: dict[str, Any] = {
        "mode": "end-to-end",
        "articles": len(records),
        "workers": workers,
        "rate": rate or "burst",
    }
    with LocalPipeline(workers=workers, partitions=4, log_dir=Path("newsevents-data/bench")) as pipeline:
        results["embedded_broker"] = pipeline.embedded
        topics = [contracts.EVENTS, contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER]
        with TopicReader(pipeline.settings, topics, from_beginning=False) as reader:
            reader.poll(1.0)  # join before producing, so nothing is missed
            started = time.time()
            produce(pipeline.settings, records, rate=rate)
            produced = time.time()
            first_event: dict[str, float] = {}
            judged: set[str] = set()
            dedup_latency: list[float] = []
            deadletters = 0
            last = started
            for record in until_settled(reader, len(records), settle=3.0, idle_timeout=idle_timeout):
                last = time.time()
                value = record.value
                if record.topic == contracts.DEADLETTER:
                    deadletters += 1
                    continue
                received = contracts.parse_rfc3339(value["received_at"]).timestamp()
                if record.topic == contracts.EVENTS:
                    for article_id in value["article_ids"]:
                        first_event.setdefault(article_id, record.timestamp - received)
                else:
                    if "note" not in value:  # a re-link of an earlier article is not a verdict's latency
                        dedup_latency.append(record.timestamp - received)
                    judged.add(value["id"])
            finished = last
        results["peak_rss_mb"] = round(max(w.peak_rss_mb() for w in pipeline.workers), 1)
    latencies = list(first_event.values())
    results.update(
        articles_per_s=round(len(records) / (finished - started), 1),
        produce_seconds=round(produced - started, 2),
        articles_judged=len(judged),
        articles_with_events=len(first_event),
        deadlettered=deadletters,
        latency_p50_s=round(percentile(latencies, 0.5), 3),
        latency_p95_s=round(percentile(latencies, 0.95), 3),
        latency_p99_s=round(percentile(latencies, 0.99), 3),
        dedup_latency_p50_s=round(percentile(dedup_latency, 0.5), 3),
        dedup_latency_p99_s=round(percentile(dedup_latency, 0.99), 3),
        latency_mean_s=round(statistics.fmean(latencies), 3) if latencies else None,
    )
    return results


def main_bench(
    count: int,
    input_path: Path | None,
    stage_only: bool,
    workers: int,
    rate: float,
    as_json: bool,
    runs: int = 3,
) -> int:
    if input_path is not None:
        read = read_input(str(input_path))
        records = read.records[:count] if count else read.records
    else:
        records = generated_articles(count)
    results = bench_stages(records, runs) if stage_only else bench_pipeline(records, workers, rate)
    for key, value in results.items():
        print(f"{key:>28}: {value}")
    if as_json:
        print(orjson.dumps(results).decode())
    return 0
