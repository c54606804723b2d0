"""The bench's read-back of a broker: payload and stored bytes per topic, and a changelog's live bytes."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from streams.config import Settings
from streams.kafka.broker import EmbeddedBroker, free_port
from streams.kafka.sizes import topic_sizes, wait_until_consumed

pytestmark = pytest.mark.integration

TEXT = b"The council voted on Tuesday to extend the housing programme for another year. " * 20


def produce(bootstrap: str, topic: str, records: list[tuple[bytes, bytes | None]], **options: object) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=200, **options)
    for key, value in records:
        producer.send(topic, key=key, value=value, partition=0)
    producer.flush(10)
    producer.close(5)


def test_payload_stored_and_live_bytes_per_topic() -> None:
    texts = [(f"k{i}".encode(), TEXT + str(i).encode()) for i in range(50)]
    with EmbeddedBroker(port=free_port()) as broker:
        produce(broker.bootstrap, "plain", texts)
        produce(broker.bootstrap, "packed", texts, compression_type="zstd")
        # a changelog: k0 rewritten, k1 deleted (tombstone), k2 kept
        produce(broker.bootstrap, "t-changelog", [(b"k0", b"a"), (b"k1", b"bb"), (b"k2", b"ccc")])
        produce(broker.bootstrap, "t-changelog", [(b"k0", b"dddd"), (b"k1", None)])
        sizes = topic_sizes(Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap}), idle=10)
    payload = sum(len(key) + len(value or b"") for key, value in texts)
    plain, packed = sizes["plain"], sizes["packed"]
    assert plain.messages == packed.messages == 50
    assert plain.size == packed.size == payload
    assert plain.stored > payload  # batch and record framing on top of the payload
    assert packed.stored < payload / 10  # repetitive text, compressed together in a batch
    changelog = sizes["t-changelog"]
    assert changelog.messages == 5 and changelog.dropped == 0
    assert changelog.live == {b"k0": 2 + 4, b"k2": 2 + 3}


def test_wait_until_consumed_follows_the_group_commits() -> None:
    with EmbeddedBroker(port=free_port()) as broker:
        settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})
        produce(broker.bootstrap, "work", [(b"k", b"v")] * 5)
        consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="g", enable_auto_commit=False)
        consumer.assign([TopicPartition("work", 0)])
        consumer.commit({TopicPartition("work", 0): OffsetAndMetadata(3, "", -1)})
        assert wait_until_consumed(settings, "g", timeout=2) is None  # 2 messages left
        consumer.commit({TopicPartition("work", 0): OffsetAndMetadata(5, "", -1)})
        assert wait_until_consumed(settings, "g", timeout=10) is not None
        consumer.close()
