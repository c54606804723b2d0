"""Drive the ``newsevents`` command as a user would, as subprocesses."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil
import pytest

pytestmark = pytest.mark.e2e

NEWSEVENTS = [sys.executable, "-m", "streams.tools.cli"]


def run(args: list[str], timeout: float, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    return subprocess.run(
        [*NEWSEVENTS, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False, **kwargs
    )


def test_demo_shows_events_duplicates_and_dead_letters(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(["demo", "--timeout", "150"], timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "worker metrics at http://127.0.0.1:" in out
    assert "EVENT" in out and "STORY" in out and "DUP" in out and "DEAD" in out
    assert re.search(r"ALERT  \S+  attacks-in-ukraine  L1  ", out), out[-3000:]
    first_event = re.search(r"^\s*([\d.]+)s EVENT", out, re.MULTILINE)
    assert first_event, out[-2000:]
    # The 15 s target is measured on a quiet machine (see the README); this bound only catches hangs.
    assert float(first_event.group(1)) < 90.0, f"first event after {first_event.group(1)}s"
    assert re.search(r"demo done in [\d.]+s: \d+ records in", out)
    assert time.monotonic() - started < 200


def test_broker_starts_and_stops_on_sigterm(tmp_path: Path) -> None:
    from streams.kafka.broker import free_port, wait_for_port

    port = free_port()
    process = subprocess.Popen(
        [*NEWSEVENTS, "broker", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for_port("127.0.0.1", port, 15)
        process.terminate()
        out, _ = process.communicate(timeout=15)
        assert process.returncode == 0
        assert "listening on 127.0.0.1:" in out and "broker stopped" in out
    finally:
        process.kill()


def test_eval_prints_json_as_last_line() -> None:
    data = Path(__file__).parents[1] / "data" / "eval" / "cleaning"
    result = run(["eval", "cleaning", "--data", str(data), "--json"], timeout=120)
    assert result.returncode == 0, result.stderr
    metrics = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert {"precision", "recall", "f1", "n_documents"} <= metrics.keys()
    assert metrics["f1"] > 0.5


def test_eval_rejects_a_directory_without_data(tmp_path: Path) -> None:
    result = run(["eval", "dedup", "--data", str(tmp_path)], timeout=60)
    assert result.returncode == 2
    assert "articles.jsonl" in result.stderr


def test_bench_stage_only_prints_json(tmp_path: Path) -> None:
    result = run(["bench", "--stage-only", "--count", "60", "--json"], timeout=240, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert figures["mode"] == "stage-only"
    assert figures["articles_per_s"] > 0 and figures["events"] > 0
    assert 0 < figures["cpu_s_per_article"] < 5


def test_a_terminated_bench_stops_its_broker_and_worker(tmp_path: Path) -> None:
    articles = Path(__file__).parents[1] / "data" / "eval" / "dedup" / "articles.jsonl"
    args = ["bench", "--input", str(articles), "--rate", "1", "--duration", "600", "--no-sizes"]
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    process = subprocess.Popen([*NEWSEVENTS, *args], cwd=tmp_path, env=env, stderr=subprocess.DEVNULL)
    bench = psutil.Process(process.pid)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while len(bench.children(recursive=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.5)  # until the broker and the worker run
        time.sleep(5)
        children = bench.children(recursive=True)
        assert len(children) >= 2, children
        process.terminate()
        assert process.wait(timeout=60) == 128 + signal.SIGTERM
        _, alive = psutil.wait_procs(children, timeout=30)
        assert not alive, f"left running: {[child.cmdline()[:3] for child in alive]}"
    finally:
        for leftover in [bench, *children]:
            with contextlib.suppress(psutil.NoSuchProcess):
                leftover.kill()


def test_bench_end_to_end_reports_traffic_state_cpu_and_trends(tmp_path: Path) -> None:
    """The fields a scaling and soak judgement needs are there and plausible (timings are not judged)."""
    articles = Path(__file__).parents[1] / "data" / "eval" / "dedup" / "articles.jsonl"
    inputs = len(articles.read_text().splitlines())
    args = ["bench", "--input", str(articles), "--repeat", "2", "--sample-interval", "1", "--json"]
    result = run(args, timeout=280, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = orjson.loads(result.stdout.strip().splitlines()[-1])
    assert figures["articles"] == figures["articles_judged"] == 2 * inputs
    assert 0 < figures["duplicates"] < figures["articles"]
    raw_per_article = articles.stat().st_size / inputs
    by_topic = figures["kafka_bytes_per_article_by_topic"]
    assert raw_per_article * 0.8 < by_topic["articles.raw"] < raw_per_article * 1.2
    assert figures["kafka_bytes_per_article"] == pytest.approx(sum(by_topic.values()), abs=len(by_topic))
    assert any(topic.endswith("-changelog") for topic in by_topic)
    stored = figures["kafka_stored_bytes_per_article_by_topic"]
    assert stored.keys() == by_topic.keys() and stored["articles.raw"] > 0
    assert figures["kafka_stored_bytes_per_article"] == pytest.approx(sum(stored.values()), abs=len(stored))
    assert figures["kafka_messages_not_on_broker"] == 0
    assert figures["articles_in_window"] == 2 * inputs  # the default window is a week
    assert figures["table_bytes_per_article"] > 100 and figures["table_keys"]["newsevents-dedup-bands"] > 0
    assert len(figures["cpu_s_per_article_by_worker"]) == 1
    assert 0 < figures["cpu_s_per_article_by_worker"][0] < 5 and figures["broker_cpu_s_per_article"] > 0
    assert figures["throughput_series"] and figures["verdict_throughput_series"]
    assert figures["articles_drained"] == figures["articles"]  # every article through the story stage
    assert figures["peak_rss_mb"] > 100
    (lag_p99,) = figures["event_loop_lag_p99_s_by_worker"]
    assert lag_p99 is not None and lag_p99 >= figures["event_loop_lag_p50_s_by_worker"][0] >= 0
    p50, p99 = figures["stage_latency_p50_s_by_stage"], figures["stage_latency_p99_s_by_stage"]
    for stage in ("normalize", "dedup", "extract", "stories"):
        assert 0 < p50[stage] <= p99[stage], stage
    assert figures["load_average_1m_during_run"]["max"] >= figures["load_average_1m_during_run"]["min"]
    rss = figures["worker_0_rss"]
    assert rss["peak_sampled_with_children_mb"] >= rss["peak_sampled_mb"] > 100


def test_produce_reports_bad_lines_and_tail_reads_them_back(tmp_path: Path) -> None:
    from streams.kafka.broker import EmbeddedBroker, free_port

    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "body": "First."}\nnot json at all\n{"id": "b", "body": "Second."}\n')
    with EmbeddedBroker(port=free_port()) as broker:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap}
        produced = subprocess.run(
            [*NEWSEVENTS, "produce", str(feed), "--quiet"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert produced.returncode == 0, produced.stderr
        assert "produced 2 records to articles.raw; 1 bad lines skipped" in produced.stdout
        assert "skipped line 2: not JSON" in produced.stderr
        tailed = subprocess.run(
            [*NEWSEVENTS, "tail", "articles.raw", "--from-beginning", "--max", "2"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert tailed.returncode == 0, tailed.stderr
    ids = sorted(orjson.loads(line)["id"] for line in tailed.stdout.splitlines())
    assert ids == ["a", "b"]


def test_alerts_refuses_a_bad_rules_file_naming_the_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: kyiv\n    place: {name: Kyiv, radius_km: -5}\n", "utf-8")
    result = run(["alerts", "--rules", str(rules)], timeout=60)
    assert result.returncode == 2
    expected = f"{rules}:3: rules[0].place.radius_km: -5 is less than or equal to the minimum of 0"
    assert expected in result.stderr
