"""The ``coding`` metric: the events of whole articles against an analyst's gold events.

A record matches a gold event by the words its evidence sentence shares with the gold sentence;
pairs are taken greedily, one to one, and the fields of typed pairs are scored one by one
(docs/EVALUATION.md, "coding").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from streams.tools.eval.metrics import (
    ACCURACY_RADIUS_KM,
    WORD,
    Scores,
    f1_score,
    haversine_km,
    ratio,
)

SENTENCE_MATCH = Fraction(3, 5)
ACTOR_STOPWORDS = frozenset(
    ["the", "a", "an", "of", "s", "and", "in", "on", "at", "to", "for", "his", "her", "their", "its", "by"]
)
CODING_FIELDS = ("source", "target", "source_country", "target_country", "location", "date")

Pair = tuple[int, int]  # (gold index, prediction index) within one article


def tokens(text: str) -> frozenset[str]:
    """T(x): the set of lowercase ``\\w+`` runs of ``text``."""
    return frozenset(WORD.findall(text.lower()))


def sentence_overlap(predicted: str, gold: str) -> Fraction:
    """|T(p) & T(g)| / min(|T(p)|, |T(g)|); 0 when either side has no token."""
    p, g = tokens(predicted), tokens(gold)
    if not p or not g:
        return Fraction(0)
    return Fraction(len(p & g), min(len(p), len(g)))


def evidence_sentence(record: Mapping[str, Any]) -> str:
    evidence = record.get("evidence")
    if isinstance(evidence, Mapping):
        sentence = evidence.get("sentence")
        if isinstance(sentence, str):
            return sentence
    return ""


def greedy_pairs(
    gold: Sequence[Mapping[str, Any]], predictions: Sequence[Mapping[str, Any]], typed: bool
) -> list[Pair]:
    """One-to-one (gold index, prediction index) pairs of one article, greedily by overlap."""
    candidates: list[tuple[Fraction, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(predictions):
            if typed and g.get("type") != p.get("event_type"):
                continue
            overlap = sentence_overlap(evidence_sentence(p), str(g.get("sentence") or ""))
            if overlap >= SENTENCE_MATCH:
                candidates.append((overlap, gi, pi))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs: list[Pair] = []
    for _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return pairs


def _actor_tokens(actors: Iterable[Mapping[str, Any]]) -> list[frozenset[str]]:
    return [tokens(str(a.get("text") or "")) - ACTOR_STOPWORDS for a in actors]


def actors_right(predicted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]) -> bool:
    """Both empty, or some predicted actor's text shares a non-stopword token with some gold actor's."""
    if not predicted and not gold:
        return True
    return any(p & g for p in _actor_tokens(predicted) for g in _actor_tokens(gold))


def countries_right(predicted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]) -> bool:
    """The sets of non-null countries are equal (both empty counts as equal)."""
    return {a.get("country") for a in predicted} - {None} == {a.get("country") for a in gold} - {None}


def location_right(predicted: Mapping[str, Any] | None, gold: Mapping[str, Any] | None) -> bool:
    """Gold null: right when the prediction is null. Otherwise the predicted point must lie within
    161 km of the gold point; a predicted place without coordinates is wrong."""
    if gold is None:
        return predicted is None
    if predicted is None:
        return False
    plat, plon, glat, glon = predicted.get("lat"), predicted.get("lon"), gold.get("lat"), gold.get("lon")
    if plat is None or plon is None or glat is None or glon is None:
        return False
    return haversine_km(float(glat), float(glon), float(plat), float(plon)) <= ACCURACY_RADIUS_KM


def field_results(prediction: Mapping[str, Any], gold: Mapping[str, Any]) -> dict[str, bool]:
    """Right/wrong per scored field of one typed pair; ``date`` is absent when the gold date is null."""
    p_src, p_tgt = prediction.get("source_actors") or [], prediction.get("target_actors") or []
    g_src, g_tgt = gold.get("source") or [], gold.get("target") or []
    results = {
        "source": actors_right(p_src, g_src),
        "target": actors_right(p_tgt, g_tgt),
        "source_country": countries_right(p_src, g_src),
        "target_country": countries_right(p_tgt, g_tgt),
        "location": location_right(prediction.get("location"), gold.get("location")),
    }
    if gold.get("date") is not None:
        results["date"] = prediction.get("event_date") == gold["date"]
    return results


def coding_scores(
    gold: Mapping[str, Sequence[Mapping[str, Any]]],
    predictions: Mapping[str, Sequence[Mapping[str, Any]]],
) -> Scores:
    """Whole-article event coding: sentence-matched records, typed P/R and per-field accuracy.

    ``gold`` maps article ids to gold events, ``predictions`` to published records (see
    :func:`events_by_article`); predictions for articles without labels are not scored.
    """
    n_gold = n_pred = detected = typed_pred = records_right = 0
    right = dict.fromkeys(CODING_FIELDS, 0)
    scored = dict.fromkeys(CODING_FIELDS, 0)
    by_type: dict[str, dict[str, int]] = {}
    by_role: dict[str, dict[str, int]] = {}

    def bucket(table: dict[str, dict[str, int]], key: str) -> dict[str, int]:
        empty = {"n_gold": 0, "n_typed_pairs": 0, "n_detection_pairs": 0}
        # predictions carry no role: only the type table counts them
        return table.setdefault(key, {**empty, "n_predictions": 0} if table is by_type else empty)

    for article_id, gold_events in gold.items():
        preds = predictions.get(article_id, [])
        n_gold += len(gold_events)
        n_pred += len(preds)
        for g in gold_events:
            bucket(by_type, str(g.get("type")))["n_gold"] += 1
            bucket(by_role, str(g.get("role")))["n_gold"] += 1
        for p in preds:
            bucket(by_type, str(p.get("event_type")))["n_predictions"] += 1
        detection = greedy_pairs(gold_events, preds, typed=False)
        detected += len(detection)
        for gi, _ in detection:
            bucket(by_type, str(gold_events[gi].get("type")))["n_detection_pairs"] += 1
            bucket(by_role, str(gold_events[gi].get("role")))["n_detection_pairs"] += 1
        for gi, pi in greedy_pairs(gold_events, preds, typed=True):
            typed_pred += 1
            bucket(by_type, str(gold_events[gi].get("type")))["n_typed_pairs"] += 1
            bucket(by_role, str(gold_events[gi].get("role")))["n_typed_pairs"] += 1
            results = field_results(preds[pi], gold_events[gi])
            for name, ok in results.items():
                scored[name] += 1
                right[name] += ok
            records_right += all(results.values())

    precision = ratio(typed_pred, n_pred)
    recall = ratio(typed_pred, n_gold)
    scores: Scores = {
        "detection_precision": ratio(detected, n_pred),
        "precision": precision,
        "recall": recall,
        "f1": f1_score(precision, recall),
        "record_accuracy": ratio(records_right, n_pred),
    }
    for name in CODING_FIELDS:
        scores[f"{name}_accuracy"] = ratio(right[name], scored[name])
    for name in CODING_FIELDS:
        scores[f"n_{name}_scored"] = scored[name]
    scores |= {
        "n_predictions": n_pred,
        "n_gold": n_gold,
        "n_articles": len(gold),
        "n_detection_pairs": detected,
        "n_typed_pairs": typed_pred,
        "n_records_right": records_right,
        "detection_recall": ratio(detected, n_gold),
        "by_type": dict(sorted(by_type.items())),
        "by_role": dict(sorted(by_role.items())),
    }
    return scores
