"""dedup agents: articles.clean → articles.unique | articles.duplicates, state sharded by band key.

Three hops so that no partition needs to see every article (docs/dedup.md):
1. ``dedup-route`` computes the article's signature, parks the article under its id on
   ``dedup.reports`` and sends one message per band partition onto ``dedup.bands``: the band keys
   that partition owns and the part of the entry they can verify;
2. ``dedup-bands`` probes all of those keys in one call, verifies the candidates against the
   entries it holds and reports only the matches;
3. ``dedup-verdict`` collects one report per band partition per article and publishes the verdict.

Messages are sent to explicit partitions (crc32 of the band key or the article id), so a table key
is always written by the partition that owns it, which the expiry sweep relies on: the leader's
timer sends a sweep message to every partition and each agent expires only the keys it owns.

Every message is decoded and every step run under ``common.guard``: a message the agents cannot read or
handle is dead-lettered at stage ``dedup`` and the agent goes on to the next one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faust import StreamT

from streams import contracts
from streams.config import DEDUP_BATCH_SIZE
from streams.stages import dedup
from streams.worker import metrics
from streams.worker.agents.common import (
    check_article,
    check_object,
    encode,
    guard,
    receive,
    run_batch,
    run_in_thread,
    send,
)
from streams.worker.app import Pipeline
from streams.worker.models import Models

STAGE = "dedup"
NOT_YET_KNOWN = 1 << 30
ROUTE_WAIT = 0.05
SWEEP_KEY = b"~sweep"
log = logging.getLogger("newsevents")


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

    budget = pipeline.settings.stage_timeout

    async def signatures(batch: list[contracts.CleanArticle]) -> list[dedup.Signature]:
        # In the NLP thread, so the event loop keeps moving the other hops meanwhile; within the stage budget.
        return await run_in_thread(models.thread, budget, dedup.signatures, batch)

    @app.agent(pipeline.clean, name="dedup-route")
    async def route(stream: StreamT[Any]) -> None:
        await models.extractor()
        # Batches, because the sentence embeddings behind the signatures are ~3x cheaper in bulk.
        async for batch in stream.take(DEDUP_BATCH_SIZE, within=ROUTE_WAIT):
            metrics.RECORDS_IN.labels(STAGE).inc(len(batch))
            articles = []
            for raw in batch:
                article = await receive(pipeline, STAGE, raw, check_article)
                if article is not None:
                    articles.append(article)
            if not articles:
                continue
            sigs = await run_batch(pipeline, STAGE, signatures, articles)
            for article, sig in zip(articles, sigs, strict=True):
                if sig is not None:
                    await guard(pipeline, STAGE, article, route_article(article, sig))

    async def route_article(article: contracts.CleanArticle, sig: dedup.Signature) -> None:
        """Park the article under its id, then send its band keys, one message per band partition.

        Every message is encoded before the first is sent, so an article is either routed whole or
        dead-lettered, never left waiting for reports that were not sent."""
        article_id = article["id"]
        key = article_id.encode()
        by_shard = dedup.shard_keys(sig, partitions)
        parked = encode({"article": article, "expected": len(by_shard), "routed": time.time()})
        messages = [
            (shard, encode({"article_id": article_id, "bands": keys, "entry": dedup.shard_entry(sig, keys)}))
            for shard, keys in by_shard.items()
        ]
        await pipeline.dedup_reports.send(key=key, value=parked, partition=verdict_partition(article_id))
        for shard, message in messages:
            await pipeline.dedup_bands.send(key=key, value=message, partition=shard)

    async def sweep_or_handle(
        stream: StreamT[Any],
        sweep: Callable[[float, int], None],
        handle: Callable[[dict[str, Any], int, bytes], Awaitable[None]],
    ) -> None:
        """The band and verdict agents alike: a sweep message expires the partition's own state, any other
        message is handled, and one that fails is dead-lettered while the agent keeps going."""

        async def step(raw: bytes, shard: int, key: bytes) -> None:
            message = await receive(pipeline, STAGE, raw, check_object)
            if message is None:
                return
            if "sweep" in message:
                sweep(float(message["sweep"]), shard)
            else:
                await handle(message, shard, key or b"")

        async for event in stream.events():
            raw = event.value if isinstance(event.value, bytes) else b""
            await guard(pipeline, STAGE, raw, step(raw, event.message.partition, event.key))

    async def probe_and_report(message: dict[str, Any], shard: int, key: bytes) -> None:
        report = dedup.probe_shard(bands, shard, message["entry"], message["bands"], config)
        for size in report["bucket_sizes"]:
            metrics.DEDUP_BUCKET_SIZE.observe(size)
        metrics.DEDUP_CANDIDATES.observe(report["candidates"])
        article_id = message["article_id"]
        await send(
            pipeline.dedup_reports,
            {"report": report},
            key=article_id.encode(),
            partition=verdict_partition(article_id),
        )

    @app.agent(pipeline.dedup_bands, name="dedup-bands")
    async def probe(stream: StreamT[Any]) -> None:
        await sweep_or_handle(stream, sweep_bands, probe_and_report)

    @app.agent(pipeline.dedup_reports, name="dedup-verdict")
    async def verdict(stream: StreamT[Any]) -> None:
        await sweep_or_handle(
            stream, sweep_verdicts, lambda message, _shard, key: judge(key.decode(), message)
        )

    def sweep_bands(now: float, shard: int) -> None:
        dedup.expire(bands, now, config, owned=lambda key: dedup.shard_of(key, partitions) == shard)

    def sweep_verdicts(now: float, shard: int) -> None:
        """Reports of an article routed within the window stay, however old its publication or
        arrival stamps: a replay with original timestamps must still get its verdict."""

        def in_flight(parked: dict[str, Any] | None) -> bool:
            return parked is not None and parked.get("routed", 0.0) >= now - window

        def owned(article_id: str) -> bool:
            return verdict_partition(article_id) == shard

        dedup.expire_pending(
            verdicts, now, config, sweepable=lambda key: owned(key) and not in_flight(pending.get(key))
        )
        for article_id, parked in list(pending.items()):
            if owned(article_id) and not in_flight(parked):
                del pending[article_id]

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
