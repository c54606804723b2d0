"""Which sentences get parsed. The parser bounds the stage's throughput, so a regex sentence splitter
and the lexicon's word forms pick the few sentences that can state an event before it runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from streams.stages.extract.coding import BAD, GOOD
from streams.stages.extract.grammar import LEMMAS
from streams.stages.extract.lexicon import LIGHT_VERBS, NOUNS, SECTORS, VERBS, words
from streams.stages.extract.senses import PEOPLE
from streams.stages.text import WORD

#: Sentences this far into the article are its lead: events live there, so they score higher.
LEAD_SENTENCES = 3
#: Sentences after the lead parsed per article at most: throughput is bounded by the parser.
MAX_LATER_SENTENCES = 10
#: Page furniture that reads like an event: appeals for witnesses ('Police are asking for your help',
#: 'Anyone with information is asked to call...').
_FURNITURE = re.compile(
    r"\banyone with (?:any )?information\b"
    r"|\banyone who (?:may )?(?:have|has) (?:seen|witnessed|information|knowledge)\b"
    r"|\b(?:asking|asks|ask|urging|urges|urge) (?:for )?(?:the public|your|residents|anyone)\b"
    r"|\bcall (?:crime ?stoppers|police at)\b"
    r"|\bcontact (?:police|detectives|investigators|crime ?stoppers)\b",
    re.IGNORECASE,
)
#: Lower-case words for participants a sentence can name without a capital: 'police', 'they'.
_ACTOR_WORDS = (
    frozenset(form for key in SECTORS if " " not in key for form in (key, key + "s") if form.isalpha())
    | PEOPLE
    | frozenset(words("he she they him her them we i"))
)
_VERB_TRIGGER_FORMS = frozenset(
    form for form, lemma in LEMMAS.items() if lemma in {k.split()[0] for k in VERBS}
)


def _phrasal_forms() -> dict[str, frozenset[str]]:
    """Form of a verb that states an event only with a particle or object ('step down', 'lodge a
    complaint') → the forms of those words."""
    heads = {k.split()[0] for k in VERBS if " " in k} - set(VERBS) - set(NOUNS) - LIGHT_VERBS
    forms_of: dict[str, set[str]] = {}
    for form, lemma in LEMMAS.items():
        forms_of.setdefault(lemma, {lemma}).add(form)
    return {
        form: frozenset(f for k in VERBS if k.startswith(head + " ") for f in forms_of[k.split()[1]])
        for head in heads
        for form in forms_of[head]
    }


_PHRASAL = _phrasal_forms()
#: Forms of the words that can carry a trigger (a noun matches by its own lemma, so only the plural of a
#: one-word noun key counts: 'according' or the 'air' of 'air strike' never does), and words that judge
#: ('"unjustified"', 'a sham': criticism or support when said of something): a sentence with none of them
#: is never parsed.
_TRIGGER_FORMS = (
    _VERB_TRIGGER_FORMS
    | frozenset(
        form
        for key in NOUNS
        if " " not in key
        for form in (key, key + "s", key + "es", key[:-1] + "ies")
        if LEMMAS.get(form) == key
    )
    | BAD
    | GOOD
)
_LIGHT_VERB_FORMS = frozenset(form for form, lemma in LEMMAS.items() if lemma in LIGHT_VERBS)
_PREFILTER_FORMS = _TRIGGER_FORMS | _LIGHT_VERB_FORMS


def candidate_sentences(text: str, spans: list[tuple[int, int]]) -> Iterator[tuple[int, tuple[int, int]]]:
    """Sentences worth a parse: lead sentences with a trigger word, later ones with a trigger word and
    someone to do it (a name, a place, an organisation, a group such as 'police', a pronoun), at most
    ``MAX_LATER_SENTENCES`` of those; never an appeal for witnesses."""
    later = 0
    for number, (start, end) in enumerate(spans):
        found = WORD.findall(text, start, end)
        if not trigger_words(text, start, end, found) & _TRIGGER_FORMS or _FURNITURE.search(text, start, end):
            continue
        if number < LEAD_SENTENCES:
            yield number, (start, end)
            continue
        if later < MAX_LATER_SENTENCES and _names_someone(found):
            later += 1
            yield number, (start, end)


def _names_someone(found: list[str]) -> bool:
    """A capitalised word after the first (a person, a place, an organisation), a word for a group that
    acts ('police', 'prosecutors') or a personal pronoun ('He resigned'): an event needs a participant."""
    return any(word[0].isupper() for word in found[1:]) or not _ACTOR_WORDS.isdisjoint(
        word.lower() for word in found
    )


def trigger_words(text: str, start: int, end: int, found: list[str] | None = None) -> set[str]:
    """The sentence's words in lower case that may carry a trigger. Capitalised ones after the first
    are left out (the tagger reads them as names: 'March 3', 'Free Syrian Army'), and so is a verb that
    states an event only with its particle or object ('step down') when the sentence lacks that word.
    ``found``: the sentence's words, when the caller has them already."""
    if found is None:
        found = WORD.findall(text, start, end)
    if not found:
        return set()
    present = set(found)
    words = present & _PREFILTER_FORMS
    if found[0].lower() in _PREFILTER_FORMS:
        words.add(found[0].lower())
    return {w for w in words if w not in _PHRASAL or not present.isdisjoint(_PHRASAL[w])}
