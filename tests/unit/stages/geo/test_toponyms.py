"""Toponyms: gazetteer matches over capitalised words, with spans, read in the article's countries."""

from __future__ import annotations

from streams.contracts import Place
from streams.stages import geo
from streams.stages.geo.toponyms import find_places


def _places(text: str, sentence_starts: set[int], dateline: geo.GeoPlace | None = None) -> list[Place]:
    return find_places(text, sentence_starts, dateline, geo.gazetteer().entries)


def test_places_have_spans_and_count_adjectival_and_metonymic_uses() -> None:
    text = (
        "Turkey shelled the town, a French engineer said in Paris. He later flew to Rio de Janeiro, Brazil."
    )
    places = _places(text, {0, text.index("He later")})
    by_text = {p["text"]: p for p in places}
    assert {"Turkey", "French", "Paris", "Rio de Janeiro", "Brazil"} <= set(by_text)
    assert by_text["French"]["country"] == "FRA" and by_text["Turkey"]["feature"] == "country"
    assert all(text[p["start"] : p["end"]] == p["text"] for p in places)


def test_a_small_town_counts_after_a_place_preposition_only() -> None:
    assert [p["text"] for p in _places("Farmers protested in Nenagh on Monday.", {0})] == ["Nenagh"]
    assert _places("Nenagh farmers protested on Monday.", {0}) == []
    assert _places("Officials said Nenagh farmers protested.", {0}) == []


def test_the_articles_countries_choose_among_readings() -> None:
    """Birmingham, England is the larger; an article datelined in, or naming, Alabama means Alabama's."""
    (alone,) = _places("Fires spread in Birmingham.", {0})
    assert alone["country"] == "GBR"
    (datelined,) = _places("Fires spread in Birmingham.", {0}, dateline=geo.lookup("Alabama"))
    assert datelined["country"] == "USA"
    named = {p["text"]: p["country"] for p in _places("Fires spread in Birmingham, Alabama.", {0})}
    assert named == {"Birmingham": "USA", "Alabama": "USA"}
