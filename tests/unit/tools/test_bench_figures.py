"""bench's pure parts: the recycled long feed, throughput over time and the RSS plateau check."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from prometheus_client import CollectorRegistry, Counter, generate_latest

from streams import contracts
from streams.tools.bench_figures import (
    counter_total,
    histogram_buckets,
    histogram_change,
    histogram_quantile,
    moments_of_counts,
    recycle,
    rss_trend,
    throughput_series,
    throughput_trend,
)

WINDOW_S = 3600.0
INPUT = [
    orjson.dumps({"id": "a", "body": "One.", "published_at": "2020-05-01T10:00:00Z"}),
    orjson.dumps({"id": "b", "body": "One, reprinted.", "published_at": "2020-05-01T12:00:00Z"}),
    orjson.dumps({"body": "Undated and without an id."}),
    b"not json",
]


def test_recycle_repeats_the_input_with_fresh_ids_and_earlier_dates() -> None:
    feed = list(recycle(INPUT, 10, WINDOW_S))
    assert len(feed) == 10
    assert feed[:4] == INPUT  # the first cycle is the input itself
    assert feed[7] == feed[3] == b"not json"  # a broken record stays broken
    copies = [orjson.loads(raw) for raw in feed[4:7] + feed[8:]]
    assert [c["id"] for c in copies] == ["a~1", "b~1", "2~1", "a~2", "b~2"]
    originals = [orjson.loads(INPUT[i]) for i in (0, 1, 2, 0, 1)]
    assert [c["body"] for c in copies] == [o["body"] for o in originals]
    stride = timedelta(seconds=2 * WINDOW_S + 86400)
    first = contracts.parse_rfc3339("2020-05-01T10:00:00Z")
    assert contracts.parse_rfc3339(copies[0]["published_at"]) == first - stride
    assert contracts.parse_rfc3339(copies[3]["published_at"]) == first - 2 * stride
    # every copy of a story is more than a window away from every other copy and from its reprint's copies
    dated = sorted(contracts.parse_rfc3339(c["published_at"]).timestamp() for c in copies)
    undated, latest = (contracts.parse_rfc3339(copies[i]["published_at"]) for i in (2, 1))
    assert undated - latest == stride  # a stride after the cycle's latest dated article
    story_a = [contracts.parse_rfc3339(c["published_at"]).timestamp() for c in copies if c["id"][0] in "ab"]
    assert min(abs(x - y) for x in story_a[:2] for y in story_a[2:]) > WINDOW_S
    assert len(set(dated)) == len(dated)


def test_recycle_of_nothing_is_nothing() -> None:
    assert list(recycle([], 5, WINDOW_S)) == []


def test_throughput_counts_full_buckets_only() -> None:
    done = [0.5, 1.2, 1.4, 2.1, 2.2, 2.3, 3.9]
    assert throughput_series(done, 0.0, 1.0) == [1.0, 2.0, 3.0]
    assert throughput_series([], 0.0, 1.0) == []
    trend = throughput_trend([float(t) for t in range(1, 401)], 0.0)  # 400 s: per minute
    assert trend["throughput_bucket_s"] == 60.0
    assert trend["throughput_series"] == [1.0] * 6
    assert trend["throughput_last_to_first"] == 1.0
    short = throughput_trend([float(t) / 10 for t in range(1, 101)], 0.0)  # 10 s: per tenth of the run
    assert short["throughput_bucket_s"] == 1.0


def test_rss_trend_after_the_plateau() -> None:
    filling_then_flat = [(float(t), 300.0 + 20 * t if t < 10 else 500.0 + t / 10) for t in range(100)]
    flat = rss_trend(filling_then_flat, plateau_after=10.0)
    assert flat["rss_samples_after_plateau"] == 90
    assert flat["rss_first_third_mb"] == pytest.approx(502.45, abs=0.1)
    assert flat["rss_last_third_mb"] == pytest.approx(508.45, abs=0.1)
    assert flat["rss_growth"] == pytest.approx(6 / 502.45, abs=1e-3) and flat["rss_flat"]
    leaking = rss_trend([(float(t), 500.0 + 5 * t) for t in range(100)], plateau_after=10.0)
    assert not leaking["rss_flat"] and leaking["rss_growth"] > 0.1
    assert rss_trend([(1.0, 5.0)], plateau_after=0.0) == {"rss_samples_after_plateau": 1}


EXPOSITION = """# HELP newsevents_stage_latency_seconds Processing time.
# TYPE newsevents_stage_latency_seconds histogram
newsevents_stage_latency_seconds_bucket{le="0.1",stage="extract"} 2.0
newsevents_stage_latency_seconds_bucket{le="0.5",stage="extract"} 6.0
newsevents_stage_latency_seconds_bucket{le="+Inf",stage="extract"} 10.0
newsevents_stage_latency_seconds_count{stage="extract"} 10.0
newsevents_stage_latency_seconds_sum{stage="extract"} 9.0
newsevents_stage_latency_seconds_bucket{le="0.1",stage="dedup"} 1.0
newsevents_stage_latency_seconds_bucket{le="0.5",stage="dedup"} 1.0
newsevents_stage_latency_seconds_bucket{le="+Inf",stage="dedup"} 1.0
newsevents_stage_latency_seconds_count{stage="dedup"} 1.0
newsevents_stage_latency_seconds_sum{stage="dedup"} 0.05
"""


def test_a_sampled_running_count_becomes_one_moment_per_item() -> None:
    samples = [(0.0, 0.0), (5.0, 3.0), (10.0, 3.0), (15.0, 1.0), (20.0, 5.0)]
    assert moments_of_counts(samples) == [5.0, 5.0, 5.0, 20.0, 20.0]
    assert moments_of_counts([]) == []


def test_a_counter_summed_over_its_labels_from_a_real_exposition() -> None:
    registry = CollectorRegistry()
    placed = Counter("newsevents_story_assigned", "Articles placed.", ["outcome"], registry=registry)
    placed.labels("joined").inc(3)
    placed.labels("reprint").inc(2)
    exposition = generate_latest(registry).decode()
    assert counter_total(exposition, "newsevents_story_assigned") == 5.0
    assert counter_total(exposition, "newsevents_records_in") == 0.0


def test_histogram_buckets_by_label_set_and_their_change_over_a_run() -> None:
    after = histogram_buckets(EXPOSITION, "newsevents_stage_latency_seconds")
    extract = (("stage", "extract"),)
    assert after[extract] == {0.1: 2.0, 0.5: 6.0, float("inf"): 10.0}
    assert histogram_buckets(EXPOSITION, "newsevents_event_loop_lag_seconds") == {}
    before = {extract: {0.1: 1.0, 0.5: 1.0, float("inf"): 1.0}}
    change = histogram_change(before, after)
    assert change[extract] == {0.1: 1.0, 0.5: 5.0, float("inf"): 9.0}
    assert change[(("stage", "dedup"),)] == after[(("stage", "dedup"),)]  # not seen before: all of it


def test_histogram_quantile_interpolates_as_prometheus_does() -> None:
    buckets = {0.1: 2.0, 0.5: 6.0, float("inf"): 10.0}
    assert histogram_quantile(buckets, 0.1) == pytest.approx(0.05)  # 1 of 2 in [0, 0.1]
    assert histogram_quantile(buckets, 0.4) == pytest.approx(0.3)  # 2 of 4 in (0.1, 0.5]
    assert histogram_quantile(buckets, 0.99) == 0.5  # in +Inf: the largest finite bound
    assert histogram_quantile({0.1: 0.0, float("inf"): 0.0}, 0.5) is None
    assert histogram_quantile({}, 0.5) is None
