"""Toponyms confirmed by context: look-alike words are not places, local news names its towns with
their state, and a name is read where the article's other places are."""

from __future__ import annotations

import pytest

from streams.contracts import Place
from streams.stages import geo
from streams.stages.geo.toponyms import find_places
from streams.stages.text import sentences


def _places(text: str, dateline: geo.GeoPlace | None = None) -> list[Place]:
    starts = {start for start, _ in sentences(text)}
    return find_places(text, starts, dateline, geo.gazetteer().entries)


def _read(text: str) -> dict[str, tuple[str | None, str | None]]:
    return {p["text"]: (p["country"], p.get("feature")) for p in _places(text)}


@pytest.mark.parametrize(
    "text",
    [
        "Reading the report aloud, the minister paused.",
        "May was the wettest month on record, officials said.",
        "The vote was held in May and counted in March.",
        "Man held after a fight outside a bar.",
        "Shares of Apple Inc. rose after the Delta Program was sold.",
        "He was charged with DUI after the crash.",
        "No charges were filed. For now, the Act stands.",
    ],
)
def test_look_alike_words_are_not_places(text: str) -> None:
    assert _places(text) == []


def test_a_name_used_for_a_person_is_not_a_place() -> None:
    text = "Senator Nancy Pelosi spoke on Monday. Pelosi said the bill would pass. Nancy thanked her staff."
    assert "Nancy" not in _read(text)
    text = "The jury heard from Vincent Jackson on Monday. Jackson denied the charge."
    assert "Jackson" not in _read(text)


@pytest.mark.parametrize(
    ("text", "town", "admin1"),
    [
        ("A teacher from Lebanon, Ohio, won the award.", "Lebanon", "Ohio"),
        ("The fair opened in Paris, Texas, on Saturday.", "Paris", "Texas"),
        ("Firefighters in Delhi, NY, put out the blaze.", "Delhi", "New York"),
        ("The mayor of Athens, Ga., resigned.", "Athens", "Georgia"),
        ("A student from Columbia, Mo. was hurt.", "Columbia", "Missouri"),
    ],
)
def test_a_town_followed_by_its_state_is_the_one_in_that_state(text: str, town: str, admin1: str) -> None:
    by_text = {p["text"]: p for p in _places(text)}
    state = geo.lookup(admin1, country="USA")
    assert state is not None and state["lat"] is not None and state["lon"] is not None
    place = by_text[town]
    assert place["country"] == "USA" and place["feature"] == "city"
    assert place["lat"] is not None and place["lon"] is not None
    assert abs(place["lat"] - state["lat"]) < 5 and abs(place["lon"] - state["lon"]) < 8


def test_a_state_named_elsewhere_chooses_the_reading() -> None:
    """Springfield, Missouri is the largest; an article naming Illinois means Illinois's."""
    (alone,) = _places("The crash happened in Springfield.")
    text = "The crash happened in Springfield. Illinois State Police said the road was icy."
    local = next(p for p in _places(text) if p["text"] == "Springfield")
    assert alone["geonameid"] != local["geonameid"]
    assert local["lat"] is not None and 39.5 < local["lat"] < 40.1  # Springfield, Illinois


def test_a_confirmed_name_is_a_place_wherever_it_is_repeated() -> None:
    text = "A storm hit homes near Nenagh. Nenagh councillors met on Monday."
    assert [p["text"] for p in _places(text)] == ["Nenagh", "Nenagh"]


def test_grammar_marks_small_towns() -> None:
    assert "Riverdale" in _read("Riverdale police are looking for the driver.")
    assert "Southold" in _read("The skeleton was found in the town of Southold last week.")
    assert {"Hilversum", "Almelo"} <= set(_read("The train stops in Hilversum and Almelo."))
    assert "Boise" in _read("In Boise, users are charged by the volume of water.")


def test_a_capitalised_dateline_counts_at_the_start_of_the_text() -> None:
    places = _read("WAUSAU, Wis. (WSAW) -- It took hundreds of reports to close the case.")
    assert places["WAUSAU"] == ("USA", "city")


def test_unlisted_sites_lie_in_the_place_the_article_names() -> None:
    text = "The shooting happened on Royal Street in New Orleans, police said."
    by_text = {p["text"]: p for p in _places(text)}
    site, city = by_text["Royal Street"], by_text["New Orleans"]
    assert site["feature"] == "site" and site["geonameid"] is None
    assert (site["lat"], site["lon"], site["country"]) == (city["lat"], city["lon"], "USA")


def test_seats_of_government_are_places() -> None:
    assert _read("Reporters waited outside the White House.")["White House"] == ("USA", "site")


def _dateline(name: str, country: str) -> geo.GeoPlace:
    place = geo.lookup(name, country=country)
    assert place is not None
    return place


def _countries_of(text: str, name: str, dateline: geo.GeoPlace | None = None) -> set[str | None]:
    return {p["country"] for p in _places(text, dateline) if p["text"] == name}


def test_a_name_keeps_the_reading_its_dateline_or_another_name_pins() -> None:
    text = "PARIS, Texas — A jury convicted a man on Tuesday. Paris police arrested him at his home in Paris."
    assert _countries_of(text, "Paris", _dateline("Paris", "USA")) == {"USA"}
    text = "Athens-Clarke County police arrested a man on Saturday. The Athens man was charged with assault."
    assert _countries_of(text, "Athens") == {"USA"}
    text = "The mayor of Lebanon, Ohio, spoke on Monday. Lebanon has 20,000 people."
    assert _countries_of(text, "Lebanon") == {"USA"}


def test_a_country_name_before_a_noun_of_local_life_is_a_town() -> None:
    text = "A 38-year-old Lebanon man was charged on Friday. Lebanon police said he fled."
    assert _countries_of(text, "Lebanon") == {"USA"}
    text = "A Peru man was hurt in a crash near Kokomo, Indiana, on Sunday."
    (peru,) = [p for p in _places(text) if p["text"] == "Peru"]
    assert peru["country"] == "USA" and peru["feature"] == "city"


def test_the_country_stays_where_the_article_is_about_it() -> None:
    text = "BEIRUT — Lebanon police said on Monday that they arrested two men in Tripoli and Sidon."
    assert _countries_of(text, "Lebanon", _dateline("Beirut", "LBN")) == {"LBN"}
    assert _countries_of("Lebanese officials met in Lebanon on Monday.", "Lebanon") == {"LBN"}
