"""Countries of actors whose words state none: the place the sentence puts them in, the person's full
mention elsewhere in the article, or the article's evident setting."""

from __future__ import annotations

import functools
import re
from collections import Counter
from itertools import pairwise

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Token

from streams.contracts import Actor, Place
from streams.stages import geo
from streams.stages.extract.grammar import pos, sentence_text
from streams.stages.extract.lexicon import SECTORS
from streams.stages.extract.names import LOCATION_PREPS, NAME_TITLES, Setting, trusted_place
from streams.stages.geo.toponyms import WELL_KNOWN_CITY_POPULATION, NameLookup
from streams.stages.text import sentences

#: A visitor's country is not the place visited; 'the NAFTA countries', 'the warring parties', 'the allies'
#: and the holders of an office every country has one of ('foreign ministers') are of several.
_NO_SETTING = re.compile(
    r"\b(?:visiting|countries|nations|governments|sides|parties|factions|delegations|allies"
    r"|(?:foreign|defen[cs]e|finance|interior|trade|economy|energy|health) ministers)\b",
    re.IGNORECASE,
)
#: Commentators the article does not place: 'critics say the vote is a sham'.
_OPINION_HOLDERS = re.compile(
    r"(?:some |many )?(?:critics|analysts|experts|observers|commentators)", re.IGNORECASE
)
#: How many times more mentions the article's country needs than the next one to be its setting.
_DOMINANCE = 2.0
#: 'Apple Inc.', 'AirTanker Ltd.': a company, whose country is not the news's setting.
_COMPANY_SUFFIX = re.compile(r"\b(?:Inc|Corp|Co|Ltd|LLC|plc|PLC|GmbH|AG|SA|NV|Group|Holdings)\b\.?")
#: The rest of a name, a comma and a description that opens with an article or a capital.
_APPOSITIVE = re.compile(r"(?:[ -][A-Z][\w'’.-]*)*, ((?:an?|the|[A-Z][\w'’.-]*) [^,.;:!?\n\"“”]{1,60})")
_DOTTED_WORD = re.compile(r"(?:[A-Z]\.)+")


def fill_countries(
    sources: list[Actor], targets: list[Actor], carrier: Token, offset: int, setting: Setting
) -> None:
    """An actor whose words name no country takes the one of the place the sentence puts it or its event
    in ('police arrested 12 people in Paris': ``place``), else the article's evident setting
    (``article``). International organisations and companies take neither, and no actor takes a country
    from a look-alike word ('May', 'Inc.', a surname) or the other side's."""
    actors = [*sources, *targets]
    taken = {a["country"] for a in actors if a["country"] and a["country_source"] == "stated"}
    for actor in actors:  # 'a visiting delegation in Beijing' is not Chinese, 'foreign ministers' several
        placed = actor["country_source"] == "place" and not _takes_setting(actor)
        if placed and (actor["country"] in taken or _NO_SETTING.search(actor["text"])):
            actor["country"], actor["country_source"] = None, "none"
    strong = _country_mentions(setting)[0]
    # Where an event with actors of stated countries happens says nothing of the others' nationality
    # (a meeting of ministers abroad); without any, the place is the actors' ('police in Paris').
    located = [
        p["country"]
        for p in _event_places(carrier, offset, setting.places)
        if not taken and p["country"] and trusted_place(p, setting.article["text"])
        if _is_strong(p, setting.entries) or p["country"] in strong or not strong
    ]
    for actor in actors:
        if actor["country"] is None:
            actor["country"] = _named_with_country(actor, setting)
            actor["country_source"] = "stated" if actor["country"] else "none"
    fallback: str | None = located[0] if located else setting_country(setting)
    how = "place" if located else "article"
    for actor in actors:
        if actor["country"] is None and fallback and _takes_setting(actor):
            actor["country"], actor["country_source"] = fallback, how


def _named_with_country(actor: Actor, setting: Setting) -> str | None:
    """The country the article gives a person or body where it names them in full: 'Wang' after
    'Chinese Foreign Minister Wang Yi', 'Boeing' after 'Chicago-based Boeing', 'Kang' after 'Kang
    Kyung-wha, South Korea's foreign minister'; a model takes its maker's ('22 Boeing 787s')."""
    if actor["sector"] == "IGO" or _NO_SETTING.search(actor["text"]):
        return None
    words_ = actor["text"].split()
    last = next((w for w in reversed(words_) if w[:1].isupper() and len(w) > 2), None)
    if last is None or last.lower().rstrip(".") in NAME_TITLES or last.lower() in SECTORS:
        return None
    # 'Boeing 787 Dreamliners', 'an Airbus A380': the maker a model is named after
    makers = [w for w, model in pairwise(words_) if w[:1].isupper() and any(c.isdigit() for c in model)]
    for name in (last, *makers):
        country = _stated_with(name, actor, setting)
        if country is not None:
            return country
    return _described_firm(last, setting)


#: 'The US software giant said', 'the German carmaker': a firm described by its country.
_FIRM_DESCRIPTION = re.compile(
    r"\b[Tt]he ((?:[A-Z]\.)+|[A-Z][\w'’-]*) (?:[a-z-]+ ){0,2}"
    r"(?:giant|company|firm|maker|carmaker|manufacturer|retailer|bank|airline|group|conglomerate)\b"
)


def _described_firm(last: str, setting: Setting) -> str | None:
    """'Microsoft on Wednesday released a patch. The US software giant said ...': the country a
    description gives the firm that the sentence before it names."""
    text = setting.article["text"]
    spans: list[tuple[int, int]] | None = None
    for at, cue in _firm_descriptions(text):
        spans = spans if spans is not None else list(sentences(text))  # only for an article with one
        before = [start for start, end in spans if end <= at]
        previous = text[before[-1] : at] if before else ""
        if re.search(rf"\b{re.escape(last)}\b", previous):
            country = _country_cue(cue, setting)
            if country is not None:
                return country
    return None


@functools.lru_cache(maxsize=8)
def _firm_descriptions(text: str) -> list[tuple[int, str]]:
    """Where the article describes a firm and the word that gives its country, read once per article
    (``_described_firm`` asks for each of its actors)."""
    return [(found.start(), found.group(1)) for found in _FIRM_DESCRIPTION.finditer(text)]


def _stated_with(last: str, actor: Actor, setting: Setting) -> str | None:
    """The country a title or an appositive gives ``last`` (a word of a name) where the article names it."""
    text = setting.article["text"]
    mentions = sorted(
        (m.start() for m in re.finditer(rf"\b{re.escape(last)}\b", text)),
        key=lambda start: (start > actor["start"], abs(start - actor["start"])),
    )
    for start in mentions:
        words_ = re.findall(r"\S+", text[max(0, start - 90) : start].split("\n")[-1])
        common = 0
        for word in reversed(words_):
            if word[-1:] in '.,;:!?"”)' and not _DOTTED_WORD.fullmatch(word):
                break
            if not (word[:1].isupper() or word in ("and", "of", "the")):
                common += 1  # 'Russian flag carrier Aeroflot', not 'Russia said on Monday Aeroflot'
                if common > 2 or word in STOP_WORDS or word.endswith(("ed", "ing")):
                    break
            country = _country_cue(word, setting)
            if country is None and word.lower() in _OFFICES:
                country = _office_country(word, setting)
            if country is not None:
                return country
        country = _described_country(text, start + len(last), setting)
        if country is not None:
            return country
    return None


#: Titles of office that the article may say whose they are: 'President X' ... 'the President of Armenia'.
_OFFICES = frozenset(k for k, sector in SECTORS.items() if sector == "GOV" and " " not in k)


def _office_country(title: str, setting: Setting) -> str | None:
    """The one country whose office the article names with this title ('the President of Armenia',
    'Armenia's president'), when the article's setting is that country or none: 'President Serzh
    Sargsyan' in a story set at the Holy See."""
    text = setting.article["text"]
    office = rf"(?i:{re.escape(title)})"
    named = re.findall(rf"\b{office} of (?:the )?((?:Republic of )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*)*)", text)
    named += re.findall(rf"\b([A-Z][\w'’-]*)['’]s {office}\b", text)
    countries = set()
    for name in named:
        for key in (name, name.split()[-1]):
            found = setting.entries(key)
            if found and found[0].rank == geo.RANK["country"] and found[0].place["country"]:
                countries.add(found[0].place["country"])
                break
    if len(countries) != 1:
        return None
    country = countries.pop()
    return country if setting_country(setting) in (None, country) else None


def _described_country(text: str, end: int, setting: Setting) -> str | None:
    """The country an appositive after a name gives: 'Kang Kyung-wha, South Korea's foreign minister',
    'Ali Reza, an Iranian national'; not a clause ('Kang, who met ...')."""
    found = _APPOSITIVE.match(text, end)
    if found is None:
        return None
    words_ = found.group(1).split()
    for i in range(len(words_)):
        for cue in (" ".join(words_[i : i + 2]), words_[i]) if i + 1 < len(words_) else (words_[i],):
            country = _country_cue(cue, setting)
            if country is not None:
                return country
    return None


def _country_cue(word: str, setting: Setting) -> str | None:
    """The country a title word gives: a demonym ('Chinese'), a country's possessive ('China's'), an
    abbreviation ('U.S.') or a base ('Chicago-based')."""
    based = word.endswith("-based")
    bare = re.sub(r"(?:['’]s|-based)$", "", word)
    found = setting.entries(bare) if bare[:1].isupper() else []
    if not found or not found[0].place["country"]:
        return None
    best = found[0]
    if based:
        known = best.rank >= geo.RANK["admin1"] or best.population >= WELL_KNOWN_CITY_POPULATION
        return best.place["country"] if known else None
    if best.rank != geo.RANK["country"]:
        return None
    key = geo.normalize(bare)
    possessive = bare != word
    if key in setting.demonyms or possessive or _DOTTED_WORD.fullmatch(bare) or bare.isupper():
        return best.place["country"]
    return None


def setting_country(setting: Setting) -> str | None:
    """The country an article is evidently set in: its dateline's, else the one its trusted places name
    most, and clearly most (a small town counts only in a country the article names otherwise)."""
    dateline = setting.article.get("dateline")
    if dateline and dateline.get("country"):
        return dateline["country"]
    strong, weak = _country_mentions(setting)
    counts = strong + Counter({c: n for c, n in weak.items() if c in strong}) if strong else weak
    ranked = counts.most_common(2)
    if not ranked:
        return None
    if len(ranked) == 1 or ranked[0][1] >= _DOMINANCE * ranked[1][1]:
        return ranked[0][0]
    return None


def _country_mentions(setting: Setting) -> tuple[Counter[str], Counter[str]]:
    """Trusted mentions per country: of countries, divisions and well-known cities; of small towns
    (once per article: every event of it asks)."""
    text = setting.article["text"]
    key = (setting.article["id"], text)
    if key not in _MENTIONS:
        if len(_MENTIONS) > 256:
            _MENTIONS.clear()
        _MENTIONS[key] = _count_mentions(setting)
    return _MENTIONS[key]


_MENTIONS: dict[tuple[str, str], tuple[Counter[str], Counter[str]]] = {}


def _count_mentions(setting: Setting) -> tuple[Counter[str], Counter[str]]:
    text = setting.article["text"]
    strong: Counter[str] = Counter()
    weak: Counter[str] = Counter()
    for place in setting.places:
        if (
            place["country"]
            and place.get("feature") in ("country", "admin1", "city")
            and trusted_place(place, text)
        ):
            demonym = geo.normalize(place["text"]) in setting.demonyms
            (strong if _is_strong(place, setting.entries) and not demonym else weak)[place["country"]] += 1
    return strong, weak


def _is_strong(place: Place, entries: NameLookup) -> bool:
    if place.get("feature") != "city":
        return True
    found = next((e for e in entries(place["text"]) if e.place["geonameid"] == place["geonameid"]), None)
    return found is not None and found.population >= WELL_KNOWN_CITY_POPULATION


def _event_places(carrier: Token, offset: int, places: list[Place]) -> list[Place]:
    """Places the sentence puts the event in: objects of 'in', 'at', 'near'... in the clause that states
    it ('retook a village in Cambodia after fighting with guerrillas') or attached to a verb above it."""
    doc = carrier.doc
    end = offset + len(sentence_text(doc))
    verb = next((t for t in (carrier, *carrier.ancestors) if pos(t) == "VERB"), carrier)
    clause = {t.i for t in verb.subtree} | {a.i for a in verb.ancestors}
    found = []
    for place in places:
        if not offset <= place["start"] < end:
            continue
        span = doc.char_span(place["start"] - offset, place["end"] - offset, alignment_mode="expand")
        if span is None:
            continue
        prep = span.root.head
        if prep.dep_ == "prep" and prep.lower_ in LOCATION_PREPS and prep.head.i in clause:
            found.append(place)
    return found


def _takes_setting(actor: Actor) -> bool:
    """International bodies have no country; a company's is its own, not where the news happens; a
    visitor's is not the place visited; several countries are not one; critics and analysts the article
    does not place are of no country."""
    if actor["sector"] in ("IGO", "BUS") or _NO_SETTING.search(actor["text"]):
        return False
    if _OPINION_HOLDERS.fullmatch(actor["text"]):
        return False
    return _COMPANY_SUFFIX.search(actor["text"]) is None
