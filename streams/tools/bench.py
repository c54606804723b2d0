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
from streams.config import DEDUP_BATCH_SIZE, EXTRACT_BATCH_SIZE, ConfigError, Settings
from streams.tools.bench_figures import recycle
from streams.tools.bench_pipeline import bench_pipeline
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


def _timed(label: str, fn: Callable[[], int], results: dict[str, Any], runs: int) -> None:
    """Median of ``runs`` timed passes (the spread is reported too: one pass on a shared core misleads),
    and the median CPU seconds of a pass, which a busy machine inflates far less than the wall time."""
    seconds: list[float] = []
    cpu: list[float] = []
    handled = 0
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        handled = fn()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    median = statistics.median(seconds)
    results[f"{label}_cpu_seconds"] = round(statistics.median(cpu), 3)
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
    # the three stages' CPU over the input's articles: what an end-to-end worker's CPU per article compares to
    stage_cpu = sum(results[f"{stage}_cpu_seconds"] for stage in ("normalize", "dedup", "extract"))
    results["cpu_s_per_article"] = round(stage_cpu / len(records), 4) if records else None
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


def main_bench(
    count: int,
    input_path: Path | None,
    stage_only: bool,
    workers: int,
    rate: float,
    as_json: bool,
    runs: int = 3,
    repeat: int = 1,
    duration: float = 0.0,
    sample_interval: float = 5.0,
    sizes: bool = True,
) -> int:
    if input_path is not None:
        read = read_input(str(input_path))
        records = read.records[:count] if count else read.records
    else:
        records = generated_articles(count)
    if stage_only:
        results = bench_stages(records, runs)
    else:
        if duration and not rate:
            raise ConfigError("bench --duration needs --rate (a steady feed of that many seconds)")
        total = round(rate * duration) if duration else len(records) * repeat
        window = Settings.from_env().dedup_config().retention_seconds
        feed = recycle(records, total, window)
        results = bench_pipeline(feed, total, workers, rate, sample_interval=sample_interval, sizes=sizes)
    for key, value in results.items():
        print(f"{key:>34}: {value}")
    if as_json:
        print(orjson.dumps(results).decode())
    return 0
