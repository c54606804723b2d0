"""The metrics of ``newsevents eval``, as the evaluation format defines them.

Pure functions over predictions and gold labels, so they can be checked by hand and reused on any
split of the same form, in memory or through Kafka.
"""

from __future__ import annotations

import math
import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import pycountry

EARTH_RADIUS_KM = 6371.0088
ACCURACY_RADIUS_KM = 161.0

Scores = dict[str, Any]


def ratio(num: float, den: float) -> float | None:
    """A rate whose denominator can be empty: ``None`` (JSON null) rather than a made-up 0 or 1."""
    return num / den if den else None


def f1_score(precision: float | None, recall: float | None) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


# --- cleaning (AEB) -------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
SHINGLE_SIZE = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """AEB shingles: 4-token windows; 1-3 tokens make one short shingle, no tokens make none."""
    tokens = _WORD.findall(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + SHINGLE_SIZE]) for i in range(max(1, len(tokens) - SHINGLE_SIZE + 1)))


def shingle_counts(gold: str, prediction: str) -> tuple[int, int, int]:
    """(tp, fp, fn) over shingle multisets of one document."""
    g, p = shingles(gold), shingles(prediction)
    return sum((g & p).values()), sum((p - g).values()), sum((g - p).values())


def _doc_precision(tp: int, fp: int, fn: int) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _doc_recall(tp: int, fp: int, fn: int) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def _aeb_means(counts: Sequence[tuple[int, int, int]]) -> tuple[float, float, float]:
    """P over documents with a predicted shingle, R over documents with a gold shingle, F1 of the means."""
    precisions = [_doc_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_doc_recall(*c) for c in counts if c[0] + c[2] > 0]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return p, r, f1_score(p, r)


def cleaning_scores(
    predictions: Mapping[str, str], gold: Mapping[str, str], bootstrap: int = 1000, seed: int = 0
) -> Scores:
    """AEB token-shingle scores; a document missing from ``predictions`` is an empty prediction.

    ``*_sd`` are bootstrap standard deviations over documents, as the benchmark reports them.
    """
    ids = list(gold)
    counts = [shingle_counts(gold[i], predictions.get(i, "")) for i in ids]
    p, r, f1 = _aeb_means(counts)
    exact = sum(_WORD.findall(gold[i]) == _WORD.findall(predictions.get(i, "")) for i in ids)
    scores: Scores = {
        "precision": p,
        "recall": r,
        "f1": f1,
        "accuracy": ratio(exact, len(ids)),
        "n_documents": len(ids),
        "n_empty_predictions": sum(1 for c in counts if c[0] + c[1] == 0),
    }
    if bootstrap and len(ids) > 1:
        rng = random.Random(seed)
        samples = [_aeb_means(rng.choices(counts, k=len(counts))) for _ in range(bootstrap)]
        for k, name in enumerate(("precision", "recall", "f1")):
            scores[f"{name}_sd"] = statistics.stdev(s[k] for s in samples)
    return scores


# --- dedup ----------------------------------------------------------------------------------

_ECB_TOPIC = re.compile(r"^ecb:(\d+)_")


def components(ids: Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components of the link graph as id → representative; links to unknown ids are dropped."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    return {i: root(i) for i in parent}


def events_by_article(
    records: Iterable[Mapping[str, Any]],
    links: Iterable[tuple[str, str]] = (),
    article_of: Mapping[str, str] | None = None,
) -> dict[str, list[Mapping[str, Any]]]:
    """The latest record of each event id, under every article of its ``article_ids``.

    With duplicate ``links`` (duplicate, canonical), a reprint gets the events of its group;
    ``article_of`` maps the pipeline's article ids back to the ids the file gave them.
    """
    latest: dict[str, Mapping[str, Any]] = {}
    for record in records:  # a later version supersedes an earlier one and takes its place in the order
        latest.pop(record["event_id"], None)
        latest[record["event_id"]] = record
    found: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for record in latest.values():
        for article_id in dict.fromkeys(record["article_ids"]):
            found[article_of.get(article_id, article_id) if article_of else article_id].append(record)
    links = list(links)
    group_of = components({i for link in links for i in link}, links)
    for duplicate, _ in links:
        found[duplicate] = found.get(group_of[duplicate], [])
    return found


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _gold_pair_counts(labels: Mapping[str, Mapping[str, str]]) -> tuple[Counter[str], int]:
    """Gold pairs per origin and the number of cross-language gold pairs."""
    groups: dict[str, list[Mapping[str, str]]] = defaultdict(list)
    for label in labels.values():
        groups[label["group"]].append(label)
    per_origin: Counter[str] = Counter()
    crosslingual = 0
    for members in groups.values():
        for origin, n in Counter(m["origin"] for m in members).items():
            per_origin[origin] += _pairs(n)
        same_lang = sum(_pairs(n) for n in Counter(m["lang"] for m in members).values())
        crosslingual += _pairs(len(members)) - same_lang
    return per_origin, crosslingual


def dedup_scores(links: Iterable[tuple[str, str]], labels: Mapping[str, Mapping[str, str]]) -> Scores:
    """Pairwise P/R/F1 of the connected components of the duplicate links against the gold groups."""
    links = list(links)
    comp = components(labels, links)
    members: dict[str, Counter[tuple[str, str, str]]] = defaultdict(Counter)
    for i, rep in comp.items():
        label = labels[i]
        members[rep][(label["group"], label["origin"], label["lang"])] += 1

    predicted = true = true_crosslingual = fp_same_topic = 0
    true_by_origin: Counter[str] = Counter()
    fp_by_origins: Counter[str] = Counter()
    for buckets in members.values():
        keys = list(buckets)
        for x, key_a in enumerate(keys):
            for key_b in keys[x:]:
                n = _pairs(buckets[key_a]) if key_a == key_b else buckets[key_a] * buckets[key_b]
                if not n:
                    continue
                predicted += n
                (group_a, origin_a, lang_a), (group_b, origin_b, lang_b) = key_a, key_b
                if group_a == group_b:
                    true += n
                    true_by_origin[origin_a] += n
                    true_crosslingual += n if lang_a != lang_b else 0
                    continue
                fp_by_origins["/".join(sorted((origin_a, origin_b)))] += n
                topic_a, topic_b = _ECB_TOPIC.match(group_a), _ECB_TOPIC.match(group_b)
                if topic_a and topic_b and topic_a[1] == topic_b[1]:
                    fp_same_topic += n

    gold_by_origin, gold_crosslingual = _gold_pair_counts(labels)
    gold = sum(gold_by_origin.values())
    precision = true / predicted if predicted else 0.0
    recall = ratio(true, gold)
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1_score(precision, recall),
        "crosslingual_recall": ratio(true_crosslingual, gold_crosslingual),
        "n_articles": len(labels),
        "n_gold_pairs": gold,
        "n_predicted_pairs": predicted,
        "n_true_pairs": true,
        "n_crosslingual_gold_pairs": gold_crosslingual,
        "n_links": len(links),
        "n_predicted_groups": sum(1 for b in members.values() if sum(b.values()) > 1),
        "recall_by_origin": {o: ratio(true_by_origin[o], n) for o, n in sorted(gold_by_origin.items())},
        "false_positive_pairs_by_origins": dict(sorted(fp_by_origins.items())),
        "false_positive_pairs_ecb_same_topic": fp_same_topic,
    }


# --- events ---------------------------------------------------------------------------------

#: Codes of the PLOVER gold file that are not ISO 3166-1 alpha-3 but stand for a country.
GOLD_CODE_FIXES = {"JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}


def gold_countries(codes: Iterable[str]) -> set[str]:
    """Normalised gold actor codes, countries only (drops IGO, NGO, IMG, ISM and any other non-country)."""
    fixed = (GOLD_CODE_FIXES.get(c, c) for c in codes)
    return {c for c in fixed if pycountry.countries.get(alpha_3=c) is not None}


def primary_type(events: Sequence[Mapping[str, Any]]) -> str | None:
    """Type of the most confident event; the first emitted wins a tie."""
    best: Mapping[str, Any] | None = None
    for event in events:
        if best is None or event["confidence"] > best["confidence"]:
            best = event
    return None if best is None else str(best["event_type"])


def events_scores(
    events_by_article: Mapping[str, Sequence[Mapping[str, Any]]], labels: Mapping[str, Any]
) -> Scores:
    """Primary-type accuracy and macro-F1, and micro actor-country recall."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    correct = no_event = actor_hits = actor_total = actor_articles = 0
    for article_id, label in labels.items():
        events = events_by_article.get(article_id, [])
        gold, predicted = label["event"], primary_type(events)
        if predicted is None:
            no_event += 1
        if predicted == gold:
            correct += 1
            tp[gold] += 1
        else:
            fn[gold] += 1
            if predicted is not None:
                fp[predicted] += 1
        gold_codes = gold_countries([*label["source"], *label["target"]])
        if gold_codes:
            found = {
                actor["country"]
                for event in events
                for actor in (*event["source_actors"], *event["target_actors"])
                if actor.get("country")
            }
            actor_articles += 1
            actor_total += len(gold_codes)
            actor_hits += len(gold_codes & found)
    types = sorted(set(tp) | set(fp) | set(fn))
    f1_by_type = {t: 2 * tp[t] / (2 * tp[t] + fp[t] + fn[t]) for t in types}
    return {
        "accuracy": ratio(correct, len(labels)),
        "macro_f1": statistics.fmean(f1_by_type.values()) if types else None,
        "actor_recall": ratio(actor_hits, actor_total),
        "n_articles": len(labels),
        "n_without_event": no_event,
        "n_actor_articles": actor_articles,
        "n_gold_actor_codes": actor_total,
        "f1_by_type": f1_by_type,
    }


# --- geo ------------------------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def best_overlap(start: int, end: int, spans: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The predicted span overlapping ``[start, end)`` most; the earlier start wins a tie."""
    best: Mapping[str, Any] | None = None
    best_key: tuple[int, int] = (0, 0)
    for span in spans:
        if span["start"] < end and start < span["end"]:
            key = (min(end, span["end"]) - max(start, span["start"]), -span["start"])
            if best is None or key > best_key:
                best, best_key = span, key
    return best


def geo_scores(
    places_by_article: Mapping[str, Sequence[Mapping[str, Any]]], labels: Mapping[str, Any]
) -> Scores:
    """Toponym detection by span overlap, then resolution distance of the matched place."""
    detected = within = unresolved = n_gold = n_predicted = predicted_matched = 0
    errors: list[float] = []
    for article_id, toponyms in labels.items():
        places = places_by_article.get(article_id, [])
        n_gold += len(toponyms)
        n_predicted += len(places)
        predicted_matched += sum(
            1 for p in places if best_overlap(p["start"], p["end"], toponyms) is not None
        )
        for gold in toponyms:
            match = best_overlap(gold["start"], gold["end"], places)
            if match is None:
                continue
            detected += 1
            if match.get("lat") is None or match.get("lon") is None:
                unresolved += 1
                continue
            d = haversine_km(gold["lat"], gold["lon"], match["lat"], match["lon"])
            errors.append(d)
            within += d <= ACCURACY_RADIUS_KM
    return {
        "toponym_recall": ratio(detected, n_gold),
        "acc_161km": ratio(within, detected),
        "mean_error_km": statistics.fmean(errors) if errors else None,
        "median_error_km": statistics.median(errors) if errors else None,
        "n_toponyms": n_gold,
        "n_detected": detected,
        "n_unresolved": unresolved,
        "n_predicted": n_predicted,
        "toponym_precision": ratio(predicted_matched, n_predicted),
        "acc_161km_of_all": ratio(within, n_gold),
    }


# --- coding (whole-article events) -----------------------------------------------------------

SENTENCE_MATCH = Fraction(3, 5)
ACTOR_STOPWORDS = frozenset(
    ["the", "a", "an", "of", "s", "and", "in", "on", "at", "to", "for", "his", "her", "their", "its", "by"]
)
CODING_FIELDS = ("source", "target", "source_country", "target_country", "location", "date")

Pair = tuple[int, int]  # (gold index, prediction index) within one article


def tokens(text: str) -> frozenset[str]:
    """T(x): the set of lowercase ``\\w+`` runs of ``text``."""
    return frozenset(_WORD.findall(text.lower()))


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
