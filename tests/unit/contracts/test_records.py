"""Dead-letter records, dead-letter reasons and the time format of every record."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from streams import contracts

RECEIVED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_dead_letter_keeps_utf8_input_as_text() -> None:
    record = contracts.dead_letter("normalize", "not_json", "Expecting value", b"{oops", RECEIVED)
    contracts.validate(contracts.DEADLETTER, record)
    assert record["original"] == "{oops" and record["original_encoding"] == "utf-8"
    assert record["received_at"] == "2026-03-01T12:00:00.000000Z"


def test_dead_letter_base64_encodes_invalid_utf8() -> None:
    original = b'{"body": "caf\xe9"}'
    record = contracts.dead_letter("normalize", "invalid_utf8", "byte 0xe9", original, RECEIVED)
    contracts.validate(contracts.DEADLETTER, record)
    assert record["original_encoding"] == "base64"
    assert base64.b64decode(record["original"]) == original


def test_rejected_only_takes_known_reasons() -> None:
    assert contracts.Rejected("too_large", "5 MB").reason == "too_large"
    with pytest.raises(ValueError, match="unknown dead-letter reason"):
        contracts.Rejected("bad_vibes", "?")


def test_rfc3339_round_trip() -> None:
    assert contracts.parse_rfc3339(contracts.rfc3339(RECEIVED)) == RECEIVED
