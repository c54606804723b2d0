"""Actors: who does what to whom, read off the dependency tree around the trigger, each coded with a
country and a sector from its own words (a name, a demonym, a title), so it traces to the text."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Set
from typing import Protocol

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc, Token

from streams.contracts import Actor, CleanArticle, Place
from streams.stages import geo
from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.grammar import lemma, pos
from streams.stages.extract.lexicon import NOUNS, ORGANISATIONS, SECTORS, SPEECH_VERBS, items, words
from streams.stages.geo.toponyms import GENERIC_PLACE_WORDS, WELL_KNOWN_CITY_POPULATION, NameLookup

#: Prepositions whose object is on the receiving end: 'talks with X', 'strikes on X'.
_TARGET_PREPS = frozenset(
    {"with", "against", "on", "to", "toward", "towards", "at", "into", "upon", "for", "from"}
)
_PRONOUNS = frozenset(words("he she they it we i you him her them us who which that this"))
#: '2019', '20-13', 'the 22nd', 'the 1990s'.
_NUMBER = re.compile(r"[\d.,:/\-–]+(?:st|nd|rd|th|s)?")
#: Dependents that open a clause: its words describe an actor, they do not name it.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "appos"})
#: Fine tags of words a place name or demonym can be made of (not 'The', 'who', 'Its').
_NAME_TAGS = frozenset({"NNP", "NNPS", "NN", "NNS", "JJ"})
_ORGANISATIONS = {geo.normalize(name): code for name, code in ORGANISATIONS.items()}
#: Common nouns for people, coded by what they usually are in news ('officers' are police).
_PEOPLE: dict[str, str | None] = {
    **dict.fromkeys(
        words(
            "officer detective deputy sheriff trooper cop agent investigator patrolman patrolwoman "
            "constable gardai garda"
        ),
        "COP",
    ),
    **dict.fromkeys(words("jury juror"), "JUD"),
    **dict.fromkeys(
        words(
            "man woman boy girl child children kid teen teenager youth person victim suspect driver witness "
            "resident neighbor neighbour gentleman lady family mother father son daughter wife husband "
            "brother sister friend parent customer user follower supporter critic fan member student "
            "worker employee passenger pedestrian motorist gunman attacker assailant robber thief shooter "
            "inmate guard couple group crowd mob spectator voter survivor relative accused defendant "
            "plaintiff individual adult infant baby citizen protester protestor demonstrator activist "
            "journalist lawyer attorney doctor nurse teacher pastor priest official"
        ),
        "CVL",
    ),
    **dict.fromkeys(
        words(
            "advertiser insurer manufacturer maker carrier airline retailer supplier partner lender "
            "competitor rival automaker carmaker"
        ),
        "BUS",
    ),
    **dict.fromkeys(words("buyer seller investor shareholder producer executive scientist"), "CVL"),
}
#: Equipment: an actor when it acts ('Israeli tanks shelled'), a thing when acted on ('bought aircraft').
_EQUIPMENT = frozenset(
    words("aircraft helicopter tank warplane jet warship gunboat artillery plane airliner drone missile")
)
#: Events authorities do to people: the passive without an agent is theirs when the sentence cites them.
_AUTHORITY_EVENTS = frozenset({"COERCE", "SANCTION"})
#: Prepositions that give the reason or charge once a person is acted on ('arrested him for theft').
_REASON_PREPS = frozenset({"with", "of", "for", "on"})
_PERSONAL = frozenset(words("he she him her they them"))
#: Pronouns that stand for one person named before them.
_RESOLVED_PRONOUNS = frozenset(words("he she him her his"))
#: Runs of capitalised words, initials and name particles: candidate names before a pronoun.
_NAME_RUN = re.compile(r"[A-Z][\w'’-]*\.?(?: (?:[A-Z][\w'’-]*\.?|de|van|von|bin|al|da|del))*")
#: A visitor's country is not the place visited; 'the NAFTA countries' are several.
_NO_SETTING = re.compile(r"\b(?:visiting|countries|nations|governments|sides)\b", re.IGNORECASE)
#: How many times more mentions the article's country needs than the next one to be its setting.
_DOMINANCE = 2.0
#: Prepositions that put an event or an actor in a place.
_LOCATION_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around"})
#: 'Apple Inc.', 'AirTanker Ltd.': a company, whose country is not the news's setting.
_COMPANY_SUFFIX = re.compile(r"\b(?:Inc|Corp|Co|Ltd|LLC|plc|PLC|GmbH|AG|SA|NV|Group|Holdings)\b\.?")
#: Words after a place name that make it an institution of that place ('Chicago Police', 'Ohio State').
_INSTITUTION_WORDS = frozenset(
    words(
        "police department state city county government court university college school council assembly "
        "senate house ministry army navy national highway patrol fire sheriff airport port district "
        "province region parliament legislature party public supreme high municipal metropolitan regional "
        "times post herald news daily tribune"
    )
)
#: Titles of one person: 'the president' is the one the article names 'President X'.
_PERSONAL_TITLES = frozenset(
    items(
        "president,prime minister,premier,chancellor,governor,mayor,senator,king,queen,pope,emir,"
        "sultan,foreign minister,defense minister,defence minister,secretary of state,chief executive"
    )
)
_DOTTED_WORD = re.compile(r"(?:[A-Z]\.)+")
_TITLES = frozenset(words("mr mrs ms dr sir lord lady gen lt col sgt capt rep sen gov judge st mt"))
_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*) $")
_WORD_AFTER = re.compile(r" ([A-Z][\w'’-]*)")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*\.?(?: [A-Z][\w'’-]*\.?)+")
_NAME_SUFFIXES = frozenset(words("Jr Sr II III IV"))
_SECTOR_WORDS = re.compile(
    r"\b({})s?\b".format("|".join(re.escape(k) for k in sorted(SECTORS, key=lambda k: -len(k.split()))))
)


class Setting(Protocol):
    """What the article as a whole tells the actors of one sentence (``records.ArticleContext``)."""

    @property
    def article(self) -> CleanArticle: ...
    @property
    def places(self) -> list[Place]: ...
    @property
    def entries(self) -> NameLookup: ...
    @property
    def demonyms(self) -> Set[str]: ...


def event_actors(
    plover: str,
    carrier: Token,
    heads: tuple[list[Token], list[Token]],
    offset: int,
    setting: Setting,
) -> tuple[list[Actor], list[Actor]]:
    """The source and target actors the participant heads name, each with its country and how it was
    found (``offset``: the sentence's start in the article text). An arrest or a sentence in the passive
    without 'by' is the authorities' that the sentence names ('X was arrested, police said')."""
    source_heads, target_heads = heads
    sources = unique_actors([a for head in source_heads for a in _head_actors(head, offset, setting)], [])
    targets = unique_actors(
        [a for head in target_heads for a in _head_actors(head, offset, setting, target=True)], sources
    )
    if not sources and plover in _AUTHORITY_EVENTS and _is_passive(carrier):
        sources = unique_actors(_authorities(carrier.doc, offset, setting.entries), targets)
    for actor in (*sources, *targets):
        _name_the_title(actor, setting.article["text"])
    fill_countries(sources, targets, carrier, offset, setting)
    return sources, targets


def _name_the_title(actor: Actor, text: str) -> None:
    """'the president' is the person the article names with that title ('President Donald Trump'): the
    nearest such mention before it, else the first after it."""
    title = re.fullmatch(r"(?:the\s+)?([a-z]+(?: [a-z]+)?)", actor["text"], re.IGNORECASE)
    if title is None or title.group(1).lower() not in _PERSONAL_TITLES:
        return
    pattern = rf"\b{re.escape(title.group(1).title())} ((?:[A-Z][\w'’-]+ ?){{1,3}})"
    found = [m for m in re.finditer(pattern, text) if m.start() != actor["start"]]
    before = [m for m in found if m.start() < actor["start"]]
    match = before[-1] if before else (found[0] if found else None)
    if match is None:
        return
    start, end = match.start(1), match.start(1) + len(match.group(1).rstrip())
    actor["text"] = actor["name"] = text[start:end]
    actor["start"], actor["end"] = start, end


def _is_passive(carrier: Token) -> bool:
    verb = carrier if pos(carrier) == "VERB" else carrier.head
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _authorities(doc: Doc, offset: int, entries: NameLookup) -> list[Actor]:
    """Police, prosecutors, a court or officials the sentence cites ('police said', 'according to
    police'): who arrests, charges and sentences."""
    heads = [
        t
        for t in doc
        if (t.dep_ == "nsubj" and lemma(t.head) in SPEECH_VERBS)
        or (t.dep_ == "pobj" and t.head.lower_ == "to" and t.head.head.lower_ == "according")
    ]
    found = [a for h in heads for a in named_actors(h, offset, entries)]
    return [a for a in found if a["sector"] in ("COP", "JUD", "GOV")]


def _head_actors(head: Token, offset: int, setting: Setting, target: bool = False) -> list[Actor]:
    """The actors a participant head names, a personal pronoun standing for the person named before it."""
    if head.lower_ in _RESOLVED_PRONOUNS and not head.text.isupper():
        antecedent = _antecedent(head, offset, setting)
        return [antecedent] if antecedent is not None else []
    return named_actors(head, offset, setting.entries, target=target)


def _antecedent(pronoun: Token, offset: int, setting: Setting) -> Actor | None:
    """The person a 'he', 'she', 'him', 'her' or 'his' stands for: the nearest name or noun for a person
    before it in its sentence ('Police arrested Orujov and charged him', 'chased the driver and arrested
    him'), the subject it leads up to ('On his visit to Rome, President X met...'), else the nearest name
    in the article before the sentence."""
    doc = pronoun.doc
    for token in reversed(doc[: pronoun.i]):
        if _names_person(token, offset, setting):
            return _actor(_name_run(token), token, offset, setting.entries)
        if _stands_for_person(token, pronoun):
            return _actor(_own_tokens(token), token, offset, setting.entries)
    subject = next((c for c in doc[:].root.children if c.dep_ == "nsubj"), None)
    if (
        subject is not None
        and subject.i > pronoun.i
        and pronoun.i not in {t.i for t in subject.subtree}
        and _names_person(subject, offset, setting)
    ):
        return _actor(_name_run(subject), subject, offset, setting.entries)
    text = setting.article["text"]
    for match in reversed(list(_NAME_RUN.finditer(text, 0, offset))):
        found = _person_name(match, text, setting)
        if found is not None:
            start, end = found
            return {
                "text": text[start:end],
                "name": text[start:end],
                "country": None,
                "country_source": "none",
                "sector": None,
                "start": start,
                "end": end,
            }
    return None


def _stands_for_person(token: Token, pronoun: Token) -> bool:
    """A singular noun for a person in a participant's place ('the driver'), for a singular pronoun."""
    return (
        pos(token) == "NOUN"
        and token.tag_ == "NN"
        and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "dative")
        and _PEOPLE.get(token.lower_, "") in ("CVL", "COP")
        and pronoun.dep_ != "poss"
    )


def _names_person(token: Token, offset: int, setting: Setting) -> bool:
    """A proper noun heading a name in a participant's place, not a place, a date or an organisation."""
    if pos(token) != "PROPN" or (token.dep_ in ("compound", "flat") and pos(token.head) == "PROPN"):
        return False
    if token.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj", "appos", "conj", "poss", "dative", "attr"):
        return False
    head = token
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    if head.dep_ == "pobj" and head.head.lower_ in _LOCATION_PREPS | {"to", "from", "into"}:
        return False
    if token.text.isupper() or _is_time_word(token) or token.lower_ in SECTORS:
        return False
    start = offset + token.idx
    if any(p["start"] <= start < p["end"] for p in setting.places):
        return False
    return geo.normalize(token.text) not in _ORGANISATIONS


def _name_run(token: Token) -> list[Token]:
    """The proper nouns of a name around its head: 'Gino D. Bassett' of 'Gino D. Bassett, Sr., 56'."""
    run = [token]
    for left in reversed(token.doc[: token.i]):
        if left.head.i != token.i or pos(left) != "PROPN" or left.lower_ in SECTORS:
            break
        run.insert(0, left)
    return run


def _person_name(match: re.Match[str], text: str, setting: Setting) -> tuple[int, int] | None:
    """The span of a person's name in a run of capitalised words, without the titles and the sentence's
    first word before it; None for places, organisations, dates, capitalised common words and headlines."""
    words_ = list(re.finditer(r"\S+", match.group()))
    while words_ and words_[0].group().lower().rstrip(".") in STOP_WORDS | _TITLES | SECTORS.keys():
        words_.pop(0)
    if not words_ or len(words_) > 4:
        return None
    start, end = match.start() + words_[0].start(), match.start() + words_[-1].end()
    name = text[start:end]
    lowered = {w.group().lower().rstrip(".") for w in words_}
    if lowered & (_INSTITUTION_WORDS | GENERIC_PLACE_WORDS | SECTORS.keys() | TIME_WORDS | _PEOPLE.keys()):
        return None
    if name.isupper() or geo.normalize(name) in _ORGANISATIONS or _in_headline(text, start):
        return None
    if any(p["start"] < end and start < p["end"] and _trusted(p, text) for p in setting.places):
        return None
    if len(words_) == 1:  # a capitalised word alone is a name once the article has given it in full
        return (start, end) if geo.normalize(name) in _surnames(text, start) else None
    first = setting.entries(words_[0].group())
    if first and first[0].rank >= geo.RANK["admin1"] and first[0].place["name"] == words_[0].group():
        return None  # 'San Diego Chargers', 'Texas Rangers': a team or a firm named after a place
    return start, end


def _in_headline(text: str, at: int) -> bool:
    """A line in title case ('Hit and Run Accidents'): its capitals say nothing about names."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = re.findall(r"[A-Za-z][\w'’-]*", text[line_start : line_end if line_end >= 0 else len(text)])
    long_words = [w for w in line if len(w) > 3]
    return len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) >= 0.7 * len(long_words)


def participants(carrier: Token, noun: Token) -> tuple[list[Token], list[Token]]:
    """Heads of the source and target actors of the event that ``carrier`` states."""
    sources: list[Token] = []
    targets: list[Token] = []
    subject = _subject(carrier)
    if subject is not None:
        subject = _resolve_pronoun(subject)
        if subject.dep_ == "nsubjpass" and not _does_embedded(subject, carrier):
            targets.append(subject)
            agent = next((c for c in carrier.children if c.dep_ == "agent"), None)
            sources.extend(c for c in (agent.children if agent is not None else ()) if c.dep_ == "pobj")
        else:
            sources.append(subject)
    if pos(carrier) == "NOUN":
        for child in carrier.children:  # 'Israel's raid', 'Israeli strikes', 'a police shooting'
            if (
                child.dep_ == "poss"
                or (child.dep_ in ("amod", "compound") and pos(child) in ("PROPN", "ADJ"))
                or (child.dep_ == "compound" and pos(child) == "NOUN" and _names_people(child, target=False))
            ):
                sources.append(child)
            if child.dep_ == "prep" and child.lower_ == "by":
                sources.extend(c for c in child.children if c.dep_ == "pobj")
    heads = [carrier] + ([noun] if noun is not carrier else [])
    heads += [
        c
        for c in carrier.children
        if c.dep_ in ("xcomp", "ccomp")
        or _shares_subject(c)
        or (c.dep_ == "conj" and _shares_subject(c, "conj"))
    ]
    for head in heads:
        objects = [c for c in head.children if c.dep_ in ("dobj", "dative") and c.i != noun.i]
        targets.extend(objects)
        #: 'charged him with murder', 'X was accused of fraud': with a person acted on, these say why.
        charged = any(_is_agentive(t) for t in objects) or (
            head is carrier and any(map(_is_agentive, targets))
        )
        for child in head.children:
            if child.dep_ != "prep" or child.lower_ not in _TARGET_PREPS | {"between", "of"}:
                continue
            if charged and child.lower_ in _REASON_PREPS:
                continue
            targets.extend(c for c in child.children if c.dep_ == "pobj")
    seen: set[int] = {t.i for t in sources}
    unique_targets = [t for t in targets if not (t.i in seen or seen.add(t.i))]  # type: ignore[func-returns-value]
    return sources, unique_targets[:3]


def _is_agentive(token: Token) -> bool:
    """A name, a personal pronoun or a noun for people: someone an event can be done to."""
    return pos(token) == "PROPN" or token.lower_ in _PERSONAL or _names_people(token, target=False)


def named_actors(head: Token, offset: int, entries: NameLookup, target: bool = False) -> list[Actor]:
    """The actors a participant head and its conjuncts name (``offset``: the sentence's start in the
    article text). A thing acted on is no actor, whom it belongs to or concerns may be: 'a contract with
    the Defense Ministry'; a subject is one when its words say whose it is ('the "American aggressors"'),
    and equipment acts ('Israeli tanks shelled') but is not on the receiving end."""
    actors: list[Actor] = []
    for member in (head, *head.conjuncts):
        if _is_pronoun(member):
            continue
        thing = pos(member) == "NOUN" and not _names_people(member, target)
        if _is_number(member) or (thing and (target or lemma(member) in NOUNS)):
            actors.extend(_owners(member, offset, entries))
            continue
        tokens = _own_tokens(member)
        expanded = _expand_compound(member, tokens, offset, entries)
        if expanded:
            actors.extend(expanded)
            continue
        actor = _appositive(_actor(tokens, member, offset, entries), member, offset, entries)
        if actor is not None:
            actors.append(actor)
        elif thing:
            actors.extend(_owners(member, offset, entries))
    shared = Counter(a["sector"] for a in actors if a["sector"]).most_common(1)
    for actor in actors:
        if actor["sector"] is None and actor["country"] and shared:
            actor["sector"] = shared[0][0]
    return actors


def unique_actors(actors: list[Actor], taken: list[Actor]) -> list[Actor]:
    """Actors by span, once: the same words reached twice in the tree, or a name inside an actor already
    found ('Donald Trump' for 'his' after 'President Donald Trump'), are one actor."""
    seen = [(a["start"], a["end"]) for a in taken]
    result = []
    for actor in actors:
        if not any(start <= actor["start"] and actor["end"] <= end for start, end in seen):
            seen.append((actor["start"], actor["end"]))
            result.append(actor)
    return result


def fill_countries(
    sources: list[Actor], targets: list[Actor], carrier: Token, offset: int, setting: Setting
) -> None:
    """An actor whose words name no country takes the one of the place the sentence puts it or its event
    in ('police arrested 12 people in Paris': ``place``), else the article's evident setting
    (``article``). International organisations and companies take neither, and no actor takes a country
    from a look-alike word ('May', 'Inc.', a surname) or the other side's."""
    actors = [*sources, *targets]
    taken = {a["country"] for a in actors if a["country"] and a["country_source"] == "stated"}
    for actor in actors:  # 'a visiting delegation in Beijing' is not Chinese
        if actor["country_source"] == "place" and actor["country"] in taken and not _takes_setting(actor):
            actor["country"], actor["country_source"] = None, "none"
    strong = _country_mentions(setting)[0]
    # Where an event with actors of stated countries happens says nothing of the others' nationality
    # (a meeting of ministers abroad); without any, the place is the actors' ('police in Paris').
    located = [
        p["country"]
        for p in _event_places(carrier, offset, setting.places)
        if not taken and p["country"] and _trusted(p, setting.article["text"])
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
    'Chinese Foreign Minister Wang Yi', 'Boeing' after 'Chicago-based Boeing'."""
    last = next((w for w in reversed(actor["text"].split()) if w[:1].isupper() and len(w) > 2), None)
    if last is None or last.lower().rstrip(".") in _TITLES or last.lower() in SECTORS:
        return None
    if actor["sector"] == "IGO" or _NO_SETTING.search(actor["text"]):
        return None
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
            and _trusted(place, text)
        ):
            (strong if _is_strong(place, setting.entries) else weak)[place["country"]] += 1
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
    end = offset + len(doc.text)
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
        if prep.dep_ == "prep" and prep.lower_ in _LOCATION_PREPS and prep.head.i in clause:
            found.append(place)
    return found


def _takes_setting(actor: Actor) -> bool:
    """International bodies have no country; a company's is its own, not where the news happens; a
    visitor's is not the place visited; several countries are not one."""
    if actor["sector"] in ("IGO", "BUS") or _NO_SETTING.search(actor["text"]):
        return False
    return _COMPANY_SUFFIX.search(actor["text"]) is None


def _trusted(place: Place, text: str) -> bool:
    """A place name as a reader takes it: not a month or weekday ('May'), not a code or alias of a city
    ('Inc.' for Yinchuan, 'AMD'), not part of a person's or a firm's name ('Elton Brand', 'Delta
    Program', a surname named earlier)."""
    written = text[place["start"] : place["end"]]
    key = geo.normalize(written)
    if key in TIME_WORDS or key.rstrip(".") in TIME_WORDS:
        return False
    feature = place.get("feature")
    official = key == geo.normalize(place["name"])
    if feature == "city" and not official:
        return False
    if feature == "admin1" and not official and len(key.replace(" ", "")) <= 3 and not written.isupper():
        return False
    if " " in written.strip() or feature not in ("city", "admin1", "country"):
        return True
    before = _WORD_BEFORE.search(text[max(0, place["start"] - 40) : place["start"]])
    after = _WORD_AFTER.match(text, place["end"])
    if after and _is_name_word(after.group(1)) and feature != "country":
        return False
    if (
        before
        and _is_name_word(before.group(1))
        and geo.normalize(before.group(1)) not in GENERIC_PLACE_WORDS
    ):
        return False
    return key not in _surnames(text, place["start"])


def _is_name_word(word: str) -> bool:
    """A capitalised word that goes on a name ('Brand' after 'Elton'), not a function word ('In'), an
    institution ('Police') or a title ('President')."""
    lower = word.lower()
    return (
        word[:1].isupper()
        and lower not in STOP_WORDS
        and lower not in _INSTITUTION_WORDS
        and lower not in SECTORS
        and lower.rstrip(".") not in _TITLES
    )


def _surnames(text: str, before: int) -> set[str]:
    """Last words of multi-word capitalised names earlier in the text: a bare 'Jackson' after 'Vincent
    Jackson' is the man, not the city."""
    return {key for start, key in _full_names(text) if start < before}


@functools.lru_cache(maxsize=256)
def _full_names(text: str) -> tuple[tuple[int, str], ...]:
    """(start, last name) of every run of a first name and more capitalised words, cut at function words
    and place words ('Arcade Joseph Comeaux Jr' → 'comeaux'; 'Shooting Of Brooklyn' names no one)."""
    names = []
    for match in _CAPITALISED_RUN.finditer(text):
        chunk: list[re.Match[str]] = []
        for word in [*re.finditer(r"\S+", match.group()), None]:
            lower = word.group().lower().rstrip(".") if word is not None else ""
            if word is not None and lower not in STOP_WORDS and lower not in GENERIC_PLACE_WORDS:
                chunk.append(word)
                continue
            rest = [w.group() for w in chunk[1:] if w.group().rstrip(".") not in _NAME_SUFFIXES]
            rest = [w for w in rest if len(w.rstrip(".")) > 1]
            if rest and _is_name_word(chunk[0].group()):
                names.append((match.start() + chunk[0].start(), geo.normalize(rest[-1])))
            chunk = []
    return tuple(names)


def _appositive(actor: Actor | None, member: Token, offset: int, entries: NameLookup) -> Actor | None:
    """'the Beatles' record company, Apple Corps' is Apple Corps, of the description's country; 'Tadzhigul
    Begmedova, director of the Turkmenistan Helsinki Foundation' takes the country of her post."""
    appos = next((c for c in member.children if c.dep_ == "appos"), None)
    if appos is None or actor is None:
        return actor
    other = _actor(_own_tokens(appos), appos, offset, entries)
    if other is None:
        return actor
    name, description = (other, actor) if pos(member) == "NOUN" and pos(appos) == "PROPN" else (actor, other)
    if name["country"] is None and description["country"]:
        name["country"], name["country_source"] = description["country"], "stated"
    name["sector"] = name["sector"] or description["sector"]
    return name


def _names_people(noun: Token, target: bool) -> bool:
    """A common noun that names people or an organisation: 'police', 'a man', 'two women', 'insurers'."""
    if _head_sector(noun) is None:
        singular = _singular(noun.lower_)
        return len(singular) > 5 and singular.endswith(("ist", "ian", "eer"))
    return not (target and _singular(noun.lower_) in _EQUIPMENT)


def _head_sector(noun: Token) -> str | None:
    """The sector the head noun itself names (not its modifiers: 'abuse of authority' names no one)."""
    word = noun.lower_
    previous = noun.doc[noun.i - 1].lower_ if noun.i > 0 else ""
    for key in (f"{previous} {word}", f"{previous} {_singular(word)}", word, _singular(word), lemma(noun)):
        if key in SECTORS:
            return SECTORS[key]
        if key in _PEOPLE:
            return _PEOPLE[key]
    return None


def _singular(word: str) -> str:
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith(("ies",)):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _owners(event: Token, offset: int, entries: NameLookup) -> list[Actor]:
    """An event, a thing or an amount is no actor; whom it belongs to and whom it concerns are: 'Egypt's
    demand' → Egypt, 'Israeli strikes' → Israeli, '$10 million for Sudan' → Sudan, 'its offer' → no one;
    so is the named place a thing acted on is in ('suspended aid deliveries in Baghdad')."""
    heads = [
        c
        for c in event.children
        if c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and pos(c) in ("PROPN", "ADJ"))
    ]
    heads += [
        o
        for p in event.children
        if p.dep_ == "prep" and p.lower_ in _TARGET_PREPS | {"of", "by", "between"}
        for o in p.children
        if o.dep_ == "pobj"
    ]
    if event.dep_ in ("dobj", "nsubjpass"):
        heads += [
            o
            for p in event.children
            if p.dep_ == "prep" and p.lower_ in ("in", "inside")
            for o in p.children
            if o.dep_ == "pobj" and pos(o) == "PROPN"
        ]
    return [a for h in heads for a in named_actors(h, offset, entries)]


def _expand_compound(member: Token, tokens: list[Token], offset: int, entries: NameLookup) -> list[Actor]:
    """'the foreign ministers of Korea, the United States and Japan' → one actor per country."""
    sector = _sector(tokens, member)
    for prep in member.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("of", "from", "between"):
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj" or not obj.conjuncts:
                continue
            members = [_actor(_own_tokens(m), m, offset, entries) for m in (obj, *obj.conjuncts)]
            coded = [a for a in members if a is not None and a["country"]]
            if len(coded) >= 2:
                for actor in coded:
                    actor["sector"] = actor["sector"] or sector
                return coded
    return []


def _actor(tokens: list[Token], head: Token, offset: int, entries: NameLookup) -> Actor | None:
    if not tokens or _is_time(head):
        return None
    if len(tokens) > 1 and tokens[-1].lower_ in ("'s", "’s"):
        tokens = tokens[:-1]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    words = head.doc[tokens[0].i : tokens[-1].i + 1].text
    country, org_sector, name, source = _code(tokens, entries)
    if country is None and pos(head) == "ADJ":
        return None  # an adjective is an actor as a demonym ('Israeli strikes'), not as 'military'
    sector = org_sector or _head_sector(head) or _sector(tokens, head)
    person = _proper_name(tokens, head) if pos(head) == "PROPN" else None
    named = any(pos(t) == "PROPN" for t in tokens)
    if country is None and sector is None and not named and not _names_people(head, target=False):
        return None
    if person is not None and name is None:
        name = person
    elif name is None:
        name = re.sub(r"^(?:the|a|an)\s+", "", words, flags=re.IGNORECASE)
    return {
        "text": words,
        "name": name,
        "country": country,
        "country_source": source,
        "sector": sector,
        "start": offset + start,
        "end": offset + end,
    }


def _code(tokens: list[Token], entries: NameLookup) -> tuple[str | None, str | None, str | None, str]:
    """(country, sector from a named organisation, normalised name, how the country was found) from the
    words of an actor: ``stated`` by a name, demonym or affiliation, ``place`` where the words put it
    ('the unification ministry in Seoul')."""
    words = [t for t in tokens if not t.is_punct and t.lower_ not in ("'s", "’s")]
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            phrase = " ".join(t.text for t in words[i : i + n])
            key = geo.normalize(phrase)
            if key in _ORGANISATIONS and (n > 1 or _names_organisation(words[i])):
                country, sector = _ORGANISATIONS[key]
                name = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
                return country, sector, name, "stated" if country else "none"
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            if not all(t.text[:1].isupper() and _can_name_place(t) for t in words[i : i + n]):
                continue
            phrase = " ".join(t.text for t in words[i : i + n])
            if n == 1 and geo.normalize(phrase) in GENERIC_PLACE_WORDS:
                continue
            found = entries(phrase)
            if not found:
                continue
            best = found[0]
            known = best.rank >= geo.RANK["admin1"] or best.population >= WELL_KNOWN_CITY_POPULATION
            if n == 1 and not _reads_as_place(words, i, best):
                continue
            if known and best.place["country"]:
                place_name = best.place["name"] if best.rank == geo.RANK["country"] else None
                return best.place["country"], None, place_name, _how_placed(words[i])
    return None, None, None, "none"


def _how_placed(word: Token) -> str:
    """``place`` for a place the actor's words put it in ('police in Chicago'), else ``stated``."""
    for ancestor in word.ancestors:
        if ancestor.dep_ == "prep":
            return "place" if ancestor.lower_ in _LOCATION_PREPS else "stated"
    return "stated"


def _reads_as_place(words: list[Token], i: int, best: geo.GazetteerEntry) -> bool:
    """One word of an actor's name is a place only as a reader takes it: not a month, not a city's code
    or alias ('Inc.', 'AMD'), not a surname ('Eddie Jordan') nor the first word of another name ('Delta
    Program')."""
    word = words[i]
    key = geo.normalize(word.text)
    if _is_time_word(word):
        return False
    official = key == geo.normalize(best.place["name"])
    if best.rank < geo.RANK["country"] and not official and (best.rank == geo.RANK["city"] or len(key) <= 3):
        return False
    before = words[i - 1] if i > 0 and words[i - 1].i == word.i - 1 else None
    after = words[i + 1] if i + 1 < len(words) and words[i + 1].i == word.i + 1 else None
    if official and before is not None and pos(before) == "PROPN" and _is_name_word(before.text):
        return geo.normalize(before.text) in GENERIC_PLACE_WORDS
    if best.rank < geo.RANK["country"] and after is not None and pos(after) == "PROPN":
        return not _is_name_word(after.text)
    return True


def _shares_subject(clause: Token, dep: str = "advcl") -> bool:
    """'marched on Sunday demanding independence for Kosovo', 'met visiting Japanese Foreign Minister X':
    a subjectless participle or infinitive adjunct continues the event, so its objects are participants;
    so does a verb joined to the trigger's ('shot and killed a teenager')."""
    tags = ("VBG", "VB") if dep == "advcl" else ("VBD", "VBN", "VBZ", "VBP", "VBG", "VB")
    return (
        clause.dep_ == dep
        and clause.tag_ in tags
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
    )


def _does_embedded(subject: Token, carrier: Token) -> bool:
    """'X is accused of stabbing Y', 'X was arrested after shooting Y', 'X was forced to resign': the one a
    passive is about does the active verb below it."""
    return (
        pos(carrier) == "VERB"
        and subject.head.i != carrier.i
        and carrier.dep_ in ("xcomp", "pcomp", "advcl")
        and not any(c.dep_ in ("auxpass", "nsubjpass") for c in carrier.children)
    )


def _subject(token: Token) -> Token | None:
    """The subject of a verb, climbing through 'decided to X', 'met ... and agreed' and relative clauses."""
    current = token
    for _ in range(6):
        for child in current.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                return child
        if current.dep_ == "relcl":
            return current.head
        if current.dep_ in ("xcomp", "conj", "advcl", "ccomp", "acomp") and current.head.i != current.i:
            current = current.head
            continue
        if pos(current) == "NOUN" and current.dep_ in ("dobj", "attr") and pos(current.head) == "VERB":
            current = current.head
            continue
        if (
            current.dep_ in ("pobj", "pcomp")
            and current.head.dep_ == "prep"
            and pos(current.head.head) == "VERB"
        ):
            current = current.head.head
            continue
        return None
    return None


def _resolve_pronoun(subject: Token) -> Token:
    """'Syria says it is willing...', 'the minister said he would resign': a pronoun subject under a
    speech verb is the speaker, when they agree ('she' in 'she resigned, officials said' is not the
    officials: ``_antecedent`` finds her)."""
    if not _is_pronoun(subject):
        return subject
    speech = next((a for a in subject.ancestors if lemma(a) in SPEECH_VERBS), None)
    speaker = next((c for c in speech.children if c.dep_ == "nsubj"), None) if speech is not None else None
    if speaker is None or _is_pronoun(speaker):
        return subject
    if subject.lower_ in _RESOLVED_PRONOUNS and speaker.tag_ not in ("NN", "NNP"):
        return subject
    return speaker


def _own_tokens(member: Token) -> list[Token]:
    """The words of one actor: its subtree without coordinated siblings, clauses at any depth ('the name of
    a woman who was walking...' names no one), edge punctuation and words past a quotation mark."""
    excluded: set[int] = set()
    for child in member.children:
        if child.dep_ in ("conj", "cc", "relcl", "acl", "appos", "punct") or (
            child.dep_ == "prep" and child.lower_ not in ("of", "in", "from", "for")
        ):
            excluded |= {t.i for t in child.subtree}
    for token in member.subtree:
        if token.i not in excluded and token.i != member.i and _is_clause(token):
            excluded |= {t.i for t in token.subtree}
    tokens = _trim(t for t in member.subtree if t.i not in excluded)
    return _trim(_within_quotes(tokens, member))


def _is_clause(token: Token) -> bool:
    """'who was walking...', 'launched by Russia', 'of attacking its consulate': a clause, not a name."""
    if token.dep_ == "prep":
        return any(c.dep_ == "pcomp" for c in token.children)
    return token.dep_ in _CLAUSE_DEPS


def _trim(tokens: Iterable[Token]) -> list[Token]:
    """Without edge punctuation and conjunctions; quotation marks stay (``_within_quotes`` pairs them)."""
    kept = list(tokens)
    while kept and ((kept[-1].is_punct and kept[-1].tag_ != "''") or kept[-1].dep_ == "cc"):
        kept.pop()
    while kept and ((kept[0].is_punct and kept[0].tag_ != "``") or kept[0].dep_ in ("cc", "preconj")):
        kept.pop(0)
    return kept


def _within_quotes(tokens: list[Token], member: Token) -> list[Token]:
    """An actor's text is inside a quotation or outside it, never a fragment of one: a quoted name gets its
    closing mark back, and words beyond a mark the text does not pair are cut off on the far side."""
    if not tokens:
        return tokens
    doc = member.doc
    first, last = tokens[0].i, tokens[-1].i
    if last + 1 < len(doc) and doc[last + 1].tag_ == "''":
        last += 1
    opened: list[int] = []
    unpaired: list[int] = []
    for token in doc[first : last + 1]:
        if token.tag_ == "``":
            opened.append(token.i)
        elif token.tag_ == "''":
            if opened:
                opened.pop()
            else:
                unpaired.append(token.i)
    unpaired += opened
    low = max((i for i in unpaired if i < member.i), default=first - 1)
    high = min((i for i in unpaired if i > member.i), default=last + 1)
    kept = [t for t in tokens if low < t.i < high]
    if high > last >= tokens[-1].i + 1:
        kept.append(doc[last])
    return kept


def _sector(tokens: list[Token], head: Token) -> str | None:
    """Sector from the head noun first, then titles and modifiers in the phrase."""
    for candidate in (head.lower_, lemma(head)):
        if candidate in SECTORS:
            return SECTORS[candidate]
    found = _SECTOR_WORDS.search(" ".join(t.lower_ for t in tokens))
    return SECTORS[found.group(1)] if found else None


def _proper_name(tokens: list[Token], head: Token) -> str | None:
    """The run of proper nouns around the head: 'Foreign Minister Cho Tae-yeol' → 'Cho Tae-yeol'."""
    run = [head]
    for token in reversed([t for t in tokens if t.i < head.i]):
        if token.i != run[0].i - 1 or pos(token) != "PROPN" or token.lower_ in SECTORS:
            break
        run.insert(0, token)
    for token in (t for t in tokens if t.i > head.i):
        if token.i != run[-1].i + 1 or pos(token) != "PROPN":
            break
        run.append(token)
    return head.doc[run[0].i : run[-1].i + 1].text


def _is_pronoun(token: Token) -> bool:
    return token.lower_ in _PRONOUNS and not token.text.isupper()


def _is_number(token: Token) -> bool:
    return token.tag_ in ("CD", "$") or _NUMBER.fullmatch(token.text) is not None


def _is_time(head: Token) -> bool:
    """A date or a time heads no actor ('on Friday', 'Monday night', 'March 3'); a month that is part of a
    name ('Theresa May') does."""
    if not _is_time_word(head):
        return False
    names = (c for c in head.children if c.dep_ == "compound" and pos(c) == "PROPN")
    return all(_is_time_word(c) for c in names)


def _is_time_word(token: Token) -> bool:
    return token.lower_ in TIME_WORDS or token.lower_.rstrip(".") in TIME_WORDS


def _can_name_place(token: Token) -> bool:
    """A capitalised noun or adjective; not a determiner ('The' is also a Brazilian city's code) nor a
    common noun capitalised only because it opens the sentence ('Man charged in...')."""
    return token.tag_ in _NAME_TAGS and not (token.tag_ in ("NN", "NNS") and token.is_sent_start)


def _names_organisation(token: Token) -> bool:
    """A single word names an organisation as a name, and a short one as an acronym: 'WHO' and 'UN', not
    the pronoun 'who' or the 'Un' of Kim Jong Un."""
    return token.tag_ in _NAME_TAGS and (len(token.text) > 3 or token.text.isupper())
