"""Prefilter: only sentences with a word that can carry a trigger get parsed."""

from __future__ import annotations

from streams.stages.extract.prefilter import candidate_sentences, trigger_words
from streams.stages.text import sentences


def test_only_words_that_can_carry_a_trigger_get_a_sentence_parsed() -> None:
    def words(text: str) -> set[str]:
        return trigger_words(text, 0, len(text))

    assert words("Tickets go on sale in March, according to the Free Press.") == set()
    assert words("He will step aside.") == set()
    assert "step" in words("He will step down.")
    assert {"marched", "talks"} <= words("Talks failed and workers marched on the capital.")
    assert "gave" in words("Norway gave assistance to the refugees.")


def test_later_sentences_with_a_participant_are_parsed_and_appeals_are_not() -> None:
    lead = "Nothing here. Nor here. Still nothing."
    later = [
        "He was convicted of murder.",
        "The driver was charged with manslaughter.",
        "Anyone with information is asked to call police at 555-0100.",
        "Sales were strong.",
    ]
    text = " ".join([lead, *later])
    spans = list(sentences(text))
    parsed = [text[s:e] for _, (s, e) in candidate_sentences(text, spans)]
    assert parsed == later[:2]
