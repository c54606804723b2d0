"""What the SIGKILL tests share: a steady feed, a recorder of every record the pipeline publishes,
what was in flight at a kill, and the final accounting.

In flight at a kill: work a worker had done whose input offset was not committed yet, so a restart
does it again. Per article, at each hop that can publish its verdict twice:
- raw: cleaned before the kill, its raw record at or past the committed raw offset;
- clean: routed by dedup (parked on ``dedup.reports``) before the kill, its clean record at or past
  the committed clean offset;
- reports: judged before the kill, its parked record at or past the committed reports offset;
- bands: judged before the kill, a band message with its probe at or past the committed bands offset,
  which reports on it again (an article still parked in a table whose deletion the kill lost then
  gets a second verdict): at most once per article.
A restart that replays only what was in flight publishes at most that many verdicts again.
"""

from __future__ import annotations

import collections
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from streams import contracts
from streams.config import Settings
from streams.kafka.admin import committed_offsets
from streams.kafka.clients import Received, TopicReader, produce, until_settled
from streams.kafka.local import WorkerProcess
from streams.tools.bench import BOILERPLATE

RECORDED = [
    contracts.RAW,
    contracts.CLEAN,
    contracts.DEDUP_BANDS,
    contracts.DEDUP_REPORTS,
    contracts.UNIQUE,
    contracts.DUPLICATES,
    contracts.EVENTS,
    contracts.DEADLETTER,
]
VERDICTS = (contracts.UNIQUE, contracts.DUPLICATES)


class Feed(threading.Thread):
    """``records`` onto ``articles.raw`` at ``rate`` per second, in the background."""

    def __init__(self, settings: Settings, records: list[bytes], rate: float) -> None:
        super().__init__(daemon=True)
        self.settings, self.records, self.rate = settings, records, rate
        self.sent = 0

    def run(self) -> None:
        self.sent = produce(self.settings, self.records, rate=self.rate)


class Recorder(threading.Thread):
    """Every record of the recorded topics from the beginning, as it arrives."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.records: list[Received] = []
        self._halt = threading.Event()

    def run(self) -> None:
        with TopicReader(self.settings, RECORDED) as reader:
            while not self._halt.is_set():
                self.records.extend(reader.poll(0.3))

    def stop(self) -> None:
        self._halt.set()
        self.join(30)


#: Faust's log table of where table recovery starts reading each changelog partition.
RECOVERY_STARTS = re.compile(r"Reading Starts At - Active[^\n]*\n(?:[^\n]*\n){2}((?:\|[^\n]*\n)+)")


def recovery_starts(log_path: Path) -> list[int]:
    """The offsets the worker's last table recovery started reading the changelogs at: -1 is from the
    beginning (a memory table always; a RocksDB table only when it had nothing on disk)."""
    tables = RECOVERY_STARTS.findall(log_path.read_text("utf-8", "replace"))
    return [int(row.rstrip(" |").rsplit("|", 1)[-1]) for row in tables[-1].splitlines()] if tables else []


@dataclass
class Kill:
    """One SIGKILL: when, the committed offsets it left, what was in flight, the restart."""

    at: float
    committed: dict[tuple[str, int], int]
    in_flight: dict[str, int] = field(default_factory=dict)
    cleaned: int = 0
    raw_committed: int = 0
    restart_to_ready_s: float | None = None
    #: Changelog partitions the restart's recovery read from the beginning, of all it read.
    changelogs_from_start: tuple[int, int] = (0, 0)


def kill(worker: WorkerProcess, settings: Settings) -> Kill:
    worker.kill()
    at = time.time()
    return Kill(at=at, committed=committed_offsets(settings))


def restart(worker: WorkerProcess, timeout: float = 180) -> float:
    started = time.monotonic()
    worker.start()
    worker.wait_ready(timeout)
    return round(time.monotonic() - started, 1)


def article_id(record: Received) -> str | None:
    value = record.value
    if record.topic == contracts.DEDUP_REPORTS:
        return record.key.decode() if record.key and isinstance(value, dict) and "article" in value else None
    return value.get("id") if isinstance(value, dict) else None


def band_hops(record: Received) -> list[str]:
    """Per article a ``dedup.bands`` message probes (or a batch of band reports reports on), the
    article's id and the band partition: ``"id#partition"``."""
    value = record.value if isinstance(record.value, dict) else {}
    if record.topic == contracts.DEDUP_BANDS:
        return [f"{probe['article_id']}#{record.partition}" for probe in value.get("probes", ())]
    return [f"{report['article']['id']}#{report['shard']}" for report in value.get("reports", ())]


#: How long after a kill a record sent before it may still be appended by the broker.
APPEND_GRACE_S = 1.0
BAND_REPORTS = "band reports"


def measure_in_flight(event: Kill, records: list[Received]) -> None:
    """Fill ``event.in_flight`` from what had been published before the kill (see the module doc)."""
    # Broker timestamps are append times: a record the killed worker sent just before the kill can be
    # appended a moment after it. No restarted worker publishes that soon (ready takes seconds).
    before = [r for r in records if r.timestamp <= event.at + APPEND_GRACE_S]
    # Per article, every record of it on each hop, by offset: after an earlier kill an article can have
    # two on one hop (its replay's and the first), and both can be past the commit when the next kill
    # comes while that hop is behind. Counting an article once per hop undercounted such replays.
    places: dict[str, dict[str, list[tuple[int, int]]]] = collections.defaultdict(
        lambda: collections.defaultdict(list)
    )
    for record in before:
        identifier = article_id(record)
        if identifier is not None:
            topic = "verdict" if record.topic in VERDICTS else record.topic
            places[topic][identifier].append((record.partition, record.offset))
        elif record.topic in (contracts.DEDUP_BANDS, contracts.DEDUP_REPORTS):
            topic = record.topic if record.topic == contracts.DEDUP_BANDS else BAND_REPORTS
            for hop in band_hops(record):
                places[topic][hop].append((record.partition, record.offset))

    def past_commit(topic: str, downstream: str) -> collections.Counter[str]:
        """Per key, its records of ``topic`` at or past the committed offset whose output on
        ``downstream`` was published before the kill: the first as many of its records as it has outputs."""
        replayed: collections.Counter[str] = collections.Counter()
        for key, found in places[topic].items():
            handled = sorted(found, key=lambda place: place[1])[: len(places[downstream].get(key, ()))]
            replayed[key] = sum(
                1 for partition, offset in handled if offset >= event.committed.get((topic, partition), 0)
            )
        return replayed

    bands = {
        hop.rsplit("#", 1)[0] for hop, n in past_commit(contracts.DEDUP_BANDS, BAND_REPORTS).items() if n
    }
    event.in_flight = {
        "raw": past_commit(contracts.RAW, contracts.CLEAN).total(),
        "clean": past_commit(contracts.CLEAN, contracts.DEDUP_REPORTS).total(),
        "reports": past_commit(contracts.DEDUP_REPORTS, "verdict").total(),
        "bands": len(bands & set(places["verdict"])),  # an article judged again at most once
    }
    event.cleaned = len(places[contracts.CLEAN])
    event.raw_committed = sum(o for (t, _), o in event.committed.items() if t == contracts.RAW)


@dataclass
class Accounting:
    inputs: int
    dead_lettered: dict[str, int]
    lost: list[str]
    duplicated: int
    #: Reprints (the generator's boilerplate-wrapped copies) not judged duplicates: table state lost.
    reprints: int
    reprints_missed: list[str]
    event_records: int
    event_ids: int
    #: The dead letters themselves, for a test that judges their stages and errors.
    letters: list[dict[str, Any]] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """The accounting every fault test prints: inputs, dead letters, lost, duplicated, reprints."""
        return {
            "inputs": self.inputs,
            "dead_lettered": self.dead_lettered,
            "lost": len(self.lost),
            "duplicated": self.duplicated,
            "reprints": self.reprints,
            "reprints_missed": len(self.reprints_missed),
            "event_records": self.event_records,
            "event_ids": self.event_ids,
        }


def account(
    settings: Settings, records: list[bytes], timeout: float = 300, reread_after: float | None = None
) -> Accounting:
    """Every input judged or dead-lettered? Read from the beginning until all are and it is quiet.

    With ``reread_after``, inputs still unaccounted for after that many seconds are looked for again by a
    new reader, from the beginning, for the rest of ``timeout``: a reader whose fetches stalled is then
    told apart from an article the pipeline lost, and the test fails naming the lost ones instead of
    running into pytest's timeout (a RocksDB SIGKILL run in CI did, with the worker idle for 4 minutes).
    """
    first = read_accounting(settings, records, reread_after or timeout)
    if reread_after is None or not first.lost:
        return first
    print(
        f"accounting: {len(first.lost)} inputs unaccounted for after {reread_after:.0f} s "
        f"(e.g. {first.lost[:3]}); reading again with a new reader"
    )
    return read_accounting(settings, records, timeout - reread_after)


def read_accounting(settings: Settings, records: list[bytes], timeout: float) -> Accounting:
    ids = {orjson.loads(r)["id"] for r in records}
    reprints = {
        article["id"]
        for article in map(orjson.loads, records)
        if article.get("body", "").startswith(tuple(BOILERPLATE))
    }
    found: set[str] = set()
    verdicts: collections.Counter[str] = collections.Counter()
    events: collections.Counter[str] = collections.Counter()
    dead: list[dict[str, Any]] = []
    topics = [*VERDICTS, contracts.DEADLETTER, contracts.EVENTS]
    with TopicReader(settings, topics) as reader:
        for record in until_settled(reader, len(records), settle=5, timeout=timeout):
            if record.topic == contracts.DEADLETTER:
                dead.append(record.value)
            elif record.topic == contracts.EVENTS:
                events[record.value["event_id"]] += 1
            else:
                verdicts[record.value["id"]] += 1
                if record.topic == contracts.DUPLICATES:
                    found.add(record.value["id"])
    # An internal record (a story join, a batch of probes) has no id of its own: it shows in dead_lettered.
    originals = [orjson.loads(d["original"]) for d in dead if d.get("original_encoding") == "utf-8"]
    dead_ids = {original.get("id") for original in originals if isinstance(original, dict)}
    return Accounting(
        inputs=len(ids),
        dead_lettered=dict(collections.Counter(d["reason"] for d in dead)),
        lost=sorted(ids - set(verdicts) - dead_ids),
        duplicated=sum(n - 1 for n in verdicts.values()),
        reprints=len(reprints),
        reprints_missed=sorted(reprints - found),
        event_records=sum(events.values()),
        event_ids=len(events),
        letters=dead,
    )


def assigned_inputs(worker: WorkerProcess) -> int:
    """How many ``articles.raw`` partitions the worker's /readyz says it holds (0 if it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/readyz", timeout=2) as response:
            body = orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        body = orjson.loads(error.read())
    except OSError:
        return 0
    return sum(1 for tp in body.get("assigned", []) if tp.startswith(f"{contracts.RAW}/"))
