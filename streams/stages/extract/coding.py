"""Event coding: which word of a parsed sentence states an event of which PLOVER type, and how the
sentence states it (promised, demanded, denied, intended), read off the dependency tree."""

from __future__ import annotations

import re
from collections.abc import Container

from spacy.tokens import Doc, Token

from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.lexicon import LIGHT_VERBS, NOUNS, SPEECH_VERBS, VERBS, Trigger, words

_INTENT_GOVERNORS = frozenset(
    words("plan intend prepare prepared ready willing vow swear pledge decide promise")
)
#: Verbs whose object clause says what is promised: 'vowed to fight' is a threat, 'offered to talk' an offer.
_PROMISSORY = frozenset(words("vow swear pledge promise plan intend offer prepare"))
#: Verbs whose infinitive complement has not happened: 'hopes to meet', 'failed to negotiate', 'is
#: considering whether to file', 'would like to announce', 'is set to sign' (an intention someone states,
#: 'plans to impose', is a threat or an agreement: ``_INTENT_GOVERNORS``).
_NONFACTIVE = frozenset(
    words(
        "expect hope want wish like love aim seek consider fail set schedule due likely need seem appear "
        "going about able unable eager keen"
    )
)
#: Verbs whose infinitive complement did happen: 'continued to strengthen', 'prompted them to withdraw',
#: and verbs of going somewhere for a purpose: 'turned out to support', 'left for Washington to meet'.
_IMPLICATIVE = frozenset(
    words(
        "manage prompt force compel lead cause begin start continue move vote go come get help choose opt "
        "proceed rush hurry dare remember make use order urge ask allow permit push press attempt try turn "
        "gather assemble leave travel arrive fly head return appear"
    )
)
#: Adverbs of a habit or a long state, not of one occurrence: 'has long accused', 'police often detain'.
_HABITUAL = frozenset(
    words("often usually always frequently typically generally long sometimes rarely seldom normally")
)
#: Modals that make the clause a possibility, not a deed: 'could face', 'may have violated'.
_POSSIBILITY = frozenset(words("could might may can cannot ca"))
_FUTURE = frozenset(words("will would 'll shall wo 'd"))
#: Quantifiers that make a plural event noun a count, not an occurrence: 'four prior arrests'.
_AGGREGATE = frozenset(words("several many numerous dozens hundreds thousands various countless"))
_TEMPORAL = frozenset(words("after before since during until following upon"))
#: Types of the legal steps taken against a crime: the crime itself is coded too.
_LEGAL = frozenset({"ACCUSE", "SANCTION", "COERCE"})
_CONFLICT = frozenset({"PROTEST", "SANCTION", "COERCE", "ASSAULT", "MOBILIZE", "REJECT", "ACCUSE"})
_COOPERATIVE = frozenset({"AID", "COOPERATE", "RETREAT", "CONCEDE", "SUPPORT", "CONSULT"})
#: Dependents that complete a verb + word trigger: 'step down', 'filed a lawsuit', 'found guilty', 'the
#: charges were dropped'.
_OBJECTS = frozenset({"dobj", "oprd", "nsubjpass"})
_PHRASE_DEPS = _OBJECTS | {"prt", "prep", "acomp", "advmod"}
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


def _lemma_table(verbs_only: bool = False) -> dict[str, str]:
    """Inflected form → lemma for every word the rules look at (spaCy's lemmatizer is not loaded);
    ``verbs_only``: of the verbs only, so that 'stabbing' the verb is 'stab', not the noun 'stabbing'."""
    lemmas = {word for key in (*VERBS, *(() if verbs_only else NOUNS)) for word in key.split()}
    lemmas |= SPEECH_VERBS | LIGHT_VERBS | _INTENT_GOVERNORS | _PROMISSORY | _NONFACTIVE | _IMPLICATIVE
    table: dict[str, str] = {}
    for lemma in sorted(lemmas, key=len, reverse=True):
        for form in _forms(lemma):
            table.setdefault(form, lemma)
    table.update({lemma: lemma for lemma in lemmas})
    return table


#: Inflected form → lemma of every word the rules look at.
LEMMAS = _lemma_table()
_VERB_LEMMAS = _lemma_table(verbs_only=True)


def lemma(token: Token) -> str:
    if token.tag_.startswith("VB"):
        return _VERB_LEMMAS.get(token.lower_) or LEMMAS.get(token.lower_, token.lower_)
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
    """The triggers of a sentence, in order, without those a governing trigger already states; the crime
    a charge, a conviction or an arrest is for ('accused of stabbing X') is an event of its own."""
    found = [
        hit for token in doc if (hit := _trigger(token) or _demand(token) or _evaluation(token)) is not None
    ]
    found = [hit for hit in found if sense(hit[0], hit[1]) is not None]  # 'asked why' governs nothing
    inside = {i for _, carrier, span in found for i in range(min(span), max(span) + 1) if i != carrier.i}
    found = [hit for hit in found if hit[1].i not in inside]
    carriers = {carrier.i: trigger for trigger, carrier, _ in found}
    kept = []
    for hit in found:
        governor = _governing_trigger(hit[1], carriers)
        if governor is None or (hit[0].plover == "ASSAULT" and carriers[governor].plover in _LEGAL):
            kept.append(hit)
    return kept


#: People, by the common nouns news prose names them with: a release, a firing or a reception is of them.
PEOPLE = frozenset(
    words(
        "man men woman women boy boys girl girls child children people person persons prisoner prisoners "
        "detainee detainees hostage hostages captive captives suspect suspects journalist journalists "
        "activist activists soldier soldiers sailor sailors fisherman fishermen crew passenger passengers "
        "national nationals citizen citizens worker workers inmate inmates protester protesters "
        "demonstrator demonstrators leader leaders official officials minister ministers president "
        "delegation envoy envoys ambassador diplomat diplomats coach manager employee employees staff "
        "director chief executive ceo player players driver teen teenager student students opponent "
        "opponents dissident dissidents lawyer lawyers reporter reporters guard guards officer officers "
        "police rebel rebels militant militants member members victim victims family agency organisation "
        "organization group party company firm team mission observers"
    )
)
#: What aid is made of: 'supplied weapons', 'delivered food', 'provided assistance', 'contributed troops'.
_AID_THINGS = frozenset(
    words(
        "aid assistance help relief food supplies medicine medicines medical water shelter weapons arms "
        "ammunition equipment funds funding money loan loans grant grants troops soldiers peacekeepers "
        "asylum refuge vaccines tents blankets fuel humanitarian support protection training credit "
        "loans reconstruction rescue intelligence military goods"
    )
)
#: What sharing is cooperation about: 'shared intelligence with'.
_SHARED_THINGS = frozenset(words("intelligence information data technology expertise evidence know-how"))
#: What a sanction cuts, suspends or cancels besides people and events: 'cut ties', 'suspended aid'.
_SANCTIONED_THINGS = _AID_THINGS | frozenset(
    words(
        "ties relations cooperation contacts trade exports imports shipments flights program programme "
        "membership payments deliveries contract contracts investment investments operations license "
        "licence visas visa accreditation"
    )
)
#: Places one visits without consulting anyone: 'visited a hospital'.
_FACILITIES = frozenset(
    words(
        "hospital hospitals office offices school schools church museum site scene home house shop store "
        "restaurant factory plant clinic park zoo exhibition booth website memorial grave cemetery embassy "
        "prison jail camp farm mall"
    )
)
#: Subjects that act without being actors: 'the earthquake struck', 'shares closed', 'prices fell'.
_NON_AGENTS = frozenset(
    words(
        "earthquake quake storm hurricane typhoon cyclone tornado flood floods tsunami blaze wildfire fire "
        "landslide avalanche lightning virus disease outbreak drought shares stocks stock market markets "
        "price prices index dollar currency economy"
    )
)
#: Authorities: what they block, they ban ('police blocked the road' is COERCE, not a protest).
_AUTHORITIES = frozenset(
    words(
        "police authorities authority government court judge officials regulators ministry censors army "
        "troops soldiers military administration state"
    )
)
_WEAPON_THINGS = frozenset(
    words("shot shots round rounds bullet bullets missile missiles rocket rockets shell shells gas salvo gun")
)
#: 'a new iPhone', 'its latest model': what is new is a product, not a person.
_NEW = frozenset(words("new latest upcoming updated"))
_MONEY = frozenset(words("money cash funds pension savings deposit deposits"))
_RELEASED_THINGS = frozenset(
    words(
        "version update patch software feature device model album film product edition lineup statement "
        "report data figures results details video app game phone computer laptop system record single "
        "trailer book information"
    )
)


def _objects(verb: Token) -> list[Token]:
    """What a verb acts on: its direct objects, or its subject when passive ('was released', 'got fired')."""
    found = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
    if not found and verb.tag_ == "VBN" and lemma(verb.head) == "get" and verb.dep_ in ("xcomp", "auxpass"):
        found = [c for c in verb.head.children if c.dep_ == "nsubj"]
    if not found and verb.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in verb.children):
        found = [c for c in verb.children if c.dep_ == "nsubj"]
    if (
        not found
        and verb.tag_ == "VBN"
        and verb.dep_ == "conj"
        and not any(c.dep_ == "nsubj" for c in verb.children)
    ):
        found = [c for c in verb.head.children if c.dep_ == "nsubjpass"]  # 'was booked and later released'
    return found


def _agent_subject(verb: Token) -> Token | None:
    """The active subject ('the quake, which injured dozens' → quake)."""
    for v in _verb_chain(verb):
        subject = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subject is not None:
            if subject.lower_ in ("which", "that", "who") and v.dep_ == "relcl":
                return v.head
            return subject
    return None


def is_person(token: Token) -> bool:
    """A pronoun for someone, a word for people, or a name that is not a numbered product: a participant
    the sentence names, even when it does not name it well enough to be an actor ('he', 'the driver')."""
    if token.tag_ == "PRP":
        return token.lower_ not in ("it", "itself")
    if token.lower_ in PEOPLE or lemma(token) in PEOPLE:
        return True
    if token.tag_ in ("NNP", "NNPS"):
        return not any(t.tag_ == "CD" or t.lower_ in _RELEASED_THINGS | _NEW for t in token.subtree)
    return False


def _asks_for(child: Token) -> bool:
    """What a request asks for: 'asked him to leave', 'pressed for talks', 'asked that X be freed',
    'pushing for the US to support', 'asked help'."""
    if child.dep_ == "xcomp" or (child.dep_ == "prep" and child.lower_ == "for"):
        return True
    if child.dep_ in ("advcl", "ccomp"):
        return any(m.dep_ == "mark" and m.lower_ in ("for", "that") for m in child.children)
    return child.dep_ == "dobj" and child.tag_ == "NN"


def _is_time(prep: Token) -> bool:
    """'on Saturday', 'at 9 a.m.': a preposition of time, not of a participant."""
    return any(o.lower_ in TIME_WORDS or o.tag_ == "CD" for o in prep.children if o.dep_ == "pobj")


def _names_any(tokens: list[Token], things: frozenset[str]) -> bool:
    """One of the words heads or modifies an object: 'food aid', 'intelligence', 'humanitarian supplies'."""
    return any(
        t.lower_ in things or lemma(t) in things
        for o in tokens
        for t in (o, *(c for c in o.children if c.dep_ in ("compound", "amod", "conj")), *_of_objects(o))
    )


def _of_objects(token: Token) -> list[Token]:
    """'tons of food aid', 'part of a military aid program': what the measure word is of."""
    return [
        o
        for p in token.children
        if p.dep_ == "prep" and p.lower_ == "of"
        for o in p.children
        if o.dep_ == "pobj"
    ]


def sense(trigger: Trigger, carrier: Token) -> Trigger | None:
    """The trigger in the sense its arguments give it, or None when they show another sense: a product
    released is no concession, shares rallying no protest, a coach fired no shooting."""
    if pos(carrier) != "VERB" or VERBS.get(lemma(carrier)) != trigger:
        return trigger
    word = lemma(carrier)
    subject = _agent_subject(carrier)
    if subject is not None and (subject.lower_ in _NON_AGENTS or lemma(subject) in _NON_AGENTS):
        return None
    objects = _objects(carrier)
    preps = {c.lower_ for c in carrier.children if c.dep_ == "prep" and not _is_time(c)}
    if word == "fire":
        if any(is_person(o) for o in objects) and not preps & {"at", "on", "upon"}:
            return Trigger("SANCTION", "16")
        if objects and not _names_any(objects, _WEAPON_THINGS):
            return None
        return trigger
    if trigger.plover == "PROTEST" and word in ("demonstrate", "rally", "march", "strike", "picket"):
        return None if any(c.dep_ == "dobj" for c in carrier.children) else trigger
    if (
        word == "block"
        and subject is not None
        and (subject.lower_ in _AUTHORITIES or lemma(subject) in _AUTHORITIES)
    ):
        return Trigger("COERCE", "17", "ban")
    if word in ("provide", "supply", "deliver", "grant", "contribute", "offer"):
        recipients = [
            o for p in carrier.children if p.dep_ == "prep" and p.lower_ == "to" for o in p.children
        ]
        if any(c.dep_ == "xcomp" for c in carrier.children) or any(is_person(o) for o in recipients):
            return trigger
        return (
            trigger if _names_any(objects, _AID_THINGS) or any(lemma(o) in NOUNS for o in objects) else None
        )
    if word == "share":
        return trigger if _names_any(objects, _SHARED_THINGS) else None
    if word in ("release", "free", "swap"):
        on_bail = "on" in preps and "bail" in {t.lower_ for t in carrier.subtree}
        return trigger if on_bail or any(is_person(o) for o in objects) else None
    if word == "receive":
        return trigger if any(is_person(o) for o in objects) else None
    if word == "visit":
        return None if _names_any(objects, _FACILITIES) else trigger
    if trigger.plover == "SANCTION" and word in (
        "cut",
        "reduce",
        "halt",
        "suspend",
        "cancel",
        "postpone",
        "terminate",
        "scrap",
        "freeze",
        "curtail",
    ):
        if any(is_person(o) or lemma(o) in NOUNS for o in objects) or _names_any(objects, _SANCTIONED_THINGS):
            return trigger
        return None
    if word == "dismiss" and any(is_person(o) for o in objects):
        return Trigger("SANCTION", "16")  # 'dismissed the coach'; 'dismissed the accusations' is a rejection
    if word == "seek" and any(c.dep_ == "xcomp" for c in carrier.children):
        return None
    if word in ("ask", "push", "press") and not any(_asks_for(c) for c in carrier.children):
        return None  # 'asked why...', '"...?" he asked', 'pushed back': no request
    if word == "force":
        real = any(c.dep_ in ("xcomp", "ccomp", "prt", "oprd") or c.lower_ == "out" for c in carrier.children)
        return trigger if real or any(is_person(o) for o in objects) else None
    if word == "withdraw" and (_names_any(objects, _MONEY) or any(o.tag_ in ("CD", "$") for o in objects)):
        return None
    if trigger.plover == "ASSAULT" and any(o.lower_ in ("percent", "%") for o in objects):
        return None
    return trigger


def code_event_type(trigger: Trigger, carrier: Token) -> Trigger | None:
    """The event the sentence states with ``trigger``, given how: a promise of conflict is a threat, a
    reported 'must' a demand, a denied cooperation a rejection, an announced intention (with a condition)
    a threat or an agreement. None when the sentence does not state that it happened (``unreal``)."""
    sensed = sense(trigger, carrier)
    if sensed is None:
        return None
    plover, cameo, mode = sensed.plover, sensed.cameo, sensed.mode
    promised = next((hit for c in carrier.children if c.dep_ == "xcomp" and (hit := _trigger(c))), None)
    verb = clause_verb(carrier)
    if lemma(carrier) in _PROMISSORY and promised is not None:
        plover = promised[0].plover
        plover, cameo, mode = ("THREATEN", "13", None) if plover in _CONFLICT else ("AGREE", "03", None)
    elif unreal(carrier) in ("question", "nonfactive"):
        return None
    elif states_obligation(carrier) and lemma(carrier.head) in SPEECH_VERBS:
        plover, cameo, mode = "REQUEST", "10", "demand"
    elif verb is not None and any(c.dep_ == "neg" for v in _verb_chain(verb) for c in v.children):
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
    elif unreal(carrier) is not None:
        return None
    return Trigger(plover, cameo, mode)


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


def _verb_chain(verb: Token) -> list[Token]:
    """The verb and the verbs it continues: 'will continue to strengthen', 'will meet and discuss'."""
    chain = [verb]
    while chain[-1].dep_ in ("xcomp", "conj") and chain[-1].head.i != chain[-1].i:
        head = chain[-1].head
        if pos(head) != "VERB" or (chain[-1].dep_ == "xcomp" and lemma(head) not in _IMPLICATIVE):
            break
        chain.append(head)
    return chain


def unreal(carrier: Token) -> str | None:
    """Why the sentence does not tell the event as one that happened, or None when it does: a question,
    a condition ('if', 'whether'), a possibility ('could'), a future without anyone announcing it ('the
    price will be cut'), an infinitive that has not happened ('hopes to meet', 'travelled there to
    discuss'), a habit ('has long accused'), a denied or counted noun ('no arrests', 'several
    proposals')."""
    doc = carrier.doc
    if doc.text.rstrip().rstrip("”\"’')").endswith("?"):
        return "question"
    verb = clause_verb(carrier)
    if pos(carrier) == "NOUN":
        determiners = {c.lower_ for c in carrier.children if c.dep_ in ("det", "amod", "nummod")}
        if "no" in determiners:
            return "negated"
        if carrier.tag_ == "NNS" and determiners & _AGGREGATE:
            return "aggregate"
    if verb is None:
        return None
    chain = _verb_chain(verb)
    auxiliaries = {c.lower_ for v in chain for c in v.children if c.dep_ == "aux"}
    last = chain[-1]
    governor = lemma(last.head)
    if last.dep_ in ("xcomp", "ccomp", "acl") and governor in _NONFACTIVE:
        return "nonfactive"
    if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for v in chain for c in v.children):
        return "conditional"
    if auxiliaries & _POSSIBILITY:
        return "possible"
    if auxiliaries & {"should", "must", "ought"} and not _announced(last):
        return "obligation"
    if auxiliaries & _FUTURE and not _announced(last):
        return "future"
    infinitive = "to" in auxiliaries and last.tag_ == "VB" and last.dep_ in ("advcl", "xcomp", "acl", "relcl")
    if infinitive and governor not in _IMPLICATIVE | _INTENT_GOVERNORS | _PROMISSORY:
        return "purpose"
    if any(c.dep_ in ("advmod", "npadvmod") and c.lower_ in _HABITUAL for v in chain for c in v.children):
        return "habitual"
    return None


#: Verbs that make what they govern someone's claim, not a reported fact: 'prosecutors allege X shot Y'.
_CLAIMING = frozenset(words("allege claim accuse contend suspect charge"))
#: Words that mark an event as recounted from before the news: 'last year', 'his previous arrest'.
_EARLIER = frozenset(words("previous previously prior earlier former ago formerly since before"))
_EARLIER_PHRASES = re.compile(
    r"\b(?:last (?:year|month|summer|winter|spring|autumn|fall|decade)|(?:years|months|decades) ago|"
    r"in the past|earlier this (?:year|month)|the previous (?:year|month))\b",
    re.IGNORECASE,
)


def modality(carrier: Token) -> str:
    """How the article tells the event: 'claimed' when it is someone's allegation ('prosecutors allege',
    'is accused of', 'allegedly'), 'reported' when it is sourced to someone ('police said', 'according
    to'), else 'asserted'."""
    around = [carrier, *carrier.ancestors]
    if any(lemma(t) in _CLAIMING and pos(t) == "VERB" for t in _complement_heads(carrier)) or any(
        c.lower_ in ("allegedly", "alleged", "reportedly", "purportedly")
        for t in around[:3]
        for c in t.children
    ):
        return "claimed"
    if any(lemma(t) in SPEECH_VERBS for t in around[1:]) or _announced(clause_verb(carrier) or carrier):
        return "reported"
    text = carrier.doc.text.lower()
    return "reported" if "according to" in text else "asserted"


def _complement_heads(token: Token) -> list[Token]:
    """The words a token is the complement of: 'allege (that) Simpson shot', 'accused of stabbing',
    'charged with the murder' (not a verb merely conjoined with it)."""
    heads = []
    while (
        token.dep_ in ("ccomp", "xcomp", "pcomp", "pobj", "prep", "dobj", "acl") and token.head.i != token.i
    ):
        token = token.head
        heads.append(token)
    return heads


def told_as_earlier(carrier: Token) -> bool:
    """The clause recounts an earlier event: past perfect ('had been arrested'), 'previous'/'prior' on the
    event noun, 'last year' or 'years ago' in its clause."""
    verb = clause_verb(carrier)
    chain = _verb_chain(verb) if verb is not None else []
    if any(
        c.dep_ == "aux" and c.lower_ in ("had", "'d") and v.tag_ == "VBN" for v in chain for c in v.children
    ):
        return True
    if any(c.lower_ in _EARLIER for c in carrier.children if c.dep_ in ("amod", "advmod")):
        return True
    clause = [t for v in chain[:1] for t in _own_clause(v)] or [carrier]
    if any(
        c.lower_ in _EARLIER and c.dep_ in ("advmod", "npadvmod", "mark") for v in chain for c in v.children
    ):
        return True
    if lemma(carrier) == "sentence" and carrier.head.lower_ in ("serve", "serves", "serving", "served"):
        return True  # 'serving a life sentence': passed before
    start, end = min(t.idx for t in clause), max(t.idx + len(t) for t in clause)
    return _EARLIER_PHRASES.search(carrier.doc.text, start, end) is not None


def _own_clause(verb: Token) -> list[Token]:
    """The verb's words without the clauses it governs."""
    nested = {
        t.i
        for c in verb.children
        if c.dep_ in ("ccomp", "advcl", "relcl", "parataxis", "conj")
        for t in c.subtree
    }
    return [t for t in verb.subtree if t.i not in nested]


def _announced(verb: Token) -> bool:
    """A verb under a verb of saying, or with one beside it: 'said it would boycott', 'will provide aid,
    the agency said' announce a decision."""
    if any(lemma(a) in SPEECH_VERBS for a in verb.ancestors):
        return True
    return any(
        c.dep_ in ("parataxis", "advcl", "ccomp", "conj") and lemma(c) in SPEECH_VERBS for c in verb.children
    )


def _trigger(token: Token) -> TriggerHit | None:
    """(trigger, the verb or noun that carries it, token span of the trigger words) or None."""
    token_lemma = lemma(token)
    if pos(token) == "VERB":
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


def _governing_trigger(carrier: Token, carriers: Container[int]) -> int | None:
    """'threatened to cut', 'agreed to withdraw', 'blocked lawyers from visiting': the governing verb
    that states the event, if any."""
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
    ):
        if head.head.i == head.i or (head.dep_ == "pcomp" and head.head.lower_ in _TEMPORAL):
            return None  # 'remanded after being charged': two events in sequence
        head = head.head
        if head.i in carriers:
            return head.i
        if lemma(head) in SPEECH_VERBS:
            return None
    return None


def _is_intent(carrier: Token) -> bool:
    """'said it would boycott', 'is ready to contribute': a stated intention, not a deed (a future no one
    is said to announce is ``unreal``)."""
    verb = carrier.head if pos(carrier) == "NOUN" and pos(carrier.head) == "VERB" else carrier
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in verb.children):
        return _announced(verb)
    return verb.dep_ in ("xcomp", "acomp") and lemma(verb.head) in _INTENT_GOVERNORS


def _is_conditional(carrier: Token) -> bool:
    """'will withdraw unless ...': an intention with a condition is a threat."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children)
        for c in carrier.children
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
    if modal is None:
        return None
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
        "constructive positive impressive admirable"
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
    verb = token.head
    if token.dep_ == "appos" and token.head.dep_ == "dobj":
        verb = token.head.head  # 'called the plan "the dumbest possible way"', read as an apposition
    elif token.dep_ not in ("oprd", "attr", "acomp"):
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


def states_obligation(carrier: Token) -> bool:
    """'X said Y must Z': X asks Y to do Z, whatever Z is."""
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in carrier.children)
