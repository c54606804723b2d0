"""JSON Schemas of the output topics (``schemas/``) and validation against them."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import jsonschema


@functools.cache
def schema(topic: str) -> dict[str, Any]:
    text = resources.files("streams.contracts.schemas").joinpath(f"{topic}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@functools.cache
def _validator(topic: str) -> jsonschema.protocols.Validator:
    doc = schema(topic)
    cls = jsonschema.validators.validator_for(doc)
    return cls(doc, format_checker=cls.FORMAT_CHECKER)


def validate(topic: str, record: Any) -> None:
    """Raise ``jsonschema.ValidationError`` when ``record`` breaks the contract of ``topic``."""
    _validator(topic).validate(record)
