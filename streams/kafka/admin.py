"""Topic creation with the pipeline's partition count and per-topic configuration (kafka-python admin)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams import contracts
from streams.config import Settings


def topic_config(name: str) -> dict[str, str]:
    config = {"max.message.bytes": str(contracts.MAX_MESSAGE_BYTES)}
    if name in contracts.COMPACTED_TOPICS:
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


def committed_offsets(settings: Settings, group: str | None = None) -> dict[tuple[str, int], int]:
    """The consumer group's committed offsets as the broker reports them (OffsetFetch),
    (topic, partition) → next offset to read; partitions without a commit are left out."""
    admin = KafkaAdminClient(**settings.kafka_python_config(), client_id="newsevents-admin")
    try:
        group_id = group or settings.app_id
        offsets = admin.list_group_offsets(group_id).get(group_id, {})
    finally:
        admin.close()
    return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0}
