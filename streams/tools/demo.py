"""``newsevents demo``: embedded broker, one worker (running the demo alert rules), the bundled feed,
results printed live."""

from __future__ import annotations

import math
import time
from importlib import resources
from typing import Any

from streams import contracts
from streams.kafka.clients import TopicReader, produce, until_settled
from streams.kafka.local import LocalPipeline
from streams.tools.alerts import format_alert
from streams.tools.inputs import read_jsonl

WATCHED = [
    contracts.EVENTS,
    contracts.STORIES,
    contracts.DUPLICATES,
    contracts.DEADLETTER,
    contracts.UNIQUE,
    contracts.ALERTS,
]
#: Once every record is accounted for, wait this long without output for the last events.
SETTLE_SECONDS = 5.0


def feed_lines() -> list[bytes]:
    """The bundled feed, verbatim: its broken lines are there to show the dead-letter path."""
    with resources.files("streams.data").joinpath("demo_feed.jsonl").open("rb") as handle:
        return read_jsonl(handle, verbatim=True).records


def describe_actors(actors: list[dict[str, Any]]) -> str:
    return ", ".join(f"{a.get('name') or a.get('text')} ({a.get('country') or '?'})" for a in actors) or "-"


def describe_event(event: dict[str, Any]) -> str:
    location = event.get("location") or {}
    place = f"{location.get('name')}, {location.get('country')}" if location else "unknown place"
    sentence = event["evidence"]["sentence"]
    if len(sentence) > 140:
        sentence = sentence[:137] + "..."
    return (
        f"EVENT  {event['event_type']:<9} {describe_actors(event['source_actors'])} -> "
        f"{describe_actors(event['target_actors'])} @ {place} on {event['event_date']} "
        f"[confidence {event['confidence']:.2f}, {event['num_sources']} source(s), "
        f'story {event.get("story_id")}]\n         "{sentence}"'
    )


def describe_story(story: dict[str, Any]) -> str:
    """A story as it grows: the demo prints each re-publication, so the counts visibly climb."""
    types = ", ".join(f"{kind} {count}" for kind, count in sorted(story["event_types"].items()))
    return (
        f'STORY  {story["story_id"]} "{story["headline"][:80]}": {story["num_articles"]} articles, '
        f"{story['num_mentions']} mentions, {story['num_sources']} sources, "
        f"languages {'/'.join(story['languages'])}; events: {types or '-'}"
    )


def describe(topic: str, value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if topic == contracts.EVENTS:
        return describe_event(value)
    if topic == contracts.STORIES:
        return describe_story(value)
    if topic == contracts.DUPLICATES:
        note = f" ({value['note']})" if value.get("note") else ""
        return (
            f"DUP    {value['id']} is a reprint of {value['canonical_id']} "
            f"({value['method']}, similarity {value['similarity']:.2f}){note}"
        )
    if topic == contracts.DEADLETTER:
        return f"DEAD   {value['reason']} at {value['stage']}: {value['error'][:120]}"
    if topic == contracts.ALERTS:
        return f"ALERT  {format_alert(value)}"
    return None


def run_demo(follow: bool = False, timeout: float = 180.0) -> int:
    started = time.monotonic()
    lines = feed_lines()
    print(
        f"newsevents demo: starting broker and worker, then replaying {len(lines)} feed records", flush=True
    )
    rules = resources.files("streams.data").joinpath("demo_rules.yaml")
    with (
        resources.as_file(rules) as rules_path,
        LocalPipeline(workers=1, partitions=2, env={"NEWSEVENTS_ALERT_RULES": str(rules_path)}) as pipeline,
    ):
        worker = pipeline.workers[0]
        where = "embedded broker" if pipeline.embedded else "broker"
        print(
            f"{where} at {pipeline.settings.bootstrap_servers}; worker metrics at {worker.metrics_url}",
            flush=True,
        )
        produce(pipeline.settings, lines)
        print(f"fed {len(lines)} records to {contracts.RAW} at {time.monotonic() - started:.1f}s", flush=True)
        judged: set[str] = set()
        deadletters = events = alerts = stories = 0
        with TopicReader(pipeline.settings, WATCHED) as reader:
            settle = math.inf if follow else SETTLE_SECONDS
            for record in until_settled(reader, len(lines), settle, timeout=None if follow else timeout):
                value = record.value
                if record.topic in (contracts.UNIQUE, contracts.DUPLICATES) and isinstance(value, dict):
                    judged.add(value["id"])
                deadletters += record.topic == contracts.DEADLETTER
                events += record.topic == contracts.EVENTS
                alerts += record.topic == contracts.ALERTS
                stories += record.topic == contracts.STORIES
                text = describe(record.topic, value)
                if text:
                    print(f"{time.monotonic() - started:6.1f}s {text}", flush=True)
        print(
            f"demo done in {time.monotonic() - started:.1f}s: {len(lines)} records in, "
            f"{len(judged)} articles judged by dedup, {deadletters} dead-lettered, {events} events, "
            f"{stories} story records, {alerts} alerts",
            flush=True,
        )
    return 0 if events else 1
