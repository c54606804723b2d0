"""Messages and bytes a worker produces per article, by topic: the agents' sends and the Faust tables'
changelog records, replayed in-process over the stage functions (no broker; docs/profile.md).

    PYTHONPATH=. .venv/bin/python docs/profile/hops.py FILE.jsonl [COUNT] [PARTITIONS]

Mirrors streams/worker/agents/dedup.py: per route batch, the route agent parks each article and sends one
message per band partition for the batch, each band partition probes its articles (every table write is
one changelog record) and sends one report message per verdict partition, the verdict collects the
reports. Events are left out (extract's output depends on the article, not the plumbing).
"""

from __future__ import annotations

import collections
import sys
import time
from collections.abc import Iterator, MutableMapping
from typing import Any

import orjson

from streams import contracts
from streams.config import DEDUP_BATCH_SIZE
from streams.stages import dedup
from streams.stages.normalize import normalize
from streams.tools.inputs import read_input

count: collections.Counter[str] = collections.Counter()
size: collections.Counter[str] = collections.Counter()


def sent(topic: str, value: bytes | None) -> None:
    count[topic] += 1
    size[topic] += len(value or b"")


class Table(MutableMapping[str, Any]):
    """A dict whose writes and deletes are counted as changelog records, as a Faust table's are."""

    def __init__(self, name: str) -> None:
        self.name, self.data = name, dict[str, Any]()

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        sent(f"{self.name} changelog", orjson.dumps(value))

    def __delitem__(self, key: str) -> None:
        del self.data[key]
        sent(f"{self.name} changelog", None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def main() -> None:
    records = read_input(sys.argv[1]).records[: int(sys.argv[2]) if len(sys.argv) > 2 else None]
    partitions = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    bands, verdicts, pending = Table("dedup-bands"), Table("dedup-verdicts"), Table("dedup-pending")
    shards = {shard: dedup.BandShard(bands, shard) for shard in range(partitions)}
    now = contracts.utc_now()
    clean = []
    for raw in records:
        try:
            article = normalize(raw, now)
        except contracts.Rejected:
            continue
        clean.append(article)
        sent("articles.clean", orjson.dumps(article))
    sigs = [
        sig
        for at in range(0, len(clean), DEDUP_BATCH_SIZE)
        for sig in dedup.signatures(clean[at : at + DEDUP_BATCH_SIZE])
    ]
    keys = 0
    for at in range(0, len(clean), DEDUP_BATCH_SIZE):
        batch = list(zip(clean[at : at + DEDUP_BATCH_SIZE], sigs[at : at + DEDUP_BATCH_SIZE], strict=True))
        probes: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
        for article, sig in batch:
            by_shard = dedup.shard_keys(sig, partitions)
            keys += sum(len(shard_keys) for shard_keys in by_shard.values())
            parked = {"article": article, "expected": len(by_shard), "routed": time.time()}
            sent("dedup.reports (parked article)", orjson.dumps(parked))
            pending[article["id"]] = parked
            for shard, k in by_shard.items():
                entry = dedup.shard_entry(sig, k)
                probes[shard].append({"article_id": article["id"], "bands": k, "entry": entry})
        for shard, message in probes.items():
            sent("dedup.bands", orjson.dumps({"probes": message}))
            reports: dict[int, list[dedup.ShardReport]] = collections.defaultdict(list)
            for probe in message:
                report = dedup.probe_shard(shards[shard], probe["entry"], probe["bands"])
                reports[dedup.band_partition(probe["article_id"], partitions)].append(report)
            for batch_reports in reports.values():
                sent("dedup.reports (reports)", orjson.dumps({"reports": batch_reports}))
                for report in batch_reports:
                    article_id = report["article"]["id"]
                    parked = pending[article_id]
                    links = dedup.decide(verdicts, article_id, [report], parked["expected"])
                    if links is None:
                        continue
                    del pending[article_id]
                    for link in links:
                        sent("articles.duplicates", orjson.dumps(link))
                    if not any(link["id"] == article_id for link in links):
                        sent("articles.unique", orjson.dumps(parked["article"]))
    n = len(records)
    raw_bytes = sum(map(len, records)) / n
    print(
        f"{n} articles ({raw_bytes:.0f} bytes each on articles.raw), {len(clean)} clean, "
        f"{keys / max(len(clean), 1):.1f} band keys each, {partitions} partitions"
    )
    print("| topic | messages/article | bytes/article | bytes/message |\n|---|--:|--:|--:|")
    for topic in count:
        print(
            f"| {topic} | {count[topic] / n:.1f} | {size[topic] / n:.0f} | {size[topic] / count[topic]:.0f} |"
        )
    print(f"| all | {sum(count.values()) / n:.1f} | {sum(size.values()) / n:.0f} | |")
    for table in (bands, verdicts, pending):
        held = sum(len(orjson.dumps(value)) for value in table.data.values())
        print(f"{table.name}: {len(table)} rows, {held / n:.0f} bytes per article held at the end")


if __name__ == "__main__":
    main()
