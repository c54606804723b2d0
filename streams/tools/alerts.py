"""``newsevents alerts``: rules evaluated over ``events`` and ``stories`` as they arrive, alerts published on
``alerts`` (and POSTed to a webhook); and the one-line form ``newsevents tail alerts`` prints.

A member of consumer group ``<app id>-alerts``: offsets are committed once the alerts of what was read
are on the topic, so a restart resumes where it stopped. The state that prevents alert storms (the
level sent per rule and story) is rebuilt at start from the alerts topic itself, so a restart, or a
replay after a crash, sends nothing twice; the growth history restarts empty, and the stories' own
``growth`` figures cover the usual windows meanwhile.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from streams import contracts
from streams.config import Settings
from streams.kafka.admin import ensure_topics
from streams.kafka.clients import TopicReader, make_producer, read_to_end
from streams.stages import alerts
from streams.worker import metrics
from streams.worker.webhook import WebhookSink

log = logging.getLogger("newsevents.alerts")

KINDS = {contracts.EVENTS: "events", contracts.STORIES: "stories"}
#: How often the state of stories silent for ``alerts.evaluate.STATE_RETENTION`` is dropped.
EXPIRE_EVERY = 3600.0


def format_alert(alert: Any) -> str:
    """One line: time, rule, level, why, story headline and first link."""
    if not isinstance(alert, dict):
        return repr(alert)
    why = "; ".join(f"{name}={_short(value)}" for name, value in (alert.get("why") or {}).items())
    links = alert.get("links") or []
    subject = alert.get("story_id") or alert.get("event_id")
    return (
        f"{alert.get('fired_at', '?')}  {alert.get('rule', '?')}  L{alert.get('level', '?')}  "
        f"{alert.get('num_sources', 0)} sources  [{why}]  {subject}: {alert.get('headline', '')}"
        + (f"  {links[0]}" if links else "")
    )


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(_short(item) for item in value)
    if isinstance(value, dict):
        if "distance_km" in value:
            return f"{value.get('name')} ({value['distance_km']} km)"
        if "name" in value:
            return f"{value['name']}/{value.get('country') or '-'}"
        return ",".join(f"{key}:{item}" for key, item in value.items())
    return str(value)


def restore(settings: Settings, state: dict[str, Any]) -> int:
    """Count every alert already on the topic as sent; returns how many were read."""
    count = 0
    for record in read_to_end(settings, contracts.ALERTS):
        if isinstance(record.value, dict) and "rule" in record.value:
            alerts.remember_sent(state, record.value)
            count += 1
    return count


def run_alerts(
    rules_path: Path,
    webhook: str | None = None,
    metrics_port: int = 0,
    max_alerts: int = 0,
) -> int:
    """Evaluate until SIGINT/SIGTERM, or until ``max_alerts`` are published when given."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        rules = alerts.load_rules(rules_path)
    except alerts.RulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)
    ensure_topics(settings, [contracts.EVENTS, contracts.STORIES, contracts.ALERTS])
    state: dict[str, Any] = {}
    restored = restore(settings, state)
    sink = WebhookSink(webhook) if webhook else None
    print(
        f"newsevents alerts: {len(rules)} rules from {rules_path}, {restored} alerts already sent; "
        f"reading {', '.join(KINDS)} on {settings.bootstrap_servers}"
        + (f"; metrics on :{metrics_port}/metrics" if metrics_port else ""),
        flush=True,
    )
    published = 0
    top = metrics.TopStories()
    producer = make_producer(settings)
    last_expiry = time.monotonic()
    group = f"{settings.app_id}-alerts"
    try:
        with TopicReader(settings, list(KINDS), group_id=group) as reader:
            while not stop.is_set():
                fired = []
                records = reader.poll(0.5)
                for record in records:
                    fired.extend(_evaluate(state, rules, record.topic, record.value))
                    if record.topic == contracts.STORIES and isinstance(record.value, dict):
                        top.observe(record.value)
                for alert in fired:
                    key = (alert["story_id"] or alert["event_id"] or "").encode()
                    producer.send(contracts.ALERTS, key=key, value=orjson.dumps(alert))
                    metrics.ALERTS_FIRED.labels(alert["rule"], str(alert["level"])).inc()
                    print(format_alert(alert), flush=True)
                if fired:
                    producer.flush()
                    # The webhook after the topic: an alert is durable before anyone is told of it. The
                    # sink posts on its own thread, so a webhook that is down never holds the consumer.
                    if sink is not None:
                        for alert in fired:
                            sink.submit(alert)
                if records:  # the offsets of what was read, once its alerts are on the topic
                    reader.commit()
                published += len(fired)
                if max_alerts and published >= max_alerts:
                    break
                if time.monotonic() - last_expiry > EXPIRE_EVERY:
                    alerts.expire(state, contracts.utc_now())
                    last_expiry = time.monotonic()
    finally:
        producer.close()
        if sink is not None:
            sink.close()
    return 0


def _evaluate(state: dict[str, Any], rules: list[alerts.Rule], topic: str, value: Any) -> list[Any]:
    """The alerts one record fires; a record that is not a well-formed event or story is logged, skipped."""
    if not isinstance(value, dict):
        log.warning("skipped a %s message that is not a JSON object", topic)
        return []
    try:
        return alerts.evaluate(state, rules, KINDS[topic], value, contracts.utc_now())
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("skipped a %s record the rules cannot read: %r", topic, exc)
        return []
