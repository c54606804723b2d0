"""Shares of the extract stage's samples in a py-spy raw profile, by what ``Extractor.code`` calls.

    py-spy record -r 100 -f raw -o extract.raw -- \
        .venv/bin/python -m streams.tools.cli bench --stage-only --input GEO_EVAL_DIR/articles.jsonl
    .venv/bin/python docs/profile/extract_shares.py extract.raw

Prints the share of each step ``code`` runs (spaCy, the rules on parsed sentences, places, ...) and
the inclusive share of every function of ``streams`` and spaCy's token classes under it.
"""

from __future__ import annotations

import argparse
import collections
import re

_LINE = re.compile(r":\d+\)$")
_ROOT = "Extractor.code (streams/stages/extract/__init__.py)"
_HELPERS = ("<listcomp>", "<genexpr>", "<setcomp>", "<dictcomp>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", help="py-spy record -f raw output")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    total = 0
    steps: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    with open(args.raw) as handle:
        for line in handle:
            stack, _, count = line.rstrip().rpartition(" ")
            frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
            if _ROOT not in frames:
                continue
            samples = int(count)
            total += samples
            below = [f for f in frames[frames.index(_ROOT) + 1 :] if not any(h in f for h in _HELPERS)]
            steps[below[0] if below else "code itself"] += samples
            for frame in set(below):
                if "streams/" in frame or "spacy/tokens" in frame:
                    inclusive[frame] += samples
    print(f"{total} samples under Extractor.code\n\nsteps:")
    for name, samples in steps.most_common():
        print(f"{samples / total:7.1%}  {name}")
    print("\nfunctions (inclusive):")
    for name, samples in inclusive.most_common(args.top):
        print(f"{samples / total:7.1%}  {name}")


if __name__ == "__main__":
    main()
