"""The dedup expiry sweep in a running worker: state older than the retention window goes, the rest stays.

Articles count as old by their publication time and their arrival (the articles.raw message
timestamp), so old news is fed with an old timestamp, next to news fed now. The verdict-side state
only outlives a verdict when a report is lost, so that case is fed as the route agent and one band
partition would have sent it, minus the lost report. What the worker holds is read from the
tables' changelog topics and from its ``newsevents_table_entries`` gauge.
"""

from __future__ import annotations

import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams import contracts
from streams.kafka.clients import TopicReader, make_producer
from streams.kafka.local import LocalPipeline, WorkerProcess
from streams.stages import dedup
from streams.tools.bench import generated_articles

pytestmark = pytest.mark.integration

PARTITIONS = 4
TABLES = ("dedup-bands", "dedup-verdicts", "dedup-pending")
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=dedup.DEFAULT.retention_days * 4)


def changelog(table: str) -> str:
    return f"newsevents-{table}-changelog"


def articles(prefix: str, seed: int, published: datetime) -> list[dict[str, Any]]:
    records = [orjson.loads(raw) for raw in generated_articles(3, seed=seed, duplicate_share=0)]
    return [
        {**record, "id": f"{prefix}-{index}", "published_at": contracts.rfc3339(published)}
        for index, record in enumerate(records)
    ]


def lost_report_messages(article_id: str, moment: datetime) -> list[dict[str, Any]]:
    """One band partition's report message and the parked article, for an article expecting two reports."""
    entry = {
        "id": article_id,
        "published_at": contracts.rfc3339(moment),
        "received_at": contracts.rfc3339(moment),
        "ts": moment.timestamp(),
        "seen": moment.timestamp(),
        "language": "en",
        "content_hash": article_id,
    }
    report = {"shard": 0, "article": entry, "verified": [], "candidates": 0, "bucket_sizes": []}
    parked = {"article": {"id": article_id}, "expected": 2, "routed": moment.timestamp()}
    return [{"reports": [report]}, parked]


def table_entries(worker: WorkerProcess) -> dict[str, float]:
    with urllib.request.urlopen(worker.metrics_url, timeout=5) as response:
        body = response.read().decode()
    return {
        sample.labels["table"]: sample.value
        for family in text_string_to_metric_families(body)
        if family.name == "newsevents_table_entries"
        for sample in family.samples
        if sample.labels["table"] in TABLES  # the story and alert stages keep tables of their own
    }


class Watch:
    """The articles judged so far, and every key each dedup table wrote and still holds.

    Keys are tracked per changelog partition: a deletion only counts on the partition that wrote
    the key, which is also where a worker that takes the partition over recovers it from.
    """

    def __init__(self, changelogs: TopicReader, verdicts: TopicReader) -> None:
        self.changelogs, self.verdicts = changelogs, verdicts
        self.judged: set[str] = set()
        self.written: dict[str, set[tuple[int, str]]] = {table: set() for table in TABLES}
        self.live: dict[str, set[tuple[int, str]]] = {table: set() for table in TABLES}

    def poll(self) -> None:
        self.judged.update(record.value["id"] for record in self.verdicts.poll(0.1))
        tables = {changelog(table): table for table in TABLES}
        for record in self.changelogs.poll(0.4):
            # Faust writes table keys as JSON
            table, key = tables[record.topic], (record.partition, orjson.loads(record.key))
            self.written[table].add(key)
            if record.value is None:
                self.live[table].discard(key)
            else:
                self.live[table].add(key)

    @staticmethod
    def ids(table: str, keys: set[tuple[int, str]]) -> set[str]:
        """Article ids among a table's keys: band entries are ``s<shard>:<id>``, the rest are ids."""
        if table == "dedup-bands":
            return {key.split(":", 1)[1] for _, key in keys if key.startswith("s")}
        return {key for _, key in keys}

    def holds(self) -> dict[str, set[str]]:
        return {table: self.ids(table, self.live[table]) for table in TABLES}

    def wrote(self) -> dict[str, set[str]]:
        return {table: self.ids(table, self.written[table]) for table in TABLES}


def test_sweep_drops_expired_dedup_state_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSEVENTS_DEDUP_SWEEP_INTERVAL", "2")
    fresh, old = articles("fresh", 3, NOW), articles("old", 5, OLD)
    fresh_ids, old_ids = {a["id"] for a in fresh}, {a["id"] for a in old}
    with (
        LocalPipeline(workers=1, partitions=PARTITIONS, bootstrap="", log_dir=tmp_path) as local,
        TopicReader(local.settings, [changelog(table) for table in TABLES]) as changelogs,
        TopicReader(local.settings, [contracts.UNIQUE, contracts.DUPLICATES]) as verdicts,
    ):
        producer = make_producer(local.settings)
        for batch, moment in ((fresh, NOW), (old, OLD)):
            for article in batch:
                producer.send(
                    contracts.RAW, orjson.dumps(article), timestamp_ms=int(moment.timestamp() * 1000)
                )
        for article_id, moment in (("lost-fresh", NOW), ("lost-old", OLD)):
            for message in lost_report_messages(article_id, moment):
                producer.send(
                    contracts.DEDUP_REPORTS,
                    orjson.dumps(message),
                    key=article_id.encode(),
                    partition=dedup.band_partition(article_id, PARTITIONS),
                )
        producer.flush()
        producer.close()

        worker = local.workers[0]
        watch = Watch(changelogs, verdicts)
        # Old state written and swept between two changelog flushes never reaches the changelog at all
        # (CoalescedTable), so only what is kept must show there; that the sweep dropped the old state is
        # proved by the worker's own entry counts matching the changelog's live keys below.
        kept = {"dedup-bands": fresh_ids, "dedup-verdicts": {"lost-fresh"}, "dedup-pending": {"lost-fresh"}}

        def was_stored() -> bool:
            wrote = watch.wrote()
            return all(wrote[table] >= ids for table, ids in kept.items())

        entries: dict[str, float] = {}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            watch.poll()
            if was_stored() and watch.judged >= fresh_ids | old_ids and watch.holds() == kept:
                entries = table_entries(worker)
                if entries == {table: float(len(watch.live[table])) for table in TABLES}:
                    break

        assert was_stored(), "the state to keep never reached the tables"
        assert watch.holds() == kept, "the sweep left old state behind or dropped state that is not old"
        assert watch.judged >= fresh_ids | old_ids, "an article whose reports were swept was never judged"
        assert entries == {table: float(len(watch.live[table])) for table in TABLES}
        assert entries["dedup-bands"] > 0
        assert worker.process is not None and worker.process.poll() is None
