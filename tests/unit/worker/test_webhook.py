"""The webhook sink against a real HTTP server on localhost: delivery, retries with back-off, giving up."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from prometheus_client import REGISTRY

from streams.kafka.broker import free_port
from streams.worker.webhook import WebhookSink

ALERT = {"alert_id": "a-0123456789abcdef", "rule": "kharkiv", "level": 1, "story_id": "s-1"}


class Endpoint:
    """An HTTP server that answers ``statuses`` in turn (then 200) and keeps what it was sent."""

    def __init__(self, statuses: list[int], headers: dict[str, str] | None = None) -> None:
        self.statuses = list(statuses)
        self.headers = headers or {}
        self.received: list[tuple[dict[str, str], Any]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((dict(self.headers), orjson.loads(body)))
                status = endpoint.statuses.pop(0) if endpoint.statuses else 200
                self.send_response(status)
                for name, value in endpoint.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Endpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def counts() -> dict[str, float]:
    names = {
        "retried": ("newsevents_alert_webhook_failures_total", {"outcome": "retried"}),
        "given_up": ("newsevents_alert_webhook_failures_total", {"outcome": "given_up"}),
        "delivered": ("newsevents_alert_webhook_posts_total", {"result": "delivered"}),
        "failed": ("newsevents_alert_webhook_posts_total", {"result": "failed"}),
    }
    return {key: REGISTRY.get_sample_value(name, labels) or 0.0 for key, (name, labels) in names.items()}


@pytest.fixture
def waits() -> list[float]:
    """The sink's back-off waits, recorded instead of slept."""
    return []


def sink(url: str, waits: list[float], attempts: int = 4) -> WebhookSink:
    return WebhookSink(url, attempts=attempts, backoff=0.01, backoff_max=0.04, timeout=2, sleep=waits.append)


def delta(before: dict[str, float]) -> dict[str, float]:
    after = counts()
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


def test_delivers_the_alert_as_json(waits: list[float]) -> None:
    before = counts()
    with Endpoint([]) as endpoint:
        assert sink(endpoint.url, waits).post(ALERT)
    ((headers, body),) = endpoint.received
    assert body == ALERT
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == ALERT["alert_id"]
    assert waits == [] and delta(before) == {"delivered": 1}


def test_a_server_failing_first_is_retried_with_growing_waits(waits: list[float]) -> None:
    before = counts()
    with Endpoint([503, 500, 429]) as endpoint:
        assert sink(endpoint.url, waits).post(ALERT)
    assert [body for _, body in endpoint.received] == [ALERT] * 4
    assert waits == [0.01, 0.02, 0.04]
    assert delta(before) == {"retried": 3, "delivered": 1}


def test_gives_up_after_the_last_attempt_and_counts_it(waits: list[float]) -> None:
    before = counts()
    with Endpoint([502] * 10) as endpoint:
        assert not sink(endpoint.url, waits, attempts=3).post(ALERT)
    assert len(endpoint.received) == 3
    assert waits == [0.01, 0.02]
    assert delta(before) == {"retried": 2, "given_up": 1, "failed": 1}


def test_a_refused_alert_is_not_retried(waits: list[float]) -> None:
    before = counts()
    with Endpoint([400]) as endpoint:
        assert not sink(endpoint.url, waits).post(ALERT)
    assert len(endpoint.received) == 1 and waits == []
    assert delta(before) == {"given_up": 1, "failed": 1}


def test_retry_after_is_honoured_up_to_the_cap(waits: list[float]) -> None:
    with Endpoint([503], headers={"Retry-After": "30"}) as endpoint:
        assert sink(endpoint.url, waits).post(ALERT)
    assert waits == [0.04]


def test_no_server_listening_is_retried_then_given_up(waits: list[float]) -> None:
    before = counts()
    assert not sink(f"http://127.0.0.1:{free_port()}/hook", waits, attempts=2).post(ALERT)
    assert waits == [0.01]
    assert delta(before) == {"retried": 1, "given_up": 1, "failed": 1}


def test_real_back_off_is_exponential_and_bounded() -> None:
    webhook = WebhookSink("http://127.0.0.1:1/")
    assert [webhook.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    with pytest.raises(ValueError):
        WebhookSink("http://127.0.0.1:1/", attempts=0)


def test_submitted_alerts_are_posted_in_order_on_the_sink_thread(waits: list[float]) -> None:
    with Endpoint([503]) as endpoint:
        webhook = sink(endpoint.url, waits)
        futures = [webhook.submit({**ALERT, "level": level}) for level in (1, 2, 3)]
        webhook.close()
    assert [future.result() for future in futures] == [True, True, True]
    assert [body["level"] for _, body in endpoint.received] == [1, 1, 2, 3]
