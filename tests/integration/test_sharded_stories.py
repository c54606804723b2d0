"""Story state is sharded by term, article and story id: one worker and two workers on four partitions must
give the same story ids for one arrival order."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams import contracts
from streams.kafka.clients import TopicReader, produce
from streams.kafka.local import LocalPipeline
from streams.stages import stories
from streams.tools.bench import generated_articles

pytestmark = pytest.mark.integration

FEED = Path(__file__).parents[1] / "data" / "story-valencia.jsonl"


def feed() -> list[bytes]:
    """The five-outlet story with its reprints, among generated wire stories (some of them reprinted too)."""
    lines = FEED.read_bytes().splitlines()
    generated = generated_articles(10, seed=5, duplicate_share=0.2)
    return [*generated[:5], *lines[:4], *generated[5:], *lines[4:]]


def story_runs(
    records: list[bytes], workers: int, log_dir: Path, pause: float = 0.0, **env: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """Each record produced once the previous one has its story record (one arrival order, whatever the
    partitions) and ``pause`` seconds more: article id → story id, and the latest record of every story."""
    story_of: dict[str, str] = {}
    latest: dict[str, Any] = {}
    env["NEWSEVENTS_STORY_PUBLISH_INTERVAL"] = "0"  # every change of a story is a record
    with LocalPipeline(workers=workers, partitions=4, bootstrap="", log_dir=log_dir, env=env) as local:
        with TopicReader(local.settings, [contracts.STORIES]) as reader:
            seen = 0
            for index, record in enumerate(records):
                assert produce(local.settings, [record]) == 1
                deadline = time.monotonic() + 90
                while seen <= index and time.monotonic() < deadline:
                    for received in reader.poll(0.5):
                        seen += 1
                        latest[received.value["story_id"]] = received.value
                        story_of.update(
                            (a["id"], received.value["story_id"]) for a in received.value["articles"]
                        )
                assert seen > index, f"no story record for input {index} ({orjson.loads(record)['id']})"
                time.sleep(pause)
        for worker in local.workers:
            assert worker.process is not None and worker.process.poll() is None
    return story_of, latest


def test_two_workers_give_the_story_ids_one_worker_gives(tmp_path: Path) -> None:
    records = feed()
    one, one_latest = story_runs(records, 1, tmp_path / "one")
    two, two_latest = story_runs(records, 2, tmp_path / "two")
    assert two == one
    assert {sid: (r["num_articles"], r["num_mentions"]) for sid, r in two_latest.items()} == {
        sid: (r["num_articles"], r["num_mentions"]) for sid, r in one_latest.items()
    }
    valencia = one_latest[stories.story_id("valencia-wire")]
    assert (valencia["num_articles"], valencia["num_mentions"], valencia["num_sources"]) == (5, 7, 5)
    partitions = {stories.band_partition(sid, 4) for sid in one_latest}
    assert len(partitions) > 1, "every story sat on one partition; the test proves nothing"


def test_sweeps_keep_a_backfilled_story_open(tmp_path: Path) -> None:
    """The window is of publication time: a story from months ago, replayed with sweeps in between, still
    gathers its articles (sweeping by the wall clock expired it before each next article)."""
    valencia = FEED.read_bytes().splitlines()[1:]
    _, latest = story_runs(valencia, 1, tmp_path, pause=2.0, NEWSEVENTS_DEDUP_SWEEP_INTERVAL="1")
    record = latest[stories.story_id("valencia-wire")]
    assert (record["num_articles"], record["num_mentions"], record["num_sources"]) == (5, 7, 5)


def test_a_reprint_of_an_article_older_than_the_window_counts_while_its_story_is_open(tmp_path: Path) -> None:
    """The wire report is out of a one-hour window when its reprint comes, its story (joined by a later
    report) is not. Its row is kept a window after it was assigned: filed by publication time, it was swept
    and the reprint's mention was held for an article that seemed never to have come."""
    lines = {orjson.loads(line)["id"]: orjson.loads(line) for line in FEED.read_bytes().splitlines()}
    arrivals = [("valencia-wire", "16:05"), ("valencia-daily", "16:50"), ("lyon-strike", "17:10")]
    arrivals.append(("valencia-wire-reprint-1", "17:12"))
    records = [orjson.dumps(lines[i] | {"published_at": f"2026-03-14T{hm}:00Z"}) for i, hm in arrivals]
    env = {"NEWSEVENTS_DEDUP_SWEEP_INTERVAL": "1", "NEWSEVENTS_STORY_WINDOW_HOURS": "1"}
    _, latest = story_runs(records, 1, tmp_path, pause=2.0, **env)
    record = latest[stories.story_id("valencia-wire")]
    assert (record["num_articles"], record["num_mentions"]) == (2, 3)


def read_stories(reader: TopicReader, latest: dict[str, Any], wanted: tuple[int, int]) -> None:
    """Keep the latest record of each story until one has ``wanted`` (articles, mentions) or time is up."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for received in reader.poll(0.5):
            latest[received.value["story_id"]] = received.value
        if any((r["num_articles"], r["num_mentions"]) == wanted for r in latest.values()):
            return


@pytest.mark.parametrize("workers", [1, 2])
def test_articles_of_one_story_sent_in_one_burst_make_one_story(tmp_path: Path, workers: int) -> None:
    """Four reports of the Valencia story and the Lyon strike produced at once, so that they are in flight
    together (each used to see no story and found one: the demo's Valencia story came out as four); then
    the wire copy, then its two reprints, each once the story has the one before."""
    lines = {orjson.loads(line)["id"]: line for line in FEED.read_bytes().splitlines()}
    reports = ["valencia-daily", "valencia-es", "valencia-globe", "valencia-nl", "lyon-strike"]
    latest: dict[str, Any] = {}
    env = {"NEWSEVENTS_STORY_PUBLISH_INTERVAL": "0"}
    local = LocalPipeline(workers=workers, partitions=4, bootstrap="", log_dir=tmp_path, env=env)
    with local, TopicReader(local.settings, [contracts.STORIES]) as reader:
        for ids, wanted in [(reports, (4, 4)), (["valencia-wire"], (5, 5))]:
            assert produce(local.settings, [lines[i] for i in ids]) == len(ids)
            read_stories(reader, latest, wanted)
        for reprint, mentions in [("valencia-wire-reprint-1", 6), ("valencia-wire-reprint-2", 7)]:
            assert produce(local.settings, [lines[reprint]]) == 1
            read_stories(reader, latest, (5, mentions))
    valencia = [r for r in latest.values() if any(a["id"].startswith("valencia") for a in r["articles"])]
    assert [(r["num_articles"], r["num_mentions"], r["num_sources"], r["languages"]) for r in valencia] == [
        (5, 7, 5, ["en", "es", "nl"])
    ]
    assert sorted(a["id"] for a in valencia[0]["articles"]) == sorted([*reports[:4], "valencia-wire"])
    (lyon,) = [r for r in latest.values() if r["story_id"] != valencia[0]["story_id"]]
    assert (lyon["num_articles"], lyon["num_mentions"]) == (1, 1)
