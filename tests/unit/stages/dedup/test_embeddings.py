"""The multilingual encoder wrapper: batched, single and cached vectors agree; leads are cut by pieces."""

from __future__ import annotations

import numpy as np
import pytest

from streams.stages.dedup import embeddings

LEADS = [
    "Flooding forces thousands from their homes in northern Italy after days of heavy rain.",
    "Des inondations chassent des milliers de personnes de chez elles dans le nord de l'Italie.",
    "이탈리아 북부에서 홍수로 수천 명이 집을 떠났다고 당국이 밝혔다.",
]


def test_a_batch_a_single_text_and_a_cache_hit_give_the_same_vector() -> None:
    embeddings.clear_cache()
    batched = embeddings.embed(LEADS)
    assert batched.shape == (3, embeddings.DIM) and batched.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, rtol=1e-4)
    for row, lead in enumerate(LEADS):
        embeddings.clear_cache()
        np.testing.assert_allclose(embeddings.embed([lead])[0], batched[row], atol=1e-5)
    embeddings.clear_cache()
    embeddings.embed(LEADS)
    hits = embeddings.embed([LEADS[2], LEADS[0], LEADS[2]])
    np.testing.assert_allclose(hits, batched[[2, 0, 2]], atol=1e-5)
    unrelated = embeddings.embed(["The central bank raised interest rates by a quarter point on Thursday."])[
        0
    ]
    assert float(batched[0] @ batched[1]) > float(batched[0] @ unrelated) + 0.3, "translations lie close"
    assert embeddings.embed([]).shape == (0, embeddings.DIM)


def test_the_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    embeddings.clear_cache()
    monkeypatch.setattr(embeddings, "CACHE_SIZE", 4)
    embeddings.embed([f"Report number {n} on the floods in Italy." for n in range(10)])
    assert len(embeddings._recent) == 4
    embeddings.clear_cache()


def test_truncate_cuts_by_pieces_and_leaves_short_text_alone() -> None:
    pieces = embeddings._model().sp.encode
    long = " ".join(LEADS * 4)
    cut = embeddings.truncate(long, 20)
    assert long.startswith(cut.rstrip()) and len(pieces(cut)) <= 20
    assert embeddings.truncate(LEADS[0], 200) == LEADS[0]
