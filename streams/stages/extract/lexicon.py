"""Trigger, title and organisation lexicons for the extract stage.

Verb and noun triggers carry their PLOVER type, the CAMEO root code users of GDELT-style data
expect, and a PLOVER mode where the word itself says it ("shelled" is an aerial/artillery assault,
"deported" is a coercive deportation). Keep entries general: a word belongs here when it states an
event of that type in ordinary news prose, whoever the actors are.
"""

from __future__ import annotations

from typing import NamedTuple


class Trigger(NamedTuple):
    plover: str
    cameo: str
    mode: str | None = None


def items(text: str) -> list[str]:
    """Comma-separated entries (an entry may hold spaces: 'call for')."""
    return [item.strip() for item in text.split(",") if item.strip()]


def words(text: str) -> list[str]:
    """Space-separated words."""
    return text.split()


def _t(plover: str, cameo: str, entries: str, mode: str | None = None) -> dict[str, Trigger]:
    return dict.fromkeys(items(entries), Trigger(plover, cameo, mode))


#: Verb lemmas (and verb + particle/preposition/object phrases, joined by a space: 'step down', 'file
#: lawsuit', 'take to street') that state an event.
VERBS: dict[str, Trigger] = {
    **_t("AGREE", "03", "agree,accept,pledge,promise,vow,swear,commit,offer,propose,sign,ratify,settle,ink"),
    **_t("AGREE", "03", "endorse agreement,strike deal,clinch deal,seal deal,sign contract", "agreement"),
    **_t("CONSULT", "04", "meet,discuss,negotiate,consult,confer", None),
    **_t("CONSULT", "04", "visit,tour", "visit"),
    **_t("CONSULT", "04", "host,receive,welcome", "host"),
    **_t("CONSULT", "04", "mediate,broker", "mediate"),
    **_t("CONSULT", "04", "phone,telephone,call up", "phone"),
    **_t(
        "SUPPORT",
        "05",
        "praise,support,back,endorse,welcome,applaud,hail,commend,defend,recognize,thank,congratulate,laud",
    ),
    **_t(
        "SUPPORT",
        "05",
        "establish ties,establish relations,restore ties,restore relations,upgrade ties,upgrade relations,"
        "normalize ties,normalize relations,normalise ties,normalise relations",
    ),
    **_t(
        "CONCEDE",
        "08",
        "concede,yield,relent,lift,ease,relax,resign,step down,give in,back down,call off,allow,permit,cede,"
        "apologize,apologise,roll back,drop charge,drop demand,drop lawsuit,drop case",
    ),
    **_t("CONCEDE", "08", "release,free,pardon,amnesty,swap", "release"),
    **_t("CONCEDE", "08", "accept demand,meet demand,grant demand"),
    **_t("COOPERATE", "06", "cooperate,collaborate,coordinate,share,exchange,partner,ally,strengthen,deepen"),
    **_t(
        "AID", "07", "aid,donate,fund,supply,provide,grant,deliver,contribute,airlift,shelter,rescue,evacuate"
    ),
    **_t("RETREAT", "08", "withdraw,pull out,pull back,retreat,disarm,demobilize,dismantle"),
    **_t("RETREAT", "08", "ceasefire,truce", "ceasefire"),
    **_t(
        "REQUEST",
        "02",
        "appeal,urge,ask,request,seek,invite,plead,call for,call on,press,push,lobby,pressure,pressurize,"
        "advocate,encourage,implore,petition,beg,advise",
    ),
    **_t("REQUEST", "10", "demand,insist,require", "demand"),
    **_t(
        "ACCUSE",
        "11",
        "accuse,blame,criticize,criticise,condemn,denounce,charge,allege,deplore,slam,complain,blast,"
        "lambaste,decry,rebuke,castigate,berate,lash out",
    ),
    **_t(
        "ACCUSE",
        "11",
        "indict,sue,countersue,prosecute,file lawsuit,file suit,bring lawsuit,press charge,bring charge,"
        "file charge,file countersuit,file counterclaim,take to court,drag to court,haul before court,"
        "haul into court,bring to justice",
        "indict",
    ),
    **_t("ACCUSE", "11", "lodge protest,file protest,lodge complaint,file complaint,issue protest"),
    **_t("ACCUSE", "09", "investigate,probe,inquire,examine", "investigate"),
    **_t("REJECT", "12", "reject,refuse,deny,dismiss,rebuff,oppose,veto,spurn,turn down,rule out,resist"),
    **_t("REJECT", "12", "defy,ignore,disregard,violate,breach,flout,renege"),
    **_t("THREATEN", "13", "threaten,warn,menace,vow to retaliate,ultimatum,brandish"),
    **_t(
        "THREATEN", "13", "pull gun,pull knife,point gun,point pistol,point revolver,point rifle,point knife"
    ),
    **_t("PROTEST", "14", "protest,demonstrate,rally,march,picket,riot,rise up,take to street"),
    **_t("PROTEST", "14", "strike,walk out", "strike"),
    **_t("PROTEST", "14", "boycott", "boycott"),
    **_t("PROTEST", "14", "block,blockade,barricade,occupy", "obstruct"),
    **_t("SANCTION", "16", "sanction,embargo,suspend,cut,freeze,expel,recall,downgrade,sever,break off"),
    **_t("SANCTION", "16", "halt,cancel,postpone,terminate,scrap,reduce,curtail"),
    **_t("SANCTION", "16", "convict,sentence,find guilty,sack,fine"),
    **_t(
        "MOBILIZE",
        "15",
        "mobilize,mobilise,deploy,mass,station,reinforce,patrol,alert,strengthen force,reinforce force",
    ),
    **_t(
        "COERCE",
        "17",
        "arrest,detain,jail,imprison,capture,seize,confiscate,raid,remand,apprehend,handcuff",
        "seize",
    ),
    **_t("COERCE", "17", "ban,censor,shut,close,outlaw,prohibit,crack down,suppress,dissolve,prevent", "ban"),
    **_t("COERCE", "17", "deport,extradite,exile", "deport"),
    **_t("COERCE", "17", "disperse,impose,order,force,evict,execute,punish", None),
    **_t(
        "ASSAULT",
        "18",
        "attack,assault,kill,murder,assassinate,wound,injure,massacre,slaughter,ambush,beat,beat up,stab,"
        "punch,rape,molest,strangle,behead,lynch,slay,torture",
    ),
    **_t("ASSAULT", "18", "kidnap,abduct,hijack,hostage,take hostage,hold hostage", "abduct"),
    **_t("ASSAULT", "19", "shell,bombard,fire,shoot,open fire,gun down", "firearms"),
    **_t("ASSAULT", "19", "bomb,airstrike,strike at", "aerial"),
    **_t("ASSAULT", "18", "destroy,demolish,raze,bulldoze", "destroy"),
    **_t("ASSAULT", "19", "explode,detonate,blow up", "explosives"),
    **_t("ASSAULT", "19", "fight,clash,battle,invade,storm,overrun,shoot down,burn,torch,loot,set fire"),
}

#: Nouns that state the event when a light verb ("held talks", "launched an attack") carries them.
NOUNS: dict[str, Trigger] = {
    **_t("AGREE", "03", "agreement,accord,deal,treaty,pact,pledge,promise,offer,proposal,settlement"),
    **_t("AGREE", "03", "contract,merger,acquisition,signing"),
    **_t(
        "CONSULT", "04", "talk,talks,meeting,summit,consultation,negotiation,discussion,dialogue,conference"
    ),
    **_t("CONSULT", "04", "visit,trip,tour", "visit"),
    **_t("CONSULT", "04", "mediation", "mediate"),
    **_t("SUPPORT", "05", "support,praise,endorsement,recognition"),
    **_t("COOPERATE", "06", "cooperation,collaboration,coordination,partnership,alliance"),
    **_t("AID", "07", "aid,assistance,donation,relief,loan,rescue,evacuation"),
    **_t("CONCEDE", "08", "swap", "release"),
    **_t("CONCEDE", "08", "resignation"),
    **_t("RETREAT", "08", "withdrawal,pullout,retreat,ceasefire,truce"),
    **_t("REQUEST", "02", "appeal,request,call,plea"),
    **_t("REQUEST", "10", "demand", "demand"),
    **_t("ACCUSE", "11", "accusation,criticism,condemnation,allegation,charge,complaint,denunciation"),
    **_t("ACCUSE", "11", "lawsuit,countersuit,counterclaim,trial,indictment", "indict"),
    **_t("ACCUSE", "09", "investigation,probe,inquiry", "investigate"),
    **_t("REJECT", "12", "rejection,refusal,veto,denial"),
    **_t("THREATEN", "13", "threat,warning,ultimatum"),
    **_t("PROTEST", "14", "protest,demonstration,rally,march,riot,sit-in"),
    **_t("PROTEST", "14", "strike,walkout", "strike"),
    **_t("PROTEST", "14", "boycott", "boycott"),
    **_t("PROTEST", "14", "blockade", "obstruct"),
    **_t("SANCTION", "16", "sanction,sanctions,embargo,tariff"),
    **_t("SANCTION", "16", "conviction,sentence"),
    **_t("MOBILIZE", "15", "mobilization,deployment,buildup,alert"),
    **_t("COERCE", "17", "arrest,crackdown,curfew,detention,ban,lockdown", "seize"),
    **_t("ASSAULT", "18", "attack,assault,killing,assassination,massacre,ambush,offensive"),
    **_t("ASSAULT", "18", "stabbing,shooting,murder,homicide,slaying,rape,beating,arson"),
    **_t("ASSAULT", "18", "kidnapping,abduction", "abduct"),
    **_t("ASSAULT", "19", "airstrike,air strike,raid,air raid,bombing,shelling,bombardment", "aerial"),
    **_t("ASSAULT", "19", "fighting,clash,clashes,battle,invasion,war", None),
}

#: Verbs that carry a noun trigger: the event is the noun's, the actors the verb's.
LIGHT_VERBS = frozenset(
    words(
        "hold have conduct launch stage carry make issue begin start open continue resume reach sign "
        "announce give offer send lodge file mount deliver express extend impose level"
    )
)

#: Verbs of saying: their subject is the speaker of the clause they govern.
SPEECH_VERBS = frozenset(
    words(
        "say tell add state announce report claim declare note emphasize emphasise stress insist "
        "confirm write quote reiterate explain argue"
    )
)

#: Verbs that state an intention: 'plans to impose', 'is ready to contribute'.
INTENT_GOVERNORS = frozenset(
    words("plan intend prepare prepared ready willing vow swear pledge decide promise")
)
#: Verbs whose object clause says what is promised: 'vowed to fight' is a threat, 'offered to talk' an offer.
PROMISSORY = frozenset(words("vow swear pledge promise plan intend offer prepare"))
#: Verbs whose infinitive complement has not happened: 'hopes to meet', 'failed to negotiate', 'is
#: considering whether to file', 'would like to announce', 'is set to sign', 'a flaw allowing hackers to
#: hijack' (permission is not the deed) (an intention someone states,
#: 'plans to impose', is a threat or an agreement: ``INTENT_GOVERNORS``).
NONFACTIVE = frozenset(
    words(
        "expect hope want wish like love aim seek consider fail set schedule due likely need seem appear "
        "going about able unable eager keen think imagine suppose guess allow permit enable"
    )
)
#: Verbs whose infinitive complement did happen: 'continued to strengthen', 'prompted them to withdraw',
#: and verbs of going somewhere for a purpose: 'turned out to support', 'left for Washington to meet'.
IMPLICATIVE = frozenset(
    words(
        "manage prompt force compel lead cause begin start continue keep move vote go come get help choose "
        "opt proceed rush hurry dare remember make use order urge ask push press attempt try turn "
        "gather assemble leave travel arrive fly head return appear"
    )
)

#: CAMEO root → QuadClass (1 verbal cooperation, 2 material cooperation, 3 verbal conflict,
#: 4 material conflict), as GDELT defines it.
QUAD_CLASS = {
    f"{root:02d}": 1 if root <= 5 else 2 if root <= 8 else 3 if root <= 13 else 4 for root in range(1, 21)
}

#: CAMEO root → Goldstein conflict-cooperation score (-10..10) of the root's own code (010, 020, ...),
#: the scale GDELT publishes with each event.
GOLDSTEIN = {
    "01": 0.0,
    "02": 3.0,
    "03": 4.0,
    "04": 1.0,
    "05": 3.5,
    "06": 6.0,
    "07": 7.0,
    "08": 5.0,
    "09": -2.0,
    "10": -5.0,
    "11": -2.0,
    "12": -4.0,
    "13": -6.0,
    "14": -6.5,
    "15": -7.2,
    "16": -4.0,
    "17": -7.0,
    "18": -9.0,
    "19": -10.0,
    "20": -10.0,
}

#: Words that mark an actor's sector (CAMEO-style codes). Multi-word keys match the lowercased span.
SECTORS: dict[str, str] = {
    **dict.fromkeys(
        items(
            "president,prime minister,premier,minister,ministry,government,cabinet,official,officials,"
            "secretary,spokesman,spokeswoman,spokesperson,ambassador,diplomat,diplomats,embassy,king,"
            "queen,emir,sultan,chancellor,governor,mayor,department,administration,authorities,authority,"
            "regime,state department,white house,kremlin,foreign ministry,leader,leaders,envoy,"
            "delegation,head of state,vice president,crown prince,monarch,junta,council,negotiators,"
            "negotiator,minister"
        ),
        "GOV",
    ),
    **dict.fromkeys(
        items(
            "army,military,troops,soldiers,soldier,forces,navy,air force,aircraft,helicopters,helicopter,"
            "tanks,warplanes,jets,general,commander,marines,artillery,pentagon,defense ministry,"
            "defence ministry,militaries,battalion,brigade,gunboats,warships"
        ),
        "MIL",
    ),
    **dict.fromkeys(
        items("police,policemen,police officers,security forces,border police,riot police"), "COP"
    ),
    **dict.fromkeys(
        items(
            "rebels,rebel,guerrillas,guerrilla,insurgents,insurgent,militants,militant,militia,militias,"
            "separatists,fighters,gunmen,extremists,terrorists,terrorist,fundamentalists,islamists"
        ),
        "REB",
    ),
    **dict.fromkeys(items("opposition,dissidents,dissident,opposition party"), "OPP"),
    **dict.fromkeys(
        items(
            "civilians,people,residents,protesters,protestors,demonstrators,workers,students,villagers,activists,"
            "citizens,refugees,farmers,crowd,crowds,hostages,prisoners,pilgrims"
        ),
        "CVL",
    ),
    **dict.fromkeys(
        items("company,companies,firm,corporation,business,businesses,bank,industry,investors,bankers"),
        "BUS",
    ),
    **dict.fromkeys(
        items(
            "newspaper,media,journalists,journalist,reporter,reporters,television,radio,news agency,"
            "broadcaster,press"
        ),
        "MED",
    ),
    **dict.fromkeys(items("court,judge,judges,prosecutor,prosecutors,tribunal,judiciary"), "JUD"),
    **dict.fromkeys(
        items("parliament,congress,senate,assembly,lawmakers,legislators,legislature,mps,senators"), "LEG"
    ),
    **dict.fromkeys(items("church,archbishop,bishop,cleric,clerics,imam,pope,vatican"), "REL"),
}

#: Named organisations: (country ISO alpha-3 or None, sector). International bodies are IGO.
ORGANISATIONS: dict[str, tuple[str | None, str]] = {
    **dict.fromkeys(
        items(
            "un,united nations,security council,un security council,nato,eu,european union,g20,g7,g8,imf,"
            "international monetary fund,world bank,wto,world trade organization,who,"
            "world health organization,"
            "red cross,icrc,international committee of the red cross,opec,african union,asean,arab league,"
            "ilo,international labor office,international labour organization,iaea,unicef,unhcr,osce,"
            "interpol,"
            "european commission,european parliament,unifil,ecowas,gulf cooperation council,gcc,"
            "organization of american states,oas,international criminal court,icc,unesco,wfp,"
            "world food programme,un general assembly,general assembly,commonwealth"
        ),
        (None, "IGO"),
    ),
    "state department": ("USA", "GOV"),
    "white house": ("USA", "GOV"),
    "pentagon": ("USA", "MIL"),
    "congress": ("USA", "LEG"),
    "kremlin": ("RUS", "GOV"),
    "downing street": ("GBR", "GOV"),
    "elysee": ("FRA", "GOV"),
    "élysée": ("FRA", "GOV"),
    "knesset": ("ISR", "LEG"),
    "taliban": ("AFG", "REB"),
    "hamas": ("PSE", "REB"),
    "plo": ("PSE", "GOV"),
    "palestinian authority": ("PSE", "GOV"),
    "hezbollah": ("LBN", "REB"),
    "unita": ("AGO", "REB"),
    "ira": ("GBR", "REB"),
    "blue house": ("KOR", "GOV"),
    "xinhua": ("CHN", "MED"),
    "kcna": ("PRK", "MED"),
    "irna": ("IRN", "MED"),
    "tass": ("RUS", "MED"),
    "itar-tass": ("RUS", "MED"),
    "yonhap": ("KOR", "MED"),
    "kyodo": ("JPN", "MED"),
}
