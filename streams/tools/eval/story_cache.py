"""The story stage alone, replayed over cached normalize → dedup → extract output.

``eval stories --shuffles 3`` runs the extractor on every article of four file orders (minutes); the story
stage itself takes seconds. This records the calls the story stage gets in each order once (JSON lines
under ``--cache``, named by the file's hash and the seed), then replays them through ``StoryStream`` with
any ``StoryConfig`` and partition count, and prints B³ per order and by half of the file (alternate
topics, docs/stories.md): what a change to the story stage is measured with. The cache is stale once
normalize, dedup or extract change: delete it.

    python -m streams.tools.eval.story_cache --data <stories dir> --cache <dir> --shuffles 3 \\
        [--set join_threshold=0.35] [--partitions 4]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import random
import re
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from streams.stages.stories import DEFAULT, StoryConfig
from streams.tools.eval import SHUFFLE_SEEDS
from streams.tools.eval.metrics import Scores, b3_scores
from streams.tools.eval.replay import StoryCall, play_stories, read_dir, story_input

#: Halves of a file whose labels are "<topic>_<event>" (ECB+): topics 1, 5, 9, … and 3, 7, 11, …
HALVES = {"A": 1, "B": 3}
_TOPIC = re.compile(r"(\d+)_")


def cached_calls(lines: Sequence[bytes], seed: int, cache: Path) -> tuple[list[StoryCall], dict[str, str]]:
    """The story stage's calls for the file in the order of ``seed`` (0: file order, else eval's shuffle),
    and clean id → the file's id; recorded on first use."""
    digest = hashlib.sha256(b"\n".join(lines)).hexdigest()[:12]
    path = cache / f"stories-{digest}-{seed}.jsonl"
    if not path.is_file():
        order = list(lines) if not seed else random.Random(seed).sample(lines, len(lines))
        dedup, calls, _ = story_input(order)
        head = {"raw_id_of": dedup.replay.raw_id_of}
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"".join(orjson.dumps(item) + b"\n" for item in [head, *calls]))
    head, *rows = (orjson.loads(line) for line in path.read_bytes().splitlines())
    return [tuple(row) for row in rows], head["raw_id_of"]


def half_scores(story_of: Mapping[str, str], labels: Mapping[str, str]) -> dict[str, Scores]:
    """B³ over the whole file and over each half's articles (a story across halves counts in each)."""
    out = {"all": b3_scores(story_of, labels)}
    for half, rest in HALVES.items():
        chosen = {
            a: label for a, label in labels.items() if (m := _TOPIC.match(label)) and int(m[1]) % 4 == rest
        }
        if chosen:
            out[half] = b3_scores(story_of, chosen)
    return out


def run(
    lines: Sequence[bytes],
    labels: Mapping[str, str],
    cache: Path,
    shuffles: int = 3,
    config: StoryConfig = DEFAULT,
    partitions: int = 1,
) -> list[dict[str, Scores]]:
    """``half_scores`` of the file order and ``shuffles`` of eval's shuffled orders."""
    runs = []
    for seed in (0, *SHUFFLE_SEEDS[:shuffles]):
        calls, raw_id_of = cached_calls(lines, seed, cache)
        *_, story_of = play_stories(calls, config, partitions)
        runs.append(half_scores({raw_id_of.get(a, a): s for a, s in story_of.items()}, labels))
    return runs


def _value(text: str) -> Any:
    return orjson.loads(text) if re.fullmatch(r"[-\d.eE]+|true|false|\[.*\]", text) else text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", required=True, type=Path, help="an eval directory with story labels")
    parser.add_argument("--cache", required=True, type=Path, help="where the recorded calls are kept")
    parser.add_argument("--shuffles", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="StoryConfig field")
    args = parser.parse_args(argv)
    lines, labels = read_dir(args.data)
    changes = {field: _value(value) for field, value in (item.split("=", 1) for item in args.set)}
    changes = {k: tuple(tuple(x) for x in v) if k == "kind_weights" else v for k, v in changes.items()}
    config = dataclasses.replace(DEFAULT, **changes)
    runs = run(lines, labels, args.cache, args.shuffles, config, args.partitions)
    for part in runs[0]:
        f1 = [r[part]["b3_f1"] for r in runs]
        line = f"{part:>3}  F1 " + " / ".join(f"{x:.3f}" for x in f1)
        line += f"  mean {statistics.mean(f1):.3f}  range {max(f1) - min(f1):.3f}"
        if part == "all":
            line += "  P " + " ".join(f"{r[part]['b3_precision']:.3f}" for r in runs)
            line += "  R " + " ".join(f"{r[part]['b3_recall']:.3f}" for r in runs)
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
