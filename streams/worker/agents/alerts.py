"""alerts agents (when ``NEWSEVENTS_ALERT_RULES`` is set): events and stories → alerts.

Two hops, so that the state of a story (the level sent per rule, its growth history) lives on one
partition of the ``alerts-state`` table whichever topic and key its records came with:
1. ``alerts-route-events`` and ``alerts-route-stories`` forward each record to ``alerts.by-story``, on
   the partition of its story id (crc32, like dedup's explicit partitions);
2. ``alerts`` evaluates the rules over it and publishes what fires on ``alerts``, then hands it to the
   webhook sink (``NEWSEVENTS_ALERT_WEBHOOK``), which posts on a thread of its own, so retries never
   hold the agent.

The leader's timer sends a sweep message to every partition of ``alerts.by-story`` each hour; each
partition drops the state of its own stories not seen for a week (``alerts.evaluate.STATE_RETENTION``).

The ``newsevents alerts`` command runs the same rules outside the workers; run one or the other.
"""

from __future__ import annotations

import logging
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faust import StreamT

from streams import contracts
from streams.config import ConfigError
from streams.stages import alerts
from streams.worker import metrics
from streams.worker.agents.common import check_object, encode, guard, publish, receive
from streams.worker.app import Pipeline
from streams.worker.webhook import WebhookSink

STAGE = "alerts"
#: Seconds between sweeps of the alert state.
SWEEP_INTERVAL = 3600.0
SWEEP_KEY = b"~sweep"
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
        await publish(
            pipeline,
            STAGE,
            pipeline.alerts_by_story,
            {"kind": kind, "record": record},
            key=subject.encode(),
            partition=partition_of(subject),
            original=raw,
        )

    app.agent(pipeline.events, name="alerts-route-events")(route("events"))
    app.agent(pipeline.stories, name="alerts-route-stories")(route("stories"))

    def partition_of(subject: str) -> int:
        return zlib.crc32(subject.encode()) % partitions

    @app.agent(pipeline.alerts_by_story, name=STAGE)
    async def evaluate(stream: StreamT[Any]) -> None:
        async for event in stream.events():
            raw = event.value if isinstance(event.value, bytes) else b""
            metrics.RECORDS_IN.labels(STAGE).inc()
            await guard(pipeline, STAGE, raw, evaluate_one(raw, event.message.partition))

    async def evaluate_one(raw: bytes, shard: int) -> None:
        message = await receive(pipeline, STAGE, raw, check_object)
        if message is None:
            return
        if "sweep" in message:
            moment = datetime.fromtimestamp(float(message["sweep"]), UTC)
            alerts.expire(state, moment, owned=lambda subject: partition_of(subject) == shard)
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

    @app.timer(SWEEP_INTERVAL, on_leader=True)
    async def sweep() -> None:
        """Tables may only be written inside a stream, so the sweep travels as a message per partition."""
        message = encode({"sweep": time.time()})
        try:
            for partition in range(partitions):
                await pipeline.alerts_by_story.send(key=SWEEP_KEY, value=message, partition=partition)
        except Exception:  # the next sweep covers this one's state too
            log.exception("alerts sweep messages could not all be sent")

    log.info("alerts: %d rules from %s", len(rules), settings.alert_rules)
