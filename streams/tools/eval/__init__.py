"""``newsevents eval``: replay a labelled directory through the stage code and score it.

A directory holds ``articles.jsonl`` (raw articles, replayed in file order) and ``labels.json``
(gold labels keyed by article id); docs/EVALUATION.md gives the format. :mod:`.replay` runs the
stage code in memory, :mod:`.kafka_replay` through a broker and a worker, :mod:`.metrics` scores.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson

from streams.contracts import Event
from streams.tools.eval.metrics import Scores, ratio
from streams.tools.eval.replay import RUNNERS, EvalDataError, read_dir

TASKS = tuple(RUNNERS)


#: Seeds of the extra file orders ``--shuffles`` replays (fixed, so runs compare).
SHUFFLE_SEEDS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
#: What ``--shuffles`` reports of each shuffled replay: the task's headline scores.
HEADLINE = {
    "cleaning": ("f1",),
    "dedup": ("precision", "recall", "f1"),
    "events": ("accuracy", "macro_f1"),
    "geo": ("toponym_recall", "acc_161km"),
    "coding": ("precision", "recall", "f1"),
    "stories": ("b3_precision", "b3_recall", "b3_f1"),
}


def run_task(task: str, data_dir: Path, events_out: Path | None = None, shuffles: int = 0) -> Scores:
    """Replay ``data_dir`` through the stage code from empty state and score it.

    ``seconds`` and ``articles_per_s`` cover the replay itself; model loading is in ``setup_seconds``.
    With ``events_out`` every published event record is written there as JSON lines, in order.
    """
    if task not in RUNNERS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    lines, labels = read_dir(data_dir)
    published: list[Event] = []
    started = time.perf_counter()
    scores = RUNNERS[task](lines, labels, published)
    seconds = time.perf_counter() - started - scores.get("setup_seconds", 0.0)
    if events_out is not None:
        events_out.write_bytes(b"".join(orjson.dumps(event) + b"\n" for event in published))
    scores |= {"n_lines": len(lines), "seconds": seconds, "articles_per_s": ratio(len(lines), seconds)}
    if shuffles:
        scores["shuffles"] = _shuffled(task, lines, labels, shuffles)
    return scores


def _shuffled(task: str, lines: list[bytes], labels: dict[str, Any], count: int) -> list[Scores]:
    """The headline scores of the same replay under ``count`` other fixed-seed orders of the file."""
    runs = []
    for seed in SHUFFLE_SEEDS[:count]:
        order = random.Random(seed).sample(lines, len(lines))
        scores = RUNNERS[task](order, labels, [])
        runs.append({"seed": seed} | {key: scores.get(key) for key in HEADLINE[task]})
    return runs


# --- CLI ------------------------------------------------------------------------------------


def _flatten(scores: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in scores.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            for index, item in enumerate(value):
                yield from _flatten(item, f"{prefix}{key}.{index}.")
        else:
            yield f"{prefix}{key}", value


def format_table(task: str, scores: Mapping[str, Any]) -> str:
    rows = list(_flatten(scores))
    width = max((len(k) for k, _ in rows), default=0)

    def show(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4f}"
        return "n/a" if value is None else str(value)

    return "\n".join([f"task: {task}", *(f"  {k:<{width}}  {show(v)}" for k, v in rows)])


def main_eval(task: str, data: Path, as_json: bool, events_out: Path | None = None, shuffles: int = 0) -> int:
    """Run one task and print its table; with ``as_json`` the last stdout line is one JSON object."""
    if task not in TASKS:
        print(f"newsevents eval: unknown task {task!r}; choose one of {', '.join(TASKS)}", file=sys.stderr)
        return 2
    try:
        scores = run_task(task, data, events_out, shuffles)
    except EvalDataError as exc:
        print(f"newsevents eval: {exc}", file=sys.stderr)
        return 2
    print(format_table(task, scores))
    if as_json:
        print(orjson.dumps({"task": task, "data": str(data), **scores}).decode())
    return 0
