"""The sense a trigger word has given its arguments: a product released is no concession, shares
rallying no protest, a coach fired no shooting."""

from __future__ import annotations

from spacy.tokens import Token

from streams.stages.extract.dates import TIME_WORDS
from streams.stages.extract.grammar import forms, lemma, pos, verb_chain
from streams.stages.extract.lexicon import NOUNS, VERBS, Trigger, words

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
_NEW = frozenset(words("new latest upcoming updated original"))
_MONEY = frozenset(words("money cash funds pension savings deposit deposits"))
#: Who a product is released to: 'released the update to all users'.
_BUYERS = frozenset(
    words("customer customers user users subscriber subscribers owner owners buyer buyers consumer consumers")
)
_RELEASED_THINGS = frozenset(
    words(
        "version update patch software feature device model album film product edition lineup statement "
        "report data figures results details video app game phone computer laptop system record single "
        "trailer book information"
    )
)


#: What is dismissed when a claim is rejected: 'dismissed the accusations', 'dismissed the case'.
_CLAIMED = frozenset(
    words(
        "accusation accusations allegation allegations claim claims charge charges report reports suggestion "
        "suggestions rumor rumors rumour rumours criticism criticisms case lawsuit suit idea notion concerns "
        "speculation appeal request proposal demand demands"
    )
)
#: Texts that lay down what must be done: what they state is a rule, not anyone's demand.
RULES = frozenset(
    words(
        "law laws decree regulation regulations rule rules bill act policy resolution treaty constitution "
        "mantra motto principle guideline guidelines code charter"
    )
)
#: What one breaks in committing a crime, not in defying a party: 'violated federal law'.
_LAWS = frozenset(words("law laws statute statutes code regulation regulations rules"))
#: What acts for an authority: 'a plan that will not allow candidates', 'the law permits'.
_INSTRUMENTS = RULES | frozenset(
    words("plan decision order ruling measure measures agreement deal accord court")
)
#: Forms of the verbs that end what they govern, and of those that undo a legal step.
_ENDING = frozenset(f for v in words("end terminate sever dissolve abandon scrap") for f in forms(v))
_REVERSING = frozenset(f for v in words("reverse overturn quash annul vacate revoke") for f in forms(v))
#: What a negotiation that has an object settled: 'negotiated the purchase', 'negotiated a deal'.
_DEALT = frozenset(
    words("purchase sale deal agreement contract release settlement truce ceasefire merger acquisition")
)
_UNNAMED = frozenset(words("anonymity confidentiality"))
#: Conferences held to speak to the media: 'a news conference', 'a press briefing'.
_PRESS = frozenset(words("news press media"))


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


def _product(token: Token) -> bool:
    """A name that is a product, not a party: 'the new iPhone', 'iPhone 4', 'the latest model'."""
    return token.tag_ in ("NNP", "NNPS") and not is_person(token)


def _agent_subject(verb: Token) -> Token | None:
    """The active subject ('the quake, which injured dozens' → quake)."""
    for v in verb_chain(verb):
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


#: Words that make a trial a court's: 'criminal trial', 'murder trial'.
_COURT = frozenset(words("criminal murder fraud corruption"))


def on_trial(trial: Token) -> bool:
    """A trial of someone or for a crime: 'the trial of two men', 'the trial against X', 'his trial',
    'the murder trial'."""
    accused = [
        o
        for p in trial.children
        if p.dep_ == "prep" and p.lower_ in ("of", "against")
        for o in p.children
        if o.dep_ == "pobj"
    ]
    if any(c.dep_ == "amod" and c.lower_ == "free" for c in trial.children):
        return False  # 'free two-week trials of Dropbox Professional': a product tried out
    if any(is_person(o) for o in accused):
        return True
    return any(
        c.dep_ in ("poss", "compound", "amod") and (is_person(c) or lemma(c) in NOUNS or c.lower_ in _COURT)
        for c in trial.children
    )


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


def _event_noun(token: Token) -> bool:
    """A noun of the lexicon in its event sense ('offered talks'; 'offered free trials' is a product)."""
    return lemma(token) in NOUNS and (lemma(token) != "trial" or on_trial(token))


def _prep_objects(verb: Token, preps: tuple[str, ...]) -> list[Token]:
    """The objects of the verb's prepositions ``preps``: 'for all its customers'."""
    return [
        o
        for p in verb.children
        if p.dep_ == "prep" and p.lower_ in preps
        for o in p.children
        if o.dep_ == "pobj"
    ]


def _of_objects(token: Token) -> list[Token]:
    """'tons of food aid', 'part of a military aid program': what the measure word is of."""
    return [
        o
        for p in token.children
        if p.dep_ == "prep" and p.lower_ == "of"
        for o in p.children
        if o.dep_ == "pobj"
    ]


#: What a strike is made with or by when it is an attack: 'air strike', 'drone strikes', 'military strike'.
_ARMED = frozenset(
    words(
        "air missile missiles drone drones rocket rockets artillery military nuclear naval precision "
        "retaliatory preemptive pre-emptive airstrike aerial bomb bombing"
    )
)
#: What is imposed on trade: 'imposed duties', 'will impose tariffs'.
_LEVIES = frozenset(words("duty duties tariff tariffs levy levies tax taxes quota quotas"))
#: Who strikes and what is struck in a road accident: 'the driver struck two vehicles'.
_ROAD = frozenset(
    words(
        "car cars vehicle vehicles truck trucks bus van motorcycle driver drivers pedestrian pedestrians "
        "cyclist cyclists motorist motorists pole tree wall"
    )
)
#: What is struck when striking is no attack: 'struck a chord', 'struck a balance'.
_FIGURATIVE = frozenset(words("chord balance note tone pose match blow gold oil deal bargain agreement"))


#: What an expelled foreigner is ordered to leave, and whom an order to leave expels.
_HOMELAND = frozenset(words("country territory"))
_ENVOYS = frozenset(words("diplomat diplomats ambassador ambassadors envoy envoys attache attaches consul"))


def _expelled(order: Token) -> bool:
    """An order to leave the country, or to an envoy to leave: the SANCTION of an expulsion (PLOVER codes
    expelling diplomats as a sanction), not a coercion."""
    leave = next((c for c in order.children if c.dep_ in ("xcomp", "ccomp") and lemma(c) == "leave"), None)
    if leave is None:
        return False
    left = [c for c in leave.children if c.dep_ == "dobj"]
    ordered = [c for c in order.children if c.dep_ in ("dobj", "nsubj") and c.i > order.i]
    return any(c.lower_ in _HOMELAND for c in left) or any(c.lower_ in _ENVOYS for c in ordered)


def _struck(carrier: Token) -> Token | None:
    """The noun 'strike' a trigger is read from: the carrier, or the object of its light verb."""
    if pos(carrier) == "NOUN":
        return carrier if lemma(carrier) == "strike" else None
    return next((c for c in carrier.children if c.dep_ in ("dobj", "attr") and lemma(c) == "strike"), None)


def _military(strike: Token) -> bool:
    """A strike by weapons, or on something ('a strike on facilities'; a walkout is 'on Monday' at most):
    an attack, not a walkout ('a hunger strike', 'a general strike over pay' are walkouts)."""
    if _names_any([strike], _ARMED):
        return True
    return any(p.lower_ == "on" and not _is_time(p) for p in strike.children if p.dep_ == "prep")


def sense(trigger: Trigger, carrier: Token) -> Trigger | None:
    """The trigger in the sense its arguments give it, or None when they show another sense: a product
    released is no concession, shares rallying no protest, a coach fired no shooting."""
    if pos(carrier) == "NOUN" and carrier.dep_ == "dobj":
        governor = carrier.head.lower_
        if governor in _ENDING and trigger.plover in ("COOPERATE", "AGREE", "SUPPORT", "AID"):
            return Trigger("SANCTION", "16")  # 'ending the eleven-year partnership'
        if governor in _REVERSING and trigger.plover in ("SANCTION", "ACCUSE", "COERCE"):
            return Trigger("CONCEDE", "08")  # 'the court reversed the conviction'
    if (
        pos(carrier) == "VERB"
        and lemma(carrier) in ("shoot", "knock", "strike")
        and any(c.dep_ == "prt" and c.lower_ == "down" for c in carrier.children)
        and _names_any(_objects(carrier), _CLAIMED)
    ):
        return Trigger("REJECT", "12")  # 'shot down rumors'
    if pos(carrier) == "NOUN" and trigger.plover == "ASSAULT" and lemma(carrier) in ("raid", "raids"):
        owners = [c for c in carrier.children if c.dep_ in ("compound", "poss", "amod")]
        if any(c.lower_ in _AUTHORITIES or lemma(c) in _AUTHORITIES for c in owners):
            return Trigger("COERCE", "17", "raid")  # 'a police raid on their home' is a search
    if pos(carrier) == "NOUN" and trigger.plover == "CONSULT" and _names_any([carrier], _PRESS):
        return None  # 'told a news conference': where a statement was made, not a meeting of parties
    if lemma(carrier) == "order" and _expelled(carrier):
        return Trigger("SANCTION", "16")  # 'ordered a Russian diplomat to leave the country': an expulsion
    if pos(carrier) == "NOUN" and lemma(carrier) == "trial":
        return trigger if on_trial(carrier) else None  # 'offering free two-week trials' is no court
    if trigger.mode == "strike" and (noun := _struck(carrier)) is not None and _military(noun):
        return VERBS["strike at"]  # 'carried out a massive strike on facilities', 'drone strikes'
    if pos(carrier) != "VERB" or VERBS.get(lemma(carrier)) != trigger:
        return trigger
    word = lemma(carrier)
    subject = _agent_subject(carrier)
    if subject is not None and (subject.lower_ in _NON_AGENTS or lemma(subject) in _NON_AGENTS):
        return None
    if word == "strike" and subject is not None and is_person(subject) and not _names_any([subject], _ROAD):
        struck = [c for c in carrier.children if c.dep_ == "dobj"]
        if struck and not _names_any(struck, _FIGURATIVE | _ROAD):
            return VERBS["strike at"]  # 'Russia struck a power plant': a strike at a target, not a walkout
    objects = _objects(carrier)
    if word == "negotiate" and _names_any(objects, _DEALT):
        return Trigger("AGREE", "03", "agreement")  # 'negotiated the purchase of 22 jets'
    preps = {c.lower_ for c in carrier.children if c.dep_ == "prep" and not _is_time(c)}
    if word == "fire":
        if any(is_person(o) for o in objects) and not preps & {"at", "on", "upon"}:
            return Trigger("SANCTION", "16")
        if objects and not _names_any(objects, _WEAPON_THINGS):
            return None
        passive = carrier.tag_ == "VBN" and (
            lemma(carrier.head) == "get" or any(c.dep_ == "auxpass" for c in carrier.children)
        )
        if passive and not objects and not preps & {"at", "on", "upon"}:
            return Trigger("SANCTION", "16")  # 'the third coach to get fired'
        return trigger
    if trigger.plover == "PROTEST" and word in ("demonstrate", "rally", "march", "strike", "picket"):
        if objects:
            return None  # 'was struck by a car'
        return None if any(c.dep_ == "dobj" for c in carrier.children) else trigger
    if word in ("allow", "permit"):
        actor = subject if subject is not None or carrier.dep_ != "acl" else carrier.head
        if actor is not None and actor.tag_ == "WDT" and carrier.dep_ == "relcl":
            actor = carrier.head
        if carrier.tag_ in ("VBZ", "VBP") and actor is not None and lemma(actor) in RULES:
            return None  # 'regulations that allow agencies to decide': what a standing rule permits
        if (
            actor is not None
            and actor.tag_ not in ("PRP", "WDT")
            and not is_person(actor)
            and lemma(actor) not in _AUTHORITIES | _INSTRUMENTS
        ):
            return None  # 'a flaw allowing hackers to ...', 'the network allowed third parties to ...'
    if word in ("promise", "vow", "pledge", "swear") and any(
        c.dep_ == "xcomp" and lemma(c) == "be" for c in carrier.children
    ):
        return None  # 'the show promises to be the best yet'
    if word in ("execute", "capture", "handcuff"):
        return trigger if any(is_person(o) for o in objects) else None
    if word == "dismiss" and not any(is_person(o) for o in objects):
        claim = any(c.dep_ == "ccomp" for c in carrier.children) or _names_any(objects, _CLAIMED)
        return trigger if claim else None  # 'dismissed the accusations'; a juror dismissed is neither
    if word in ("request", "ask", "seek") and _names_any(objects, _UNNAMED):
        return None  # 'requesting anonymity': how a source is quoted
    if word == "advise" and not objects and not any(c.dep_ == "xcomp" for c in carrier.children):
        return None  # 'advised that it expects a charge': telling, not asking
    if word == "require" and any(c.dep_ == "auxpass" for c in carrier.children):
        return None  # 'agencies were required to consult': a rule, not a request
    if word == "charge" and not any(
        c.dep_ == "prep" and c.lower_ in ("with", "over", "for") for c in carrier.children
    ):
        payer = [carrier.head] if carrier.dep_ == "relcl" and not objects else objects
        if payer and not any(is_person(o) for o in payer):
            return None  # 'the rent he charges', 'charged a fee'
    if trigger.plover == "SUPPORT" and objects and all(_product(o) for o in objects):
        return None  # 'the new iPhone was praised by Jobs': a product reviewed, not a party supported
    if word in ("violate", "breach") and _names_any(objects, _LAWS):
        return None  # 'after violating federal law': a crime, which its charge codes, not a defiance
    if word == "impose" and _names_any(objects, _LEVIES):
        return Trigger("SANCTION", "16")  # 'imposed 25 percent duties on imports': a trade sanction
    if word == "block" and any(NOUNS.get(lemma(o), trigger).plover == "ASSAULT" for o in objects):
        return None  # 'workarounds that blocked all known attacks': a defence, not a protest
    if word == "accept" and not any(c.dep_ == "dobj" for c in carrier.children) and {"to", "into"} & preps:
        return None  # 'was accepted to three universities': admitted, not agreeing
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
        return trigger if _names_any(objects, _AID_THINGS) or any(map(_event_noun, objects)) else None
    if word == "share":
        return trigger if _names_any(objects, _SHARED_THINGS) else None
    if word == "release" and _names_any(_prep_objects(carrier, ("for", "to")), _BUYERS):
        return None  # 'is releasing Smart Sync for all its business customers': a product
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
