"""Prometheus metrics of the pipeline; names are the contract for dashboards and alert rules.

Label combinations that dashboards and alerts rely on are initialised at import, so a
series exists (at 0) before the first record, and ``rate()``/absent-alerts behave.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
CHILD_REPLACEMENTS = Counter(
    "newsevents_child_replacements",
    "Stage children (worker/sandbox.py) killed or found dead, so that a new one is forked, by child and "
    "cause: budget (killed past its time budget), crashed (died on its own or was killed from outside), "
    "start_failed (a new child that did not come up), cancelled (a cancelled call's child), unreadable "
    "(an answer the worker could not read).",
    ["child", "cause"],
)
FORK_SERVER_RESTARTS = Counter(
    "newsevents_fork_server_restarts",
    "Times the sandbox fork server died and a new one was started (it loads the models again; every "
    "child forked from the old one is replaced).",
)
STAGE_LATENCY = Histogram(
    "newsevents_stage_latency_seconds",
    "Processing time of one record (or one record's share of a batch) in a stage.",
    ["stage"],
    buckets=LATENCY_BUCKETS,
)
EVENT_LOOP_LAG = Histogram(
    "newsevents_event_loop_lag_seconds",
    "How late a short sleep on the worker's event loop woke: time every hop and agent waited behind "
    "synchronous work (sweeps, recoveries, batches decoded on the loop).",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
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
STORY_RECORDS = Counter(
    "newsevents_story_records", "Story records published (rate-limited per story), by cause.", ["cause"]
)
CONSUMER_LAG = Gauge(
    "newsevents_consumer_lag_messages",
    "End offset minus committed offset of the pipeline-topic partitions assigned to this worker "
    "(changelogs are not committed and not counted).",
    ["topic", "partition"],
)
ADMISSION_BACKLOG = Gauge(
    "newsevents_admission_backlog_articles",
    "Articles on this worker's partitions that dedup's route or extract has not finished, or in flight "
    "on its story term partitions (admission control).",
)
ADMISSION_HELD = Gauge(
    "newsevents_admission_held",
    "1 while this worker holds its raw input back because its later stages are behind, else 0.",
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
# Story metrics, by the names agreed with the story stage (which sets them); declared here so that
# dashboards and alert rules can be checked against them.
STORIES_OPEN = Gauge(
    "newsevents_stories_open", "Stories within their window (still able to grow) on this worker."
)
STORIES = Counter("newsevents_stories", "Stories started.")
STORY_IN_FLIGHT = Gauge(
    "newsevents_story_in_flight_articles",
    "Articles listed in flight on this worker's term partitions: probed, their terms not stored yet. "
    "Admission control counts them in its backlog.",
)
STORY_ASSIGNED = Counter(
    "newsevents_story_assigned",
    "Articles the story stage has placed, by outcome: joined to a story, or counted as a reprint of one "
    "(where an article leaves the pipeline).",
    ["outcome"],
)
STORY_ARTICLES = Histogram(
    "newsevents_story_articles",
    "Articles per story.",
    buckets=(1, 2, 3, 5, 10, 20, 50, 100, 200, 500),
)
TOP_STORY_SOURCES = Gauge(
    "newsevents_top_story_sources",
    "Distinct sources of the stories with the most sources updated in the last hour (the alerts consumer's "
    "view; at most ten series per process), by story id and headline.",
    ["story_id", "headline"],
)
ALERTS_FIRED = Counter(
    "newsevents_alerts",
    "Alerts published on the alerts topic, by rule and level (1 first, higher on escalation).",
    ["rule", "level"],
)
ALERT_WEBHOOK_POSTS = Counter(
    "newsevents_alert_webhook_posts",
    "Alerts posted to the webhook, by result: delivered, or failed after the last attempt.",
    ["result"],
)
ALERT_WEBHOOK_FAILURES = Counter(
    "newsevents_alert_webhook_failures",
    "Failed webhook attempts (an error, a timeout or a non-2xx answer), by whether another attempt follows "
    "(retried) or the alert is not delivered (given_up; it stays on the alerts topic and in the log).",
    ["outcome"],
)

#: The worker's agents (Faust agent names), for the crash counter's series.
AGENTS = (
    "normalize",
    "dedup-route",
    "dedup-bands",
    "dedup-verdict",
    "extract",
    "stories-reprints",
    "stories-terms",
    "stories-verdict",
    "stories-story",
)
#: The worker's stage children (worker/models.py) and why one is replaced (worker/sandbox.py).
CHILDREN = ("normalize", "dedup", "extract")
CHILD_CAUSES = ("budget", "crashed", "start_failed", "cancelled", "unreadable")
#: The agents and outputs of the optional alerts stage, whose series exist only where it runs.
ALERT_AGENTS = ("alerts-route-events", "alerts-route-stories", "alerts")
ALERT_OUTPUTS = (contracts.ALERTS, contracts.DEADLETTER)
STAGE_OUTPUTS = {
    "normalize": (contracts.CLEAN, contracts.DEADLETTER),
    "dedup": (contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER),
    "extract": (contracts.STORIES_VERDICTS, contracts.DEADLETTER),
    "stories": (contracts.STORIES, contracts.EVENTS, contracts.DEADLETTER),
}


def initialise_stage(stage: str, topics: tuple[str, ...], agents: tuple[str, ...]) -> None:
    """Create a stage's series at 0, so dashboards and alerts see it before its first record."""
    RECORDS_IN.labels(stage)
    STAGE_LATENCY.labels(stage)
    DEADLETTER_FAILURES.labels(stage)
    for topic in topics:
        RECORDS_OUT.labels(stage, topic)
    for reason in contracts.DEADLETTER_REASONS:
        DEADLETTERED.labels(stage, reason)
    for agent in agents:
        AGENT_CRASHES.labels(agent)


def _initialise_series() -> None:
    for stage, topics in STAGE_OUTPUTS.items():
        initialise_stage(stage, topics, ())
    for agent in AGENTS:
        AGENT_CRASHES.labels(agent)
    for child in CHILDREN:
        for cause in CHILD_CAUSES:
            CHILD_REPLACEMENTS.labels(child, cause)
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
    for result in ("delivered", "failed"):
        ALERT_WEBHOOK_POSTS.labels(result)
    for outcome in ("retried", "given_up"):
        ALERT_WEBHOOK_FAILURES.labels(outcome)


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


class TopStories:
    """Keeps :data:`TOP_STORY_SOURCES` to the ``size`` stories with the most sources among those updated
    within ``window`` seconds of the newest story record seen (record time, so a replay shows its own
    "now"); remembers at most ``keep`` stories, the most recently updated."""

    def __init__(self, size: int = 10, window: float = 3600.0, keep: int = 1000) -> None:
        self.size, self.window, self.keep = size, window, keep
        self.stories: dict[str, tuple[float, int, str]] = {}
        self.shown: set[tuple[str, str]] = set()

    def observe(self, story: Mapping[str, Any]) -> None:
        try:
            updated = contracts.parse_rfc3339(story["updated_at"]).timestamp()
            entry = (updated, int(story["num_sources"]), str(story.get("headline") or "")[:120])
            self.stories[str(story["story_id"])] = entry
        except (KeyError, TypeError, ValueError):
            return
        if len(self.stories) > self.keep:
            for story_id, _ in sorted(self.stories.items(), key=lambda item: item[1][0])[: -self.keep]:
                del self.stories[story_id]
        newest = max(updated for updated, _, _ in self.stories.values())
        recent = [
            (sources, sid, headline)
            for sid, (at, sources, headline) in self.stories.items()
            if at >= newest - self.window
        ]
        top = sorted(recent, reverse=True)[: self.size]
        shown = set()
        for sources, story_id, headline in top:
            TOP_STORY_SOURCES.labels(story_id, headline).set(sources)
            shown.add((story_id, headline))
        for labels in self.shown - shown:
            TOP_STORY_SOURCES.remove(*labels)
        self.shown = shown
