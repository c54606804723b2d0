"""Coding rules of issue #11's last targets (detection precision, target country). One invented article
per rule, next to one the rule leaves alone."""

from __future__ import annotations

import pytest
from extract_articles import article, event_types

from streams.stages.extract import Extractor

_DEAL = "Acme Steel of Ohio reached an agreement with Zenith Mining in Denver to buy its iron ore unit."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a definite thing as the subject, and no one named: the deal told before
        (f"{_DEAL} The sale was signed at a hotel near the airport.", ["AGREE"]),
        # an indefinite one is another
        (f"{_DEAL} A second contract was signed at a hotel near the airport.", ["AGREE", "AGREE"]),
    ],
)
def test_a_known_thing_retells_its_event(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


_SUIT = "Acme Steel of Ohio filed a lawsuit against Zenith Mining in Denver over a patent."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what is done to an event told before is aimed at its doer
        (f"{_SUIT} The lawsuit was settled out of court in 2019.", ["Acme Steel of Ohio"]),
        # an indefinite noun is not that event
        (f"{_SUIT} A dispute was settled out of court in 2019.", []),
    ],
)
def test_done_to_a_known_event_is_aimed_at_its_doer(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    settled = [e for e in extractor.extract([article(text)])[0] if e["event_type"] == "AGREE"]
    assert [a["text"] for a in settled[0]["target_actors"]] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an event noun that made something else intensify is a cause
        ("The farmers' protest in Lyon intensified the dispute with the city council.", []),
        # one said to intensify is going on
        ("The farmers' protest in Lyon intensified on Sunday.", ["PROTEST"]),
    ],
)
def test_a_cause_of_change_is_no_event(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_a_participle_on_someone_is_done_to_them(extractor: Extractor) -> None:
    """'a man charged with the robbery of a jeweller': the man was charged, not the jeweller."""
    text = "Police in Leeds said a man charged with the robbery of a jeweller appeared in court on Monday."
    (charge,) = extractor.extract([article(text)])[0]
    assert [a["text"] for a in charge["target_actors"]] == ["a man"]


def test_a_participle_on_someone_tells_the_charge_in_passing(extractor: Extractor) -> None:
    """The sentence that states the charge is the record's evidence, not the one that mentions it."""
    text = (
        "Kari Holm was charged with the robbery of a jeweller in Leeds. Police in Leeds said a man charged "
        "with the robbery of a jeweller appeared in court on Monday."
    )
    (charge,) = extractor.extract([article(text)])[0]
    assert charge["evidence"]["sentence"].startswith("Kari Holm was charged")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a participle under a simple present that states no event: what the team does as a rule
        (
            "The Red Cross team lives and works in the Dadaab camp, delivering food aid to Somali refugees.",
            [],
        ),
        # under a verb in the past it is what the team did
        (
            "The Red Cross team arrived in the Dadaab camp on Monday, delivering food aid to Somali "
            "refugees.",
            ["AID"],
        ),
    ],
)
def test_a_participle_under_a_simple_present_is_a_habit(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an object that names a kind of thing is no occurrence
        ("Teachers in Leeds are requesting this type of training from the council.", []),
        ("Teachers in Leeds requested this training from the council on Monday.", ["REQUEST"]),
    ],
)
def test_a_kind_as_the_object_is_generic(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_an_extraposed_it_stands_for_the_clause_subject(extractor: Extractor) -> None:
    """'it was "impressive" that Nordbank ...': the judgement is of Nordbank."""
    text = 'Analyst Kari Holm of Oslo said it was "impressive" that Nordbank was able to repay the loan.'
    (judgement,) = extractor.extract([article(text)])[0]
    assert judgement["event_type"] == "SUPPORT"
    assert [a["text"] for a in judgement["target_actors"]] == ["Nordbank"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the firm whose stake an agreement buys is its target
        ("Nordbank of Oslo signed an agreement to buy a 30% stake in Fjordfisk on Monday.", ["Fjordfisk"]),
        # a place something is built in is not
        ("Nordbank of Oslo signed an agreement to build a plant in Bergen on Monday.", []),
    ],
)
def test_the_firm_whose_stake_is_bought(extractor: Extractor, text: str, expected: list[str]) -> None:
    (deal,) = extractor.extract([article(text)])[0]
    assert [a["text"] for a in deal["target_actors"]] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an unnamed part of a group is who the article says it includes
        (
            "A handful of the protesters -- including the activist Kari Holm -- were convicted of trespass "
            "in Oslo on Monday.",
            ["Kari Holm"],
        ),
        ("A handful of the protesters were convicted of trespass in Oslo on Monday.", ["the protesters"]),
    ],
)
def test_a_part_of_a_group_is_who_it_includes(extractor: Extractor, text: str, expected: list[str]) -> None:
    (conviction,) = extractor.extract([article(text)])[0]
    assert [a["text"] for a in conviction["target_actors"]] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a meeting something else was done at is its setting
        (
            "At the annual conference in Oslo, Kari Holm praised the new budget of the city council.",
            ["SUPPORT"],
        ),
        ("Kari Holm held a conference with the mayor of Oslo on Monday.", ["CONSULT"]),
    ],
)
def test_a_meeting_as_the_setting_is_no_event(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


_ARREST = "Police in Leeds arrested two men on Monday."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a 'they' charged after an arrest, with only 'they' sentences between, are the ones arrested
        (
            f"{_ARREST} They are identified as Tom Baker and Jim Hart. They are facing charges of burglary.",
            ["two men"],
        ),
        # another sentence between may name other people
        (f"{_ARREST} The shop owner said the thieves took cash. They are facing charges of burglary.", []),
    ],
)
def test_they_after_an_arrest_are_the_ones_arrested(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    charge = [e for e in extractor.extract([article(text)])[0] if e["event_type"] == "ACCUSE"]
    assert [a["text"] for a in charge[0]["target_actors"]] == expected


def test_an_infinitive_hung_on_a_vow_is_what_is_vowed(extractor: Extractor) -> None:
    """'vowed on Sunday to attack': the parser hangs the infinitive as an adjunct; a vow of violence is a
    threat, not a promise to cooperate."""
    text = "The rebel commander Kari Holm vowed on Sunday to attack the garrison in Goma."
    assert event_types(extractor, text) == ["THREATEN"]


_SHOOTING = "Officers in Leeds shot Tom Baker on Monday near the station."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the same group at someone only described as 'the suspect' retells the shooting
        (f"{_SHOOTING} Both officers fired at the suspect from their car.", ["ASSAULT"]),
        # 'a second man' may be another
        (f"{_SHOOTING} Both officers fired at a second man from their car.", ["ASSAULT", "ASSAULT"]),
    ],
)
def test_a_definite_description_retells(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected
