"""What a run left on the broker: messages and bytes per topic, and each table's live size.

Read back from the broker rather than estimated, so internal repartition and changelog topics count
too. Two sizes per topic: the payload (key + value + headers of every record, as a consumer sees them)
and what is stored (the record batches as the broker holds and serves them: compressed when the
producer compressed them, framing included). A table's live size is its changelog compacted by key (the
latest value of each key, deleted keys dropped): what a store holds and what a recovering worker reads.

The batches are fetched raw (aiokafka's client speaks the protocol, kafka-python parses the batches),
because a consumer hands out records already decompressed and cannot tell what they took on the broker.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import for_code
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.protocol.offset import OffsetRequest
from kafka import KafkaConsumer
from kafka import TopicPartition as KafkaPartition
from kafka.record import MemoryRecords

from streams.config import Settings

CHANGELOG_SUFFIX = "-changelog"
EARLIEST = -2
OFFSET_OUT_OF_RANGE = 1
PARTITION_FETCH_BYTES = 4 * 2**20  # a large batch is still returned whole (the broker sends one anyway)


@dataclass
class TopicSize:
    messages: int = 0
    #: key + value + header bytes of every message (the payload, uncompressed; batch framing not counted)
    size: int = 0
    #: bytes of the record batches holding them as stored and served (compressed, framing included)
    stored: int = 0
    #: changelog topics: the size of each key's latest value
    live: dict[bytes | None, int] = field(default_factory=dict)
    #: messages no longer on the broker when read (below the partitions' log start offsets)
    dropped: int = 0

    def _scaled(self, size: int) -> float:
        return size * (self.messages + self.dropped) / self.messages if self.messages else 0.0

    @property
    def estimated_size(self) -> float:
        """``size`` with the dropped messages counted at the mean size of those read."""
        return self._scaled(self.size)

    @property
    def estimated_stored(self) -> float:
        """``stored`` with the dropped messages counted at the mean stored size of those read."""
        return self._scaled(self.stored)

    @property
    def live_bytes(self) -> int:
        return sum(self.live.values())


def topic_sizes(settings: Settings, idle: float = 30.0) -> dict[str, TopicSize]:
    """Read every partition from its log start to its high watermark (as the fetches report it: the
    embedded broker's ListOffsets answer can be short), or until ``idle`` seconds pass with nothing new."""
    return asyncio.run(_read_all(settings, idle))


def wait_until_consumed(settings: Settings, group: str, timeout: float = 300.0) -> float | None:
    """Seconds until ``group`` has committed every message of the topics it reads (its offsets at the
    fetch high watermarks), so that what the later stages send is counted too; None on ``timeout``."""
    return asyncio.run(_wait_until_consumed(settings, group, timeout))


def _client_config(settings: Settings) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": "newsevents-sizes",
        "security_protocol": settings.security_protocol,
        "ssl_context": settings.ssl_context(),
        "sasl_mechanism": settings.sasl_mechanism or "PLAIN",
        "sasl_plain_username": settings.sasl_username,
        "sasl_plain_password": settings.sasl_password,
    }


async def _wait_until_consumed(settings: Settings, group: str, timeout: float) -> float | None:
    started = time.monotonic()
    # kafka-python's committed(): aiokafka's admin cannot decode the embedded broker's OffsetFetch answer
    consumer = KafkaConsumer(**settings.kafka_python_config(), group_id=group, enable_auto_commit=False)
    client = AIOKafkaClient(**_client_config(settings))
    await client.bootstrap()
    try:
        while time.monotonic() - started < timeout:
            await client.force_metadata_update()
            parts = [
                TopicPartition(topic, partition)
                for topic in client.cluster.topics()
                for partition in client.cluster.partitions_for_topic(topic) or ()
            ]
            ends = await _high_watermarks(client, parts)
            # a partition the group has never committed is one it does not read (outputs, changelogs)
            committed = {part: consumer.committed(KafkaPartition(*part)) for part in parts}
            if all(done is None or done >= ends.get(part, done + 1) for part, done in committed.items()):
                return time.monotonic() - started
            await asyncio.sleep(0.5)
    finally:
        await client.close()
        consumer.close()
    return None


async def _high_watermarks(client: AIOKafkaClient, parts: list[TopicPartition]) -> dict[TopicPartition, int]:
    by_leader: dict[int, dict[str, list[tuple[int, int, int]]]] = defaultdict(lambda: defaultdict(list))
    for part in parts:
        by_leader[client.cluster.leader_for_partition(part)][part.topic].append((part.partition, 0, 1))
    ends = {}
    for node, topics in by_leader.items():
        # the embedded broker answers a fetch that may not wait with no partitions at all
        response = await client.send(node, FetchRequest(10, 0, 1, 0, list(topics.items())))
        for topic, partitions in response.topics:
            for answer in partitions:
                ends[TopicPartition(topic, answer[0])] = int(answer[2])
    return ends


async def _read_all(settings: Settings, idle: float) -> dict[str, TopicSize]:
    client = AIOKafkaClient(**_client_config(settings))
    await client.bootstrap()
    sizes: dict[str, TopicSize] = {}
    try:
        await client.force_metadata_update()
        by_leader: dict[int, dict[TopicPartition, int]] = defaultdict(dict)
        for topic in client.cluster.topics():
            sizes[topic] = TopicSize()
            for partition in client.cluster.partitions_for_topic(topic) or ():
                part = TopicPartition(topic, partition)
                by_leader[client.cluster.leader_for_partition(part)][part] = 0
        await asyncio.gather(*(_read(client, node, todo, sizes, idle) for node, todo in by_leader.items()))
    finally:
        await client.close()
    return sizes


async def _read(
    client: AIOKafkaClient,
    node: int,
    todo: dict[TopicPartition, int],
    sizes: dict[str, TopicSize],
    idle: float,
) -> None:
    """Fetch the partitions this broker leads until each is at its high watermark."""
    last = time.monotonic()
    while todo and time.monotonic() - last < idle:
        topics: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for part, offset in todo.items():
            topics[part.topic].append((part.partition, offset, PARTITION_FETCH_BYTES))
        response = await client.send(node, FetchRequest(100, 1, 16 * 2**20, 0, list(topics.items())))
        for topic, partitions in response.topics:
            for answer in partitions:
                part = TopicPartition(topic, answer[0])
                error, highwater, data = answer[1], answer[2], answer[-1]
                if error == OFFSET_OUT_OF_RANGE:
                    start = await _log_start(client, node, part)
                    sizes[topic].dropped += start - todo[part]
                    todo[part] = start
                    continue
                if error:
                    raise for_code(error)(f"fetching {part}")
                after = _count(MemoryRecords(data), sizes[topic], topic.endswith(CHANGELOG_SUFFIX))
                if after is not None:
                    todo[part] = after
                    last = time.monotonic()
                if todo[part] >= highwater:
                    del todo[part]


def _count(records: Any, size: TopicSize, changelog: bool) -> int | None:
    """Add a fetched partition's batches to ``size``; the offset after the last batch (None when empty)."""
    offset = None
    while (batch := records.next_batch()) is not None:
        offset = batch.next_offset
        if batch.is_control_batch:
            continue
        size.stored += batch.size_in_bytes
        for record in batch:
            key, value = record.key, record.value
            size.messages += 1
            headers = sum(len(k) + len(v or b"") for k, v in record.headers)
            size.size += len(key or b"") + len(value or b"") + headers
            if changelog:
                if value is None:
                    size.live.pop(key, None)
                else:
                    size.live[key] = len(key or b"") + len(value)
    return offset


async def _log_start(client: AIOKafkaClient, node: int, part: TopicPartition) -> int:
    response = await client.send(node, OffsetRequest(-1, 0, [(part.topic, [(part.partition, EARLIEST)])]))
    for _topic, partitions in response.topics:
        for answer in partitions:
            return int(answer[-1])
    raise RuntimeError(f"no log start offset for {part}")
