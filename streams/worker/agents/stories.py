"""stories agents: coded articles and reprints → stories and (aggregated) events, state sharded like dedup.

Four hops so that no partition needs to see every article (docs/stories.md):
1. ``stories-route`` computes the article's features, parks them under its id on ``stories.verdicts`` and
   sends one probe per term partition onto ``stories.terms``; ``stories-reprints`` sends each duplicate
   link to its canonical's id there too;
2. ``stories-terms`` scores the article against the stories in its terms' buckets and reports the shares;
   it also stores the terms of an article once its story is known (``store`` messages);
3. ``stories-verdict`` collects one report per term partition, chooses the story (or founds one, its id
   derived from the article's) and sends the join to the story's partition; reprints become mentions;
4. ``stories-story`` updates the story, publishes its record (rate-limited per story) and the events
   aggregated across its articles, and sends the article's terms back to the term partitions.

Messages go to explicit partitions (crc32 of the term, article id or story id), so each table key is
written by the partition that owns it; the leader's timers send sweep and flush messages to every
partition. Every message is decoded and every step run under ``common.guard`` (stage ``stories``).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faust import StreamT

from streams import contracts
from streams.stages import stories
from streams.worker import metrics
from streams.worker.agents.common import check_object, encode, guard, receive, send
from streams.worker.app import Pipeline

STAGE = "stories"
TIMER_KEY = b"~timer"
log = logging.getLogger("newsevents")


@dataclasses.dataclass
class StreamClock:
    """The latest publication time this worker has routed: the story window's "now"."""

    latest: float = 0.0


def register(pipeline: Pipeline) -> None:
    app = pipeline.app
    partitions = pipeline.settings.partitions
    settings = pipeline.settings
    config = dataclasses.replace(
        stories.DEFAULT,
        window_hours=settings.story_window_hours,
        publish_interval=settings.story_publish_interval,
    )
    clock = StreamClock()
    terms = app.Table("stories-terms", default=None, partitions=partitions)
    pending = app.Table("stories-pending", default=None, partitions=partitions)
    assigned = app.Table("stories-assigned", default=None, partitions=partitions)
    waiting = app.Table("stories-waiting", default=None, partitions=partitions)
    states = app.Table("stories-state", default=None, partitions=partitions)

    def owner(key: str) -> int:
        return stories.band_partition(key, partitions)

    async def each_message(
        stream: StreamT[Any], handle: Callable[[dict[str, Any], int, str], Awaitable[None]]
    ) -> None:
        """Each message decoded and handled under ``guard``: a failure dead-letters it, the agent goes on."""

        async def step(raw: bytes, partition: int, key: bytes) -> None:
            message = await receive(pipeline, STAGE, raw, check_object)
            if message is not None:
                await handle(message, partition, (key or b"").decode())

        async for event in stream.events():
            raw = event.value if isinstance(event.value, bytes) else b""
            await guard(pipeline, STAGE, raw, step(raw, event.message.partition, event.key))

    # --- 1. route -------------------------------------------------------------------------------

    @app.agent(pipeline.stories_articles, name="stories-route")
    async def route(stream: StreamT[Any]) -> None:
        await each_message(stream, lambda message, _p, _k: route_article(message))

    async def route_article(coded: dict[str, Any]) -> None:
        """Park the features under the article's id, then probe each term partition (all encoded first)."""
        metrics.RECORDS_IN.labels(STAGE).inc()
        article: contracts.CleanArticle = coded["article"]
        feats = stories.features(article, coded.get("events") or [], coded.get("places") or [], config)
        article_id = feats.article["id"]
        clock.latest = max(clock.latest, feats.ts)
        by_shard = stories.shard_terms(feats.terms, partitions)
        parked = {"features": dataclasses.asdict(feats), "expected": len(by_shard)}
        probe = {"article_id": article_id, "embedding": feats.embedding, "ts": feats.ts}
        probes = [(shard, encode({"probe": {**probe, "terms": group}})) for shard, group in by_shard.items()]
        parked_payload = encode(parked)
        key = article_id.encode()
        await pipeline.stories_verdicts.send(key=key, value=parked_payload, partition=owner(article_id))
        for shard, payload in probes:
            await pipeline.stories_terms.send(key=key, value=payload, partition=shard)

    @app.agent(pipeline.duplicates, name="stories-reprints")
    async def reprints(stream: StreamT[Any]) -> None:
        async def forward(link: dict[str, Any], _partition: int, _key: str) -> None:
            canonical = str(link["canonical_id"])
            message = {"reprint": {"id": link["id"], "seen": link["received_at"]}}
            await send(pipeline.stories_verdicts, message, key=canonical.encode(), partition=owner(canonical))

        await each_message(stream, forward)

    # --- 2. term partitions ---------------------------------------------------------------------

    @app.agent(pipeline.stories_terms, name="stories-terms")
    async def term_partitions(stream: StreamT[Any]) -> None:
        await each_message(stream, on_terms)

    async def on_terms(message: dict[str, Any], shard: int, _key: str) -> None:
        if "sweep" in message:
            stories.expire(terms, shard, float(message["sweep"]), config)
        elif "store" in message:
            stories.store(terms, shard, message["store"], config)
        else:
            probe = message["probe"]
            report = stories.probe(terms, shard, probe["terms"], probe["embedding"], probe["ts"], config)
            article_id = probe["article_id"]
            await send(
                pipeline.stories_verdicts,
                {"report": report},
                key=article_id.encode(),
                partition=owner(article_id),
            )

    # --- 3. verdicts ----------------------------------------------------------------------------

    @app.agent(pipeline.stories_verdicts, name="stories-verdict")
    async def verdicts(stream: StreamT[Any]) -> None:
        await each_message(stream, on_verdict)

    async def on_verdict(message: dict[str, Any], partition: int, article_id: str) -> None:
        if "sweep" in message:
            horizon = float(message["sweep"]) - config.window_seconds
            stories.drop_due(assigned, partition, horizon, "ts", config.slot_seconds)
            return
        if "reprint" in message:
            await reprint(article_id, message["reprint"])
            return
        # The features and each report are rows of their own, each written once: rewriting one row with
        # every report that arrives changelogged the features once per term partition (27 KB an article).
        if "report" in message:
            pending[report_key(article_id, message["report"]["shard"])] = message["report"]
        else:
            pending[article_id] = {"features": message["features"], "expected": message["expected"]}
        parked = pending.get(article_id)
        if parked is None:  # a report can overtake its article: wait for both
            return
        keys = [report_key(article_id, shard) for shard in range(partitions)]
        reports = [report for key in keys if (report := pending.get(key)) is not None]
        if len(reports) < parked["expected"]:
            return
        for key in keys:
            pending.pop(key, None)
        pending.pop(article_id, None)
        await decide(article_id, parked["features"], reports, partition)

    def report_key(article_id: str, shard: int) -> str:
        return f"{article_id}#r{shard}"

    async def decide(article_id: str, feats: dict[str, Any], reports: list[Any], partition: int) -> None:
        chosen, _, dot = stories.choose(reports, config)
        story = chosen or stories.story_id(article_id)
        assigned[article_id] = {"story": story, "ts": feats["ts"]}
        stories.remember(assigned, partition, article_id, feats["ts"], config.slot_seconds)
        weights = {str(shard): terms for shard, terms in stories.unit_weights(reports).items()}  # JSON keys
        join = {"features": feats, "dot": dot, "weights": weights}
        messages = [encode({"join": join})]
        messages += [encode({"mention": {"seen": seen}}) for _, seen in waiting.pop(article_id, None) or []]
        for payload in messages:
            await pipeline.stories_updates.send(key=story.encode(), value=payload, partition=owner(story))

    async def reprint(canonical_id: str, link: dict[str, Any]) -> None:
        known = assigned.get(canonical_id)
        if known is None:  # the canonical is still on its way through extract
            waiting[canonical_id] = [*(waiting.get(canonical_id) or []), [link["id"], link["seen"]]]
            return
        story = known["story"]
        await send(
            pipeline.stories_updates,
            {"mention": {"seen": link["seen"]}},
            key=story.encode(),
            partition=owner(story),
        )

    # --- 4. story partitions --------------------------------------------------------------------

    @app.agent(pipeline.stories_updates, name="stories-story")
    async def story_partitions(stream: StreamT[Any]) -> None:
        await each_message(stream, on_story)

    async def on_story(message: dict[str, Any], partition: int, story: str) -> None:
        if "sweep" in message:
            horizon = float(message["sweep"]) - config.window_seconds
            metrics.STORIES_OPEN.dec(
                len(stories.drop_due(states, partition, horizon, "last_ts", config.slot_seconds))
            )
        elif "flush" in message:
            dirty = states.pop(f"d{partition}", None) or []
            for story_id in dirty:
                state = states.get(story_id)
                record = stories.flush(state) if state else None
                if record is not None:
                    states[story_id] = state
                    await publish_story(record, "flush")
        elif "mention" in message:
            state = states.get(story)
            if state is not None:
                record = stories.mention(state, message["mention"]["seen"], config)
                await keep(state, partition, record, "reprint")
        else:
            await join(message["join"], partition, story)

    async def join(message: dict[str, Any], partition: int, story: str) -> None:
        started = time.perf_counter()
        state = states.get(story)
        if state is None:
            state = stories.new_story(story)
            metrics.STORIES.inc()
            metrics.STORIES_OPEN.inc()
        feats = stories.Features(**message["features"])
        weights = {int(shard): w for shard, w in message["weights"].items()}
        record, events, updates = stories.join(state, feats, message["dot"], weights, config)
        encoded = [(event, encode(event)) for event in events]  # all or none: encoded before any is sent
        stores = [(shard, encode({"store": update})) for shard, update in updates.items()]
        await keep(state, partition, record, "article")
        for shard, payload in stores:
            await pipeline.stories_terms.send(key=story.encode(), value=payload, partition=shard)
        for event, payload in encoded:
            await pipeline.events.send(key=event["event_id"].encode(), value=payload)
            count_event(event)
        metrics.STORY_ARTICLES.observe(state["num_articles"])
        metrics.STAGE_LATENCY.labels(STAGE).observe(time.perf_counter() - started)
        if events:
            received = contracts.parse_rfc3339(feats.article["seen"])
            metrics.END_TO_END_LATENCY.observe((contracts.utc_now() - received).total_seconds())

    async def keep(state: dict[str, Any], partition: int, record: Any, cause: str) -> None:
        """Store the story's state; publish its record, or list it for the flush timer when rate-limited."""
        story = state["story_id"]
        states[story] = state
        stories.remember(states, partition, story, state["last_ts"], config.slot_seconds)
        if record is not None:
            await publish_story(record, cause)
        elif state["dirty"]:
            dirty = states.get(f"d{partition}") or []
            if story not in dirty:
                states[f"d{partition}"] = [*dirty, story]

    async def publish_story(record: contracts.StoryRecord, cause: str) -> None:
        await send(pipeline.stories, record, key=record["story_id"].encode())
        metrics.RECORDS_OUT.labels(STAGE, contracts.STORIES).inc()
        metrics.STORY_RECORDS.labels(cause).inc()

    def count_event(event: contracts.Event) -> None:
        metrics.RECORDS_OUT.labels(STAGE, contracts.EVENTS).inc()
        metrics.EVENTS.labels(event["event_type"]).inc()
        for actor in event["source_actors"] + event["target_actors"]:
            if actor.get("country"):
                metrics.EVENTS_BY_COUNTRY.labels(actor["country"]).inc()

    # --- timers ---------------------------------------------------------------------------------

    async def to_every_partition(message: dict[str, Any], *topics: Any) -> None:
        payload = encode(message)
        try:
            for partition in range(partitions):
                for topic in topics:
                    await topic.send(key=TIMER_KEY, value=payload, partition=partition)
        except Exception:  # the next tick covers this one
            log.exception("stories timer messages could not all be sent")

    @app.timer(max(config.publish_interval, 1.0), on_leader=True)
    async def flush() -> None:
        """Records held back by the per-story rate limit go out at most one interval late."""
        await to_every_partition({"flush": time.time()}, pipeline.stories_updates)

    @app.timer(pipeline.settings.dedup_sweep_interval, on_leader=True)
    async def sweep() -> None:
        """Tables may only be written inside a stream, so the sweep travels as a message per partition.

        The window is of publication time: a sweep expires a window before the latest article this worker
        routed (or the wall clock, if earlier), so a backfill of last month's news keeps last month's
        stories, and an article dated in the future expires nothing. None before the first article.
        """
        if clock.latest:
            await to_every_partition(
                {"sweep": min(time.time(), clock.latest)},
                pipeline.stories_terms,
                pipeline.stories_verdicts,
                pipeline.stories_updates,
            )
