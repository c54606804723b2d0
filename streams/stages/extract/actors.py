"""Actors: who does what to whom, read off the dependency tree around the trigger, each coded with a
country and a sector from its own words (a name, a demonym, a title), so it traces to the text."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from streams.contracts import Actor
from streams.stages.extract.coreference import (
    GROUP_PRONOUNS,
    RESOLVED_PRONOUNS,
    article_police,
    group_antecedent,
    name_the_company,
    name_the_group,
    name_the_suspect,
    name_the_title,
    pronoun_antecedent,
    resolve_pronoun,
    state_before,
)
from streams.stages.extract.countries import fill_countries
from streams.stages.extract.grammar import accompanying, lemma, pos
from streams.stages.extract.lexicon import SPEECH_VERBS, VERBS, words
from streams.stages.extract.names import STATE_BODIES, TARGET_PREPS, Setting, names_people
from streams.stages.extract.phrases import named_actors
from streams.stages.geo.toponyms import NameLookup

#: Events authorities do to people: the passive without an agent is theirs when the sentence cites them.
_AUTHORITY_EVENTS = frozenset({"COERCE", "SANCTION"})
#: Events done to a suspect, and events a suspect does: a described suspect is the one the article names.
_CHARGING = frozenset({"COERCE", "SANCTION", "ACCUSE"})
_HARMING = frozenset({"ASSAULT", "THREATEN"})
#: Who did it, as an article says it does not know: 'an attack by unknown gunmen has no source'
#: (docs/coding-guidelines.md). A name, a group or a country ('Boko Haram gunmen') keeps the source.
_UNKNOWN_DOERS = re.compile(
    r"(?:(?:the|a|an|two|three|four|five|several|some|unknown|unidentified|masked|armed|suspected)\s+)*"
    r"(?:gunm[ae]n|assailants?|attackers?|kidnappers?|abductors?)",
    re.IGNORECASE,
)
#: Prepositions that give the reason or charge once a person is acted on ('arrested him for theft').
_REASON_PREPS = frozenset({"with", "of", "for", "on"})
#: Prepositions that time another event by a (definite) event noun: its doer is not the other's.
_WHEN = frozenset(words("during after before following since until amid"))
#: Acts only someone can do by speaking: asking, accusing, threatening.
_SPOKEN = frozenset({"REQUEST", "ACCUSE", "THREATEN"})
#: Events done with each other: two parties named together as subject are source and target.
_MUTUAL = frozenset({"AGREE", "CONSULT", "COOPERATE"})
#: Events only the police do: a passive one without an agent is the police's.
_ARRESTS = frozenset(words("arrest detain apprehend handcuff"))
#: Verbs whose subject undergoes the event its object names: 'faces charges', 'is serving a sentence'.
_UNDERGO = frozenset(
    words("face faces faced facing serve serves served serving receive receives received receiving")
)
#: Documents that say what their author says: 'a letter calling for', 'a statement condemning'.
_STATEMENTS = frozenset(
    words("letter statement petition resolution report message note appeal motion communique declaration")
)
#: What is deployed: forces and their arms.
_FORCES = frozenset(
    words(
        "troops soldiers forces units battalions brigades divisions reservists reserves personnel ships "
        "warships vessels jets warplanes aircraft planes tanks batteries missiles systems marines"
    )
)
_PERSONAL = frozenset(words("he she him her they them"))
#: Words for an unnamed part of a group: who they are is who the article says they include.
_SOME = frozenset(words("handful some several many few dozens scores number majority minority others"))


def event_actors(
    plover: str,
    carrier: Token,
    heads: tuple[list[Token], list[Token]],
    offset: int,
    setting: Setting,
) -> tuple[list[Actor], list[Actor]]:
    """The source and target actors the participant heads name, each with its country and how it was
    found (``offset``: the sentence's start in the article text). An arrest or a sentence in the passive
    without 'by' is the authorities' that the sentence names ('X was arrested, police said'); an arrest
    the sentence names no one for is by the police the article names."""
    source_heads, target_heads = heads
    sources = unique_actors([a for head in source_heads for a in _head_actors(head, offset, setting)], [])
    targets = unique_actors(
        [a for head in target_heads for a in _head_actors(head, offset, setting, target=True)], sources
    )
    if plover in _HARMING:
        sources = [a for a in sources if not _UNKNOWN_DOERS.fullmatch(a["text"])]
    if not sources and plover in _AUTHORITY_EVENTS and _is_passive(carrier):
        sources = unique_actors(_authorities(carrier.doc, offset, setting.entries), targets)
        police = article_police(setting, offset + carrier.idx) if lemma(carrier) in _ARRESTS else None
        if not sources and police is not None:
            sources = [police]
    elif not sources and lemma(carrier) in _ARRESTS and any(h.lower_ in ("he", "she") for h in source_heads):
        police = article_police(setting, offset + carrier.idx)  # 'He chased the driver and arrested him'
        sources = [police] if police is not None else []
    targets = [
        t
        for t in targets
        if not _destination(t, setting) and not (plover == "CONSULT" and _venue(t, setting))
    ]
    if plover == "CONCEDE" and not targets:  # 'resigned, forced out by the leadership of the ANC'
        pressing = [
            o
            for c in carrier.children
            if _pressed(c)
            for a in c.children
            if a.dep_ == "agent"
            for o in a.children
        ]
        targets = unique_actors(
            [a for head in pressing for a in _head_actors(head, offset, setting, target=True)], sources
        )
    if plover == "MOBILIZE":  # 'will deploy 5,000 soldiers to the border': the forces sent are the doer's
        targets = [t for t in targets if t["text"].split()[-1].lower() not in _FORCES]
    if plover in _MUTUAL and not targets and len(sources) > 1:
        sources, targets = sources[:1], sources[1:]  # 'the USAF and Boeing signed a deal': with each other
    for actor in (*sources, *targets):
        name_the_title(actor, setting.article["text"])
        name_the_group(actor, setting.article["text"])
        name_the_company(actor, setting)
    suspects = targets if plover in _CHARGING else sources if plover in _HARMING else []
    if len(suspects) == 1:  # 'arrested a man and a woman' are two people
        name_the_suspect(suspects[0], setting)
    fill_countries(sources, targets, carrier, offset, setting)
    return sources, targets


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
    """The actors a participant head names, a personal pronoun standing for the person or group named
    before it, and a state's body under 'whose' for the state the relative clause is on."""
    if head.lower_ in RESOLVED_PRONOUNS and not head.text.isupper():
        antecedent = pronoun_antecedent(head, offset, setting)
        return [antecedent] if antecedent is not None else []
    if head.lower_ in GROUP_PRONOUNS and not head.text.isupper():
        group = group_antecedent(head, offset, setting)
        return [group] if group is not None else []
    if (
        head.text == "It" and head.i == 0 and head.dep_ == "nsubj"
    ):  # 'Pakistan's ministry said ... It accused'
        state = state_before(setting, offset)
        return [state] if state is not None else []
    whose = any(c.dep_ == "poss" and c.lower_ == "whose" for c in head.children)
    if whose and head.lower_ in STATE_BODIES and head.head.dep_ == "relcl":  # 'the UAE, whose government'
        return named_actors(head.head.head, offset, setting.entries, target=target)
    included = [o for c in head.children if c.lower_ == "including" for o in c.children if o.dep_ == "pobj"]
    if head.lower_ in _SOME and included:  # 'a handful -- including lawyers Xie Yang and Li Heping --'
        return [a for o in included for a in named_actors(o, offset, setting.entries, target=target)]
    return named_actors(head, offset, setting.entries, target=target)


def participants(carrier: Token, noun: Token) -> tuple[list[Token], list[Token]]:
    """Heads of the source and target actors of the event that ``carrier`` states."""
    sources: list[Token] = []
    targets: list[Token] = []
    subject = subject_of(carrier)
    if subject is not None:
        subject = resolve_pronoun(_extraposed(subject))
        undergoes = subject.dep_ == "nsubjpass" and not _does_embedded(subject, carrier)
        if undergoes or (subject.head.i != carrier.i and _own_passive(carrier)):
            targets.append(subject)
            agent = next((c for c in carrier.children if c.dep_ == "agent"), None)
            sources.extend(c for c in (agent.children if agent is not None else ()) if c.dep_ == "pobj")
        elif pos(carrier) == "NOUN" and carrier.dep_ == "dobj" and carrier.head.lower_ in _UNDERGO:
            targets.append(subject)  # 'Zuma faces corruption charges': the charges are against him
        else:
            sources.append(subject)
    elif _reduced_passive(carrier):
        targets.append(carrier.head)  # 'a youth charged with the murder of X': the youth was charged
    if pos(carrier) == "NOUN":
        for child in carrier.children:  # 'Israel's raid', 'Israeli strikes', 'a police shooting'
            if (
                child.dep_ == "poss"
                or (child.dep_ in ("amod", "compound") and pos(child) in ("PROPN", "ADJ"))
                or (child.dep_ == "compound" and pos(child) == "NOUN" and names_people(child, target=False))
            ):
                sources.append(child)
            if child.dep_ == "prep" and child.lower_ == "by":
                sources.extend(c for c in child.children if c.dep_ == "pobj")
    heads = [carrier] + ([noun] if noun is not carrier else [])
    heads += [
        c
        for c in carrier.children
        if c.dep_ in ("xcomp", "ccomp")
        or (_sharessubject_of(c) and not (accompanying(c) and lemma(c) in VERBS))  # its own event
        or (c.dep_ == "conj" and _sharessubject_of(c, "conj"))
    ]
    #: 'an agreement to purchase SeaMicro': the one named as what an event noun is about
    targets += [
        o
        for h in heads[: 1 + (noun is not carrier)]
        for c in h.children
        if _says_what(c, h)
        for o in c.children
        if o.dep_ == "dobj" and pos(o) == "PROPN"
    ]
    targets += [
        o
        for h in heads[: 1 + (noun is not carrier)]
        for c in h.children
        if _says_what(c, h)
        for o in _held(c)
    ]
    for head in heads:
        objects = [_deed_doer(c) for c in head.children if c.dep_ in ("dobj", "dative") and c.i != noun.i]
        targets.extend(objects)
        #: 'charged him with murder', 'X was accused of fraud': with a person acted on, these say why.
        charged = any(_is_agentive(t) for t in objects) or (
            head is carrier and any(map(_is_agentive, targets))
        )
        for child in head.children:
            if child.dep_ != "prep" or child.lower_ not in TARGET_PREPS | {"between", "of"}:
                continue
            if charged and child.lower_ in _REASON_PREPS:
                continue
            targets.extend(c for c in child.children if c.dep_ == "pobj")
    seen: set[int] = {t.i for t in sources}
    unique_targets = [t for t in targets if not (t.i in seen or seen.add(t.i))]  # type: ignore[func-returns-value]
    return sources, unique_targets[:3]


#: What one owns of a firm: 'to acquire 51% of the shares in ICON', 'to buy a stake in Acme'.
_HOLDINGS = frozenset(words("share shares stake stakes holding holdings interest equity"))


def _held(clause: Token) -> list[Token]:
    """The firm whose shares or stake a clause acquires: the name after 'in' on the clause's verb or on
    the holding it names."""
    objects = [c for c in clause.children if c.dep_ == "dobj"]
    held = [t for o in objects for t in (o, *o.subtree) if t.lower_ in _HOLDINGS]
    if not held:
        return []
    return [
        o
        for h in (clause, *held)
        for p in h.children
        if p.dep_ == "prep" and p.lower_ == "in"
        for o in p.children
        if o.dep_ == "pobj" and pos(o) == "PROPN"
    ]


def _extraposed(subject: Token) -> Token:
    """'it was "amazing" that Microsoft was able to': an 'it' that holds the place of a that-clause stands
    for what the clause is about, its subject."""
    if subject.lower_ != "it":
        return subject
    clause = next(
        (
            c
            for c in subject.head.children
            if c.dep_ == "ccomp" and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        ),
        None,
    )
    inner = next((c for c in clause.children if c.dep_ == "nsubj"), None) if clause is not None else None
    return inner if inner is not None else subject


def _reduced_passive(carrier: Token) -> bool:
    """A past participle on a word for someone ('a youth charged with murder', 'the man arrested on
    Friday') says what was done to that one."""
    return (
        pos(carrier) == "VERB"
        and carrier.dep_ == "acl"
        and carrier.tag_ == "VBN"
        and pos(carrier.head) != "VERB"
        and _is_agentive(carrier.head)
    )


def _deed_doer(obj: Token) -> Token:
    """'Ingraham apologized, but Hogg blasted it': an 'it' that stands for the deed of the clause the
    verb is joined to is aimed at that clause's subject."""
    verb = obj.head
    if obj.lower_ != "it" or verb.dep_ != "conj" or pos(verb.head) != "VERB":
        return obj
    subject = next((c for c in verb.head.children if c.dep_ == "nsubj"), None)
    return subject if subject is not None and pos(subject) == "PROPN" else obj


def _says_what(clause: Token, event: Token) -> bool:
    """'an agreement to purchase SeaMicro', 'a call to release Smith': an infinitive on an event noun
    says what the event is about."""
    return (
        pos(event) == "NOUN"
        and clause.dep_ == "acl"
        and clause.tag_ == "VB"
        and any(c.dep_ == "aux" and c.lower_ == "to" for c in clause.children)
    )


def _is_agentive(token: Token) -> bool:
    """A name, a personal pronoun or a noun for people: someone an event can be done to."""
    return pos(token) == "PROPN" or token.lower_ in _PERSONAL or names_people(token, target=False)


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


def _sharessubject_of(clause: Token, dep: str = "advcl") -> bool:
    """'marched on Sunday demanding independence for Kosovo', 'met visiting Japanese Foreign Minister X':
    a subjectless participle or infinitive adjunct continues the event, so its objects are participants;
    so does a verb joined to the trigger's ('shot and killed a teenager')."""
    tags = ("VBG", "VB") if dep == "advcl" else ("VBD", "VBN", "VBZ", "VBP", "VBG", "VB")
    return (
        clause.dep_ == dep
        and clause.tag_ in tags
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children)
    )


def _destination(actor: Actor, setting: Setting) -> bool:
    """'a march from Beijing to the court', 'flew to Geneva': a city one goes from or to is where, not
    whom, the event is."""
    text = setting.article["text"]
    before = text[max(0, actor["start"] - 8) : actor["start"]].lower().split()
    return (
        bool(before)
        and before[-1] in ("from", "to", "into", "toward", "towards")
        and any(
            p["start"] == actor["start"] and p["end"] == actor["end"] and p.get("feature") == "city"
            for p in setting.places
        )
    )


def _venue(actor: Actor, setting: Setting) -> bool:
    """'a conference co-hosted by France at the foreign ministry', 'talks at the White House': what a
    meeting is at is where it is held, not whom it is with."""
    before = setting.article["text"][max(0, actor["start"] - 4) : actor["start"]].lower().split()
    return bool(before) and before[-1] == "at"


def _pressed(clause: Token) -> bool:
    """'forced out by X', 'pressured by X': a passive adjunct that says who a concession yields to."""
    return clause.dep_ == "advcl" and clause.tag_ == "VBN" and any(c.dep_ == "agent" for c in clause.children)


def _thing(noun: Token) -> bool:
    """A common noun for no one: 'decrees', 'the plan'."""
    return noun.tag_ in ("NN", "NNS") and not names_people(noun, target=False)


def _governing_verb(token: Token) -> Token | None:
    """The verb a noun is the object of, through prepositions: 'rolled back some of the decrees'."""
    for _ in range(4):
        if token.dep_ not in ("dobj", "pobj", "prep") or token.head.i == token.i:
            return None
        token = token.head
        if pos(token) == "VERB":
            return token
    return None


def _own_passive(carrier: Token) -> bool:
    """'He was serving a life sentence after being convicted': a passive verb without a subject of its
    own is done to the subject it borrows."""
    return pos(carrier) == "VERB" and any(c.dep_ == "auxpass" for c in carrier.children)


def _does_embedded(subject: Token, carrier: Token) -> bool:
    """'X is accused of stabbing Y', 'X was arrested after shooting Y', 'X was forced to resign': the one a
    passive is about does the active verb below it."""
    return (
        pos(carrier) == "VERB"
        and subject.head.i != carrier.i
        and carrier.dep_ in ("xcomp", "pcomp", "advcl")
        and not any(c.dep_ in ("auxpass", "nsubjpass") for c in carrier.children)
    )


def _said_and_did(verb: Token) -> Token | None:
    """'The delegation said the law was unfair and urged the government to repeal it': a verb of asking,
    accusing or threatening, with no subject of its own, that the parser joins to a reported clause whose
    subject is a thing, is the speaker's next act; the speech verb."""
    clause = verb.head
    if verb.dep_ != "conj" or pos(verb) != "VERB" or clause.dep_ != "ccomp" or _is_passive(verb):
        return None
    if any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return None  # 'said the crossing would stay closed and that police had arrested 40': the police
    if lemma(verb) not in VERBS or VERBS[lemma(verb)].plover not in _SPOKEN:
        return None  # 'said the US action was a violation and violated its commitments': the action did
    subject = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or not _thing(subject) or lemma(clause.head) not in SPEECH_VERBS:
        return None
    return clause.head


def subject_of(token: Token) -> Token | None:
    """The subject of a verb, climbing through 'decided to X', 'met ... and agreed', relative clauses, a
    statement that says it ('issued a statement condemning X') and a speech verb whose reported clause it
    is misjoined to (``_said_and_did``)."""
    said = _said_and_did(token)
    if said is not None:
        return subject_of(said)
    current = token
    joined = False
    for _ in range(6):
        for child in current.children:
            if child.dep_ in ("nsubj", "nsubjpass"):
                if joined and current.dep_ == "relcl" and child.tag_ == "WDT" and _thing(current.head):
                    break  # 'rolled back the decrees which had celebrated X and vowed to Y': not the decrees
                if current.dep_ == "relcl" and child.tag_ in ("WP", "WDT") and child.dep_ == "nsubj":
                    return current.head  # 'arrested one gentleman who refused to leave': the gentleman
                return child
        else:
            if current.dep_ == "relcl":
                return current.head
        if current.dep_ == "relcl":
            current = _governing_verb(current.head) or current
            if current.dep_ == "relcl":
                return None
            continue
        joined = joined or current.dep_ == "conj"
        if current.dep_ in ("xcomp", "conj", "advcl", "ccomp", "acomp") and current.head.i != current.i:
            current = current.head
            continue
        if pos(current) == "NOUN" and current.dep_ in ("dobj", "attr") and pos(current.head) == "VERB":
            current = current.head
            continue
        if current.dep_ == "acl" and current.tag_ == "VBG" and current.head.lower_ in _STATEMENTS:
            current = current.head  # 'wrote a letter calling for X': the letter's writer calls
            continue
        if (
            current.dep_ in ("pobj", "pcomp")
            and current.head.dep_ == "prep"
            and pos(current.head.head) == "VERB"
        ):
            if current.head.lower_ in _WHEN and any(
                c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in ("the", "this", "that"))
                for c in current.children
            ):
                return None  # 'children who fled during the bombing' did not bomb ('after fighting with' did)
            current = current.head.head
            continue
        return None
    return None
