"""A 30-second cut between a worker and the broker: nothing lost, /readyz false during the cut,
the log not flooded, and the pipeline back within a bounded time."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import orjson
import pytest
from replay import account
from tcp_proxy import TcpProxy

from streams.kafka.broker import EmbeddedBroker, free_port
from streams.kafka.clients import produce
from streams.kafka.local import EMBEDDED_FETCH_MAX_WAIT_MS, LocalPipeline
from streams.tools.bench import generated_articles

pytestmark = pytest.mark.faults

CUT_SECONDS = 30.0


def ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(orjson.loads(response.read())["ready"])
    except urllib.error.HTTPError as error:
        return bool(orjson.loads(error.read())["ready"])
    except OSError:
        return False


def test_a_broker_cut_loses_nothing_and_readiness_tells(tmp_path: Path) -> None:
    records = generated_articles(80, seed=11)
    proxy_port, broker_port = free_port(), free_port()
    with EmbeddedBroker(port=broker_port, advertised_port=proxy_port, log_path=tmp_path / "broker.log"):
        proxy = TcpProxy(proxy_port, broker_port).start()
        with LocalPipeline(
            workers=1,
            partitions=4,
            bootstrap=f"127.0.0.1:{proxy_port}",
            log_dir=tmp_path,
            env={"NEWSEVENTS_FETCH_MAX_WAIT_MS": EMBEDDED_FETCH_MAX_WAIT_MS},
        ) as local:
            worker = local.workers[0]
            assert produce(local.settings, records[:40]) == 40
            time.sleep(5)
            proxy.cut()
            cut_at = time.monotonic()
            log_before = worker.log_path.read_text("utf-8", "replace").count("[ERROR]")
            unready_after: float | None = None
            while time.monotonic() - cut_at < CUT_SECONDS:
                if unready_after is None and not ready(worker.web_port):
                    unready_after = time.monotonic() - cut_at
                time.sleep(0.5)
            errors_during_cut = worker.log_path.read_text("utf-8", "replace").count("[ERROR]") - log_before
            proxy.restore()
            restored_at = time.monotonic()
            while not ready(worker.web_port) and time.monotonic() - restored_at < 90:
                time.sleep(0.5)
            ready_again_after = time.monotonic() - restored_at
            assert produce(local.settings, records[40:]) == 40
            accounting = account(local.settings, records, timeout=180)
            settled_after = time.monotonic() - restored_at
            peak_rss = worker.peak_rss_mb()
            assert worker.process is not None and worker.process.poll() is None, "the worker died"
    report = {
        "test": "broker_cut",
        **accounting.report(),
        "unready_after_s": unready_after,
        "ready_again_after_s": round(ready_again_after, 1),
        "all_out_after_restore_s": round(settled_after, 1),
        "error_lines_during_cut": errors_during_cut,
        "worker_peak_rss_mb": round(peak_rss),
    }
    print(orjson.dumps(report).decode())
    assert not accounting.lost, f"lost: {accounting.lost[:5]} ({report})"
    assert not accounting.reprints_missed, f"reprints judged unique: table state lost ({report})"
    assert unready_after is not None and unready_after < 15, f"/readyz stayed true during the cut ({report})"
    assert ready_again_after < 60, report
    assert errors_during_cut < 30, f"the log was flooded during the cut ({report})"
