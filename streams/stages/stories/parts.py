"""A story's parts: its articles split in two when they tell two happenings of one kind.

Assignment is greedy and one article at a time, so the first report of a second earthquake, or of the next
title defence of the same boxer, joins the first one's story: when it arrives that story is the only one
near it, and it shares the topic's names. Single reports cannot be told apart by any threshold (docs/
stories.md), but the story's articles as a group can: once both happenings have reports, each report is
closer on average to its own happening's reports than to the other's. So the story partition keeps its
articles' unit vectors and, at every join, divides them in two by mean similarity (2-means, each article
seeding once against its least similar one) and publishes the division when the two halves are further
apart than ``config.split`` × the looser half's own spread. Scoring stays with the whole story, so a
later report still finds its topic, and the division is recomputed from all kept articles each time: an
early mistake is undone once the evidence arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from streams.stages.stories.features import DEFAULT, StoryConfig, unit_vector

#: A kept article: [id, its unit term weights, its lead embedding (base64 int8, "" if none)].
Member = list[Any]


def keep(members: Sequence[Member], member: Member, config: StoryConfig = DEFAULT) -> list[Member]:
    """The story's kept articles with this one: the most recent ``config.split_members``."""
    return [*members, member][-config.split_members :]


def similarities(members: Sequence[Member], config: StoryConfig = DEFAULT) -> npt.NDArray[np.float64]:
    """Pairwise scores of the kept articles, weighted as an article's score against a story."""
    index: dict[str, int] = {}
    for _, terms, _ in members:
        for term in terms:
            index.setdefault(term, len(index))
    terms = np.zeros((len(members), len(index)))
    for row, (_, weights, _) in enumerate(members):
        for term, weight in weights.items():
            terms[row, index[term]] = weight
    leads = [unit_vector(lead) for _, _, lead in members]
    width = max((len(lead) for lead in leads), default=0)
    embedded = np.array([lead if len(lead) == width else np.zeros(width) for lead in leads])
    weight = config.embedding_weight
    scores: npt.NDArray[np.float64] = (1 - weight) * (terms @ terms.T) + weight * (embedded @ embedded.T)
    np.fill_diagonal(scores, 0.0)
    return scores


def divide(members: Sequence[Member], config: StoryConfig = DEFAULT) -> list[str]:
    """The ids of the articles that leave the story, oldest first: [] when it stays whole. The half
    holding the oldest kept article stays, so the outcome is the same wherever this runs."""
    count = len(members)
    if not config.split or count < 4:
        return []
    scores = similarities(members, config)
    best: tuple[float, npt.NDArray[np.bool_]] | None = None
    for seed in range(count):
        other = int(np.argmin(np.where(np.arange(count) == seed, np.inf, scores[seed])))
        group = scores[:, other] > scores[:, seed]
        group[other], group[seed] = True, False
        for _ in range(20):
            sizes = np.array([(~group).sum(), group.sum()])
            if sizes.min() == 0:
                break
            sums = np.stack([scores[:, ~group].sum(1), scores[:, group].sum(1)], 1)
            own = np.stack([~group, group], 1)  # an article's own half counts one article fewer: itself
            means = sums / np.maximum(sizes[None, :] - own, 1)
            moved = means[:, 1] > means[:, 0]
            if (moved == group).all():
                break
            group = moved
        if group.all() or not group.any():
            continue
        objective = sum(scores[np.ix_(half, half)].sum() / half.sum() for half in (group, ~group))
        if best is None or objective > best[0]:
            best = (objective, group)
    if best is None:
        return []
    leaving = best[1] if not best[1][0] else ~best[1]
    staying = ~leaving
    if min(leaving.sum(), staying.sum()) < 2:
        return []
    spread = min(_within(scores, staying), _within(scores, leaving))
    if scores[np.ix_(staying, leaving)].mean() >= config.split * spread:
        return []
    return [members[int(row)][0] for row in np.flatnonzero(leaving)]


def _within(scores: npt.NDArray[np.float64], half: npt.NDArray[np.bool_]) -> float:
    size = int(half.sum())
    return float(scores[np.ix_(half, half)].sum() / (size * (size - 1)))
