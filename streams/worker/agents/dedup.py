"""dedup agents: articles.clean → articles.unique | articles.duplicates, state sharded by band key.

Three hops so that no partition needs to see every article (docs/dedup.md):
1. ``dedup-route`` computes the signatures of a batch, parks each article under its id on
   ``dedup.reports`` and sends one message per band partition onto ``dedup.bands`` for the whole
   batch: per article, the band keys that partition owns and the part of the entry they can verify;
2. ``dedup-bands`` probes each article's keys in one call, verifies the candidates against the
   entries it holds and reports only the matches, one message per verdict partition for the batch;
3. ``dedup-verdict`` collects one report per band partition per article and publishes the verdict.

Batch messages carry records that were each encoded (and size-checked) alone, and each record in one
is handled under its own guard: a bad article is dead-lettered alone, never its batch.

Messages are sent to explicit partitions (crc32 of the band key or the article id), so a table key
is always written by the partition that owns it, which the expiry sweep relies on: the leader's
timer sends a sweep message to every partition and each agent expires only the keys it owns. What
may expire is found through time indexes kept in memory beside the tables (never by listing a
table); they are derived from the rows, dropped at each rebalance and rebuilt on first use.

Every message is decoded and every step run under ``common.guard``: a message the agents cannot read or
handle is dead-lettered at stage ``dedup`` and the agent goes on to the next one.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from faust import StreamT

from streams import contracts
from streams.config import DEDUP_BATCH_SIZE
from streams.stages import dedup
from streams.worker import metrics
from streams.worker.agents.common import (
    Derived,
    check_article,
    check_object,
    encode,
    forget_on_rebalance,
    guard,
    in_child,
    receive,
    run_batch,
    send_batched,
    send_deadletter,
)
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "dedup"
NOT_YET_KNOWN = 1 << 30
SWEEP_KEY = b"~sweep"
log = logging.getLogger("newsevents")
T = TypeVar("T")


@dataclass
class Route:
    """An article's messages, encoded before any is sent: parked under its id, a probe per band partition."""

    article: contracts.CleanArticle
    parked: bytes
    probes: dict[int, bytes]


def register(pipeline: Pipeline, models: Models) -> None:
    app = pipeline.app
    partitions = pipeline.settings.partitions
    config = pipeline.settings.dedup_config()
    window = config.retention_seconds
    bands = app.Table("dedup-bands", default=None, partitions=partitions)
    verdicts = app.Table("dedup-verdicts", default=None, partitions=partitions)
    pending = app.Table("dedup-pending", default=None, partitions=partitions)

    def verdict_partition(article_id: str) -> int:
        return dedup.band_partition(article_id, partitions)

    def waiting_by_time() -> dict[int, dedup.TimeIndex]:
        """The articles still waiting for a verdict, by the time stamps that keep them: the reports'
        ``seen`` and the article's ``routed``. Both tables hold only articles in flight: a short pass."""
        indexes: dict[int, dedup.TimeIndex] = defaultdict(dedup.TimeIndex)
        for article_id, waiting in verdicts.items():
            for report in (waiting or {}).values():
                indexes[verdict_partition(article_id)].add(article_id, report["article"]["seen"])
        for article_id, parked in pending.items():
            if parked:
                indexes[verdict_partition(article_id)].add(article_id, parked.get("routed", 0.0))
        return dict(indexes)

    band_shards = Derived(
        lambda: dedup.recover_shards(bands, partitions, config), lambda shard: dedup.BandShard(bands, shard)
    )
    waiting = Derived(waiting_by_time, lambda _shard: dedup.TimeIndex())
    forget_on_rebalance(app, band_shards, waiting)

    budget = pipeline.settings.stage_timeout

    async def signatures(batch: list[contracts.CleanArticle]) -> list[dedup.Signature]:
        # In the dedup child, so the event loop keeps moving the other hops meanwhile; within budget.
        result: list[dedup.Signature] = await in_child(models.dedup, batch, budget=budget * len(batch))
        return result

    @app.agent(pipeline.clean, name="dedup-route")
    async def route(stream: StreamT[Any]) -> None:
        await models.wait()
        # Batches, because the sentence embeddings behind the signatures are ~3x cheaper in bulk.
        async for batch in stream.take(DEDUP_BATCH_SIZE, within=pipeline.settings.batch_wait):
            metrics.RECORDS_IN.labels(STAGE).inc(len(batch))
            articles = []
            for raw in batch:
                article = await receive(pipeline, STAGE, raw, check_article)
                if article is not None:
                    articles.append(article)
            if not articles:
                continue
            sigs = await run_batch(pipeline, STAGE, signatures, articles)
            routes: list[Route] = []
            for article, sig in zip(articles, sigs, strict=True):
                if sig is not None:
                    await guard(pipeline, STAGE, article, prepare(article, sig, routes))
            await send_routes(routes)

    async def prepare(article: contracts.CleanArticle, sig: dedup.Signature, routes: list[Route]) -> None:
        """Encode every message of the article before the first is sent, so that it is either routed whole
        or dead-lettered, never left waiting for reports that were not sent."""
        article_id = article["id"]
        by_shard = dedup.shard_keys(sig, partitions)
        parked = encode(
            {
                "article": dedup.with_lead_embedding(article, sig),
                "expected": len(by_shard),
                "routed": time.time(),
            }
        )
        probes = {
            shard: encode({"article_id": article_id, "bands": keys, "entry": dedup.shard_entry(sig, keys)})
            for shard, keys in by_shard.items()
        }
        routes.append(Route(article, parked, probes))

    async def send_routes(routes: list[Route]) -> None:
        """Park each article, then send the parked ones' probes: one message per band partition."""
        parked: list[Route] = []

        async def park(route: Route) -> None:
            article_id = route.article["id"]
            await pipeline.dedup_reports.send(
                key=article_id.encode(), value=route.parked, partition=verdict_partition(article_id)
            )
            parked.append(route)

        for route in routes:
            await guard(pipeline, STAGE, route.article, park(route))
        probes = [(shard, route.article, probe) for route in parked for shard, probe in route.probes.items()]
        await send_batched(pipeline, STAGE, pipeline.dedup_bands, "probes", probes)

    async def sweep_or_handle(
        stream: StreamT[Any],
        sweep: Callable[[float, int], Awaitable[None]],
        handle: Callable[[dict[str, Any], int, bytes], Awaitable[None]],
    ) -> None:
        """The band and verdict agents alike: a sweep message expires the partition's own state, any other
        message is handled, and one that fails is dead-lettered while the agent keeps going."""

        async def step(raw: bytes, shard: int, key: bytes) -> None:
            message = await receive(pipeline, STAGE, raw, check_object)
            if message is None:
                return
            if "sweep" in message:
                await sweep(float(message["sweep"]), shard)
            else:
                await handle(message, shard, key or b"")

        async for event in stream.events():
            raw = event.value if isinstance(event.value, bytes) else b""
            await guard(pipeline, STAGE, raw, step(raw, event.message.partition, event.key))

    async def probe_and_report(message: dict[str, Any], shard: int, _key: bytes) -> None:
        """Probe each article of a band message under its own guard; one report message per verdict
        partition."""
        reports: list[tuple[int, object, bytes]] = []

        async def probe_one(probe: dict[str, Any]) -> None:
            report = dedup.probe_shard(band_shards[shard], probe["entry"], probe["bands"], config)
            for size in report["bucket_sizes"]:
                metrics.DEDUP_BUCKET_SIZE.observe(size)
            metrics.DEDUP_CANDIDATES.observe(report["candidates"])
            reports.append((verdict_partition(probe["article_id"]), probe, encode(report)))

        for probe in message["probes"]:
            await guard(pipeline, STAGE, probe, probe_one(probe))
        await send_batched(pipeline, STAGE, pipeline.dedup_reports, "reports", reports)

    async def collect(message: dict[str, Any], _shard: int, key: bytes) -> None:
        """A parked article (keyed by its id), or a batch of reports, each judged under its own guard."""
        if "reports" not in message:
            await judge(key.decode(), message)
            return
        for report in message["reports"]:
            await guard(pipeline, STAGE, report, judge(report["article"]["id"], {"report": report}))

    @app.agent(pipeline.dedup_bands, name="dedup-bands")
    async def probe(stream: StreamT[Any]) -> None:
        await sweep_or_handle(stream, sweep_bands, probe_and_report)

    @app.agent(pipeline.dedup_reports, name="dedup-verdict")
    async def verdict(stream: StreamT[Any]) -> None:
        await sweep_or_handle(stream, sweep_verdicts, collect)

    async def sweep_bands(now: float, shard: int) -> None:
        dedup.expire(band_shards[shard], now, config)

    async def sweep_verdicts(now: float, shard: int) -> None:
        """Reports of an article routed within the window stay, however old its publication or
        arrival stamps: a replay with original timestamps must still get its verdict. An article still
        parked a window after it was routed will not get one: it is dead-lettered, never dropped."""

        def in_flight(parked: dict[str, Any] | None) -> bool:
            return parked is not None and parked.get("routed", 0.0) >= now - window

        due = waiting[shard].due(now - window)
        dedup.expire_pending(
            verdicts, due, now, config, sweepable=lambda key: not in_flight(pending.get(key))
        )
        for article_id in due:
            parked = pending.get(article_id)
            if parked is not None and not in_flight(parked):
                del pending[article_id]
                await send_deadletter(
                    pipeline,
                    STAGE,
                    "expired",
                    f"band reports still missing {window:.0f} s after the article was routed",
                    encode(parked["article"]),
                )

    async def judge(article_id: str, value: dict[str, Any]) -> None:
        if "article" in value:
            pending[article_id] = value
        parked = pending.get(article_id)
        # A report can overtake its article (different producers, different partitions):
        # until the article is parked, nothing is complete and decide() only stores it.
        expected = parked["expected"] if parked else NOT_YET_KNOWN
        reports = [value["report"]] if "report" in value else []
        links = dedup.decide(verdicts, article_id, reports, expected, config)
        if links is None or parked is None:
            index = waiting[verdict_partition(article_id)]
            for report in reports:
                index.add(article_id, report["article"]["seen"])
            if "article" in value:
                index.add(article_id, value.get("routed", 0.0))
            return
        del pending[article_id]
        await guard(pipeline, STAGE, parked["article"], publish(parked["article"], links, parked["routed"]))

    async def publish(
        article: contracts.CleanArticle, links: list[contracts.DuplicateLink], routed: float
    ) -> None:
        """The verdict's records, all encoded before the first is sent (published whole or dead-lettered)."""
        duplicate = any(link["id"] == article["id"] for link in links)
        encoded = [(link, encode(link)) for link in links]
        unique = None if duplicate else encode(article)
        for link, payload in encoded:
            await pipeline.duplicates.send(key=link["id"].encode(), value=payload)
            metrics.RECORDS_OUT.labels(STAGE, contracts.DUPLICATES).inc()
            metrics.DUPLICATES.labels(link["method"]).inc()
            metrics.DEDUP_SIMILARITY.labels(link["method"]).observe(link["similarity"])
        if unique is None:
            metrics.record_dedup("duplicate")
        else:
            await pipeline.unique.send(key=article["id"].encode(), value=unique)
            metrics.RECORDS_OUT.labels(STAGE, contracts.UNIQUE).inc()
            metrics.record_dedup("unique")
        metrics.STAGE_LATENCY.labels(STAGE).observe(time.time() - routed)

    @app.timer(pipeline.settings.dedup_sweep_interval, on_leader=True)
    async def sweep() -> None:
        """Tables may only be written inside a stream, so the sweep travels as a message per partition."""
        message = encode({"sweep": time.time()})
        try:
            for partition in range(partitions):
                await pipeline.dedup_bands.send(key=SWEEP_KEY, value=message, partition=partition)
                await pipeline.dedup_reports.send(key=SWEEP_KEY, value=message, partition=partition)
        except Exception:  # the next sweep covers this one's state too
            log.exception("dedup sweep messages could not all be sent")
