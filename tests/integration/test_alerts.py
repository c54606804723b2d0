"""``newsevents alerts`` on the embedded broker: event and story records in, alerts out, webhook told.

The command runs as a subprocess, as a user starts it; a local HTTP server stands for the webhook
and fails its first answers. Restarting the command sends nothing twice (its state comes back from
the alerts topic) and an escalation after the restart still fires.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import orjson
import pytest
from alert_records import event, story
from prometheus_client.parser import text_string_to_metric_families

from streams import contracts
from streams.config import Settings
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import EmbeddedBroker, free_port
from streams.kafka.clients import TopicReader, make_producer
from streams.kafka.local import LocalPipeline, code_path

pytestmark = pytest.mark.integration

RULES = """\
rules:
  - name: big-assault
    event_types: [ASSAULT]
    countries: [UKR]
    min_sources: 3
    escalation: [10]
  - name: fast-growing
    records: [stories]
    growth: {sources: 5, within_minutes: 30}
  - name: forces
    records: [events]
    actors: [{name: forces, country: RUS}]
"""


class Hook(BaseHTTPRequestHandler):
    """Answers 503 to the first two posts, then 200; keeps the alerts it accepted."""

    failures_left = 2
    accepted: ClassVar[list[dict[str, Any]]] = []
    attempts = 0

    def do_POST(self) -> None:
        body = orjson.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Hook.attempts += 1
        if Hook.failures_left:
            Hook.failures_left -= 1
            self.send_response(503)
        else:
            Hook.accepted.append(body)
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    log = tmp_path_factory.mktemp("alerts") / "broker.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as running:
        settings = Settings(bootstrap_servers=running.bootstrap, partitions=2)
        ensure_topics(settings)
        yield settings


@pytest.fixture(scope="module")
def webhook() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()
    server.server_close()


class AlertsCommand:
    def __init__(self, settings: Settings, rules: Path, webhook: str, log: Path) -> None:
        self.metrics_port = free_port()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "NEWSEVENTS_PARTITIONS": str(settings.partitions),
            "PYTHONPATH": code_path(dict(os.environ)),
            "PYTHONSAFEPATH": "1",
        }
        command = [
            "alerts",
            "--rules",
            str(rules),
            "--webhook",
            webhook,
            "--metrics-port",
            str(self.metrics_port),
        ]
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "streams.tools.cli", *command],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_started(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            if "newsevents alerts:" in self.log.read_text():
                return
            time.sleep(0.2)
        raise TimeoutError(self.log.read_text())

    def metric(self, name: str, **labels: str) -> float | None:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            text = response.read().decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
        return None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
        assert self.process.returncode == 0, self.log.read_text()


def send(settings: Settings, records: list[tuple[str, dict[str, Any]]]) -> None:
    producer = make_producer(settings)
    for topic, record in records:
        key = record.get("story_id") if topic == contracts.STORIES else record["event_id"]
        producer.send(topic, key=str(key).encode(), value=orjson.dumps(record))
    producer.flush()
    producer.close()


def alerts_on_topic(settings: Settings, count: int, timeout: float = 60) -> list[dict[str, Any]]:
    """Every alert on the topic once ``count`` are there and no more arrive for 3 s."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    with TopicReader(settings, [contracts.ALERTS]) as reader:
        while time.monotonic() < deadline:
            batch = reader.poll(0.5)
            found.extend(record.value for record in batch)
            if batch:
                quiet_since = time.monotonic()
            if len(found) >= count and time.monotonic() - quiet_since > 3:
                break
    return found


def test_alerts_command_publishes_escalates_and_survives_a_restart(
    broker: Settings, webhook: str, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, "utf-8")
    growing = [
        story(minute, sources, growth={}, first_minute=-120) for minute, sources in [(0, 2), (10, 4), (20, 8)]
    ]
    send(broker, [(contracts.STORIES, record) for record in growing] + [(contracts.EVENTS, event(sources=2))])

    command = AlertsCommand(broker, rules, webhook, tmp_path / "alerts-1.log")
    command.wait_started()
    first = alerts_on_topic(broker, 3)
    for alert in first:
        contracts.validate(contracts.ALERTS, alert)
    fired = sorted((a["rule"], a["level"], a["subject"]) for a in first)
    # big-assault at 4 sources (level 1); fast-growing at 20 min (8 - 2 = 6 new sources within 30
    # minutes); the event's actors. The event is in the story big-assault already fired for: no second alert.
    assert fired == [("big-assault", 1, "story"), ("fast-growing", 1, "story"), ("forces", 1, "event")]
    growth = next(a for a in first if a["rule"] == "fast-growing")["why"]["growth"]
    assert growth == {"within_minutes": 30, "new_sources": 6}

    deadline = time.monotonic() + 30
    while len(Hook.accepted) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sorted(a["alert_id"] for a in Hook.accepted) == sorted(a["alert_id"] for a in first)
    assert Hook.attempts == 5, "two failed attempts, retried, then the three alerts"
    assert command.metric("newsevents_alerts_total", rule="big-assault", level="1") == 1
    assert command.metric("newsevents_alerts_total", rule="forces", level="1") == 1
    assert command.metric("newsevents_alert_webhook_failures_total", outcome="retried") == 2
    assert command.metric("newsevents_alert_webhook_failures_total", outcome="given_up") == 0
    assert command.metric("newsevents_alert_webhook_posts_total", result="delivered") == 3
    command.stop()

    # Restarted: the same level again sends nothing; crossing the escalation threshold sends level 2.
    send(broker, [(contracts.STORIES, story(25, 9, growth={}, first_minute=-120))])
    command = AlertsCommand(broker, rules, webhook, tmp_path / "alerts-2.log")
    command.wait_started()
    assert "3 alerts already sent" in command.log.read_text()
    send(broker, [(contracts.STORIES, story(40, 12, growth={}, first_minute=-120))])
    after = alerts_on_topic(broker, 4)
    command.stop()
    new = [a for a in after if a["alert_id"] not in {b["alert_id"] for b in first}]
    assert [(a["rule"], a["level"], a["num_sources"]) for a in new] == [("big-assault", 2, 12)]


def test_tail_alerts_prints_one_line_per_alert(broker: Settings) -> None:
    alert = {
        "schema_version": 1,
        "alert_id": "a-00000000000000ff",
        "rule": "tail-check",
        "description": "",
        "level": 2,
        "subject": "story",
        "story_id": "s-0123456789abcdef",
        "event_id": None,
        "headline": "Explosion hits a power plant in Kharkiv",
        "why": {"countries": ["UKR"], "place": {"name": "Kharkiv", "country": "UKR", "distance_km": 1.9}},
        "num_sources": 14,
        "num_articles": 20,
        "languages": ["en", "uk"],
        "first_seen": "2026-11-30T06:12:00.000000Z",
        "links": ["https://outlet0.example/kharkiv-0"],
        "articles": [],
        "fired_at": "2026-11-30T06:42:00.000000Z",
    }
    producer = make_producer(broker)
    producer.send(contracts.ALERTS, key=b"tail", value=orjson.dumps(alert))
    producer.flush()
    producer.close()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "PYTHONPATH": code_path(dict(os.environ)),
    }
    lines: list[str] = []
    process = subprocess.Popen(
        [sys.executable, "-m", "streams.tools.cli", "tail", "alerts", "--from-beginning"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "tail-check" in line:
                break
    finally:
        process.terminate()
        process.wait(10)
    assert lines[-1] == (
        "2026-11-30T06:42:00.000000Z  tail-check  L2  14 sources  [countries=UKR; place=Kharkiv (1.9 km)]  "
        "s-0123456789abcdef: Explosion hits a power plant in Kharkiv  https://outlet0.example/kharkiv-0"
    )


def test_worker_runs_the_rules_when_configured(tmp_path: Path, webhook: str) -> None:
    """NEWSEVENTS_ALERT_RULES: the worker's alerts agents do what the command does, on two partitions."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, "utf-8")
    Hook.accepted.clear()
    env = {"NEWSEVENTS_ALERT_RULES": str(rules), "NEWSEVENTS_ALERT_WEBHOOK": webhook}
    with LocalPipeline(workers=1, partitions=2, bootstrap="", log_dir=tmp_path, env=env) as local:
        other = "s-fedcba9876543210"
        send(
            local.settings,
            [
                (contracts.STORIES, story(0, 2, growth={}, first_minute=-120)),
                (contracts.STORIES, story(0, 5, story_id=other, growth={}, first_minute=-120)),
                (contracts.EVENTS, event(sources=2)),
                (contracts.STORIES, story(10, 4, growth={}, first_minute=-120)),
                (contracts.STORIES, story(20, 11, growth={}, first_minute=-120)),
                (contracts.STORIES, story(21, 11, growth={}, first_minute=-120)),
            ],
        )
        found = alerts_on_topic(local.settings, 5, timeout=90)
        fired = sorted((a["story_id"], a["rule"], a["level"]) for a in found)
        story_id = "s-0123456789abcdef"
        assert fired == [
            (story_id, "big-assault", 1),
            (story_id, "big-assault", 2),
            (story_id, "fast-growing", 1),
            (story_id, "forces", 1),
            (other, "big-assault", 1),
        ]
        for alert in found:
            contracts.validate(contracts.ALERTS, alert)
        deadline = time.monotonic() + 30
        while len(Hook.accepted) < len(found) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sorted(a["alert_id"] for a in Hook.accepted) == sorted(a["alert_id"] for a in found)

        # A sweep a week and a day from now forgets every story: the count that fired big-assault for the
        # other story fires it again (without the sweep it would send nothing).
        sweep = orjson.dumps({"sweep": time.time() + 8 * 86400})
        producer = make_producer(local.settings)
        for partition in range(2):
            producer.send(contracts.ALERTS_BY_STORY, key=b"~sweep", value=sweep, partition=partition)
        producer.flush()
        producer.close()
        send(
            local.settings, [(contracts.STORIES, story(30, 5, story_id=other, growth={}, first_minute=-120))]
        )
        again = alerts_on_topic(local.settings, 6, timeout=60)
        assert [(a["story_id"], a["rule"], a["level"]) for a in again[5:]] == [(other, "big-assault", 1)]
