"""The Faust app: configuration from the environment, the orjson codec and the topic objects.

Kept thin on purpose: record shapes live in :mod:`streams.contracts`, stage logic in the stage
modules, and the agents in :mod:`streams.worker.agents`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import faust
import orjson
from faust.serializers import codecs

from streams import contracts
from streams.config import Settings
from streams.contracts import MAX_MESSAGE_BYTES
from streams.worker.supervision import Supervision
from streams.worker.transport import TweakedApp

CODEC = "orjson"
#: Bytes a worker fetches per partition at a time (see create_app).
CONSUMER_FETCH_BYTES = 1 << 20
#: Records one poll hands to the streams, all topics together (see create_app).
POLL_RECORDS = 100


def raw_buffer(partitions: int) -> int:
    """Raw articles a worker may buffer ahead of normalize. Faust stops fetching a partition once the
    buffer is 80 % full, at that partition's next record, but a full buffer blocks the delivery of every
    topic (the whole worker waits for normalize): so the fifth above 80 % holds a poll per partition."""
    return 5 * partitions * POLL_RECORDS + POLL_RECORDS


class OrjsonCodec(codecs.Codec):
    """The one codec every topic uses: UTF-8 JSON, fast, strict about types."""

    def _dumps(self, obj: Any) -> bytes:
        return orjson.dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return orjson.loads(s)


codecs.register(CODEC, OrjsonCodec())


class NewsApp(TweakedApp):
    """A Faust app with the transport tweaks of :mod:`streams.worker.transport`, and whose agent
    crashes are recorded (:mod:`streams.worker.supervision`) before Faust restarts the agent."""

    supervision: Supervision

    async def _on_agent_error(self, agent: Any, exc: BaseException) -> None:
        try:
            self.supervision.crashed(getattr(agent, "name", str(agent)), exc)
        finally:
            await super()._on_agent_error(agent, exc)


@dataclass(frozen=True)
class Pipeline:
    """The app and its topics, handed to the agents that wire the stages."""

    app: faust.App
    settings: Settings
    raw: faust.TopicT
    clean: faust.TopicT
    unique: faust.TopicT
    duplicates: faust.TopicT
    events: faust.TopicT
    stories: faust.TopicT
    alerts: faust.TopicT
    deadletter: faust.TopicT
    dedup_bands: faust.TopicT
    dedup_reports: faust.TopicT
    stories_terms: faust.TopicT
    stories_verdicts: faust.TopicT
    stories_updates: faust.TopicT
    alerts_by_story: faust.TopicT
    supervision: Supervision = field(default_factory=Supervision)


def create_app(settings: Settings) -> Pipeline:
    app = NewsApp(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.bootstrap_servers.split(",")],
        broker_credentials=settings.faust_credentials(),
        store=settings.store,
        datadir=settings.data_dir,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        topic_allow_declare=True,
        web_enabled=True,
        web_bind=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
        processing_guarantee=settings.processing_guarantee,
        # Offsets commit this often (Faust: 2.8 s); each commit waits only for what was sent
        # before it (worker/transport.py), so a killed worker replays about this much input.
        broker_commit_interval=settings.commit_interval,
        broker_rebalance_timeout=settings.rebalance_timeout,
        broker_session_timeout=settings.session_timeout,
        broker_heartbeat_interval=1.0,
        consumer_auto_offset_reset="earliest",
        key_serializer="raw",
        value_serializer=CODEC,
        table_cleanup_interval=60.0,
        table_standby_replicas=settings.standby_replicas,
        fetch_max_wait_ms=settings.fetch_max_wait_ms,
        producer_linger=0.005,
        # Record batches compressed as a whole: JSON articles and records ~2x smaller with zstd, for
        # little CPU (docs/performance.md); changelogs go through the same producer.
        producer_compression_type=settings.producer_compression,
        # Over-cap articles must reach normalize (and the dead-letter topic) whole, not vanish; and the
        # producer refuses anything above the topic limit, whatever a broker would accept (the agents
        # check the size themselves first, see agents.common.encode, and dead-letter instead).
        producer_max_request_size=MAX_MESSAGE_BYTES,
        # Per partition and fetch: what a worker holds in memory ahead of normalize while admission
        # control (admission.py) keeps it waiting is about one fetch per partition, ~600 compressed raw
        # articles, not the ~19,000 a fetch of MAX_MESSAGE_BYTES took in; a larger record still comes
        # whole (the broker returns at least one record batch).
        consumer_max_fetch_size=CONSUMER_FETCH_BYTES,
        # Bounded, so that no poll overfills the raw buffer while admission control keeps normalize waiting
        # (raw_buffer); unbounded, one poll handed over a whole fetch of every partition (~2,400 articles).
        broker_max_poll_records=POLL_RECORDS,
    )
    app.supervision = Supervision()

    def topic(name: str, **options: Any) -> faust.TopicT:
        # Every topic carries bytes both ways: agents encode records themselves (so a record too deep or
        # too big is dead-lettered before it reaches the producer) and decode what they consume (so a
        # message that is not JSON is dead-lettered instead of crashing the agent in Faust's decoder).
        return app.topic(
            name,
            partitions=settings.partitions,
            key_type=bytes,
            value_type=bytes,
            value_serializer="raw",
            **options,
        )

    return Pipeline(
        app=app,
        settings=settings,
        # A short buffer: Faust stops fetching a partition whose buffer is 80 % full, so while admission
        # control (admission.py) keeps normalize waiting the burst stays in Kafka (see raw_buffer).
        raw=topic(contracts.RAW, maxsize=raw_buffer(settings.partitions)),
        clean=topic(contracts.CLEAN),
        unique=topic(contracts.UNIQUE),
        duplicates=topic(contracts.DUPLICATES),
        # Keyed by event_id and compacted: a later record for the same id supersedes.
        events=topic(contracts.EVENTS, compacting=True),
        stories=topic(contracts.STORIES, compacting=True),
        alerts=topic(contracts.ALERTS),
        deadletter=topic(contracts.DEADLETTER),
        dedup_bands=topic(contracts.DEDUP_BANDS, internal=True),
        dedup_reports=topic(contracts.DEDUP_REPORTS, internal=True),
        # Keyed by story id and compacted: the latest record of a story supersedes.
        stories_terms=topic(contracts.STORIES_TERMS, internal=True),
        stories_verdicts=topic(contracts.STORIES_VERDICTS, internal=True),
        stories_updates=topic(contracts.STORIES_UPDATES, internal=True),
        alerts_by_story=topic(contracts.ALERTS_BY_STORY, internal=True),
        supervision=app.supervision,
    )
