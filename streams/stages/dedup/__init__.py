"""Reprint detection: exact hash, near-duplicate (containment) and cross-lingual (embedding) links.

The stage is split into shard steps so that no partition needs to see every article:

1. ``signatures`` (per article, CPU heavy; batch the embeddings) gives the article's verification
   data (an ``Entry``) and its band keys;
2. ``shard_keys`` groups the keys by the partition that owns them (``band_partition``); the agent
   sends one message per (article, band partition) carrying ``shard_entry``, the part of the
   entry those bands can verify;
3. ``probe_shard`` (owned by that partition) stores the entry once, adds a light member
   ``[id, ts, seen, language]`` to each of the article's buckets there, verifies the candidates
   against their stored entries and reports only verified matches;
4. ``decide`` (owned by the partition of the article id) collects one report per band partition,
   picks the canonical and returns the duplicate links.

So a bucket costs ~40 bytes per member, an article's samples and embedding are stored once per
band partition, and the verdict step only ever sees the few articles that matched.
``dedup_batch`` / ``dedup_article`` run exactly these steps, in this order, over one dict.

Keys and thresholds (``DedupConfig``; the defaults were calibrated on the development split and
chosen with margin for the general case, not for its files):

* ``x:<content_hash>`` — exact copies (method ``exact``, similarity 1.0).
* ``m:<hash>`` — the ``minhash_bands`` smallest 64-bit hashes of the word 5-gram shingles
  (a bottom-k MinHash; each minimum is a band of one row). Unlike banded MinHash over Jaccard,
  a shared minimum is likely whenever one text is largely *contained* in the other, which is what
  a reprint with extra boilerplate or a trimmed text looks like (Jaccard of a page with its
  navigation against the bare article is often 0.2). Candidates are verified by the containment of
  the shorter text, measured on a consistent hash sample of the shingles (all of them for texts up
  to ``sample_cap`` shingles): ``near`` when ≥ 0.8. On the dev split 98 % of same-language
  reprint pairs are above 0.86 and different articles sharing wire passages reach 0.79.
* ``e<i>:<bits>`` — random-hyperplane LSH (seeded) over the multilingual USE embedding of title +
  lead (its first ``lead_chars`` characters and at most ``lead_tokens`` pieces, which bounds the
  encoder's cost where a script needs more pieces per character; 36 pieces would save a fifth of
  it on the dev leads, median 44, but cut a French translation short enough to miss):
  ``crosslingual`` when the languages differ (both certain) and either cosine ≥ 0.85, or
  cosine ≥ 0.70 and at least half of the lead's numbers and mid-sentence names recur
  (``anchor_threshold``). Translations score 0.6–0.95 (median 0.86), but follow-up stories on
  the same subject in another language reach 0.77, so cosine alone cannot separate them; the
  anchors can (dev split: pair recall 0.94 → 0.96 with false pairs 0 → 2 of 120 in-window
  negatives). Same-language pairs are left to the shingle test: embeddings cannot tell two
  reports of one event from a reprint, shingles can.

A pair is tested only by the kinds of band it shares (a near test needs a shared ``m:`` band, a
cross-lingual one a shared ``e`` band), so the verdicts do not depend on how the bands are
spread over partitions (only a redundant re-link to the same canonical may appear when no shard
holds both of two candidates that already matched each other, see ``decide``). Every pair must
lie within ``retention_days`` of publication time (see ``probe_shard`` for expiry, ``expire`` /
``expire_pending`` for the periodic sweep), and a bucket keeps at most ``bucket_cap`` members.
"""

from __future__ import annotations

import base64
import bisect
import functools
import itertools
import math
import operator
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

import numpy as np
import numpy.typing as npt

from streams.contracts import SCHEMA_VERSION, CleanArticle, DuplicateLink, parse_rfc3339
from streams.stages.dedup.embeddings import blas_threads, embed

#: Words longer than this are split (URLs, base64 debris); keeps the per-word hash a fixed-width array op.
_WORD_CHARS = 24
_WORD = re.compile(rf"\w{{1,{_WORD_CHARS}}}")
_NUMBER = re.compile(r"\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?")
_SENTENCE = re.compile(r"[.!?:;]\s+|\n")
_NAME = re.compile(r"[^\W\d_][\w'’-]{2,}")
_U64 = np.uint64
_DAY = 86400.0
#: Sort keys of a bucket member ``[id, ts, seen, language]``.
_TS = operator.itemgetter(1)
_ORDER = operator.itemgetter(1, 0)
#: Methods by precedence: when shards verify one pair by different band kinds, the first one wins.
METHODS = ("exact", "near", "crosslingual")


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


DEFAULT = DedupConfig()


class Entry(TypedDict):
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


class Signature(TypedDict):
    entry: Entry
    keys: list[str]


class Verified(TypedDict):
    """A candidate that passed verification at a band partition, with what ``decide`` needs."""

    id: str
    published_at: str
    received_at: str
    ts: float
    method: str
    similarity: float
    bands: int  # the article's buckets on this shard that held the candidate
    #: whether it matches the shard's earliest verified candidate (then they are linked already)
    matches_first: bool


class ShardReport(TypedDict):
    shard: int
    article: Entry  # without samples or embedding: what a link and ``expire_pending`` need
    verified: list[Verified]
    candidates: int
    bucket_sizes: list[int]


@dataclass
class DedupOutput:
    unique: list[CleanArticle] = field(default_factory=list)
    duplicates: list[DuplicateLink] = field(default_factory=list)
    candidates: int = 0  # candidates reported by the band partitions (for metrics)
    bucket_sizes: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- signatures


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
    for sentence in _SENTENCE.split(text):
        found.update(w.casefold() for w in _NAME.findall(sentence)[1:] if w[0].isupper())
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
        entry: Entry = {
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


def signature(article: CleanArticle, config: DedupConfig = DEFAULT) -> Signature:
    return signatures([article], config)[0]


def band_keys(sig: Signature) -> list[str]:
    return sig["keys"]


# ---------------------------------------------------------------- band partitions


def band_partition(band_key: str, partitions: int) -> int:
    """The partition that owns a band key's bucket: stable across workers, restarts and versions."""
    return zlib.crc32(band_key.encode()) % partitions


def entry_key(shard: int, article_id: str) -> str:
    """Where a band partition keeps an article's entry; the shard in the key keeps partitions apart."""
    return f"s{shard}:{article_id}"


def shard_of(key: str, partitions: int) -> int:
    """The partition that owns a key of the band state (a bucket or an entry)."""
    if key.startswith("s"):
        return int(key[1 : key.index(":")])
    return band_partition(key, partitions)


def shard_keys(sig: Signature, partitions: int) -> dict[int, list[str]]:
    """The article's band keys grouped by owning partition: one message and one report per group."""
    by_shard: dict[int, list[str]] = defaultdict(list)
    for key in sig["keys"]:
        by_shard[band_partition(key, partitions)].append(key)
    return dict(by_shard)


def shard_entry(sig: Signature, keys: Iterable[str]) -> Entry:
    """The part of the entry that the band kinds among ``keys`` can verify (what the shard stores)."""
    kinds = {key[0] for key in keys}
    entry: Entry = dict(sig["entry"])  # type: ignore[assignment]
    if "m" not in kinds:
        del entry["sample"], entry["sample_rate"]
    if "e" not in kinds:
        del entry["embedding"], entry["anchors"]
    return entry


def _light(entry: Entry) -> Entry:
    return {k: v for k, v in entry.items() if k not in ("sample", "sample_rate", "embedding", "anchors")}  # type: ignore[return-value]


def _crosslingual_pair(a: str, b: str) -> bool:
    return a != b and "und" not in (a, b)


def probe_shard(
    state: MutableMapping[str, Any],
    shard: int,
    entry: Entry,
    keys: Sequence[str],
    config: DedupConfig = DEFAULT,
) -> ShardReport:
    """Add the article to its buckets on this shard, verify the members found there, report matches.

    Buckets hold light members ``[id, ts, seen, language]``; the entry is stored once under
    ``entry_key``. Pairs match only within ``retention_days`` of publication time. A member is
    dropped once the bucket's clock (its newest ``seen``) is more than that window past the member's
    own ``seen``, the later of its publication and its arrival: in a live stream that is publication
    time; in a replay of an archive, shuffled or not, members stay while the replay runs, so old
    news still meets its reprints. The answer never depends on the wall clock. A full bucket keeps
    the latest published. Same-language members found only in embedding bands are not even looked
    up: only a cross-lingual test could pass them.
    """
    window = config.retention_days * _DAY
    article_id, ts, seen, language = entry["id"], entry["ts"], entry["seen"], entry["language"]
    state[entry_key(shard, article_id)] = entry
    me = [article_id, ts, math.ceil(seen), language]  # whole seconds are plenty to expire by
    found: dict[str, list[Any]] = {}  # id -> [bands, kinds]
    sizes = []
    # exact and shingle bands first, so a same-language member of an embedding bucket is only
    # counted when another band already made it a candidate
    for key in sorted(keys, key=lambda k: k[0] == "e"):
        bucket = state.get(key)
        members: list[list[Any]] = []
        newest = oldest = seen
        if bucket:  # members are sorted by (ts, id), so the window is a slice
            newest, oldest = max(bucket["newest"], seen), min(bucket["oldest"], seen)
            horizon = newest - window
            members = bucket["members"]
            if oldest < horizon:  # a member left the window
                members = [m for m in members if m[2] >= horizon]
                oldest = min((m[2] for m in members), default=seen)
            else:
                members = members.copy()
            kind, cross_only = key[0], key[0] == "e"
            start = bisect.bisect_left(members, ts - window, key=_TS)
            for m in itertools.islice(members, start, bisect.bisect_right(members, ts + window, key=_TS)):
                hit = found.get(m[0])
                if hit is not None:
                    hit[0] += 1
                    hit[1].add(kind)
                elif m[0] != article_id and not (cross_only and not _crosslingual_pair(language, m[3])):
                    found[m[0]] = [1, {kind}]
        at = bisect.bisect_left(members, (ts, article_id), key=_ORDER)
        if at == len(members) or members[at][0] != article_id:  # not a redelivery
            members.insert(at, me)
        if len(members) > config.bucket_cap:  # keep the latest published
            del members[: len(members) - config.bucket_cap]
        state[key] = {"newest": newest, "oldest": min(oldest, seen), "members": members}
        sizes.append(len(members))
    matched: list[tuple[Entry, str, float, int]] = []
    for cid, (bands, kinds) in found.items():
        candidate = state.get(entry_key(shard, cid))
        if candidate is None:  # swept
            continue
        result = match(entry, candidate, config, kinds)
        if result:
            matched.append((candidate, *result, bands))
    verified: list[Verified] = []
    if matched:
        first = min((m[0] for m in matched), key=_order)
        for candidate, method, similarity, bands in matched:
            verified.append(
                {
                    "id": candidate["id"],
                    "published_at": candidate["published_at"],
                    "received_at": candidate["received_at"],
                    "ts": candidate["ts"],
                    "method": method,
                    "similarity": similarity,
                    "bands": bands,
                    "matches_first": candidate is not first and match(candidate, first, config) is not None,
                }
            )
    return {
        "shard": shard,
        "article": _light(entry),
        "verified": verified,
        "candidates": len(found),
        "bucket_sizes": sizes,
    }


def expire(
    state: MutableMapping[str, Any],
    now_ts: float,
    config: DedupConfig = DEFAULT,
    owned: Callable[[str], bool] | None = None,
) -> int:
    """Periodic sweep for buckets and entries nobody probes any more; returns how many keys were deleted.

    ``owned`` limits the sweep to the keys of one partition (a table may only be written by the
    partition that owns the key).
    """
    horizon = now_ts - config.retention_days * _DAY
    dead = []
    for key, value in list(state.items()):
        if owned is not None and not owned(key):
            continue
        if not value:  # a Faust table may hold None for a deleted key
            dead.append(key)
        elif key.startswith("s"):
            if value["seen"] < horizon:
                dead.append(key)
        else:
            kept = [m for m in value["members"] if m[2] >= horizon]
            if not kept:
                dead.append(key)
            elif len(kept) != len(value["members"]):
                state[key] = {"newest": value["newest"], "oldest": min(m[2] for m in kept), "members": kept}
    for key in dead:
        del state[key]
    return len(dead)


def expire_pending(
    verdict_state: MutableMapping[str, Any],
    now_ts: float,
    config: DedupConfig = DEFAULT,
    sweepable: Callable[[str], bool] | None = None,
) -> int:
    """Drop verdicts still waiting past the retention window (a lost report); returns how many.

    ``sweepable`` limits the sweep to some keys: a partition's own, and not those of an article
    whose reports are still arriving.
    """
    horizon = now_ts - config.retention_days * _DAY
    dead = [
        key
        for key, pending in list(verdict_state.items())
        if (sweepable is None or sweepable(key))
        and (not pending or all(report["article"]["seen"] < horizon for report in pending.values()))
    ]
    for key in dead:
        del verdict_state[key]
    return len(dead)


# ---------------------------------------------------------------- verification


@functools.lru_cache(maxsize=4096)
def _decoded(sample: str) -> npt.NDArray[np.uint32]:
    """Sorted sample values; cached because a shard verifies one article against many candidates."""
    return np.frombuffer(base64.b64decode(sample), dtype="<u4")


def _sample_values(entry: Entry, rate: int) -> npt.NDArray[np.uint32]:
    values = _decoded(entry["sample"])
    return values[: np.searchsorted(values, (1 << 32) // rate)] if rate > 1 else values


def containment(a: Entry, b: Entry) -> float:
    """Share of the shorter text's shingles found in the other, estimated on the common sample."""
    rate = max(a["sample_rate"], b["sample_rate"])
    sa, sb = _sample_values(a, rate), _sample_values(b, rate)
    if len(sa) > len(sb):
        sa, sb = sb, sa
    if not len(sa):
        return 0.0
    at = np.searchsorted(sb, sa)  # both sorted and distinct: count the shorter's values found in the other
    found = sb[np.minimum(at, len(sb) - 1)] == sa
    return int(np.count_nonzero(found)) / len(sa)


def cosine(a: Entry, b: Entry) -> float:
    va = np.frombuffer(base64.b64decode(a["embedding"]), dtype=np.int8).astype(np.float32)
    vb = np.frombuffer(base64.b64decode(b["embedding"]), dtype=np.int8).astype(np.float32)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb) / norm if norm else 0.0


def anchor_overlap(a: Entry, b: Entry) -> float:
    """Share of the smaller anchor set found in the other; 0 when either lead has none."""
    sa, sb = set(a["anchors"]), set(b["anchors"])
    smaller = min(len(sa), len(sb))
    return len(sa & sb) / smaller if smaller else 0.0


def match(
    a: Entry, b: Entry, config: DedupConfig = DEFAULT, kinds: Iterable[str] = "me"
) -> tuple[str, float] | None:
    """(method, similarity) when ``a`` and ``b`` are reprints, testing only the band ``kinds`` they share."""
    if abs(a["ts"] - b["ts"]) > config.retention_days * _DAY:
        return None
    if a["content_hash"] == b["content_hash"]:
        return "exact", 1.0
    if "m" in kinds and "sample" in a and "sample" in b:
        score = containment(a, b)
        if score >= config.containment_threshold:
            return "near", round(score, 4)
    if (
        "e" in kinds
        and "embedding" in a
        and "embedding" in b
        and _crosslingual_pair(a["language"], b["language"])
    ):
        score = cosine(a, b)
        if score >= config.crosslingual_strong or (
            score >= config.crosslingual_threshold and anchor_overlap(a, b) >= config.anchor_threshold
        ):
            return "crosslingual", round(score, 4)
    return None


# ---------------------------------------------------------------- verdict step


def _order(item: Entry | Verified) -> tuple[float, str]:
    return (item["ts"], item["id"])


def _link(
    member: Entry | Verified, canonical: Entry | Verified, method: str, similarity: float, bands: int
) -> DuplicateLink:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": member["id"],
        "canonical_id": canonical["id"],
        "method": method,
        "similarity": similarity,
        "matched_band_count": bands,
        "published_at": member["published_at"],
        "received_at": member["received_at"],
    }


def _merge(reports: Iterable[ShardReport]) -> dict[str, Verified]:
    """Verified candidates by id over all shards: the best method wins, bands add up."""
    merged: dict[str, Verified] = {}
    for report in reports:
        for found in report["verified"]:
            known = merged.get(found["id"])
            if known is None:
                merged[found["id"]] = dict(found)  # type: ignore[assignment]
                continue
            bands = known["bands"] + found["bands"]
            if METHODS.index(found["method"]) < METHODS.index(known["method"]):
                known = merged[found["id"]] = dict(found)  # type: ignore[assignment]
            known["bands"] = bands
    return merged


def decide(
    verdict_state: MutableMapping[str, Any],
    article_id: str,
    reports: list[ShardReport],
    expected_reports: int,
    config: DedupConfig = DEFAULT,
) -> list[DuplicateLink] | None:
    """Collect the shard reports for one article; once all arrived, return the links it causes.

    The group of the article is itself plus its verified candidates; its canonical is the earliest
    by (published_at, id). The article links to it when it is not the canonical itself. A candidate
    links to it too unless a shard holding both saw that they match each other (both arrived before
    this article, so the later of them already linked them); this re-link is how an
    earlier-published article that arrives late takes over as canonical, and how two groups bridged
    by this article are joined. The links thus form the same connected components whatever the
    arrival order. ``verdict_state`` only holds articles still waiting for reports; see
    ``expire_pending`` for ones that never complete.
    """
    pending: dict[str, ShardReport] = dict(verdict_state.get(article_id) or {})
    for report in reports:
        pending[str(report["shard"])] = report
    if len(pending) < expected_reports:
        verdict_state[article_id] = pending
        return None
    verdict_state.pop(article_id, None)
    reports_in = list(pending.values())
    verified = _merge(reports_in)
    if not verified:
        return []
    article = reports_in[0]["article"]
    candidates: list[Entry | Verified] = [article, *verified.values()]
    canonical = min(candidates, key=_order)
    linked: set[str] = set()
    for report in reports_in:
        if report["verified"] and min(report["verified"], key=_order)["id"] == canonical["id"]:
            linked.update(found["id"] for found in report["verified"] if found["matches_first"])
    links = []
    if canonical["id"] != article_id:
        found = verified[canonical["id"]]
        links.append(_link(article, canonical, found["method"], found["similarity"], found["bands"]))
    for cid, found in sorted(verified.items()):
        if cid == canonical["id"] or (canonical["id"] != article_id and cid in linked):
            continue
        link = _link(found, canonical, found["method"], found["similarity"], found["bands"])
        link["note"] = (
            f"out_of_order: {canonical['id']} was published earlier but arrived later"
            if canonical["id"] == article_id
            else f"joined: {article_id} matched both; canonical is the earliest published"
        )
        links.append(link)
    return links


def dedup_batch(
    state: MutableMapping[str, Any],
    articles: Sequence[CleanArticle],
    config: DedupConfig = DEFAULT,
    partitions: int = 1,
) -> list[DedupOutput]:
    """In-memory driver: the shard steps in the order the agents run them, over one dict.

    Signatures are computed for the whole batch first (as the route agent does), then each
    article goes through its band partitions and its verdict in arrival order.
    """
    bands = state.setdefault("bands", {})
    verdicts = state.setdefault("verdicts", {})
    outputs = []
    for article, sig in zip(articles, signatures(articles, config), strict=True):
        reports = [
            probe_shard(bands, shard, shard_entry(sig, keys), keys, config)
            for shard, keys in shard_keys(sig, partitions).items()
        ]
        links = decide(verdicts, article["id"], reports, len(reports), config) or []
        out = DedupOutput(
            duplicates=links,
            candidates=sum(r["candidates"] for r in reports),
            bucket_sizes=[size for r in reports for size in r["bucket_sizes"]],
        )
        if not any(link["id"] == article["id"] for link in links):
            out.unique.append(article)
        outputs.append(out)
    return outputs


def dedup_article(
    state: MutableMapping[str, Any], article: CleanArticle, config: DedupConfig = DEFAULT
) -> DedupOutput:
    return dedup_batch(state, [article], config)[0]
