"""Actors: who does what to whom, read off the dependency tree around the trigger, each coded with a
country and a sector from its own words (a name, a demonym, a title), so it traces to the text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Token

from streams.contracts import Actor, Place
from streams.stages import geo
from streams.stages.extract.coding import lemma, pos
from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.lexicon import NOUNS, ORGANISATIONS, SECTORS, SPEECH_VERBS, words
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
_SECTOR_WORDS = re.compile(
    r"\b({})s?\b".format("|".join(re.escape(k) for k in sorted(SECTORS, key=lambda k: -len(k.split()))))
)


def participants(carrier: Token, noun: Token) -> tuple[list[Token], list[Token]]:
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
    if pos(carrier) == "NOUN":
        for child in carrier.children:
            if child.dep_ == "poss" or (
                child.dep_ in ("amod", "compound") and pos(child) in ("PROPN", "ADJ")
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


def named_actors(head: Token, offset: int, entries: NameLookup) -> list[Actor]:
    """The actors a participant head and its conjuncts name (``offset``: the sentence's start in the
    article text)."""
    actors: list[Actor] = []
    for member in (head, *head.conjuncts):
        if _is_pronoun(member):
            continue
        if (pos(member) == "NOUN" and lemma(member) in NOUNS) or _is_number(member):
            actors.extend(_owners(member, offset, entries))
            continue
        tokens = _own_tokens(member)
        expanded = _expand_compound(member, tokens, offset, entries)
        if expanded:
            actors.extend(expanded)
            continue
        actor = _actor(tokens, member, offset, entries)
        if actor is not None:
            actors.append(actor)
    shared = Counter(a["sector"] for a in actors if a["sector"]).most_common(1)
    for actor in actors:
        if actor["sector"] is None and actor["country"] and shared:
            actor["sector"] = shared[0][0]
    return actors


def unique_actors(actors: list[Actor], taken: list[Actor]) -> list[Actor]:
    """Actors by span, once: the same words reached twice in the tree are one actor."""
    seen = {(a["start"], a["end"]) for a in taken}
    result = []
    for actor in actors:
        if (actor["start"], actor["end"]) not in seen:
            seen.add((actor["start"], actor["end"]))
            result.append(actor)
    return result


def fill_countries(
    sources: list[Actor],
    targets: list[Actor],
    offset: int,
    length: int,
    places: list[Place],
    home_country: str | None,
) -> None:
    """A titled but unnamed-country actor ('President X', 'the rebels') belongs to a country the sentence
    names and the other actors do not, else to the article's home country."""
    actors = [*sources, *targets]
    taken = {a["country"] for a in actors if a["country"]}
    named = [
        p["country"]
        for p in places
        if offset <= p["start"] < offset + length and p["country"] and p["country"] not in taken
    ]
    fallback, source = (named[0], "place") if named else (home_country, "article")
    for actor in actors:
        if actor["country"] is None and actor["sector"] != "IGO" and fallback:
            actor["country"], actor["country_source"] = fallback, source


def _owners(event: Token, offset: int, entries: NameLookup) -> list[Actor]:
    """An event or an amount is no actor; whom it belongs to and whom it concerns are: 'Egypt's demand' →
    Egypt, 'Israeli strikes' → Israeli, '$10 million for Sudan' → Sudan, 'its offer' → no one."""
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
    text = head.doc.text
    if len(tokens) > 1 and tokens[-1].lower_ in ("'s", "’s"):
        tokens = tokens[:-1]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    country, org_sector, name = _code(tokens, entries)
    if country is None and pos(head) == "ADJ":
        return None  # an adjective is an actor as a demonym ('Israeli strikes'), not as 'military'
    sector = org_sector or _sector(tokens, head)
    person = _proper_name(tokens, head) if pos(head) == "PROPN" else None
    named = any(pos(t) == "PROPN" for t in tokens)
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
        "country_source": "stated" if country else "none",
        "sector": sector,
        "start": offset + start,
        "end": offset + end,
    }


def _code(tokens: list[Token], entries: NameLookup) -> tuple[str | None, str | None, str | None]:
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
            if n == 1 and geo.normalize(phrase) in GENERIC_PLACE_WORDS:
                continue
            found = entries(phrase)
            if not found:
                continue
            best = found[0]
            known = best.rank >= geo.RANK["admin1"] or best.population >= WELL_KNOWN_CITY_POPULATION
            if known and best.place["country"]:
                name = best.place["name"] if best.rank == geo.RANK["country"] else None
                return best.place["country"], None, name
    return None, None, None


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
        if pos(current) == "NOUN" and current.dep_ in ("dobj", "attr") and pos(current.head) == "VERB":
            current = current.head
            continue
        if current.dep_ == "pobj" and current.head.dep_ == "prep" and pos(current.head.head) == "VERB":
            current = current.head.head
            continue
        return None
    return None


def _resolve_pronoun(subject: Token) -> Token:
    """'Syria says it is willing...': a pronoun subject under a speech verb is the speaker."""
    if not _is_pronoun(subject):
        return subject
    speech = next((a for a in subject.ancestors if lemma(a) in SPEECH_VERBS), None)
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
