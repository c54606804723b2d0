"""``newsevents eval --kafka``: the same scores, but through a broker and a real worker process.

Where ``eval`` checks the stage code, this checks the wiring: partitioning, the sharded dedup
hops and batching must not change what the stages decide.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from streams import contracts
from streams.kafka.clients import TopicReader, produce, until_settled
from streams.kafka.local import LocalPipeline
from streams.tools.eval import format_table
from streams.tools.eval.coding import coding_scores
from streams.tools.eval.metrics import (
    cleaning_scores,
    dedup_scores,
    events_by_article,
    events_scores,
)
from streams.tools.eval.replay import EvalDataError, read_dir

SETTLE_SECONDS = 5.0
TOPICS = {
    "cleaning": [contracts.CLEAN, contracts.DEADLETTER],
    "dedup": [contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER],
    "events": [contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER, contracts.EVENTS],
    "coding": [contracts.UNIQUE, contracts.DUPLICATES, contracts.DEADLETTER, contracts.EVENTS],
}


def collect(lines: list[bytes], topics: list[str], timeout: float) -> dict[str, list[Any]]:
    """Replay ``lines`` and gather every output record until all inputs are accounted for and quiet."""
    received: dict[str, list[Any]] = defaultdict(list)
    with (
        LocalPipeline(workers=1, partitions=4, log_dir=Path("newsevents-data/eval")) as pipeline,
        TopicReader(pipeline.settings, topics) as reader,
    ):
        produce(pipeline.settings, lines)
        for record in until_settled(reader, len(lines), SETTLE_SECONDS, timeout=timeout):
            received[record.topic].append(record.value)
    return received


def score(
    task: str, lines: list[bytes], labels: dict[str, Any], received: dict[str, list[Any]]
) -> dict[str, Any]:
    links = [(link["id"], link["canonical_id"]) for link in received[contracts.DUPLICATES]]
    if task == "cleaning":
        predictions = {article["id"]: article["text"] for article in received[contracts.CLEAN]}
        return cleaning_scores(predictions, labels)
    if task == "dedup":
        return dedup_scores(links, labels)
    if task == "coding":
        gold = {article_id: list(label.get("events") or []) for article_id, label in labels.items()}
        return coding_scores(gold, events_by_article(received[contracts.EVENTS]))
    return events_scores(events_by_article(received[contracts.EVENTS], links), labels)


def main_eval_kafka(task: str, data: Path, as_json: bool, timeout: float = 900.0) -> int:
    if task not in TOPICS:
        print(
            f"newsevents eval --kafka supports {', '.join(TOPICS)}; use it without --kafka", file=sys.stderr
        )
        return 2
    try:
        lines, labels = read_dir(data)
    except EvalDataError as exc:
        print(f"newsevents eval: {exc}", file=sys.stderr)
        return 2
    started = time.monotonic()
    received = collect(lines, TOPICS[task], timeout)
    scores = score(task, lines, labels, received)
    scores |= {
        "n_lines": len(lines),
        "n_deadlettered": len(received[contracts.DEADLETTER]),
        "seconds": time.monotonic() - started,
        "via": "kafka",
    }
    print(format_table(task, scores))
    if as_json:
        print(orjson.dumps({"task": task, "data": str(data), **scores}).decode())
    return 0
