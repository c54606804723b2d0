"""``newsevents bench`` end to end: a broker and real worker processes, fed a burst or a steady rate.

Besides throughput and latency it reports what scaling and long runs depend on: each worker's CPU
seconds per article (so two workers can be judged apart from the machine's core count), the
broker's, Kafka bytes per article over every topic, table bytes per article in the dedup window,
throughput over time and each worker's RSS, sampled through the run.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import psutil

from streams import contracts
from streams.config import Settings
from streams.kafka.clients import TopicReader, produce, until_settled
from streams.kafka.local import LocalPipeline, WorkerProcess, cpu_seconds, memory_mb
from streams.kafka.sizes import CHANGELOG_SUFFIX, topic_sizes, wait_until_consumed
from streams.tools.bench_figures import (
    Histogram,
    counter_total,
    histogram_buckets,
    histogram_change,
    histogram_quantile,
    moments_of_counts,
    per_article,
    percentile,
    rss_trend,
    throughput_trend,
)

VERDICT_TOPICS = frozenset({contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER})
#: Worker histograms whose quantiles over the run the bench prints: where a record's time goes between hops.
LOOP_LAG, STAGE_LATENCY = "newsevents_event_loop_lag_seconds", "newsevents_stage_latency_seconds"
STORY_ASSIGNED = "newsevents_story_assigned"


class Sampler:
    """Each worker's memory (its own RSS, and its tree's PSS), the articles its story stage has placed
    (joined to a story or counted as a reprint: where an article leaves the pipeline), and the machine's
    load, every ``interval`` seconds in a thread: the placements make the series of articles through
    the whole pipeline (the verdicts of a burst run far ahead of it), and on a shared machine the load
    says how far a run's figures can be trusted."""

    def __init__(self, workers: list[WorkerProcess], interval: float) -> None:
        self.workers = workers
        self.interval = interval
        self.samples: list[list[tuple[float, float, float]]] = [[] for _ in workers]
        self.placed: list[tuple[float, float]] = []
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def _sample(self) -> None:
        now = time.time()
        for worker, samples in zip(self.workers, self.samples, strict=True):
            if worker.pid is not None:
                samples.append((now, *memory_mb(worker.pid)))
        self.placed.append((now, sum(counter_total(_scrape(w), STORY_ASSIGNED) for w in self.workers)))
        self.loads.append(os.getloadavg()[0])

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> Sampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


class Progress:
    """A line on stderr every ``every`` seconds, so a long run shows its trend and leaves a partial record."""

    def __init__(self, started: float, total: int, sampler: Sampler, every: float = 60.0) -> None:
        self.started, self.total, self.sampler, self.every = started, total, sampler, every
        self.last, self.last_count = started, 0

    def tick(self, count: int) -> None:
        now = time.time()
        if now - self.last < self.every:
            return
        rate = (count - self.last_count) / (now - self.last)
        rss = [round(samples[-1][1]) for samples in self.sampler.samples if samples]
        placed = round(self.sampler.placed[-1][1]) if self.sampler.placed else 0
        print(
            f"{now - self.started:7.0f} s: {count}/{self.total} judged, {rate:.1f} articles/s, "
            f"{placed} through the story stage, "
            f"worker RSS {rss} MB, load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
            flush=True,
        )
        self.last, self.last_count = now, count


def _cpu(pids: list[int | None]) -> list[float]:
    return [cpu_seconds(pid) if pid is not None else 0.0 for pid in pids]


Scrape = dict[str, Histogram]


def _scrape(worker: WorkerProcess) -> str:
    """The worker's /metrics exposition ("" if it cannot say)."""
    try:
        with urllib.request.urlopen(worker.metrics_url, timeout=5) as response:
            return str(response.read().decode())
    except OSError:
        return ""


def _histograms(workers: list[WorkerProcess]) -> list[Scrape]:
    """Each worker's loop-lag and stage-latency buckets as its /metrics has them now ({} if it cannot say)."""
    scraped = []
    for worker in workers:
        text = _scrape(worker)
        scraped.append({name: histogram_buckets(text, name) for name in (LOOP_LAG, STAGE_LATENCY)})
    return scraped


def _worker_latencies(before: list[Scrape], after: list[Scrape]) -> dict[str, Any]:
    """Quantiles of what the workers observed during the run: each event loop's lag, and each stage's
    time per record over all workers (dedup's from routing to the verdict, two hops included)."""
    runs = [
        {name: histogram_change(first[name], last[name]) for name in (LOOP_LAG, STAGE_LATENCY)}
        for first, last in zip(before, after, strict=True)
    ]
    stages: dict[str, dict[float, float]] = {}
    for run in runs:
        for labels, buckets in run[STAGE_LATENCY].items():
            merged = stages.setdefault(dict(labels)["stage"], {})
            for bound, count in buckets.items():
                merged[bound] = merged.get(bound, 0.0) + count

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "event_loop_lag_p50_s_by_worker": [
            rounded(histogram_quantile(run[LOOP_LAG].get((), {}), 0.5)) for run in runs
        ],
        "event_loop_lag_p99_s_by_worker": [
            rounded(histogram_quantile(run[LOOP_LAG].get((), {}), 0.99)) for run in runs
        ],
        "stage_latency_p50_s_by_stage": {
            stage: rounded(histogram_quantile(buckets, 0.5)) for stage, buckets in sorted(stages.items())
        },
        "stage_latency_p99_s_by_stage": {
            stage: rounded(histogram_quantile(buckets, 0.99)) for stage, buckets in sorted(stages.items())
        },
    }


def _sizes(settings: Settings, articles: int, in_window: int) -> dict[str, Any]:
    """Kafka bytes per article over every topic, and the tables' live bytes per article in the window."""
    sizes = topic_sizes(settings)
    tables = {
        topic.removesuffix(CHANGELOG_SUFFIX): size
        for topic, size in sizes.items()
        if topic.endswith(CHANGELOG_SUFFIX)
    }
    kafka_bytes = sum(size.estimated_size for size in sizes.values())
    stored_bytes = sum(size.estimated_stored for size in sizes.values())
    table_bytes = sum(size.live_bytes for size in tables.values())
    return {
        # the records' payload (key, value, headers) as consumers see it, uncompressed
        "kafka_bytes_per_article": per_article(kafka_bytes, articles, 0),
        "kafka_bytes_per_article_by_topic": {
            topic: per_article(size.estimated_size, articles, 0) for topic, size in sorted(sizes.items())
        },
        # the record batches as the broker stores and serves them: compressed, framing included
        "kafka_stored_bytes_per_article": per_article(stored_bytes, articles, 0),
        "kafka_stored_bytes_per_article_by_topic": {
            topic: per_article(size.estimated_stored, articles, 0) for topic, size in sorted(sizes.items())
        },
        # messages below a log start offset: their bytes are estimated at the mean of those read
        "kafka_messages_not_on_broker": sum(size.dropped for size in sizes.values()),
        "kafka_messages_per_article": per_article(
            sum(size.messages + size.dropped for size in sizes.values()), articles
        ),
        "kafka_messages_per_article_by_topic": {
            topic: per_article(size.messages + size.dropped, articles)
            for topic, size in sorted(sizes.items())
        },
        "articles_in_window": in_window,
        "table_bytes_per_article": per_article(table_bytes, in_window, 0),
        "table_bytes_per_article_by_table": {
            table: per_article(size.live_bytes, in_window, 0) for table, size in sorted(tables.items())
        },
        "table_keys": {table: len(size.live) for table, size in sorted(tables.items())},
    }


def bench_pipeline(
    records: Iterable[bytes],
    total: int,
    workers: int,
    rate: float = 0.0,
    idle_timeout: float = 60.0,
    sample_interval: float = 5.0,
    sizes: bool = True,
) -> dict[str, Any]:
    """Replay ``total`` records through a broker and real worker processes.

    With ``rate`` 0 the articles go in one burst (throughput; latency then includes queueing); with a
    rate below capacity, latency is what a steady feed sees. Latency runs from the raw message's
    timestamp to the verdict's or the event's; throughput from the first send to each article through
    the pipeline (``throughput_*``) and to each verdict (``verdict_throughput_*``).
    """
    settings = Settings.from_env()
    window = settings.dedup_config().retention_seconds
    results: dict[str, Any] = {
        "mode": "end-to-end",
        "articles": total,
        "workers": workers,
        "rate": rate or "burst",
        "dedup_window_s": window,
        "load_average": [round(load, 2) for load in os.getloadavg()],
    }
    with LocalPipeline(workers=workers, partitions=4, log_dir=Path("newsevents-data/bench")) as pipeline:
        results["embedded_broker"] = pipeline.embedded
        pids = [worker.pid for worker in pipeline.workers]
        broker_pid = pipeline.broker.process.pid if pipeline.broker and pipeline.broker.process else None
        topics = [contracts.EVENTS, contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER]
        with (
            TopicReader(pipeline.settings, topics, from_beginning=False) as reader,
            Sampler(pipeline.workers, sample_interval) as sampler,
        ):
            reader.poll(1.0)  # join before producing, so nothing is missed
            cpu_before = _cpu([*pids, broker_pid])
            histograms_before = _histograms(pipeline.workers)
            own_before = psutil.Process().cpu_times()
            started = time.time()
            feeder = threading.Thread(
                target=produce, args=(pipeline.settings, records), kwargs={"rate": rate}
            )
            feeder.start()
            first_event: dict[str, float] = {}  # article id → when an event record first named it
            received_at: dict[str, float] = {}  # article id → its raw message's timestamp (from its verdict)
            done: dict[str, float] = {}
            dead: list[float] = []
            dedup_latency: list[float] = []
            unique: set[str] = set()
            last = started
            progress = Progress(started, total, sampler)
            for record in until_settled(reader, total, settle=3.0, idle_timeout=idle_timeout):
                progress.tick(len(done) + len(dead))
                value = record.value
                if record.topic in VERDICT_TOPICS:
                    last = max(last, record.timestamp)
                if record.topic == contracts.DEADLETTER:
                    dead.append(record.timestamp)
                    continue
                if record.topic == contracts.EVENTS:
                    # An aggregated event carries its first report's received_at: each article's latency
                    # runs from its own raw message, read off its verdict.
                    for article_id in value["article_ids"]:
                        first_event.setdefault(article_id, record.timestamp)
                elif "note" not in value:  # a re-link of an earlier article is not a verdict's latency
                    received = contracts.parse_rfc3339(value["received_at"]).timestamp()
                    received_at.setdefault(value["id"], received)
                    dedup_latency.append(record.timestamp - received)
                    done.setdefault(value["id"], record.timestamp)
                    if record.topic == contracts.UNIQUE:
                        unique.add(value["id"])
            feeder.join()
            # The later stages (stories) may still be working when the last verdict is out: the
            # pipeline's rate and the CPU count until the workers have consumed everything (the sizes too).
            consumed = wait_until_consumed(pipeline.settings, pipeline.settings.app_id)
            results["consumed_after_s"] = round(consumed, 1) if consumed is not None else None
            if consumed is not None:
                results["pipeline_articles_per_s"] = round(total / (time.time() - started), 1)
            cpu_after = _cpu([*pids, broker_pid])
            own_after = psutil.Process().cpu_times()
            results.update(_worker_latencies(histograms_before, _histograms(pipeline.workers)))
        worker_cpu = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
        # State holds what arrived within the window, plus up to one sweep interval not yet expired.
        horizon = last - window - settings.dedup_sweep_interval
        in_window = sum(1 for moment in [*done.values(), *dead] if moment >= horizon) or total
        results["peak_rss_mb_by_worker"] = [round(worker.peak_rss_mb(), 1) for worker in pipeline.workers]
        results["peak_rss_mb"] = max(results["peak_rss_mb_by_worker"])
        if sizes:  # reading every topic back takes minutes after a long run
            results.update(_sizes(pipeline.settings, total, in_window))
    latencies = [moment - received_at[id_] for id_, moment in first_event.items() if id_ in received_at]
    results.update(
        articles_per_s=round(total / (last - started), 1) if last > started else None,
        articles_judged=len(done),
        duplicates=len(done) - len(unique),
        articles_with_events=len(first_event),
        deadlettered=len(dead),
        latency_p50_s=round(percentile(latencies, 0.5), 3),
        latency_p95_s=round(percentile(latencies, 0.95), 3),
        latency_p99_s=round(percentile(latencies, 0.99), 3),
        dedup_latency_p50_s=round(percentile(dedup_latency, 0.5), 3),
        dedup_latency_p99_s=round(percentile(dedup_latency, 0.99), 3),
        latency_mean_s=round(statistics.fmean(latencies), 3) if latencies else None,
        cpu_s_per_article_by_worker=[round(cpu / total, 4) for cpu in worker_cpu[:-1]],
        broker_cpu_s_per_article=round(worker_cpu[-1] / total, 4),
        bench_cpu_s_per_article=round(
            (own_after.user + own_after.system - own_before.user - own_before.system) / total, 4
        ),
    )
    # Through the pipeline: an article once the story stage placed it, a dead letter where it was given up.
    drained = [*moments_of_counts(sampler.placed), *dead]
    results["articles_drained"] = len(drained)
    results.update(throughput_trend(drained, started))
    verdicts = throughput_trend([*done.values(), *dead], started)
    results.update({f"verdict_{name}": value for name, value in verdicts.items()})
    results["load_average_1m_during_run"] = {
        "min": round(min(sampler.loads), 2),
        "median": round(statistics.median(sampler.loads), 2),
        "max": round(max(sampler.loads), 2),
    }
    plateau = started + min(window + settings.dedup_sweep_interval, (last - started) / 3)
    for index, samples in enumerate(sampler.samples):
        with contextlib.suppress(ValueError):
            results[f"worker_{index}_rss"] = {
                "peak_sampled_mb": round(max(rss for _, rss, _ in samples), 1),
                "peak_sampled_with_children_mb": round(max(tree for _, _, tree in samples), 1),
                **rss_trend([(moment, tree) for moment, _, tree in samples], plateau),
            }
    return results
