"""A real Prometheus server scrapes a real worker on the embedded broker, with the shipped config.

The config is deploy/prometheus/prometheus.yml with the worker's address and a 1 s interval; the
alert rules load alongside it, so a rule Prometheus cannot evaluate fails here too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from artifacts import (
    DEPLOY,
    PROMETHEUS_DIR,
    PrometheusTools,
    alert_rules,
    dashboard_queries,
    dashboard_variable_queries,
    load_yaml,
)
from metric_names import exported_series, plain_promql, used_series

from streams.kafka.broker import free_port

pytestmark = pytest.mark.integration

PROCESSED = 'sum(newsevents_records_in_total{job="newsevents", stage="normalize"})'


def http_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def query(self, expr: str) -> list[dict[str, Any]]:
        answer = http_json(f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        assert answer["status"] == "success", answer
        result: list[dict[str, Any]] = answer["data"]["result"]
        return result

    def scalar(self, expr: str) -> float | None:
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None


@pytest.fixture(scope="module")
def prometheus(
    pipeline: Any, prometheus_tools: PrometheusTools, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Prometheus]:
    workdir = tmp_path_factory.mktemp("prometheus")
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    (job,) = config["scrape_configs"]
    job["static_configs"] = [{"targets": [f"127.0.0.1:{pipeline.metrics_port}"]}]
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config), "utf-8")
    shutil.copy(PROMETHEUS_DIR / "alerts.yml", workdir)
    port = free_port()
    log = (workdir / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            prometheus_tools.prometheus,
            f"--config.file={workdir / 'prometheus.yml'}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, (workdir / "prometheus.log").read_text()
            try:
                with urllib.request.urlopen(f"{url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Prometheus did not become ready"
            time.sleep(0.2)
        yield Prometheus(url)
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while (value := check()) is None or value is False:
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return value


def worker_metrics(pipeline: Any) -> str:
    with urllib.request.urlopen(pipeline.metrics_url, timeout=5) as response:
        text: str = response.read().decode()
        return text


def worker_processed(pipeline: Any) -> float:
    total = 0.0
    for line in worker_metrics(pipeline).splitlines():
        if line.startswith('newsevents_records_in_total{stage="normalize"}'):
            total += float(line.rsplit(" ", 1)[1])
    return total


def articles(count: int) -> list[dict[str, Any]]:
    run = uuid.uuid4().hex[:8]
    return [
        {
            "id": f"deploy-live-{run}-{n}",
            "url": f"https://example.org/deploy-live/{run}/{n}",
            "source": "example.org",
            "title": f"Foreign ministers meet in Geneva, round {n} ({run})",
            "body": (
                f"GENEVA - The foreign ministers of France and Germany met in Geneva on Monday for talks "
                f"on trade, the {n}th meeting this year, officials said. Reference {run}-{n}."
            ),
            "published_at": "2026-11-23T09:00:00Z",
        }
        for n in range(count)
    ]


def test_prometheus_counts_the_processed_articles(pipeline: Any, prometheus: Prometheus) -> None:
    before = worker_processed(pipeline)
    sent = articles(5)
    pipeline.produce(sent)
    ids = {article["id"] for article in sent}
    cleaned = pipeline.consume("articles.clean", 5, timeout=90, where=lambda r: r.get("id") in ids)
    assert {record["id"] for record in cleaned} == ids
    # Once the worker is idle, Prometheus returns exactly the worker's own count within a few scrapes.
    scraped = wait_for(
        lambda: (value := prometheus.scalar(PROCESSED)) == worker_processed(pipeline) and value,
        timeout=30,
        what=f"{PROCESSED} to equal the worker's count",
    )
    assert scraped >= before + len(sent)
    up = prometheus.query('up{job="newsevents"}')
    assert [series["value"][1] for series in up] == ["1"]


def test_dashboard_and_alert_metrics_exist_on_the_worker(pipeline: Any) -> None:
    exported = exported_series(worker_metrics(pipeline))
    expressions = (
        dashboard_queries() + dashboard_variable_queries() + [rule["expr"] for rule in alert_rules()]
    )
    used = used_series(expressions)
    assert used <= exported, f"queried but not exported by the worker: {sorted(used - exported)}"


def test_every_dashboard_query_runs_on_prometheus(pipeline: Any, prometheus: Prometheus) -> None:
    wait_for(lambda: prometheus.scalar(PROCESSED), timeout=30, what="a first scrape")
    for expr in dashboard_queries():
        prometheus.query(plain_promql(expr))
    throughput = plain_promql(
        'sum by (stage) (rate(newsevents_records_in_total{instance=~"$instance"}[$__rate_interval]))'
    )
    stages = wait_for(
        lambda: {series["metric"]["stage"] for series in prometheus.query(throughput)} or None,
        timeout=30,
        what="two scrapes for rate()",
    )
    assert stages == {"normalize", "dedup", "extract", "stories"}


def test_alert_rules_are_loaded_and_healthy(prometheus: Prometheus) -> None:
    groups = http_json(f"{prometheus.url}/api/v1/rules")["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    assert {rule["name"] for rule in rules} == {rule["alert"] for rule in alert_rules()}
    wait_for(
        lambda: all(
            rule.get("health") == "ok"
            for rule in http_json(f"{prometheus.url}/api/v1/rules")["data"]["groups"][0]["rules"]
        ),
        timeout=15,
        what="rule evaluation",
    )


def test_container_healthcheck_script(pipeline: Any) -> None:
    script = DEPLOY / "docker" / "healthcheck.py"

    def check(port: int) -> int:
        env = {**os.environ, "NEWSEVENTS_WEB_PORT": str(port)}
        return subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, timeout=15
        ).returncode

    assert check(pipeline.metrics_port) == 0
    assert check(free_port()) == 1
