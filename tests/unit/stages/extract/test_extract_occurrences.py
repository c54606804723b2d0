"""Only occurrences, each once (issue #11, detection): one hand-written sentence or article per rule
that drops or merges a record, next to one the rule must keep."""

from __future__ import annotations

import pytest
from extract_articles import article, event_types

from streams.stages.extract import Extractor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a count of victims with no one named as doing it is a tally, not an attack
        ("About 40 people have been injured in Lagos.", []),
        ("Gunmen killed 12 villagers near Maiduguri on Sunday.", ["ASSAULT"]),
        ("Twelve villagers were killed by gunmen near Maiduguri on Sunday.", ["ASSAULT"]),
        # a clause on a kind of people, in a sentence told in the present
        ("For families of those who were killed by drunk drivers in Ohio, the trial can be hard.", []),
        # a present passive of confinement is a state
        ("At least ten journalists are imprisoned in Baku on false charges.", []),
        ("Police in Baku imprisoned Ali Karimli on Monday.", ["COERCE"]),
        # a definite event noun that times another event was told elsewhere
        ("After the stabbing, Tom Baker ran into the Red Line station in Chicago.", []),
        ("After a stabbing in Chicago, police arrested Tom Baker.", ["COERCE", "ASSAULT"]),
        # what someone only thought happened
        ("I honestly thought Maria Lopez was shot in Quito.", []),
        # a noun the tagger read as a verb ('jails')
        ("Unlike ten other reporters who languish in Azerbaijani jails, Ali Karimli is free.", []),
    ],
)
def test_only_occurrences_are_events(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == sorted(expected)


def test_a_noun_joined_to_an_unreal_one_is_unreal(extractor: Extractor) -> None:
    text = (
        "China and Russia hope that both parties could grasp the chance of the Seoul summit and "
        "the Singapore summit, Wang Yi said in Moscow."
    )
    assert "CONSULT" not in event_types(extractor, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Corp. of Pittsburgh advised that it expects a charge of $175 million.", []),
        ("Microsoft advised users in Seattle to stop using Internet Explorer.", ["REQUEST"]),
        ("Johan de Nysschen of Cadillac shot down rumors of a V8 in New York.", ["REJECT"]),
        ("Syrian forces shot down a Turkish jet near Latakia.", ["ASSAULT"]),
        ("Many older residents of Athens said they are sympathetic to the students.", ["SUPPORT"]),
    ],
)
def test_senses_of_telling_shooting_down_and_feeling(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


def test_verbs_of_one_type_joined_in_a_clause_are_one_event(extractor: Extractor) -> None:
    text = "Police in Brooklyn said officers shot and killed Kimani Gray on Saturday."
    assert event_types(extractor, text) == ["ASSAULT"]


def test_the_same_doer_and_victim_are_one_assault_whether_news_or_background(extractor: Extractor) -> None:
    text = (
        "Tom Baker is accused of stabbing Ann Lee in an alley in Chicago on March 3, 2019. "
        "Police say Baker approached Lee in the alley and stabbed her in the back."
    )
    events = extractor.extract([article(text, published="2019-05-20T12:00:00Z")])[0]
    assert [e["event_type"] for e in events] == ["ASSAULT"]


def test_an_alleged_crime_is_the_articles_one_crime_unless_dated_apart(extractor: Extractor) -> None:
    one = (
        "A Chicago man has been charged with murder in the stabbing death of a chef. "
        "Tom Baker is accused of stabbing Ann Lee in an alley in Chicago."
    )
    assert event_types(extractor, one).count("ASSAULT") == 1
    two = (
        "Tom Baker was convicted in 1998 of assaulting Ann Lee in Chicago. "
        "Baker was also convicted in 2004 of stabbing Joe Smith in Chicago."
    )
    assert event_types(extractor, two).count("ASSAULT") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what someone learned or heard of is a topic
        ("Officials in Seattle said they first learned of the attacks on Monday.", []),
        # a share of people in a poll
        ("Asked about the vote in Ankara, 2.1 percent declared support for the party.", []),
        # a number on a singular the tagger left singular is still a count
        ("Court records in Ohio show Tom Baker has three prior DUI conviction.", []),
        # permission is not the deed
        ("A flaw in Windows allowed hackers to hijack computers in Seattle.", []),
        # 'No one' denies the event
        ("No one was injured in the fire at the church in Wasilla.", []),
        # a finite verb in the past states an occurrence even with no one named
        ("That lawsuit was settled in 1991 out of court in London.", ["AGREE"]),
        ("A lawsuit over the name is pending in London.", []),
    ],
)
def test_topics_shares_permissions_and_deeds_without_actors(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert event_types(extractor, text) == expected


def test_a_trial_of_a_product_is_no_courts(extractor: Extractor) -> None:
    assert "ACCUSE" not in event_types(
        extractor, "Acme Corp. in Denver is offering free two-week trials of its software."
    )
    assert "ACCUSE" in event_types(
        extractor, "The trial of two men accused of arson began in Denver on Monday."
    )
