"""Articles and helpers shared by the dedup tests (the ``test_dedup_*`` files next to this one).

Texts are written for these tests (a wire story, its reprints, two hand translations and a
different report of the same event), so the real embedding model and hashing run end to end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from streams import contracts
from streams.contracts import CleanArticle, DuplicateLink
from streams.stages import dedup
from streams.tools.eval.metrics import components

T0 = datetime(2024, 5, 16, 8, 0, tzinfo=UTC)

STORY_TITLE = "Flooding forces thousands from their homes in northern Italy"
STORY = [
    "Heavy rain caused rivers to burst their banks across the Emilia-Romagna region on Tuesday, forcing "
    "more than 10,000 people to leave their homes, the regional civil protection agency said.",
    "Rescue teams used boats and helicopters to reach residents trapped on rooftops in the towns of Faenza "
    "and Cesena, where water levels rose by almost two metres overnight.",
    "At least three people were killed and several others were reported missing, officials said, adding "
    "that the search would continue through the night despite the weather.",
    "The government in Rome announced an emergency fund of 20 million euros and said the army would help "
    "to clear roads and restore power to about 40,000 households.",
    "Meteorologists warned that more rain was expected on Thursday and urged people living near the Savio "
    "and Lamone rivers to stay away from embankments until further notice.",
    "Farmers' associations said the floods had destroyed crops and drowned livestock on hundreds of farms, "
    "and asked the European Union for help to cover the losses.",
]
FRENCH_TITLE = "Des inondations chassent des milliers de personnes de chez elles dans le nord de l'Italie"
FRENCH = [
    "De fortes pluies ont fait déborder les rivières dans toute la région d'Émilie-Romagne mardi, obligeant "
    "plus de 10 000 personnes à quitter leur domicile, a indiqué l'agence régionale de protection civile.",
    "Les secours ont utilisé des bateaux et des hélicoptères pour atteindre les habitants bloqués sur "
    "les toits à Faenza et Cesena, où le niveau de l'eau a monté de près de deux mètres pendant la nuit.",
]
SPANISH_TITLE = "Las inundaciones obligan a miles de personas a abandonar sus casas en el norte de Italia"
SPANISH = [
    "Las fuertes lluvias desbordaron los ríos en toda la región de Emilia-Romaña el martes y obligaron a más "
    "de 10.000 personas a abandonar sus hogares, informó la agencia regional de protección civil.",
    "Los equipos de rescate utilizaron barcas y helicópteros para llegar hasta los vecinos atrapados en los "
    "tejados de Faenza y Cesena, donde el nivel del agua subió casi dos metros durante la noche.",
]
# Same event, different article: shares names, places and the theme, not the text.
AFTERMATH_TITLE = "Italy counts the cost as floodwaters recede"
AFTERMATH = [
    "Residents of Faenza began returning to their homes on Saturday to shovel mud out of kitchens and "
    "basements as the floodwaters that swept through Emilia-Romagna earlier in the week slowly receded.",
    "Shopkeepers piled ruined stock on the pavements while volunteers from across the country handed out "
    "drinking water and hot meals, and insurers began the long task of estimating the damage.",
    "The mayor said it could take months before the town's schools reopen, and called on Rome to release "
    "more money than the emergency fund announced by the government on Tuesday.",
    "Engineers were inspecting bridges over the Lamone river, two of which remained closed to traffic, "
    "while farmers counted dead livestock and estimated that a whole season of fruit had been lost.",
]
BOILERPLATE_TOP = ["Home", "World", "Europe", "Subscribe to our newsletter for the top stories every morning"]
BOILERPLATE_BOTTOM = [
    "Share this article on Facebook, Twitter or by email with your friends and colleagues.",
    "Related stories: Storm warnings issued for the Adriatic coast; Heatwave expected next month in Spain.",
    "Copyright 2024 Daily Courier Media Group. All rights reserved. Terms of use and privacy policy.",
]


def article(
    article_id: str,
    paragraphs: Iterable[str],
    *,
    title: str | None = STORY_TITLE,
    language: str = "en",
    hours: float = 0.0,
    arrival: float = 0.0,
) -> CleanArticle:
    text = "\n".join(paragraphs)
    return {
        "schema_version": contracts.SCHEMA_VERSION,
        "id": article_id,
        "url": None,
        "source": None,
        "title": title,
        "text": text,
        "language": language,
        "language_confidence": 0.99,
        "language_hint": None,
        "mixed_language": False,
        "published_at": contracts.rfc3339(T0 + timedelta(hours=hours)),
        "published_at_source": "record",
        "received_at": contracts.rfc3339(T0 + timedelta(hours=max(hours, 0) + arrival)),
        "content_hash": hashlib.sha256(" ".join(text.split()).encode()).hexdigest(),
        "author": None,
        "dateline": None,
        "agency": None,
        "credited_source": None,
        "meta": {},
    }


def run(
    articles: Iterable[CleanArticle], state: dict[str, Any] | None = None, partitions: int = 1
) -> list[dedup.DedupOutput]:
    return dedup.dedup_batch({} if state is None else state, list(articles), partitions=partitions)


def links_of(outputs: Iterable[dedup.DedupOutput]) -> list[DuplicateLink]:
    return [link for out in outputs for link in out.duplicates]


def groups(links: Iterable[DuplicateLink], ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """Connected components of the links (the evaluator's definition), by article id."""
    group_of = components(ids, [(link["id"], link["canonical_id"]) for link in links])
    members: dict[str, set[str]] = {}
    for i, group in group_of.items():
        members.setdefault(group, set()).add(i)
    return {i: frozenset(members[group]) for i, group in group_of.items()}


def sinks(links: Iterable[DuplicateLink], ids: Iterable[str]) -> dict[str, str]:
    """The canonical of each article: the one member of its group that links to nothing."""
    links = list(links)
    linked = {link["id"] for link in links}
    out = {}
    for i, group in groups(links, ids).items():
        (canonical,) = group - linked
        out[i] = canonical
    return out


def member(sig: dedup.Signature, band: str) -> dedup.ShardEntry:
    """The article's entry as a shard holding only that band type stores it."""
    return dedup.shard_entry(sig, [band])


def signature(article: CleanArticle) -> dedup.Signature:
    """One article's signature, as the batch of one that ``dedup_batch`` would compute."""
    return dedup.signatures([article])[0]
