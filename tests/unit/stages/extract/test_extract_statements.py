"""Statements that are not occurrences, triggers in another sense, and one occurrence told twice (issue
#11, the wrong records of the demo feed). One invented article per rule, next to one the rule leaves
alone."""

from __future__ import annotations

import pytest
from extract_articles import article, event_types

from streams.stages.extract import Extractor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative clause in the simple present says what a law or a party is, not what it did
        (
            "Farmers rallied in Lyon on Monday against a decree that requires them to register their herds.",
            ["PROTEST"],
        ),
        ("The mayor of Lyon praised the union, which accuses the council of neglect.", ["SUPPORT"]),
        ("The tenants' union in Lyon said the flats the plan allows would be let to students.", []),
        ("Chad, which analysts say supports the rebels, denied the claim on Monday.", ["REJECT"]),
        (
            "Mali thanked France and Chad, which sit on the committee monitoring the truce, on Monday.",
            ["SUPPORT"],
        ),
        # in the past, the relative clause tells an occurrence
        ("The mayor of Lyon praised the union, which accused the council of neglect.", ["SUPPORT", "ACCUSE"]),
    ],
)
def test_a_standing_statement_is_no_event(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "lifted"),
    [
        # a time clause under 'would' is that future, whatever its tense
        (
            "Union leaders in Lyon said they would stay out until the city lifted the fines on the pickets.",
            False,
        ),
        # under a past, it happened
        ("The union in Lyon stayed out until the city lifted the fines on the pickets.", True),
    ],
)
def test_a_time_clause_under_a_future_is_future(extractor: Extractor, text: str, lifted: bool) -> None:
    assert ("CONCEDE" in event_types(extractor, text)) is lifted


def test_keep_doing_carries_the_future(extractor: Extractor) -> None:
    """'would keep working on the talks' is a plan, like 'would continue to work on'."""
    text = "The Malian envoy said Bamako would keep working with Niger on its border talks."
    assert "CONSULT" not in event_types(extractor, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # going on with something in the future is no new occurrence, however announced
        ("The Malian minister said Mali and Niger will continue to strengthen their cooperation.", []),
        # an announced new step is a promise
        ("The Malian minister said Mali and Niger will strengthen their cooperation.", ["AGREE"]),
    ],
)
def test_a_future_of_going_on_is_no_event(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_an_infinitive_joined_to_a_request_is_asked_for(extractor: Extractor) -> None:
    """'asked X to withdraw and to halt Y': the halt is what was asked, not a sanction."""
    text = "Mali asked the African Union on Monday to press Niger to withdraw troops and to halt air strikes."
    assert event_types(extractor, text) == ["REQUEST"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Malian foreign minister told a news conference in Bamako that the talks had failed.", []),
        ("The Malian foreign minister held a conference with Niger's president in Bamako.", ["CONSULT"]),
    ],
)
def test_a_news_conference_is_no_meeting(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert [t for t in event_types(extractor, text) if t == "CONSULT"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Syria's army said its jets had carried out a heavy strike on depots near Idlib.", "ASSAULT"),
        ("Israel launched drone strikes near Gaza City on Tuesday.", "ASSAULT"),
        ("Syria struck a fuel depot near Idlib overnight.", "ASSAULT"),
        ("Dock workers in Marseille went on strike on Monday over pay.", "PROTEST"),
        ("Dock workers in Marseille began a strike at the port over pay.", "PROTEST"),
    ],
)
def test_a_strike_by_weapons_is_an_attack(extractor: Extractor, text: str, expected: str) -> None:
    assert event_types(extractor, text) == [expected]


def test_a_driver_striking_cars_is_no_attack(extractor: Extractor) -> None:
    assert event_types(extractor, "Police in Leeds said the driver struck two parked cars on Monday.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an announced deployment or levy is the measure decided
        (
            "Romania will deploy 3,000 soldiers to its border with Ukraine, the defence ministry said.",
            "MOBILIZE",
        ),
        ("Chile said on Monday it would impose 20 percent duties on steel from Peru.", "SANCTION"),
        # an announced attack is a threat
        ("Chile said on Monday it would attack the rebels in the north.", "THREATEN"),
    ],
)
def test_an_announced_measure_is_decided(extractor: Extractor, text: str, expected: str) -> None:
    assert event_types(extractor, text) == [expected]


def test_the_forces_deployed_are_no_target(extractor: Extractor) -> None:
    text = "Romania will deploy 3,000 soldiers to its border with Ukraine, the defence ministry said."
    (deployment,) = extractor.extract([article(text)])[0]
    assert [a["text"] for a in deployment["target_actors"]] == ["Ukraine"]


def test_a_deadline_is_no_agent(extractor: Extractor) -> None:
    text = "The troops will be stationed near Constanta by mid-March, the defence ministry of Romania said."
    (deployment,) = extractor.extract([article(text)])[0]
    assert deployment["source_actors"] == []


def test_a_reported_past_perfect_is_the_news(extractor: Extractor) -> None:
    """'the ministry said X had been freed' reports the news; 'last year' makes it earlier."""
    news = "The interior ministry of Peru said the two journalists had been freed in Lima."
    earlier = "The interior ministry of Peru said the two journalists had been freed in Lima last year."
    assert [e["role"] for e in extractor.extract([article(news)])[0]] == ["main"]
    assert [e["role"] for e in extractor.extract([article(earlier)])[0]] == ["background"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # told again with only 'the journalists', no doer: the same release
        (
            "Peru's government released 12 jailed journalists in Lima on Tuesday. The interior ministry "
            "said the journalists had been freed on bail.",
            ["CONCEDE"],
        ),
        # a name tells another release apart
        (
            "Peru's government released 12 jailed journalists in Lima on Tuesday. The interior ministry "
            "said Ana Ruiz had been freed on bail.",
            ["CONCEDE", "CONCEDE"],
        ),
    ],
)
def test_a_definite_retelling_is_one_occurrence(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_a_thing_a_thing_concerns_is_no_actor(extractor: Extractor) -> None:
    """'an inquiry into police conduct': the conduct is a thing, whose owner (the police) is the actor."""
    text = "The government of Chile agreed on Monday to open an inquiry into police conduct in Santiago."
    (agreement,) = extractor.extract([article(text)])[0]
    assert [a["text"] for a in agreement["target_actors"]] == ["police"]


_LIMA = {
    "name": "Lima",
    "country": "PER",
    "geonameid": 3936456,
    "lat": -12.04,
    "lon": -77.03,
    "feature": "city",
}


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        # the protest's own words, by its side (an official of the dateline's country): the same protest
        (
            "A senior Foreign Ministry official told a minister at the Chilean Embassy that the incursion "
            'was "unacceptable".',
            1,
        ),
        # the other side's judgement is another event
        ('A senior Chilean official told reporters in Santiago that the complaint was "absurd".', 2),
    ],
)
def test_a_judgement_by_the_accusers_side_is_their_accusation(
    extractor: Extractor, second: str, expected: int
) -> None:
    text = f"Peru lodged a protest with Chile on Monday after Chilean troops crossed the border. {second}"
    events = extractor.extract([article(text, dateline=_LIMA)])[0]
    assert [e["event_type"] for e in events].count("ACCUSE") == expected
