"""The ``newsevents`` command: broker, worker, produce, tail, alerts, demo, eval, bench."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import orjson

from streams import contracts
from streams.config import ConfigError, Settings
from streams.tools.eval import TASKS


def cmd_broker(args: argparse.Namespace) -> int:
    from streams.kafka.broker import BrokerError, EmbeddedBroker

    stopped = threading.Event()
    # Handlers first: a SIGTERM that arrives while the broker starts must still stop it cleanly.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    broker = EmbeddedBroker(
        host=args.host,
        port=args.port,
        advertised_host=args.advertised_host,
        advertised_port=args.advertised_port,
    )
    try:
        broker.start()
    except BrokerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    advertised = f"{broker.advertised_host}:{broker.advertised_port}"
    print(
        f"embedded Kafka broker (Tansu) listening on {broker.bootstrap}, advertised as {advertised}; "
        "Ctrl-C stops it",
        flush=True,
    )
    assert broker.process is not None
    while not stopped.wait(0.5):
        if broker.process.poll() is not None:
            print(f"broker exited with code {broker.process.returncode}", file=sys.stderr)
            return 1
    broker.stop()
    print("broker stopped", flush=True)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from faust import Worker

    from streams.worker.agents import register
    from streams.worker.app import create_app

    settings = Settings.from_env()
    pipeline = create_app(settings)
    register(pipeline)
    print(
        f"newsevents worker: broker {settings.bootstrap_servers}, "
        f"metrics http://{settings.web_host}:{settings.web_port}/metrics",
        flush=True,
    )
    print(f"settings (secrets masked): {orjson.dumps(settings.describe()).decode()}", flush=True)
    # Which code runs (the directory holding the ``streams`` package): tests check that workers import the
    # tree they were started from.
    print(f"code: {Path(__file__).resolve().parents[2]}", flush=True)
    worker = Worker(pipeline.app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()
    return 0


def cmd_produce(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from streams.kafka.admin import ensure_topics
    from streams.kafka.clients import produce
    from streams.tools.inputs import read_input

    settings = Settings.from_env()
    try:
        read = read_input(args.source, verbatim=args.verbatim)
    except OSError as exc:
        print(f"error: cannot read {args.source}: {exc}", file=sys.stderr)
        return 2
    for number, reason in read.bad_lines:
        print(f"skipped line {number}: {reason}", file=sys.stderr)
    ensure_topics(settings)
    with tqdm(total=len(read.records), unit="article", file=sys.stderr, disable=args.quiet) as bar:
        sent = produce(
            settings,
            read.records,
            args.topic,
            on_sent=lambda _: bar.update(),
            on_refused=lambda index, exc: print(f"refused record {index + 1}: {exc}", file=sys.stderr),
        )
    print(f"produced {sent} records to {args.topic}; {len(read.bad_lines)} bad lines skipped", flush=True)
    return 0 if sent == len(read.records) else 1


def format_record(value: Any, pretty: bool) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    options = orjson.OPT_INDENT_2 if pretty else 0
    return orjson.dumps(value, option=options).decode()


def cmd_tail(args: argparse.Namespace) -> int:
    from streams.kafka.clients import consume
    from streams.tools.alerts import format_alert

    settings = Settings.from_env()
    seen = 0
    readable = args.topic == contracts.ALERTS and not args.pretty
    try:
        for record in consume(settings, [args.topic], from_beginning=args.from_beginning):
            print(
                format_alert(record.value) if readable else format_record(record.value, args.pretty),
                flush=True,
            )
            seen += 1
            if args.max and seen >= args.max:
                break
    except KeyboardInterrupt:
        pass
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from streams.tools.alerts import run_alerts

    return run_alerts(
        Path(args.rules), webhook=args.webhook, metrics_port=args.metrics_port, max_alerts=args.max
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from streams.tools.demo import run_demo

    return run_demo(follow=args.follow, timeout=args.timeout)


def cmd_eval(args: argparse.Namespace) -> int:
    from streams.tools.eval import main_eval

    if args.kafka:
        from streams.tools.eval.kafka_replay import main_eval_kafka

        return main_eval_kafka(args.task, Path(args.data), args.json)
    return main_eval(
        args.task,
        Path(args.data),
        args.json,
        Path(args.events_out) if args.events_out else None,
        args.shuffles,
    )


def cmd_bench(args: argparse.Namespace) -> int:
    from streams.tools.bench import main_bench

    return main_bench(
        count=args.count,
        input_path=Path(args.input) if args.input else None,
        stage_only=args.stage_only,
        workers=args.workers,
        rate=args.rate,
        as_json=args.json,
        runs=args.runs,
        repeat=args.repeat,
        duration=args.duration,
        sample_interval=args.sample_interval,
        sizes=not args.no_sizes,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsevents",
        description="Streaming news-event pipeline. Broker address: KAFKA_BOOTSTRAP_SERVERS "
        "(default 127.0.0.1:9092); see the README for every setting.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    broker = commands.add_parser("broker", help="run the embedded Kafka-protocol broker (Tansu)")
    broker.add_argument("--host", default="127.0.0.1")
    broker.add_argument("--port", type=int, default=9092)
    broker.add_argument(
        "--advertised-host", help="host clients connect to (a proxy in front); default --host"
    )
    broker.add_argument("--advertised-port", type=int, help="port clients connect to; default --port")
    broker.set_defaults(func=cmd_broker)

    worker = commands.add_parser("worker", help="run a pipeline worker (all stages) against the broker")
    worker.set_defaults(func=cmd_worker)

    produce = commands.add_parser("produce", help="send raw articles (JSONL, a directory, or -) to a topic")
    produce.add_argument("source", help="JSONL file, directory of .html/.txt files, or - for stdin")
    produce.add_argument("--topic", default=contracts.RAW)
    produce.add_argument("--verbatim", action="store_true", help="send lines that are not JSON as they are")
    produce.add_argument("--quiet", action="store_true", help="no progress bar")
    produce.set_defaults(func=cmd_produce)

    tail = commands.add_parser("tail", help="print records of a topic as they arrive")
    tail.add_argument("topic")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=0, help="stop after N records")
    tail.add_argument(
        "--pretty",
        action="store_true",
        help="indented JSON instead of one line each (alerts: instead of a summary)",
    )
    tail.set_defaults(func=cmd_tail)

    alerts = commands.add_parser("alerts", help="evaluate alert rules over events and stories → alerts topic")
    alerts.add_argument("--rules", required=True, help="YAML rules file (see deploy/alerts/rules.yaml)")
    alerts.add_argument("--webhook", help="also POST each alert as JSON to this URL (retried with back-off)")
    alerts.add_argument("--metrics-port", type=int, default=0, help="serve Prometheus /metrics on this port")
    alerts.add_argument("--max", type=int, default=0, help="stop after publishing N alerts")
    alerts.set_defaults(func=cmd_alerts)

    demo = commands.add_parser("demo", help="embedded broker + worker + sample feed, printing events")
    demo.add_argument("--follow", action="store_true", help="keep running after the feed is done")
    demo.add_argument("--timeout", type=float, default=180.0, help="give up after this many seconds")
    demo.set_defaults(func=cmd_demo)

    evaluate = commands.add_parser("eval", help="score a stage on an evaluation directory")
    evaluate.add_argument("task", choices=TASKS)
    evaluate.add_argument("--data", required=True, help="directory with articles.jsonl and labels.json")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    evaluate.add_argument("--kafka", action="store_true", help="run through a broker and a real worker")
    evaluate.add_argument("--events-out", help="write every published event record to this file (JSON lines)")
    evaluate.add_argument(
        "--shuffles", type=int, default=0, help="also replay N other fixed-seed file orders"
    )
    evaluate.set_defaults(func=cmd_eval)

    bench = commands.add_parser("bench", help="measure throughput, latency and memory")
    bench.add_argument("--count", type=int, default=500, help="articles to replay")
    bench.add_argument("--input", help="JSONL of raw articles to replay instead of generated ones")
    bench.add_argument("--stage-only", action="store_true", help="time the stage functions in-process")
    bench.add_argument("--workers", type=int, default=1, help="worker processes (end-to-end mode)")
    bench.add_argument("--rate", type=float, default=0.0, help="articles/s to feed (default: one burst)")
    bench.add_argument("--runs", type=int, default=3, help="timed passes per stage (median reported)")
    bench.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="feed the input K times (fresh ids, earlier dates each time)",
    )
    bench.add_argument(
        "--duration", type=float, default=0.0, help="seconds of a steady feed at --rate (input recycled)"
    )
    bench.add_argument("--sample-interval", type=float, default=5.0, help="seconds between RSS samples")
    bench.add_argument(
        "--no-sizes",
        action="store_true",
        help="skip reading every topic back for bytes per article (minutes after a long run)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    bench.set_defaults(func=cmd_bench)
    return parser


def _unwind(signum: int, _frame: object) -> None:
    """SIGTERM unwinds like Ctrl-C, so the broker and workers a command started are stopped, not orphaned
    (commands that serve until stopped install their own handlers)."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _unwind)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        result: int = args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
