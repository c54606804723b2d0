"""``newsevents eval``: replay a labelled directory through the stage code and score it.

A directory holds ``articles.jsonl`` (raw articles, replayed in file order) and ``labels.json``
(gold labels keyed by article id); docs/EVALUATION.md gives the format. :mod:`.replay` runs the
stage code in memory, :mod:`.kafka_replay` through a broker and a worker, :mod:`.metrics` scores.
"""

from __future__ import annotations

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


def run_task(task: str, data_dir: Path, events_out: Path | None = None) -> Scores:
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
    return scores | {"n_lines": len(lines), "seconds": seconds, "articles_per_s": ratio(len(lines), seconds)}


# --- CLI ------------------------------------------------------------------------------------


def _flatten(scores: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for key, value in scores.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
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


def main_eval(task: str, data: Path, as_json: bool, events_out: Path | None = None) -> int:
    """Run one task and print its table; with ``as_json`` the last stdout line is one JSON object."""
    if task not in TASKS:
        print(f"newsevents eval: unknown task {task!r}; choose one of {', '.join(TASKS)}", file=sys.stderr)
        return 2
    try:
        scores = run_task(task, data, events_out)
    except EvalDataError as exc:
        print(f"newsevents eval: {exc}", file=sys.stderr)
        return 2
    print(format_table(task, scores))
    if as_json:
        print(orjson.dumps({"task": task, "data": str(data), **scores}).decode())
    return 0
