"""How a sentence tells an event: whether it happened at all (not a question, a condition, a
possibility, a plan, a habit), whether it is someone's claim or report, and whether it is recounted
from before the news."""

from __future__ import annotations

import re

from spacy.tokens import Token

from streams.stages.extract.grammar import clause_verb, forms, lemma, pos, sentence_text, verb_chain
from streams.stages.extract.lexicon import (
    IMPLICATIVE,
    INTENT_GOVERNORS,
    NONFACTIVE,
    NOUNS,
    PROMISSORY,
    SPEECH_VERBS,
    VERBS,
    words,
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


def unreal(carrier: Token) -> str | None:
    """Why the sentence does not tell the event as one that happened, or None when it does: a question,
    a condition ('if', 'whether'), a possibility ('could'), a future without anyone announcing it ('the
    price will be cut'), an infinitive that has not happened ('hopes to meet', 'travelled there to
    discuss'), a habit ('has long accused'), a denied or counted noun ('no arrests', 'several
    proposals')."""
    doc = carrier.doc
    if sentence_text(doc).rstrip().rstrip("”\"’')").endswith("?"):
        return "question"
    if any(lemma(a) in SPEECH_VERBS and any(c.dep_ == "neg" for c in a.children) for a in carrier.ancestors):
        return "negated"  # 'did not say Weinstein raped me'
    verb = clause_verb(carrier)
    if verb is not None and any(c.dep_ in ("nsubj", "nsubjpass") and _no_one(c) for c in verb.children):
        return "negated"  # 'No one was injured'
    if _tally(carrier):
        return "tally"
    if _does_as_habit(carrier):
        return "habitual"
    if pos(carrier) == "VERB" and any(c.dep_ == "dobj" and _a_kind(c) for c in carrier.children):
        return "generic"  # 'schools are requesting this type of training'
    if _generic(carrier):
        return "generic"
    if _state(carrier):
        return "state"
    if _standing(carrier):
        return "standing"
    if pos(carrier) == "NOUN":
        if carrier.dep_ == "conj" and pos(carrier.head) == "NOUN" and (reason := unreal(carrier.head)):
            return reason  # 'hope that parties could grasp the X summit and the Y summit'
        prep = carrier.head if carrier.dep_ == "pobj" else None
        if prep is not None and prep.lower_ in ("of", "on") and prep.head.lower_ in _KNOWING:
            return "topic"  # 'first learned of the attacks'
        if carrier.dep_ == "dobj" and any(c.dep_ == "nsubj" and _share(c) for c in carrier.head.children):
            return "statistic"  # '2.1 percent declared support for the party'
        if _retold(carrier):
            return "anaphoric"
        determiners = {c.lower_ for c in carrier.children if c.dep_ in ("det", "amod", "nummod")}
        if "no" in determiners:
            return "negated"
        if carrier.tag_ == "NNS" and determiners & (_AGGREGATE | {"all", "any"}):  # 'all known attacks'
            return "aggregate"
        if counted(carrier):
            return "aggregate"
        if carrier.dep_ == "pobj" and carrier.head.lower_ in _TOPIC_PREPS:
            return "topic"
        if carrier.dep_ == "pobj" and carrier.head.lower_ == "at" and _meeting(carrier):
            return "setting"  # 'Jobs said at the annual conference': where something else was done
        if _goal(carrier):
            return "purpose"
        if carrier.dep_ == "dobj" and lemma(carrier.head) in _CONTAINING:
            return "content"  # 'the release will include more support for multitouch'
        if carrier.dep_ == "nsubj" and pos(carrier.head) == "VERB" and carrier.head.lower_ not in _OCCURRING:
            return "topic"
        if carrier.dep_ == "nsubj" and carrier.head.lower_ in _CHANGING and _changes_another(carrier.head):
            return "topic"  # 'the proposal intensified the battle' is a cause, not 'the fighting intensified'
    if verb is None:
        return None
    if _imperative(verb):
        return "imperative"
    chain = verb_chain(verb)
    auxiliaries = {c.lower_ for v in chain for c in v.children if c.dep_ == "aux"}
    last = chain[-1]
    governor = lemma(last.head)
    if last.dep_ in ("xcomp", "ccomp", "acl") and governor in NONFACTIVE:
        return "nonfactive"
    if reason := _modal(chain, auxiliaries):
        return reason
    if carrier.dep_ == "pobj" and auxiliaries & _FUTURE and lemma(verb) not in VERBS:
        return "future"  # 'said they will continue with their tour': a plan, however announced
    if (ruling := _ruling_clause(last)) is not None:
        ruling_chain = verb_chain(ruling)
        ruling_aux = {c.lower_ for v in ruling_chain for c in v.children if c.dep_ == "aux"}
        if reason := _modal(ruling_chain, ruling_aux, time_clause=last.dep_ == "advcl"):
            return reason
    infinitive = "to" in auxiliaries and last.tag_ == "VB" and last.dep_ in ("advcl", "xcomp", "acl", "relcl")
    if infinitive and governor not in IMPLICATIVE | INTENT_GOVERNORS | PROMISSORY:
        return "purpose"
    if any(c.dep_ in ("advmod", "npadvmod") and c.lower_ in _HABITUAL for v in chain for c in v.children):
        return "habitual"
    return None


#: What may open a sentence before an order's verb: numbering, punctuation, adverbs ('1.', '"', 'Now').
_BEFORE_ORDER = frozenset(
    {".", ",", ":", "``", "''", "-LRB-", "-RRB-", "HYPH", "NFP", "CD", "LS", "RB", "UH", "_SP"}
)


def _imperative(verb: Token) -> bool:
    """'Shut the doors and turn them down': an instruction (a reader's tip, a call for witnesses, an
    order quoted before its speaker) tells no occurrence. The sentence opens with the bare verb, which has
    no subject."""
    top = verb
    while top.dep_ == "conj" and top.head.i < top.i:
        top = top.head
    quoted = (  # '"Arrest them," the mayor told officers'
        top.dep_ in ("ccomp", "advcl") and top.head.i > top.i and lemma(top.head) in SPEECH_VERBS
    )
    if not (top.dep_ == "ROOT" or quoted) or top.tag_ != "VB":
        return False
    if any(c.dep_ in ("nsubj", "nsubjpass", "expl", "mark") for c in top.children):
        return False
    opening = top.doc[top.sent.start : top.i]
    return all(t.tag_ in _BEFORE_ORDER or t.lower_ in ("please", "do", "n't", "not") for t in opening)


def _modal(chain: list[Token], auxiliaries: set[str], time_clause: bool = False) -> str | None:
    """A condition, a possibility, an obligation no one is said to demand, or a future no one is said to
    announce, in the clause of ``chain``; ``time_clause``: the event is told in a time clause under it
    ('while experts take the stage' under 'will gather'), whose present is that future."""
    last = chain[-1]
    if any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for v in chain for c in v.children):
        return "conditional"
    if auxiliaries & _POSSIBILITY:
        return "possible"
    if auxiliaries & {"should", "must", "ought"} and not announced(last):
        return "obligation"
    if auxiliaries & _FUTURE and (time_clause or not announced(last) or _goes_on(chain)):
        return "future"
    return None


def _goes_on(chain: list[Token]) -> bool:
    """'will continue to strengthen coordination', 'would keep working': a future of going on with
    something states no new occurrence, however announced."""
    return any(lemma(v) in ("continue", "keep") for v in chain[1:])


#: Conjunctions of a time clause, whose present tense takes the tense of the clause it modifies.
_TIME_MARKS = frozenset(words("while when whenever as once until till before after"))


def _ruling_clause(verb: Token) -> Token | None:
    """The verb whose modality a clause without its own takes: a gerund without a subject under a
    preposition ('could be facing charges in addition to violating probation'), a present-tense time
    clause ('will gather ... while experts take to the stage'), or a time clause in any tense under a
    future ('said they would stay until the charges were dropped': the past of reported speech)."""
    if verb.tag_ == "VBG" and verb.dep_ == "pcomp" and not any(c.dep_ == "nsubj" for c in verb.children):
        head = verb.head
        for _ in range(4):
            if pos(head) == "VERB":
                return head
            if head.dep_ not in ("prep", "pobj") or head.head.i == head.i:
                return None
            head = head.head
        return None
    if verb.dep_ != "advcl" or not any(c.dep_ == "mark" and c.lower_ in _TIME_MARKS for c in verb.children):
        return None
    if pos(verb.head) != "VERB":
        return None
    if verb.tag_ in ("VBP", "VBZ"):
        return verb.head
    head_aux = {c.lower_ for v in verb_chain(verb.head) for c in v.children if c.dep_ == "aux"}
    return verb.head if head_aux & _FUTURE else None  # 'said they would stay until charges were dropped'


#: Verbs whose object is what something holds, not what anyone did: 'the update includes support'.
_CONTAINING = frozenset(f for v in words("include contain feature involve") for f in forms(v))
#: Types of what one works for: 'efforts for a peaceful settlement', 'pushed toward a deal'.
_SOUGHT = frozenset({"AGREE", "CONSULT", "COOPERATE", "AID", "SUPPORT", "CONCEDE", "RETREAT"})


#: Words of working for something: 'made efforts for', 'pushing toward', 'a bid for'.
_STRIVING = frozenset(
    f for w in words("effort work push bid campaign drive struggle quest strive lobby") for f in forms(w)
)


def _goal(noun: Token) -> bool:
    """A cooperative event noun that someone strives for is not one that happened: 'made unremitting
    efforts for a peaceful settlement', 'worked toward a deal' ('returned to Geneva for talks' and
    'thanked him for his support' keep it)."""
    if noun.dep_ != "pobj" or noun.head.lower_ not in ("for", "toward", "towards"):
        return False
    trigger = NOUNS.get(lemma(noun))
    if trigger is None or trigger.plover not in _SOUGHT:
        return False
    holder = noun.head.head
    objects = [c for c in holder.children if c.dep_ == "dobj"] if pos(holder) == "VERB" else []
    return any(t.lower_ in _STRIVING for t in (holder, *objects))


#: Verbs of knowing and talking: what they are 'of' or 'about' is a topic ('learned of the attacks').
_KNOWING = frozenset(f for v in words("learn hear know read talk speak think") for f in forms(v)) | {"aware"}
_PERCENT = frozenset({"percent", "per cent", "%"})


def _share(subject: Token) -> bool:
    """A share of people as subject: '2.1 percent', '40 % of voters' (a poll, not a deed)."""
    return subject.lower_ in _PERCENT or any(c.lower_ in _PERCENT for c in subject.children)


def _no_one(subject: Token) -> bool:
    """'No one', 'nobody', 'none', 'no other form of funding': a subject that denies the event."""
    return subject.lower_ in ("nobody", "none") or any(
        c.dep_ == "det" and c.lower_ == "no" for c in subject.children
    )


#: Prepositions that order an event after or before one the article has told: 'after the stabbing'.
_SEQUENCE = frozenset(words("after before following since until"))
_DEFINITE = frozenset(words("the this that these those"))


def _retold(noun: Token) -> bool:
    """'After the stabbing, Bassett ran away', 'well after Williams' arrest', 'in the days following the
    bombing': a definite event noun that times another event refers to one told elsewhere."""
    if noun.dep_ not in ("pobj", "dobj") or noun.head.lower_ not in _SEQUENCE:
        return False
    return any(c.dep_ == "poss" or (c.dep_ == "det" and c.lower_ in _DEFINITE) for c in noun.children)


#: Verbs of harm whose counted victims, with no one named as doing it, are a tally: 'About 100 people
#: have been injured', 'killing at least one'.
_HARM = frozenset(words("kill injure wound hurt"))
_MANY = frozenset(words("many several dozens hundreds thousands scores some"))


def _tally(carrier: Token) -> bool:
    """Counted victims of harm with no one named as doing it: a casualty count of an event told
    elsewhere (or of a disaster), not an attack of its own."""
    if pos(carrier) != "VERB" or lemma(carrier) not in _HARM:
        return False
    if any(c.dep_ == "agent" for c in carrier.children):
        return False
    subject = next((c for c in carrier.children if c.dep_ == "nsubj"), None)
    if subject is not None:
        return False
    victims = [c for c in carrier.children if c.dep_ in ("nsubjpass", "dobj")]
    return any(
        _counted_word(v) or any(_counted_word(c) for c in v.children if c.dep_ in ("nummod", "amod"))
        for v in victims
    )


def _meeting(noun: Token) -> bool:
    """A noun for a meeting, a conference or talks."""
    trigger = NOUNS.get(lemma(noun))
    return trigger is not None and trigger.plover == "CONSULT"


def _does_as_habit(carrier: Token) -> bool:
    """'The team lives and works in the camp, providing support to refugees': a participle without a
    subject under a verb in the simple present that states no event tells what someone does as a rule."""
    head = carrier.head
    return (
        carrier.tag_ == "VBG"
        and carrier.dep_ == "advcl"
        and not any(c.dep_ in ("nsubj", "nsubjpass") for c in carrier.children)
        and head.tag_ in ("VBZ", "VBP")
        and not any(c.dep_ in ("aux", "auxpass") for c in head.children)
        and lemma(head) not in SPEECH_VERBS
        and lemma(head) not in VERBS
    )


#: Nouns that make what they are 'of' a kind: 'this type of training', 'such kinds of attacks'.
_KINDS = frozenset(words("type types kind kinds sort sorts form forms"))


def _a_kind(noun: Token) -> bool:
    """'this type of training': an object that names a kind of thing, not one."""
    return noun.lower_ in _KINDS and any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children)


def _counted_word(token: Token) -> bool:
    return token.tag_ == "CD" or token.lower_ in _MANY


#: Verbs whose present passive tells a lasting state, not an occurrence: 'are imprisoned in Azerbaijan'.
_STATES = frozenset(words("imprison jail detain"))


def _state(carrier: Token) -> bool:
    """A present passive of confinement with no perfect ('are imprisoned', not 'have been jailed')."""
    if pos(carrier) != "VERB" or lemma(carrier) not in _STATES or carrier.tag_ != "VBN":
        return False
    auxiliaries = [c for c in carrier.children if c.dep_ in ("aux", "auxpass")]
    return bool(auxiliaries) and all(a.lower_ in ("is", "are", "'s", "'re") for a in auxiliaries)


def _simple_present(verb: Token) -> bool:
    """'accuses', 'allow': a present tense without an auxiliary."""
    return verb.tag_ in ("VBZ", "VBP") and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)


def _standing(carrier: Token) -> bool:
    """A relative clause in the simple present tells what someone or something is or does all along, not
    an occurrence: 'its government, which accuses Russia of meddling', 'a law that requires groups to
    register', 'the flats the plan allows', 'Rwanda, which experts say backs the rebels', and the object
    of a participle under one ('France, which sits on the panel monitoring the truce')."""
    verb = carrier
    if pos(carrier) == "NOUN":
        head = clause_verb(carrier)
        if head is None or head.tag_ != "VBG" or head.dep_ not in ("advcl", "acl", "xcomp"):
            return False
        verb = head.head
    elif pos(carrier) != "VERB":
        return False
    if verb.dep_ == "ccomp" and lemma(verb.head) in SPEECH_VERBS and _simple_present(verb):
        verb = verb.head
    return verb.dep_ == "relcl" and _simple_present(verb)


def _generic(carrier: Token) -> bool:
    """'For victims injured in a hit-and-run accident and those who were killed by hit-and-run drivers,
    the aftermath can be difficult': a clause on a bare plural or 'those', in a sentence told in the
    present, describes a kind of people, not an occurrence."""
    if carrier.dep_ not in ("acl", "relcl"):
        return False
    head = carrier.head
    bare = head.tag_ == "NNS" and not any(c.dep_ in ("det", "poss", "nummod") for c in head.children)
    if not (bare or head.lower_ == "those"):
        return False
    root = carrier.sent.root
    return not any(t.tag_ == "VBD" for t in (root, *root.children) if t.dep_ in ("ROOT", "aux", "auxpass"))


#: Prepositions whose object is what is talked about, not what happened: 'learned about threats to
#: turtles', 'the tension between his promises and ...', 'amid the rallies'.
_TOPIC_PREPS = frozenset(words("about between amid amidst regarding concerning like"))
#: Forms of the verbs an event noun is the subject of when the sentence says it happened: 'the protest
#: began', 'the attack left ten dead', 'cooperation has increased'.
_OCCURRING = frozenset(
    form
    for verb in words(
        "happen occur take erupt break begin start resume continue end follow unfold spread escalate "
        "intensify last leave kill injure wound hit destroy increase grow expand deepen improve"
    )
    for form in forms(verb)
)


#: Forms of the verbs of change among those: with an object the subject is what made another thing
#: change ('the proposal intensified the trade battle'), not an event said to go on.
_CHANGING = frozenset(
    form
    for verb in words("intensify escalate spread increase grow expand deepen improve")
    for form in forms(verb)
)


def _changes_another(verb: Token) -> bool:
    """The verb has an object or an object clause: something else is what changed."""
    return any(c.dep_ in ("dobj", "ccomp") for c in verb.children)


def counted(noun: Token, numbered: bool = False) -> bool:
    """A plural event noun counted, not one occurrence told: 'dozens of requests'; ``numbered``: a number
    counts too ('has two convictions' is a record; 'two air raids last Friday' are events)."""
    if noun.tag_ != "NNS" and not (numbered and noun.tag_ == "NN"):  # 'three prior DUI conviction'
        return False
    if numbered and any(c.dep_ == "nummod" and c.lower_ not in ("one", "1") for c in noun.children):
        return True
    while noun.dep_ == "pobj" and noun.head.lower_ == "of" and noun.head.head.i != noun.head.i:
        quantity = noun.head.head  # 'dozens of freedom of information requests'
        if quantity.lower_ in _AGGREGATE or quantity.tag_ == "CD":
            return True
        noun = quantity
    return False


#: Verbs that make what they govern someone's claim, not a reported fact: 'prosecutors allege X shot Y'.
_CLAIMING = frozenset(words("allege claim accuse contend suspect charge"))
#: Words that mark an event as recounted from before the news: 'last year', 'his previous arrest'.
_EARLIER = frozenset(words("previous previously prior earlier former ago formerly since before"))
#: Phrases that put an event before the news ('last year', 'months ago').
EARLIER_PHRASES = re.compile(
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
    if any(lemma(t) in SPEECH_VERBS for t in around[1:]) or announced(clause_verb(carrier) or carrier):
        return "reported"
    text = sentence_text(carrier.doc).lower()
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


def told_as_done(carrier: Token) -> bool:
    """A finite verb in the past ('was settled in 1991', 'the parties agreed', 'were convicted'): the
    clause says it happened, even when it names no one who took part."""
    if pos(carrier) != "VERB" or carrier.dep_ in ("amod", "acl", "compound"):
        return False
    return carrier.tag_ == "VBD" or (
        carrier.tag_ == "VBN" and any(c.dep_ in ("aux", "auxpass") for c in carrier.children)
    )


def told_as_earlier(carrier: Token) -> bool:
    """The clause recounts an earlier event: past perfect ('had been arrested', unless it only reports a
    past: ``_backshifted``), 'previous'/'prior' on the event noun, 'last year' or 'years ago' in its
    clause."""
    verb = clause_verb(carrier)
    chain = verb_chain(verb) if verb is not None else []
    if not _backshifted(chain) and any(
        c.dep_ == "aux" and c.lower_ in ("had", "'d") and v.tag_ == "VBN" for v in chain for c in v.children
    ):
        return True
    if any(c.lower_ in _EARLIER for c in carrier.children if c.dep_ in ("amod", "advmod")):
        return True
    clause = [t for v in chain[:1] for t in own_clause(v)] or [carrier]
    if any(
        c.lower_ in _EARLIER and c.dep_ in ("advmod", "npadvmod", "mark") for v in chain for c in v.children
    ):
        return True
    if lemma(carrier) == "sentence" and carrier.head.lower_ in ("serve", "serves", "serving", "served"):
        return True  # 'serving a life sentence': passed before
    start, end = min(t.idx for t in clause), max(t.idx + len(t) for t in clause)
    return EARLIER_PHRASES.search(sentence_text(carrier.doc), start, end) is not None


def _backshifted(chain: list[Token]) -> bool:
    """'the ministry said the students had been freed': a past perfect reported by a verb of saying in the
    past is the reported past, told as the news, not an event before it."""
    if not chain:
        return False
    last = chain[-1]
    speech = last.head
    if last.dep_ == "acl" and any(c.dep_ == "mark" and c.lower_ == "that" for c in last.children):
        speech = clause_verb(speech) or speech  # 'said in a statement that the students had been freed'
    elif last.dep_ != "ccomp":
        return False
    return lemma(speech) in SPEECH_VERBS and speech.tag_ == "VBD"


def own_clause(verb: Token) -> list[Token]:
    """The verb's words without the clauses it governs."""
    nested = {
        t.i
        for c in verb.children
        if c.dep_ in ("ccomp", "advcl", "relcl", "parataxis", "conj")
        for t in c.subtree
    }
    return [t for t in verb.subtree if t.i not in nested]


def announced(verb: Token) -> bool:
    """A verb under a verb of saying, or with one beside it: 'said it would boycott', 'will provide aid,
    the agency said' announce a decision."""
    if any(lemma(a) in SPEECH_VERBS for a in verb.ancestors):
        return True
    return any(
        c.dep_ in ("parataxis", "advcl", "ccomp", "conj") and lemma(c) in SPEECH_VERBS for c in verb.children
    )


def is_intent(carrier: Token) -> bool:
    """'said it would boycott', 'is ready to contribute': a stated intention, not a deed (a future no one
    is said to announce is ``unreal``)."""
    verb = carrier.head if pos(carrier) == "NOUN" and pos(carrier.head) == "VERB" else carrier
    if any(c.dep_ == "aux" and c.lower_ in ("will", "would", "'ll", "shall") for c in verb.children):
        return announced(verb)
    return verb.dep_ in ("xcomp", "acomp") and lemma(verb.head) in INTENT_GOVERNORS


def is_conditional(carrier: Token) -> bool:
    """'will withdraw unless ...': an intention with a condition is a threat."""
    return any(
        c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("unless", "if") for m in c.children)
        for c in carrier.children
    )


def states_obligation(carrier: Token) -> bool:
    """'X said Y must Z': X asks Y to do Z, whatever Z is."""
    return any(c.dep_ == "aux" and c.lower_ in ("must", "should") for c in carrier.children)
