"""kafka-python tools around the pipeline: topic creation, replay producer, tail consumer.

Off the hot path by design (DESIGN.md): the workers use Faust/aiokafka; these serve the CLI,
the demo, the benchmark and the tests.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams import contracts
from streams.config import Settings

COMPACTED_TOPICS = frozenset({contracts.EVENTS})
#: Large enough for any article up to normalize's size cap plus room, so over-cap input reaches
#: the pipeline and is dead-lettered there with a reason instead of vanishing at the producer.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


def topic_config(name: str) -> dict[str, str]:
    config = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
    if name in COMPACTED_TOPICS:
        config["cleanup.policy"] = "compact"
    return config


def ensure_topics(
    settings: Settings, topics: Iterable[str] = contracts.ALL_TOPICS, timeout: float = 30
) -> None:
    """Create the pipeline topics that do not exist yet, with the configured partition count."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin = KafkaAdminClient(**settings.kafka_python_config(), client_id="newsevents-admin")
            break
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [
            NewTopic(
                name,
                num_partitions=settings.partitions,
                replication_factor=settings.replication_factor,
                topic_configs=topic_config(name),
            )
            for name in topics
            if name not in existing
        ]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
    finally:
        admin.close()


@dataclass
class ReadResult:
    """Raw records read from a path, plus the lines that could not be used and why."""

    records: list[bytes] = field(default_factory=list)
    bad_lines: list[tuple[int, str]] = field(default_factory=list)


def read_jsonl(stream: IO[bytes], verbatim: bool = False) -> ReadResult:
    """JSON lines as raw bytes; a line that is not JSON is reported (or kept as-is with ``verbatim``)."""
    result = ReadResult()
    for number, line in enumerate(stream, start=1):
        line = line.rstrip(b"\r\n")
        if not line.strip():
            continue
        if not verbatim:
            try:
                orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                result.bad_lines.append((number, f"not JSON: {exc}"))
                continue
        result.records.append(line)
    return result


def read_directory(directory: Path) -> ReadResult:
    """One raw article per ``.html``/``.htm``/``.txt`` file; the file name becomes the id."""
    result = ReadResult()
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix not in (".html", ".htm", ".txt") or not path.is_file():
            continue
        try:
            content = path.read_text("utf-8")
        except UnicodeDecodeError as exc:
            result.bad_lines.append((0, f"{path.name}: not UTF-8 ({exc.reason})"))
            continue
        field_name = "body" if suffix == ".txt" else "html"
        result.records.append(
            orjson.dumps({"id": path.stem, field_name: content, "meta": {"file": path.name}})
        )
    return result


def read_input(source: str, verbatim: bool = False) -> ReadResult:
    if source == "-":
        return read_jsonl(sys.stdin.buffer, verbatim)
    path = Path(source)
    if path.is_dir():
        return read_directory(path)
    with path.open("rb") as handle:
        return read_jsonl(handle, verbatim)


def make_producer(settings: Settings) -> KafkaProducer:
    return KafkaProducer(
        **settings.kafka_python_config(),
        linger_ms=5,
        acks=1,
        max_request_size=MAX_MESSAGE_BYTES,
        client_id="newsevents-produce",
    )


def produce(
    settings: Settings,
    records: Iterable[bytes],
    topic: str = contracts.RAW,
    on_sent: Callable[[int], None] | None = None,
    rate: float = 0.0,
) -> int:
    """Send raw records to ``topic`` (at most ``rate`` per second when given); returns how many were acked."""
    producer = make_producer(settings)
    futures = []
    started = time.monotonic()
    try:
        for index, record in enumerate(records):
            if rate:
                time.sleep(max(0.0, started + index / rate - time.monotonic()))
            futures.append(producer.send(topic, value=record))
            if on_sent:
                on_sent(index)
        producer.flush()
    finally:
        producer.close()
    return sum(1 for future in futures if future.succeeded())


@dataclass(frozen=True)
class Received:
    topic: str
    partition: int
    key: bytes | None
    value: Any  # decoded JSON, or the raw bytes when the value is not JSON
    timestamp: float  # seconds since the epoch, the broker's message timestamp


class TopicReader:
    """A group-less consumer of whole topics (every partition), for tail, demo, bench and tests."""

    def __init__(self, settings: Settings, topics: list[str], from_beginning: bool = True) -> None:
        self.consumer = KafkaConsumer(
            **settings.kafka_python_config(),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if from_beginning else "latest",
            client_id="newsevents-reader",
        )
        self.consumer.subscribe(topics)

    def poll(self, timeout: float = 0.2) -> list[Received]:
        received = []
        for records in self.consumer.poll(timeout_ms=int(timeout * 1000)).values():
            for message in records:
                try:
                    value = orjson.loads(message.value) if message.value is not None else None
                except orjson.JSONDecodeError:
                    value = message.value
                received.append(
                    Received(message.topic, message.partition, message.key, value, message.timestamp / 1000.0)
                )
        return received

    def close(self) -> None:
        self.consumer.close()

    def __enter__(self) -> TopicReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: Topics whose records say an input article has been dealt with (its id is on them).
ACCOUNTING_TOPICS = frozenset({contracts.CLEAN, contracts.UNIQUE, contracts.DUPLICATES})


def until_settled(
    reader: TopicReader,
    inputs: int,
    settle: float,
    timeout: float | None = None,
    idle_timeout: float | None = None,
) -> Iterator[Received]:
    """Yield output records until every one of ``inputs`` is accounted for and ``settle`` s pass quietly.

    An input is accounted for by its id on a judged topic (clean/unique/duplicates) or by a dead
    letter; the quiet period lets records that follow the verdict (events) arrive. Stops early
    after ``timeout`` s in all, or ``idle_timeout`` s without any record.
    """
    accounted: set[str] = set()
    dead = 0
    started = last = time.monotonic()
    while timeout is None or time.monotonic() - started < timeout:
        for record in reader.poll(0.5):
            last = time.monotonic()
            if record.topic == contracts.DEADLETTER:
                dead += 1
            elif record.topic in ACCOUNTING_TOPICS and isinstance(record.value, dict):
                accounted.add(record.value["id"])
            yield record
        quiet = time.monotonic() - last
        if len(accounted) + dead >= inputs and quiet > settle:
            return
        if idle_timeout is not None and quiet > idle_timeout:
            return


def consume(settings: Settings, topics: list[str], from_beginning: bool = True) -> Iterator[Received]:
    """Yield records of ``topics`` as they arrive, until the caller stops iterating."""
    with TopicReader(settings, topics, from_beginning) as reader:
        while True:
            yield from reader.poll()
