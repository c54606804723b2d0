"""The words and the tree the coding rules read: lemmas of the lexicon's words (spaCy's lemmatizer is
not loaded), the coarse part of speech, the sentence's text, and the verb whose clause states an event."""

from __future__ import annotations

import functools
import re

from spacy.tokens import Doc, Token

from streams.stages.extract.lexicon import (
    IMPLICATIVE,
    INTENT_GOVERNORS,
    LIGHT_VERBS,
    NONFACTIVE,
    NOUNS,
    PROMISSORY,
    SPEECH_VERBS,
    VERBS,
)

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
    "leave": "left",
    "grow": "grew grown",
    "spread": "spread",
    "hit": "hit",
    "think": "thought",
    "keep": "kept",
}


def forms(lemma: str) -> set[str]:
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


def _lemma_table(verbs_only: bool = False) -> dict[str, str]:
    """Inflected form → lemma for every word the rules look at (spaCy's lemmatizer is not loaded);
    ``verbs_only``: of the verbs only, so that 'stabbing' the verb is 'stab', not the noun 'stabbing'."""
    lemmas = {word for key in (*VERBS, *(() if verbs_only else NOUNS)) for word in key.split()}
    lemmas |= SPEECH_VERBS | LIGHT_VERBS | INTENT_GOVERNORS | PROMISSORY | NONFACTIVE | IMPLICATIVE
    table: dict[str, str] = {}
    for lemma in sorted(lemmas, key=len, reverse=True):
        for form in forms(lemma):
            table.setdefault(form, lemma)
    table.update({lemma: lemma for lemma in lemmas})
    return table


#: Inflected form → lemma of every word the rules look at.
LEMMAS = _lemma_table()
#: The same for a word tagged as a verb: its verb reading first.
_VERB_LEMMAS = {**LEMMAS, **_lemma_table(verbs_only=True)}


def lemma(token: Token) -> str:
    lower = token.lower_
    return (_VERB_LEMMAS if token.tag_.startswith("VB") else LEMMAS).get(lower, lower)


def pos(token: Token) -> str:
    """Coarse part of speech from the tagger's fine tag (the attribute ruler is not loaded)."""
    return _coarse(token.tag_)


@functools.cache  # the rules ask about 200,000 times per 200 articles, for fifty tags
def _coarse(tag: str) -> str:
    if tag.startswith("VB") or tag == "MD":
        return "VERB"
    if tag in ("NN", "NNS"):
        return "NOUN"
    if tag in ("NNP", "NNPS"):
        return "PROPN"
    if tag.startswith("JJ"):
        return "ADJ"
    return "PRON" if tag in ("PRP", "WP") else tag


def sentence_text(doc: Doc) -> str:
    """The parsed sentence's text, which ``Extractor`` stores with the parse: ``Doc.text`` joins a new
    Token per word on every call, and the rules ask for it about 5,600 times per 200 articles."""
    return doc.user_data.get("text") or doc.text


def accompanying(verb: Token) -> bool:
    """A participle set off by a comma after its verb ('recalled its envoy, accusing X of Y') tells an act
    of its own that goes with the first, not what the first was about."""
    return (
        verb.dep_ == "advcl"
        and verb.tag_ == "VBG"
        and verb.head.i < verb.i
        and verb.i > 0
        and verb.doc[verb.i - 1].text == ","
    )


def clause_verb(carrier: Token) -> Token | None:
    """The verb whose clause states the event: the trigger verb itself, or the verb a noun trigger is the
    subject or object of ('no arrests were made', 'took part in talks')."""
    token = carrier
    for _ in range(4):
        if pos(token) == "VERB":
            return token
        if token.dep_ not in ("dobj", "pobj", "prep", "nsubj", "nsubjpass", "attr", "compound", "conj"):
            return None
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def verb_chain(verb: Token) -> list[Token]:
    """The verb and the verbs it continues: 'will continue to strengthen', 'will meet and discuss'."""
    chain = [verb]
    while chain[-1].dep_ in ("xcomp", "conj") and chain[-1].head.i != chain[-1].i:
        head = chain[-1].head
        if pos(head) != "VERB" or (chain[-1].dep_ == "xcomp" and lemma(head) not in IMPLICATIVE):
            break
        chain.append(head)
    return chain
