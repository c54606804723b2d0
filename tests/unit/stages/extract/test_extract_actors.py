"""Actors: who did what to whom, with spans into the text, coded from their own words."""

from __future__ import annotations

import pytest
from extract_articles import article

from streams.contracts import Actor
from streams.stages.extract import Extractor


def test_compound_actors_expand_and_organisations_code(extractor: Extractor) -> None:
    text = "The G20 and the United Nations condemned the attack on civilians in Kabul."
    (events,) = extractor.extract([article(text)])
    accuse = next(e for e in events if e["event_type"] == "ACCUSE")
    sources = {(a["name"], a["sector"]) for a in accuse["source_actors"]}
    assert ("G20", "IGO") in sources and ("United Nations", "IGO") in sources


def _actors(extractor: Extractor, text: str) -> list[Actor]:
    """Every actor of every event the sentence states, each checked against its span in the text."""
    (events,) = extractor.extract([article(text)])
    actors = [a for e in events for a in (*e["source_actors"], *e["target_actors"])]
    assert all(text[a["start"] : a["end"]] == a["text"] for a in actors)
    return actors


@pytest.mark.parametrize(
    ("text", "real", "junk"),
    [
        (
            "Turkish warplanes on Monday bombed Kurdish rebel positions in northern Iraq.",
            ("Turkish warplanes", "TUR"),
            "Monday",
        ),
        ("Police arrested 12 people in Paris on Saturday evening.", ("12 people", "FRA"), "Saturday evening"),
        (
            "Those who attacked the convoy were arrested by Iraqi police on March 3.",
            ("Iraqi police", "IRQ"),
            "March 3",
        ),
        (
            "China warned the United States on Monday night not to interfere.",
            ("the United States", "USA"),
            "Monday night",
        ),
        ("Japan pledged $10 million for Bangladesh on Tuesday.", ("Bangladesh", "BGD"), "Tuesday"),
    ],
)
def test_dates_and_times_are_not_actors(
    extractor: Extractor, text: str, real: tuple[str, str], junk: str
) -> None:
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries.get(real[0]) == real[1]
    assert junk not in countries


def test_a_month_inside_a_name_is_kept(extractor: Extractor) -> None:
    names = {
        a["text"] for a in _actors(extractor, "In May, Theresa May met Chancellor Angela Merkel in Berlin.")
    }
    assert "Theresa May" in names and "May" not in names


def test_determiners_and_capitalised_common_words_are_not_places(extractor: Extractor) -> None:
    """'The' is also an alternate name of Teresina, Brazil; 'East' a Cameroonian region."""
    (army,) = _actors(extractor, "The army shelled the town at 5 a.m. on Sunday, residents said.")
    assert (army["text"], army["sector"]) == ("The army", "MIL") and army["country"] != "BRA"
    text = "The unification ministry in Seoul urged Pyongyang to respond to its offer of military talks."
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries == {"The unification ministry in Seoul": "KOR", "Pyongyang": "PRK"}
    text = "Madeleine Albright arrived in Cairo on Sunday to push the Middle East peace process."
    assert "CMR" not in {a["country"] for a in _actors(extractor, text)}


def test_pronouns_and_name_parts_are_not_organisations(extractor: Extractor) -> None:
    """The pronoun 'who' is not the WHO, nor the 'Un' of a Korean name the UN."""
    text = "Kim Jong Un vowed to annihilate South Korea if attacked, state media KCNA reported."
    kim = next(a for a in _actors(extractor, text) if a["text"] == "Kim Jong Un")
    assert kim["sector"] != "IGO"
    text = (
        "Authorities have arrested the son of a woman who was walking outside the store when she was "
        "struck by a motorist."
    )
    actors = _actors(extractor, text)
    assert ("Authorities", "GOV") in [(a["text"], a["sector"]) for a in actors]
    assert not any("who" in a["text"].split() or a["sector"] == "IGO" for a in actors)


@pytest.mark.parametrize(
    ("text", "quoted", "country"),
    [
        (
            'Iran\'s foreign minister said the "American aggressors" attacked Syria on Sunday.',
            'the "American aggressors"',
            "USA",
        ),
        (
            'Syria\'s government rejected the "so-called opposition in Geneva" and its demands.',
            'the "so-called opposition in Geneva"',
            "CHE",
        ),
    ],
)
def test_actors_never_split_a_quotation(extractor: Extractor, text: str, quoted: str, country: str) -> None:
    actors = _actors(extractor, text)
    assert all(a["text"].count('"') % 2 == 0 for a in actors)
    assert {a["text"]: a["country"] for a in actors}[quoted] == country


def test_clauses_are_not_part_of_an_actor(extractor: Extractor) -> None:
    text = (
        "NATO foreign ministers on Wednesday expressed strong support for Moldova's sovereignty and its "
        "pro-European government, which accuses Russia of trying to destabilise the country."
    )
    actors = _actors(extractor, text)
    assert not any("which" in a["text"] or "support" in a["text"] for a in actors)
    assert ("NATO foreign ministers", "IGO") in {(a["text"], a["sector"]) for a in actors}
    assert "MDA" in {a["country"] for a in actors}


def test_events_are_not_actors_their_owners_are(extractor: Extractor) -> None:
    text = "Ethiopia on Thursday rejected Egypt's demand for a binding agreement on the dam."
    assert {a["text"]: a["country"] for a in _actors(extractor, text)} == {"Ethiopia": "ETH", "Egypt": "EGY"}
    text = "Egypt on Tuesday condemned the Israeli raid on southern Lebanon."
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries["Israeli"] == "ISR" and "the Israeli raid" not in countries


def test_an_adjective_is_an_actor_only_as_a_demonym(extractor: Extractor) -> None:
    actors = _actors(extractor, "He said military cooperation with Russia had increased.")
    assert [(a["text"], a["country"]) for a in actors] == [("Russia", "RUS")]


def test_actors_of_adjunct_clauses_and_of_ready_to(extractor: Extractor) -> None:
    """Where a dropped weekday used to carry the other side's country, the real actor must."""
    text = (
        "Chinese Premier Li Peng on Wednesday met visiting Japanese Foreign Minister Keizo Obuchi in Beijing."
    )
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries["Japanese Foreign Minister Keizo Obuchi"] == "JPN" and "Wednesday" not in countries
    text = "Syria said on Monday it was ready to resume peace talks with Israel."
    (event,) = extractor.extract([article(text)])[0]
    assert [a["country"] for a in event["source_actors"]] == ["SYR"]
    assert [a["country"] for a in event["target_actors"]] == ["ISR"]
