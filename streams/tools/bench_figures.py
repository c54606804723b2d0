"""The benchmark's pure parts: a long feed recycled from real articles, and the figures of a run.

Kept apart from the broker and processes so they are tested as plain functions.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
from prometheus_client.parser import text_string_to_metric_families

from streams import contracts

DAY_S = 86400.0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _published(record: dict[str, Any]) -> datetime | None:
    value = record.get("published_at")
    if not isinstance(value, str):
        return None
    try:
        return contracts.parse_rfc3339(value.strip())
    except ValueError:
        return None


def recycle(records: Sequence[bytes], total: int, window_s: float) -> Iterator[bytes]:
    """``total`` articles: the input as it is, then again with fresh ids, each cycle published earlier.

    Cycle k (k ≥ 1) is published k strides before the input, a stride being twice the dedup window
    plus a day: a copy never meets its original, nor a reprint pair of one cycle the other article of
    another, so every cycle is judged as the input is and state grows as with new news. Undated
    articles (timed at ingest in the input, so never matched with the dated ones) are dated a stride
    after the latest dated one, less k strides; a record that is not a JSON object is repeated as it is.
    """
    if not records:
        return
    stride = timedelta(seconds=2 * window_s + DAY_S)
    parsed: list[dict[str, Any] | None] = []
    for raw in records:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = None
        parsed.append(value if isinstance(value, dict) else None)
    dated = [moment for record in parsed if record is not None and (moment := _published(record))]
    anchor = (max(dated) if dated else datetime(2000, 1, 1, tzinfo=contracts.utc_now().tzinfo)) + stride
    for index in range(total):
        cycle, position = divmod(index, len(records))
        record = parsed[position]
        if cycle == 0 or record is None:
            yield records[position]
            continue
        moment = _published(record) or anchor
        original_id = record.get("id")
        copy = {
            **record,
            "id": f"{original_id if isinstance(original_id, str) else position}~{cycle}",
            "published_at": contracts.rfc3339(moment - cycle * stride),
        }
        yield orjson.dumps(copy)


def throughput_series(done: Sequence[float], start: float, bucket_s: float) -> list[float]:
    """Articles/s in each full ``bucket_s`` interval from ``start`` to the last article done."""
    if not done or bucket_s <= 0:
        return []
    buckets = int((max(done) - start) // bucket_s)
    counts = [0] * buckets
    for moment in done:
        slot = int((moment - start) // bucket_s)
        if 0 <= slot < buckets:
            counts[slot] += 1
    return [round(count / bucket_s, 1) for count in counts]


def moments_of_counts(samples: Sequence[tuple[float, float]]) -> list[float]:
    """A running count sampled as (moment, count), as one moment per item: the sample that first
    counted it. A count that drops (a restarted worker's) adds nothing until it passes its high."""
    moments: list[float] = []
    counted = 0.0
    for moment, count in samples:
        moments.extend([moment] * max(0, round(count - counted)))
        counted = max(counted, count)
    return moments


def throughput_trend(done: Sequence[float], start: float) -> dict[str, Any]:
    """Throughput per minute (per tenth of the run when it is shorter than 5 minutes), and last ÷ first."""
    if not done:
        return {}
    elapsed = max(done) - start
    bucket = 60.0 if elapsed >= 300 else elapsed / 10
    series = throughput_series(done, start, bucket)
    ratio = round(series[-1] / series[0], 3) if len(series) >= 2 and series[0] else None
    return {
        "throughput_bucket_s": round(bucket, 1),
        "throughput_series": series,
        "throughput_last_to_first": ratio,
    }


def rss_trend(
    samples: Sequence[tuple[float, float]], plateau_after: float, tolerance: float = 0.10
) -> dict[str, Any]:
    """RSS after the plateau: the medians of the first and the last third of the samples taken from
    ``plateau_after`` on (state has filled its window by then), and whether they agree within
    ``tolerance``."""
    settled = [rss for moment, rss in samples if moment >= plateau_after]
    if len(settled) < 3:
        return {"rss_samples_after_plateau": len(settled)}
    third = len(settled) // 3
    first, last = statistics.median(settled[:third]), statistics.median(settled[-third:])
    return {
        "rss_samples_after_plateau": len(settled),
        "rss_first_third_mb": round(first, 1),
        "rss_last_third_mb": round(last, 1),
        "rss_growth": round(last / first - 1, 3),
        "rss_flat": abs(last / first - 1) <= tolerance,
    }


def per_article(total: float, articles: int, digits: int = 1) -> float | None:
    return round(total / articles, digits) if articles else None


#: A histogram's cumulative bucket counts by label set (``le`` left out): {labels: {upper bound: count}}.
Histogram = dict[tuple[tuple[str, str], ...], dict[float, float]]


def histogram_buckets(exposition: str, name: str) -> Histogram:
    """One histogram's buckets out of a Prometheus text exposition (a worker's /metrics)."""
    found: Histogram = {}
    for family in text_string_to_metric_families(exposition):
        if family.name != name:
            continue
        for sample in family.samples:
            if sample.name == f"{name}_bucket":
                labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
                found.setdefault(labels, {})[float(sample.labels["le"])] = sample.value
    return found


def counter_total(exposition: str, name: str) -> float:
    """A counter's value summed over its label sets, out of a Prometheus text exposition (0 if absent)."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        if family.name == name
        for sample in family.samples
        if sample.name == f"{name}_total"
    )


def histogram_change(before: Histogram, after: Histogram) -> Histogram:
    """What was observed between two scrapes of the same counters."""
    return {
        labels: {le: count - before.get(labels, {}).get(le, 0.0) for le, count in buckets.items()}
        for labels, buckets in after.items()
    }


def histogram_quantile(buckets: dict[float, float], share: float) -> float | None:
    """The ``share`` quantile, interpolated within its bucket as Prometheus' ``histogram_quantile`` does;
    None without observations, the largest finite bound when it falls in the +Inf bucket."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0.0
    if total <= 0:
        return None
    rank, lower, below = share * total, 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if bound == float("inf"):
                return lower
            return lower + (bound - lower) * (rank - below) / (count - below) if count > below else bound
        lower, below = bound, count
    return lower
