"""``newsevents bench`` with py-spy attached to the worker (and its children) for the burst (docs/profile.md).

    PYTHONPATH=. .venv/bin/python docs/profile/profile_bench.py OUT bench --input FILE [--json ...]

Right after the workers are ready (when bench starts producing) it starts one non-blocking
``py-spy record --subprocesses --threads`` per entry of ``PYSPY_FORMATS`` (default: a speedscope file with
idle samples, for wall time, and a raw one with ``--gil``, for the Python CPU of the thread holding the
GIL), and stops them (SIGINT) before the workers stop. Meanwhile it polls each worker's /metrics every
2 s (lag per topic, records in per stage: ``lag.tsv``) and takes each thread's CPU seconds from /proc at
both ends (``cpu.json``: the bench, the broker and every process of each worker tree). py-spy comes from
the venv (``pip install py-spy``; not a project dependency). ``PYSPY_FORMATS=""`` profiles nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from streams.kafka import local
from streams.tools import cli

PYSPY = str(Path(sys.executable).with_name("py-spy"))
EXTENSIONS = {"speedscope": "json", "flamegraph": "svg", "raw": "txt"}
TICK = os.sysconf("SC_CLK_TCK")
out = Path(sys.argv[1])
formats = [f for f in os.environ.get("PYSPY_FORMATS", "speedscope:--idle,raw:--gil").split(",") if f]
rate = os.environ.get("PYSPY_RATE", "50")
spies: list[subprocess.Popen[bytes]] = []
marks: dict[str, float] = {}
cpu: dict[str, dict[str, float]] = {}
original_start, original_stop = local.LocalPipeline.start, local.LocalPipeline.stop


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [
                    int(child) for child in Path(f"/proc/{current}/task/{task}/children").read_text().split()
                ]
        except OSError:
            pass
    return found


def snapshot(pipeline: local.LocalPipeline) -> dict[str, float]:
    """CPU seconds (user + system) per thread, keyed ``label/pid/tid/comm``, and the machine's totals."""
    roots = {"bench": [os.getpid()]}
    if pipeline.broker is not None and pipeline.broker.process is not None:
        roots["broker"] = descendants(pipeline.broker.process.pid)
    for index, worker in enumerate(pipeline.workers):
        assert worker.process is not None
        roots[f"worker{index}"] = descendants(worker.process.pid)
    seconds: dict[str, float] = {}
    for label, pids in roots.items():
        for pid in pids:
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    stat = Path(f"/proc/{pid}/task/{task}/stat").read_text()
                except OSError:
                    continue
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                seconds[f"{label}/{pid}/{task}/{comm}"] = (int(fields[11]) + int(fields[12])) / TICK
    total = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    seconds["machine/busy"] = (sum(total) - total[3] - total[4]) / TICK
    seconds["machine/all"] = sum(total) / TICK
    return seconds


def poll_metrics(urls: list[str]) -> None:
    with (out / "lag.tsv").open("w") as f:
        while "profile_stop" not in marks:
            for url in urls:
                try:
                    text = urllib.request.urlopen(url, timeout=2).read().decode()
                except OSError:
                    continue
                values: dict[str, float] = {}
                for line in text.splitlines():
                    if line.startswith("newsevents_consumer_lag_messages{"):
                        topic = line.split('topic="')[1].split('"')[0]
                        values[topic] = values.get(topic, 0) + float(line.rsplit(" ", 1)[1])
                    elif line.startswith("newsevents_records_in_total{"):
                        values["in:" + line.split('stage="')[1].split('"')[0]] = float(line.rsplit(" ", 1)[1])
                f.write(
                    f"{time.time():.1f}\t" + "\t".join(f"{k}={v:g}" for k, v in sorted(values.items())) + "\n"
                )
                f.flush()
            time.sleep(2)


def start(self: local.LocalPipeline, ready_timeout: float = 90.0) -> local.LocalPipeline:
    original_start(self, ready_timeout)
    for index, worker in enumerate(self.workers):
        assert worker.process is not None
        for spec in formats:
            fmt, _, extra = spec.partition(":")
            target = out / f"worker{index}-{fmt}{'-' + extra.strip('-') if extra else ''}.{EXTENSIONS[fmt]}"
            command = [
                PYSPY,
                "record",
                "--pid",
                str(worker.process.pid),
                "--subprocesses",
                "--nonblocking",
                "--threads",
                "--rate",
                rate,
                "--format",
                fmt,
                "-o",
                str(target),
                *extra.split(),
            ]
            log = (out / f"{target.name}.log").open("wb")
            spies.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
    threading.Thread(target=poll_metrics, args=([w.metrics_url for w in self.workers],), daemon=True).start()
    time.sleep(0.5)
    marks["profile_start"] = time.time()
    cpu["start"] = snapshot(self)
    return self


def stop(self: local.LocalPipeline) -> None:
    marks["profile_stop"] = time.time()
    cpu["stop"] = snapshot(self)
    for spy in spies:
        spy.send_signal(signal.SIGINT)
    for spy in spies:
        try:
            spy.wait(120)
        except subprocess.TimeoutExpired:
            spy.kill()
    original_stop(self)


def main() -> int:
    out.mkdir(parents=True, exist_ok=True)
    local.LocalPipeline.start, local.LocalPipeline.stop = start, stop  # type: ignore[method-assign]
    try:
        code: Any = cli.main(sys.argv[2:])
    finally:
        (out / "cpu.json").write_text(json.dumps(cpu))
        (out / "marks.json").write_text(json.dumps(marks))
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
