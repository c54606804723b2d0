"""dedup agents: articles.clean → articles.unique | articles.duplicates, state sharded by band key.

Three hops so that no partition needs to see every article (DESIGN.md, principle 5):
1. ``dedup-route`` computes the article's signature and sends it once per band key
   (a group-by onto ``dedup.bands``), and parks the article under its id on ``dedup.reports``;
2. ``dedup-bands`` owns the buckets of its band keys and reports the other members;
3. ``dedup-verdict`` collects the reports per article id and publishes the verdict.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from streams import contracts, dedup, metrics
from streams.agents.common import send_internal_error
from streams.app import Pipeline

STAGE = "dedup"
NOT_YET_KNOWN = 1 << 30


def wire(pipeline: Pipeline) -> None:
    app = pipeline.app
    partitions = pipeline.settings.partitions
    bands = app.Table("dedup-bands", default=None, partitions=partitions)
    verdicts = app.Table("dedup-verdicts", default=None, partitions=partitions)
    pending = app.Table("dedup-pending", default=None, partitions=partitions)

    @app.agent(pipeline.clean, name="dedup-route")
    async def route(stream: AsyncIterator[contracts.CleanArticle]) -> None:
        async for article in stream:
            metrics.RECORDS_IN.labels(STAGE).inc()
            try:
                sig = dedup.signature(article)
            except Exception as exc:
                await send_internal_error(pipeline, STAGE, exc, article)
                continue
            key = article["id"].encode()
            await pipeline.dedup_reports.send(
                key=key, value={"article": article, "expected": len(sig["keys"]), "routed": time.time()}
            )
            for band_key in sig["keys"]:
                await pipeline.dedup_bands.send(key=band_key.encode(), value={"band": band_key, "sig": sig})

    @app.agent(pipeline.dedup_bands, name="dedup-bands")
    async def probe(stream: AsyncIterator[dict[str, Any]]) -> None:
        async for message in stream:
            report = dedup.probe_band(bands, message["band"], message["sig"])
            await pipeline.dedup_reports.send(key=message["sig"]["id"].encode(), value={"report": report})

    @app.agent(pipeline.dedup_reports, name="dedup-verdict")
    async def verdict(stream: AsyncIterator[dict[str, Any]]) -> None:
        async for message in stream.events():  # type: ignore[attr-defined]
            article_id = message.key.decode()
            value = message.value
            if "article" in value:
                pending[article_id] = value
                reports: list[dedup.BandReport] = []
            else:
                reports = [value["report"]]
            parked = pending.get(article_id)
            # A report can overtake its article (different producers, different partitions):
            # until the article is parked, nothing is complete and decide() only stores it.
            expected = parked["expected"] if parked else NOT_YET_KNOWN
            links = dedup.decide(verdicts, article_id, reports, expected)
            if links is None or parked is None:
                continue
            del pending[article_id]
            await publish(parked["article"], links, parked["routed"])

    async def publish(
        article: contracts.CleanArticle, links: list[contracts.DuplicateLink], routed: float
    ) -> None:
        for link in links:
            await pipeline.duplicates.send(key=link["id"].encode(), value=link)
            metrics.RECORDS_OUT.labels(STAGE, contracts.DUPLICATES).inc()
            metrics.DUPLICATES.labels(link["method"]).inc()
        if any(link["id"] == article["id"] for link in links):
            metrics.record_dedup("duplicate")
        else:
            await pipeline.unique.send(key=article["id"].encode(), value=article)
            metrics.RECORDS_OUT.labels(STAGE, contracts.UNIQUE).inc()
            metrics.record_dedup("unique")
        metrics.STAGE_LATENCY.labels(STAGE).observe(time.time() - routed)
