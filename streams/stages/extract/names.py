"""What a word of an actor names: a person, a people, a place, a time or an organisation, and which
capitalised words are a person's name rather than a place (shared by the actor modules)."""

from __future__ import annotations

import functools
import re
from collections.abc import Set
from typing import Protocol

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Token

from streams.contracts import CleanArticle, Place
from streams.stages import geo
from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.grammar import lemma, pos
from streams.stages.extract.lexicon import ORGANISATIONS, SECTORS, words
from streams.stages.geo.toponyms import GENERIC_PLACE_WORDS, NameLookup

#: Prepositions whose object is on the receiving end: 'talks with X', 'strikes on X'.
TARGET_PREPS = frozenset(
    {"with", "against", "on", "to", "toward", "towards", "at", "into", "upon", "for", "from"}
)
_PRONOUNS = frozenset(words("he she they it we i you him her them us who which that this"))
#: '2019', '20-13', 'the 22nd', 'the 1990s'.
_NUMBER = re.compile(r"[\d.,:/\-–]+(?:st|nd|rd|th|s)?")
#: Fine tags of words a place name or demonym can be made of (not 'The', 'who', 'Its').
_NAME_TAGS = frozenset({"NNP", "NNPS", "NN", "NNS", "JJ"})
KNOWN_ORGANISATIONS = {geo.normalize(name): code for name, code in ORGANISATIONS.items()}
#: Common nouns for people, coded by what they usually are in news ('officers' are police).
PEOPLE: dict[str, str | None] = {
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
            "inmate offender convict fugitive guard couple group crowd mob spectator voter survivor relative "
            "accused defendant "
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
    #: occupations local news names people by ('convicted a former city clerk')
    **dict.fromkeys(
        words(
            "clerk cashier bartender waiter waitress janitor mechanic farmer rancher firefighter paramedic "
            "pilot surgeon dentist pharmacist accountant banker broker contractor landlord tenant homeowner "
            "owner landowner shopkeeper vendor merchant trader dealer smuggler trafficker hacker principal "
            "professor researcher engineer technician electrician plumber carpenter labourer laborer miner "
            "trucker courier salesman saleswoman nanny caregiver coach athlete referee bishop imam rabbi "
            "monk nun caretaker treasurer bookkeeper"
        ),
        "CVL",
    ),
}
#: Equipment: an actor when it acts ('Israeli tanks shelled'), a thing when acted on ('bought aircraft').
_EQUIPMENT = frozenset(
    words("aircraft helicopter tank warplane jet warship gunboat artillery plane airliner drone missile")
)
#: Prepositions that put an event or an actor in a place.
LOCATION_PREPS = frozenset({"in", "at", "near", "outside", "inside", "across", "throughout", "around"})
#: Words after a place name that make it an institution of that place ('Chicago Police', 'Ohio State').
INSTITUTION_WORDS = frozenset(
    words(
        "police department state city county government court university college school council assembly "
        "senate house ministry army navy national highway patrol fire sheriff airport port district "
        "province region parliament legislature party public supreme high municipal metropolitan regional "
        "times post herald news daily tribune"
    )
)
#: Bodies of a state, which stand for it and act from home: 'Russia's foreign ministry', 'the Philippine
#: coast guard', 'the UAE, whose government hosted the talks'.
STATE_BODIES = frozenset(
    words("ministry government cabinet embassy administration authorities regime junta army military")
    + words("forces navy guard parliament legislature presidency")
)
NAME_TITLES = frozenset(words("mr mrs ms dr sir lord lady gen lt col sgt capt rep sen gov judge st mt"))
_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*) $")
_WORD_AFTER = re.compile(r" ([A-Z][\w'’-]*)")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'’-]*\.?(?: [A-Z][\w'’-]*\.?)+")
_NAME_SUFFIXES = frozenset(words("Jr Sr II III IV"))


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


def in_headline(text: str, at: int) -> bool:
    """A line in title case ('Hit and Run Accidents'): its capitals say nothing about names."""
    line_start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    line = re.findall(r"[A-Za-z][\w'’-]*", text[line_start : line_end if line_end >= 0 else len(text)])
    long_words = [w for w in line if len(w) > 3]
    return len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) >= 0.7 * len(long_words)


def trusted_place(place: Place, text: str) -> bool:
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
    if after and is_name_word(after.group(1)) and feature != "country":
        return False
    if before and is_name_word(before.group(1)) and geo.normalize(before.group(1)) not in GENERIC_PLACE_WORDS:
        return False
    return key not in surnames(text, place["start"])


def is_name_word(word: str) -> bool:
    """A capitalised word that goes on a name ('Brand' after 'Elton'), not a function word ('In'), an
    institution ('Police') or a title ('President')."""
    lower = word.lower()
    return (
        word[:1].isupper()
        and lower not in STOP_WORDS
        and lower not in INSTITUTION_WORDS
        and lower not in SECTORS
        and lower.rstrip(".") not in NAME_TITLES
    )


def surnames(text: str, before: int) -> set[str]:
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
            if rest and is_name_word(chunk[0].group()):
                names.append((match.start() + chunk[0].start(), geo.normalize(rest[-1])))
            chunk = []
    return tuple(names)


#: Plurals for the sides of a war, a deal or an alliance: 'both warring parties', 'thanked the allies'.
_SIDES = frozenset(words("parties sides allies factions"))


def names_people(noun: Token, target: bool) -> bool:
    """A common noun that names people or an organisation: 'police', 'a man', 'two women', 'insurers',
    'the warring parties'."""
    if target and noun.lower_ in _SIDES:  # as a subject, 'relevant parties should promote' names no one
        return True
    if head_sector(noun) is None:
        singular = _singular(noun.lower_)
        return len(singular) > 5 and singular.endswith(("ist", "ian", "eer"))
    return not (target and _singular(noun.lower_) in _EQUIPMENT)


def head_sector(noun: Token) -> str | None:
    """The sector the head noun itself names (not its modifiers: 'abuse of authority' names no one)."""
    word = noun.lower_
    previous = noun.doc[noun.i - 1].lower_ if noun.i > 0 else ""
    for key in (f"{previous} {word}", f"{previous} {_singular(word)}", word, _singular(word), lemma(noun)):
        if key in SECTORS:
            return SECTORS[key]
        if key in PEOPLE:
            return PEOPLE[key]
    return None


def _singular(word: str) -> str:
    if word.endswith("men"):
        return word[:-3] + "man"
    if word.endswith(("ies",)):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def is_pronoun(token: Token) -> bool:
    return token.lower_ in _PRONOUNS and not token.text.isupper()


def is_number(token: Token) -> bool:
    return token.tag_ in ("CD", "$") or _NUMBER.fullmatch(token.text) is not None


def is_time(head: Token) -> bool:
    """A date or a time heads no actor ('on Friday', 'Monday night', 'March 3', the 'mid' of 'by
    mid-December'); a month that is part of a name ('Theresa May') does."""
    if head.lower_ in _PART_OF and _hyphened_to_time(head):
        return True
    if not is_time_word(head):
        return False
    names = (c for c in head.children if c.dep_ == "compound" and pos(c) == "PROPN")
    return all(is_time_word(c) for c in names)


#: Words that, hyphened to a time, name part of it: 'mid-December', 'late-March'.
_PART_OF = frozenset(words("mid early late"))


def _hyphened_to_time(token: Token) -> bool:
    doc = token.doc
    return token.i + 2 < len(doc) and doc[token.i + 1].text == "-" and is_time_word(doc[token.i + 2])


def is_time_word(token: Token) -> bool:
    return token.lower_ in TIME_WORDS or token.lower_.rstrip(".") in TIME_WORDS


def can_name_place(token: Token) -> bool:
    """A capitalised noun or adjective; not a determiner ('The' is also a Brazilian city's code) nor a
    common noun capitalised only because it opens the sentence ('Man charged in...')."""
    return token.tag_ in _NAME_TAGS and not (token.tag_ in ("NN", "NNS") and token.is_sent_start)


def names_organisation(token: Token) -> bool:
    """A single word names an organisation as a name, and a short one as an acronym: 'WHO' and 'UN', not
    the pronoun 'who' or the 'Un' of Kim Jong Un."""
    return token.tag_ in _NAME_TAGS and (len(token.text) > 3 or token.text.isupper())
