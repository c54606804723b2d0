"""alerts agents (when ``NEWSEVENTS_ALERT_RULES`` is set): events and stories → alerts.

Two hops, so that the state of a story (the level sent per rule, its growth history) lives on one
partition of the ``alerts-state`` table whichever topic and key its records came with:
1. ``alerts-route-events`` and ``alerts-route-stories`` forward each record to ``alerts.by-story``, on
   the partition of its story id (crc32, like dedup's explicit partitions);
2. ``alerts`` evaluates the rules over it and publishes what fires on ``alerts``, then hands it to the
   webhook sink (``NEWSEVENTS_ALERT_WEBHOOK``) in a thread of its own, so retries never hold the agent.

The ``newsevents alerts`` command runs the same rules outside the workers; run one or the other.
"""

from __future__ import annotations

import logging
import zlib
from pathlib import Path
from typing import Any

from faust import StreamT

from streams import contracts
from streams.config import ConfigError
from streams.stages import alerts
from streams.worker import metrics
from streams.worker.agents.common import check_object, guard, publish, receive
from streams.worker.app import Pipeline
from streams.worker.webhook import WebhookSink

STAGE = "alerts"
log = logging.getLogger("newsevents")


def register(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    if not settings.alert_rules:
        return
    try:
        rules = alerts.load_rules(Path(settings.alert_rules))
    except alerts.RulesError as exc:
        raise ConfigError(f"NEWSEVENTS_ALERT_RULES: {exc}") from None
    app = pipeline.app
    partitions = settings.partitions
    state = app.Table("alerts-state", default=None, partitions=partitions)
    metrics.initialise_stage(STAGE, metrics.ALERT_OUTPUTS, metrics.ALERT_AGENTS)
    sink = WebhookSink(settings.alert_webhook) if settings.alert_webhook else None
    top = metrics.TopStories()

    def route(kind: str) -> Any:
        async def forward(stream: StreamT[Any]) -> None:
            async for raw in stream:
                await guard(pipeline, STAGE, raw, forward_one(kind, raw))

        return forward

    async def forward_one(kind: str, raw: bytes) -> None:
        record = await receive(pipeline, STAGE, raw, check_object)
        if record is None:
            return
        subject = alerts.subject_key(record)
        partition = zlib.crc32(subject.encode()) % partitions
        await publish(
            pipeline,
            STAGE,
            pipeline.alerts_by_story,
            {"kind": kind, "record": record},
            key=subject.encode(),
            partition=partition,
            original=raw,
        )

    app.agent(pipeline.events, name="alerts-route-events")(route("events"))
    app.agent(pipeline.stories, name="alerts-route-stories")(route("stories"))

    @app.agent(pipeline.alerts_by_story, name=STAGE)
    async def evaluate(stream: StreamT[Any]) -> None:
        async for raw in stream:
            metrics.RECORDS_IN.labels(STAGE).inc()
            await guard(pipeline, STAGE, raw, evaluate_one(raw))

    async def evaluate_one(raw: bytes) -> None:
        message = await receive(pipeline, STAGE, raw, check_object)
        if message is None:
            return
        if message["kind"] == "stories":
            top.observe(message["record"])
        fired = alerts.evaluate(state, rules, message["kind"], message["record"], contracts.utc_now())
        for alert in fired:
            key = (alert["story_id"] or alert["event_id"] or "").encode()
            if await publish(pipeline, STAGE, pipeline.alerts, alert, key=key, original=raw):
                metrics.RECORDS_OUT.labels(STAGE, contracts.ALERTS).inc()
                metrics.ALERTS_FIRED.labels(alert["rule"], str(alert["level"])).inc()
                if sink is not None:
                    sink.submit(dict(alert))

    log.info("alerts: %d rules from %s", len(rules), settings.alert_rules)
