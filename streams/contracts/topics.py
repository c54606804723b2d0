"""Topic names and their broker-side limits."""

from __future__ import annotations

RAW = "articles.raw"
CLEAN = "articles.clean"
UNIQUE = "articles.unique"
DUPLICATES = "articles.duplicates"
EVENTS = "events"
DEADLETTER = "articles.deadletter"
#: Stories (keyed and compacted by story id) and the alerts fired over events and stories.
STORIES = "stories"
ALERTS = "alerts"

#: Internal repartition topics of the sharded dedup stage: one message per (article, band key),
#: and the band reports collected per article id.
DEDUP_BANDS = "dedup.bands"
DEDUP_REPORTS = "dedup.reports"
#: Internal topic of the worker's alert agent: events and story records re-keyed by story id, so the
#: alert state of a story lives on one partition.
ALERTS_BY_STORY = "alerts.by-story"

#: Internal topics of the sharded story stage: probes and updates of the term partitions; the parked
#: features, shard reports and reprints collected per article id; joins, mentions and timers per story id.
STORIES_TERMS = "stories.terms"
STORIES_VERDICTS = "stories.verdicts"
STORIES_UPDATES = "stories.updates"

ALL_TOPICS = (
    RAW,
    CLEAN,
    UNIQUE,
    DUPLICATES,
    EVENTS,
    STORIES,
    ALERTS,
    DEADLETTER,
    DEDUP_BANDS,
    DEDUP_REPORTS,
    ALERTS_BY_STORY,
    STORIES_TERMS,
    STORIES_VERDICTS,
    STORIES_UPDATES,
)
#: Topics whose records are validated by a schema (the raw topic is validated by normalize itself).
SCHEMA_TOPICS = (CLEAN, UNIQUE, DUPLICATES, EVENTS, STORIES, ALERTS, DEADLETTER)

#: Topics compacted by key: a later record supersedes an earlier one with the same key.
COMPACTED_TOPICS = frozenset({EVENTS, STORIES})
#: Large enough for any article up to normalize's size cap plus room, so over-cap input reaches
#: the pipeline and is dead-lettered there with a reason instead of vanishing at the producer.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
