"""Gazetteer: countries and divisions resolve to their own GeoNames entries, cities by population."""

from __future__ import annotations

import math

import pytest

from streams.stages import geo


def _km(a: geo.GeoPlace | None, lat: float, lon: float) -> float:
    assert a is not None and a["lat"] is not None and a["lon"] is not None
    p1, p2 = math.radians(a["lat"]), math.radians(lat)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon - a["lon"]) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_country_is_its_own_entry_not_its_capital() -> None:
    france = geo.lookup("France")
    assert france is not None
    assert (france["geonameid"], france["country"], france["feature"]) == (3017382, "FRA", "country")
    assert _km(france, 48.8534, 2.3488) > 200  # not Paris


@pytest.mark.parametrize(
    ("name", "iso3"),
    [("U.S.", "USA"), ("the United States", "USA"), ("Britain", "GBR"), ("South Korea", "KOR")],
)
def test_country_aliases(name: str, iso3: str) -> None:
    place = geo.lookup(name)
    assert place is not None and place["country"] == iso3 and place["feature"] == "country"


def test_us_state_resolves_to_the_state() -> None:
    california = geo.lookup("California")
    assert california is not None
    assert (california["geonameid"], california["feature"]) == (5332921, "admin1")
    assert _km(california, 37.25, -119.75) < 161  # inside the state, far from Sacramento's pin
    assert _km(california, 38.58, -121.49) > 161


def test_province_and_abbreviation() -> None:
    assert geo.lookup("Ontario") == geo.lookup("Ont.")
    bavaria = geo.lookup("Bavaria")
    assert bavaria is not None and bavaria["country"] == "DEU" and bavaria["feature"] == "admin1"


def test_city_by_population_and_by_country() -> None:
    paris = geo.lookup("Paris")
    assert paris is not None and paris["country"] == "FRA" and paris["feature"] == "city"
    texas_paris = geo.lookup("Paris", country="USA")
    assert texas_paris is not None and texas_paris["country"] == "USA"
    rio = geo.lookup("Rio de Janeiro")
    assert rio is not None and rio["country"] == "BRA" and _km(rio, -22.9, -43.2) < 20


def test_shared_names_by_weight() -> None:
    georgia = geo.lookup("Georgia")
    assert georgia is not None and georgia["country"] == "GEO"
    us_georgia = geo.lookup("Georgia", country="USA")
    assert us_georgia is not None and us_georgia["feature"] == "admin1"
    new_york = geo.lookup("New York")
    assert new_york is not None and new_york["feature"] == "city"


def test_demonyms_and_regions() -> None:
    french = geo.lookup("French")
    assert french is not None and french["country"] == "FRA"
    europe = geo.lookup("EU")
    assert europe is not None and europe["feature"] == "continent"
    assert "french" in geo.gazetteer().demonyms


def test_unknown_name() -> None:
    assert geo.lookup("Qwzxtplace") is None
    assert geo.normalize("the  Côte-d’Ivoire.") == "cote d'ivoire"


def test_cached_index_answers_like_the_built_one(tmp_path) -> None:
    built = geo.gazetteer()
    path = tmp_path / "gazetteer.marshal"
    geo._dump(built, path)
    loaded = geo._load(path)
    for name in ("Rio de Janeiro", "Texas", "Brazil", "Paris", "French", "Gaza", "Kharkiv"):
        assert loaded.lookup(name) == built.lookup(name), name
        assert [e.rank for e in loaded.entries(name)] == [e.rank for e in built.entries(name)]
    assert loaded.demonyms == built.demonyms
