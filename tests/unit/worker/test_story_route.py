"""The story route over an extract batch: each article parked alone under its id, then the probes of the
batch as one message per term partition, and an article that cannot be routed dead-lettered alone.

The pipeline is the real Faust app; its story topics and dead-letter topic are in-memory channels (one
channel for both story topics, so the order of parks and probes shows), as in test_agent_common.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from typing import Any

import orjson

from streams import contracts
from streams.config import Settings
from streams.stages import stories
from streams.worker.agents import stories as story_agents
from streams.worker.app import create_app

QUAKE = (
    "A magnitude 6.4 earthquake struck near the Turkish city of Malatya on Monday, the Kandilli Observatory "
    "said, killing at least 12 people.\nInterior Minister Ali Yerlikaya said teams from Adana had arrived."
)
FLOOD = "Heavy rain flooded the Argentine city of Bahia Blanca on Friday, mayor Federico Susbielles said."


def article(article_id: str, text: str, published_at: str = "2026-03-14T16:00:00Z") -> Any:
    """What the route reads of a coded article."""
    return {
        "id": article_id,
        "title": None,
        "text": text,
        "language": "en",
        "published_at": published_at,
        "received_at": "2026-03-14T16:00:00Z",
    }


async def route_batch(batch: list[story_agents.Coded]) -> tuple[int, list[Any], list[Any]]:
    """What the route returns, the story messages it sent in order (key, value), and its dead letters."""
    pipeline = create_app(Settings())
    pipeline.app.flow_control.resume()
    hops, deadletter = pipeline.app.channel(), pipeline.app.channel()
    hops_out, letters_out = hops.clone(is_iterator=True), deadletter.clone(is_iterator=True)
    route = story_agents.register(
        dataclasses.replace(pipeline, stories_terms=hops, stories_verdicts=hops, deadletter=deadletter),
        stories.InFlight(),
    )
    parked = await route(batch)
    sent, letters = [], []
    while not hops_out.empty():
        message = await hops_out.get()
        sent.append((message.key, orjson.loads(message.value)))
    while not letters_out.empty():
        letters.append(orjson.loads((await letters_out.get()).value))
    return parked, sent, letters


def test_a_batch_is_parked_article_by_article_then_probed_in_one_message_per_term_partition() -> None:
    batch: list[story_agents.Coded] = [
        (article("quake", QUAKE), [], []),
        (article("bad", QUAKE, published_at="yesterday"), [], []),
        (article("quake-2", QUAKE), [], []),
        (article("flood", FLOOD), [], []),
    ]

    parked, sent, letters = asyncio.run(route_batch(batch))

    assert parked == 3
    parks = [(key, value) for key, value in sent if "features" in value]
    assert sent[: len(parks)] == parks, "every park is sent before the first probe"
    assert [key for key, _ in parks] == [b"quake", b"quake-2", b"flood"]
    probes = [value["probes"] for _, value in sent[len(parks) :]]
    partitions = Settings().partitions
    assert 1 <= len(probes) <= partitions, "one probe message per term partition"
    for message in probes:
        assert (
            len({stories.band_partition(term, partitions) for probe in message for term in probe["terms"]})
            == 1
        )
    per_article = Counter(probe["article_id"] for message in probes for probe in message)
    assert per_article == {key.decode(): value["expected"] for key, value in parks}
    assert all(probe["round"] == 0 for message in probes for probe in message)
    assert [(letter["stage"], letter["reason"]) for letter in letters] == [("stories", "internal_error")]
    assert orjson.loads(letters[0]["original"])["id"] == "bad"
    contracts.validate(contracts.DEADLETTER, letters[0])
