"""Stories: each unique article joins a story of the same real-world happening or founds one, as it arrives.

Like dedup, a chain of steps over sharded state, so no partition sees every article: ``features`` of the
article, ``probe`` on each partition owning some of its terms, ``choose`` on the partition owning the
article's id, ``join`` on the partition owning the story's id, which sends ``store`` updates back to the
term partitions. The workers run those steps as agents over Faust tables; ``StoryStream`` runs them in
the same order over dicts (eval, bench, tests), so what is measured is what runs. Rationale and
measurements: docs/stories.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.contracts import CleanArticle, Event, Place, StoryRecord
from streams.stages.stories.features import DEFAULT, Features, StoryConfig, features
from streams.stages.stories.shards import (
    ShardReport,
    ShardUpdate,
    choose,
    expire,
    probe,
    shard_of,
    shard_terms,
    store,
    unit_weights,
)
from streams.stages.stories.story import flush, join, mention, new_story, story_id

__all__ = [
    "DEFAULT",
    "Features",
    "ShardReport",
    "ShardUpdate",
    "StoryConfig",
    "StoryOutput",
    "StoryStream",
    "choose",
    "expire",
    "features",
    "flush",
    "join",
    "mention",
    "new_story",
    "probe",
    "shard_of",
    "shard_terms",
    "store",
    "story_id",
    "unit_weights",
]


@dataclass
class StoryOutput:
    story_id: str | None = None
    stories: list[StoryRecord] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class StoryStream:
    """In-memory driver: the steps in the order the agents run them, over plain dicts."""

    config: StoryConfig = DEFAULT
    partitions: int = 1
    terms: dict[str, Any] = field(default_factory=dict)  # the term partitions' table
    stories: dict[str, Any] = field(default_factory=dict)  # the story partitions' table
    assigned: dict[str, str] = field(default_factory=dict)  # article id → story id (the verdict table)
    #: canonical id → reprints that arrived before their canonical was assigned: [id, seen]
    waiting: dict[str, list[list[str]]] = field(default_factory=dict)

    def add(
        self, article: CleanArticle, events: Sequence[Event] = (), places: Sequence[Place] = ()
    ) -> StoryOutput:
        feats = features(article, events, places, self.config)
        reports = [
            probe(self.terms, shard, terms, feats.embedding, feats.ts, self.config)
            for shard, terms in shard_terms(feats.terms, self.partitions).items()
        ]
        chosen, _, dot = choose(reports, self.config)
        if chosen is None:
            state = new_story(article["id"])
            chosen = state["story_id"]
        else:
            state = self.stories[chosen]
        self.assigned[article["id"]] = chosen
        record, records, updates = join(state, feats, dot, unit_weights(reports), self.config)
        self.stories[chosen] = state
        for shard, update in updates.items():
            store(self.terms, shard, update, self.config)
        out = StoryOutput(chosen, [record] if record else [], records)
        for reprint_id, seen in self.waiting.pop(article["id"], []):
            out.stories.extend(self.reprint(reprint_id, article["id"], seen).stories)
        return out

    def reprint(self, article_id: str, canonical_id: str, seen: str) -> StoryOutput:
        """A reprint joins its canonical's story as a mention; it waits while the canonical is unassigned."""
        if article_id in self.assigned:  # a redelivery, or an article dedup re-linked after assigning it
            return StoryOutput(self.assigned[article_id])
        chosen = self.assigned.get(canonical_id)
        if chosen is None:
            self.waiting.setdefault(canonical_id, []).append([article_id, seen])
            return StoryOutput()
        self.assigned[article_id] = chosen
        record = mention(self.stories[chosen], seen, self.config)
        return StoryOutput(chosen, [record] if record else [])

    def flush(self) -> list[StoryRecord]:
        """Records still held back by the rate limit (the worker's timer sends these)."""
        return [record for state in self.stories.values() if (record := flush(state))]
