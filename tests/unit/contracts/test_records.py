"""Dead-letter records, dead-letter reasons and the time format of every record."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import orjson
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


def test_dead_letter_keeps_a_bounded_prefix_with_the_whole_originals_length_and_digest() -> None:
    original = ("é" * 1000).encode()  # 2000 bytes, two per character
    record = contracts.dead_letter("normalize", "too_large", "big", original, RECEIVED, max_original=1001)
    contracts.validate(contracts.DEADLETTER, record)
    assert record["original"] == "é" * 500, "cut at a character boundary, still UTF-8"
    assert record["original_encoding"] == "utf-8"
    assert record["original_length"] == 2000
    assert record["original_sha256"] == hashlib.sha256(original).hexdigest()


def test_dead_letter_prefix_of_non_utf8_input_is_base64() -> None:
    original = b"\xff" * 3000
    record = contracts.dead_letter("normalize", "invalid_utf8", "bad", original, RECEIVED, max_original=1000)
    assert base64.b64decode(record["original"]) == original[:1000]
    assert record["original_length"] == 3000


def test_a_30_mb_original_makes_a_dead_letter_of_about_the_default_prefix() -> None:
    original = b"y" * 30_000_000
    record = contracts.dead_letter("normalize", "too_large", "big", original, RECEIVED)
    assert len(orjson.dumps(record)) < contracts.DEADLETTER_MAX_ORIGINAL + 1000
    assert record["original_length"] == 30_000_000


def test_whole_originals_under_the_limit_are_kept_as_they_are() -> None:
    record = contracts.dead_letter("dedup", "internal_error", "bug", b'{"id": "a"}', RECEIVED)
    assert record["original"] == '{"id": "a"}' and record["original_length"] == 11


def test_new_reasons_are_known() -> None:
    for reason in ("too_deep", "too_complex", "invalid_date", "timeout"):
        assert contracts.Rejected(reason, "x").reason == reason
