"""Operations surface of a worker: /metrics, /healthz, /readyz and the consumer-lag gauge."""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.worker import metrics
from streams.worker.app import Pipeline
from streams.worker.models import Models

LAG_INTERVAL_SECONDS = 5.0


def register(pipeline: Pipeline, models: Models) -> None:
    app = pipeline.app

    @app.page("/metrics")
    async def metrics_page(self: View, request: Request) -> Response:
        return self.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def health_page(self: View, request: Request) -> Response:
        return self.json({"status": "ok"})

    @app.page("/readyz")
    async def ready_page(self: View, request: Request) -> Response:
        assigned = sorted(f"{tp.topic}/{tp.partition}" for tp in app.consumer.assignment())
        ready = bool(assigned) and not app.rebalancing and models.ready
        body: dict[str, Any] = {
            "ready": ready,
            "models_loaded": models.ready,
            "rebalancing": app.rebalancing,
            "assigned": assigned,
        }
        return self.json(body, status=200 if ready else 503)

    @app.timer(LAG_INTERVAL_SECONDS)
    async def update_consumer_lag() -> None:
        """Faust does not export lag; it is end offset minus committed offset per assigned partition."""
        if app.rebalancing:
            return
        assigned = app.consumer.assignment()
        metrics.CONSUMER_LAG.clear()
        if not assigned:
            return
        end_offsets = await app.consumer.highwaters(*assigned)
        committed = app.monitor.tp_committed_offsets
        for tp in assigned:
            end = end_offsets.get(tp)
            if end is None:
                continue
            lag = max(0, end - committed.get(tp, 0))
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(lag)
        for table in app.tables.values():
            metrics.TABLE_ENTRIES.labels(table.name).set(len(table))
