"""signatures: stable, JSON-safe signatures, and the language certainty cross-lingual links need."""

from __future__ import annotations

import orjson
from dedup_articles import FRENCH, FRENCH_TITLE, article, links_of, run, signature

from streams.contracts import CleanArticle
from streams.stages import dedup


def test_signature_is_stable_json_and_names_every_band(original: CleanArticle) -> None:
    sig = signature(original)
    assert signature(original) == sig  # no process-dependent hashing
    assert orjson.loads(orjson.dumps(sig)) == sig
    keys = sig["keys"]
    assert keys[0] == f"x:{original['content_hash']}"
    config = dedup.DEFAULT
    assert sum(k.startswith("m:") for k in keys) == config.minhash_bands
    assert sum(k.startswith("e") for k in keys) == config.embedding_bands
    assert len(set(keys)) == len(keys)


def test_uncertain_language_blocks_crosslingual_links(original: CleanArticle) -> None:
    translation = article("tr", FRENCH, title=FRENCH_TITLE, language="fr", hours=6)
    translation["language_confidence"] = 0.4
    assert links_of(run([original, translation])) == []
