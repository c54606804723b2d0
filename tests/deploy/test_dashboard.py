"""The Grafana dashboard and its provisioning: required panels, valid PromQL, real metric names."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from artifacts import (
    DEPLOY,
    PrometheusTools,
    dashboard,
    dashboard_panels,
    dashboard_queries,
    dashboard_variable_queries,
    load_yaml,
)
from metric_names import exported_series, plain_promql, used_series
from prometheus_client import REGISTRY, generate_latest

import streams.worker.metrics  # noqa: F401  (registers the worker's metrics)

#: Panels the issue asks for, by title, with a metric each must query.
REQUIRED_PANELS = {
    "Throughput per stage (in)": "newsevents_records_in_total",
    "End-to-end latency": "newsevents_end_to_end_latency_seconds_bucket",
    "Event loop lag": "newsevents_event_loop_lag_seconds_bucket",
    "Consumer lag by topic": "newsevents_consumer_lag_messages",
    "Dedup ratio by method": "newsevents_duplicates_total",
    "Events by PLOVER type": "newsevents_events_total",
    "Events by country (top 15)": "newsevents_events_by_country_total",
    "Dead letters by reason": "newsevents_deadletter_total",
    "Open stories": "newsevents_stories_open",
    "Stories per hour": "newsevents_stories_total",
    "Articles per story": "newsevents_story_articles_bucket",
    "Top stories now": "newsevents_top_story_sources",
    "Alerts fired by rule": "newsevents_alerts_total",
    "Webhook failures": "newsevents_alert_webhook_failures_total",
}


def test_required_panels_query_their_metrics() -> None:
    by_title = {panel["title"]: panel for panel in dashboard_panels()}
    for title, metric in REQUIRED_PANELS.items():
        assert title in by_title, f"missing panel {title!r}"
        assert metric in used_series(target["expr"] for target in by_title[title]["targets"]), title


def test_latency_panel_shows_three_percentiles() -> None:
    (panel,) = [p for p in dashboard_panels() if p["title"] == "End-to-end latency"]
    assert [t["legendFormat"] for t in panel["targets"]] == ["p50", "p90", "p99"]


def test_panels_are_well_formed() -> None:
    panels = dashboard()["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for panel in dashboard_panels():
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            # The data source is a variable, so the JSON imports into any Grafana.
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
    refs = {t["refId"] for p in dashboard_panels() for t in p["targets"]}
    assert refs <= set("ABCDEFGH")


def test_queries_are_valid_promql(prometheus_tools: PrometheusTools, tmp_path: Path) -> None:
    """promtool parses every panel query, written as a recording rule."""
    rules = [
        {"record": f"dashboard:query_{n}", "expr": plain_promql(e)} for n, e in enumerate(dashboard_queries())
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), "utf-8")
    result = subprocess.run(
        [prometheus_tools.promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules)} rules found" in result.stdout


def test_queries_use_only_metrics_the_worker_exports() -> None:
    exported = exported_series(generate_latest(REGISTRY).decode())
    used = used_series(dashboard_queries() + dashboard_variable_queries())
    assert used <= exported, f"unknown metrics in the dashboard: {used - exported}"
    assert len(used) >= 10


def test_provisioning_points_at_the_compose_services() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    (source,) = load_yaml(provisioning / "datasources" / "prometheus.yml")["datasources"]
    assert source["type"] == "prometheus" and source["url"] == "http://prometheus:9090"
    (provider,) = load_yaml(provisioning / "dashboards" / "newsevents.yml")["providers"]
    compose = load_yaml(DEPLOY.parent / "docker-compose.yml")
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./deploy/grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
