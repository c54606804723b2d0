"""Prometheus configuration and alert rules, checked and unit-tested by Prometheus's own promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml
from artifacts import PROMETHEUS_DIR, PrometheusTools, alert_rules, load_yaml
from metric_names import exported_series, used_series
from prometheus_client import REGISTRY, generate_latest

import streams.worker.metrics  # noqa: F401  (registers the worker's metrics)

REQUIRED_ALERTS = {
    "NewseventsWorkerDown",
    "NewseventsConsumerLagGrowing",
    "NewseventsDeadLetterRateHigh",
    "NewseventsEndToEndLatencyHigh",
    "NewseventsNoEvents",
    "NewseventsAlertWebhookFailing",
}


def promtool(
    tools: PrometheusTools, *args: str, cwd: Path = PROMETHEUS_DIR
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tools.promtool, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_config_and_rules_pass_promtool_check(prometheus_tools: PrometheusTools) -> None:
    result = promtool(prometheus_tools, "check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_alert_rule_unit_tests_pass(prometheus_tools: PrometheusTools) -> None:
    result = promtool(prometheus_tools, "test", "rules", "alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_is_tested_firing_and_silent() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert names >= REQUIRED_ALERTS
    fired: set[str] = set()
    silent: set[str] = set()
    for case in load_yaml(PROMETHEUS_DIR / "alerts.test.yml")["tests"]:
        for check in case["alert_rule_test"]:
            (fired if check["exp_alerts"] else silent).add(check["alertname"])
    assert fired == names, f"alerts never shown firing: {names - fired}"
    assert silent == names, f"alerts never shown silent on healthy series: {names - silent}"


def test_a_broken_threshold_fails_the_unit_tests(prometheus_tools: PrometheusTools, tmp_path: Path) -> None:
    """The unit tests bite: a latency alert that only fires above 90 s no longer matches them."""
    shutil.copy(PROMETHEUS_DIR / "alerts.test.yml", tmp_path)
    rules = (PROMETHEUS_DIR / "alerts.yml").read_text("utf-8")
    broken = rules.replace("rate(newsevents_end_to_end_latency_seconds_bucket[5m]))) > 30", "...[5m]))) > 90")
    assert broken != rules
    broken = broken.replace("...[5m]", "rate(newsevents_end_to_end_latency_seconds_bucket[5m])")
    (tmp_path / "alerts.yml").write_text(broken, "utf-8")
    result = promtool(prometheus_tools, "test", "rules", "alerts.test.yml", cwd=tmp_path)
    assert result.returncode != 0
    assert "NewseventsEndToEndLatencyHigh" in result.stdout + result.stderr


def test_alerts_use_only_metrics_the_worker_exports() -> None:
    exported = exported_series(generate_latest(REGISTRY).decode())
    used = used_series(rule["expr"] for rule in alert_rules())
    assert used, "the rules reference no pipeline metric"
    assert used <= exported, f"unknown metrics in alerts.yml: {used - exported}"


def test_alerts_select_the_scrape_job_of_the_config() -> None:
    jobs = {
        job["job_name"]
        for job in yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())["scrape_configs"]
    }
    assert jobs == {"newsevents"}
    assert any('up{job="newsevents"}' in rule["expr"] for rule in alert_rules())
