"""Webhook sink of ``newsevents alerts`` and of workers running the rules: each alert POSTed as JSON,
with bounded retries and back-off.

Retried: connection errors, timeouts, 408, 425, 429 and 5xx answers, after 0.5, 1, 2, 4 s (capped) by
default, honouring a ``Retry-After`` up to the cap. Any other answer is final. Every failed attempt is
logged and counted (``newsevents_alert_webhook_failures_total{outcome}``); an alert not delivered after
the last attempt is not dead-lettered: it is already on the ``alerts`` topic, from which it can be
replayed (``newsevents tail alerts --from-beginning``), and the log names it. The loop is written out
rather than left to urllib3's ``Retry``, which retries the first failure at once and does not report
the attempts that failed before a success.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import orjson
import urllib3

from streams.worker import metrics

log = logging.getLogger("newsevents.alerts")

RETRIED_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass
class WebhookSink:
    url: str
    attempts: int = 5
    backoff: float = 0.5
    backoff_max: float = 8.0
    timeout: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    pool: urllib3.PoolManager = field(default_factory=lambda: urllib3.PoolManager(retries=False))
    #: One thread: posts leave in order, and a webhook that is down delays only other posts.
    thread: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="alerts-webhook")
    )

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("a webhook needs at least one attempt")

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        wait = self.backoff * 2 ** (attempt - 1)
        if retry_after is not None and retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return min(self.backoff_max, wait)

    def submit(self, alert: dict[str, Any]) -> Future[bool]:
        """Post ``alert`` on the sink's thread, after those submitted before it; the caller goes on."""
        future = self.thread.submit(self.post, alert)
        future.add_done_callback(_log_crash)
        return future

    def close(self) -> None:
        """Wait for the posts already submitted (each ends within its attempts and back-off)."""
        self.thread.shutdown(wait=True)

    def post(self, alert: dict[str, Any]) -> bool:
        """Deliver one alert; True once the endpoint answers 2xx, False after the last failed attempt."""
        body = orjson.dumps(alert)
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(alert.get("alert_id", ""))}
        for attempt in range(1, self.attempts + 1):
            retry_after = None
            try:
                response = self.pool.request(
                    "POST", self.url, body=body, headers=headers, timeout=self.timeout, redirect=False
                )
            except urllib3.exceptions.HTTPError as exc:
                problem, retryable = f"{type(exc).__name__}: {exc}", True
            else:
                if 200 <= response.status < 300:
                    metrics.ALERT_WEBHOOK_POSTS.labels("delivered").inc()
                    return True
                problem = f"HTTP {response.status}"
                retryable = response.status in RETRIED_STATUSES
                retry_after = response.headers.get("Retry-After")
            if not retryable or attempt == self.attempts:
                break
            wait = self.delay(attempt, retry_after)
            metrics.ALERT_WEBHOOK_FAILURES.labels("retried").inc()
            log.warning(
                "webhook attempt %d/%d for alert %s failed (%s); retrying in %.1f s",
                attempt,
                self.attempts,
                alert.get("alert_id"),
                problem,
                wait,
            )
            self.sleep(wait)
        metrics.ALERT_WEBHOOK_FAILURES.labels("given_up").inc()
        metrics.ALERT_WEBHOOK_POSTS.labels("failed").inc()
        log.error(
            "webhook gave up on alert %s (rule %s, story %s) after %d attempt(s): %s; "
            "it stays on the alerts topic",
            alert.get("alert_id"),
            alert.get("rule"),
            alert.get("story_id"),
            attempt,
            problem,
        )
        return False


def _log_crash(future: Future[bool]) -> None:
    """:meth:`WebhookSink.post` logs and counts its own failures; only a bug in it reaches here."""
    if not future.cancelled() and future.exception() is not None:
        log.error("webhook sink failed: %r", future.exception())
