"""dedup_batch: the shard steps composed in memory, over streams of reprints, translations and look-alikes."""

from __future__ import annotations

import base64
import itertools
from typing import Any

import pytest
from dedup_articles import (
    AFTERMATH,
    AFTERMATH_TITLE,
    BOILERPLATE_BOTTOM,
    BOILERPLATE_TOP,
    FRENCH,
    FRENCH_TITLE,
    SPANISH,
    SPANISH_TITLE,
    STORY,
    STORY_TITLE,
    article,
    groups,
    links_of,
    run,
    sinks,
)

from streams import contracts
from streams.contracts import CleanArticle
from streams.stages import dedup


def test_exact_copy_links_to_the_earlier_article_with_similarity_one(original: CleanArticle) -> None:
    copy = article("copy", STORY, hours=3)
    first, second = run([original, copy])
    assert [a["id"] for a in first.unique] == ["orig"] and first.duplicates == []
    assert first.unique[0] == {**original, "lead_embedding": first.unique[0]["lead_embedding"]}
    assert len(base64.b64decode(first.unique[0]["lead_embedding"])) == 512  # what the story stage reuses
    assert second.unique == []
    (link,) = second.duplicates
    assert (link["id"], link["canonical_id"], link["method"], link["similarity"]) == (
        "copy",
        "orig",
        "exact",
        1.0,
    )
    assert link["published_at"] == copy["published_at"] and link["received_at"] == copy["received_at"]
    assert link["matched_band_count"] >= 1
    contracts.validate(contracts.DUPLICATES, link)


@pytest.mark.parametrize(
    ("variant", "paragraphs", "title"),
    [
        (
            "boilerplate_and_headline",
            [*BOILERPLATE_TOP, *STORY, *BOILERPLATE_BOTTOM],
            "Thousands flee Italian floods",
        ),
        ("last_paragraph_trimmed", STORY[:-1], STORY_TITLE),
        ("paragraphs_reordered", [STORY[1], STORY[0], *STORY[3:], STORY[2]], STORY_TITLE),
    ],
)
def test_reprint_with_edits_is_a_near_duplicate(
    original: CleanArticle, variant: str, paragraphs: list[str], title: str
) -> None:
    reprint = article(variant, paragraphs, title=title, hours=5)
    _, second = run([original, reprint])
    (link,) = second.duplicates
    assert (link["id"], link["canonical_id"], link["method"]) == (variant, "orig", "near")
    assert dedup.DEFAULT.containment_threshold <= link["similarity"] <= 1.0


@pytest.mark.parametrize(
    ("language", "title", "paragraphs"), [("fr", FRENCH_TITLE, FRENCH), ("es", SPANISH_TITLE, SPANISH)]
)
def test_translation_links_to_the_original(
    original: CleanArticle, language: str, title: str, paragraphs: list[str]
) -> None:
    translation = article(f"tr-{language}", paragraphs, title=title, language=language, hours=6)
    _, second = run([original, translation])
    (link,) = second.duplicates
    assert (link["id"], link["canonical_id"], link["method"]) == (f"tr-{language}", "orig", "crosslingual")
    assert link["similarity"] >= dedup.DEFAULT.crosslingual_threshold


def test_another_report_of_the_same_event_is_not_a_duplicate(original: CleanArticle) -> None:
    aftermath = article("aftermath", AFTERMATH, title=AFTERMATH_TITLE, hours=30)
    french = article("fr", FRENCH, title=FRENCH_TITLE, language="fr", hours=2)
    outputs = run([original, aftermath, french])
    assert [(link["id"], link["canonical_id"]) for link in links_of(outputs)] == [("fr", "orig")]
    assert [a["id"] for a in outputs[1].unique] == [aftermath["id"]]


def test_any_arrival_order_gives_the_same_groups_and_canonical() -> None:
    stream = [
        article("wire", STORY, hours=0),
        article("reprint", [*BOILERPLATE_TOP, *STORY[:-1]], title="Floods in Italy", hours=4),
        article("copy", STORY, hours=9),
        article("fr", FRENCH, title=FRENCH_TITLE, language="fr", hours=12),
        article("other", AFTERMATH, title=AFTERMATH_TITLE, hours=20),
    ]
    ids = [a["id"] for a in stream]
    expected_group = frozenset({"wire", "reprint", "copy", "fr"})
    in_order = groups(links_of(run(stream)), ids)
    assert in_order["wire"] == expected_group
    seen_notes = set()
    for order in itertools.permutations(stream):
        links = links_of(run(order))
        assert groups(links, ids) == in_order
        canonical = sinks(links, ids)
        assert {canonical[i] for i in expected_group} == {"wire"} and canonical["other"] == "other"
        seen_notes |= {link["note"].split(":")[0] for link in links if "note" in link}
        if order[0]["id"] == "copy":  # the later copy went out as unique first; a record says so
            assert any(link["id"] == "copy" and "out_of_order" in link.get("note", "") for link in links)
    assert "out_of_order" in seen_notes


def test_in_order_stream_emits_one_link_per_duplicate() -> None:
    stream = [article("wire", STORY), article("copy", STORY, hours=1), article("copy2", STORY, hours=2)]
    links = links_of(run(stream))
    assert sorted((link["id"], link["canonical_id"]) for link in links) == [
        ("copy", "wire"),
        ("copy2", "wire"),
    ]
    assert not any("note" in link for link in links)


def test_replayed_archive_keeps_old_news_until_the_replay_moves_on() -> None:
    """Publication time from 2009, arrival today: expiry counts from arrival, matching from publication."""
    old, old_copy = article("old", STORY), article("old-copy", STORY, hours=2)
    for a in (old, old_copy):
        a["published_at"] = a["published_at"].replace("2024", "2009")
    live = article("live", STORY, hours=1)  # shares every bucket with the archive copies
    links = links_of(run([old, live, old_copy]))
    assert [(link["id"], link["canonical_id"]) for link in links] == [("old-copy", "old")]


@pytest.mark.parametrize("partitions", [2, 4, 12])
def test_verdicts_do_not_depend_on_how_bands_spread_over_partitions(partitions: int) -> None:
    stream = [
        article("wire", STORY, hours=0),
        article("fr", FRENCH, title=FRENCH_TITLE, language="fr", hours=12),
        article("reprint", [*BOILERPLATE_TOP, *STORY[:-1]], title="Floods in Italy", hours=4),
        article("other", AFTERMATH, title=AFTERMATH_TITLE, hours=20),
        article("es", SPANISH, title=SPANISH_TITLE, language="es", hours=2),
        article("copy", STORY, hours=9),
    ]
    ids = [a["id"] for a in stream]
    one = links_of(dedup.dedup_batch({}, stream))
    state: dict[str, Any] = {}
    many = links_of(dedup.dedup_batch(state, stream, partitions=partitions))
    assert groups(many, ids) == groups(one, ids) and sinks(many, ids) == sinks(one, ids)
    # every verdict is the same; a shard that cannot see that two candidates already match may
    # repeat a link to the canonical (same id, same canonical: idempotent downstream)
    first_links = {x["id"]: (x["canonical_id"], x["method"]) for x in reversed(many)}
    assert first_links == {x["id"]: (x["canonical_id"], x["method"]) for x in one}
    bands = state["bands"]
    assert all(dedup.shard_of(key, partitions) < partitions for key in bands)
    far = 30 * 86400 + max(entry["seen"] for key, entry in bands.items() if key.startswith("s"))
    for shard, band in state["shards"].items():  # a sweep of one shard leaves the others alone
        entries = [key for key in bands if key.startswith(f"s{shard}:")]
        assert dedup.expire(band, far) == len(entries)
        assert not any(dedup.shard_of(key, partitions) == shard for key in bands)
    assert bands == {}
