"""stories agents: coded articles and reprints → stories and (aggregated) events, state sharded like dedup.

Three hops after extract, so that no partition needs to see every article (docs/stories.md):
1. the extract agent hands each coded batch to ``route`` (returned by ``register``): it computes each
   article's features, parks them under the article's id on ``stories.verdicts`` (one message per
   article), then sends the parked articles' probes onto ``stories.terms`` as one ``{"probes": [...]}``
   message per term partition for the batch (routing in extract saves a hop and a copy of the coded
   article); ``stories-reprints`` sends each duplicate link to the reprint's id there too (counted once
   there, then passed to its canonical's id);
2. ``stories-terms`` scores each article of a probe message against the stories in its terms' buckets,
   lists it as in flight on its terms and reports the shares and the articles in flight before it, one
   ``{"reports": [...]}`` message per verdict partition (each report names its article); it also stores
   the terms of an article once its story is known (``store`` messages);
3. ``stories-verdict`` collects one report per term partition, waits for the articles in flight before
   it (then probes again: one probe message per term partition for that article alone), chooses the
   story (or founds one, its id derived from the article's) and sends the join to the story's partition;
   reprints become mentions;
4. ``stories-story`` updates the story, publishes its record (rate-limited per story) and the events
   aggregated across its articles, and sends the article's terms back to the term partitions.

Batch messages carry records that were each encoded (and size-checked) alone, and each record in one is
handled under its own guard, as in dedup: a bad article is dead-lettered alone, never its batch.

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
from streams.worker.agents.common import (
    Derived,
    check_object,
    encode,
    forget_on_rebalance,
    guard,
    receive,
    send,
    send_batched,
)
from streams.worker.app import Pipeline

STAGE = "stories"
TIMER_KEY = b"~timer"
log = logging.getLogger("newsevents")


@dataclasses.dataclass
class StreamClock:
    """The latest publication time this worker has routed: the story window's "now"."""

    latest: float = 0.0

    def now(self) -> float:
        """The window's "now": the wall clock, or the latest publication if earlier (a backfill)."""
        return min(time.time(), self.latest) if self.latest else time.time()


Coded = tuple[contracts.CleanArticle, list[contracts.Event], list[contracts.Place]]
Route = Callable[[list[Coded]], Awaitable[int]]


def register(pipeline: Pipeline, in_flight: stories.InFlight) -> Route:
    """Register the story agents and timers; returns the route step, which the extract agent runs.
    ``in_flight`` lists the articles probed on this worker's term partitions and not yet stored."""
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
    story_rows = app.Table("stories-rows", default=None, partitions=partitions)
    term_shards = Derived(
        lambda: stories.recover_shards(terms, partitions, config),
        lambda shard: stories.TermShard(terms, shard),
    )
    forget_on_rebalance(app, term_shards, in_flight)
    metrics.STORY_IN_FLIGHT.set_function(lambda: len(in_flight.listed))

    def owner(key: str) -> int:
        return stories.band_partition(key, partitions)

    async def to_owner(topic: Any, key: str, message: dict[str, Any]) -> None:
        """Send ``message`` keyed by ``key`` to the partition that owns that key's rows."""
        await send(topic, message, key=key.encode(), partition=owner(key))

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

    # --- 1. route (in the extract agent) -------------------------------------------------------

    async def route(batch: list[Coded]) -> int:
        """Park each article of an extract batch under its id, then send the parked ones' probes: one
        message per term partition for the batch (parks first, so that no report waits for a park that
        was never sent). Returns how many were parked."""
        metrics.RECORDS_IN.labels(STAGE).inc(len(batch))
        parked: list[tuple[contracts.CleanArticle, list[tuple[int, bytes]]]] = []

        async def park(
            article: contracts.CleanArticle, events: list[contracts.Event], places: list[contracts.Place]
        ) -> None:
            """The article's features parked, its probes encoded first (each article under its own guard)."""
            feats = stories.features(article, events, places, config)
            article_id = feats.article["id"]
            clock.latest = max(clock.latest, feats.ts)
            probe = {
                "article_id": article_id,
                "embedding": feats.embedding,
                "ts": feats.ts,
                "terms": feats.terms,
            }
            probes = [(shard, encode(message)) for shard, message in shard_probes(probe, 0)]
            payload = encode({"features": feats, "expected": len(probes)})  # orjson writes dataclasses
            await pipeline.stories_verdicts.send(
                key=article_id.encode(), value=payload, partition=owner(article_id)
            )
            parked.append((article, probes))

        for article, events, places in batch:
            await guard(pipeline, STAGE, article, park(article, events, places))
        records = [(shard, article, payload) for article, probes in parked for shard, payload in probes]
        await send_batched(pipeline, STAGE, pipeline.stories_terms, "probes", records)
        return len(parked)

    def shard_probes(probe: dict[str, Any], round_: int) -> list[tuple[int, dict[str, Any]]]:
        """The article's probe split by term partition; ``round_`` counts its probes (0 first, then one more
        after each article it waited for)."""
        return [
            (shard, {**probe, "terms": group, "round": round_})
            for shard, group in stories.shard_terms(probe["terms"], partitions).items()
        ]

    @app.agent(pipeline.duplicates, name="stories-reprints")
    async def reprints(stream: StreamT[Any]) -> None:
        async def forward(link: dict[str, Any], _partition: int, _key: str) -> None:
            reprint_id, canonical = str(link["id"]), str(link["canonical_id"])
            message = {"reprint": {"canonical": canonical, "seen": link["received_at"]}}
            await to_owner(pipeline.stories_verdicts, reprint_id, message)

        await each_message(stream, forward)

    # --- 2. term partitions ---------------------------------------------------------------------

    @app.agent(pipeline.stories_terms, name="stories-terms")
    async def term_partitions(stream: StreamT[Any]) -> None:
        await each_message(stream, on_terms)

    async def on_terms(message: dict[str, Any], shard: int, _key: str) -> None:
        if "sweep" in message:
            stories.expire(term_shards[shard], float(message["sweep"]), config)
            in_flight.expire(shard, float(message["sweep"]) - config.window_seconds)
        elif "store" in message:
            stories.store(term_shards[shard], message["store"], config)
            in_flight.land(shard, message["store"]["article_id"])
        elif "unlist" in message:
            in_flight.land(shard, message["unlist"])
        else:
            await probe_and_report(message["probes"], shard)

    async def probe_and_report(probes: list[dict[str, Any]], shard: int) -> None:
        """Probe each article of a probe message under its own guard; one report message per verdict
        partition (the report names its article: the message has no key)."""
        reports: list[tuple[int, object, bytes]] = []

        async def probe_one(probe: dict[str, Any]) -> None:
            article_id, round_ = probe["article_id"], probe.get("round", 0)
            report = stories.probe(
                term_shards[shard], probe["terms"], probe["embedding"], probe["ts"], config
            )
            report["before"] = stories.register(
                in_flight,
                shard,
                article_id,
                report["weights"],
                probe["embedding"],
                probe["ts"],
                config,
                first=not round_,
            )
            payload = encode({"article_id": article_id, "report": report, "round": round_})
            reports.append((owner(article_id), probe, payload))

        for probe in probes:
            await guard(pipeline, STAGE, probe, probe_one(probe))
        await send_batched(pipeline, STAGE, pipeline.stories_verdicts, "reports", reports)

    # --- 3. verdicts ----------------------------------------------------------------------------

    @app.agent(pipeline.stories_verdicts, name="stories-verdict")
    async def verdicts(stream: StreamT[Any]) -> None:
        await each_message(stream, on_verdict)

    async def on_verdict(message: dict[str, Any], partition: int, article_id: str) -> None:
        if "sweep" in message:
            horizon = time.time() - config.window_seconds  # rows filed by arrival (the wall clock)
            stories.drop_due(assigned, partition, horizon, "ts", config.slot_seconds)
            await expire_pending(partition, horizon)
        elif "reprint" in message:
            await reprint(article_id, message["reprint"], partition)
        elif "mention" in message:
            await mention(article_id, message["mention"])
        elif "await" in message:
            await awaited(article_id, message["await"])
        elif "copy" in message:
            if assigned.get(article_id) is None:
                hold(article_id, message)
        elif "go" in message:
            parked = pending.get(article_id)
            if parked is not None and parked.get("awaiting") == message["go"]:
                await go_on(article_id, parked, partition)
        elif "reports" in message:
            for item in message["reports"]:
                await guard(pipeline, STAGE, item, collect(item, partition))
        elif assigned.get(article_id) is None:  # else a redelivery, or a reprint counted as a mention already
            since = time.time()
            parked = {"expected": message["expected"], "round": 0, "since": since}
            stories.remember(pending, partition, article_id, since, config.slot_seconds)
            pending[features_key(article_id)] = message["features"]
            pending[article_id] = parked
            await settle(article_id, parked, partition)

    async def collect(item: dict[str, Any], partition: int) -> None:
        """One term partition's report on an article (of a report message, each under its own guard)."""
        article_id = item["article_id"]
        known = assigned.get(article_id)
        if known is not None:  # a repeated probe's, once the article is assigned
            if known["story"] is None:  # counted as a reprint first: its terms never come to land it
                shard = item["report"]["shard"]
                await send(
                    pipeline.stories_terms, {"unlist": article_id}, key=article_id.encode(), partition=shard
                )
            return
        # The features, each report and the article's progress are rows of their own, and only the small
        # progress row is rewritten: one row rewritten with every report that arrived changelogged the
        # features once per term partition (27 KB an article).
        round_ = item.get("round", 0)
        key = report_key(article_id, item["report"]["shard"])
        stored = pending.get(key)
        if stored is not None and stored["round"] > round_:  # an older probe round's, arriving late
            return
        pending[key] = {"round": round_, "report": item["report"]}
        parked = pending.get(article_id)
        if parked is None:  # a report can overtake its article: wait for both
            stories.remember(pending, partition, article_id, time.time(), config.slot_seconds)
            return
        if round_ > parked.get("round", 0):  # the first report of a repeated probe
            parked = {**parked, "round": round_, "awaiting": None}
            pending[article_id] = parked
        await settle(article_id, parked, partition)

    def report_key(article_id: str, shard: int) -> str:
        return f"{article_id}#r{shard}"

    def features_key(article_id: str) -> str:
        return f"{article_id}#f"

    def unpark(article_id: str) -> None:
        for key in [report_key(article_id, shard) for shard in range(partitions)]:
            pending.pop(key, None)
        pending.pop(features_key(article_id), None)
        pending.pop(article_id, None)

    async def settle(article_id: str, parked: dict[str, Any], partition: int) -> None:
        """Decide once every term partition has reported on the current probe, unless an article probed
        before this one on some term partition is still undecided: then wait for it (``awaited``), and
        probe again once its terms are stored."""
        if parked.get("awaiting"):
            return
        keys = [report_key(article_id, shard) for shard in range(partitions)]
        rows = [row for key in keys if (row := pending.get(key)) is not None]
        reports = [row["report"] for row in rows if row["round"] == parked.get("round", 0)]
        if len(reports) < parked["expected"]:
            return
        feats: dict[str, Any] = pending[features_key(article_id)]
        waited = parked.get("waited") or []
        earlier = stories.predecessors(reports, waited, config)
        if earlier:
            first = earlier[0]
            pending[article_id] = {**parked, "awaiting": first, "waited": [*waited, first]}
            probe = {
                "article_id": article_id,
                "embedding": feats["embedding"],
                "ts": feats["ts"],
                "terms": feats["terms"],
                "round": parked.get("round", 0) + 1,
            }
            await to_owner(pipeline.stories_verdicts, first, {"await": probe})
            return
        unpark(article_id)
        await decide(article_id, feats, reports, partition)

    async def go_on(article_id: str, parked: dict[str, Any], partition: int) -> None:
        """The article waits no more: settle it with its current reports."""
        parked = {**parked, "awaiting": None}
        pending[article_id] = parked
        await settle(article_id, parked, partition)

    async def awaited(article_id: str, probe: dict[str, Any]) -> None:
        """``probe``'s article waits for this one: it probes again once this one's terms are stored (sent
        through this one's story partition, after the store messages). A pair waiting for each other (two
        route workers probed them in opposite orders on two term partitions) is broken by id: the smaller
        goes first. An article unknown here (lost) holds no one."""
        waiter = probe["article_id"]
        known = assigned.get(article_id)
        if known is not None and known["story"] is not None:
            await to_owner(pipeline.stories_updates, known["story"], {"reprobe": probe})
            return
        parked = pending.get(article_id)
        if parked is None or (
            parked.get("awaiting") == waiter and waiter < article_id
        ):  # or counted as a reprint
            await to_owner(pipeline.stories_verdicts, waiter, {"go": article_id})
            return
        hold(article_id, {"reprobe": probe})
        if parked.get("awaiting") == waiter:
            await go_on(article_id, parked, owner(article_id))

    def hold(article_id: str, item: dict[str, Any]) -> None:
        """Keep what must follow the article's join (a mention, a repeated probe) until it is assigned."""
        held = waiting.get(article_id) or []
        if not held:
            stories.remember(waiting, owner(article_id), article_id, time.time(), config.slot_seconds)
        waiting[article_id] = [*held, item]

    async def expire_pending(partition: int, horizon: float) -> None:
        """Nothing waits forever: an article whose reports never all came (a lost message) is dropped a window
        after it was parked, and so are the reprints held for a canonical that never came; an article
        waiting for one of them probes on without it."""
        dropped = 0
        for article_id in list(stories.due(pending, partition, horizon, config.slot_seconds)):
            parked = pending.get(article_id)
            if parked is not None and parked.get("since", 0.0) >= horizon:
                continue
            unpark(article_id)
            dropped += await release(article_id)
        for article_id in list(stories.due(waiting, partition, horizon, config.slot_seconds)):
            if assigned.get(article_id) is None and pending.get(article_id) is None:
                dropped += await release(article_id)
        if dropped:
            log.warning("stories: %d articles and reprints waited a whole window and were dropped", dropped)

    async def release(article_id: str) -> int:
        """Let what waits for an article that will not come go on without it; returns what was dropped."""
        held = waiting.pop(article_id, None) or []
        for item in held:
            if "reprobe" in item:
                waiter = item["reprobe"]["article_id"]
                await to_owner(pipeline.stories_verdicts, waiter, {"go": article_id})
        return 1 + sum("mention" in item for item in held)

    async def decide(article_id: str, feats: dict[str, Any], reports: list[Any], partition: int) -> None:
        """Assign the article (to the story a copy of it joined first, if dedup said so); what waited for it
        (reprints, articles probed after it) follows its join to the story's partition, in this order."""
        held = waiting.pop(article_id, None) or []
        copy = next((item["copy"] for item in held if "copy" in item), None)
        chosen, _, dot = stories.choose(reports, config, copy)
        story = chosen or stories.story_id(article_id)
        file_assigned(article_id, {"story": story}, feats["ts"], partition)
        weights = {str(shard): terms for shard, terms in stories.unit_weights(reports).items()}  # JSON keys
        messages = [encode({"join": {"features": feats, "dot": dot, "weights": weights}})]
        messages += [encode(item) for item in held if "copy" not in item]
        for payload in messages:
            await pipeline.stories_updates.send(key=story.encode(), value=payload, partition=owner(story))

    def file_assigned(article_id: str, row: dict[str, Any], published: float, partition: int) -> None:
        """Kept a window after the later of its publication and its arrival, as dedup keeps its entry (so
        a link to it can still come): filed by publication time alone, the row of an article older than
        the window was swept while its story was open, and the link's mention was held and lost."""
        kept = max(published, time.time())
        assigned[article_id] = {**row, "ts": kept, "published": published}
        stories.remember(assigned, partition, article_id, kept, config.slot_seconds)

    def in_window(row: dict[str, Any]) -> bool:
        """Whether the assigned article is still inside the story window, as the sweeps count it."""
        return float(row.get("published", row["ts"])) >= clock.now() - config.window_seconds

    async def reprint(reprint_id: str, link: dict[str, Any], partition: int) -> None:
        """Count a reprint once, on its own id's partition: a link redelivered after a restart, or one for an
        article that has joined a story already (dedup re-links a copy that overtook its original), or that
        is on its way to one, adds no mention; the original of such a copy joins the copy's story."""
        known = assigned.get(reprint_id)
        if known is not None and known["story"] is not None and in_window(known):
            # its original, still to come, joins its story (a story may be gone a window after its copy)
            original = link["canonical"]
            message = {"copy": known["story"]}
            await to_owner(pipeline.stories_verdicts, original, message)
        if known is not None or pending.get(reprint_id) is not None:
            return
        ts = contracts.parse_rfc3339(link["seen"]).timestamp()
        file_assigned(reprint_id, {"story": None, "canonical": link["canonical"]}, ts, partition)
        metrics.STORY_ASSIGNED.labels("reprint").inc()
        canonical = link["canonical"]
        message = {"mention": {"seen": link["seen"]}}
        await to_owner(pipeline.stories_verdicts, canonical, message)

    async def mention(canonical_id: str, message: dict[str, Any]) -> None:
        """One more mention of the canonical's story, held while the canonical is not assigned yet (and passed
        on to its own canonical when it was counted as a reprint itself)."""
        known = assigned.get(canonical_id)
        if known is None:  # on its way through extract
            hold(canonical_id, {"mention": message})
        elif known["story"] is None:
            canonical = known["canonical"]
            await to_owner(pipeline.stories_verdicts, canonical, {"mention": message})
        else:
            story = known["story"]
            await to_owner(pipeline.stories_updates, story, {"mention": message})

    # --- 4. story partitions --------------------------------------------------------------------

    @app.agent(pipeline.stories_updates, name="stories-story")
    async def story_partitions(stream: StreamT[Any]) -> None:
        await each_message(stream, on_story)

    async def on_story(message: dict[str, Any], partition: int, story: str) -> None:
        if "sweep" in message:
            horizon = float(message["sweep"]) - config.window_seconds
            metrics.STORIES_OPEN.dec(
                len(
                    stories.drop_due(
                        states,
                        partition,
                        horizon,
                        "last_ts",
                        config.slot_seconds,
                        lambda state: stories.forget_rows(state, story_rows),
                    )
                )
            )
        elif "flush" in message:
            dirty = states.pop(f"d{partition}", None) or []
            for story_id in dirty:
                state = states.get(story_id)
                record = stories.flush(state) if state else None
                if record is not None:
                    states[story_id] = state
                    await publish_story(record, "flush")
        elif "reprobe" in message:  # after the join that sent the store messages it waited for
            probe = message["reprobe"]
            for shard, group in shard_probes(probe, probe["round"]):
                await send(
                    pipeline.stories_terms,
                    {"probes": [group]},
                    key=probe["article_id"].encode(),
                    partition=shard,
                )
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
        record, events, updates = stories.join(state, feats, message["dot"], weights, story_rows, config)
        encoded = [(event, encode(event)) for event in events]  # all or none: encoded before any is sent
        stores = [(shard, encode({"store": update})) for shard, update in updates.items()]
        await keep(state, partition, record, "article")
        for shard, payload in stores:
            await pipeline.stories_terms.send(key=story.encode(), value=payload, partition=shard)
        for event, payload in encoded:
            await pipeline.events.send(key=event["event_id"].encode(), value=payload)
            count_event(event)
        metrics.STORY_ARTICLES.observe(state["num_articles"])
        metrics.STORY_ASSIGNED.labels("joined").inc()
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
                {"sweep": clock.now()},
                pipeline.stories_terms,
                pipeline.stories_verdicts,
                pipeline.stories_updates,
            )

    return route
