"""``newsevents eval``: replay a labelled directory through the stage code and score it.

A directory holds ``articles.jsonl`` (raw articles, replayed in file order) and ``labels.json``
(gold labels keyed by article id). The metric definitions follow the evaluation README exactly;
they are pure functions so they can be checked by hand and reused on any split of the same form.
"""

from __future__ import annotations

import difflib
import functools
import math
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pycountry

from streams.contracts import Rejected, utc_now
from streams.tools.inputs import read_jsonl

if TYPE_CHECKING:
    from streams.contracts import CleanArticle, Event
    from streams.stages.extract import Extractor

TASKS = ("cleaning", "dedup", "stories", "events", "geo")
ARTICLES_FILE = "articles.jsonl"
LABELS_FILE = "labels.json"
EARTH_RADIUS_KM = 6371.0088
ACCURACY_RADIUS_KM = 161.0
EXTRACT_BATCH = 64
#: The dedup route agent's batch: signatures embed a batch at once (same verdicts, ~3x faster).
DEDUP_BATCH = 32

Scores = dict[str, Any]


class EvalDataError(ValueError):
    """The directory is not in the eval format (missing or unreadable files)."""


def _ratio(num: float, den: float) -> float | None:
    """A rate whose denominator can be empty: ``None`` (JSON null) rather than a made-up 0 or 1."""
    return num / den if den else None


def _f1(precision: float | None, recall: float | None) -> float:
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
    return p, r, _f1(p, r)


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
        "accuracy": _ratio(exact, len(ids)),
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
    recall = _ratio(true, gold)
    return {
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "crosslingual_recall": _ratio(true_crosslingual, gold_crosslingual),
        "n_articles": len(labels),
        "n_gold_pairs": gold,
        "n_predicted_pairs": predicted,
        "n_true_pairs": true,
        "n_crosslingual_gold_pairs": gold_crosslingual,
        "n_links": len(links),
        "n_predicted_groups": sum(1 for b in members.values() if sum(b.values()) > 1),
        "recall_by_origin": {o: _ratio(true_by_origin[o], n) for o, n in sorted(gold_by_origin.items())},
        "false_positive_pairs_by_origins": dict(sorted(fp_by_origins.items())),
        "false_positive_pairs_ecb_same_topic": fp_same_topic,
    }


# --- stories --------------------------------------------------------------------------------


def stories_scores(story_of: Mapping[str, str], labels: Mapping[str, str]) -> Scores:
    """B-cubed over the articles in ``labels``; an article with no story is its own singleton."""
    predicted = {i: story_of.get(i) for i in labels}
    pred_size = Counter(s for s in predicted.values() if s is not None)
    gold_size = Counter(labels.values())
    both = Counter((labels[i], s) for i, s in predicted.items() if s is not None)
    precisions: list[float] = []
    recalls: list[float] = []
    for i, gold in labels.items():
        story = predicted[i]
        common, size = (both[gold, story], pred_size[story]) if story is not None else (1, 1)
        precisions.append(common / size)
        recalls.append(common / gold_size[gold])
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    return {
        "b3_precision": p,
        "b3_recall": r,
        "b3_f1": _f1(p, r),
        "n_articles": len(labels),
        "n_gold_stories": len(gold_size),
        "n_predicted_stories": len({s for s in predicted.values() if s is not None}),
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
        "accuracy": _ratio(correct, len(labels)),
        "macro_f1": statistics.fmean(f1_by_type.values()) if types else None,
        "actor_recall": _ratio(actor_hits, actor_total),
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
        "toponym_recall": _ratio(detected, n_gold),
        "acc_161km": _ratio(within, detected),
        "mean_error_km": statistics.fmean(errors) if errors else None,
        "median_error_km": statistics.median(errors) if errors else None,
        "n_toponyms": n_gold,
        "n_detected": detected,
        "n_unresolved": unresolved,
        "n_predicted": n_predicted,
        "toponym_precision": _ratio(predicted_matched, n_predicted),
        "acc_161km_of_all": _ratio(within, n_gold),
    }


_ALIGN_TOKEN = re.compile(r"\w+|[^\w\s]")


def offset_map(source: str, derived: str) -> list[int]:
    """For each character of ``derived`` its index in ``source``, or -1 where the texts differ.

    Aligns word and punctuation tokens rather than characters: character-level difflib takes
    ~0.15 s per 2,500-character article once whitespace is collapsed, tokens take milliseconds.
    """
    src = [(m.group(), m.start()) for m in _ALIGN_TOKEN.finditer(source)]
    dst = [(m.group(), m.start()) for m in _ALIGN_TOKEN.finditer(derived)]
    matcher = difflib.SequenceMatcher(None, [t for t, _ in src], [t for t, _ in dst], autojunk=False)
    mapping = [-1] * len(derived)
    for a, b, size in matcher.get_matching_blocks():
        for (token, src_start), (_, dst_start) in zip(src[a : a + size], dst[b : b + size], strict=True):
            mapping[dst_start : dst_start + len(token)] = range(src_start, src_start + len(token))
    return mapping


def map_span(
    start: int, end: int, mapping: Sequence[int], source: str, derived: str
) -> tuple[int, int] | None:
    """Carry a span of ``derived`` into ``source``; falls back to the nearest exact occurrence of its text."""
    inside = [mapping[i] for i in range(start, end) if mapping[i] >= 0]
    if inside:
        return inside[0], inside[-1] + 1
    needle = derived[start:end]
    if not needle:
        return None
    expected = start * len(source) / max(1, len(derived))
    hits = [m.start() for m in re.finditer(re.escape(needle), source)]
    if not hits:
        return None
    nearest = min(hits, key=lambda h: abs(h - expected))
    return nearest, nearest + len(needle)


# --- runners --------------------------------------------------------------------------------


@dataclass
class _Replay:
    """Articles of one directory after normalize, keyed by the id the file gives them."""

    accepted: list[tuple[str, CleanArticle]] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    raw_id_of: dict[str, str] = field(default_factory=dict)
    deadletter_reasons: Counter[str] = field(default_factory=Counter)

    def raw_id(self, clean_id: str) -> str:
        return self.raw_id_of.get(clean_id, clean_id)


def read_dir(data_dir: Path) -> tuple[list[bytes], dict[str, Any]]:
    """Article lines (raw bytes, blank lines skipped) and labels of an eval directory."""
    missing = [name for name in (ARTICLES_FILE, LABELS_FILE) if not (data_dir / name).is_file()]
    if missing:
        raise EvalDataError(f"{data_dir} is not an eval directory: missing {' and '.join(missing)}")
    try:
        labels = orjson.loads((data_dir / LABELS_FILE).read_bytes())
    except orjson.JSONDecodeError as exc:
        raise EvalDataError(f"{data_dir / LABELS_FILE} is not valid JSON: {exc}") from exc
    if not isinstance(labels, dict):
        raise EvalDataError(f"{data_dir / LABELS_FILE} must hold one JSON object keyed by article id")
    with (data_dir / ARTICLES_FILE).open("rb") as handle:
        lines = read_jsonl(handle, verbatim=True).records  # bad lines too: normalize dead-letters them
    return lines, labels


def _file_record(line: bytes) -> dict[str, Any]:
    """The line as a dict when it is a JSON object (to learn its id); normalize judges validity."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return {}
    return record if isinstance(record, dict) else {}


def _replay_normalize(lines: Sequence[bytes]) -> _Replay:
    from streams.stages.normalize import normalize

    replay = _Replay()
    for line in lines:
        record = _file_record(line)
        try:
            clean = normalize(line, utc_now())
        except Rejected as exc:
            replay.deadletter_reasons[exc.reason] += 1
            continue
        file_id = record.get("id")
        raw_id = file_id if isinstance(file_id, str) else clean["id"]
        replay.raw_id_of[clean["id"]] = raw_id
        replay.records[raw_id] = record
        replay.accepted.append((raw_id, clean))
    return replay


def _replay_scores(replay: _Replay) -> Scores:
    return {
        "n_deadlettered": sum(replay.deadletter_reasons.values()),
        "deadletter_reasons": dict(sorted(replay.deadletter_reasons.items())),
    }


def _run_cleaning(lines: Sequence[bytes], labels: Mapping[str, Any]) -> Scores:
    import trafilatura

    replay = _replay_normalize(lines)
    scores = cleaning_scores({i: clean["text"] for i, clean in replay.accepted}, labels)
    baseline: dict[str, str] = {}
    for line in lines:
        record = _file_record(line)
        if isinstance(record.get("id"), str) and isinstance(record.get("html"), str):
            baseline[record["id"]] = trafilatura.extract(record["html"], include_comments=False) or ""
    if baseline:
        base = cleaning_scores(baseline, labels, bootstrap=0)
        scores |= {f"baseline_trafilatura_{k}": base[k] for k in ("precision", "recall", "f1")}
    return scores | _replay_scores(replay)


@dataclass
class _DedupReplay:
    replay: _Replay
    links: list[tuple[str, str]] = field(default_factory=list)
    methods: Counter[str] = field(default_factory=Counter)
    n_unique: int = 0

    @property
    def canonical_of(self) -> dict[str, str]:
        return dict(self.links)


def _replay_dedup(
    lines: Sequence[bytes], on_unique: Callable[[CleanArticle], None] | None = None
) -> _DedupReplay:
    """normalize → dedup on one fresh in-memory state, in file order, in the agent's batch size."""
    from streams.stages.dedup import dedup_batch

    replay = _replay_normalize(lines)
    state: dict[str, Any] = {}
    result = _DedupReplay(replay)
    accepted = [clean for _, clean in replay.accepted]
    for offset in range(0, len(accepted), DEDUP_BATCH):
        for out in dedup_batch(state, accepted[offset : offset + DEDUP_BATCH]):
            for link in out.duplicates:
                result.links.append((replay.raw_id(link["id"]), replay.raw_id(link["canonical_id"])))
                result.methods[link["method"]] += 1
            result.n_unique += len(out.unique)
            if on_unique is not None:
                for article in out.unique:
                    on_unique(article)
    return result


def _run_dedup(lines: Sequence[bytes], labels: Mapping[str, Any]) -> Scores:
    dedup = _replay_dedup(lines)
    scores = dedup_scores(dedup.links, labels)
    scores["duplicates_by_method"] = dict(sorted(dedup.methods.items()))
    scores["n_unique"] = dedup.n_unique
    return scores | _replay_scores(dedup.replay)


def canonical_root(article_id: str, canonical_of: Mapping[str, str]) -> str:
    """The article a chain of duplicate links ends at; a cycle stops at its first repeat."""
    seen = {article_id}
    while article_id in canonical_of and canonical_of[article_id] not in seen:
        article_id = canonical_of[article_id]
        seen.add(article_id)
    return article_id


@functools.cache
def _extractor() -> Extractor:
    """One per process, as the extract stage asks: it loads spaCy and the gazetteer."""
    from streams.stages.extract import Extractor

    return Extractor()


def _run_events(lines: Sequence[bytes], labels: Mapping[str, Any]) -> Scores:
    setup_started = time.perf_counter()
    extractor = _extractor()
    setup_seconds = time.perf_counter() - setup_started
    latest: dict[str, Event] = {}
    batch: list[CleanArticle] = []

    def flush() -> None:
        for events in extractor.extract(batch):
            for event in events:
                latest[event["event_id"]] = event
        batch.clear()

    def on_unique(article: CleanArticle) -> None:
        batch.append(article)
        if len(batch) >= EXTRACT_BATCH:
            flush()

    dedup = _replay_dedup(lines, on_unique)
    flush()
    by_article: dict[str, list[Event]] = defaultdict(list)
    for event in latest.values():
        for clean_id in event["article_ids"]:
            by_article[dedup.replay.raw_id(clean_id)].append(event)
    canonical_of = dedup.canonical_of
    for duplicate in canonical_of:
        by_article[duplicate] = by_article.get(canonical_root(duplicate, canonical_of), [])
    scores = events_scores(by_article, labels)
    scores |= {"n_events": len(latest), "n_diverted_as_duplicate": len(canonical_of)}
    return scores | _replay_scores(dedup.replay) | {"setup_seconds": setup_seconds}


def _run_geo(lines: Sequence[bytes], labels: Mapping[str, Any]) -> Scores:
    setup_started = time.perf_counter()
    extractor = _extractor()
    setup_seconds = time.perf_counter() - setup_started
    replay = _replay_normalize(lines)
    places_by_article: dict[str, list[dict[str, Any]]] = {}
    unmapped = 0
    for raw_id, clean in replay.accepted:
        text, body = clean["text"], replay.records[raw_id].get("body")
        body = body if isinstance(body, str) else text
        mapping = offset_map(body, text)
        mapped: list[dict[str, Any]] = []
        for place in extractor.places(clean):
            span = map_span(place["start"], place["end"], mapping, body, text)
            if span is None:
                unmapped += 1
                continue
            start, end = span
            mapped.append(
                {"name": place["text"], "start": start, "end": end, "lat": place["lat"], "lon": place["lon"]}
            )
        places_by_article[raw_id] = mapped
    scores = geo_scores(places_by_article, labels) | {"n_unmapped_places": unmapped}
    return scores | _replay_scores(replay) | {"setup_seconds": setup_seconds}


def _run_stories(lines: Sequence[bytes], labels: Mapping[str, Any]) -> Scores:
    raise NotImplementedError("stories needs the story-merging stage")


_RUNNERS: dict[str, Callable[[Sequence[bytes], Mapping[str, Any]], Scores]] = {
    "cleaning": _run_cleaning,
    "dedup": _run_dedup,
    "stories": _run_stories,
    "events": _run_events,
    "geo": _run_geo,
}


def run_task(task: str, data_dir: Path) -> Scores:
    """Replay ``data_dir`` through the stage code from empty state and score it.

    ``seconds`` and ``articles_per_s`` cover the replay itself; model loading is in ``setup_seconds``.
    """
    if task not in _RUNNERS:
        raise ValueError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    lines, labels = read_dir(data_dir)
    started = time.perf_counter()
    scores = _RUNNERS[task](lines, labels)
    seconds = time.perf_counter() - started - scores.get("setup_seconds", 0.0)
    return scores | {"n_lines": len(lines), "seconds": seconds, "articles_per_s": _ratio(len(lines), seconds)}


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


def main_eval(task: str, data: Path, as_json: bool) -> int:
    """Run one task and print its table; with ``as_json`` the last stdout line is one JSON object."""
    if task not in TASKS:
        print(f"newsevents eval: unknown task {task!r}; choose one of {', '.join(TASKS)}", file=sys.stderr)
        return 2
    try:
        scores = run_task(task, data)
    except EvalDataError as exc:
        print(f"newsevents eval: {exc}", file=sys.stderr)
        return 2
    except NotImplementedError as exc:
        print(f"newsevents eval {task}: not available yet: {exc}", file=sys.stderr)
        return 1
    print(format_table(task, scores))
    if as_json:
        print(orjson.dumps({"task": task, "data": str(data), **scores}).decode())
    return 0
