"""spaCy set-up: the layers multiply through numpy's OpenBLAS, not thinc's bundled BLIS."""

from __future__ import annotations

from spacy.pipeline import TrainablePipe

from streams.stages.extract import Extractor


def test_layers_multiply_outside_blis(extractor: Extractor) -> None:
    """thinc's bundled BLIS falls back to generic kernels on CPUs it does not know; numpy's OpenBLAS
    does not. The embedding layers carry most of the cost: the shared one and the recogniser's own."""
    tok2vec, ner = extractor.nlp.get_pipe("tok2vec"), extractor.nlp.get_pipe("ner")
    assert isinstance(tok2vec, TrainablePipe) and isinstance(ner, TrainablePipe)
    embedders = [tok2vec.model, ner.model.get_ref("tok2vec")]
    layers = [layer for model in embedders for layer in model.walk()]
    assert len(layers) > 50 and not any(getattr(layer.ops, "use_blis", True) for layer in layers)
