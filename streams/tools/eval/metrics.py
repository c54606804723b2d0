"""The metrics of ``newsevents eval``, as the evaluation format defines them.

Pure functions over predictions and gold labels, so they can be checked by hand and reused on any
split of the same form, in memory or through Kafka.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pycountry

from streams.stages.geo.distance import haversine_km

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

#: Tokens of the text metrics (AEB shingles, coding sentence overlap): runs of word characters.
WORD = re.compile(r"\w+")
SHINGLE_SIZE = 4


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """AEB shingles: 4-token windows; 1-3 tokens make one short shingle, no tokens make none."""
    tokens = WORD.findall(text)
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
    exact = sum(WORD.findall(gold[i]) == WORD.findall(predictions.get(i, "")) for i in ids)
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
        "recall_by_language_pair": pair_recall_by_language(
            comp,
            {i: label["group"] for i, label in labels.items()},
            {i: label["lang"] for i, label in labels.items()},
        ),
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


def pair_recall_by_language(
    cluster_of: Mapping[str, str], group_of: Mapping[str, str], language_of: Mapping[str, str]
) -> dict[str, Scores]:
    """Per language pair ("en-es"), the gold pairs (two articles of one gold group) and the share of them
    that ``cluster_of`` puts together (one reprint component, one story); an article it lacks is alone."""
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, group in group_of.items():
        members[group].append(article_id)
    gold: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for ids in members.values():
        for at, one in enumerate(ids):
            for other in ids[at + 1 :]:
                pair = "-".join(sorted((language_of.get(one) or "und", language_of.get(other) or "und")))
                gold[pair] += 1
                found[pair] += one in cluster_of and cluster_of.get(one) == cluster_of.get(other)
    return {pair: {"gold_pairs": n, "recall": ratio(found[pair], n)} for pair, n in sorted(gold.items())}


def b3_scores(story_of: Mapping[str, str], labels: Mapping[str, str]) -> Scores:
    """B-cubed precision, recall and F1 over the labelled articles (docs/EVALUATION.md §3).

    An article without a predicted story is a singleton; predicted stories of unlabelled articles
    are ignored.
    """
    gold: dict[str, set[str]] = defaultdict(set)
    predicted: dict[str, set[str]] = defaultdict(set)
    for article_id, label in labels.items():
        gold[label].add(article_id)
        predicted[story_of.get(article_id, f"singleton:{article_id}")].add(article_id)
    precision = recall = 0.0
    for article_id, label in labels.items():
        mine = predicted[story_of.get(article_id, f"singleton:{article_id}")]
        shared = len(gold[label] & mine)
        precision += shared / len(mine)
        recall += shared / len(gold[label])
    n = len(labels)
    p, r = ratio(precision, n), ratio(recall, n)
    return {
        "b3_precision": p,
        "b3_recall": r,
        "b3_f1": f1_score(p, r),
        "n_articles": n,
        "n_gold_stories": len(gold),
    }
