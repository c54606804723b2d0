"""Transport tweaks of the workers' Kafka clients. Each reaches into aiokafka/Faust internals of the
versions pinned in pyproject.toml (:data:`PINNED_VERSIONS`); on any other version the worker logs it
and runs Faust's stock transport instead.

- An optional fetch wait (``NEWSEVENTS_FETCH_MAX_WAIT_MS``) in place of Faust's hard-coded 1.5 s.
- End offsets that hold on the embedded broker (:func:`fetch_high_watermarks`).
- Offset commits that keep up (:class:`_NewsConsumer`, :class:`_NewsProducer`).
- Table changelogs written once per key and commit (:class:`streams.worker.tables.CoalescedTable`,
  whose changes the producer's flush sends).
"""

from __future__ import annotations

import asyncio
import functools
import importlib.metadata
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import faust
from aiokafka.errors import KafkaError
from aiokafka.protocol.fetch import FetchRequest
from aiokafka.structs import TopicPartition
from faust.transport.drivers import aiokafka as aiokafka_driver

from streams.worker.tables import CoalescedTable

log = logging.getLogger("newsevents")

#: The versions whose private attributes the classes below use (pinned in pyproject.toml).
PINNED_VERSIONS = {"aiokafka": "0.14.0", "faust-streaming": "0.15.3"}

#: How long the high-watermark probe below may wait. Not 0: the embedded broker answers a Fetch
#: with max_wait_ms=0 with no partitions at all, so no high watermark either.
HIGHWATER_PROBE_WAIT_MS = 10


def installed_versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in PINNED_VERSIONS}


@functools.cache
def tweaks_apply() -> bool:
    """True when the installed aiokafka and Faust are the pinned ones; else logs, once, that the
    worker runs Faust's stock transport."""
    installed = installed_versions()
    if installed == PINNED_VERSIONS:
        return True
    log.warning(
        "transport tweaks written for %s but %s is installed: running Faust's stock transport "
        "(fetch wait 1.5 s; on the embedded broker RocksDB tables may not restart and offset "
        "commits may lag)",
        PINNED_VERSIONS,
        installed,
    )
    return False


async def fetch_high_watermarks(consumer: Any, end_offsets: Mapping[Any, int]) -> dict[Any, int]:
    """``end_offsets`` raised to the high watermark of a Fetch response, per partition.

    The embedded broker (Tansu 0.6.0) answers ListOffsets LATEST -- ``end_offsets`` -- with the
    first offset of the partition's last record batch + 1, not its last offset + 1; the Fetch
    response's high watermark is right. Faust recovers a table up to ``end_offsets`` - 1 and
    refuses to start when the persisted offset is above it (ConsistencyError), or silently drops
    rows from a memory table, so take the larger of the two: unchanged on Apache Kafka, right on
    the embedded broker. The probe fetches at the listed end with a 1-byte limit, so no records
    travel; on an error the listed value stays.
    """
    client = consumer._client
    corrected = dict(end_offsets)
    by_key = {(tp.topic, tp.partition): tp for tp, listed in end_offsets.items() if listed is not None}
    requests: dict[int, dict[str, list[tuple[int, int, int]]]] = {}
    for (topic, partition), tp in by_key.items():
        node = client.cluster.leader_for_partition(TopicPartition(topic, partition))
        if node is not None and node >= 0:
            requests.setdefault(node, {}).setdefault(topic, []).append((partition, end_offsets[tp], 1))
    for node, topics in requests.items():
        request = FetchRequest(HIGHWATER_PROBE_WAIT_MS, 0, 1, 0, list(topics.items()))
        try:
            response = await client.send(node, request)
        except KafkaError:
            continue
        for topic, partitions in response.topics:
            for partition, error_code, high_watermark, *_ in partitions:
                tp = by_key.get((topic, partition))
                if tp is not None and not error_code:
                    corrected[tp] = max(corrected[tp], high_watermark)
    return corrected


def committed_offsets(consumer: Any) -> Mapping[Any, int | None]:
    """The offsets a Faust consumer has committed (or found committed when it was assigned the
    partition), as it holds them: no broker call. Faust keeps them in a private mapping."""
    return dict(consumer._committed_offset)


class _NewsConsumerThread(aiokafka_driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: aiokafka_driver.Transport) -> Any:
        """Faust hard-codes a 1.5 s fetch wait. Apache Kafka answers a waiting fetch as soon as data
        arrives, so that costs no latency there; the embedded broker answers only after ~0.5 s, so
        each hop of the pipeline waits that long unless the wait is shorter (LocalPipeline sets
        50 ms: a steady feed's end-to-end p50 ~3.5 s -> ~0.4 s). A short wait costs fetch requests
        (~20 per second per idle consumer at 50 ms), so it applies only when set."""
        consumer = super()._create_worker_consumer(transport)
        wait_ms = getattr(self.app, "fetch_max_wait_ms", None)
        if wait_ms is not None:
            consumer._fetch_max_wait_ms = wait_ms
        return consumer

    async def _highwaters(self, partitions: Iterable[Any]) -> Mapping[Any, int]:
        """Table recovery's and the lag gauge's end offsets, corrected (see fetch_high_watermarks)."""
        highwaters = await super()._highwaters(partitions)  # type: ignore[arg-type]
        if self.consumer.in_transaction:  # last stable offsets, from Fetch responses already
            return highwaters
        return await fetch_high_watermarks(self._ensure_consumer(), highwaters)


class _NewsConsumer(aiokafka_driver.Consumer):
    def _new_consumer_thread(self) -> aiokafka_driver.AIOKafkaConsumerThread:
        return _NewsConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def perform_seek(self) -> None:
        """Seek to the committed offsets with no record delivered meanwhile.

        When recovery ends Faust resumes the stream partitions, seeks them to their committed
        offsets, then resumes flow control, which empties the agents' queues. A worker's first
        assignment never stopped the consumer's flow, so records fetched during the seek reach those
        queues and are dropped unprocessed and unacknowledged, while the seek resets the read offset
        behind the ones still coming: the next record looks like a gap. The acknowledgement
        bookkeeping then either never commits the partition again (its first offsets are missing)
        or, counting them as a gap, commits past records that were never processed. Measured after a
        SIGKILL under a 40 articles/s feed: a raw partition's commit stuck at its restart offset
        while 170 of its records went through. So the flow stops for the seek: the record being
        yielded is the last one, and the seek moves the fetch position back, so it comes again.
        Of the callers, recovery resumes the flow once it has emptied the queues, and the fetch
        loop seeks only while the flow is stopped anyway.
        """
        self.stop_flow()
        await super().perform_seek()


class _NewsProducer(aiokafka_driver.Producer):
    """A producer whose flush waits for what was sent before it, not for the traffic after it.

    Faust flushes the producer before every offset commit, and its flush drains the buffer of
    table changelog writes until 0.1 s pass with nothing sent. While the dedup tables are written
    (tens of changelog records per article) that buffer never stays empty, so a commit waited
    up to 30 s and the committed offsets fell behind by as much. What the commit needs is that
    every record sent before it is on the broker: the changelog records queued at that moment and
    the batches the Kafka producer holds.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._unsent: set[asyncio.Future[Any]] = set()

    def send_soon(self, fut: Any) -> None:
        self._unsent.add(fut)
        fut.add_done_callback(self._unsent.discard)
        super().send_soon(fut)

    async def flush(self) -> None:
        for table in self.app.tables.values():
            if isinstance(table, CoalescedTable):
                table.send_changes()
        if self.buffer.should_stop or self.buffer.state != "running":
            await super().flush()  # shutting down: drain what is left
            return
        queued = [fut for fut in self._unsent if not fut.done()]
        if queued:
            await asyncio.wait(queued)
        if self._producer is not None:
            await self._producer.flush()
        for transaction_producer in self._transaction_producers.values():
            await transaction_producer.flush()


class _NewsTransport(aiokafka_driver.Transport):
    Consumer = _NewsConsumer
    Producer = _NewsProducer


class TweakedApp(faust.App):
    """A Faust app with the transport tweaks above (on the pinned aiokafka and Faust versions)."""

    def __init__(self, *args: Any, fetch_max_wait_ms: int | None = None, **kwargs: Any) -> None:
        #: Read by the consumer thread when it creates the Kafka consumer; None keeps Faust's 1.5 s.
        self.fetch_max_wait_ms = fetch_max_wait_ms
        if tweaks_apply():  # their producer flush sends the coalesced changelog writes before each commit
            kwargs.setdefault("Table", CoalescedTable)
        super().__init__(*args, **kwargs)

    def _new_transport(self) -> Any:
        if not tweaks_apply():
            return super()._new_transport()
        return _NewsTransport(self.conf.broker_consumer, self)
