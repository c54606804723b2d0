"""The extractor, loaded once for every extract test module (it loads spaCy and the gazetteer)."""

from __future__ import annotations

import pytest

from streams.stages.extract import Extractor


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    return Extractor()
