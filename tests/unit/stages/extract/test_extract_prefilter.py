"""Prefilter: only sentences with a word that can carry a trigger get parsed."""

from __future__ import annotations

from streams.stages.extract.prefilter import trigger_words


def test_only_words_that_can_carry_a_trigger_get_a_sentence_parsed() -> None:
    def words(text: str) -> set[str]:
        return trigger_words(text, 0, len(text))

    assert words("Tickets go on sale in March, according to the Free Press.") == set()
    assert words("He will step aside.") == set()
    assert "step" in words("He will step down.")
    assert {"marched", "talks"} <= words("Talks failed and workers marched on the capital.")
    assert "gave" in words("Norway gave assistance to the refugees.")
