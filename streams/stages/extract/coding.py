"""Event coding: which word of a parsed sentence states an event of which PLOVER type, and how the
sentence states it (promised, demanded, denied, intended), read off the dependency tree."""

from __future__ import annotations

from collections.abc import Container

from spacy.tokens import Doc, Token

from streams.stages.extract.grammar import accompanying, clause_verb, lemma, pos, verb_chain
from streams.stages.extract.lexicon import LIGHT_VERBS, NOUNS, PROMISSORY, SPEECH_VERBS, VERBS, Trigger, words
from streams.stages.extract.modality import (
    counted,
    is_conditional,
    is_intent,
    modality,
    states_obligation,
    unreal,
)
from streams.stages.extract.senses import PEOPLE, RULES, on_trial, sense

_TEMPORAL = frozenset(words("after before since during until following upon"))
#: Words that make an event noun a medical condition: 'a cardiac arrest'.
_MEDICAL = frozenset(words("cardiac respiratory heart"))
#: Types of the legal steps taken against a crime: the crime itself is coded too.
_LEGAL = frozenset({"ACCUSE", "SANCTION", "COERCE"})
_CONFLICT = frozenset({"PROTEST", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "REJECT", "ACCUSE"})
_COOPERATIVE = frozenset({"AID", "COOPERATE", "RETREAT", "CONCEDE", "SUPPORT", "CONSULT"})
#: Measures that an announced decision takes ('will deploy troops', 'said it would impose duties'); an
#: announced curfew or arrest stays a threat of repression (docs/extract.md).
_DECIDED = frozenset({"SANCTION", "MOBILIZE"})
#: Dependents that complete a verb + word trigger: 'step down', 'filed a lawsuit', 'found guilty', 'the
#: charges were dropped'.
_OBJECTS = frozenset({"dobj", "oprd", "nsubjpass"})
_PHRASE_DEPS = _OBJECTS | {"prt", "prep", "acomp", "advmod"}


#: (trigger, the verb or noun that carries it, token span of the trigger words).
TriggerHit = tuple[Trigger, Token, tuple[int, int]]


def event_triggers(doc: Doc) -> list[TriggerHit]:
    """The triggers of a sentence, in order, without those a governing trigger already states; the crime
    a charge, a conviction or an arrest is for ('charged with stabbing X') is an event of its own, and the
    only one when no accuser is named ('is accused of stabbing X'); a relative clause describing a
    participant ('the driver who killed') is none."""
    found = [
        hit for token in doc if (hit := _trigger(token) or _demand(token) or _evaluation(token)) is not None
    ]
    found = [hit for hit in found if sense(hit[0], hit[1]) is not None]  # 'asked why' governs nothing
    inside = {i for _, carrier, span in found for i in range(min(span), max(span) + 1) if i != carrier.i}
    found = [hit for hit in found if hit[1].i not in inside]
    carriers = {carrier.i: trigger for trigger, carrier, _ in found}
    kept = []
    charging: set[int] = set()  # legal steps whose crime is coded too
    for hit in found:
        governor = _governing_trigger(hit[1], carriers)
        if governor is None or (hit[0].plover == "ASSAULT" and carriers[governor].plover in _LEGAL):
            kept.append(hit)
            if governor is not None:
                charging.add(governor)
    if len(kept) > 1:
        kept = [hit for hit in kept if not _describes(hit[1], kept)]
    if len(kept) > 1:
        kept = [hit for hit in kept if not _continues(hit, kept) and not _elaborates(hit, kept)]
    return [hit for hit in kept if not (hit[1].i in charging and _only_alleges(hit[1]))]


def _continues(hit: TriggerHit, hits: list[TriggerHit]) -> bool:
    """'officers shot and killed a 16-year-old': verbs of one type joined in one clause tell one
    occurrence, unless each acts on its own ('killed two and wounded five')."""
    trigger, carrier, _ = hit
    if carrier.dep_ != "conj" or pos(carrier) != "VERB":
        return False
    head = carrier.head
    if not any(other.i == head.i and t.plover == trigger.plover for t, other, _ in hits):
        return False
    own = [c for c in carrier.children if c.dep_ in ("dobj", "nsubjpass")]
    theirs = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")]
    return not (own and theirs)


def _describes(carrier: Token, hits: list[TriggerHit]) -> bool:
    """'arrested the driver who killed a woman', 'injured a man who was visiting an inmate': a relative
    clause that says who a participant of the sentence's event is tells no event of its own; one of the
    same type retells it ('was accused by Jane Roe, who filed a complaint')."""
    head = carrier.head
    if carrier.dep_ != "relcl":
        return False
    person = head.tag_ in ("NN", "NNS") and head.lower_ in PEOPLE
    plover = next(t.plover for t, c, _ in hits if c.i == carrier.i)
    clause = {t.i for t in carrier.subtree}
    return any(
        other.i not in clause and head in other.subtree and (person or t.plover == plover)
        for t, other, _ in hits
    )


def _elaborates(hit: TriggerHit, hits: list[TriggerHit]) -> bool:
    """'settled the suit, with the firm paying and agreeing to stay out', 'shot him, killing him': a
    participle under a verb of the same type tells how that one occurrence went ('after' keeps two)."""
    trigger, carrier, _ = hit
    if carrier.tag_ != "VBG" or carrier.dep_ not in ("advcl", "conj", "pcomp"):
        return False
    head = carrier
    for _ in range(4):
        if head.dep_ not in ("advcl", "conj", "pcomp", "prep", "pobj") or head.head.i == head.i:
            return False
        head = head.head
        if head.dep_ == "prep" and head.lower_ in _TEMPORAL:
            return False
        if any(other.i == head.i and t.plover == trigger.plover for t, other, _ in hits):
            return True
    return False


def _only_alleges(carrier: Token) -> bool:
    """'X is accused of stabbing Y' with no one named as accusing: the article tells the stabbing as an
    allegation (coded, ``claimed``), not an accusation someone made."""
    return (
        lemma(carrier) == "accuse"
        and carrier.tag_ == "VBN"
        and any(c.dep_ == "auxpass" for c in carrier.children)
        and not any(c.dep_ == "agent" for c in carrier.children)
    )


def code_event_type(trigger: Trigger, carrier: Token) -> Trigger | None:
    """The event the sentence states with ``trigger``, given how: a promise of conflict is a threat, a
    reported 'must' a demand, a denied cooperation a rejection, an announced intention (with a condition)
    a threat or an agreement. None when the sentence does not state that it happened (``unreal``)."""
    sensed = sense(trigger, carrier)
    if sensed is None:
        return None
    if lemma(carrier) in ("violate", "breach") and modality(carrier) == "claimed":
        return None  # 'the suit claims that the company violated the agreement': what the claim says
    plover, cameo, mode = sensed.plover, sensed.cameo, sensed.mode
    promised = next((hit for c in carrier.children if _promised(c) and (hit := _trigger(c))), None)
    verb = clause_verb(carrier)
    why_unreal = unreal(carrier)
    if lemma(carrier) in PROMISSORY and promised is not None:
        plover = promised[0].plover
        plover, cameo, mode = ("THREATEN", "13", None) if plover in _CONFLICT else ("AGREE", "03", None)
    elif why_unreal in ("question", "nonfactive", "content") or (
        why_unreal == "future" and pos(carrier) == "NOUN"
    ):
        return None  # an event noun under 'will' and a preposition is a plan ('will continue with the tour')
    elif states_obligation(carrier) and lemma(carrier.head) in SPEECH_VERBS:
        plover, cameo, mode = "REQUEST", "10", "demand"
    elif verb is not None and any(c.dep_ == "neg" for v in verb_chain(verb) for c in v.children):
        if plover not in ("AGREE", "SUPPORT", "COOPERATE", "CONCEDE") or _not_yet(verb):
            return None
        plover, cameo, mode = "REJECT", "12", None
    elif is_intent(carrier) and is_conditional(carrier):
        plover, cameo, mode = "THREATEN", "13", None
    elif is_intent(carrier):
        if plover in _DECIDED and _decided(carrier):
            pass  # 'will deploy 5,000 soldiers, the ministry said': an announced decision, not a threat
        elif plover in _CONFLICT:
            plover, cameo, mode = "THREATEN", "13", None
        elif plover in _COOPERATIVE:
            plover, cameo, mode = "AGREE", "03", None
    elif why_unreal is not None:
        return None
    return Trigger(plover, cameo, mode)


def _decided(carrier: Token) -> bool:
    """A measure stated as what will be done ('will deploy troops, the ministry said', 'said it would
    impose duties', 'decided to expel'), not one someone is ready or vows to take."""
    verb = carrier.head if pos(carrier) == "NOUN" and pos(carrier.head) == "VERB" else carrier
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in verb.children):
        return True
    return verb.dep_ == "xcomp" and lemma(verb.head) == "decide"


def _promised(clause: Token) -> bool:
    """What a promissory verb promises: its complement, or an infinitive the parser hung on it as an
    adjunct ('vowed on Friday to fight the U.S.': one does not vow in order to fight)."""
    return clause.dep_ == "xcomp" or (
        clause.dep_ == "advcl" and clause.tag_ == "VB" and any(c.lower_ == "to" for c in clause.children)
    )


def _not_yet(verb: Token) -> bool:
    """'prosecutors have not signed off on the facility': a present perfect denied says it has not
    happened yet, not that anyone refused."""
    return verb.tag_ == "VBN" and any(
        c.dep_ == "aux" and c.lower_ in ("have", "has", "'ve") for c in verb.children
    )


def _trigger(token: Token) -> TriggerHit | None:
    """(trigger, the verb or noun that carries it, token span of the trigger words) or None."""
    token_lemma, token_pos = lemma(token), pos(token)  # asked of every token of every parsed sentence
    if token_pos == "VERB" and token.dep_ == "pobj":
        return None  # 'languish in Azerbaijani jails': a noun the tagger read as a verb
    if token_pos == "VERB":
        for child in token.children:
            word = child.lower_ if child.dep_ in ("prt", "prep", "advmod") else lemma(child)
            adjacent = child.dep_ in _OBJECTS or child.i == token.i + 1
            if child.dep_ in _PHRASE_DEPS and adjacent and f"{token_lemma} {word}" in VERBS:
                return VERBS[f"{token_lemma} {word}"], token, (token.i, child.i)
            for obj in child.children if child.dep_ == "prep" else ():
                if obj.dep_ == "pobj" and f"{token_lemma} {word} {lemma(obj)}" in VERBS:
                    return VERBS[f"{token_lemma} {word} {lemma(obj)}"], token, (token.i, obj.i)
        if token_lemma in LIGHT_VERBS:
            for child in token.children:
                if child.dep_ not in ("dobj", "attr"):
                    continue
                if counted(child, numbered=token_lemma == "have"):
                    continue  # 'has two prior convictions': a count, not an occurrence
                if (
                    token_lemma == "have"
                    and child.tag_ == "NNS"
                    and not any(c.dep_ in ("det", "poss", "nummod") for c in child.children)
                ):
                    continue  # 'Italy and Spain have had protests of their own': a kind, not one
                if any(c.lower_ in _MEDICAL for c in child.children if c.dep_ in ("amod", "compound")):
                    continue
                for noun in (child, *(c for c in child.children if c.dep_ == "compound")):
                    if lemma(noun) == "trial" and not on_trial(noun):
                        continue  # 'offering free trials'
                    if lemma(noun) in NOUNS and not _hyphenated_name(noun):
                        return NOUNS[lemma(noun)], token, (token.i, child.i)
        if token_lemma in VERBS:
            return VERBS[token_lemma], token, (token.i, token.i)
        return None
    if token_pos == "NOUN" and token_lemma in NOUNS:
        if _hyphenated_name(token):
            return None  # 'a Band-Aid'
        if token.dep_ in ("dobj", "attr", "compound") and lemma(token.head) in LIGHT_VERBS:
            return None
        if token.dep_ == "compound" and lemma(token.head.head) in LIGHT_VERBS:
            return None
        return NOUNS[token_lemma], token, (token.i, token.i)
    return None


def _hyphenated_name(token: Token) -> bool:
    """A capitalised word hyphenated to a capitalised word before it is part of a name ('Band-Aid',
    'Rolls-Royce'), not the event noun it looks like."""
    if token.i < 2 or not token.text[:1].isupper():
        return False
    hyphen, before = token.doc[token.i - 1], token.doc[token.i - 2]
    return (
        hyphen.text == "-" and not hyphen.whitespace_ and not before.whitespace_ and before.text[:1].isupper()
    )


def _governing_trigger(carrier: Token, carriers: Container[int]) -> int | None:
    """'threatened to cut', 'agreed to withdraw', 'blocked lawyers from visiting': the governing verb
    that states the event, if any."""
    if accompanying(carrier):
        return None  # 'recalled its ambassador, accusing Uganda of arming rebels': a second act
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
        "pcomp",
        "conj",
    ):
        if head.head.i == head.i or (head.dep_ == "pcomp" and head.head.lower_ in _TEMPORAL):
            return None  # 'remanded after being charged': two events in sequence
        if head.dep_ == "conj" and pos(head) != "NOUN" and not _joined_complement(head):
            return None  # verbs joined are their own events; a noun joined to an object is that object
        head = head.head
        if head.i in carriers:
            return head.i
        if lemma(head) in SPEECH_VERBS:
            return None
    return None


def _joined_complement(verb: Token) -> bool:
    """'asked Israel to withdraw and to halt air strikes': an infinitive joined to a complement is a
    complement of the same verb, which states it ('officers shot and killed' are two verbs of their own)."""
    return (
        verb.tag_ == "VB"
        and verb.head.tag_ == "VB"
        and (
            verb.head.dep_ in ("xcomp", "ccomp")
            or (
                verb.head.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
            )
        )
    )


def _demand(token: Token) -> TriggerHit | None:
    """'Eve said Wang should be released', 'X insisted Libya must hand over the suspects': what someone says
    another must do is a demand, whatever the verb."""
    if (
        pos(token) != "VERB"
        or token.dep_ not in ("ccomp", "parataxis")
        or lemma(token.head) not in SPEECH_VERBS
    ):
        return None
    modal = next((c for c in token.children if c.dep_ == "aux" and c.lower_ in ("must", "should")), None)
    if modal is None or any(c.dep_ == "nsubj" and lemma(c) in RULES for c in token.head.children):
        return None  # 'the EU mantra states that Europeans should learn two languages' is a rule
    return Trigger("REQUEST", "10", "demand"), token, (modal.i, token.i)


#: Words that judge what they are said of: calling a move 'unjustified' is criticism (ACCUSE), calling a
#: proposal 'an appropriate response' is support.
BAD = frozenset(
    words(
        "unjustified unjust unfair illegal unlawful illegitimate sham farce lie lies ridiculous absurd "
        "outrageous irresponsible reckless disgraceful shameful unacceptable dumb dumbest stupid "
        "incompetent hypocritical insincere bogus disastrous misguided provocative appalling deplorable "
        "scandalous cowardly arrogant counterproductive baseless groundless unfounded false untrue fake"
    )
)
GOOD = frozenset(
    words(
        "appropriate courageous brave historic excellent great wonderful amazing commendable heroic "
        "constructive positive impressive admirable sympathetic thankful grateful supportive"
    )
)
#: Judged false, a claim is rejected: 'objections were "baseless"'.
_UNTRUE = frozenset(words("baseless groundless unfounded false untrue fake bogus"))
_CLAIMS = frozenset(
    words(
        "objection objections accusation accusations claim claims allegation allegations charge charges "
        "report reports"
    )
)
_NAMING = frozenset(words("call describe label brand term dub"))


def _evaluation(token: Token) -> TriggerHit | None:
    """'called China's move "unjustified"', 'said the vote was a sham': a judgement someone states is
    criticism (ACCUSE) or support (SUPPORT), or a rejection when it calls a claim false."""
    if token.dep_ not in ("appos", "oprd", "attr", "acomp"):
        return None  # most tokens: asked of every token of every parsed sentence
    verb = token.head
    if token.dep_ == "appos" and token.head.dep_ == "dobj":
        verb = token.head.head  # 'called the plan "the dumbest possible way"', read as an apposition
    elif token.dep_ == "appos":
        return None
    if pos(verb) != "VERB" or (token.dep_ == "appos" and lemma(verb) not in _NAMING):
        return None
    naming = lemma(verb) in _NAMING
    if not naming and not (
        verb.lower_ in _COPULA and verb.dep_ == "ccomp" and lemma(verb.head) in SPEECH_VERBS
    ):
        return None
    judged = {token.lower_} | {t.lower_ for t in token.subtree if t.dep_ in ("amod", "advmod")}
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "dobj")]
    if judged & _UNTRUE and any(s.lower_ in _CLAIMS for s in subjects):
        return Trigger("REJECT", "12"), verb, (verb.i, token.i)
    if judged & BAD:
        return Trigger("ACCUSE", "11", "evaluate"), verb, (verb.i, token.i)
    if judged & GOOD:
        return Trigger("SUPPORT", "05", "evaluate"), verb, (verb.i, token.i)
    return None


_COPULA = frozenset(words("is are was were 's"))
