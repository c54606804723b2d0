"""Confidence calibration: the published confidence and the tool that measures and refits it."""

from __future__ import annotations

import numpy as np

from streams.stages.extract.calibration import calibrated
from streams.tools.eval.calibration import judged, refit


def test_calibration_keeps_the_order_of_rule_scores() -> None:
    scores = [0.35, 0.45, 0.6, 0.75, 0.85, 0.95]
    published = [calibrated(s) for s in scores]
    assert published == sorted(set(published)) and published[0] > 0 and published[-1] < 1


def test_refit_is_the_identity_on_calibrated_records() -> None:
    rng = np.random.default_rng(7)
    confidence = rng.uniform(0.2, 0.8, 20000)
    right = (rng.uniform(size=confidence.size) < confidence).astype(float)
    a, b = refit(confidence, right)
    assert abs(a) < 0.1 and abs(b - 1) < 0.1


def test_a_record_is_right_when_it_matches_a_gold_event_of_its_type() -> None:
    gold = {"a": [{"type": "COERCE", "sentence": "Police arrested Tom Baker in Leeds on Monday."}]}
    records = [
        {
            "event_type": "COERCE",
            "confidence": 0.6,
            "evidence": {"sentence": "Police arrested Tom Baker in Leeds."},
        },
        {"event_type": "ASSAULT", "confidence": 0.4, "evidence": {"sentence": "Tom Baker stabbed Ann Lee."}},
    ]
    assert judged(gold, {"a": records, "b": records}) == [(0.6, True), (0.4, False)]
