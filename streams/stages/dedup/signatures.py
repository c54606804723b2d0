"""Per-article signatures: the verification data an article leaves on a shard, and its band keys.

This is the CPU-heavy step (the embedding of title and lead), so it runs on batches and nothing
in it depends on state; every hash is seeded or fixed so that all workers, restarts and versions
agree on the keys. Why these keys and thresholds: docs/dedup.md.
"""

from __future__ import annotations

import base64
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NotRequired, TypedDict

import numpy as np
import numpy.typing as npt

from streams.contracts import CleanArticle, parse_rfc3339
from streams.stages.dedup.embeddings import blas_threads, embed
from streams.stages.text import sentences

#: Words longer than this are split (URLs, base64 debris); keeps the per-word hash a fixed-width array op.
_WORD_CHARS = 24
_WORD = re.compile(rf"\w{{1,{_WORD_CHARS}}}")
_NUMBER = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?")
_NAME = re.compile(r"[^\W\d_][\w'’-]{2,}")
_U64 = np.uint64
_DAY = 86400.0


@dataclass(frozen=True)
class DedupConfig:
    """Tunable knobs; the defaults are the calibrated ones."""

    retention_days: float = 7.0
    bucket_cap: int = 200
    shingle_size: int = 5
    min_shingles: int = 8
    minhash_bands: int = 24
    sample_cap: int = 512
    containment_threshold: float = 0.8
    lead_chars: int = 200
    lead_tokens: int = 48
    embedding_bands: int = 24
    embedding_band_bits: int = 10
    crosslingual_threshold: float = 0.70
    anchor_threshold: float = 0.5
    crosslingual_strong: float = 0.85
    anchor_chars: int = 600
    min_language_confidence: float = 0.8
    seed: int = 20240604

    @property
    def retention_seconds(self) -> float:
        """The window two articles must share (and state is kept for), in seconds."""
        return self.retention_days * _DAY


DEFAULT = DedupConfig()


class ShardEntry(TypedDict):
    """An article's verification data, stored once per band partition: a match needs no text."""

    id: str
    published_at: str
    received_at: str
    ts: float  # publication time, epoch seconds
    seen: float  # the later of publication and arrival, epoch seconds: what expiry counts from
    language: str
    content_hash: str
    sample: NotRequired[str]  # base64 uint32 shingle-hash sample (shards with ``m:`` bands)
    sample_rate: NotRequired[int]
    embedding: NotRequired[str]  # base64 int8 embedding (shards with ``e`` bands)
    anchors: NotRequired[list[str]]  # numbers and names of the lead (shards with ``e`` bands)
    keys: NotRequired[list[str]]  # as stored by a band partition: the article's band keys there


class Signature(TypedDict):
    entry: ShardEntry
    keys: list[str]


def _shingle_hashes(text: str, size: int) -> npt.NDArray[np.uint64]:
    """Distinct 64-bit hashes of word ``size``-grams, stable across processes (no ``hash()``)."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if not words:
        return np.zeros(0, dtype=_U64)
    codes = np.array(words, dtype=f"<U{_WORD_CHARS}").view(np.uint32).reshape(len(words), _WORD_CHARS)
    tok = np.full(len(words), 0xCBF29CE484222325, dtype=_U64)
    n = max(1, len(words) - size + 1)
    h = np.zeros(n, dtype=_U64)
    with np.errstate(over="ignore"):
        for column in codes.T.astype(_U64):  # FNV-1a over the code points of each word
            tok = (tok ^ column) * _U64(0x100000001B3)
        for i in range(min(size, len(words))):
            h = h * _U64(0x100000001B3) + tok[i : i + n] + _U64(i + 1)
        # splitmix64 finaliser: spreads the bits so minima and samples are uniform
        h ^= h >> _U64(30)
        h *= _U64(0xBF58476D1CE4E5B9)
        h ^= h >> _U64(27)
        h *= _U64(0x94D049BB133111EB)
        h ^= h >> _U64(31)
    return np.unique(h)


def _sample(hashes: npt.NDArray[np.uint64], config: DedupConfig) -> tuple[str, int]:
    """Consistent sample of at most ``sample_cap`` shingle hashes (top 32 bits below 2^32/rate).

    Short texts keep every shingle, so their containment is exact; rates are powers of 2, so two
    samples can always be compared at the larger of their rates.
    """
    top = np.sort((hashes >> _U64(32)).astype(np.uint32))
    rate = 1
    while len(top) // rate > config.sample_cap:
        rate *= 2
    kept = top[top < (1 << 32) // rate] if rate > 1 else top
    return base64.b64encode(kept.astype("<u4").tobytes()).decode("ascii"), rate


def _lead_lines(article: CleanArticle) -> list[str]:
    """Title and body lines, without short leading lines (datelines, bylines, image captions)."""
    lines = [line.strip() for line in article["text"].splitlines() if line.strip()]
    while len(lines) > 1 and len(lines[0].split()) < 5:
        lines.pop(0)
    title = (article.get("title") or "").strip()
    return [title, *lines] if title else lines


def _anchors(lines: list[str], chars: int) -> list[str]:
    """Numbers and mid-sentence capitalised words of the lead: what a translation keeps verbatim.

    Two reports of one event share some names; a translation shares nearly all of its numbers and
    names, so this separates the two where the embedding alone cannot.
    """
    text = "\n".join(lines)[:chars]
    found = {re.sub(r"\D", "", n) for n in _NUMBER.findall(text)}
    found = {n for n in found if len(n) >= 2}
    for start, end in sentences(text):
        found.update(w.casefold() for w in _NAME.findall(text, start, end)[1:] if w[0].isupper())
    return sorted(found)


def _language(article: CleanArticle, config: DedupConfig) -> str:
    """The language when it is certain enough to call two articles translations of each other.

    Certain means the detector agrees with the publisher's declared language, or is confident on an
    article that is not mixed; anything else is "und" (no cross-lingual links), because a detector
    slip on an English text would otherwise turn two reports of one event into "translations".
    """
    language = article["language"]
    confident = article["language_confidence"] >= config.min_language_confidence
    if language == article["language_hint"] or (confident and not article["mixed_language"]):
        return language
    return "und"


@functools.cache
def _hyperplanes(config: DedupConfig) -> npt.NDArray[np.float32]:
    """Seeded, so every worker and every restart cuts the embedding space the same way."""
    rng = np.random.default_rng(config.seed)
    planes = rng.standard_normal((config.embedding_bands * config.embedding_band_bits, 512))
    return planes.astype(np.float32)


def signatures(articles: Sequence[CleanArticle], config: DedupConfig = DEFAULT) -> list[Signature]:
    """Signatures of a batch (embeddings are ~3× cheaper per article in batches of 32–64)."""
    leads = [_lead_lines(a) for a in articles]
    texts = [" ".join(" ".join(lines).split())[: config.lead_chars] for lines in leads]
    vectors = embed(texts, max_pieces=config.lead_tokens)
    with blas_threads():
        projected = vectors @ _hyperplanes(config).T
    bits = (projected > 0).reshape(len(articles), config.embedding_bands, config.embedding_band_bits)
    codes = bits.astype(np.int64) @ (1 << np.arange(config.embedding_band_bits, dtype=np.int64))
    quantised = np.clip(np.rint(vectors * 512), -127, 127).astype(np.int8)
    out: list[Signature] = []
    for article, lines, band_codes, vec in zip(articles, leads, codes, quantised, strict=True):
        hashes = _shingle_hashes(article["text"], config.shingle_size)
        ts = parse_rfc3339(article["published_at"]).timestamp()
        sample, rate = _sample(hashes, config)
        entry: ShardEntry = {
            "id": article["id"],
            "published_at": article["published_at"],
            "received_at": article["received_at"],
            "ts": ts,
            "seen": max(ts, parse_rfc3339(article["received_at"]).timestamp()),
            "language": _language(article, config),
            "content_hash": article["content_hash"],
            "sample": sample,
            "sample_rate": rate,
            "embedding": base64.b64encode(vec.tobytes()).decode("ascii"),
            "anchors": _anchors(lines, config.anchor_chars),
        }
        keys = [f"x:{article['content_hash']}"]
        if len(hashes) >= config.min_shingles:
            keys += [f"m:{h:016x}" for h in hashes[: config.minhash_bands].tolist()]  # sorted by np.unique
        keys += [f"e{i}:{code:x}" for i, code in enumerate(band_codes.tolist())]
        out.append({"entry": entry, "keys": keys})
    return out
