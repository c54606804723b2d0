"""The text units every stage splits by: words and sentences, one definition each."""

from __future__ import annotations

import re
from collections.abc import Iterator

#: A word: a run of letters, digits or underscores, in any script.
WORD = re.compile(r"\w+")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:[A-Z]|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Adm|St|Jr|Sr|Prof|No|Jan|Feb|Mar|Apr|Jun|"
    r"Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|vs|etc|[A-Z]\.[A-Z])\.$"
)
_SENTENCE_BREAK = re.compile(r"[.!?][”\"’')\]]*\s+(?=[“\"‘'(\[]?[A-Z0-9])")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Sentence spans: paragraph breaks, then end punctuation before a capital (abbreviations kept)."""
    for paragraph in re.finditer(r"[^\n]+", text):
        start = paragraph.start()
        for match in _SENTENCE_BREAK.finditer(text, paragraph.start(), paragraph.end()):
            if _ABBREVIATION.search(text, start, match.start() + 1):
                continue
            end = match.start() + len(match.group().rstrip())
            if text[start:end].strip():
                yield start, end
            start = match.end()
        while start < paragraph.end() and text[start].isspace():
            start += 1
        end = len(text[: paragraph.end()].rstrip())
        if start < end:
            yield start, end
