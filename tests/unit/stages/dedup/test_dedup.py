"""Reprint detection: the shard steps on their own and composed by the in-memory driver.

Texts are written for these tests (a wire story, its reprints, two hand translations and a
different report of the same event), so the real embedding model and hashing run end to end.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from streams import contracts
from streams.contracts import CleanArticle, DuplicateLink
from streams.stages import dedup

T0 = datetime(2024, 5, 16, 8, 0, tzinfo=UTC)

STORY_TITLE = "Flooding forces thousands from their homes in northern Italy"
STORY = [
    "Heavy rain caused rivers to burst their banks across the Emilia-Romagna region on Tuesday, forcing "
    "more than 10,000 people to leave their homes, the regional civil protection agency said.",
    "Rescue teams used boats and helicopters to reach residents trapped on rooftops in the towns of Faenza "
    "and Cesena, where water levels rose by almost two metres overnight.",
    "At least three people were killed and several others were reported missing, officials said, adding "
    "that the search would continue through the night despite the weather.",
    "The government in Rome announced an emergency fund of 20 million euros and said the army would help "
    "to clear roads and restore power to about 40,000 households.",
    "Meteorologists warned that more rain was expected on Thursday and urged people living near the Savio "
    "and Lamone rivers to stay away from embankments until further notice.",
    "Farmers' associations said the floods had destroyed crops and drowned livestock on hundreds of farms, "
    "and asked the European Union for help to cover the losses.",
]
FRENCH_TITLE = "Des inondations chassent des milliers de personnes de chez elles dans le nord de l'Italie"
FRENCH = [
    "De fortes pluies ont fait déborder les rivières dans toute la région d'Émilie-Romagne mardi, obligeant "
    "plus de 10 000 personnes à quitter leur domicile, a indiqué l'agence régionale de protection civile.",
    "Les secours ont utilisé des bateaux et des hélicoptères pour atteindre les habitants bloqués sur "
    "les toits à Faenza et Cesena, où le niveau de l'eau a monté de près de deux mètres pendant la nuit.",
]
SPANISH_TITLE = "Las inundaciones obligan a miles de personas a abandonar sus casas en el norte de Italia"
SPANISH = [
    "Las fuertes lluvias desbordaron los ríos en toda la región de Emilia-Romaña el martes y obligaron a más "
    "de 10.000 personas a abandonar sus hogares, informó la agencia regional de protección civil.",
    "Los equipos de rescate utilizaron barcas y helicópteros para llegar hasta los vecinos atrapados en los "
    "tejados de Faenza y Cesena, donde el nivel del agua subió casi dos metros durante la noche.",
]
# Same event, different article: shares names, places and the theme, not the text.
AFTERMATH_TITLE = "Italy counts the cost as floodwaters recede"
AFTERMATH = [
    "Residents of Faenza began returning to their homes on Saturday to shovel mud out of kitchens and "
    "basements as the floodwaters that swept through Emilia-Romagna earlier in the week slowly receded.",
    "Shopkeepers piled ruined stock on the pavements while volunteers from across the country handed out "
    "drinking water and hot meals, and insurers began the long task of estimating the damage.",
    "The mayor said it could take months before the town's schools reopen, and called on Rome to release "
    "more money than the emergency fund announced by the government on Tuesday.",
    "Engineers were inspecting bridges over the Lamone river, two of which remained closed to traffic, "
    "while farmers counted dead livestock and estimated that a whole season of fruit had been lost.",
]
BOILERPLATE_TOP = ["Home", "World", "Europe", "Subscribe to our newsletter for the top stories every morning"]
BOILERPLATE_BOTTOM = [
    "Share this article on Facebook, Twitter or by email with your friends and colleagues.",
    "Related stories: Storm warnings issued for the Adriatic coast; Heatwave expected next month in Spain.",
    "Copyright 2024 Daily Courier Media Group. All rights reserved. Terms of use and privacy policy.",
]


def article(
    article_id: str,
    paragraphs: Iterable[str],
    *,
    title: str | None = STORY_TITLE,
    language: str = "en",
    hours: float = 0.0,
    arrival: float = 0.0,
) -> CleanArticle:
    text = "\n".join(paragraphs)
    return {
        "schema_version": contracts.SCHEMA_VERSION,
        "id": article_id,
        "url": None,
        "source": None,
        "title": title,
        "text": text,
        "language": language,
        "language_confidence": 0.99,
        "language_hint": None,
        "mixed_language": False,
        "published_at": contracts.rfc3339(T0 + timedelta(hours=hours)),
        "published_at_source": "record",
        "received_at": contracts.rfc3339(T0 + timedelta(hours=max(hours, 0) + arrival)),
        "content_hash": hashlib.sha256(" ".join(text.split()).encode()).hexdigest(),
        "author": None,
        "dateline": None,
        "agency": None,
        "credited_source": None,
        "meta": {},
    }


def run(articles: Iterable[CleanArticle], state: dict[str, Any] | None = None) -> list[dedup.DedupOutput]:
    return dedup.dedup_batch({} if state is None else state, list(articles))


def links_of(outputs: Iterable[dedup.DedupOutput]) -> list[DuplicateLink]:
    return [link for out in outputs for link in out.duplicates]


def groups(links: Iterable[DuplicateLink], ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """Connected components of the links (the evaluator's definition), by article id."""
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    for link in links:
        parent[root(link["id"])] = root(link["canonical_id"])
    members: dict[str, set[str]] = {}
    for i in parent:
        members.setdefault(root(i), set()).add(i)
    return {i: frozenset(members[root(i)]) for i in parent}


def sinks(links: Iterable[DuplicateLink], ids: Iterable[str]) -> dict[str, str]:
    """The canonical of each article: the one member of its group that links to nothing."""
    links = list(links)
    linked = {link["id"] for link in links}
    out = {}
    for i, group in groups(links, ids).items():
        (canonical,) = group - linked
        out[i] = canonical
    return out


def member(sig: dedup.Signature, band: str) -> dedup.Entry:
    """The article's entry as a shard holding only that band type stores it."""
    return dedup.shard_entry(sig, [band])


@pytest.fixture(scope="module")
def original() -> CleanArticle:
    return article("orig", STORY)


# --- exact ------------------------------------------------------------------------------------


def test_exact_copy_links_to_the_earlier_article_with_similarity_one(original: CleanArticle) -> None:
    copy = article("copy", STORY, hours=3)
    first, second = run([original, copy])
    assert first.unique == [original] and first.duplicates == []
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


# --- near-duplicates --------------------------------------------------------------------------


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


def test_containment_is_exact_for_short_texts(original: CleanArticle) -> None:
    trimmed = article("trimmed", STORY[:3])
    a, b = (member(s, "m:0") for s in dedup.signatures([original, trimmed]))
    assert dedup.containment(a, b) == 1.0
    other = member(dedup.signature(article("other", AFTERMATH)), "m:0")
    assert dedup.containment(a, other) < 0.05


# --- cross-lingual ----------------------------------------------------------------------------


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


def test_uncertain_language_blocks_crosslingual_links(original: CleanArticle) -> None:
    translation = article("tr", FRENCH, title=FRENCH_TITLE, language="fr", hours=6)
    translation["language_confidence"] = 0.4
    assert links_of(run([original, translation])) == []


# --- hard negatives ---------------------------------------------------------------------------


def test_another_report_of_the_same_event_is_not_a_duplicate(original: CleanArticle) -> None:
    aftermath = article("aftermath", AFTERMATH, title=AFTERMATH_TITLE, hours=30)
    french = article("fr", FRENCH, title=FRENCH_TITLE, language="fr", hours=2)
    outputs = run([original, aftermath, french])
    assert [(link["id"], link["canonical_id"]) for link in links_of(outputs)] == [("fr", "orig")]
    assert outputs[1].unique == [aftermath]


def test_same_language_pairs_are_never_linked_by_embedding_alone(original: CleanArticle) -> None:
    sigs = dedup.signatures([original, article("aftermath", AFTERMATH, title=AFTERMATH_TITLE)])
    a, b = (member(s, "e0:0") for s in sigs)
    a["embedding"] = b["embedding"]  # identical vectors: still the same language
    assert dedup.match(a, b) is None


# --- arrival order ----------------------------------------------------------------------------


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


# --- retention --------------------------------------------------------------------------------


def test_copies_further_apart_than_the_retention_window_are_not_linked(original: CleanArticle) -> None:
    late = article("late", STORY, hours=24 * 8)
    state: dict[str, Any] = {}
    outputs = run([original, late], state)
    assert links_of(outputs) == [] and outputs[1].unique == [late]
    # the old member was dropped from every bucket the new one shares with it
    for key in dedup.band_keys(dedup.signature(late)):
        assert [m[0] for m in state["bands"][key]["members"]] == ["late"]


def test_retention_is_configurable_and_swept(original: CleanArticle) -> None:
    wide = dedup.DedupConfig(retention_days=10)
    late = article("late", STORY, hours=24 * 8)
    assert [link["canonical_id"] for link in links_of(dedup.dedup_batch({}, [original, late], wide))] == [
        "orig"
    ]

    state: dict[str, Any] = {}
    run([original], state)
    bands = state["bands"]
    assert bands and dedup.expire(bands, dedup.signature(original)["entry"]["seen"]) == 0
    deleted = dedup.expire(bands, dedup.signature(original)["entry"]["seen"] + 7.5 * 86400)
    assert deleted > 0 and bands == {}


def test_verdicts_that_never_complete_are_swept(original: CleanArticle) -> None:
    sig = dedup.signature(original)
    verdicts: dict[str, Any] = {}
    report = dedup.probe_shard({}, 0, sig["entry"], dedup.band_keys(sig)[:1])
    assert dedup.decide(verdicts, "orig", [report], expected_reports=2) is None
    assert dedup.expire_pending(verdicts, sig["entry"]["seen"] + 86400) == 0 and "orig" in verdicts
    assert dedup.expire_pending(verdicts, sig["entry"]["seen"] + 8 * 86400) == 1 and verdicts == {}


def test_replayed_archive_keeps_old_news_until_the_replay_moves_on() -> None:
    """Publication time from 2009, arrival today: expiry counts from arrival, matching from publication."""
    old, old_copy = article("old", STORY), article("old-copy", STORY, hours=2)
    for a in (old, old_copy):
        a["published_at"] = a["published_at"].replace("2024", "2009")
    live = article("live", STORY, hours=1)  # shares every bucket with the archive copies
    links = links_of(run([old, live, old_copy]))
    assert [(link["id"], link["canonical_id"]) for link in links] == [("old-copy", "old")]


# --- the shard steps on their own -------------------------------------------------------------


def test_signature_is_stable_json_and_names_every_band(original: CleanArticle) -> None:
    sig = dedup.signature(original)
    assert dedup.signature(original) == sig  # no process-dependent hashing
    assert orjson.loads(orjson.dumps(sig)) == sig
    keys = dedup.band_keys(sig)
    assert keys[0] == f"x:{original['content_hash']}"
    config = dedup.DEFAULT
    assert sum(k.startswith("m:") for k in keys) == config.minhash_bands
    assert sum(k.startswith("e") for k in keys) == config.embedding_bands
    assert len(set(keys)) == len(keys)


def test_probe_shard_keeps_light_members_and_one_entry_and_reports_only_matches(
    original: CleanArticle,
) -> None:
    sig_a, sig_b, sig_c = dedup.signatures(
        [original, article("copy", STORY, hours=1), article("other", AFTERMATH, title=AFTERMATH_TITLE)]
    )
    state: dict[str, Any] = {}
    keys = dedup.band_keys(sig_a)
    first = dedup.probe_shard(state, 0, sig_a["entry"], keys)
    assert first["verified"] == [] and first["bucket_sizes"] == [1] * len(keys)
    again = dedup.probe_shard(state, 0, sig_a["entry"], keys)  # redelivery: no self-match, no second copy
    assert again["verified"] == [] and again["bucket_sizes"] == [1] * len(keys)
    second = dedup.probe_shard(state, 0, sig_b["entry"], dedup.band_keys(sig_b))
    (found,) = second["verified"]
    assert (found["id"], found["method"], found["bands"]) == ("orig", "exact", len(keys))
    assert "sample" not in second["article"] and "embedding" not in second["article"]
    # a shared band makes "other" a candidate of "orig", not a match
    third = dedup.probe_shard(state, 0, sig_c["entry"], [keys[1], *dedup.band_keys(sig_c)])
    assert third["candidates"] >= 2 and third["verified"] == []
    # buckets hold [id, ts, seen, language]; the verification data sits once per article and shard
    assert all(len(m) == 4 for key in keys for m in state[key]["members"])
    assert sorted(k for k in state if k.startswith("s")) == ["s0:copy", "s0:orig", "s0:other"]
    assert orjson.loads(orjson.dumps(state)) == state


def test_shard_entry_carries_only_what_its_band_kinds_verify(original: CleanArticle) -> None:
    sig = dedup.signature(original)
    near = dedup.shard_entry(sig, ["x:a", "m:b"])
    assert "sample" in near and "embedding" not in near and "anchors" not in near
    cross = dedup.shard_entry(sig, ["e3:1f"])
    assert "embedding" in cross and "anchors" in cross and "sample" not in cross


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
    for shard in range(partitions):  # a sweep restricted to one shard leaves the others alone
        owned = [key for key in bands if dedup.shard_of(key, partitions) == shard]
        far = 30 * 86400 + max(b["newest"] for k, b in bands.items() if not k.startswith("s"))
        assert dedup.expire(
            bands, far, owned=lambda key, s=shard: dedup.shard_of(key, partitions) == s
        ) == len(owned)
        assert not any(dedup.shard_of(key, partitions) == shard for key in bands)
    assert bands == {}


def test_bucket_cap_keeps_the_newest_members(original: CleanArticle) -> None:
    config = dedup.DedupConfig(bucket_cap=3)
    sigs = dedup.signatures([article(f"c{i}", STORY, hours=i) for i in range(5)], config)
    state: dict[str, Any] = {}
    key = dedup.band_keys(sigs[0])[0]
    for sig in sigs:
        dedup.probe_shard(state, 0, sig["entry"], [key], config)
    assert sorted(m[0] for m in state[key]["members"]) == ["c2", "c3", "c4"]


def test_decide_waits_for_every_shard_then_links(original: CleanArticle) -> None:
    sig_a, sig_b = dedup.signatures([original, article("copy", [*STORY[:-1]], hours=1)])
    state: dict[str, Any] = {}
    verdicts: dict[str, Any] = {}
    for shard, keys in dedup.shard_keys(sig_a, 4).items():
        dedup.probe_shard(state, shard, dedup.shard_entry(sig_a, keys), keys)
    reports = [
        dedup.probe_shard(state, shard, dedup.shard_entry(sig_b, keys), keys)
        for shard, keys in dedup.shard_keys(sig_b, 4).items()
    ]
    expected = len(reports)
    assert expected > 1
    assert dedup.decide(verdicts, "copy", reports[:-1], expected) is None
    assert dedup.decide(verdicts, "copy", reports[:1], expected) is None  # a redelivered report
    assert orjson.loads(orjson.dumps(verdicts)) == verdicts
    links = dedup.decide(verdicts, "copy", reports[-1:], expected)
    assert links is not None and verdicts == {}
    (link,) = links
    assert (link["canonical_id"], link["method"]) == ("orig", "near")
    assert 1 <= link["matched_band_count"] <= len(dedup.band_keys(sig_b))


def test_decide_rejects_candidates_that_do_not_verify(original: CleanArticle) -> None:
    """A shared band is only a candidate: an unrelated bucket-mate must not become a link."""
    sig_a, sig_b = dedup.signatures([original, article("other", AFTERMATH, title=AFTERMATH_TITLE)])
    shared_key = "m:shared"
    state: dict[str, Any] = {}
    dedup.probe_shard(state, 0, dedup.shard_entry(sig_a, [shared_key]), [shared_key])
    report = dedup.probe_shard(state, 0, dedup.shard_entry(sig_b, [shared_key]), [shared_key])
    assert report["candidates"] == 1 and report["verified"] == []
    assert dedup.decide({}, "other", [report], 1) == []
