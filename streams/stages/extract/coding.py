"""Event coding: which word of a parsed sentence states an event of which PLOVER type, and how the
sentence states it (promised, demanded, denied, intended), read off the dependency tree."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from streams.stages.extract.lexicon import LIGHT_VERBS, NOUNS, SPEECH_VERBS, VERBS, Trigger, words

_INTENT_GOVERNORS = frozenset(
    words("plan intend prepare prepared ready willing vow swear pledge decide promise")
)
#: Verbs whose object clause says what is promised: 'vowed to fight' is a threat, 'offered to talk' an offer.
_PROMISSORY = frozenset(words("vow swear pledge promise plan intend offer prepare"))
_CONFLICT = frozenset({"PROTEST", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "REJECT", "ACCUSE"})
_COOPERATIVE = frozenset({"AID", "COOPERATE", "RETREAT", "CONCEDE", "SUPPORT", "CONSULT"})
#: Dependents that complete a verb + word trigger: 'step down', 'filed a lawsuit', 'found guilty', 'the
#: charges were dropped'.
_OBJECTS = frozenset({"dobj", "oprd", "nsubjpass"})
_PHRASE_DEPS = _OBJECTS | {"prt", "prep", "acomp"}
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
    "find": "found",
    "take": "took taken",
    "rise": "rose risen",
    "slay": "slew slain",
    "beat": "beaten",
    "set": "set",
    "stick": "stuck",
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
    """Inflected form → lemma for every word the rules look at (spaCy's lemmatizer is not loaded)."""
    lemmas = {word for key in (*VERBS, *NOUNS) for word in key.split()}
    lemmas |= SPEECH_VERBS | LIGHT_VERBS | _INTENT_GOVERNORS | _PROMISSORY
    table: dict[str, str] = {}
    for lemma in sorted(lemmas, key=len, reverse=True):
        for form in _forms(lemma):
            table.setdefault(form, lemma)
    table.update({lemma: lemma for lemma in lemmas})
    return table


#: Inflected form → lemma of every word the rules look at.
LEMMAS = _lemma_table()


def lemma(token: Token) -> str:
    return LEMMAS.get(token.lower_, token.lower_)


def pos(token: Token) -> str:
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


#: (trigger, the verb or noun that carries it, token span of the trigger words).
TriggerHit = tuple[Trigger, Token, tuple[int, int]]


def event_triggers(doc: Doc) -> list[TriggerHit]:
    """The triggers of a sentence, in order, without those a governing trigger already states."""
    found = [hit for token in doc if (hit := _trigger(token)) is not None]
    carriers = {carrier.i for _, carrier, _ in found}
    return [hit for hit in found if not _governed_by_trigger(hit[1], carriers)]


def code_event_type(trigger: Trigger, carrier: Token) -> Trigger | None:
    """The event the sentence states with ``trigger``, given how: a promise of conflict is a threat, a
    reported 'must' a demand, a denied cooperation a rejection, an intention (with a condition) a threat
    or an agreement. None for a denied event that is not a rejection."""
    plover, cameo, mode = trigger.plover, trigger.cameo, trigger.mode
    promised = next((hit for c in carrier.children if c.dep_ == "xcomp" and (hit := _trigger(c))), None)
    if lemma(carrier) in _PROMISSORY and promised is not None:
        plover = promised[0].plover
        plover, cameo, mode = ("THREATEN", "13", None) if plover in _CONFLICT else ("AGREE", "03", None)
    elif states_obligation(carrier) and lemma(carrier.head) in SPEECH_VERBS:
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
    return Trigger(plover, cameo, mode)


def _trigger(token: Token) -> TriggerHit | None:
    """(trigger, the verb or noun that carries it, token span of the trigger words) or None."""
    token_lemma = lemma(token)
    if pos(token) == "VERB":
        for child in token.children:
            word = child.lower_ if child.dep_ in ("prt", "prep") else lemma(child)
            adjacent = child.dep_ in _OBJECTS or child.i == token.i + 1
            if child.dep_ in _PHRASE_DEPS and adjacent and f"{token_lemma} {word}" in VERBS:
                return VERBS[f"{token_lemma} {word}"], token, (token.i, child.i)
        if token_lemma in LIGHT_VERBS:
            for child in token.children:
                if child.dep_ not in ("dobj", "attr"):
                    continue
                for noun in (child, *(c for c in child.children if c.dep_ == "compound")):
                    if lemma(noun) in NOUNS:
                        return NOUNS[lemma(noun)], token, (token.i, child.i)
        if token_lemma in VERBS:
            return VERBS[token_lemma], token, (token.i, token.i)
        return None
    if pos(token) == "NOUN" and token_lemma in NOUNS:
        if token.dep_ in ("dobj", "attr", "compound") and lemma(token.head) in LIGHT_VERBS:
            return None
        if token.dep_ == "compound" and lemma(token.head.head) in LIGHT_VERBS:
            return None
        return NOUNS[token_lemma], token, (token.i, token.i)
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
        if lemma(head) in SPEECH_VERBS:
            return False
    return False


def _is_intent(carrier: Token) -> bool:
    """'would boycott', 'is ready to contribute': a stated intention, not a deed."""
    verb = carrier.head if pos(carrier) == "NOUN" and pos(carrier.head) == "VERB" else carrier
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in verb.children):
        return True
    return verb.dep_ in ("xcomp", "acomp") and lemma(verb.head) in _INTENT_GOVERNORS


def _is_conditional(carrier: Token) -> bool:
    """'will withdraw unless ...': an intention with a condition is a threat."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children)
        for c in carrier.children
    )


def states_obligation(carrier: Token) -> bool:
    """'X said Y must Z': X asks Y to do Z, whatever Z is."""
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in carrier.children)
