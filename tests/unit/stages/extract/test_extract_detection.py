"""Which records get published and with which type: real events only, in the sense their arguments give
the trigger, one record per occurrence, with modality and role (hand-written sentences)."""

from __future__ import annotations

import pytest
from extract_articles import article, event_types

from streams.contracts import Event
from streams.stages.extract import Extractor


def _events(extractor: Extractor, text: str) -> list[Event]:
    return extractor.extract([article(text)])[0]


@pytest.mark.parametrize(
    ("text", "expected", "trigger"),
    [
        ("A jury in Denver convicted John Miller of fraud on Tuesday.", "SANCTION", "convicted"),
        ("A judge sentenced Maria Lopez to ten years in prison.", "SANCTION", "sentenced"),
        (
            "The former mayor of Springfield was found guilty of bribery on Monday.",
            "SANCTION",
            "found guilty",
        ),
        ("Greenpeace filed a lawsuit against Shell in a Dutch court.", "ACCUSE", "filed a lawsuit"),
        (
            "Gunmen took three aid workers hostage in northern Mali.",
            "ASSAULT",
            "took three aid workers hostage",
        ),
        ("Coast guard crews rescued 40 migrants off Lampedusa.", "AID", "rescued"),
        ("Senator Warren blasted the bank's chief executive over the fees.", "ACCUSE", "blasted"),
        ("The inmate pulled a gun on two guards in Texas.", "THREATEN", "pulled a gun"),
        ("Sri Lanka has established diplomatic ties with Iran.", "SUPPORT", "established diplomatic ties"),
        ("In 2009, the charges against Zuma were dropped.", "CONCEDE", "charges against Zuma were dropped"),
    ],
)
def test_common_news_events_have_triggers(
    extractor: Extractor, text: str, expected: str, trigger: str
) -> None:
    (event,) = _events(extractor, text)
    assert (event["event_type"], event["evidence"]["trigger"]) == (expected, trigger)


@pytest.mark.parametrize(
    "text",
    [
        "Chinese Foreign Minister Wang Yi will meet Russian Foreign Minister Sergei Lavrov in Moscow.",
        "Williams could face charges for the crash in Ohio.",
        "If Iran attacks Israel, the region will burn.",
        "The prosecutor is considering whether to file charges against Jamal Williams.",
        "No arrests were made after the protest in Paris.",
        "Andrew Feinstein has long accused Zuma of corruption.",
        "Did the police in Lagos arrest the students?",
        "President Trump would like to announce an agreement with Canada in Lima.",
        "Mark Zuckerberg travelled to Washington to testify before Congress to discuss privacy.",
        "Relevant parties should promote the peace process in Korea.",
    ],
)
def test_unreal_statements_make_no_record(extractor: Extractor, text: str) -> None:
    assert event_types(extractor, text) == []


def test_announced_intentions_and_demands_are_coded(extractor: Extractor) -> None:
    said = "Palestinian leaders said they would boycott all contact with the United States."
    assert event_types(extractor, said) == ["THREATEN"]
    demand = "Amnesty International said Egypt must free the jailed reporters."
    assert event_types(extractor, demand) == ["REQUEST"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple released a new iPhone in California on Tuesday.", []),
        ("Rebels released two Italian hostages in Mali on Tuesday.", ["CONCEDE"]),
        ("A strong earthquake struck Indonesia's Aceh province on Tuesday.", []),
        ("The Philadelphia 76ers fired coach Maurice Cheeks on Saturday.", ["SANCTION"]),
        ("Soldiers fired on protesters in Yangon.", ["ASSAULT"]),
        ("Police blocked the road to the parliament in Kiev.", ["COERCE"]),
        ("Protesters blocked the road to the parliament in Kiev.", ["PROTEST"]),
        ("Airbus demonstrated its new plane to buyers in Singapore.", []),
        ("The minister visited a hospital in Gaza.", []),
        ("King Abdullah received the American ambassador in Amman.", ["CONSULT"]),
        ("The Boise Fire Department offered these tips for cooking safely.", []),
        ('"Can Zuma keep himself out of court?" the analyst in Durban asked.', []),
    ],
)
def test_a_trigger_counts_in_the_sense_its_arguments_give(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


def test_the_crime_of_a_charge_is_an_event_and_is_claimed(extractor: Extractor) -> None:
    events = _events(extractor, "Smith is accused of stabbing Jones in an alley in Chicago.")
    assault = next(e for e in events if e["event_type"] == "ASSAULT")
    assert assault["evidence"]["trigger"] == "stabbing" and assault["modality"] == "claimed"


def test_modality_and_role(extractor: Extractor) -> None:
    (reported,) = _events(extractor, "Police in Boston said they arrested Peter Smith on Monday.")
    assert (reported["modality"], reported["role"]) == ("reported", "main")
    (earlier,) = _events(extractor, "Peter Smith had been arrested in Boston in 2009.")
    assert (earlier["modality"], earlier["role"]) == ("asserted", "background")
    (since,) = _events(extractor, "Wang Quanzhang has since been charged with subversion.")
    assert since["role"] == "background"


def test_distinct_occurrences_stay_apart_and_retellings_merge(extractor: Extractor) -> None:
    two_arrests = (
        "Police in Denver arrested Carlos Ruiz on Monday. "
        "Officers also arrested Dana White at her home in Aurora."
    )
    assert event_types(extractor, two_arrests) == ["COERCE", "COERCE"]
    retold = (
        "Police in Denver arrested Carlos Ruiz on Monday. "
        "Ruiz was arrested after a car chase through Denver, police said."
    )
    assert event_types(extractor, retold) == ["COERCE"]


def test_a_headline_event_is_the_body_sentence(extractor: Extractor) -> None:
    headline = "Chargers' Jackson arrested on suspicion of DUI"
    text = headline + "\nPolice in San Diego arrested Vincent Jackson on Tuesday."
    (event,) = _events(extractor, text)
    assert event["evidence"]["sentence"].startswith("Police in San Diego")


def test_a_participant_named_by_a_pronoun_is_enough(extractor: Extractor) -> None:
    text = (
        "Jacob Zuma appeared in a Durban court on Friday. The hearing was brief. The court was full. "
        "He resigned on February 14."
    )
    assert "CONCEDE" in event_types(extractor, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thousands of protesters took to the streets of Caracas on Sunday.", ["PROTEST"]),
        ("The families dragged the mining company to court in Manila.", ["ACCUSE"]),
        ("Israel and Hamas swapped prisoners in Gaza.", ["CONCEDE"]),
        ("U.N. helicopters evacuated the wounded from the besieged town of Gorazde.", ["AID"]),
        ("Security forces in Guinea have tortured scores of refugees.", ["ASSAULT"]),
        ("The club dismissed coach Jose Smith on Monday.", ["SANCTION"]),
    ],
)
def test_more_news_verbs(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Senator Ben Sasse called the new tariff plan "the dumbest possible way" to punish China.',
            ["ACCUSE"],
        ),
        ("Critics in Ashgabat say that the parliamentary vote is a sham.", ["ACCUSE"]),
        ('The analyst Rob Enderle said the fix from Microsoft was "amazing".', ["SUPPORT"]),
        ("The minister called the report from Geneva a great read.", ["SUPPORT"]),
    ],
)
def test_judgements_someone_states_are_criticism_or_support(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("President Berdymukhamedov rolled back some of the decrees.", ["CONCEDE"]),
        ("Police in Texas said Vincent Jackson was booked and later released.", ["CONCEDE"]),
        ("The jet was being pushed back by a Thai Airways tug in Bangkok.", []),
        ("The United Kingdom is pushing hard for the United States to support the plan.", ["REQUEST"]),
    ],
)
def test_particles_conjoined_passives_and_requests(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


def test_the_news_and_an_earlier_occurrence_are_two_records(extractor: Extractor) -> None:
    text = (
        "Apple Corps filed a lawsuit against Apple Computer in London on Monday. "
        "Apple Corps had sued Apple Computer in 1989 over the same name."
    )
    events = _events(extractor, text)
    assert [(e["event_type"], e["role"]) for e in events] == [("ACCUSE", "main"), ("ACCUSE", "background")]
    months = (
        "Police arrested Aziz Orujov in May 2017 in Baku. "
        "In December 2017, a court in Baku sentenced Aziz Orujov to six years. "
        "Police arrested Aziz Orujov again in December 2017."
    )
    assert event_types(extractor, months).count("COERCE") == 2
