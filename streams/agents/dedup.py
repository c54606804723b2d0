"""dedup agents: articles.clean → articles.unique | articles.duplicates, state sharded by band key.

Three hops so that no partition needs to see every article (DESIGN.md, principle 5):
1. ``dedup-route`` computes the article's signature, parks the article under its id on
   ``dedup.reports`` and routes the signature by band key onto ``dedup.bands`` (a group-by;
   the keys that share a partition travel in one message, which saves ~10x messages);
2. ``dedup-bands`` owns the buckets of its band keys and reports the other members;
3. ``dedup-verdict`` collects the reports per article id and publishes the verdict.
"""

from __future__ import annotations

import time
import zlib
from collections import defaultdict
from typing import Any

from faust import StreamT

from streams import contracts, dedup, metrics
from streams.agents.common import send_internal_error
from streams.agents.models import Models
from streams.app import Pipeline

STAGE = "dedup"
NOT_YET_KNOWN = 1 << 30
ROUTE_BATCH = 32
ROUTE_WAIT = 0.05


def band_partition(band_key: str, partitions: int) -> int:
    """The partition that owns a band key's bucket: stable across workers, restarts and versions."""
    return zlib.crc32(band_key.encode()) % partitions


def wire(pipeline: Pipeline, models: Models) -> None:
    app = pipeline.app
    partitions = pipeline.settings.partitions
    bands = app.Table("dedup-bands", default=None, partitions=partitions)
    verdicts = app.Table("dedup-verdicts", default=None, partitions=partitions)
    pending = app.Table("dedup-pending", default=None, partitions=partitions)

    @app.agent(pipeline.clean, name="dedup-route")
    async def route(stream: StreamT[Any]) -> None:
        await models.extractor()
        # Batches, because the sentence embeddings behind the signatures are ~3x cheaper in bulk.
        async for batch in stream.take(ROUTE_BATCH, within=ROUTE_WAIT):
            metrics.RECORDS_IN.labels(STAGE).inc(len(batch))
            try:
                sigs = dedup.signatures(batch)
            except Exception as exc:
                await send_internal_error(pipeline, STAGE, exc, batch)
                continue
            for article, sig in zip(batch, sigs, strict=True):
                await route_article(article, sig)

    async def route_article(article: contracts.CleanArticle, sig: dedup.Signature) -> None:
        """Park the article under its id, then send its band keys, one message per band partition."""
        key = article["id"].encode()
        keys = dedup.band_keys(sig)
        by_partition: dict[int, list[str]] = defaultdict(list)
        for band_key in keys:
            by_partition[band_partition(band_key, partitions)].append(band_key)
        parked = {"article": article, "expected": len(keys), "routed": time.time()}
        await pipeline.dedup_reports.send(key=key, value=parked)
        for partition, band_keys in by_partition.items():
            message = {"bands": band_keys, "sig": sig, "article_id": article["id"]}
            await pipeline.dedup_bands.send(key=key, value=message, partition=partition)

    @app.agent(pipeline.dedup_bands, name="dedup-bands")
    async def probe(stream: StreamT[Any]) -> None:
        async for message in stream:
            try:
                reports = [dedup.probe_band(bands, band, message["sig"]) for band in message["bands"]]
            except Exception as exc:
                await send_internal_error(pipeline, STAGE, exc, message)
                continue
            for report in reports:
                metrics.DEDUP_BUCKET_SIZE.observe(report["bucket_size"])
            metrics.DEDUP_CANDIDATES.observe(len({c["id"] for r in reports for c in r["candidates"]}))
            await pipeline.dedup_reports.send(key=message["article_id"].encode(), value={"reports": reports})

    @app.agent(pipeline.dedup_reports, name="dedup-verdict")
    async def verdict(stream: StreamT[Any]) -> None:
        async for message in stream.events():
            try:
                await judge(message.key.decode(), message.value)
            except Exception as exc:
                await send_internal_error(pipeline, STAGE, exc, message.value)

    async def judge(article_id: str, value: dict[str, Any]) -> None:
        if "article" in value:
            pending[article_id] = value
        parked = pending.get(article_id)
        # A report can overtake its article (different producers, different partitions):
        # until the article is parked, nothing is complete and decide() only stores it.
        expected = parked["expected"] if parked else NOT_YET_KNOWN
        links = dedup.decide(verdicts, article_id, value.get("reports", []), expected)
        if links is None or parked is None:
            return
        del pending[article_id]
        await publish(parked["article"], links, parked["routed"])

    async def publish(
        article: contracts.CleanArticle, links: list[contracts.DuplicateLink], routed: float
    ) -> None:
        for link in links:
            await pipeline.duplicates.send(key=link["id"].encode(), value=link)
            metrics.RECORDS_OUT.labels(STAGE, contracts.DUPLICATES).inc()
            metrics.DUPLICATES.labels(link["method"]).inc()
            metrics.DEDUP_SIMILARITY.labels(link["method"]).observe(link["similarity"])
        if any(link["id"] == article["id"] for link in links):
            metrics.record_dedup("duplicate")
        else:
            await pipeline.unique.send(key=article["id"].encode(), value=article)
            metrics.RECORDS_OUT.labels(STAGE, contracts.UNIQUE).inc()
            metrics.record_dedup("unique")
        metrics.STAGE_LATENCY.labels(STAGE).observe(time.time() - routed)
