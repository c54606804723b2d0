"""Dedup state is sharded by band key: two workers must reach the verdicts one worker reaches."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import orjson
import pytest

from streams import contracts
from streams.kafka.clients import TopicReader, produce, until_settled
from streams.kafka.local import LocalPipeline
from streams.tools.bench import generated_articles
from streams.tools.eval.metrics import components

pytestmark = pytest.mark.integration


def reprint_stream() -> list[bytes]:
    """Wire stories and their reprints, some trimmed or re-headlined, in an order that mixes them."""
    records = [orjson.loads(raw) for raw in generated_articles(60, seed=11, duplicate_share=0.35)]
    for index, record in enumerate(records[:12]):
        paragraphs = record["body"].split("\n\n")
        trimmed = {
            **record,
            "id": f"{record['id']}-trimmed",
            "title": f"UPDATE: {record.get('title', '')}",
            "body": "\n\n".join(
                ["Advertisement", *paragraphs[:-1], "© 2026 Some Outlet. All rights reserved."]
            ),
            "published_at": f"2025-12-{index + 1:02d}T08:00:00Z",
        }
        records.insert(len(records) - index * 3, trimmed)
    return [orjson.dumps(r) for r in records]


def reprint_groups(records: list[bytes], workers: int, log_dir: Path) -> tuple[set[frozenset[str]], set[int]]:
    """Run the input through ``workers`` workers; the groups of articles their links join."""
    links: list[tuple[str, str]] = []
    judged: set[str] = set()
    partitions_of_linked: set[int] = set()
    with LocalPipeline(workers=workers, partitions=4, bootstrap="", log_dir=log_dir) as local:
        produce(local.settings, records)
        # Settled on the verdict topics only: an article's clean record comes before its verdict.
        with TopicReader(local.settings, [contracts.UNIQUE, contracts.DUPLICATES]) as verdicts:
            for record in until_settled(verdicts, len(records), settle=4, timeout=120):
                judged.add(record.value["id"])
                if record.topic == contracts.DUPLICATES:
                    links.append((record.value["id"], record.value["canonical_id"]))
        clean_partition: dict[str, int] = {}
        with TopicReader(local.settings, [contracts.CLEAN]) as clean:
            deadline = time.monotonic() + 30
            while len(clean_partition) < len(records) and time.monotonic() < deadline:
                clean_partition.update((r.value["id"], r.partition) for r in clean.poll(0.5))
        for worker in local.workers:
            assert worker.process is not None and worker.process.poll() is None
    assert len(judged) == len(records), f"only {len(judged)} of {len(records)} judged"
    for duplicate, canonical in links:
        partitions_of_linked.update({clean_partition[duplicate], clean_partition[canonical]})
    members: dict[str, set[str]] = defaultdict(set)
    for article_id, group in components(judged, links).items():
        members[group].add(article_id)
    return {frozenset(group) for group in members.values()}, partitions_of_linked


def test_two_workers_link_reprints_across_partitions_like_one_worker(tmp_path: Path) -> None:
    records = reprint_stream()
    one, _ = reprint_groups(records, 1, tmp_path / "one")
    two, partitions = reprint_groups(records, 2, tmp_path / "two")
    assert len(partitions) > 1, "all linked articles sat on one partition; the test proves nothing"
    assert sum(1 for group in one if len(group) > 1) >= 10, "too few reprint groups were found to compare"
    assert two == one
