"""Toponyms in running text: gazetteer matches over runs of capitalised words, kept when their context
confirms them as places, and read where the article is set. No NER: the extract stage codes events
with these places and the geo evaluation scores the same ones (why, with numbers: docs/extract.md).

A name is a place when the text says so: a country or a division; a city large enough to be known
by name alone; any town after a place preposition ('in Nenagh'), after 'the town of', before a
place noun ('Riverdale police', 'the Allendale area') or followed by its state or country
('Lebanon, Ohio'). A name confirmed once is a place wherever the article repeats it. Readings are
chosen by the state or country named after the name, else by the divisions and countries the
article's other places lie in, else by population.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from itertools import pairwise

from streams.contracts import GeoPlace, Place
from streams.stages.geo import RANK, GazetteerEntry, normalize, qualified

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
#: Capitalised words that may stand before a place inside one name: "Greater London", "South Texas".
_PLACE_PREFIXES = GENERIC_PLACE_WORDS | _words(
    "greater metro metropolitan downtown uptown upper lower inner outer"
)
#: Words after a place's name that keep it a place inside a longer name ("Chicago Police",
#: "Dublin International Airport"); any other capitalised word makes it a person's first name.
_NAME_HEADS = _words(
    "county city police department university college school academy times post tribune herald journal "
    "news press international airport hospital center centre street road avenue park church court bank "
    "museum stadium institute lottery commission council club hotel theatre theater station square "
    "bridge metro area district region province state republic government ministry office sheriff fire "
    "zoo library mall market port harbour harbor river lake valley bay beach island mountains hills "
    "heights township parish borough village town community cathedral mosque temple chamber chambers "
    "board public mayor high regional national federal general supreme district metropolitan"
)
#: Words before a place's name that keep it a place ("Air Canada", "Greater London"); after any other
#: capitalised word the name is a surname ("Andrew Jordan").
_NAME_PREFIXES = _words("air bank royal smart port fort saint st mount mt lake cape")
#: A first name or surname that is also a place this big keeps its place reading elsewhere in the
#: article ("Toronto Raptors" does not make Toronto a person).
_WORLD_CITY_POPULATION = 1_000_000
#: Last words of the names of sites and local places the gazetteer does not hold ("Royal Street",
#: "Cuyahoga County", "Barclays Center"): read as lying in the place the article is about.
_SITE_HEADS = _words(
    "street st avenue ave road rd boulevard blvd drive lane square plaza park county parish township "
    "center centre hospital church cathedral mosque temple school elementary college university library "
    "museum stadium arena airport bridge lake river bay island beach harbor harbour courthouse hall "
    "tower palace castle prison jail estate market mall station canal lagoon highway expressway parkway "
    "point valley heights springs falls creek"
)
#: Month and day names read as dates, never as the towns that share them ("in May", "March 3").
_CALENDAR = frozenset(
    name.casefold() for name in (*calendar.month_name, *calendar.day_name, *calendar.month_abbr) if name
)
_CONNECTORS = _words("de da do del di du des la le of upon al el au on the")
#: Words capitalised only because they open a sentence: never the first word of a place's name.
_FUNCTION_WORDS = _words(
    "a an the in at on of to from by for with without after before since during under over into "
    "through near outside inside across around between among against toward towards though although "
    "but and or so yet if when while as because unlike like via per until upon within beyond despite "
    "this that these those his her their our its my your we they he she it there here then"
)
_TOKEN = re.compile(r"[\w'’.]+")
_WORD = re.compile(r"\w+")
_JOINER = re.compile(r"[ \-]+")
#: Dotted words that stay inside a name: "U.S.", "St. Louis", "Mt. Kenya".
_DOTTED = re.compile(r"(?:[A-Z]\.)+|St\.|Mt\.|Ft\.|Pt\.|Ste\.")
#: "in Riverdale", "near Nenagh": a small town's name right after a place preposition is a place.
_AFTER_PLACE_PREPOSITION = re.compile(
    r"\b(?:in|at|near|outside|from|into|through|across|around|toward|towards|via)\s+$", re.IGNORECASE
)
#: "the town of Southold", "a suburb of Leeds".
_AFTER_PLACE_NOUN = re.compile(
    r"\b(?:town|city|village|hamlet|suburb|borough|township|municipality|community|outskirts|"
    r"neighbou?rhood|county|parish|province|region|district) of\s+$",
    re.IGNORECASE,
)
#: "Riverdale police", "the Allendale area", "Suffolk County", "a Leeds-based firm".
_BEFORE_PLACE_NOUN = re.compile(
    r"(?:-based\b|\s+(?:County|Parish|Township|Borough|police|residents?|natives?|area|"
    r"neighbou?rhood|district|suburbs?|mayor|city council|county|township|borough)\b)"
)
#: "WASHINGTON (AP) -", "SPRINGFIELD, Ill. -": a capitalised name opening a dateline.
_DATELINE_AFTER = re.compile(r"(?:,[^,\n]{2,25})?\s*(?:\(|—|–|-|:)")
#: "Coggeshall and Marks Tey", "Nitra, Prešov": names listed with a place are places.
_LIST_GAP = re.compile(r"\s*(?:,|/|&|\band\b|\bor\b|,\s*and\b)\s*")
#: US postal codes, which are also GeoNames' codes of the states: "Delhi, NY" is the Delhi in US.NY.
_US_STATE_CODES = _words(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
    "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
#: AP abbreviations of the states the gazetteer cannot hold without misreading acronyms and titles
#: ("Pa." would read "P.A.", "La." "LA", "Miss." "Miss Smith"): read case-sensitively after a comma.
_AP_STATES = {
    "Ill.": "IL", "Ind.": "IN", "Miss.": "MS", "Mo.": "MO", "Pa.": "PA", "Va.": "VA", "Wash.": "WA",
    "La.": "LA", "Del.": "DE", "Penn.": "PA", "Me.": "ME", "D.C.": "DC",
}  # fmt: skip
_POSTAL_QUALIFIER = re.compile(
    r"\s*,\s*(?:([A-Z]{2})\b(?![.\w])|(" + "|".join(re.escape(a) for a in _AP_STATES) + r"))"
)
#: ", Ohio" / ", N.Y." right after a name: the division or country that says which one it is.
_QUALIFIER_GAP = re.compile(r"\s*,\s*")
#: An in-context reading wins only if the world-famous one is at most this many times bigger
#: (an article about the US still means London, England).
_CONTEXT_RATIO = 20
#: A country's name before a noun of local life is a town's: for the country, news writes the demonym
#: ('a Lebanese man'), US local news 'a Lebanon man', 'Paris police', 'Peru High School'.
_TOWN_NOUN = re.compile(
    r"[ -](?:man|men|woman|women|teen|teenager|boy|girl|youth|resident|residents|couple|family|native|"
    r"police|officers?|firefighters|mayor|council|schools?|High School)\b"
)


@dataclass
class _Match:
    start: int
    end: int
    found: list[GazetteerEntry]
    #: Starts its capitalised run, or follows only a connector or a place word ("Greater", "of").
    clean_start: bool
    #: Ends its capitalised run (nothing capitalised glued after it: not "Lee College").
    clean_end: bool
    #: The capitalised words right before and after the match in its run ("" at the run's edges).
    before: str = ""
    after: str = ""
    confirmed: bool = False
    reading: GazetteerEntry | None = None
    #: Set on an abbreviation read as a state qualifier that no gazetteer name of the state matches.
    dropped: bool = False


def find_places(
    text: str, sentence_starts: Collection[int], dateline: GeoPlace | None, entries: NameLookup
) -> list[Place]:
    """Confirmed gazetteer matches over capitalised runs, longest first, each read in the article's
    context (its qualifiers, divisions, countries and dateline)."""
    runs = list(_capitalised_runs(text))
    matches = [m for run in runs for m in _run_matches(text, run, entries)]
    people = _person_names(text, matches)
    for m in matches:
        m.confirmed = _confirmed(text, m, sentence_starts, _key(text, m) in people)
    _qualify(text, matches)
    _listed(text, matches)
    names = {_key(text, m) for m in matches if m.confirmed}
    kept = [m for m in matches if _key(text, m) in names and _repeatable(text, m) and not m.dropped]
    kept = _foreign_divisions_dropped(text, kept, dateline)
    _town_named_like_country(text, kept, dateline, entries)
    _one_sense(text, kept, dateline)
    divisions, countries = _context(kept, dateline, entries)
    places: list[Place] = []
    for m in kept:
        best = m.reading or _in_context(m.found, divisions, countries)
        places.append(Place(**best.place, text=text[m.start : m.end], start=m.start, end=m.end))
    return sorted(places + _sites(text, runs, places, sentence_starts), key=lambda p: p["start"])


def _sites(
    text: str, runs: list[list[tuple[int, int]]], places: list[Place], sentence_starts: Collection[int]
) -> list[Place]:
    """Named sites the gazetteer lacks ('Royal Street', 'Cuyahoga County') with no known place
    inside, placed at the nearest city or division the article names in the same sentence, else at
    the one it names most."""
    local = [p for p in places if p.get("feature") in ("city", "admin1")]
    if not local:
        return []
    counts = Counter(p["geonameid"] for p in local)
    setting = max(local, key=lambda p: (counts[p["geonameid"]], -p["start"]))
    starts = sorted(sentence_starts)
    found: list[Place] = []
    for run in runs:
        if len(run) < 2 or normalize(text[run[-1][0] : run[-1][1]]) not in _SITE_HEADS:
            continue
        start, end = run[0][0], run[-1][1]
        if any(p["start"] < end and start < p["end"] for p in places):
            continue
        sentence = max((s for s in starts if s <= start), default=0)
        following = min((s for s in starts if s > start), default=len(text))
        near = [p for p in local if sentence <= p["start"] < following]
        anchor = min(near, key=lambda p: abs(p["start"] - start)) if near else setting
        site: Place = {
            "name": text[start:end],
            "country": anchor["country"],
            "geonameid": None,
            "lat": anchor["lat"],
            "lon": anchor["lon"],
            "feature": "site",
            "text": text[start:end],
            "start": start,
            "end": end,
        }
        found.append(site)
    return found


def _key(text: str, m: _Match) -> str:
    return normalize(text[m.start : m.end])


def _run_matches(text: str, run: list[tuple[int, int]], entries: NameLookup) -> Iterator[_Match]:
    i = 0
    while i < len(run):
        for n in range(min(6, len(run) - i), 0, -1):
            first, last = run[i], run[i + n - 1]
            words = [text[s:e] for s, e in run[i : i + n]]
            if words[0].lower() in _CONNECTORS or words[-1].lower() in _CONNECTORS:
                continue
            if n == 1 and normalize(words[0]) in GENERIC_PLACE_WORDS:
                continue
            start, end = first[0], last[1]
            found = _readable(text[start:end], entries(text[start:end]), text[end : end + 1] == ".")
            if not found:
                continue
            before = text[run[i - 1][0] : run[i - 1][1]] if i else ""
            after = text[run[i + n][0] : run[i + n][1]] if i + n < len(run) else ""
            clean_start = not before or before.lower() in _CONNECTORS or normalize(before) in _PLACE_PREFIXES
            clean_end = not after or after.lower() in _CONNECTORS  # "in Nenagh on Monday"
            yield _Match(start, end, found, clean_start, clean_end, before, after)
            i += n
            break
        else:
            i += 1


def _readable(word: str, found: list[GazetteerEntry], dotted: bool) -> list[GazetteerEntry]:
    """Readings a written form can have: an acronym ("NBC", "DUI") is a country or a division, never
    the city whose code it happens to be; a short capitalised word ("Act", "No") is no division
    unless a dot marks it as an abbreviation ("Md.", "Pa.")."""
    letters = word.replace(".", "")
    if letters.isupper() and len(letters) <= 4 and "." not in word:
        return [e for e in found if e.rank >= RANK["admin1"]]
    if len(letters) <= 3 and not letters.isupper() and not dotted:
        return [e for e in found if e.rank >= RANK["country"] or e.rank == RANK["city"]]
    return found


def _person_names(text: str, matches: list[_Match]) -> set[str]:
    """Names the article uses as a person's first name or surname: a name after a capitalised first
    name ("Andrew Jordan"), or one before a capitalised word the article later uses alone, as news
    refers to people by surname ("Nancy Pelosi ... Pelosi said"). Elsewhere in the article such a
    name is a place only where the grammar says so."""
    people: set[str] = set()
    for m in matches:
        best = m.found[0]
        if (
            " " in text[m.start : m.end]
            or best.rank >= RANK["country"]
            or best.population >= _WORLD_CITY_POPULATION
        ):
            continue
        surname = (
            not m.clean_start
            and m.clean_end
            and m.before[:1].isupper()
            and not m.before.isupper()
            and normalize(m.before) not in _NAME_PREFIXES
            and text[m.start - 1] == " "
        )
        first_name = (
            best.rank == RANK["city"]
            and m.clean_start
            and m.after[:1].isupper()
            and not m.after.isupper()
            and normalize(m.after) not in _NAME_HEADS
            and text[m.end : m.end + 1] == " "
            and text[m.end + 1 + len(m.after) : m.end + 2 + len(m.after)] != "-"  # "Honolulu Star-Advertiser"
            and _used_alone(text, m.after, text[m.start : m.end])
        )
        if surname or first_name:
            people.add(_key(text, m))
    return people


def _used_alone(text: str, word: str, first: str) -> bool:
    """``word`` also stands in the text without ``first`` before it ('Pelosi said'), and never in
    lower case (a common noun such as 'Star' in 'Honolulu Star' is no surname)."""
    counts = _word_counts(text)
    if counts[word.lower()]:
        return False
    return counts[word] > text.count(f"{first} {word}")


@functools.lru_cache(maxsize=8)
def _word_counts(text: str) -> Counter[str]:
    """How often each word occurs in ``text``."""
    return Counter(_WORD.findall(text))


def _confirmed(text: str, m: _Match, sentence_starts: Collection[int], person: bool) -> bool:
    """The context says the name is a place: a country or division by itself, a well-known city
    standing alone, or any town the grammar around it marks as a place. A name the article also
    uses for a person needs the grammar."""
    word = text[m.start : m.end]
    if normalize(word) in _CALENDAR:
        return False
    best = m.found[0]
    if not m.clean_start and best.rank < RANK["country"]:
        return False
    short = len(word.replace(".", "")) <= 3 and not word.isupper()
    if best.rank >= RANK["admin1"] and not short and not person:
        return True
    if _marked(text, m):
        return True
    opens = m.start in sentence_starts or m.start == 0
    if word.isupper() and len(word) > 3 and opens and _DATELINE_AFTER.match(text, m.end):
        return True
    official = [e for e in m.found if not e.alternate]
    capitals = word.isupper() and len(word) > 3  # a dateline or a headline: not capitalised by position
    return (
        not short
        and not person
        and (m.start not in sentence_starts or capitals)
        and bool(official)
        and official[0].rank == RANK["city"]
        and official[0].population >= WELL_KNOWN_CITY_POPULATION
    )


def _marked(text: str, m: _Match) -> bool:
    """The grammar marks the name as a place: 'in Nenagh', 'the town of Southold', 'Riverdale
    police', 'Suffolk County'."""
    after_noun = m.clean_end and (
        _AFTER_PLACE_PREPOSITION.search(text, max(0, m.start - 12), m.start) is not None
        or _AFTER_PLACE_NOUN.search(text, max(0, m.start - 30), m.start) is not None
    )
    return after_noun or _BEFORE_PLACE_NOUN.match(text, m.end) is not None


def _repeatable(text: str, m: _Match) -> bool:
    """A mention of a confirmed name counts unless it is glued into another name ("Vincent Jackson")
    or is a date."""
    if normalize(text[m.start : m.end]) in _CALENDAR and not m.confirmed:
        return False
    return m.clean_start or m.found[0].rank >= RANK["country"]


def _qualify(text: str, matches: list[_Match]) -> None:
    """'Lebanon, Ohio': the name is the Lebanon in Ohio, and 'Ohio' the state, whatever their size;
    'Delhi, NY' is the Delhi in New York."""
    for index, m in enumerate(matches):
        after = matches[index + 1] if index + 1 < len(matches) else None
        postal = _POSTAL_QUALIFIER.match(text, m.end)
        state = postal and (postal.group(1) or _AP_STATES.get(postal.group(2), ""))
        if postal is None or not state or state not in _US_STATE_CODES or not m.clean_start:
            continue
        code = f"US.{state}"
        local = [e for e in m.found if e.rank == RANK["city"] and e.admin1 == code]
        if local:
            m.reading, m.confirmed = local[0], True
        if after is not None and after.start < postal.end():
            division = [e for e in after.found if e.rank == RANK["admin1"] and e.admin1 == code]
            if division:
                after.reading, after.confirmed = division[0], True
            else:
                after.dropped = True
    for m, after in pairwise(matches):
        gap = _QUALIFIER_GAP.match(text, m.end)
        if gap is None or gap.end() != after.start or not m.clean_start:
            continue
        local = qualified(m.found, after.found)
        if not local:
            continue
        m.reading, m.confirmed = local[0], True
        division = [e for e in after.found if e.rank == RANK["admin1"] and e.admin1 == local[0].admin1]
        if division and after.reading is None:
            after.reading, after.confirmed = division[0], True


def _foreign_divisions_dropped(text: str, kept: list[_Match], dateline: GeoPlace | None) -> list[_Match]:
    """A division standing alone ('Delta', 'Miranda') in a country no other place of the article
    lies in is a look-alike word, not the far-off province, unless the grammar marked it."""
    countries: dict[str, set[str]] = {}
    for m in kept:
        best = m.reading or m.found[0]
        if best.place["country"]:
            countries.setdefault(best.place["country"], set()).add(_key(text, m))
    if dateline and dateline["country"]:
        countries.setdefault(dateline["country"], set()).add("")
    lonely = {
        _key(text, m)
        for m in kept
        if m.reading is None
        and m.found[0].rank == RANK["admin1"]
        and countries.get(m.found[0].place["country"] or "", set()) == {_key(text, m)}
    }
    marked = {_key(text, m) for m in kept if _key(text, m) in lonely and _marked(text, m)}
    return [m for m in kept if _key(text, m) not in lonely - marked]


def _one_sense(text: str, kept: list[_Match], dateline: GeoPlace | None) -> None:
    """A name keeps one reading through an article: the one its dateline, a qualifier or another name of
    the same place pins ('PARIS, Texas' ... 'Paris police'; 'Athens-Clarke County' ... 'an Athens man')."""
    pinned = {m.reading.place["geonameid"] for m in kept if m.reading is not None}
    pinned |= {m.found[0].place["geonameid"] for m in kept if len(m.found) == 1}
    if dateline and dateline.get("geonameid"):
        pinned.add(dateline["geonameid"])
    by_key = {_key(text, m): m.reading for m in kept if m.reading is not None}
    for m in kept:
        if m.reading is None:
            same = by_key.get(_key(text, m))
            m.reading = same or next((e for e in m.found if e.place["geonameid"] in pinned), None)


def _town_named_like_country(
    text: str, kept: list[_Match], dateline: GeoPlace | None, entries: NameLookup
) -> None:
    """'A Lebanon man': a town named like a country, unless the article is about that country (its
    other places lie there). The town in a division or country the article names, else the largest."""
    for m in kept:
        if m.reading is not None or m.found[0].rank != RANK["country"] or not _TOWN_NOUN.match(text, m.end):
            continue
        towns = [e for e in m.found if e.rank == RANK["city"] and not e.alternate]
        others = [o for o in kept if _key(text, o) != _key(text, m)]
        divisions, countries = _context(others, dateline, entries)
        if not towns or countries[m.found[0].place["country"] or ""]:
            continue
        m.reading = next(
            (e for e in towns if e.admin1 in divisions),
            next((e for e in towns if e.place["country"] in countries), towns[0]),
        )


def _listed(text: str, matches: list[_Match]) -> None:
    """A town listed with a confirmed city or town ('Hilversum and Almelo') is one too."""
    for _ in range(2):
        for m, after in pairwise(matches):
            gap = _LIST_GAP.match(text, m.end)
            if gap is None or gap.end() != after.start or m.confirmed == after.confirmed:
                continue
            other, this = (m, after) if m.confirmed else (after, m)
            if (other.reading or other.found[0]).rank == RANK["city"] and this.clean_start and this.clean_end:
                this.confirmed = True


def article_reading(entries: NameLookup, places: Collection[Place]) -> NameLookup:
    """The gazetteer as one article reads its names: a name its places resolved comes in that reading
    first, so an actor's words ('Paris police' under a 'PARIS, Texas' dateline) take the article's sense."""
    chosen = {normalize(p["text"]): p["geonameid"] for p in places if p.get("geonameid") is not None}

    def lookup(name: str) -> list[GazetteerEntry]:
        found = entries(name)
        pick = chosen.get(normalize(name))
        return found if pick is None else sorted(found, key=lambda e: e.place["geonameid"] != pick)

    return lookup


def _context(
    kept: list[_Match], dateline: GeoPlace | None, entries: NameLookup
) -> tuple[set[str], Counter[str]]:
    """The divisions and countries the article's unambiguous places lie in, and its dateline's."""
    divisions: set[str] = set()
    countries: Counter[str] = Counter()
    for m in kept:
        best = m.reading or m.found[0]
        if best.rank == RANK["admin1"] or (m.reading is not None and best.admin1):
            divisions.add(best.admin1)
        if best.place["country"] and (best.rank >= RANK["admin1"] or m.reading is not None):
            countries[best.place["country"]] += 1
    if dateline and dateline.get("country"):
        countries[dateline["country"]] += 1  # type: ignore[index]
        same = [e for e in entries(dateline["name"]) if e.place["geonameid"] == dateline["geonameid"]]
        if same and same[0].admin1:
            divisions.add(same[0].admin1)
    return divisions, countries


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
    while len(run) > 1 and text[run[0][0] : run[0][1]].lower() in _FUNCTION_WORDS:
        run = run[1:]
    return run


def _in_context(
    entries: list[GazetteerEntry], divisions: set[str], countries: Counter[str]
) -> GazetteerEntry:
    """Prefer a reading in a division, else a country, the article talks about, unless the top
    reading is a country itself or the local one is far smaller; official names before alternates."""
    best = entries[0]
    if best.rank >= RANK["country"]:
        return best
    official = [e for e in entries if not e.alternate] or entries
    for local in (
        [e for e in official if e.rank == RANK["city"] and e.admin1 in divisions],
        [e for e in official if e.place["country"] in countries],
    ):
        if local and (local[0] is best or local[0].population * _CONTEXT_RATIO >= best.population):
            return local[0]
    return best
