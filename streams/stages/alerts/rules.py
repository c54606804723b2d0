"""Alert rules: a YAML file parsed and checked into :class:`Rule` objects, errors naming the line.

The file's shape is a JSON Schema (``rules.schema.json``) checked by jsonschema; the line of an error is
found by walking PyYAML's node tree (whose marks carry lines) along the error's path, so a bad file gets
``rules.yaml:12: rules[1].countries[0]: 'Ukraine' does not match '^[A-Z]{3}$'``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from streams.stages import geo

RECORD_KINDS = ("events", "stories")


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file, the line and the field."""


@dataclass(frozen=True)
class ActorMatch:
    """An actor condition: a name (whole words, any case) and/or an ISO alpha-3 country."""

    name: str | None
    country: str | None


@dataclass(frozen=True)
class PlaceMatch:
    name: str
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class Growth:
    """A story gaining at least ``sources`` new outlets (or ``articles`` new articles) within the window."""

    within_minutes: int
    sources: int | None
    articles: int | None


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    records: frozenset[str]
    event_types: frozenset[str]
    countries: frozenset[str]
    actors: tuple[ActorMatch, ...]
    place: PlaceMatch | None
    languages: frozenset[str]
    min_sources: int
    growth: Growth | None
    #: Source counts at which the rule fires again, one level up (level 1 is the first match).
    escalation: tuple[int, ...]
    line: int

    def level(self, num_sources: int) -> int:
        return 1 + sum(1 for threshold in self.escalation if num_sources >= threshold)


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    text = resources.files("streams.stages.alerts").joinpath("rules.schema.json").read_text("utf-8")
    doc = json.loads(text)
    return jsonschema.validators.validator_for(doc)(doc)


def load_rules(path: Path) -> list[Rule]:
    """The rules of a YAML file; :class:`RulesError` (file, line, field) when it cannot be used."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the rules file: {exc}") from exc
    return parse_rules(text, str(path))


def parse_rules(text: str, filename: str = "<rules>") -> list[Rule]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}" if mark is not None else "?"
        raise RulesError(f"{filename}:{line}: not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"{filename}: not valid YAML: {exc}") from None
    if root is None:
        raise RulesError(f"{filename}:1: the file is empty; it needs a 'rules:' list")
    _check_duplicate_keys(root, filename)
    error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    if error is not None:
        path = list(error.absolute_path)
        node = _node_at(root, path)
        raise RulesError(f"{filename}:{node.start_mark.line + 1}: {_field(path)}: {error.message}")
    rules = [
        _rule(entry, _node_at(root, ["rules", index]), filename) for index, entry in enumerate(data["rules"])
    ]
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.name in seen:
            raise RulesError(
                f"{filename}:{rule.line}: rule name {rule.name!r} is already used on line {seen[rule.name]}"
            )
        seen[rule.name] = rule.line
    return rules


def _rule(entry: dict[str, Any], node: yaml.Node, filename: str) -> Rule:
    line = node.start_mark.line + 1

    def fail(key: str, message: str) -> RulesError:
        child = _node_at(node, [key])
        return RulesError(f"{filename}:{child.start_mark.line + 1}: rule {entry['name']!r}: {key}: {message}")

    records = frozenset(entry.get("records", RECORD_KINDS))
    growth = entry.get("growth")
    if growth is not None and "stories" not in records:
        raise fail("growth", "growth is measured on stories, but the rule reads only events")
    if entry.get("actors") and "events" not in records:
        raise fail("actors", "stories name no actors; a rule with actors must read events")
    escalation = tuple(entry.get("escalation", ()))
    floor = entry.get("min_sources", 0)
    if list(escalation) != sorted(set(escalation)) or (escalation and escalation[0] <= floor):
        raise fail(
            "escalation", f"thresholds must rise and start above min_sources ({floor}): {list(escalation)}"
        )
    return Rule(
        name=entry["name"],
        description=entry.get("description", ""),
        records=records,
        event_types=frozenset(entry.get("event_types", ())),
        countries=frozenset(entry.get("countries", ())),
        actors=tuple(
            ActorMatch(actor.get("name"), actor.get("country")) for actor in entry.get("actors", ())
        ),
        place=_place(entry["place"], fail) if "place" in entry else None,
        languages=frozenset(entry.get("languages", ())),
        min_sources=floor,
        growth=Growth(growth["within_minutes"], growth.get("sources"), growth.get("articles"))
        if growth
        else None,
        escalation=escalation,
        line=line,
    )


def _place(spec: dict[str, Any], fail: Callable[[str, str], RulesError]) -> PlaceMatch:
    """A place by coordinates, or by name through the gazetteer (``country`` settles a shared name)."""
    if "lat" in spec:
        return PlaceMatch(
            spec.get("name", f"{spec['lat']},{spec['lon']}"), spec["lat"], spec["lon"], spec["radius_km"]
        )
    found = geo.lookup(spec["name"], spec.get("country"))
    if found is None or found["lat"] is None or found["lon"] is None:
        raise fail("place", f"no place called {spec['name']!r} in the gazetteer; give lat and lon instead")
    return PlaceMatch(found["name"], found["lat"], found["lon"], spec["radius_km"])


def _node_at(node: yaml.Node, path: Sequence[str | int]) -> yaml.Node:
    """The deepest node along ``path`` (a key or an index per step) that exists."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
        else:
            child = None
        if child is None:
            break
        node = child
    return node


def _field(path: Sequence[str | int]) -> str:
    text = "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".")
    return text or "top level"


def _check_duplicate_keys(node: yaml.Node, filename: str) -> None:
    """PyYAML keeps the last of two equal keys silently; a rules file with one is a mistake."""
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key, value in node.value:
            if key.value in seen:
                raise RulesError(f"{filename}:{key.start_mark.line + 1}: {key.value!r} is given twice")
            seen.add(key.value)
            _check_duplicate_keys(value, filename)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, filename)
