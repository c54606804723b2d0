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
from streams.stages.dedup.shards import band_partition
from streams.stages.stories.expiry import drop_due, due, is_index_key, remember
from streams.stages.stories.features import DEFAULT, Features, StoryConfig, features
from streams.stages.stories.shards import (
    InFlight,
    ShardReport,
    ShardUpdate,
    TermShard,
    choose,
    expire,
    predecessors,
    probe,
    recover_shards,
    register,
    shard_terms,
    store,
    unit_weights,
)
from streams.stages.stories.story import (
    event_key,
    flush,
    forget_rows,
    join,
    member_key,
    mention,
    new_story,
    part_of,
    story_id,
)

__all__ = [
    "DEFAULT",
    "Features",
    "InFlight",
    "ShardReport",
    "ShardUpdate",
    "StoryConfig",
    "StoryOutput",
    "StoryStream",
    "TermShard",
    "band_partition",
    "choose",
    "drop_due",
    "due",
    "event_key",
    "expire",
    "features",
    "flush",
    "forget_rows",
    "is_index_key",
    "join",
    "member_key",
    "mention",
    "new_story",
    "part_of",
    "predecessors",
    "probe",
    "recover_shards",
    "register",
    "remember",
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
    #: every article this call assigned (the article, and reprints that waited for it) → its story
    assigned: dict[str, str] = field(default_factory=dict)


@dataclass
class StoryStream:
    """In-memory driver: the steps in the order the agents run them, over plain dicts."""

    config: StoryConfig = DEFAULT
    partitions: int = 1
    terms: dict[str, Any] = field(default_factory=dict)  # the term partitions' table
    term_shards: dict[int, TermShard] = field(default_factory=dict)  # and what is derived from it
    flights: InFlight = field(default_factory=InFlight)  # the articles in flight on the term partitions
    stories: dict[str, Any] = field(default_factory=dict)  # the story partitions' table
    rows: dict[str, Any] = field(default_factory=dict)  # and what each story writes once (``join``)
    #: article id → {"story", "ts"} (the verdict table)
    assigned: dict[str, Any] = field(default_factory=dict)
    #: canonical id → reprints that arrived before their canonical was assigned: [id, seen]
    waiting: dict[str, list[list[str]]] = field(default_factory=dict)
    #: article id → the story a copy of it joined before dedup linked that copy to it
    copies: dict[str, str] = field(default_factory=dict)
    #: canonical id → its reprints, which are published in whichever half of its story it is
    reprints: dict[str, list[str]] = field(default_factory=dict)

    def add(
        self, article: CleanArticle, events: Sequence[Event] = (), places: Sequence[Place] = ()
    ) -> StoryOutput:
        if article["id"] in self.assigned:  # a redelivery, or a reprint counted as a mention already
            return StoryOutput(self.assigned[article["id"]]["story"])
        feats = features(article, events, places, self.config)
        reports = []
        for shard, terms in shard_terms(feats.terms, self.partitions).items():
            report = probe(self.term_shard(shard), terms, feats.embedding, feats.ts, self.config)
            report["before"] = register(
                self.flights, shard, article["id"], report["weights"], feats.embedding, feats.ts, self.config
            )
            reports.append(report)
        copy = self.copies.pop(article["id"], None)
        chosen, _, dot = choose(reports, self.config, copy if copy in self.stories else None)
        if chosen is None:
            chosen = story_id(article["id"])
            state = new_story(chosen)
        else:
            state = self.stories[chosen]
        self.assigned[article["id"]] = {"story": chosen, "ts": feats.ts}
        remember(
            self.assigned,
            band_partition(article["id"], self.partitions),
            article["id"],
            feats.ts,
            self.config.slot_seconds,
        )
        record, records, updates = join(state, feats, dot, unit_weights(reports), self.rows, self.config)
        self.stories[chosen] = state
        remember(
            self.stories,
            band_partition(chosen, self.partitions),
            chosen,
            state["last_ts"],
            self.config.slot_seconds,
        )
        for shard, update in updates.items():
            store(self.term_shard(shard), update, self.config)
            self.flights.land(shard, article["id"])
        self.sweep(feats.ts)
        out = StoryOutput(chosen, [record] if record else [], records, self.divided(state, article["id"]))
        for reprint_id, seen in self.waiting.pop(article["id"], []):
            held = self.reprint(reprint_id, article["id"], seen)
            out.stories.extend(held.stories)
            out.assigned |= held.assigned
        return out

    def reprint(self, article_id: str, canonical_id: str, seen: str) -> StoryOutput:
        """A reprint joins its canonical's story as a mention; it waits while the canonical is unassigned."""
        if article_id in self.assigned:  # a redelivery, or an article dedup re-linked after assigning it
            known = self.assigned[article_id]["story"]
            if canonical_id not in self.assigned:  # the original is still to come: it joins its copy's story
                self.copies[canonical_id] = known
            return StoryOutput(known)
        canonical = self.assigned.get(canonical_id)
        if canonical is None:
            self.waiting.setdefault(canonical_id, []).append([article_id, seen])
            return StoryOutput()
        chosen = canonical["story"]
        self.assigned[article_id] = {"story": chosen, "ts": canonical["ts"]}
        self.reprints.setdefault(canonical_id, []).append(article_id)
        remember(
            self.assigned,
            band_partition(article_id, self.partitions),
            article_id,
            canonical["ts"],
            self.config.slot_seconds,
        )
        state = self.stories.get(chosen)
        published = canonical.get("part", chosen)
        if state is None:  # the story has left the window (a late link to an old canonical)
            return StoryOutput(chosen, assigned={article_id: published})
        record = mention(state, seen, self.config)
        return StoryOutput(chosen, [record] if record else [], assigned={article_id: published})

    def divided(self, state: dict[str, Any], article_id: str) -> dict[str, str]:
        """Article id → the story it is now published in, for the article just joined and the story's
        articles (and their reprints) that its join moved between the story's halves (``parts``)."""
        moved: dict[str, str] = {}
        for member in dict.fromkeys([article_id, *state.get("members", ())]):
            entry = self.assigned.get(member)
            if entry is None:
                continue
            part = part_of(state, member)
            if "part" not in entry or entry["part"] != part:
                entry["part"] = part
                moved[member] = part
                moved |= {reprint: part for reprint in self.reprints.get(member, ())}
        return moved

    def sweep(self, now_ts: float) -> None:
        """Expire every partition's state past the story window (the workers' timer does this)."""
        horizon = now_ts - self.config.window_seconds
        for partition in range(self.partitions):
            expire(self.term_shard(partition), now_ts, self.config)
            self.flights.expire(partition, horizon)
            drop_due(
                self.stories,
                partition,
                horizon,
                "last_ts",
                self.config.slot_seconds,
                lambda state: forget_rows(state, self.rows),
            )
            drop_due(self.assigned, partition, horizon, "ts", self.config.slot_seconds)

    def term_shard(self, shard: int) -> TermShard:
        return self.term_shards.get(shard) or self.term_shards.setdefault(shard, TermShard(self.terms, shard))

    def story_of(self) -> dict[str, str]:
        """Article id → the story it is published in, for every article assigned and not yet expired."""
        canonical_of = {reprint: canonical for canonical, ids in self.reprints.items() for reprint in ids}
        out = {}
        for key, value in self.assigned.items():
            if not is_index_key(key):
                published = self.assigned.get(canonical_of.get(key, key)) or value
                out[key] = published.get("part", value["story"])
        return out

    def flush(self) -> list[StoryRecord]:
        """Records still held back by the rate limit (the worker's timer sends these)."""
        return [
            record
            for key, state in self.stories.items()
            if not is_index_key(key) and (record := flush(state))
        ]
