"""kafka-python producer and readers for the command-line tools, the demo, the benchmark and the tests.

Off the hot path: the workers use Faust/aiokafka.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import MessageSizeTooLargeError

from streams import contracts
from streams.config import Settings


def check_size(key: bytes | None, value: bytes | None) -> None:
    """Refuse a message above the topics' limit (``max.message.bytes``), whatever the broker would accept."""
    size = len(key or b"") + len(value or b"")
    if size > contracts.MAX_MESSAGE_BYTES:
        raise MessageSizeTooLargeError(
            f"message is {size} bytes > MAX_MESSAGE_BYTES={contracts.MAX_MESSAGE_BYTES}, the topic limit"
        )


class LimitedProducer(KafkaProducer):
    """A KafkaProducer that refuses messages above the topic limit itself: brokers do not all enforce a
    topic's ``max.message.bytes`` (the embedded one took a 70 MB message), and consumers are sized for it."""

    def send(self, topic: str, value: Any = None, key: Any = None, *args: Any, **kwargs: Any) -> Any:
        check_size(key, value)
        return super().send(topic, value, key, *args, **kwargs)


def make_producer(settings: Settings) -> KafkaProducer:
    return LimitedProducer(
        **settings.kafka_python_config(),
        linger_ms=5,
        acks=1,
        compression_type=settings.producer_compression,
        max_request_size=contracts.MAX_MESSAGE_BYTES,
        client_id="newsevents-produce",
    )


def produce(
    settings: Settings,
    records: Iterable[bytes],
    topic: str = contracts.RAW,
    on_sent: Callable[[int], None] | None = None,
    rate: float = 0.0,
    on_refused: Callable[[int, Exception], None] | None = None,
) -> int:
    """Send raw records to ``topic`` (at most ``rate`` per second when given); returns how many were acked.

    A record the producer refuses (above the topic limit) is skipped and reported to ``on_refused``.
    """
    producer = make_producer(settings)
    futures = []
    started = time.monotonic()
    try:
        for index, record in enumerate(records):
            if rate:
                time.sleep(max(0.0, started + index / rate - time.monotonic()))
            try:
                futures.append(producer.send(topic, value=record))
            except MessageSizeTooLargeError as exc:
                if on_refused:
                    on_refused(index, exc)
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
    offset: int = -1


class TopicReader:
    """A consumer of whole topics (every partition), for tail, demo, bench and tests; with ``group_id``,
    a member of that consumer group, resuming from its committed offsets (:meth:`commit`): ``alerts``."""

    def __init__(
        self,
        settings: Settings,
        topics: list[str],
        from_beginning: bool = True,
        group_id: str | None = None,
    ) -> None:
        self.consumer = KafkaConsumer(
            **settings.kafka_python_config(),
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest" if from_beginning else "latest",
            client_id="newsevents-reader",
        )
        self.consumer.subscribe(topics)

    def commit(self) -> None:
        """Commit the offsets of everything polled so far (a group member only)."""
        self.consumer.commit()

    def poll(self, timeout: float = 0.2) -> list[Received]:
        received = []
        for records in self.consumer.poll(timeout_ms=int(timeout * 1000)).values():
            for message in records:
                try:
                    value = orjson.loads(message.value) if message.value is not None else None
                except orjson.JSONDecodeError:
                    value = message.value
                received.append(
                    Received(
                        message.topic,
                        message.partition,
                        message.key,
                        value,
                        message.timestamp / 1000.0,
                        message.offset,
                    )
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


def read_to_end(settings: Settings, topic: str, timeout: float = 60) -> Iterator[Received]:
    """Yield every record ``topic`` holds now, from the beginning, then stop."""
    with TopicReader(settings, [topic]) as reader:
        consumer = reader.consumer
        deadline = time.monotonic() + timeout
        partitions: set[int] | None = None
        while partitions is None and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                reader.poll(0.1)
        if not partitions:
            return
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        remaining = {tp.partition: end for tp, end in ends.items() if end > 0}
        while remaining and time.monotonic() < deadline:
            for record in reader.poll(0.5):
                yield record
                if record.offset + 1 >= remaining.get(record.partition, 0):
                    remaining.pop(record.partition, None)
        if remaining:
            raise TimeoutError(
                f"{topic}: partitions {sorted(remaining)} not read to their end in {timeout:g} s"
            )
