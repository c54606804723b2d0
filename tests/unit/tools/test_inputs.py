"""Raw article files as `produce`, `bench` and `eval` read them."""

from __future__ import annotations

import io
from pathlib import Path

import orjson

from streams.tools.inputs import read_directory, read_jsonl


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
