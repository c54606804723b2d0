"""Pronouns and titles resolved to the person the article names: 'he' to the name before it, 'the
president' to 'President X', a pronoun subject under a speech verb to the speaker."""

from __future__ import annotations

import re

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Token

from streams.contracts import Actor
from streams.stages import geo
from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.grammar import lemma, pos
from streams.stages.extract.lexicon import NOUNS, SECTORS, SPEECH_VERBS, items, words
from streams.stages.extract.names import (
    INSTITUTION_WORDS,
    KNOWN_ORGANISATIONS,
    LOCATION_PREPS,
    NAME_TITLES,
    PEOPLE,
    STATE_BODIES,
    Setting,
    in_headline,
    is_pronoun,
    is_time_word,
    names_people,
    surnames,
    trusted_place,
)
from streams.stages.extract.phrases import own_tokens, phrase_actor
from streams.stages.geo.toponyms import GENERIC_PLACE_WORDS
from streams.stages.text import sentences

#: Pronouns that stand for one person named before them.
RESOLVED_PRONOUNS = frozenset(words("he she him her his"))
#: Pronouns that stand for a group named before them.
GROUP_PRONOUNS = frozenset(words("they them"))
#: Nouns for a group that 'they' can stand for in the singular.
_COLLECTIVE = frozenset(
    words("police crowd mob group family couple government administration company firm team")
)
_PARTICIPANT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "conj", "appos", "dative", "poss"})
#: Words for the police in any number ('officer', 'deputies', 'riot police').
_POLICE = re.compile(
    r"\b(?:{})\b".format(
        "|".join(
            re.escape(w[:-1]) + "(?:y|ies)" if w.endswith("y") else re.escape(w) + "s?"
            for w in sorted(
                {w for w, sector in (*PEOPLE.items(), *SECTORS.items()) if sector == "COP"},
                key=len,
                reverse=True,
            )
        )
    ),
    re.IGNORECASE,
)
#: Runs of capitalised words, initials and name particles: candidate names before a pronoun.
_NAME_RUN = re.compile(r"[A-Z][\w'’-]*\.?(?: (?:[A-Z][\w'’-]*\.?|(?:de|van|von|bin|al|da|del)\b))*")
#: Last words of the names of bodies, not people: 'Amnesty International', 'Human Rights Watch'.
_BODY_WORDS = INSTITUTION_WORDS | frozenset(
    words(
        "international inc corp group union association foundation committee institute agency "
        "organization organisation trust society league watch network company"
    )
)
#: Words for the firm the article is about.
_FIRM = re.compile(r"(?:the\s+)?(?:company|firm)", re.IGNORECASE)
#: A name opening a sentence, up to four capitalised words ('Airbus has', 'Alcoa Inc.'s').
_OPENING_NAME = re.compile(r"([A-Z][\w&'’-]*\.?(?: [A-Z][\w&'’-]*\.?){0,3})(?:['’]s)?\s")
#: A sentence opening with a country's name, or its possessive and what follows ('Canada's foreign ministry').
_STATE_OPENING = re.compile(r"(?:The )?([A-Z][\w-]*(?: [A-Z][\w-]*){0,2})(?:['’]s((?: [\w-]+){1,3}))?\s")
#: Titles of one person: 'the president' is the one the article names 'President X'.
_PERSONAL_TITLES = frozenset(
    items(
        "president,prime minister,premier,chancellor,governor,mayor,senator,king,queen,pope,emir,"
        "sultan,foreign minister,defense minister,defence minister,secretary of state,chief executive"
    )
)


def name_the_title(actor: Actor, text: str) -> None:
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


def name_the_group(actor: Actor, text: str) -> None:
    """'NATO foreign ministers expressed support ... the ministers endorsed a package': a bare definite
    plural for people is the group the article named before with a name or a demonym ('NATO foreign
    ministers', 'Israeli soldiers'), the nearest such mention before it."""
    plural = re.fullmatch(r"the ([a-z]+s)", actor["text"], re.IGNORECASE)
    if plural is None or _singular_person(plural.group(1).lower()) is None:
        return
    pattern = rf"\b((?:[A-Z][\w'’.-]* )+(?:[a-z-]+ ){{0,2}}{re.escape(plural.group(1).lower())})\b"
    before = [m for m in re.finditer(pattern, text[: actor["start"]]) if _names_a_group(m.group(1))]
    if not before:
        return
    start, end = before[-1].span(1)
    actor["text"] = actor["name"] = text[start:end]
    actor["start"], actor["end"] = start, end


def _names_a_group(mention: str) -> bool:
    """'NATO foreign ministers', 'Israeli soldiers': names or demonyms and modifiers before the plural, not
    a capitalised common word and a clause ('Detectives traced the suspects')."""
    for word in mention.split()[:-1]:
        lower = word.lower()
        if lower in STOP_WORDS or (word[:1].isupper() and _singular_person(lower) is not None):
            return False
        if not word[:1].isupper() and lower.endswith(("ed", "ing")):
            return False
    return True


def _singular_person(plural: str) -> str | None:
    """The word for one of a group of people ('ministers' → 'minister'), None for other plurals."""
    singular = plural[:-1]
    return singular if singular in PEOPLE or singular in SECTORS else None


#: A person described, not named: 'An Oklahoma man', 'a 46-year-old man', 'A convicted sex offender'.
_DESCRIBED = re.compile(
    r"(?:an?|one) (?:[\w'’.-]+ ){0,3}"
    r"(?:man|woman|teen|teenager|youth|boy|girl|driver|suspect|offender|gunman)",
    re.IGNORECASE,
)


#: Nouns of violence: who they are 'of' is the victim.
_HARM_NOUNS = frozenset(word for word, trigger in NOUNS.items() if trigger.plover == "ASSAULT") | {"death"}


def name_the_suspect(actor: Actor, setting: Setting) -> None:
    """'An Oklahoma man was found guilty ... Christopher Kenyon Simpson of Fort Coffee is accused': crime
    news describes the one it is about before naming them. A described suspect is the person whose name
    the article repeats most (on a tie, the first named), officials aside."""
    text = setting.article["text"]
    harm = re.search(r"(\w+) of $", text[max(0, actor["start"] - 30) : actor["start"]])
    if _DESCRIBED.fullmatch(actor["text"]) is None or (
        harm and harm.group(1).lower().rstrip("s") in _HARM_NOUNS
    ):
        return  # 'the murder of a Japanese man' is the victim; 'the trial of an Albany teen' the suspect
    people: dict[str, tuple[int, int]] = {}
    officials: set[str] = set()
    for match in _NAME_RUN.finditer(text):
        span = _person_name(match, text, setting)
        if span is None:
            continue
        surname = text[span[0] : span[1]].split()[-1]
        if _official(text, span[0]):
            officials.add(surname)
        else:
            people.setdefault(surname, span)
    people = {name: span for name, span in people.items() if name not in officials}
    if not people:
        return
    mentions = {name: len(re.findall(rf"\b{re.escape(name)}\b", text)) for name in people}
    most = max(mentions.values())
    start, end = people[next(name for name in people if mentions[name] == most)]
    actor["text"] = actor["name"] = text[start:end]
    actor["start"], actor["end"] = start, end
    actor["country"], actor["country_source"] = None, "none"  # the description's words were not the name's


def _official(text: str, start: int) -> bool:
    """A name right after a word for an office ('Police officer Nilanjan Biswas', 'spokeswoman Gina
    Coburn'): an official who speaks or acts, not the one the news is about."""
    before = re.search(r"(\w+)\s+$", text[max(0, start - 30) : start])
    word = before.group(1).lower() if before else ""
    return word in SECTORS or PEOPLE.get(word) in ("COP", "JUD", "GOV")


def name_the_company(actor: Actor, setting: Setting) -> None:
    """'the company' is the firm whose name last opened a sentence before it ('Airbus has hopes that
    sales will exceed 700. The company is in talks with China'): a business article's subject. Not a
    person, a place, a date or a common word; a firm of several words that reads like a person's name is
    missed."""
    if _FIRM.fullmatch(actor["text"]) is None:
        return
    text = setting.article["text"]
    for start, _ in reversed([span for span in sentences(text) if span[0] < actor["start"]]):
        found = _OPENING_NAME.match(text, start)
        if found is None:
            continue
        first = re.split(r"['’.\s]", found.group(1))[0]
        if first.lower() in STOP_WORDS | TIME_WORDS or not _used_as_name(first, text):
            continue
        end = found.end(1)
        person = _person_name(found, text, setting) is not None
        if person or any(p["start"] < end and start < p["end"] for p in setting.places):
            continue
        actor["text"] = actor["name"] = text[start:end]
        actor["start"], actor["end"] = start, end
        return


def state_before(setting: Setting, at: int) -> Actor | None:
    """'Pakistan's Interior Ministry said the crossing would stay closed. It accused the Taliban ...': an
    'It' that opens a sentence and does something is the state or state body that opened the sentence
    before it (a country's name, or its body: 'Canada's foreign ministry'); not a person or a firm."""
    text = setting.article["text"]
    before = [start for start, end in sentences(text) if end <= at]
    found = _STATE_OPENING.match(text, before[-1]) if before else None
    if found is None:
        return None
    owner = setting.entries(found.group(1))[:1]
    country = next((e.place["country"] for e in owner if e.rank == geo.RANK["country"]), None)
    end = found.end(1)
    if found.group(2):  # the state's body: up to its first body word
        body = next(
            (w for w in re.finditer(r"\S+", found.group(2)) if w.group().lower() in STATE_BODIES), None
        )
        if body is None:
            return None
        end = found.start(2) + body.end()
    if country is None:
        return None
    actor = _text_actor(text, found.start(1), end, "GOV")
    actor["country"], actor["country_source"] = country, "stated"
    return actor


def _used_as_name(word: str, text: str) -> bool:
    """A name, not a common word a sentence opens with ('Sales rose'): written in capitals, or
    capitalised inside a sentence too."""
    return word.isupper() or re.search(rf"[\w,;:] +{re.escape(word)}\b", text) is not None


def pronoun_antecedent(pronoun: Token, offset: int, setting: Setting) -> Actor | None:
    """The person a 'he', 'she', 'him', 'her' or 'his' stands for: the nearest name or noun for a person
    before it in its sentence ('Police arrested Orujov and charged him', 'chased the driver and arrested
    him'), the subject it leads up to ('On his visit to Rome, President X met...'), else the nearest name
    in the article before the sentence."""
    doc = pronoun.doc
    for token in reversed(doc[: pronoun.i]):
        if _names_person(token, offset, setting):
            return phrase_actor(_name_run(token), token, offset, setting.entries)
        if _stands_for_person(token, pronoun):
            return phrase_actor(own_tokens(token), token, offset, setting.entries)
    subject = next((c for c in doc[:].root.children if c.dep_ == "nsubj"), None)
    if (
        subject is not None
        and subject.i > pronoun.i
        and pronoun.i not in {t.i for t in subject.subtree}
        and _names_person(subject, offset, setting)
    ):
        return phrase_actor(_name_run(subject), subject, offset, setting.entries)
    text = setting.article["text"]
    for match in reversed(list(_NAME_RUN.finditer(text, 0, offset))):
        found = _person_name(match, text, setting)
        if found is not None:
            return _text_actor(text, *found, None)
    return None


def group_antecedent(pronoun: Token, offset: int, setting: Setting) -> Actor | None:
    """The group a 'they' or 'them' stands for: the nearest plural noun for people, team name or collective
    before it in its sentence ('pulled a gun on two guards and held them'). Not across sentences: the
    last group named before is often not the one meant (measured in docs/extract.md)."""
    subject = pronoun.dep_ in ("nsubj", "nsubjpass")
    for token in reversed(pronoun.doc[: pronoun.i]):
        if not _stands_for_group(token, offset, setting):
            continue
        if subject and token.dep_ not in ("nsubj", "nsubjpass"):
            continue  # a subject 'they' continues the subject before it
        if not subject and token.head.i == pronoun.head.i:
            continue  # 'police beat them': not the verb's own subject
        return phrase_actor(own_tokens(token), token, offset, setting.entries)
    return None


def article_police(setting: Setting, at: int) -> Actor | None:
    """The police an article names, for an arrest it tells in the passive without saying by whom ('Smith
    was arrested on Friday'): the mention nearest before ``at``, else the first after it."""
    text = setting.article["text"]
    found = list(_POLICE.finditer(text))
    before = [m for m in found if m.start() < at]
    match = before[-1] if before else (found[0] if found else None)
    return _text_actor(text, match.start(), match.end(), "COP") if match is not None else None


def _stands_for_group(token: Token, offset: int, setting: Setting) -> bool:
    """A plural noun for people ('the guards'), a plural name that is no place ('the Saints', not
    'Leeds') or a collective ('police', 'the crowd') in a participant's place."""
    if token.dep_ not in _PARTICIPANT_DEPS:
        return False
    if token.lower_ in _COLLECTIVE or (token.tag_ == "NNS" and names_people(token, target=False)):
        return True
    start = offset + token.idx
    return token.tag_ == "NNPS" and not any(p["start"] <= start < p["end"] for p in setting.places)


def _text_actor(text: str, start: int, end: int, sector: str | None) -> Actor:
    """An actor named outside the parsed sentence: its span in the article text, country still to find."""
    return {
        "text": text[start:end],
        "name": text[start:end],
        "country": None,
        "country_source": "none",
        "sector": sector,
        "start": start,
        "end": end,
    }


def _stands_for_person(token: Token, pronoun: Token) -> bool:
    """A singular noun for a person in a participant's place ('the driver'), for a singular pronoun."""
    return (
        pos(token) == "NOUN"
        and token.tag_ == "NN"
        and token.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "dative")
        and PEOPLE.get(token.lower_, "") in ("CVL", "COP")
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
    if head.dep_ == "pobj" and head.head.lower_ in LOCATION_PREPS | {"to", "from", "into"}:
        return False
    if token.text.isupper() or is_time_word(token) or token.lower_ in SECTORS or token.lower_ in _BODY_WORDS:
        return False  # 'Amnesty International recognized him': a body is no 'he'
    start = offset + token.idx
    if any(p["start"] <= start < p["end"] for p in setting.places):
        return False
    return geo.normalize(token.text) not in KNOWN_ORGANISATIONS


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
    while words_ and words_[0].group().lower().rstrip(".") in STOP_WORDS | NAME_TITLES | SECTORS.keys():
        words_.pop(0)
    if not words_ or len(words_) > 4:
        return None
    start, end = match.start() + words_[0].start(), match.start() + words_[-1].end()
    name = text[start:end]
    lowered = {w.group().lower().rstrip(".") for w in words_}
    if lowered & (_BODY_WORDS | GENERIC_PLACE_WORDS | SECTORS.keys() | TIME_WORDS | PEOPLE.keys()):
        return None
    if name.isupper() or geo.normalize(name) in KNOWN_ORGANISATIONS or in_headline(text, start):
        return None
    if any(p["start"] < end and start < p["end"] and trusted_place(p, text) for p in setting.places):
        return None
    if len(words_) == 1:  # a capitalised word alone is a name once the article has given it in full
        return (start, end) if geo.normalize(name) in surnames(text, start) else None
    first = setting.entries(words_[0].group())
    if first and first[0].rank >= geo.RANK["admin1"] and first[0].place["name"] == words_[0].group():
        return None  # 'San Diego Chargers', 'Texas Rangers': a team or a firm named after a place
    return start, end


def resolve_pronoun(subject: Token) -> Token:
    """'Syria says it is willing...', 'the minister said he would resign': a pronoun subject under a
    speech verb is the speaker, when they agree ('she' in 'she resigned, officials said' is not the
    officials: ``pronoun_antecedent`` finds her)."""
    if not is_pronoun(subject):
        return subject
    speech = next((a for a in subject.ancestors if lemma(a) in SPEECH_VERBS), None)
    speaker = next((c for c in speech.children if c.dep_ == "nsubj"), None) if speech is not None else None
    if speaker is None or is_pronoun(speaker):
        return subject
    if subject.lower_ in RESOLVED_PRONOUNS and speaker.tag_ not in ("NN", "NNP"):
        return subject
    return speaker
