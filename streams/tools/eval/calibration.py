"""Does a record's confidence mean the share of records that are right? Reads the records ``newsevents
eval coding --events-out FILE`` wrote and the labels of the same directory, and prints, per confidence
band, how many records fall in it and the share that matched a gold event of their type; then the
Brier score against a constant, and the constants of ``streams.stages.extract.calibration`` refitted so
that the published confidence would be calibrated on this directory.

    python -m streams.tools.eval.calibration --data DIR --events FILE
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from streams.stages.extract.calibration import SCORE_INTERCEPT, SCORE_SLOPE
from streams.tools.eval.coding import greedy_pairs
from streams.tools.eval.metrics import events_by_article

BANDS = (0.0, 0.4, 0.5, 0.6, 1.01)


def judged(
    gold: Mapping[str, Sequence[Mapping[str, Any]]], predictions: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[tuple[float, bool]]:
    """(confidence, right) of every record: right when it is in a typed pair with a gold event."""
    found: list[tuple[float, bool]] = []
    for article_id, records in predictions.items():
        if article_id not in gold:
            continue
        typed = {p for _, p in greedy_pairs(gold[article_id], records, typed=True)}
        found.extend((float(r["confidence"]), i in typed) for i, r in enumerate(records))
    return found


def refit(confidence: np.ndarray, right: np.ndarray) -> tuple[float, float]:
    """Logistic fit of rightness on the logit of the published confidence (Newton steps): (a, b) with
    a = 0, b = 1 when it is calibrated already."""
    p = np.clip(confidence, 0.01, 0.99)
    x = np.stack([np.ones_like(p), np.log(p / (1 - p))], axis=1)
    w = np.zeros(2)
    for _ in range(50):
        q = 1 / (1 + np.exp(-x @ w))
        w -= np.linalg.solve(x.T @ (x * (q * (1 - q))[:, None]) + 1e-6 * np.eye(2), x.T @ (q - right))
    return float(w[0]), float(w[1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="eval directory with labels.json")
    parser.add_argument("--events", type=Path, required=True, help="records written by --events-out")
    args = parser.parse_args(argv)
    labels = json.loads((args.data / "labels.json").read_text())
    gold = {k: list(v.get("events") or []) for k, v in labels.items()}
    with args.events.open() as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    pairs = judged(gold, events_by_article(records))
    confidence = np.array([c for c, _ in pairs])
    right = np.array([r for _, r in pairs], dtype=float)
    for low, high in itertools.pairwise(BANDS):
        inside = (confidence >= low) & (confidence < high)
        share = f"{right[inside].mean():.2f}" if inside.any() else "-"
        print(f"confidence {low:.2f}-{min(high, 1.0):.2f}: {int(inside.sum())} records, right {share}")
    brier, constant = np.mean((confidence - right) ** 2), np.mean((right.mean() - right) ** 2)
    print(f"brier {brier:.3f} (a constant {right.mean():.2f}: {constant:.3f})")
    a, b = refit(confidence, right)
    print(f"refit: SCORE_INTERCEPT = {a + b * SCORE_INTERCEPT:.3f}, SCORE_SLOPE = {b * SCORE_SLOPE:.3f}")
    if not math.isclose(b, 1.0, abs_tol=0.2) or abs(a) > 0.2:
        print("the published confidence is not calibrated on this directory")


if __name__ == "__main__":
    main()
