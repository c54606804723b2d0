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


def keep(members: Sequence[str], member: str, config: StoryConfig = DEFAULT) -> list[str]:
    """The ids of the story's kept articles with this one: the most recent ``config.split_members``."""
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
    groups = _two_means(scores)
    sizes = groups.sum(1)
    usable = (sizes > 0) & (sizes < count)
    if not usable.any():
        return []
    rest = ~groups
    objective = ((groups @ scores) * groups).sum(1) / np.maximum(sizes, 1)
    objective += ((rest @ scores) * rest).sum(1) / np.maximum(count - sizes, 1)
    best = groups[int(np.argmax(np.where(usable, objective, -np.inf)))]
    leaving = best if not best[0] else ~best
    staying = ~leaving
    if min(leaving.sum(), staying.sum()) < 2:
        return []
    spread = min(_within(scores, staying), _within(scores, leaving))
    if scores[np.ix_(staying, leaving)].mean() >= config.split * spread:
        return []
    return [members[int(row)][0] for row in np.flatnonzero(leaving)]


def _two_means(scores: npt.NDArray[np.float64], rounds: int = 20) -> npt.NDArray[np.bool_]:
    """One 2-means by mean similarity per article, all at once: row i starts from article i against its
    least similar article, and each article moves to the half it is closer to on average (itself left
    out) until nothing moves. Row per start: True for the articles in the half without the start."""
    count = len(scores)
    apart = np.argmin(np.where(np.eye(count, dtype=bool), np.inf, scores), axis=1)
    starts = np.arange(count)
    groups = scores < scores[:, apart].T  # row i: closer to i's far article than to i
    groups[starts, apart], groups[starts, starts] = True, False
    active = np.ones(count, dtype=bool)
    for _ in range(rounds):
        sizes = groups.sum(1, keepdims=True)
        active &= (sizes[:, 0] > 0) & (sizes[:, 0] < count)
        if not active.any():
            break
        near = (groups @ scores) / np.maximum(sizes - groups, 1)
        far = (~groups @ scores) / np.maximum(count - sizes - ~groups, 1)
        moved = near > far
        active &= (moved != groups).any(1)
        groups[active] = moved[active]
    return groups


def _within(scores: npt.NDArray[np.float64], half: npt.NDArray[np.bool_]) -> float:
    size = int(half.sum())
    return float(scores[np.ix_(half, half)].sum() / (size * (size - 1)))
