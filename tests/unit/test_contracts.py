"""Dead-letter records and the reading side of the replay tools."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from streams import contracts
from streams.kafka_tools import read_directory, read_jsonl

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


def test_read_jsonl_reports_bad_lines_unless_verbatim() -> None:
    data = b'{"id": "a", "body": "x"}\nnot json\n\n["array"]\n'
    read = read_jsonl(io.BytesIO(data))
    assert read.records == [b'{"id": "a", "body": "x"}', b'["array"]']
    assert [number for number, _ in read.bad_lines] == [2]
    assert len(read_jsonl(io.BytesIO(data), verbatim=True).records) == 3


def test_read_directory_makes_one_article_per_file(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("<html><body><p>Hello</p></body></html>")
    (tmp_path / "story.txt").write_text("A story.")
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / "latin1.txt").write_bytes(b"caf\xe9")
    read = read_directory(tmp_path)
    records = [orjson.loads(r) for r in read.records]
    assert [(r["id"], "html" in r, "body" in r) for r in records] == [
        ("page", True, False),
        ("story", False, True),
    ]
    assert len(read.bad_lines) == 1 and "latin1.txt" in read.bad_lines[0][1]
