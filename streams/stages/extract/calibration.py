"""A record's confidence is the share of records like it that are right: the rule score of a draft
(``records._draft``) scaled by a logistic fit on the coding dev set (docs/extract.md, "Confidence")."""

from __future__ import annotations

import math

#: Platt scaling of the rule score, fitted on every record of the coding dev set against whether it
#: matched a gold event of its type; ``python -m streams.tools.eval.calibration`` measures and refits it.
SCORE_INTERCEPT = -0.008
SCORE_SLOPE = 1.137


def calibrated(score: float) -> float:
    """The probability that a record with this rule score is right, to two decimals."""
    return round(1.0 / (1.0 + math.exp(-(SCORE_INTERCEPT + SCORE_SLOPE * score))), 2)
