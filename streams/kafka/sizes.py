"""What a run left on the broker: messages and bytes per topic, and each table's live size.

Read back from the broker rather than estimated, so internal repartition and changelog topics count
too. A table's live size is its changelog compacted by key (the latest value of each key, deleted
keys dropped): what a store holds and what a recovering worker reads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from streams.config import Settings

CHANGELOG_SUFFIX = "-changelog"


@dataclass
class TopicSize:
    messages: int = 0
    #: key + value + header bytes of every message (the payload; batch framing not counted)
    size: int = 0
    #: changelog topics: the size of each key's latest value
    live: dict[bytes | None, int] = field(default_factory=dict)
    #: messages no longer on the broker when read (below the partitions' log start offsets)
    dropped: int = 0

    @property
    def estimated_size(self) -> float:
        """``size`` with the dropped messages counted at the mean size of those read."""
        return self.size * (self.messages + self.dropped) / self.messages if self.messages else 0.0

    @property
    def live_bytes(self) -> int:
        return sum(self.live.values())


def topic_sizes(settings: Settings, idle: float = 30.0) -> dict[str, TopicSize]:
    """Read every partition from its start to its high watermark (as the fetches report it: the embedded
    broker's ListOffsets answer can be short), or until ``idle`` seconds pass with nothing new."""
    consumer = KafkaConsumer(
        **settings.kafka_python_config(),
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id="newsevents-sizes",
        max_partition_fetch_bytes=4 * 2**20,  # a large message is still returned whole
        fetch_max_bytes=16 * 2**20,
    )
    sizes: dict[str, TopicSize] = {}
    try:
        partitions = [
            TopicPartition(topic, partition)
            for topic in consumer.topics()
            for partition in consumer.partitions_for_topic(topic) or ()
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        for part, start in consumer.beginning_offsets(partitions).items():
            sizes.setdefault(part.topic, TopicSize()).dropped += start or 0
        last = time.monotonic()
        while time.monotonic() - last < idle and not _at_end(consumer, partitions):
            polled = consumer.poll(timeout_ms=500, max_records=20000)
            if polled:
                last = time.monotonic()
            for part, messages in polled.items():
                size = sizes.setdefault(part.topic, TopicSize())
                changelog = part.topic.endswith(CHANGELOG_SUFFIX)
                for message in messages:
                    value_size = max(message.serialized_value_size, 0)
                    size.messages += 1
                    size.size += (
                        max(message.serialized_key_size, 0)
                        + value_size
                        + sum(len(k) + len(v or b"") for k, v in message.headers)
                    )
                    if changelog:
                        if message.value is None:
                            size.live.pop(message.key, None)
                        else:
                            size.live[message.key] = len(message.key or b"") + value_size
    finally:
        consumer.close()
    return sizes


def _at_end(consumer: KafkaConsumer, partitions: list[TopicPartition]) -> bool:
    for part in partitions:
        highwater = consumer.highwater(part)
        if highwater is None or consumer.position(part) < highwater:
            return False
    return True
