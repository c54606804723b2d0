"""Rules files: good ones parse into rules, bad ones fail with the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams import contracts
from streams.stages.alerts import RulesError, load_rules, parse_rules

EXAMPLE = Path(__file__).resolve().parents[4] / "deploy" / "alerts" / "rules.yaml"

GOOD = """\
rules:
  - name: kharkiv-violence
    description: Violence in or near Kharkiv
    event_types: [ASSAULT, COERCE]
    countries: [UKR]
    place: {name: Kharkiv, lat: 49.98, lon: 36.25, radius_km: 50}
    languages: [en, uk]
    min_sources: 5
    escalation: [20, 50]
  - name: fast-growing
    records: [stories]
    growth: {sources: 5, within_minutes: 30}
  - name: police-in-france
    records: [events]
    actors:
      - {name: police, country: FRA}
"""


def test_good_file_parses_every_field() -> None:
    violence, growing, police = parse_rules(GOOD)
    assert violence.name == "kharkiv-violence"
    assert violence.records == {"events", "stories"}
    assert violence.event_types == {"ASSAULT", "COERCE"}
    assert violence.countries == {"UKR"}
    assert violence.place is not None and violence.place.radius_km == 50
    assert violence.languages == {"en", "uk"}
    assert (violence.min_sources, violence.escalation, violence.line) == (5, (20, 50), 2)
    assert [violence.level(n) for n in (5, 19, 20, 49, 50, 400)] == [1, 1, 2, 2, 3, 3]
    assert growing.records == {"stories"}
    assert growing.growth is not None
    assert (growing.growth.sources, growing.growth.articles, growing.growth.within_minutes) == (5, None, 30)
    assert growing.line == 10
    assert police.actors[0].name == "police" and police.actors[0].country == "FRA"


def test_place_by_name_is_resolved_by_the_gazetteer() -> None:
    (rule,) = parse_rules("rules:\n  - name: kyiv\n    place: {name: Kyiv, country: UKR, radius_km: 30}\n")
    assert rule.place is not None
    assert rule.place.lat == pytest.approx(50.45, abs=0.1)
    assert rule.place.lon == pytest.approx(30.52, abs=0.1)


def test_example_rules_file_loads() -> None:
    rules = load_rules(EXAMPLE)
    assert len(rules) >= 3
    assert any(rule.growth for rule in rules) and any(rule.escalation for rule in rules)


BAD = [
    ("rules:\n  - name: a\n    countries: [Ukraine]\n", 3, "rules[0].countries[0]"),
    (
        "rules:\n  - name: a\n  - name: b\n    event_types: [ASSAULT, explosion]\n",
        4,
        "rules[1].event_types[1]",
    ),
    ("rules:\n  - name: a\n    min_source: 3\n", 2, "'min_source' was unexpected"),
    ("rules:\n  - description: no name\n", 2, "'name' is a required property"),
    ("rules:\n  - name: a\n    place: {lat: 50, radius_km: 10}\n", 3, "rules[0].place"),
    ("rules:\n  - name: a\n    growth: {sources: 5}\n", 3, "'within_minutes' is a required property"),
    ("rules:\n  - name: a\n    min_sources: 0\n", 3, "rules[0].min_sources"),
    (
        "rules:\n  - name: a\n    min_sources: 5\n    escalation: [20, 10]\n",
        4,
        "escalation: thresholds must rise",
    ),
    ("rules:\n  - name: a\n    min_sources: 5\n    escalation: [5]\n", 4, "start above min_sources (5)"),
    (
        "rules:\n  - name: a\n    records: [events]\n    growth: {sources: 5, within_minutes: 30}\n",
        4,
        "growth",
    ),
    ("rules:\n  - name: a\n    records: [stories]\n    actors: [{name: police}]\n", 4, "actors"),
    ("rules:\n  - name: a\n  - name: a\n", 3, "already used on line 2"),
    ("rules:\n  - name: a\n    languages: [en]\n    languages: [fr]\n", 4, "'languages' is given twice"),
    ("rules:\n  - name: a\n    countries: [UKR\n", 4, "not valid YAML"),
    ("rules:\n  - name: a\n\tcountries: [UKR]\n", 3, "not valid YAML"),
    ("", 1, "the file is empty"),
    ("- name: a\n", 1, "top level"),
    ("rules:\n  - name: a\n    place: {name: Nowhereville Qqq, radius_km: 5}\n", 3, "no place called"),
]


@pytest.mark.parametrize(("text", "line", "says"), BAD, ids=[says for _, _, says in BAD])
def test_bad_file_names_line_and_field(text: str, line: int, says: str) -> None:
    with pytest.raises(RulesError) as caught:
        parse_rules(text, "rules.yaml")
    message = str(caught.value)
    assert message.startswith(f"rules.yaml:{line}: "), message
    assert says in message, message


def test_unreadable_file_is_a_rules_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_event_types_are_the_contracts_plover_types() -> None:
    from streams.stages.alerts.rules import _validator

    rule = _validator().schema["$defs"]["Rule"]
    assert rule["properties"]["event_types"]["items"]["enum"] == list(contracts.PLOVER_TYPES)
