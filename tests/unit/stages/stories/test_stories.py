"""Story assignment over sharded state: joining, founding, determinism, expiry, rate limit, events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from streams import contracts
from streams.contracts import CleanArticle, Event
from streams.stages import stories
from streams.stages.stories.features import features

T0 = datetime(2026, 3, 14, 16, 0, tzinfo=UTC)

QUAKE = (
    "A magnitude 6.4 earthquake struck near the Turkish city of Malatya on Monday, the Kandilli Observatory "
    "said, killing at least 12 people and damaging 300 buildings in the province.\n"
    "Interior Minister Ali Yerlikaya said rescue teams from Adana and Kayseri had reached the worst-hit "
    "villages."
)
QUAKE_2 = (
    "Rescuers in Malatya pulled survivors from collapsed buildings on Monday after the 6.4 quake, which the "
    "Kandilli Observatory located 15 km from the city.\n"
    "Ali Yerlikaya, the interior minister, said 12 people had died and that Adana and Kayseri sent teams."
)
FLOOD = (
    "Heavy rain flooded the Argentine city of Bahia Blanca on Friday, and mayor Federico Susbielles said 16 "
    "people had died as the Napostá stream burst its banks.\n"
    "President Javier Milei flew to the city with Security Minister Patricia Bullrich."
)
STRIKE = "Bus and metro drivers in Lyon walked out on Saturday in a dispute over pay, the operator TCL said."


def article(article_id: str, text: str, title: str, hours: float = 0.0, **extra: Any) -> CleanArticle:
    moment = contracts.rfc3339(T0 + timedelta(hours=hours))
    return {  # type: ignore[typeddict-item]
        "schema_version": 1,
        "id": article_id,
        "url": f"https://{extra.get('source', 'news.example.com')}/{article_id}",
        "source": extra.get("source", "news.example.com"),
        "title": title,
        "text": text,
        "language": extra.get("language", "en"),
        "language_confidence": 0.99,
        "language_hint": None,
        "mixed_language": False,
        "published_at": moment,
        "published_at_source": "record",
        "received_at": moment,
        "content_hash": article_id,
        "author": None,
        "dateline": None,
        "agency": None,
        "credited_source": None,
        "meta": {},
    }


def event(event_id: str, event_type: str, day: str, country: str | None) -> Event:
    actor = {
        "text": "police",
        "name": "police",
        "country": country,
        "country_source": "stated",
        "sector": "COP",
        "start": 0,
        "end": 6,
    }
    return {  # type: ignore[typeddict-item]
        "schema_version": 1,
        "event_id": event_id,
        "event_type": event_type,
        "source_actors": [actor],
        "target_actors": [],
        "event_date": day,
        "article_ids": [],
    }


def test_features_are_names_numbers_dates_and_places() -> None:
    feats = features(article("a", QUAKE + "\nThe quake of March 2026 was the strongest since 1999.", "Quake"))
    assert {"n:malatya", "n:kandilli", "b:kandilli observatory", "b:ali yerlikaya"} <= set(feats.terms)
    assert {"#:64", "#:12", "#:300", "y:2026", "y:1999", "d:2026-03"} <= set(feats.terms)
    assert not {"n:monday", "n:the", "n:a"} & set(feats.terms)  # weekdays and sentence openers name nothing
    assert (
        feats.terms["n:kandilli"] == 2 and feats.terms["n:yerlikaya"] == 2
    )  # names of the lead count double


def test_reports_of_one_event_join_and_another_event_founds_a_story() -> None:
    stream = stories.StoryStream(partitions=4)
    first = stream.add(article("q1", QUAKE, "Deadly quake hits Malatya"))
    second = stream.add(article("q2", QUAKE_2, "Survivors pulled from rubble in Malatya", hours=1))
    third = stream.add(article("f1", FLOOD, "Floods kill 16 in Bahia Blanca", hours=2))
    assert first.story_id == second.story_id == stories.story_id("q1")
    assert third.story_id == stories.story_id("f1") != first.story_id
    assert stories.story_id("q1") == "s-" + stories.story_id("q1")[2:] and len(stories.story_id("q1")) == 18


SMITH = [
    "The BBC named Matt Smith as the Eleventh Doctor in Doctor Who on Saturday, Steven Moffat said in "
    "Cardiff. "
    "Matt Smith, 26, follows David Tennant.",
    "Matt Smith will play the Eleventh Doctor, the BBC said, after David Tennant leaves Doctor Who. Steven "
    "Moffat chose Matt Smith, 26.",
    "David Tennant hands the Tardis to Matt Smith, 26, the Eleventh Doctor, the BBC said. Doctor Who writer "
    "Steven Moffat cast Matt Smith.",
]
CAPALDI = [
    "The BBC named Peter Capaldi as the Twelfth Doctor in Doctor Who on Sunday, Steven Moffat said in "
    "London. "
    "Peter Capaldi, 55, follows Matt Smith.",
    "Peter Capaldi will play the Twelfth Doctor, the BBC said, after Matt Smith leaves Doctor Who. Steven "
    "Moffat chose Peter Capaldi, 55.",
    "Matt Smith hands the Tardis to Peter Capaldi, 55, the Twelfth Doctor, the BBC said. Doctor Who writer "
    "Steven Moffat cast Peter Capaldi.",
]
#: Two castings of one role, in the order a feed could bring them: the first Capaldi report joins the Smith
#: story (a low threshold makes sure it does), as the first report of a second happening of a kind does.
CASTINGS = [("s1", SMITH[0]), ("s2", SMITH[1]), ("c1", CAPALDI[0])]
MORE = [("s3", SMITH[2]), ("c2", CAPALDI[1]), ("c3", CAPALDI[2])]
LOW = dataclasses.replace(stories.DEFAULT, join_threshold=0.15, publish_interval=0)


def test_a_story_that_took_in_two_happenings_publishes_them_as_two() -> None:
    smith, capaldi = stories.story_id("s1"), stories.story_id("c1")
    runs = []
    for partitions in (1, 4):
        stream = stories.StoryStream(LOW, partitions=partitions)
        outs = [
            stream.add(article(a, text, text.split(".")[0], hours=n / 10))
            for n, (a, text) in enumerate(CASTINGS)
        ]
        stream.reprint("c1-copy", "c1", contracts.rfc3339(T0))
        outs += [
            stream.add(article(a, text, text.split(".")[0], hours=n / 10)) for n, (a, text) in enumerate(MORE)
        ]
        assert {out.story_id for out in outs} == {smith}  # scoring keeps one story: a later report finds it
        assert outs[2].assigned == {"c1": smith}  # alone, the first Capaldi report is not told apart
        assert outs[4].assigned == {"c1": capaldi, "c1-copy": capaldi, "c2": capaldi}  # with a second, it is
        assert outs[5].assigned == {"c3": capaldi}
        assert outs[5].stories[-1]["parts"] == {capaldi: ["c1", "c2", "c3"]}
        contracts.validate(contracts.STORIES, outs[5].stories[-1])
        runs.append(stream.story_of())
    assert (
        runs[0]
        == runs[1]
        == {
            **dict.fromkeys(["s1", "s2", "s3"], smith),
            **dict.fromkeys(["c1", "c1-copy", "c2", "c3"], capaldi),
        }
    )


def test_the_articles_of_one_happening_stay_one_story() -> None:
    stream = stories.StoryStream(LOW)
    for n, text in enumerate([*SMITH, SMITH[0].replace("Saturday", "Sunday")]):
        stream.add(article(f"s{n}", text, text.split(".")[0], hours=n / 10))
    assert set(stream.story_of().values()) == {stories.story_id("s0")}
    members = stories.story.kept_members(stream.stories[stories.story_id("s0")], stream.rows)
    assert len(members) == 4 and stories.parts.divide(members) == []
    assert stories.parts.divide(members[:3]) == []  # three articles are too few to halve


def test_the_answer_depends_on_the_arrival_order_only() -> None:
    items = [("q1", QUAKE, 0.0), ("f1", FLOOD, 0.5), ("q2", QUAKE_2, 1.0)]
    runs = []
    for _ in range(2):
        stream = stories.StoryStream(partitions=4)
        for article_id, text, hours in items:
            stream.add(article(article_id, text, article_id, hours=hours))
        runs.append(stream.story_of())
    assert runs[0] == runs[1] and len(set(runs[0].values())) == 2


def test_a_story_keeps_the_rows_of_its_latest_articles_only() -> None:
    stream = stories.StoryStream(dataclasses.replace(stories.DEFAULT, split_members=2))
    for n, text in enumerate([QUAKE, QUAKE_2, QUAKE]):
        stream.add(article(f"q{n}", text, "Quake", hours=n / 10))
    q0 = stories.story_id("q0")
    assert set(stream.story_of().values()) == {q0}
    assert sorted(stream.rows) == [stories.member_key(q0, "q1"), stories.member_key(q0, "q2")]


def test_a_story_past_its_window_is_forgotten_without_a_scan() -> None:
    config = dataclasses.replace(stories.DEFAULT, window_hours=24)
    stream = stories.StoryStream(config=config, partitions=2)
    stream.add(article("q1", QUAKE, "Deadly quake hits Malatya"), [event("e1", "AID", "2026-03-14", "TUR")])
    q1 = stories.story_id("q1")
    assert sorted(stream.rows) == [stories.event_key(q1, "e1"), stories.member_key(q1, "q1")]
    late = stream.add(article("q2", QUAKE_2, "Survivors pulled from rubble", hours=30))
    assert late.story_id == stories.story_id("q2")  # too late to join: a story of its own
    gone = stories.story_id("q1")
    assert gone not in stream.stories and not any(key.startswith(gone) for key in stream.rows)
    assert not any(gone in key or gone == (row or {}).get("story") for key, row in stream.terms.items())
    assert not any(
        gone in bucket for shard in stream.term_shards.values() for bucket in shard.buckets.values()
    )


def test_records_are_rate_limited_per_story_and_flushed() -> None:
    config = dataclasses.replace(stories.DEFAULT, publish_interval=600)
    stream = stories.StoryStream(config=config)
    first = stream.add(article("q1", QUAKE, "Deadly quake hits Malatya"))
    assert [r["num_articles"] for r in first.stories] == [1]
    assert stream.add(article("q2", QUAKE_2, "Survivors", hours=0.01)).stories == []
    storm = [
        stream.reprint(f"copy-{n}", "q1", contracts.rfc3339(T0 + timedelta(minutes=n))) for n in range(5)
    ]
    assert all(out.stories == [] and out.story_id == stories.story_id("q1") for out in storm)
    (held,) = stream.flush()
    assert (held["num_articles"], held["num_mentions"], held["num_sources"]) == (2, 7, 1)
    contracts.validate(contracts.STORIES, held)
    assert stream.flush() == []


def test_a_reprint_that_arrives_before_its_canonical_waits_for_it() -> None:
    stream = stories.StoryStream(config=dataclasses.replace(stories.DEFAULT, publish_interval=0))
    assert stream.reprint("copy", "q1", contracts.rfc3339(T0)).story_id is None
    out = stream.add(article("q1", QUAKE, "Deadly quake hits Malatya"))
    assert stream.story_of()["copy"] == out.story_id
    assert out.assigned == {"q1": out.story_id, "copy": out.story_id}
    assert out.stories[-1]["num_mentions"] == 2


def test_events_aggregate_across_the_story_when_type_date_and_countries_agree() -> None:
    stream = stories.StoryStream(config=dataclasses.replace(stories.DEFAULT, publish_interval=0))
    stream.add(article("q1", QUAKE, "Quake", source="a.example"), [event("e1", "AID", "2026-03-14", "TUR")])
    out = stream.add(
        article("q2", QUAKE_2, "Rescue", hours=1, source="b.example"),
        [event("e2", "AID", "2026-03-15", "TUR"), event("e3", "AID", "2026-03-14", "SYR")],
    )
    merged, apart = out.events
    assert merged["event_id"] == "e1" and merged["article_ids"] == ["q1", "q2"]
    assert (merged["num_articles"], merged["num_sources"], merged["sources"]) == (
        2,
        2,
        ["a.example", "b.example"],
    )
    assert merged["first_seen"] < merged["last_seen"] and merged["story_id"] == out.story_id
    assert apart["event_id"] == "e3" and apart["num_articles"] == 1 and apart["story_id"] == out.story_id
    assert out.stories[-1]["event_ids"] == ["e1", "e3"]


def test_a_story_whose_rows_a_kill_lost_still_takes_articles_and_events() -> None:
    """A worker killed while flushing its changelogs can leave a story's state recovered without the
    member and event rows written with it; the next join (a replay) goes on without them."""
    config = dataclasses.replace(stories.DEFAULT, publish_interval=0)
    stream = stories.StoryStream(config=config)
    stream.add(article("q1", QUAKE, "Quake", source="a.example"), [event("e1", "AID", "2026-03-14", "TUR")])
    story = stories.story_id("q1")
    del stream.rows[stories.member_key(story, "q1")]
    del stream.rows[stories.story.event_key(story, "e1")]
    out = stream.add(
        article("q2", QUAKE_2, "Rescue", hours=1, source="b.example"),
        [event("e2", "AID", "2026-03-14", "TUR")],
    )
    assert out.story_id == story
    (merged,) = out.events
    assert merged["event_id"] == "e1" and merged["article_ids"] == ["q1", "q2"]
    assert [member[0] for member in stories.story.kept_members(stream.stories[story], stream.rows)] == ["q2"]


def test_a_store_writes_two_rows_and_a_rebuild_from_them_gives_the_buckets_back() -> None:
    config = dataclasses.replace(stories.DEFAULT, window_hours=1)
    writes: list[str] = []

    class Recording(dict[str, Any]):
        def __setitem__(self, key: str, value: Any) -> None:
            writes.append(key)
            super().__setitem__(key, value)

    table = Recording()
    shard = stories.TermShard(table, 0)
    for n, last in enumerate([100.0, 200.0, 300.0, 5000.0, 5100.0, 5100.0]):  # the last one redelivered
        update: stories.ShardUpdate = {
            "story_id": f"s{min(n, 4)}",
            "article_id": f"a{min(n, 4)}",
            "terms": {"n:valencia": 0.6, "p:spain": 0.8},  # five stories sharing two terms
            "centroid": "",
            "norm": 1.0,
            "articles": 1,
            "last": last,
        }
        stories.store(shard, update, config)
    assert len(writes) == 10 and shard.articles == 5 and shard.df == {"n:valencia": 5, "p:spain": 5}
    assert stories.expire(shard, 5110.0, config) == 3  # the three more than an hour old, rows and all
    assert sorted(shard.buckets["n:valencia"]) == ["s3", "s4"]
    assert sorted(table) == ["a0:a3", "a0:a4", "s0:s3", "s0:s4"]
    rebuilt = stories.recover_shards(table, 2, config)
    assert rebuilt[0].buckets == shard.buckets and rebuilt[0].members == shard.members
    assert rebuilt[1].buckets == {}


def test_an_article_probed_while_an_earlier_one_is_in_flight_waits_for_it_if_it_might_join_it() -> None:
    state = stories.TermShard({}, 0)
    flights = stories.InFlight()
    quake, rescue, flood, strike = (
        features(article(i, text, i))
        for i, text in (("q1", QUAKE), ("q2", QUAKE_2), ("f1", FLOOD), ("s1", STRIKE))
    )

    def probed(article_id: str, feats: stories.Features, first: bool = True) -> stories.ShardReport:
        report = stories.probe(state, feats.terms, feats.embedding, feats.ts)
        report["before"] = stories.register(
            flights, 0, article_id, report["weights"], feats.embedding, feats.ts, first=first
        )
        return report

    first = probed("q1", quake)
    assert first["before"] == {}
    rescue_report = probed("q2", rescue)
    assert set(rescue_report["before"]) == {"q1"}
    assert stories.predecessors([rescue_report]) == ["q1"]  # the same quake: it waits
    flood_report = probed("f1", flood)
    assert set(flood_report["before"]) == {"q1"}  # it shares "Minister" with the quake reports
    assert stories.predecessors([flood_report]) == []  # far below the join threshold: it does not wait
    assert probed("s1", strike)["before"] == {}  # nothing in common
    assert sorted(flights.listed) == ["f1", "q1", "q2", "s1"]  # what admission control counts
    assert set(probed("q2", rescue, first=False)["before"]) == {"q1"}  # a repeated probe keeps its place
    assert stories.predecessors([rescue_report], waited=["q1"]) == []
    *_, updates = stories.join(
        stories.new_story(stories.story_id("q1")), quake, 0.0, stories.unit_weights([first]), {}
    )
    stories.store(state, updates[0])
    flights.land(0, "q1")
    assert "q1" not in flights.listed
    assert probed("q2", rescue, first=False)["before"] == {}
    # once stored, an article is listed nowhere, and a stale repeated probe does not list it again
    probed("q1", quake, first=False)
    assert not any("q1" in str(listed) for listed in flights.terms.values())
    assert (0, "q1") not in flights.articles
    flights.expire(0, cutoff=quake.ts + 1)  # an article whose terms never came leaves with its window
    assert flights.terms == {} and flights.articles == {} and flights.listed == {}


def test_a_probe_dated_far_from_an_article_in_flight_keeps_it_listed_ahead_of_itself() -> None:
    """Written back filtered to the later probe's window, the list lost the earlier article, whose repeated
    probe then took the later one for an earlier one: three such articles waited on each other for good."""
    flights = stories.InFlight()
    window = stories.DEFAULT.window_seconds
    weights = {"n:valencia": 1.0}
    assert stories.register(flights, 0, "old", weights, "", 0.0) == {}
    assert stories.register(flights, 0, "new", weights, "", window + 10) == {}  # too far apart to wait
    assert list(flights.terms[0, "n:valencia"]) == ["old", "new"]
    assert stories.register(flights, 0, "old", weights, "", 0.0, first=False) == {}  # nothing before it
    flights.forget()  # a restart: nothing listed, and a repeated probe lists nothing and waits for no one
    assert stories.register(flights, 0, "old", weights, "", 0.0, first=False) == {}
    assert flights.terms == {}


def test_a_redelivered_reprint_or_article_counts_once() -> None:
    stream = stories.StoryStream(config=dataclasses.replace(stories.DEFAULT, publish_interval=0))
    first = stream.add(article("q1", QUAKE, "Deadly quake hits Malatya"))
    seen = contracts.rfc3339(T0 + timedelta(minutes=5))
    (counted,) = stream.reprint("copy", "q1", seen).stories
    assert stream.reprint("copy", "q1", seen).stories == []  # the link again, after a restart
    assert stream.add(article("q1", QUAKE, "Deadly quake hits Malatya")).stories == []
    assert stream.add(article("copy", QUAKE, "Deadly quake hits Malatya")).story_id == first.story_id
    assert (counted["num_articles"], counted["num_mentions"]) == (1, 2)
    assert stream.flush() == []


def test_an_original_joins_the_story_its_copy_joined_before_dedup_linked_them() -> None:
    """A translation can reach dedup before its original (same publication time, the original's id is the
    smaller): it joins a story as an article, and the link dedup sends when the original comes says which."""
    stream = stories.StoryStream(config=dataclasses.replace(stories.DEFAULT, publish_interval=0))
    copy = stream.add(article("q-es", QUAKE, "Terremoto en Malatya"))
    assert stream.reprint("q-es", "q-en", contracts.rfc3339(T0)).story_id == copy.story_id  # no mention
    original = stream.add(article("q-en", FLOOD, "Floods kill 16 in Bahia Blanca"))  # nothing in common
    assert original.story_id == copy.story_id
    assert original.stories[-1]["num_articles"] == 2 and original.stories[-1]["num_mentions"] == 2


def test_an_article_waits_only_for_earlier_ones_that_could_beat_its_best_stored_story() -> None:
    def report(stored: bool) -> stories.ShardReport:
        return {
            "shard": 0,
            "weights": {"n:valencia": 1.0},
            "dots": {"s1": 0.9} if stored else {},
            "stories": {"s1": [0.9, 1.0, 1]} if stored else {},
            "before": {"a0": [0.5, 1.0, 0.5]},  # scores at most 0.5 against the article in flight
        }

    assert stories.predecessors([report(stored=False)]) == ["a0"]  # it would found a story: it waits
    assert stories.predecessors([report(stored=True)]) == []  # a stored story scores 0.9: no wait


def test_divide_splits_off_the_half_without_the_oldest_article_when_the_halves_are_apart() -> None:
    def member(article_id: str, *names: str) -> list[Any]:
        weight = 1 / len(names) ** 0.5
        return [article_id, {f"n:{name}": weight for name in names}, ""]

    topic = ["doctor", "who", "bbc"]
    smith = [member(f"s{n}", *topic, "smith", "tennant", extra) for n, extra in enumerate("abc")]
    capaldi = [member(f"c{n}", *topic, "capaldi", "moffat", extra) for n, extra in enumerate("abc")]
    mixed = [smith[0], capaldi[0], smith[1], capaldi[1], smith[2], capaldi[2]]
    assert stories.parts.divide(mixed) == ["c0", "c1", "c2"]
    assert stories.parts.divide(mixed, dataclasses.replace(stories.DEFAULT, split=0)) == []
    # the same names throughout: no two halves are further apart than each half's own spread
    assert stories.parts.divide([member(f"s{n}", *topic, "smith", "tennant", str(n)) for n in range(6)]) == []
