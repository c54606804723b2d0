"""The story stage replayed over cached normalize → dedup → extract output gives eval's stories."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.tools.eval import story_cache
from streams.tools.eval.replay import replay_stories

FEED = Path(__file__).parents[2] / "data" / "story-valencia.jsonl"


def test_half_scores_score_each_half_on_its_own_articles() -> None:
    labels = {"a1": "1_x", "a2": "1_x", "b1": "3_x", "b2": "3_y"}
    story_of = {"a1": "s", "a2": "s", "b1": "t", "b2": "t"}  # B's two events merged, A right
    scores = story_cache.half_scores(story_of, labels)
    assert scores["A"]["b3_f1"] == 1.0
    assert scores["B"]["b3_precision"] == 0.5 and scores["B"]["b3_recall"] == 1.0
    assert scores["all"]["n_articles"] == 4


def test_cached_calls_replay_to_the_stories_eval_gives_with_one_partition_or_four(tmp_path: Path) -> None:
    lines = FEED.read_bytes().splitlines()
    replay, _ = replay_stories(lines)
    calls, raw_id_of = story_cache.cached_calls(lines, 0, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [next(tmp_path.iterdir()).name]  # one file, reused below
    assert story_cache.cached_calls(lines, 0, tmp_path) == (calls, raw_id_of)
    for partitions in (1, 4):
        *_, story_of = story_cache.play_stories(calls, partitions=partitions)
        assert story_of == replay.story_of


def test_run_prints_no_halves_for_labels_without_topics(tmp_path: Path) -> None:
    lines = FEED.read_bytes().splitlines()
    labels = {"lyon-strike": "lyon", "valencia-wire": "valencia", "valencia-es": "valencia"}
    (scores,) = story_cache.run(lines, labels, tmp_path, shuffles=0)
    assert set(scores) == {"all"} and scores["all"]["b3_f1"] == pytest.approx(1.0)
