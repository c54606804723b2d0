"""Prometheus metrics of the pipeline; names are the contract for dashboards and alert rules.

Label combinations that dashboards and alerts rely on are initialised at import, so a
series exists (at 0) before the first record, and ``rate()``/absent-alerts behave.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from streams import contracts

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

RECORDS_IN = Counter("newsevents_records_in", "Records a stage consumed.", ["stage"])
RECORDS_OUT = Counter("newsevents_records_out", "Records a stage published, by topic.", ["stage", "topic"])
DEADLETTERED = Counter(
    "newsevents_deadletter",
    "Records sent to the dead-letter topic, by stage and reason.",
    ["stage", "reason"],
)
DEADLETTER_FAILURES = Counter(
    "newsevents_deadletter_failures",
    "Dead letters that could not be sent (the record is lost; the log has the error), by stage.",
    ["stage"],
)
AGENT_CRASHES = Counter(
    "newsevents_agent_crashes",
    "Agent tasks that died with an exception (Faust restarts them), by agent.",
    ["agent"],
)
STAGE_LATENCY = Histogram(
    "newsevents_stage_latency_seconds",
    "Processing time of one record (or one record's share of a batch) in a stage.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
END_TO_END_LATENCY = Histogram(
    "newsevents_end_to_end_latency_seconds",
    "Time from the articles.raw message timestamp to the publication of its events.",
    buckets=LATENCY_BUCKETS,
)
DEDUP_ARTICLES = Counter("newsevents_dedup_articles", "Articles judged by dedup, by result.", ["result"])
DUPLICATES = Counter("newsevents_duplicates", "Duplicate links published, by method.", ["method"])
DEDUP_HIT_RATIO = Gauge("newsevents_dedup_hit_ratio", "Share of articles judged duplicates since start.")
DEDUP_SIMILARITY = Histogram(
    "newsevents_dedup_similarity",
    "Similarity of published duplicate links, by method.",
    ["method"],
    buckets=(0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.99, 1.0),
)
DEDUP_CANDIDATES = Histogram(
    "newsevents_dedup_candidates",
    "Distinct candidate articles one band partition reported for an article.",
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200),
)
DEDUP_BUCKET_SIZE = Histogram(
    "newsevents_dedup_bucket_size",
    "Members of a band bucket after adding an article.",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200),
)
EVENTS = Counter("newsevents_events", "Event records published, by PLOVER type.", ["event_type"])
EVENTS_BY_COUNTRY = Counter(
    "newsevents_events_by_country", "Event records published, by actor country (ISO alpha-3).", ["country"]
)
WITHOUT_EVENTS = Counter(
    "newsevents_articles_without_events",
    "Unique articles that produced no event record, by reason.",
    ["reason"],
)
OPEN_STORIES = Gauge(
    "newsevents_open_stories", "Stories within their window on the partitions this worker owns."
)
STORIES_FOUNDED = Counter("newsevents_stories", "Stories founded (rate() per hour: stories per hour).")
STORY_RECORDS = Counter(
    "newsevents_story_records", "Story records published (rate-limited per story), by cause.", ["cause"]
)
ARTICLES_PER_STORY = Histogram(
    "newsevents_articles_per_story",
    "Unique articles of a story, observed each time one joins it.",
    buckets=(1, 2, 3, 5, 10, 20, 50, 100, 200, 500),
)
CONSUMER_LAG = Gauge(
    "newsevents_consumer_lag_messages",
    "End offset minus committed offset of the pipeline-topic partitions assigned to this worker "
    "(changelogs are not committed and not counted).",
    ["topic", "partition"],
)
TABLE_ENTRIES = Gauge("newsevents_table_entries", "Entries held in a state table on this worker.", ["table"])
RECOVERY_REMAINING = Gauge(
    "newsevents_table_recovery_remaining_messages",
    "Changelog messages this worker still has to read to recover its tables (0 when not recovering).",
)
WORKER_PROBLEMS = Gauge(
    "newsevents_worker_problems",
    "Faults that make this worker unready: broker out of reach, agents not running, stuck partitions.",
)

#: The worker's agents (Faust agent names), for the crash counter's series.
AGENTS = (
    "normalize",
    "dedup-route",
    "dedup-bands",
    "dedup-verdict",
    "extract",
    "stories-route",
    "stories-reprints",
    "stories-terms",
    "stories-verdict",
    "stories-story",
)
STAGE_OUTPUTS = {
    "normalize": (contracts.CLEAN, contracts.DEADLETTER),
    "dedup": (contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER),
    "extract": (contracts.STORIES_ARTICLES, contracts.DEADLETTER),
    "stories": (contracts.STORIES, contracts.EVENTS, contracts.DEADLETTER),
}


def _initialise_series() -> None:
    for stage, topics in STAGE_OUTPUTS.items():
        RECORDS_IN.labels(stage)
        STAGE_LATENCY.labels(stage)
        DEADLETTER_FAILURES.labels(stage)
        for topic in topics:
            RECORDS_OUT.labels(stage, topic)
        for reason in contracts.DEADLETTER_REASONS:
            DEADLETTERED.labels(stage, reason)
    for agent in AGENTS:
        AGENT_CRASHES.labels(agent)
    for result in ("unique", "duplicate"):
        DEDUP_ARTICLES.labels(result)
    for method in ("exact", "near", "crosslingual"):
        DUPLICATES.labels(method)
    for event_type in contracts.PLOVER_TYPES:
        EVENTS.labels(event_type)
    for reason in ("unsupported_language", "no_event"):
        WITHOUT_EVENTS.labels(reason)
    for cause in ("article", "reprint", "flush"):
        STORY_RECORDS.labels(cause)


_initialise_series()


_dedup_counts = {"unique": 0, "duplicate": 0}


def record_dedup(result: str) -> None:
    """Count a dedup verdict and keep the hit-ratio gauge in step with the counters."""
    DEDUP_ARTICLES.labels(result).inc()
    _dedup_counts[result] += 1
    DEDUP_HIT_RATIO.set(_dedup_counts["duplicate"] / sum(_dedup_counts.values()))


def set_consumer_lag(lags: dict[tuple[str, int], int]) -> None:
    """Replace the lag series in place: new values first, then drop partitions no longer assigned,
    so a scrape never sees the gauge empty."""
    for (topic, partition), lag in lags.items():
        CONSUMER_LAG.labels(topic, str(partition)).set(lag)
    current = {(topic, str(partition)) for topic, partition in lags}
    for labels in list(_lag_labels - current):
        CONSUMER_LAG.remove(*labels)
    _lag_labels.clear()
    _lag_labels.update(current)


_lag_labels: set[tuple[str, str]] = set()
