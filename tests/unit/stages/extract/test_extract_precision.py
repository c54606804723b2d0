"""Records only for real events in the trigger's right sense (issue #11, part A): one hand-written
sentence per rule that drops a record, next to one the rule must keep."""

from __future__ import annotations

import pytest
from extract_articles import event_types

from streams.stages.extract import Extractor
from streams.stages.extract.genre import is_game_report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an event noun that is only talked about
        ("Pupils in Castries learned about threats to sea turtles from rangers.", []),
        ("Amid the rallies in Lima, Pedro Ortiz kept studying for his exams.", []),
        # an event noun as the subject of a verb that does not say it happened
        ("Acme's merger with Globex is a strong move for Denver.", []),
        ("The attack by rebels killed two soldiers in Kidal.", ["ASSAULT"]),
        # counted, not told: a record of earlier convictions, dozens of requests
        ("Records show that Tom Baker has two prior theft convictions in Ohio.", []),
        ("Maria Lopez has made dozens of requests to police in Quito.", []),
        ("Two Israeli air raids hit the village of Qana on Friday.", ["ASSAULT"]),
        # a medical 'arrest'
        ("Doctors said Jean Martin had a cardiac arrest in Lyon.", []),
    ],
)
def test_event_nouns_only_when_told_as_happening(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A cyclist in Leeds was struck by a car on Monday.", []),
        ("Nurses in Leeds went on strike on Monday.", ["PROTEST"]),
        ("A flaw in Windows allowing hackers to take over computers was fixed by Microsoft.", []),
        ("The Chinese government allowed Li Wei to leave Beijing.", ["CONCEDE"]),
        ("This year's show in Dubai promises to be the biggest ever.", []),
        ("Kim Ochoa executed a perfect routine in Tokyo.", []),
        ("Rebels in Sudan captured the imagination of the world.", []),
        ("Rebels in Sudan captured two Kenyan soldiers near Juba.", ["COERCE"]),
        ("One juror was dismissed in Boston because of an illness.", []),
        ("The Kremlin dismissed the accusations from London as absurd.", ["REJECT"]),
        ("Pedro Ortiz, an official in Lima, spoke to reporters, requesting anonymity.", []),
        ("Farmers in Iowa are required to register their wells.", []),
        ("The landlord in Leeds charges a high rent for the flat.", []),
        ("Police in Leeds charged Tom Baker with burglary.", ["ACCUSE"]),
        ("Maurice Cheeks is the third coach in the league to get fired this season.", ["SANCTION"]),
    ],
)
def test_a_trigger_needs_arguments_of_its_sense(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_an_allegation_without_accuser_is_the_crime_only(extractor: Extractor) -> None:
    assert event_types(extractor, "Tom Baker is accused of stabbing Ann Lee in Leeds.") == ["ASSAULT"]
    assert "ACCUSE" in event_types(extractor, "Prosecutors in Leeds accused Tom Baker of stabbing Ann Lee.")


def test_a_relative_clause_describing_a_participant_is_no_event(extractor: Extractor) -> None:
    text = "Police in Denver arrested the driver who killed a cyclist on Elm Street."
    assert event_types(extractor, text) == ["COERCE"]


def test_play_in_a_game_report_is_no_event(extractor: Extractor) -> None:
    report = (
        "The Colts beat the Chiefs 20-13 in Indianapolis on Sunday. "
        "The Colts attacked the red zone twice before halftime and forced a fumble. "
        "Police in Indianapolis arrested a fan after the game."
    )
    assert is_game_report(report)
    assert event_types(extractor, report) == ["COERCE"]
    assert not is_game_report("Police in Denver arrested 20 protesters in two rounds of raids.")
    shooting = report.replace("Police in Indianapolis arrested a fan", "A gunman shot a fan in Indianapolis")
    assert event_types(extractor, shooting) == ["ASSAULT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The airline apologized to its passengers in Dublin on Monday.", ["CONCEDE"]),
        ("The assembly in Ashgabat voted to cede its powers to President Berdymukhamedov.", ["CONCEDE"]),
        ("Microsoft advised users in Europe to stop using the browser.", ["REQUEST"]),
    ],
)
def test_added_triggers(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert event_types(extractor, text) == expected


def test_what_someone_did_not_say_is_no_event(extractor: Extractor) -> None:
    assert event_types(extractor, "Ann Lee did not say that Tom Baker attacked her in Leeds.") == []


def test_an_assault_told_again_without_its_attacker_is_one_record(extractor: Extractor) -> None:
    retold = "A gunman shot a mother outside a school in Leeds on Monday. A girl was also shot in the arm."
    assert event_types(extractor, retold) == ["ASSAULT"]
    named = "Gunmen shot Ann Lee outside a school in Leeds on Monday. Tom Baker was shot in York."
    assert event_types(extractor, named) == ["ASSAULT", "ASSAULT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple ended its partnership with IBM in Cupertino on Monday.", ["SANCTION"]),
        ("A court in Baku overturned the conviction of Aziz Orujov.", ["CONCEDE"]),
        ("Aeroflot negotiated the purchase of ten jets from Boeing in Moscow.", ["AGREE"]),
        ("Aeroflot negotiated with Boeing in Moscow on Monday.", ["CONSULT"]),
    ],
)
def test_what_is_done_to_an_event_noun_gives_its_type(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an instruction to the reader or a quoted order tells nothing that happened
        ("2. Cut the power to unused heaters and lock the back door.", []),
        ("Please arrest anyone who breaks the curfew in Gweru, the mayor told officers.", []),
        ("Police in Gweru arrested two men on Monday, the mayor told reporters.", ["COERCE"]),
        # a fine is a sanction
        ("The European Commission fined Veltra Systems 1.2 billion euros on Tuesday.", ["SANCTION"]),
        ("The weather in Leeds was fine on Tuesday, officials said.", []),
    ],
)
def test_orders_tell_no_event_and_fines_are_sanctions(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quorix denied the claims and filed a countersuit in California in May.", ["ACCUSE", "REJECT"]),
        ("Halvorsen countersued Quorix in Stockholm on Monday.", ["ACCUSE"]),
    ],
)
def test_a_countersuit_is_a_suit(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Moldova on Thursday ordered a Russian diplomat to leave the country.", ["SANCTION"]),
        ("Kenya ordered the Sudanese ambassador to leave within 72 hours on Monday.", ["SANCTION"]),
        ("Police ordered the protesters to leave the square in Nairobi on Monday.", ["COERCE"]),
    ],
)
def test_an_order_to_leave_the_country_is_an_expulsion(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


def test_an_expulsion_last_year_is_not_the_one_ordered_today(extractor: Extractor) -> None:
    text = (
        "Moldova on Thursday ordered a Russian diplomat to leave the country. "
        "Moldova expelled two Russian diplomats last year over what it called interference."
    )
    assert event_types(extractor, text) == ["SANCTION", "SANCTION"]
