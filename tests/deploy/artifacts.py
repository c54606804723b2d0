"""The deployment files as data (alert rules, the Grafana dashboard, its queries) and the tools' paths."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PROMETHEUS_DIR = DEPLOY / "prometheus"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "newsevents.json"


@dataclass(frozen=True)
class PrometheusTools:
    """Paths of Debian's promtool and prometheus binaries."""

    promtool: str
    prometheus: str


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def alert_rules() -> list[dict[str, Any]]:
    return [rule for group in load_yaml(PROMETHEUS_DIR / "alerts.yml")["groups"] for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text("utf-8"))
    return loaded


def dashboard_panels() -> list[dict[str, Any]]:
    return [panel for panel in dashboard()["panels"] if panel["type"] != "row"]


def dashboard_queries() -> list[str]:
    """The PromQL expressions of the dashboard's panels."""
    return [target["expr"] for panel in dashboard_panels() for target in panel["targets"]]


def dashboard_variable_queries() -> list[str]:
    """Queries of template variables: Grafana functions such as ``label_values(...)``, not PromQL."""
    return [var["query"]["query"] for var in dashboard()["templating"]["list"] if var["type"] == "query"]
