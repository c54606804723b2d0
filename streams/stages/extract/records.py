"""Event records: a draft per trigger with the evidence it was read from, merged with its retellings
in later sentences, then the record the contract defines, with an id that is the same on every replay."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spacy.tokens import Doc, Token

from streams.contracts import SCHEMA_VERSION, Actor, CleanArticle, Event, Evidence, GeoPlace, Place
from streams.stages import geo
from streams.stages.extract.actors import event_actors, named_actors, participants, subject_of
from streams.stages.extract.calibration import calibrated
from streams.stages.extract.coding import code_event_type, event_triggers
from streams.stages.extract.coreference import GROUP_PRONOUNS
from streams.stages.extract.dates import publication_date, resolve_date
from streams.stages.extract.grammar import lemma, pos, sentence_text
from streams.stages.extract.lexicon import GOLDSTEIN, NOUNS, QUAD_CLASS, SECTORS, SPEECH_VERBS, Trigger, words
from streams.stages.extract.modality import (
    EARLIER_PHRASES,
    modality,
    states_obligation,
    told_as_done,
    told_as_earlier,
)
from streams.stages.extract.names import STATE_BODIES
from streams.stages.extract.prefilter import LEAD_SENTENCES
from streams.stages.extract.senses import is_person
from streams.stages.geo.toponyms import NameLookup
from streams.stages.text import WORD, sentences

#: 'out' as in 'convicted of assault out of Brazos County'.
_LOCATION_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "throughout", "around", "over", "out"}
)
#: Bodies and buildings that stand where the place naming them is: 'Albany County Sheriff's Department'.
_SITES = frozenset(
    words("police department sheriff court courthouse council county church mosque temple hospital")
    + words("prison jail")
)
#: What a city's name before it makes local: 'Chicago police', 'the Durban court', 'Boise Fire Department'.
_LOCAL_AUTHORITY = re.compile(r"\s+(?:police|sheriff|court|council|fire department)\b", re.IGNORECASE)
_SPECIFICITY = {"city": 3, "site": 3, "admin1": 2, "country": 1, "continent": 0}
#: The lead sentences an article's setting covers, and how often it must name a place to be set there.
_SETTING_LEAD = 2
_SETTING_MENTIONS = 2
#: Countries that are one city: naming them names the city ('the Holy See', 'Singapore').
_CITY_STATES = frozenset({"VAT", "MCO", "SGP", "SMR", "HKG", "MAC", "GIB"})
_SENTENCE_END = (".", "!", "?", "”", '"', "’", "'", ")")
#: Words in an actor's text that name no one: articles, prepositions, possessives.
_NOT_NAMES = frozenset(words("the a an of s and in on at to for his her their its by"))
#: Words for groups that name an actor without a capital: 'police', 'prosecutors'.
_GROUPS = frozenset(k for k, sector in SECTORS.items() if sector in ("COP", "JUD", "REB", "CVL", "OPP")) | {
    "officers",
    "troops",
    "soldiers",
}
#: Days before publication an event can be and still be the news.
_RECENT_DAYS = 30
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_DEFINITE = frozenset(words("the this that these those"))
#: Legal steps taken against people: arrests, charges, sentences.
_LEGAL_STEPS = frozenset({"COERCE", "ACCUSE", "SANCTION"})
#: Judgements of what someone did: 'welcomed the decision', 'rejected the account'.
_REACTIONS = frozenset({"SUPPORT", "ACCUSE", "REJECT"})
_QUOTE = re.compile(r"[“\"]([^”\"]{8,})[”\"]")
#: Events that are statements: made where the one who states them is.
_STATEMENTS = frozenset({"REQUEST", "ACCUSE", "REJECT", "THREATEN", "SUPPORT"})


def _extractor_version() -> str:
    """The package version and a digest of the extract code and lexicon: records coded by different
    rules never share a version, so consumers can tell which coder wrote them."""
    digest = hashlib.sha1()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    try:
        release = metadata.version("newsevents")
    except metadata.PackageNotFoundError:
        release = "0"
    return f"{release}+{digest.hexdigest()[:8]}"


EXTRACTOR_VERSION = _extractor_version()


@dataclass
class ArticleContext:
    """What the article as a whole says, for the sentences that need it, and the gazetteer to read
    their names with."""

    article: CleanArticle
    places: list[Place]
    published: date
    published_resolution: str
    entries: NameLookup
    demonyms: Set[str]
    #: The day the article's opening sentence says its news happened ('marched on Tuesday'), if it says;
    #: used only against a publication date the publisher gave.
    news_day: str | None = None


def article_context(
    article: CleanArticle, places: list[Place], gazetteer: geo.Gazetteer, entries: NameLookup
) -> ArticleContext:
    """The article's places, publication date and news day, for every sentence of it."""
    published, resolution = publication_date(article)
    opening = next(iter(sentences(article["text"])), None)
    day = resolve_date(article["text"][opening[0] : opening[1]], 0, published)[0] if opening else ""
    return ArticleContext(article, places, published, resolution, entries, gazetteer.demonyms, day or None)


@dataclass
class EventDraft:
    """An event before merging with its retellings and becoming a record."""

    plover: str
    mode: str | None
    cameo: str
    sources: list[Actor]
    targets: list[Actor]
    location: Place | None
    event_date: str
    date_resolution: str
    evidence: Evidence
    #: The day is the sentence's own (or the one date an undated article states), not the news day it
    #: inherits: what tells two occurrences apart and makes the better evidence.
    dated_here: bool = False
    quotes: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.5
    modality: str = "asserted"
    role: str = "main"
    #: Read from a headline line (the article's first line, without end punctuation): the body's
    #: sentence is the better evidence for the same event.
    headline: bool = False
    #: The sentence names no one who did it ('she was shot'): it can retell an assault told before.
    agentless: bool = False
    #: No one named, and the subject is a thing the article has introduced ('The transaction was signed
    #: on March 29'): the event of its type told before.
    about_known: bool = False
    #: Told in a past participle on a noun ('a youth charged with murder'): in passing.
    describing: bool = False
    #: The one acted on is a 'they' the sentence does not resolve ('They are facing charges').
    they_acted_on: bool = False
    #: The type of the event that known thing is, when it is one ('That lawsuit was settled': ACCUSE).
    known_event: str | None = None
    #: A reaction to something told before, with no one named ('welcomed the decision'): aimed at its doer.
    reacts: bool = False


def sentence_events(doc: Doc, offset: int, number: int, context: ArticleContext) -> list[EventDraft]:
    """The events one parsed sentence states (``offset``: its start in the article text, ``number``: its
    place among the article's sentences)."""
    drafts: list[EventDraft] = []
    for trigger, carrier, span in event_triggers(doc):
        draft = _draft(doc, offset, number, context, trigger, carrier, span)
        if draft is not None:
            drafts.append(draft)
    return drafts


def _draft(
    doc: Doc,
    offset: int,
    number: int,
    context: ArticleContext,
    trigger: Trigger,
    carrier: Token,
    span: tuple[int, int],
) -> EventDraft | None:
    coded = code_event_type(trigger, carrier)
    if coded is None:
        return None
    plover, cameo, mode = coded
    source_heads, target_heads = participants(carrier, doc[span[1]] if span[1] != carrier.i else carrier)
    if (mode == "demand" and states_obligation(carrier)) or (mode == "evaluate" and carrier.dep_ == "ccomp"):
        speaker = [s for s in [subject_of(carrier.head)] if s is not None]
        source_heads, target_heads = speaker, source_heads + target_heads
    entries = context.entries
    sources, targets = event_actors(plover, carrier, (source_heads, target_heads), offset, context)
    if (
        not told_as_done(carrier)
        and not sources
        and not targets
        and not any(is_person(h) for h in (*source_heads, *target_heads))
    ):
        return None
    sentence = sentence_text(doc)
    trigger_start = offset + doc[min(span)].idx
    trigger_end = offset + doc[max(span)].idx + len(doc[max(span)])
    evidence: Evidence = {
        "sentence": sentence,
        "start": offset,
        "end": offset + len(sentence),
        "trigger": context.article["text"][trigger_start:trigger_end],
        "trigger_start": trigger_start,
        "trigger_end": trigger_end,
    }
    event_date, how = resolve_date(sentence, trigger_start - offset, context.published)
    resolution = "text"
    if how == "none":
        event_date, resolution = context.published.isoformat(), context.published_resolution
    dated_here = resolution == "text"  # by the sentence, or by the only date an undated article gives
    known = _known_thing(carrier) if not sources and not targets else None
    reacted = _reacted_to(plover, carrier, target_heads) if sources and not targets else None
    thing = known if known is not None else reacted
    role = _role(carrier, event_date, resolution, context)
    dated = context.published_resolution == "published_at"
    if how == "none" and role == "main" and context.news_day is not None and dated:
        # the news told on from the opening happened on its day: 'marched on Tuesday ... Officers arrested 43'
        event_date, resolution = context.news_day, "text"
    home = _stated_from(plover, sources, context)
    location = _event_location(
        doc, offset, carrier, context, role == "background", home, statement=plover in _STATEMENTS
    )
    confidence = 0.45 if sentence.rstrip().endswith(_SENTENCE_END) else 0.35
    confidence += 0.15 if pos(carrier) == "VERB" else 0.0
    confidence += 0.15 if any(a["country"] or a["sector"] == "IGO" for a in sources) else 0.0
    confidence += 0.1 if targets else 0.0
    confidence += 0.05 if number < LEAD_SENTENCES else 0.0
    confidence += 0.05 if carrier.dep_ == "ROOT" or lemma(carrier.head) in SPEECH_VERBS else 0.0
    quotes = _quotes(doc, offset, carrier, entries)
    return EventDraft(
        plover=plover,
        mode=mode,
        cameo=cameo,
        sources=sources,
        targets=targets,
        location=location,
        event_date=event_date,
        date_resolution=resolution,
        evidence=evidence,
        dated_here=dated_here,
        quotes=quotes,
        confidence=round(min(confidence, 0.95), 2),
        modality=modality(carrier),
        role=role,
        headline=number == 0 and _is_headline(context.article["text"], offset + len(sentence)),
        agentless=not source_heads,
        about_known=known is not None,
        they_acted_on=not targets and any(h.lower_ in GROUP_PRONOUNS for h in target_heads),
        describing=carrier.dep_ == "acl" and carrier.tag_ == "VBN",
        known_event=NOUNS[lemma(thing)].plover if thing is not None and lemma(thing) in NOUNS else None,
        reacts=reacted is not None,
    )


def _reacted_to(plover: str, carrier: Token, target_heads: list[Token]) -> Token | None:
    """'Congo's government welcomed the pullback', 'rejected the account', 'called the measures illegal': a
    judgement whose own object is a definite common noun for no one, whose owner it does not name, judges
    something the article told of."""
    if plover not in _REACTIONS:
        return None
    return next(
        (
            h
            for h in target_heads
            if h.head.i == carrier.i
            and h.tag_ in ("NN", "NNS")
            and not is_person(h)
            and any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in h.children)
            and not any(c.dep_ in ("poss", "prep", "compound", "amod") for c in h.children)
        ),
        None,
    )


def _known_thing(carrier: Token) -> Token | None:
    """'The transaction was signed', 'This deal was approved': a definite common noun for no one as the
    verb's subject refers to something the article has told of."""
    subject = next((c for c in carrier.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if (
        pos(carrier) == "VERB"
        and subject is not None
        and subject.tag_ in ("NN", "NNS")
        and not is_person(subject)
        and any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in subject.children)
    ):
        return subject
    return None


def _role(carrier: Token, event_date: str, resolution: str, context: ArticleContext) -> str:
    """'background' for an earlier event the article recounts: told as earlier ('had been arrested',
    'last year'), dated in the text more than a month before publication (or before reception, which
    is the same day for a live feed), or in a year before it."""
    if told_as_earlier(carrier):
        return "background"
    if resolution == "text" and (context.published - date.fromisoformat(event_date)).days > _RECENT_DAYS:
        return "background"
    years = [int(y) for y in _YEAR.findall(sentence_text(carrier.doc))]
    if years and max(years) < context.published.year:
        return "background"
    return "main"


def _is_headline(text: str, end: int) -> bool:
    """The article's first line is a headline when it has no end punctuation and text follows it."""
    return not text[:end].rstrip().endswith(_SENTENCE_END) and text[end:].strip() != ""


def _stated_from(plover: str, sources: list[Actor], context: ArticleContext) -> str | None:
    """The country a statement is made from when a state or a body of one makes it ('North Korea
    threatened', 'Belarus's foreign ministry denied'): such a source speaks at home, whatever city the
    article is written from. None for people, who travel, and for other events."""
    if plover not in _STATEMENTS:
        return None
    homes = set()
    for actor in sources:
        if actor["country_source"] != "stated" or actor["country"] is None:
            return None
        words_ = WORD.findall(actor["text"])
        found = context.entries(re.sub(r"^the\s+", "", actor["text"], flags=re.IGNORECASE))
        country = bool(found) and found[0].rank == geo.RANK["country"]
        if not country and (not words_ or words_[-1].lower() not in STATE_BODIES):
            return None
        homes.add(actor["country"])
    return homes.pop() if len(homes) == 1 else None


def _event_location(
    doc: Doc,
    offset: int,
    carrier: Token,
    context: ArticleContext,
    background: bool,
    home: str | None = None,
    statement: bool = False,
) -> Place | None:
    """Where the event happened (docs/coding-guidelines.md, ``location``): a place below the country
    level that the sentence puts something 'in', 'at' or 'near' (the one attached to the trigger's
    clause first, the most specific next), else the dateline's place, else, for the article's lead,
    the place it is set in. A country alone is no location: a sentence that only names its country
    defers to a setting in that country, or says nothing. Past the lead, an article whose city's police
    or court it names is set there (``_local_seat``). The dateline and the setting cover the
    news, not an earlier event the article recounts (``background``): that one has only the place its
    own sentence names. Neither covers a statement a state makes from ``home``, another country; a
    ``statement`` is where its maker and its verbs are (``_sentence_place``)."""
    found = _sentence_place(doc, offset, carrier, context, statement)
    if found is not None and _below_country(found):
        return found
    if background:
        return None
    setting = _dateline_place(context)
    if setting is None and found is not None:
        setting = _main_place(context, found["country"])
    elif setting is None and _in_lead(offset, context.article["text"]):
        setting = _main_place(context)
    if setting is None:
        setting = _local_seat(context)
    if setting is None or (found is not None and found["country"] != setting["country"]):
        return None
    if home is not None and setting["country"] != home:
        return None
    return setting


def _local_seat(context: ArticleContext) -> Place | None:
    """The first city whose police, sheriff, court or council the article names ('according to Chicago
    police'): local news, whose events happen there unless their sentence says otherwise."""
    text = context.article["text"]
    return next(
        (p for p in context.places if p.get("feature") == "city" and _LOCAL_AUTHORITY.match(text, p["end"])),
        None,
    )


def _below_country(place: GeoPlace) -> bool:
    """A place below the country level, or a city-state."""
    return _SPECIFICITY.get(place.get("feature", ""), 0) >= _SPECIFICITY["admin1"] or (
        place.get("feature") == "country" and place["country"] in _CITY_STATES
    )


def _sentence_place(
    doc: Doc, offset: int, carrier: Token, context: ArticleContext, statement: bool = False
) -> Place | None:
    """The place the sentence puts the event in. A ``statement`` is made where its own verbs put it
    ('The ministry in Seoul urged', 'At an event in Ohio, he called for'): the place of another act it
    tells of ('accused Manila of ramming a ship near the shoal', 'protested after ships entered waters
    around the islands'), or that a statement it is joined to tells of ('... and warned Manila'), is that
    act's."""
    end = offset + len(sentence_text(doc))
    clause = {t.i for t in carrier.subtree} | {carrier.head.i}
    own = {carrier.i} | {a.i for a in carrier.ancestors}
    stated = carrier.head if carrier.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "conj") else carrier
    told_of = {t.i for t in stated.subtree} - own if statement else set()
    best: tuple[tuple[int, int, int], Place] | None = None
    for place in context.places:
        if not offset <= place["start"] < end or geo.normalize(place["text"]) in context.demonyms:
            continue
        span = doc.char_span(place["start"] - offset, place["end"] - offset, alignment_mode="expand")
        if span is None:
            continue
        prep = next(
            (
                t
                for t in (span.root.head, span.root.head.head)
                if t.dep_ == "prep" and t.lower_ in _LOCATION_PREPS
            ),
            None,
        )
        named = (
            prep is None
            and _below_country(place)
            and span.root.dep_ in ("compound", "poss")
            and span.root.head.i in clause
            and _institution(span.root.head)
        )
        if prep is None and not named:
            continue
        if prep is not None and _elsewhere(_verb_above(prep), own, told_of, place):
            continue
        in_clause = 2 if prep is not None and prep.head.i in clause else int(named)
        key = (in_clause, _SPECIFICITY.get(place.get("feature", ""), 0), -place["start"])
        if best is None or key > best[0]:
            best = (key, place)
    return best[1] if best else None


def _elsewhere(verb: Token, own: set[int], told_of: set[int], place: Place) -> bool:
    """A place told of another act than the event: one a statement tells of, or the country a clause
    that describes a participant names ('sanctions on companies registered in the UAE')."""
    described = verb.i not in own and verb.dep_ in ("acl", "relcl") and not _below_country(place)
    return verb.i in told_of or described


def _verb_above(token: Token) -> Token:
    """The nearest verb at or above a word (the root when none is): the act a place is told of."""
    return next((t for t in (token, *token.ancestors) if pos(t) == "VERB"), token.doc[:].root)


def _institution(noun: Token) -> bool:
    """A body or a building a place names ('the Albany County Sheriff's Department', 'Wasilla Bible
    Church'): it acts or stands where it is."""
    words_ = {t.lower_ for t in noun.subtree if t.i <= noun.i} | {noun.lower_}
    return bool(words_ & _SITES)


def _dateline_place(context: ArticleContext) -> Place | None:
    """The dateline's place below the country level: its first mention in the text, else the place
    with an empty span at the text's start (normalize lifts the dateline out of the text)."""
    dateline = context.article.get("dateline")
    if not dateline or not _below_country(dateline):
        return None
    mention = next((p for p in context.places if p["geonameid"] == dateline["geonameid"]), None)
    return mention or Place(**dateline, text="", start=0, end=0)


def _in_lead(offset: int, text: str) -> bool:
    """The sentence at ``offset`` is one of the article's first ``_SETTING_LEAD`` sentences."""
    ends = [end for _, end in islice(sentences(text), _SETTING_LEAD)]
    return bool(ends) and offset < ends[-1]


def _main_place(context: ArticleContext, country: str | None = None) -> Place | None:
    """The place below the country level an article names most often (the earliest on a tie): where
    its news happens when its lead names no other (named at least twice), or where in ``country``
    an event the sentence places only in that country happened (named at all)."""
    mentions: dict[object, list[Place]] = {}
    for place in context.places:
        if (
            _below_country(place)
            and geo.normalize(place["text"]) not in context.demonyms
            and (country is None or place["country"] == country)
        ):
            mentions.setdefault(place["geonameid"] or place["name"], []).append(place)
    best = max(mentions.values(), key=lambda found: (len(found), -found[0]["start"]), default=[])
    return best[0] if best and (country is not None or len(best) >= _SETTING_MENTIONS) else None


def _quotes(doc: Doc, offset: int, carrier: Token, entries: NameLookup) -> list[dict[str, Any]]:
    """The statement an event is sourced to: a speech verb above the trigger, with its speaker."""
    speech = next((a for a in carrier.ancestors if lemma(a) in SPEECH_VERBS), None)
    if speech is None:
        return []
    speaker_heads = [c for c in speech.children if c.dep_ in ("nsubj", "nsubjpass")]
    speakers = [a for h in speaker_heads for a in named_actors(h, offset, entries)]
    quoted = _QUOTE.search(sentence_text(doc))
    clause = [t for t in speech.children if t.dep_ in ("ccomp", "xcomp", "parataxis")]
    if quoted is not None:
        start, end = quoted.start(1), quoted.end(1)
    elif clause:
        tokens = list(clause[0].subtree)
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    else:
        return []
    speaker = speakers[0] if speakers else None
    return [
        {
            "speaker": speaker["name"] if speaker else None,
            "speaker_country": speaker["country"] if speaker else None,
            "text": sentence_text(doc)[start:end],
            "start": offset + start,
            "end": offset + end,
        }
    ]


def event_record(article: CleanArticle, draft: EventDraft) -> Event:
    """The record on the events topic; its id hashes the article, the type and the trigger's span."""
    evidence = draft.evidence
    key = f"{article['id']}|{draft.plover}|{evidence['trigger_start']}|{evidence['trigger_end']}"
    source = article.get("source") or (urlsplit(article["url"] or "").hostname or None)
    sources = [source] if source else []
    return {
        "schema_version": SCHEMA_VERSION,
        "event_id": hashlib.sha1(key.encode("utf-8")).hexdigest()[:20],
        "event_type": draft.plover,
        "mode": draft.mode,
        "cameo_root": draft.cameo,
        "quad_class": QUAD_CLASS[draft.cameo],
        "source_actors": draft.sources,
        "target_actors": draft.targets,
        "location": draft.location,
        "location_source": _location_source(article, draft),
        "event_date": draft.event_date,
        "date_resolution": draft.date_resolution,
        "modality": draft.modality,
        "role": draft.role,
        "goldstein": GOLDSTEIN.get(draft.cameo),
        "evidence": evidence,
        "quotes": draft.quotes,
        "article_ids": [article["id"]],
        "sources": sources,
        "num_articles": 1,
        "num_sources": len(sources),
        "languages": [article["language"]],
        "first_seen": article["received_at"],
        "last_seen": article["received_at"],
        "confidence": calibrated(draft.confidence),
        "received_at": article["received_at"],
        "url": article.get("url"),
        "title": article.get("title"),
        "source": source,
        "extractor_version": EXTRACTOR_VERSION,
    }


def _location_source(article: CleanArticle, draft: EventDraft) -> str:
    """'sentence' when the location is named in the event's own sentence, 'dateline' when it is the
    dateline's place, 'article' when it comes from elsewhere in the article (its setting, or a
    retelling of the event), 'none' without a location."""
    location, evidence = draft.location, draft.evidence
    if location is None:
        return "none"
    if location["end"] > location["start"] and evidence["start"] <= location["start"] < evidence["end"]:
        return "sentence"
    dateline = article.get("dateline")
    if dateline and dateline["geonameid"] is not None and location["geonameid"] == dateline["geonameid"]:
        return "dateline"
    return "article"


def merge_drafts(drafts: list[EventDraft], text: str = "") -> list[EventDraft]:
    """One record per occurrence: a draft retelling an earlier one (same type, a shared actor, nothing
    that tells them apart) is merged into it, the most complete sentence kept as the evidence; a
    headline's event told again in the body is the body's."""
    merged: list[EventDraft] = []
    body = [d for d in drafts if not d.headline]
    for number, draft in enumerate(body):
        if draft.reacts or (draft.known_event is not None and draft.known_event != draft.plover):
            _aimed_at_doer(draft, body[:number])
        if draft.they_acted_on and draft.plover in _LEGAL_STEPS:
            _the_same_people(draft, body[:number], text)
    for draft in body + [d for d in drafts if d.headline]:
        twin = next(
            (m for m in merged if m.plover == draft.plover and (draft.headline or _same_actors(m, draft))),
            None,
        )
        if twin is None:
            merged.append(draft)
            continue
        if not draft.headline and not draft.about_known and _evidence_weight(draft) > _evidence_weight(twin):
            merged[merged.index(twin)] = draft
            twin, draft = draft, twin
        twin.quotes.extend(draft.quotes)
        twin.confidence = max(twin.confidence, draft.confidence)
        stated_here = _located_in_sentence(draft) and not _located_in_sentence(twin)
        if (
            draft.location
            and not draft.describing
            and (stated_here or _refines(draft.location, twin.location))
        ):
            twin.location = draft.location
        if not twin.dated_here and draft.dated_here:
            twin.event_date, twin.date_resolution = draft.event_date, draft.date_resolution
            twin.dated_here = True
    return merged


def _the_same_people(draft: EventDraft, earlier: list[EventDraft], text: str) -> None:
    """'Police arrested two people. They are identified as X and Y. They are facing charges': a 'they' that
    a legal step is taken against, after a sentence that takes a legal step against people (and only
    sentences that go on about 'they' between), are those people."""
    before = next((d for d in reversed(earlier) if d.evidence["end"] <= draft.evidence["start"]), None)
    if before is None or before.plover not in _LEGAL_STEPS or not before.targets:
        return
    between = text[before.evidence["end"] : draft.evidence["start"]]
    if all(between[start:end].split()[0] == "They" for start, end in sentences(between)):
        draft.targets = [Actor(**a) for a in before.targets]


def _aimed_at_doer(draft: EventDraft, earlier: list[EventDraft]) -> None:
    """'Apple Corps filed a lawsuit against Apple ... That lawsuit was settled in 1991': what is done to an
    event told before, with no one named, is aimed at whoever did that event (the last one of its type
    that names a doer); a reaction to a thing that names no type ('welcomed the decision') at the last
    other doer the article names, of another type of event (a protest, then 'the intrusion was
    unacceptable', is one side going on)."""
    doers = [d for d in earlier if d.sources and not _actor_words(d.sources) & _actor_words(draft.sources)]
    told = next((d for d in reversed(doers) if d.plover == draft.known_event), None)
    others = [d for d in doers if d.plover != draft.plover]  # a judgement like the last goes on with it
    if told is None and draft.reacts and draft.known_event is None and others:
        told = others[-1]  # 'welcomed the decision': the last one told doing something
    if told is not None:
        draft.targets = [Actor(**a) for a in told.sources]


def _same_actors(one: EventDraft, other: EventDraft) -> bool:
    """The same occurrence told twice: a participant named in both, and no different target (two arrests
    of two people are two events), speaker, role (unless both doer and victim are the same), or date,
    year or month stated in the text; an alleged assault is the article's one assault unless dated
    apart."""
    if one.dated_here and other.dated_here and one.event_date != other.event_date:
        return False
    if other.about_known and not _told_apart(one, other):
        return True  # 'EW Nutrition has concluded an agreement ... The transaction was signed on March 29'
    if one.plover == "ASSAULT" and "claimed" in (one.modality, other.modality):
        return not _told_apart(one, other)  # an article's alleged crime is one crime unless dated apart
    if one.role != other.role and not _both_sides(one, other):
        return False  # the news and an earlier event it recounts are two occurrences
    if other.plover == "ASSAULT" and other.agentless and not _actor_words(other.targets):
        return True  # 'a mother was gunned down ... she was shot in the head'
    if other.mode == "evaluate" and not other.targets and _countries(one.sources) & _countries(other.sources):
        return not _told_apart(one, other)  # 'lodged a protest ... an official called it "unacceptable"'
    if other.agentless and _described_again(other.targets) and not _told_apart(one, other):
        return True  # 'released 23 student activists ... the students had been freed on bail'
    if (
        one.targets
        and other.targets
        and not _actor_words(one.targets) & _actor_words(other.targets)
        and not _refers_back(other.targets)
    ):
        return False
    if one.sources and other.sources and not _actor_words(one.sources) & _actor_words(other.sources):
        return False
    if _told_apart(one, other):
        return False
    everyone = [*one.sources, *one.targets]
    others = [*other.sources, *other.targets]
    return bool(_actor_words(everyone) & _actor_words(others))


def _refers_back(actors: list[Actor]) -> bool:
    """'Both officers fired at the suspect' after 'officers shot Kimani Gray': a definite description
    with no name refers to someone named before, so it does not tell two events apart ('a man' may be
    another)."""
    return not _actor_words(actors) and all(a["text"].split()[0].lower() in _DEFINITE for a in actors)


def _countries(actors: list[Actor]) -> set[str]:
    return {a["country"] for a in actors if a["country"]}


def _described_again(actors: list[Actor]) -> bool:
    """'the students', 'the two men': definite common nouns without a name, which refer to people
    named before ('23 student activists')."""
    return bool(actors) and all(
        a["text"].split()[0].lower() in _DEFINITE and not any(w[0].isupper() for w in a["text"].split()[1:])
        for a in actors
    )


def _told_apart(one: EventDraft, other: EventDraft) -> bool:
    """Both sentences state a year (or a month) and share none: two occurrences."""
    for pattern in (_YEAR, _MONTH):
        stated, other_stated = (
            {m.lower() for m in pattern.findall(d.evidence["sentence"])} for d in (one, other)
        )
        if stated and other_stated and not stated & other_stated:
            return True
    return False


def _both_sides(one: EventDraft, other: EventDraft) -> bool:
    """Both drafts name the same doer and the same victim or partner, and neither sentence names a year or
    an earlier time ('expelled two diplomats last year' is not the expulsion ordered on Thursday):
    'Bassett is accused of stabbing Miguel Beedle on March 23' and 'Bassett approached Beedle and stabbed
    him' are one stabbing, whichever is told as the news ('had sued Apple Computer in 1989' is not the
    lawsuit filed on Monday)."""
    if any(
        _YEAR.search(d.evidence["sentence"]) or EARLIER_PHRASES.search(d.evidence["sentence"])
        for d in (one, other)
    ):
        return False
    return bool(
        _actor_words(one.sources) & _actor_words(other.sources)
        and _actor_words(one.targets) & _actor_words(other.targets)
    )


def _actor_words(actors: list[Actor]) -> set[str]:
    """The words that name the actors: names and words for groups ('Bassett', 'police'), not the common
    nouns around them ('the new aircraft'), and the countries their own words state ('U.S. Secretary of
    State Tony Blinken' and 'the United States' share USA)."""
    found = {w for a in actors for w in WORD.findall(a["text"]) if w[0].isupper() or w.lower() in _GROUPS}
    stated = {a["country"] for a in actors if a["country"] and a.get("country_source") == "stated"}
    return ({w.lower() for w in found} - _NOT_NAMES) | stated


def _evidence_weight(draft: EventDraft) -> float:
    """The sentence that states the event most completely (who, when, where) is the better evidence:
    its own words date it, place it and say whose side each actor is on."""
    return (
        draft.confidence
        + 0.1 * draft.dated_here
        + 0.1 * _located_in_sentence(draft)
        + 0.05 * min(sum(a["country_source"] == "stated" for a in (*draft.sources, *draft.targets)), 3)
        - 0.2 * draft.describing
    )


def _located_in_sentence(draft: EventDraft) -> bool:
    """The draft's own sentence names its place (not the dateline or the article's setting)."""
    location, evidence = draft.location, draft.evidence
    if location is None or location["end"] <= location["start"]:  # a dateline the text does not repeat
        return False
    return evidence["start"] <= location["start"] and location["end"] <= evidence["end"]


def _refines(new: Place, old: Place | None) -> bool:
    """A city in the country already named is a better location; anything beats none."""
    if old is None:
        return True
    more_specific = _SPECIFICITY.get(new.get("feature", ""), 0) > _SPECIFICITY.get(old.get("feature", ""), 0)
    return more_specific and new["country"] == old["country"]
