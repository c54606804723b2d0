"""verdicts: pair verification on stored entries, and the verdict step over shard reports."""

from __future__ import annotations

from typing import Any

import orjson
from dedup_articles import AFTERMATH, AFTERMATH_TITLE, STORY, article, member, signature

from streams.contracts import CleanArticle
from streams.stages import dedup


def test_containment_is_exact_for_short_texts(original: CleanArticle) -> None:
    trimmed = article("trimmed", STORY[:3])
    a, b = (member(s, "m:0") for s in dedup.signatures([original, trimmed]))
    assert dedup.containment(a, b) == 1.0
    other = member(signature(article("other", AFTERMATH)), "m:0")
    assert dedup.containment(a, other) < 0.05


def test_same_language_pairs_are_never_linked_by_embedding_alone(original: CleanArticle) -> None:
    sigs = dedup.signatures([original, article("aftermath", AFTERMATH, title=AFTERMATH_TITLE)])
    a, b = (member(s, "e0:0") for s in sigs)
    a["embedding"] = b["embedding"]  # identical vectors: still the same language
    assert dedup.match(a, b) is None


def test_decide_waits_for_every_shard_then_links(original: CleanArticle) -> None:
    sig_a, sig_b = dedup.signatures([original, article("copy", [*STORY[:-1]], hours=1)])
    state: dict[str, Any] = {}
    shards = [dedup.BandShard(state, shard) for shard in range(4)]
    verdicts: dict[str, Any] = {}
    for shard, keys in dedup.shard_keys(sig_a, 4).items():
        dedup.probe_shard(shards[shard], dedup.shard_entry(sig_a, keys), keys)
    reports = [
        dedup.probe_shard(shards[shard], dedup.shard_entry(sig_b, keys), keys)
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
    assert 1 <= link["matched_band_count"] <= len(sig_b["keys"])


def test_decide_rejects_candidates_that_do_not_verify(original: CleanArticle) -> None:
    """A shared band is only a candidate: an unrelated bucket-mate must not become a link."""
    sig_a, sig_b = dedup.signatures([original, article("other", AFTERMATH, title=AFTERMATH_TITLE)])
    shared_key = "m:shared"
    band = dedup.BandShard({}, 0)
    dedup.probe_shard(band, dedup.shard_entry(sig_a, [shared_key]), [shared_key])
    report = dedup.probe_shard(band, dedup.shard_entry(sig_b, [shared_key]), [shared_key])
    assert report["candidates"] == 1 and report["verified"] == []
    assert dedup.decide({}, "other", [report], 1) == []


def test_verdicts_that_never_complete_are_swept(original: CleanArticle) -> None:
    sig = signature(original)
    verdicts: dict[str, Any] = {}
    report = dedup.probe_shard(dedup.BandShard({}, 0), sig["entry"], sig["keys"][:1])
    assert dedup.decide(verdicts, "orig", [report], expected_reports=2) is None
    seen = sig["entry"]["seen"]
    assert dedup.expire_pending(verdicts, ["orig"], seen + 86400) == 0 and "orig" in verdicts
    assert dedup.expire_pending(verdicts, ["orig"], seen + 8 * 86400, sweepable=lambda _: False) == 0
    assert dedup.expire_pending(verdicts, ["orig", "gone"], seen + 8 * 86400) == 1 and verdicts == {}
