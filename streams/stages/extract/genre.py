"""What kind of story an article is, where that changes what its verbs mean: in a game report
'blasted', 'attacks', 'retreating' and 'urged' describe play, not events."""

from __future__ import annotations

import re

#: Words of play and scoring, each unambiguous in news prose; a report of a game uses several.
_PLAY = re.compile(
    r"\b(?:touchdowns?|fumbles?|quarterbacks?|interceptions?|innings?|half-?time|knockouts?|KOs?|jabs?|"
    r"heavyweight|middleweight|welterweight|uppercuts?|referee|playoffs?|rebounds|goalkeeper|midfielder|"
    r"penalty kick|hat-trick|wickets?|overtime|scoring|rushing|yards|punts?|semifinals?|quarterfinals?|"
    r"turnovers?|red zone|field goal|free throws?|rounds?|points)\b",
    re.IGNORECASE,
)
#: A score or a win-loss record: '20-13', '(52-3, 46 KOs)'; not a year span or an age ('2008-09').
_SCORE = re.compile(r"(?<![\d-])\d{1,3}-\d{1,3}(?![\d-])")
#: Distinct words of play (a score counts as one) that make an article a game report.
GAME_CUES = 3
#: Words of violence no game is told with: a shooting at a stadium is an event in any article.
_VIOLENCE = re.compile(
    r"\b(?:guns?|gunm[ae]n|gunfire|shootings?|shot dead|stabb\w*|knife|killed|killings?|murder\w*|dead|died|"
    r"police|bomb\w*|explosi\w*|hostages?|kidnap\w*|rape[ds]?|raping)\b",
    re.IGNORECASE,
)
#: Types a game report's play is told with; its arrests, firings, signings and lawsuits are events.
PLAY_TYPES = frozenset({"ASSAULT", "PROTEST", "RETREAT", "THREATEN", "MOBILIZE", "REQUEST", "SUPPORT"})


def is_game_report(text: str) -> bool:
    """The article reports a game or a bout: several words of play, or a score and some."""
    cues = {m.group(0).lower().rstrip("s") for m in _PLAY.finditer(text)}
    return len(cues) + (_SCORE.search(text) is not None) >= GAME_CUES


#: Verbs of criticism that are also verbs of hitting: in a game report 'blasted Rahman' is a punch.
_HITTING = re.compile(
    r"^(?:blast|slam|hammer|batter|pound|rip)(?:s|ed|med|ped|ing|ming|ping)?\b", re.IGNORECASE
)


def is_play_trigger(plover: str, trigger: str) -> bool:
    """A type a game report's play is told with, or criticism told with a verb of hitting."""
    return plover in PLAY_TYPES or (plover == "ACCUSE" and _HITTING.match(trigger) is not None)


def is_play(sentence: str) -> bool:
    """A sentence of a game report tells play unless it names real violence ('a gunman opened fire')."""
    return _VIOLENCE.search(sentence) is None
