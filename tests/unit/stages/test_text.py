"""Words and sentences as every stage splits them."""

from __future__ import annotations

from streams.stages.text import WORD, sentences


def test_sentences_keep_abbreviations_together() -> None:
    text = "The U.S. Secretary met Mr. Cho. They agreed.\nNew paragraph here."
    assert [text[s:e] for s, e in sentences(text)] == [
        "The U.S. Secretary met Mr. Cho.",
        "They agreed.",
        "New paragraph here.",
    ]


def test_words_are_runs_of_word_characters_in_any_script() -> None:
    assert WORD.findall("Kyiv's 2 mayors — Київ, 서울!") == ["Kyiv", "s", "2", "mayors", "Київ", "서울"]
