"""One Kafka hop on the embedded broker: produce → consume latency per fetch wait (docs/performance.md).

    .venv/bin/python docs/profile/hop_latency.py 50 10

aiokafka on both ends, as a worker has them (producer linger 5 ms, consumer fetch wait as given); one
message every 50 ms for 200 messages, so every fetch meets an idle partition, as in a steady feed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from streams.config import Settings
from streams.contracts import RAW
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import EmbeddedBroker, free_port

MESSAGES, GAP_S = 200, 0.05


async def hop(bootstrap: str, wait_ms: int) -> list[float]:
    consumer = AIOKafkaConsumer(
        RAW, bootstrap_servers=bootstrap, fetch_max_wait_ms=wait_ms, group_id=f"hop-{wait_ms}"
    )
    await consumer.start()
    await asyncio.sleep(2)  # joined and positioned at the end before the first message
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    latencies: list[float] = []

    async def consume() -> None:
        async for message in consumer:
            latencies.append(time.time() - float(message.value.decode()))
            if len(latencies) == MESSAGES:
                return

    task = asyncio.create_task(consume())
    for _ in range(MESSAGES):
        await producer.send(RAW, str(time.time()).encode())
        await asyncio.sleep(GAP_S)
    await asyncio.wait_for(task, 30)
    await producer.stop()
    await consumer.stop()
    return sorted(latencies)


def main() -> None:
    log = Path(tempfile.mkdtemp()) / "broker.log"
    with EmbeddedBroker(port=free_port(), log_path=log) as broker:
        ensure_topics(
            Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "NEWSEVENTS_PARTITIONS": "1"})
        )
        for wait_ms in [int(arg) for arg in sys.argv[1:]] or [50]:
            got = asyncio.run(hop(broker.bootstrap, wait_ms))
            p50, p99 = statistics.median(got), got[int(0.99 * len(got))]
            print(f"fetch wait {wait_ms} ms: one hop p50 {1000 * p50:.1f} ms, p99 {1000 * p99:.1f} ms")


if __name__ == "__main__":
    main()
