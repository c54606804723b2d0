"""In-memory replay of an eval directory through the stage code, exactly as a worker runs it.

Articles go through normalize → dedup → extract in file order, from empty state, in the agents'
batch sizes; each task's runner scores what comes out with :mod:`.metrics`.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from streams.config import DEDUP_BATCH_SIZE, EXTRACT_BATCH_SIZE, Settings
from streams.contracts import Rejected, utc_now
from streams.tools.eval.coding import coding_scores
from streams.tools.eval.metrics import (
    Scores,
    b3_scores,
    cleaning_scores,
    dedup_scores,
    events_by_article,
    events_scores,
    geo_scores,
    pair_recall_by_language,
)
from streams.tools.inputs import read_jsonl

if TYPE_CHECKING:
    from streams.contracts import CleanArticle, DuplicateLink, Event, StoryRecord
    from streams.stages.extract import Extractor
    from streams.stages.stories import StoryConfig, StoryStream

ARTICLES_FILE = "articles.jsonl"
LABELS_FILE = "labels.json"


class EvalDataError(ValueError):
    """The directory is not in the eval format (missing or unreadable files)."""


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


def _run_cleaning(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
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


def _replay_dedup(
    lines: Sequence[bytes],
    on_unique: Callable[[CleanArticle], None] | None = None,
    on_duplicate: Callable[[DuplicateLink], None] | None = None,
) -> _DedupReplay:
    """normalize → dedup on one fresh in-memory state, in file order, in the agent's batch size."""
    from streams.stages.dedup import dedup_batch

    replay = _replay_normalize(lines)
    state: dict[str, Any] = {}
    result = _DedupReplay(replay)
    accepted = [clean for _, clean in replay.accepted]
    for offset in range(0, len(accepted), DEDUP_BATCH_SIZE):
        for out in dedup_batch(state, accepted[offset : offset + DEDUP_BATCH_SIZE]):
            for link in out.duplicates:
                result.links.append((replay.raw_id(link["id"]), replay.raw_id(link["canonical_id"])))
                result.methods[link["method"]] += 1
                if on_duplicate is not None:
                    on_duplicate(link)
            result.n_unique += len(out.unique)
            if on_unique is not None:
                for article in out.unique:
                    on_unique(article)
    return result


def _run_dedup(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
    dedup = _replay_dedup(lines)
    scores = dedup_scores(dedup.links, labels)
    scores["duplicates_by_method"] = dict(sorted(dedup.methods.items()))
    scores["n_unique"] = dedup.n_unique
    return scores | _replay_scores(dedup.replay)


@functools.cache
def _extractor() -> Extractor:
    """One per process, as the extract stage asks: it loads spaCy and the gazetteer."""
    from streams.stages.extract import Extractor

    return Extractor()


def _replay_extract(lines: Sequence[bytes]) -> tuple[_DedupReplay, list[Event], float]:
    """normalize → dedup → extract → stories as the workers run them: every event record the story stage
    publishes (aggregated across a story's articles), in order."""
    replay, setup_seconds = replay_stories(lines)
    return replay.dedup, replay.events, setup_seconds


def _run_events(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
    dedup, events, setup_seconds = _replay_extract(lines)
    published.extend(events)
    scores = events_scores(events_by_article(events, dedup.links, dedup.replay.raw_id_of), labels)
    scores |= {
        "n_events": len({e["event_id"] for e in events}),
        "n_diverted_as_duplicate": len(dedup.links),
    }
    return scores | _replay_scores(dedup.replay) | {"setup_seconds": setup_seconds}


def _run_coding(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
    """Records count for the articles in their ``article_ids`` only: a diverted reprint gets none."""
    dedup, events, setup_seconds = _replay_extract(lines)
    published.extend(events)
    gold = {article_id: list(label.get("events") or []) for article_id, label in labels.items()}
    scores = coding_scores(gold, events_by_article(events, article_of=dedup.replay.raw_id_of))
    scores["n_diverted_as_duplicate"] = len(dedup.links)
    return scores | _replay_scores(dedup.replay) | {"setup_seconds": setup_seconds}


def _run_geo(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
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


@dataclass
class StoryReplay:
    """What the story stage published in a replay: every story record and event record, in order."""

    dedup: _DedupReplay
    stream: StoryStream
    stories: list[StoryRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    #: article id → the story it was given, kept after the story leaves the window (the stream forgets it)
    story_of: dict[str, str] = field(default_factory=dict)


#: What the story stage is given, in order: ("add", article, events, places) for a unique article once it
#: is coded, ("reprint", id, canonical id, received_at) for a duplicate link.
StoryCall = tuple[Any, ...]


def story_input(lines: Sequence[bytes]) -> tuple[_DedupReplay, list[StoryCall], float]:
    """normalize → dedup → extract as the workers chain them, in the agents' batch sizes: the dedup replay,
    the calls the story stage gets in order, and the seconds spent loading the extractor. A replay of the
    calls alone (``play_stories``) is the story stage of ``eval stories`` in seconds (docs/stories.md)."""
    setup_started = time.perf_counter()
    extractor = _extractor()
    setup_seconds = time.perf_counter() - setup_started
    calls: list[StoryCall] = []
    batch: list[CleanArticle] = []

    def flush() -> None:
        for article, (coded, places) in zip(batch, extractor.code(batch), strict=True):
            calls.append(("add", article, coded, places))
        batch.clear()

    def on_unique(article: CleanArticle) -> None:
        batch.append(article)
        if len(batch) >= EXTRACT_BATCH_SIZE:
            flush()

    def on_duplicate(link: DuplicateLink) -> None:
        calls.append(("reprint", link["id"], link["canonical_id"], link["received_at"]))

    dedup = _replay_dedup(lines, on_unique, on_duplicate)
    flush()
    return dedup, calls, setup_seconds


def play_stories(
    calls: Sequence[StoryCall], config: StoryConfig | None = None, partitions: int = 1
) -> tuple[StoryStream, list[StoryRecord], list[Event], dict[str, str]]:
    """The story stage over recorded calls: the stream, its story records and event records in order, and
    article id → the story it was given (kept after the story leaves the window, which the stream forgets).
    The story window is the workers' (``NEWSEVENTS_STORY_WINDOW_HOURS``) unless ``config`` says otherwise."""
    from streams.stages.stories import DEFAULT, StoryStream

    window = Settings.from_env().story_window_hours
    stream = StoryStream(
        config=config or dataclasses.replace(DEFAULT, window_hours=window), partitions=partitions
    )
    stories: list[StoryRecord] = []
    events: list[Event] = []
    story_of: dict[str, str] = {}
    for kind, *args in calls:
        out = stream.add(*args) if kind == "add" else stream.reprint(*args)
        stories.extend(out.stories)
        events.extend(out.events)
        story_of.update(out.assigned)
    stories.extend(stream.flush())
    return stream, stories, events, story_of


def replay_stories(lines: Sequence[bytes], config: StoryConfig | None = None) -> tuple[StoryReplay, float]:
    """normalize → dedup → extract → stories as the workers chain them (reprints join their canonical's
    story), and the seconds spent loading the extractor."""
    dedup, calls, setup_seconds = story_input(lines)
    stream, stories, events, story_of = play_stories(calls, config)
    return StoryReplay(dedup, stream, stories, events, story_of), setup_seconds


def _run_stories(lines: Sequence[bytes], labels: Mapping[str, Any], published: list[Event]) -> Scores:
    """B³ against story labels (``{id: story}``); with dedup-form labels (``{id: {group, lang}}``) the share
    of reprint pairs put in one story instead. Both by language pair: the gold pairs in one story."""
    replay, setup_seconds = replay_stories(lines)
    published.extend(replay.events)
    raw_id = replay.dedup.replay.raw_id
    story_of = {raw_id(article_id): story for article_id, story in replay.story_of.items()}
    if all(isinstance(label, str) for label in labels.values()):
        scores = b3_scores(story_of, labels)
        group_of = dict(labels)
        language_of = _languages(replay.dedup.replay)
    else:
        scores = {}
        group_of = {i: label["group"] for i, label in labels.items()}
        language_of = {i: label["lang"] for i, label in labels.items()}
    scores["pair_recall_by_language_pair"] = pair_recall_by_language(story_of, group_of, language_of)
    scores |= {"n_stories": len(set(story_of.values())), "n_story_records": len(replay.stories)}
    scores["n_events"] = len({event["event_id"] for event in replay.events})
    return scores | _replay_scores(replay.dedup.replay) | {"setup_seconds": setup_seconds}


def _languages(replay: _Replay) -> dict[str, str]:
    """Each article's language as the file states it, else as normalize detected it."""
    detected = {raw_id: clean["language"] for raw_id, clean in replay.accepted}
    return {
        raw_id: stated if isinstance(stated := record.get("language"), str) and stated else detected[raw_id]
        for raw_id, record in replay.records.items()
    }


#: A task's runner: raw lines and labels in, scores out; event records it publishes go to the list.
Runner = Callable[[Sequence[bytes], Mapping[str, Any], list["Event"]], Scores]

#: Every task ``eval`` can run, and its runner.
RUNNERS: dict[str, Runner] = {
    "cleaning": _run_cleaning,
    "dedup": _run_dedup,
    "events": _run_events,
    "geo": _run_geo,
    "coding": _run_coding,
    "stories": _run_stories,
}
