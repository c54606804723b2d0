from __future__ import annotations

import pytest
from dedup_articles import STORY, article

from streams.contracts import CleanArticle


@pytest.fixture(scope="module")
def original() -> CleanArticle:
    return article("orig", STORY)
