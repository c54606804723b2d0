"""Extract stage: clean English articles → PLOVER event records whose every field points at its words.

Cheap first, expensive last, because the parser bounds throughput: regex sentences, gazetteer places
and trigger word forms pick the sentences that can state an event (``prefilter``); only those go
through spaCy's tagger and parser (``nlp``), in one batch per stream batch. Event type (``coding``),
actors (``actors``), place and date (``dates``) are read off the dependency tree around the trigger,
so they come from the clause that states the event; ``records`` merges retellings into records.
"""

from __future__ import annotations

import functools

from spacy.tokens import Doc
from threadpoolctl import ThreadpoolController

from streams.contracts import CleanArticle, Event, Place
from streams.stages import geo
from streams.stages.extract.genre import is_game_report, is_play, is_play_trigger
from streams.stages.extract.nlp import load_spacy, one_blas_thread
from streams.stages.extract.prefilter import candidate_sentences
from streams.stages.extract.records import article_context, event_record, merge_drafts, sentence_events
from streams.stages.geo.toponyms import article_reading, find_places
from streams.stages.text import sentences


class Extractor:
    """The extract stage. Build once per process: it loads spaCy and the gazetteer."""

    def __init__(self, batch_size: int = 64) -> None:
        self.nlp = load_spacy()
        self.gazetteer = geo.gazetteer()
        #: Names recur across an article and a stream; a lookup normalises and ranks the bucket each time.
        self._entries = functools.lru_cache(maxsize=1 << 16)(self.gazetteer.entries)
        self.batch_size = batch_size
        self._blas = ThreadpoolController()

    def extract(self, articles: list[CleanArticle]) -> list[list[Event]]:
        """Events per article (same order); [] for articles not in English. The articles are not changed."""
        return [events for events, _ in self.code(articles)]

    def code(self, articles: list[CleanArticle]) -> list[tuple[list[Event], list[Place]]]:
        """Events and the places found on the way, per article: the story stage uses both."""
        jobs: list[tuple[int, int, int, int]] = []
        places_of: dict[int, list[Place]] = {}
        for index, article in enumerate(articles):
            if article.get("language") != "en":
                continue
            text = article["text"]
            spans = list(sentences(text))
            places = places_of[index] = self.places(article, spans)
            jobs.extend((index, number, s, e) for number, (s, e) in candidate_sentences(text, spans))
        texts = (articles[index]["text"][start:end] for index, _, start, end in jobs)
        parsed: dict[int, list[tuple[int, int, Doc]]] = {}
        with one_blas_thread(self._blas):
            docs = self.nlp.pipe(texts, batch_size=self.batch_size)
            for (index, number, start, end), doc in zip(jobs, docs, strict=True):
                doc.user_data["text"] = articles[index]["text"][start:end]  # grammar.sentence_text
                parsed.setdefault(index, []).append((number, start, doc))
        results: list[tuple[list[Event], list[Place]]] = [([], []) for _ in articles]
        for index, places in places_of.items():
            results[index] = (self._events(articles[index], places, parsed.get(index, [])), places)
        return results

    def _events(
        self, article: CleanArticle, places: list[Place], parsed: list[tuple[int, int, Doc]]
    ) -> list[Event]:
        """The records of one article's parsed sentences. Its date and genre are read only when a
        sentence states something: most sentences and many articles state nothing."""
        if not parsed:
            return []
        context = article_context(article, places, self.gazetteer, article_reading(self._entries, places))
        drafts = [d for number, start, doc in parsed for d in sentence_events(doc, start, number, context)]
        play = [is_play_trigger(d.plover, d.evidence["trigger"]) for d in drafts]
        if any(play) and is_game_report(article["text"]):
            drafts = [
                d for d, p in zip(drafts, play, strict=True) if not p or not is_play(d.evidence["sentence"])
            ]
        return [event_record(article, draft) for draft in merge_drafts(drafts, article["text"])]

    def places(self, article: CleanArticle, spans: list[tuple[int, int]] | None = None) -> list[Place]:
        """Toponyms of an article with spans into its text and their GeoNames entries ([] unless it is in
        English): the places ``extract`` codes events with, and the ones the geo evaluation scores.
        ``spans``: the text's sentences, when the caller has them already."""
        if article.get("language") != "en":
            return []
        text = article["text"]
        starts = {start for start, _ in (sentences(text) if spans is None else spans)}
        return find_places(text, starts, article.get("dateline"), self._entries)
