"""Raw article files as the CLI reads them: JSON lines or a directory of pages, bad lines reported."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson


@dataclass
class ReadResult:
    """Raw records read from a path, plus the lines that could not be used and why."""

    records: list[bytes] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def read_jsonl(stream: IO[bytes], verbatim: bool = False) -> ReadResult:
    """JSON lines as raw bytes; a line that is not JSON is reported (or kept as-is with ``verbatim``)."""
    result = ReadResult()
    for number, line in enumerate(stream, start=1):
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        if not verbatim:
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                result.bad_lines.append((number, f"not JSON: {exc}"))
                continue
        result.records.append(line)
    return result


def read_directory(directory: Path) -> ReadResult:
    """One raw article per ``.html``/``.htm``/``.txt`` file; the file name becomes the id."""
    result = ReadResult()
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".txt") or not path.is_file():
            continue
        try:
            content = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            result.bad_lines.append((0, f"{path.name}: not UTF-8 ({exc.reason})"))
            continue
        field_name = "body" if suffix == ".txt" else "html"
        result.records.append(
            orjson.dumps({"id": path.stem, field_name: content, "meta": {"file": path.name}})
        )
    return result


def read_input(source: str, verbatim: bool = False) -> ReadResult:
    if source == "-":
        return read_jsonl(sys.stdin.buffer, verbatim)
    path = Path(source)
    if path.is_dir():
        return read_directory(path)
    with path.open("rb") as handle:
        return read_jsonl(handle, verbatim)
