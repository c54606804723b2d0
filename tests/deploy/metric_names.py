"""Which series names PromQL expressions use and which ones a worker exports."""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client.parser import text_string_to_metric_families

SERIES_SUFFIXES = {
    "counter": ("_total",),
    "histogram": ("_bucket", "_sum", "_count"),
    "summary": ("", "_sum", "_count"),
    "gauge": ("",),
}
_PIPELINE_NAME = re.compile(r"\bnewsevents_[a-z0-9_]+\b")
#: Grafana variables, replaced by values that make the expression plain PromQL.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$instance": ".*"}


def used_series(expressions: Iterable[str]) -> set[str]:
    """Pipeline series names in PromQL expressions (``up`` and other Prometheus series excluded)."""
    return {name for expr in expressions for name in _PIPELINE_NAME.findall(expr)}


def exported_series(exposition: str) -> set[str]:
    """Series names a /metrics page offers, families declared without samples included."""
    names: set[str] = set()
    for family in text_string_to_metric_families(exposition):
        names.update(family.name + suffix for suffix in SERIES_SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def plain_promql(expr: str) -> str:
    for variable, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(variable, value)
    return expr
