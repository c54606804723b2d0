"""spaCy set-up: only the pipes the rules read, multiplying through numpy's OpenBLAS, not thinc's BLIS."""

from __future__ import annotations

from spacy.pipeline import TrainablePipe

from streams.stages.extract import Extractor


def test_only_tagger_and_parser_run(extractor: Extractor) -> None:
    """The rules read fine tags and the dependency tree; the recogniser, the sentence segmenter, the
    lemmatizer and the attribute ruler cost time and memory for nothing, so they are not loaded."""
    assert extractor.nlp.pipe_names == ["tok2vec", "tagger", "parser"]
    doc = next(extractor.nlp.pipe(["Police arrested two men in Leeds on Friday."]))
    assert doc[1].tag_ == "VBD" and doc[1].dep_ == "ROOT" and doc[0].head.i == 1


def test_layers_multiply_outside_blis(extractor: Extractor) -> None:
    """thinc's bundled BLIS falls back to generic kernels on CPUs it does not know; numpy's OpenBLAS
    does not. The shared embedding layer carries most of the cost."""
    tok2vec = extractor.nlp.get_pipe("tok2vec")
    assert isinstance(tok2vec, TrainablePipe)
    layers = list(tok2vec.model.walk())
    assert len(layers) > 20 and not any(getattr(layer.ops, "use_blis", True) for layer in layers)
