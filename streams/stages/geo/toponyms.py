"""Toponyms in running text: gazetteer matches over runs of capitalised words, read in the article's
countries. No NER: the extract stage codes events with these places and the geo evaluation scores
the same ones (why, with numbers: docs/extract.md)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator

from streams.contracts import GeoPlace, Place
from streams.stages.geo import RANK, GazetteerEntry, normalize

#: Every place a name can denote, best first: ``Gazetteer.entries``, usually behind a cache.
NameLookup = Callable[[str], list[GazetteerEntry]]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: A city named without a place preposition must be this large to count ("Riverdale" alone does not).
WELL_KNOWN_CITY_POPULATION = 100_000
#: Words that name places only as part of a longer name ("West Bank", "Union City").
GENERIC_PLACE_WORDS = _words(
    "west east north south western eastern northern southern central valley union new city university "
    "college county district island islands river lake mount bay beach park square street road centre "
    "center capital coast border national federal state states republic kingdom government president "
    "royal independence victory liberty unity progress hope mission"
)
_CONNECTORS = _words("de da do del di du des la le of upon al el au on the")
_TOKEN = re.compile(r"[\w'’.]+")
_JOINER = re.compile(r"[ \-]+")
#: Dotted words that stay inside a name: "U.S.", "St. Louis", "Mt. Kenya".
_DOTTED = re.compile(r"(?:[A-Z]\.)+|St\.|Mt\.|Ft\.|Pt\.|Ste\.")
#: "in Riverdale", "near Nenagh": a small town's name right after a place preposition is a place.
_AFTER_PLACE_PREPOSITION = re.compile(r"\b(?:in|at|near|outside|from)\s+$")
#: An in-context reading wins only if the world-famous one is at most this many times bigger
#: (an article about the US still means London, England).
_CONTEXT_RATIO = 20


def find_places(
    text: str, sentence_starts: Collection[int], dateline: GeoPlace | None, entries: NameLookup
) -> list[Place]:
    """Gazetteer matches over capitalised runs, longest first, re-ranked by the article's countries
    (those of its well-known places, and its dateline's)."""
    matches: list[tuple[int, int, list[GazetteerEntry]]] = []
    for run in _capitalised_runs(text):
        matches.extend(_run_matches(text, run, sentence_starts, entries))
    countries: Counter[str] = Counter()
    for _, _, found in matches:
        if found[0].rank >= RANK["admin1"] and found[0].place["country"]:
            countries[found[0].place["country"]] += 1
    if dateline and dateline.get("country"):
        countries[dateline["country"]] += 1  # type: ignore[index]
    places: list[Place] = []
    for start, end, found in matches:
        best = _in_context(found, countries)
        places.append(Place(**best.place, text=text[start:end], start=start, end=end))
    return places


def _run_matches(
    text: str, run: list[tuple[int, int]], sentence_starts: Collection[int], entries: NameLookup
) -> Iterator[tuple[int, int, list[GazetteerEntry]]]:
    i = 0
    while i < len(run):
        for n in range(min(6, len(run) - i), 0, -1):
            first, last = run[i], run[i + n - 1]
            words = [text[s:e] for s, e in run[i : i + n]]
            if words[0].lower() in _CONNECTORS or words[-1].lower() in _CONNECTORS:
                continue
            start, end = first[0], last[1]
            found = entries(text[start:end])
            if not found:
                continue
            if not _plausible(found[0], text, start, sentence_starts):
                continue
            if n == 1 and normalize(words[0]) in GENERIC_PLACE_WORDS:
                continue
            yield start, end, found
            i += n
            break
        else:
            i += 1


def _plausible(best: GazetteerEntry, text: str, start: int, sentence_starts: Collection[int]) -> bool:
    """Only well-known places, or big cities standing alone, count."""
    if best.rank >= RANK["admin1"]:
        return True
    if start in sentence_starts:
        return False
    return (
        best.population >= WELL_KNOWN_CITY_POPULATION
        or _AFTER_PLACE_PREPOSITION.search(text, max(0, start - 12), start) is not None
    )


def _capitalised_runs(text: str) -> Iterator[list[tuple[int, int]]]:
    """Runs of capitalised words (and name-internal connectors like 'de') joined by spaces or hyphens."""
    run: list[tuple[int, int]] = []
    previous_end = -1
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        word = match.group()
        while end > start and text[end - 1] == "." and not _DOTTED.fullmatch(text[start:end]):
            end -= 1
        if word.endswith(("'s", "’s")):
            end = start + len(word) - 2
        capitalised = word[:1].isupper()
        if run and (previous_end < 0 or not _JOINER.fullmatch(text, previous_end, start)):
            yield _trim_connectors(run, text)
            run = []
        if capitalised or (run and word.lower() in _CONNECTORS):
            run.append((start, end))
            previous_end = end if end == match.end() else -1
        elif run:
            yield _trim_connectors(run, text)
            run = []
            previous_end = -1
        else:
            previous_end = -1
    if run:
        yield _trim_connectors(run, text)


def _trim_connectors(run: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    while run and text[run[-1][0] : run[-1][1]].lower() in _CONNECTORS:
        run = run[:-1]
    return run


def _in_context(entries: list[GazetteerEntry], countries: Counter[str]) -> GazetteerEntry:
    """Prefer a reading in a country the article talks about, unless the top reading is a country itself."""
    best = entries[0]
    if best.rank >= RANK["country"] or not countries or best.place["country"] in countries:
        return best
    local = [e for e in entries if e.place["country"] in countries]
    if local and local[0].population * _CONTEXT_RATIO >= best.population:
        return local[0]
    return best
