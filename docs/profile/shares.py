"""Shares of time from a ``profile_bench.py`` run: CPU per thread, and each thread's samples by category.

    .venv/bin/python docs/profile/shares.py OUT --articles 500 [--window 20 70]

``--window`` limits the wall-time tables to that span of the profile (seconds from its start), e.g. the
steady part of a burst. Categories go by the first rule that matches a sample's stack (RULES, in order).
"""

from __future__ import annotations

import argparse
import collections
import json
from collections.abc import Callable, Iterator
from pathlib import Path

Rule = Callable[[str, str], bool]


def has(*parts: str) -> Rule:
    return lambda stack, leaf: any(part in stack for part in parts)


RULES: list[tuple[str, Rule]] = [
    ("idle (epoll wait)", lambda s, leaf: "EpollSelector.select" in leaf),
    ("sandbox round trip", has("streams/worker/sandbox.py")),
    ("table writes (Faust Table -> changelog)", has("faust/tables")),
    ("stage code on the loop", has("streams/stages/")),
    ("Prometheus metrics", has("prometheus_client")),
    (
        "orjson encode/decode",
        lambda s, leaf: (
            "orjson" in leaf
            or any(f"{name} (streams/worker/" in leaf for name in ("encode", "decode", "_dumps", "_loads"))
        ),
    ),
    (
        "producer: socket write, GIL released",
        lambda s, leaf: "selector_events.py:1057" in leaf and "producer" in s,
    ),
    (
        "producer: Python (Faust buffer, aiokafka)",
        has(
            "aiokafka/producer",
            "faust/transport/producer",
            "faust/topics.py",
            "faust/channels.py",
            "Producer.",
        ),
    ),
    (
        "consumer: Faust streams/conductor, aiokafka",
        has(
            "aiokafka/",
            "faust/transport/consumer",
            "faust/transport/conductor",
            "faust/streams.py",
            "faust/events",
        ),
    ),
    ("agent code (other)", has("streams/worker/agents")),
    ("health, web", has("streams/worker/health", "aiohttp", "faust/web")),
    ("mode services/timers", has("mode/services", "mode/timers", "mode/threads", "mode/utils")),
    ("asyncio loop overhead", has("asyncio")),
]
PRODUCER: list[tuple[str, tuple[str, ...]]] = [
    ("offset commit: producer flush", ("Consumer.commit", "force_commit")),
    ("backpressure: conductor waits for the buffer", ("wait_until_ebb", "flush_atmost")),
    ("aiokafka sender: requests, delivery callbacks", ("aiokafka/producer/sender.py",)),
    ("Faust ProducerBuffer: one message per task step", ("_handle_pending",)),
    ("agents' own sends", ("streams/worker/agents",)),
]
NLP: list[tuple[str, tuple[str, ...]]] = [
    ("dedup signatures: sentence encoder", ("streams/stages/dedup/embeddings",)),
    ("dedup signatures: shingles, minhash, keys", ("streams/stages/dedup",)),
    ("extract: spaCy", ("spacy", "thinc")),
    ("extract: places", ("streams/stages/geo",)),
    ("extract: coding, actors, records", ("streams/stages/extract",)),
]


def category(frames: list[str]) -> str:
    stack, leaf = ";".join(frames), frames[-1] if frames else ""
    return next((name for name, rule in RULES if rule(stack, leaf)), "other")


def sub(frames: list[str], table: list[tuple[str, tuple[str, ...]]]) -> str:
    stack = ";".join(frames)
    return next((name for name, parts in table if any(p in stack for p in parts)), "other")


def short(name: str, path: str, line: int) -> str:
    path = path.split("site-packages/")[-1].split("python3.11/")[-1]
    if "/streams/" in path:  # the project's own files, relative to the checkout
        path = "streams/" + path.split("/streams/", 1)[1]
    return f"{name} ({path}:{line})"


def speedscope(path: Path) -> Iterator[tuple[str, float, list[str]]]:
    """(thread, seconds from the start of the profile, frames root first) per sample. Threads that start
    later (the sandbox child) are aligned by their end: every thread is sampled until the profile stops."""
    data = json.loads(path.read_text())
    names = [short(f["name"], f["file"], f["line"]) for f in data["shared"]["frames"]]
    end = max(profile["endValue"] for profile in data["profiles"])
    for profile in data["profiles"]:
        at = end - profile["endValue"]
        for sample, weight in zip(profile["samples"], profile["weights"], strict=True):
            yield profile["name"], at, [names[i] for i in sample]
            at += weight


ROLES = {  # first match wins: the worker's main thread calls the sandbox, a child runs in fork server code
    "worker main thread (event loop)": "streams/tools/cli.py",
    "extract child": "code (streams/worker/models.py",
    "dedup child": "signatures (streams/worker/models.py",
    "normalize child": "streams/stages/normalize",
    "sandbox child": "sandbox.py",
    "sandbox fork server": "forkserver",
    "multiprocessing resource tracker": "resource_tracker",
}
THREADS = {"Thread-1": "Faust consumer thread (aiokafka)"}
#: Processes whose samples go by stage step (NLP) rather than by plumbing category.
MODEL_CHILDREN = ("extract child", "dedup child")


def role(frames: list[str]) -> str | None:
    """What a process of the worker tree is, from a sample of its main thread."""
    stack = ";".join(frames)
    return next((name for name, part in ROLES.items() if part in stack), None)


def raw(path: Path) -> Iterator[tuple[str, str, int, list[str]]]:
    """(process, thread, count, frames root first) per distinct stack."""
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        yield frames[0], frames[1], int(count), frames[2:]


def table(title: str, counts: collections.Counter[str], total: int, scale: float | None = None) -> None:
    print(f"\n{title} ({total} samples)")
    for name, count in counts.most_common():
        extra = f"  {scale * count / total:6.1f} ms/article" if scale else ""
        print(f"  {100 * count / total:5.1f}%  {name}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, required=True)
    parser.add_argument("--window", type=float, nargs=2, default=(0.0, 1e9))
    parser.add_argument("--rate", type=float, default=50.0, help="py-spy samples per second")
    args = parser.parse_args()
    out: Path = args.out
    cpu = json.loads((out / "cpu.json").read_text())
    marks = json.loads((out / "marks.json").read_text())
    wall = marks["profile_stop"] - marks["profile_start"]
    first, last = cpu["start"], cpu["stop"]
    roles: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    names: dict[str, str] = {}
    wall_files = sorted(out.glob("*speedscope*.json"))
    for path in wall_files:
        for thread, _, frames in speedscope(path):
            tid = thread.split("Thread ")[1].split(" ")[0]
            names[tid] = THREADS.get(thread.split('"')[1], thread.split('"')[1])
            if (kind := role(frames)) is not None:
                roles[tid][kind] += 1
    for tid, kinds in roles.items():
        if names[tid] == "MainThread":  # what most of its samples say (a child imports the CLI module once)
            specific = [kind for kind, _ in kinds.most_common() if kind != "sandbox child"]
            names[tid] = specific[0] if specific else kinds.most_common(1)[0][0]
    busy = last["machine/busy"] - first["machine/busy"]
    available = last["machine/all"] - first["machine/all"]
    print(f"window {wall:.1f} s; the machine was busy {busy:.0f} of {available:.0f} cpu-s")
    ours = 0.0
    main_cpu = 0.0
    rows: collections.Counter[str] = collections.Counter()
    for key in last:
        if key.startswith("machine/"):
            continue
        label, _, tid, comm = key.split("/")
        spent = last[key] - first.get(key, 0.0)
        ours += spent
        name = names.get(tid, comm) if label.startswith("worker") else f"{comm} threads"
        rows[f"{label}: {name}"] += spent
        if name == "worker main thread (event loop)":
            main_cpu += spent
    print("\nCPU seconds per thread (user + system, from /proc), and per article")
    for name, spent in rows.most_common():
        if spent >= 0.05:
            per_article = 1000 * spent / args.articles
            print(f"  {spent:6.1f} s  {per_article:6.1f} ms  {100 * spent / ours:5.1f}%  {name}")
    print(f"  {ours:6.1f} s in all: {100 * ours / busy:.0f}% of what the machine did meanwhile")
    lo, hi = args.window
    for path in wall_files:
        by_thread: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        for thread, at, frames in speedscope(path):
            if not lo <= at < hi:
                continue
            tid = thread.split("Thread ")[1].split(" ")[0]
            thread = f"{names.get(tid, thread)} [{tid}]"
            if frames[-1].startswith("_worker (concurrent/futures/thread.py"):
                by_thread[thread]["idle (waiting for work)"] += 1
            elif "Connection._recv" in frames[-1]:
                by_thread[thread]["idle (waiting for a request)"] += 1
            elif thread.startswith(MODEL_CHILDREN):
                by_thread[thread][sub(frames, NLP)] += 1
            else:
                by_thread[thread][category(frames)] += 1
        for thread, counts in by_thread.items():
            if sum(counts.values()) >= 50 and "resource tracker" not in thread:
                table(f"wall time of {thread}, {lo:g}-{min(hi, wall):g} s", counts, sum(counts.values()))
    for path in sorted(out.glob("*raw-gil.txt")):
        main, producer = collections.Counter[str](), collections.Counter[str]()
        for process, thread, count, frames in raw(path):
            if "cli worker" not in process:  # the sandbox's fork server and children
                continue
            if thread.endswith("MainThread"):
                main[category(frames)] += count
                if category(frames).startswith("producer"):
                    producer[sub(frames, PRODUCER)] += count
        samples = wall * args.rate
        scale = 1000 * main_cpu / args.articles
        table(
            "GIL held by the worker's main thread, by category (its Python CPU)",
            main,
            sum(main.values()),
            scale,
        )
        table("  of which producer", producer, sum(producer.values()))
        print(f"\n  GIL held: main thread {100 * sum(main.values()) / samples:.0f}% of the window")


if __name__ == "__main__":
    main()
