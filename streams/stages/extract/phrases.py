"""The words of one actor off the dependency tree (its span, without clauses and quotation fragments) and
what they code: its name, its country as the words state it and its sector."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Token

from streams.contracts import Actor
from streams.stages import geo
from streams.stages.extract.grammar import lemma, pos
from streams.stages.extract.lexicon import NOUNS, SECTORS, words
from streams.stages.extract.names import (
    KNOWN_ORGANISATIONS,
    LOCATION_PREPS,
    STATE_BODIES,
    TARGET_PREPS,
    can_name_place,
    head_sector,
    is_name_word,
    is_number,
    is_pronoun,
    is_time,
    is_time_word,
    names_organisation,
    names_people,
)
from streams.stages.geo.toponyms import GENERIC_PLACE_WORDS, WELL_KNOWN_CITY_POPULATION, NameLookup

#: Dependents that open a clause: its words describe an actor, they do not name it.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis", "appos"})
#: Participles that give a described person's name: 'identified as', 'named as'.
_NAMING_VERBS = frozenset(words("named identified"))
_SECTOR_WORDS = re.compile(
    r"\b({})s?\b".format("|".join(re.escape(k) for k in sorted(SECTORS, key=lambda k: -len(k.split()))))
)

#: Bodies whose acts a noun before an act names: 'police treatment', 'government policy', 'army raids'.
_AUTHORITY_SECTORS = frozenset({"GOV", "MIL", "COP", "REB", "OPP", "JUD", "LEG"})


def named_actors(head: Token, offset: int, entries: NameLookup, target: bool = False) -> list[Actor]:
    """The actors a participant head and its conjuncts name (``offset``: the sentence's start in the
    article text). A thing acted on is no actor, whom it belongs to or concerns may be: 'a contract with
    the Defense Ministry'; a subject is one when its words say whose it is ('the "American aggressors"'),
    and equipment acts ('Israeli tanks shelled') but is not on the receiving end."""
    actors: list[Actor] = []
    joined = {i for m in (head, *head.conjuncts) for i in _joined_name(m)}
    for member in (head, *head.conjuncts):
        if is_pronoun(member) or member.i in joined:
            continue
        thing = pos(member) == "NOUN" and not names_people(member, target)
        if is_number(member) or (thing and (target or lemma(member) in NOUNS)):
            actors.extend(_owners(member, offset, entries))
            continue
        named = _named_as(member) if pos(member) != "PROPN" else None
        if named is not None:
            member = named
        tokens = own_tokens(member)
        expanded = _expand_compound(member, tokens, offset, entries)
        if expanded:
            actors.extend(expanded)
            continue
        actor = phrase_actor(tokens, member, offset, entries, target=target)
        if actor is not None and actor["country"] is None:
            actor["country"] = _its_state(member, entries)
            actor["country_source"] = "stated" if actor["country"] else actor["country_source"]
        actor = _appositive(actor, member, offset, entries)
        if actor is not None:
            actors.append(actor)
        elif thing:
            actors.extend(_owners(member, offset, entries))
    shared = Counter(a["sector"] for a in actors if a["sector"]).most_common(1)
    for actor in actors:
        if actor["sector"] is None and actor["country"] and shared:
            actor["sector"] = shared[0][0]
    return actors


def _appositive(actor: Actor | None, member: Token, offset: int, entries: NameLookup) -> Actor | None:
    """'the Beatles' record company, Apple Corps' is Apple Corps, of the description's country; 'Tadzhigul
    Begmedova, director of the Turkmenistan Helsinki Foundation' takes the country of her post."""
    appos = next((c for c in member.children if c.dep_ == "appos"), None)
    if appos is None or actor is None:
        return actor
    other = phrase_actor(own_tokens(appos), appos, offset, entries)
    if other is None:
        return actor
    name, description = (other, actor) if pos(member) == "NOUN" and pos(appos) == "PROPN" else (actor, other)
    if name["country"] is None and description["country"]:
        name["country"], name["country_source"] = description["country"], "stated"
    name["sector"] = name["sector"] or description["sector"]
    return name


def _its_state(body: Token, entries: NameLookup) -> str | None:
    """'support for Moldova's sovereignty and its pro-European government', 'Russia said its forces': a
    state body that is 'its' belongs to the country named last before it in the sentence."""
    if body.lower_ not in STATE_BODIES or not any(
        c.dep_ == "poss" and c.lower_ == "its" for c in body.children
    ):
        return None
    for token in reversed(body.doc[: body.i]):
        if pos(token) != "PROPN" or token.dep_ == "compound":
            continue
        name = " ".join(t.text for t in token.subtree if t.dep_ == "compound" or t.i == token.i)
        found = entries(name)[:1]
        if found and found[0].rank == geo.RANK["country"] and found[0].place["country"]:
            return found[0].place["country"]
    return None


def _named_as(description: Token) -> Token | None:
    """The name a clause gives a person described by a common noun: 'the accused, who has been named as
    Mohamed Morei', 'a man identified as John Smith' → the name is the actor."""
    for clause in description.children:
        if clause.dep_ not in ("relcl", "acl"):
            continue
        for token in clause.subtree:
            if token.lower_ == "as" and token.head.lower_ in _NAMING_VERBS:
                name = next((c for c in token.children if c.dep_ == "pobj" and pos(c) == "PROPN"), None)
                if name is not None:
                    return name
    return None


def _owners(event: Token, offset: int, entries: NameLookup) -> list[Actor]:
    """An event, a thing or an amount is no actor; whom it belongs to and whom it concerns are: 'Egypt's
    demand' → Egypt, 'Israeli strikes' → Israeli, 'police treatment' → police, '$10 million for Sudan'
    → Sudan, 'its offer' → no one; so is the named place a thing acted on is in ('suspended aid
    deliveries in Baghdad'). A thing it concerns gives its own owner ('talks on Tehran's nuclear
    programme' → Tehran), or, with none ('the purchase of 22 Dreamliners'), its words."""
    heads = [
        c
        for c in event.children
        if c.dep_ == "poss"
        or (c.dep_ in ("amod", "compound") and pos(c) in ("PROPN", "ADJ"))
        or (c.dep_ == "compound" and SECTORS.get(c.lower_) in _AUTHORITY_SECTORS)
    ]
    heads += [
        o
        for p in event.children
        if p.dep_ == "prep" and p.lower_ in TARGET_PREPS | {"of", "by", "between"}
        for o in p.children
        if o.dep_ == "pobj"
    ]
    if any(c.dep_ == "nummod" for c in event.children):  # '150 million euros in aid for Sudan': the aid's
        heads += [o for p in event.children if p.dep_ == "prep" and p.lower_ == "in" for o in p.children]
    if event.dep_ in ("dobj", "nsubjpass"):
        heads += [
            o
            for p in event.children
            if p.dep_ == "prep" and p.lower_ in ("in", "inside")
            for o in p.children
            if o.dep_ == "pobj" and pos(o) == "PROPN"
        ]
    return [
        a
        for h in heads
        for a in named_actors(h, offset, entries, target=True) or named_actors(h, offset, entries)
    ]


def _expand_compound(member: Token, tokens: list[Token], offset: int, entries: NameLookup) -> list[Actor]:
    """'the foreign ministers of Korea, the United States and Japan' → one actor per country."""
    sector = _sector(tokens, member)
    for prep in member.children:
        if prep.dep_ != "prep" or prep.lower_ not in ("of", "from", "between"):
            continue
        for obj in prep.children:
            if obj.dep_ != "pobj" or not obj.conjuncts:
                continue
            members = [phrase_actor(own_tokens(m), m, offset, entries) for m in (obj, *obj.conjuncts)]
            coded = [a for a in members if a is not None and a["country"]]
            if len(coded) >= 2:
                for actor in coded:
                    actor["sector"] = actor["sector"] or sector
                return coded
    return []


def phrase_actor(
    tokens: list[Token], head: Token, offset: int, entries: NameLookup, target: bool = False
) -> Actor | None:
    """The actor the words name, or None when they name no one (``target``: on the receiving end, where
    'the warring parties' are someone; ``names.names_people``)."""
    if not tokens or is_time(head):
        return None
    if len(tokens) > 1 and tokens[-1].lower_ in ("'s", "’s"):
        tokens = tokens[:-1]
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
    words = head.doc[tokens[0].i : tokens[-1].i + 1].text
    country, org_sector, name, source = _code(tokens, entries)
    if country is None and pos(head) == "ADJ":
        return None  # an adjective is an actor as a demonym ('Israeli strikes'), not as 'military'
    sector = org_sector or head_sector(head) or _sector(tokens, head)
    person = _proper_name(tokens, head) if pos(head) == "PROPN" else None
    named = any(pos(t) == "PROPN" for t in tokens)
    if country is None and sector is None and not named and not names_people(head, target=target):
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
            inside = n == 1 and i > 0 and words[i - 1].tag_ == "NNP"  # 'African National Congress'
            if key in KNOWN_ORGANISATIONS and (n > 1 or names_organisation(words[i])) and not inside:
                country, sector = KNOWN_ORGANISATIONS[key]
                name = re.sub(r"^the\s+", "", phrase, flags=re.IGNORECASE)
                return country, sector, name, "stated" if country else "none"
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            if not all(t.text[:1].isupper() and can_name_place(t) for t in words[i : i + n]):
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
            return "place" if ancestor.lower_ in LOCATION_PREPS else "stated"
    return "stated"


def _reads_as_place(words: list[Token], i: int, best: geo.GazetteerEntry) -> bool:
    """One word of an actor's name is a place only as a reader takes it: not a month, not a city's code
    or alias ('Inc.', 'AMD'), not a surname ('Eddie Jordan') nor the first word of another name ('Delta
    Program')."""
    word = words[i]
    key = geo.normalize(word.text)
    if is_time_word(word):
        return False
    official = key == geo.normalize(best.place["name"])
    if best.rank < geo.RANK["country"] and not official and (best.rank == geo.RANK["city"] or len(key) <= 3):
        return False
    before = words[i - 1] if i > 0 and words[i - 1].i == word.i - 1 else None
    after = words[i + 1] if i + 1 < len(words) and words[i + 1].i == word.i + 1 else None
    if official and before is not None and pos(before) == "PROPN" and is_name_word(before.text):
        return geo.normalize(before.text) in GENERIC_PLACE_WORDS
    if best.rank < geo.RANK["country"] and after is not None and pos(after) == "PROPN":
        return not is_name_word(after.text)
    return True


def own_tokens(member: Token) -> list[Token]:
    """The words of one actor: its subtree without coordinated siblings, clauses at any depth ('the name of
    a woman who was walking...' names no one), edge punctuation and words past a quotation mark."""
    excluded: set[int] = set()
    joined = _joined_name(member)
    for child in member.children:
        if child.i in joined:
            continue
        if child.dep_ in ("conj", "cc", "relcl", "acl", "appos", "punct") or (
            child.dep_ == "prep" and child.lower_ not in ("of", "in", "from", "for")
        ):
            excluded |= {t.i for t in child.subtree}
    for token in member.subtree:
        if token.i not in excluded and token.i != member.i and _is_clause(token):
            excluded |= {t.i for t in token.subtree}
    tokens = _trim(t for t in member.subtree if t.i not in excluded)
    return _trim(_within_quotes(tokens, member))


def _joined_name(member: Token) -> set[int]:
    """The '&' and the proper noun after it that continue a name: 'Procter & Gamble', 'Pacific Gas &
    Electric Co.' are one company, not two."""
    amp = next((c for c in member.children if c.dep_ == "cc" and c.text == "&"), None)
    if amp is None or pos(member) != "PROPN":
        return set()
    name = next((c for c in member.children if c.dep_ == "conj" and c.i > amp.i and pos(c) == "PROPN"), None)
    return {amp.i, name.i} if name is not None else set()


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
