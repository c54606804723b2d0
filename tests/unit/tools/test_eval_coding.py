"""The coding metric on hand-made cases: each fails if one rule of the metric were wrong."""

from __future__ import annotations

from typing import Any

import pytest

from streams.stages.geo.distance import haversine_km
from streams.tools.eval.coding import (
    actors_right,
    coding_scores,
    countries_right,
    location_right,
    sentence_overlap,
    tokens,
)
from streams.tools.eval.metrics import events_by_article

CHICAGO = {"name": "Chicago", "country": "USA", "lat": 41.88, "lon": -87.63}


def gold(
    sentence: str,
    type_: str = "ASSAULT",
    source: list[dict[str, Any]] | None = None,
    target: list[dict[str, Any]] | None = None,
    location: dict[str, Any] | None = None,
    date: str | None = None,
    role: str = "main",
) -> dict[str, Any]:
    return {
        "type": type_,
        "role": role,
        "sentence": sentence,
        "trigger": "x",
        "source": source or [],
        "target": target or [],
        "location": location,
        "date": date,
    }


def pred(
    sentence: str,
    type_: str = "ASSAULT",
    source: list[dict[str, Any]] | None = None,
    target: list[dict[str, Any]] | None = None,
    location: dict[str, Any] | None = None,
    date: str = "2020-01-01",
    event_id: str = "e",
    article_ids: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": type_,
        "source_actors": source or [],
        "target_actors": target or [],
        "location": location,
        "event_date": date,
        "evidence": {"sentence": sentence},
        "article_ids": article_ids or ["a"],
    }


def actor(text: str, country: str | None = None) -> dict[str, Any]:
    return {"text": text, "country": country}


# --- tokens and sentence match ---------------------------------------------------------------


def test_tokens_are_lowercase_word_runs_as_a_set() -> None:
    assert tokens("Police, police! Smith's 2:30 a.m. Zürich") == {
        "police",
        "smith",
        "s",
        "2",
        "30",
        "a",
        "m",
        "zürich",
    }


def test_overlap_uses_the_smaller_set_and_threshold_is_inclusive() -> None:
    # the prediction is a clause of the gold sentence: 3/3 over the smaller set
    assert sentence_overlap("Police arrested Smith", "Police arrested Smith on Monday in Chicago") == 1
    # exactly 3 of 5 = 0.6 matches, 2 of 5 does not
    assert coding_scores({"a": [gold("a b c d e")]}, {"a": [pred("a b c x y")]})["recall"] == 1.0
    assert coding_scores({"a": [gold("a b c d e")]}, {"a": [pred("a b x y z")]})["recall"] == 0.0


def test_repeated_words_count_once_and_empty_sentences_match_nothing() -> None:
    # as sets: {the, the, the, army} vs {the, army, left, town, now}: 2 / min(2, 5) = 1
    assert sentence_overlap("the the the army", "the army left town now") == 1
    assert sentence_overlap("", "") == 0
    scores = coding_scores({"a": [gold("...")]}, {"a": [pred("...")]})
    assert scores["detection_precision"] == 0.0


# --- pairing -----------------------------------------------------------------------------------


def test_greedy_by_overlap_not_by_gold_order() -> None:
    # g0~p0 = 3/4, g0~p1 = 4/5, g1~p0 = 3/4, g1~p1 = 1. By overlap: g1-p1 first, then g0-p0.
    # Taking each gold in order with its best prediction would pair g0-p1 and g1-p0 (sources wrong).
    g = [gold("w1 w2 w3 w4 k1", source=[actor("Ann")]), gold("w1 w2 w3 w4 z1", source=[actor("Bob")])]
    p = [pred("w1 w2 w3 q1", source=[actor("Ann")]), pred("w1 w2 w3 w4 z1", source=[actor("Bob")])]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["n_typed_pairs"] == 2
    assert scores["source_accuracy"] == 1.0


def test_greedy_is_not_maximum_matching() -> None:
    # g0~p0 = 1, g0~p1 = 3/5, g1~p0 = 4/5, g1~p1 = 2/5. Greedy takes g0-p0 and then nothing fits,
    # although g0-p1 + g1-p0 would be two pairs.
    g = [gold("a b c d e"), gold("a b d e z")]
    p = [pred("a b c d e"), pred("a b c x y")]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["n_typed_pairs"] == 1
    assert scores["recall"] == 0.5 and scores["precision"] == 0.5 and scores["detection_precision"] == 0.5


def test_ties_go_to_the_first_gold_event() -> None:
    # the same sentence coded twice in gold (two victims); one prediction pairs with the first
    g = [
        gold("Bob shot Ann and Tom", target=[actor("Ann")]),
        gold("Bob shot Ann and Tom", target=[actor("Tom")]),
    ]
    p = [pred("Bob shot Ann and Tom", target=[actor("Ann")])]
    assert coding_scores({"a": g}, {"a": p})["target_accuracy"] == 1.0
    p = [pred("Bob shot Ann and Tom", target=[actor("Tom")])]
    assert coding_scores({"a": g}, {"a": p})["target_accuracy"] == 0.0


def test_ties_go_to_the_first_prediction() -> None:
    g = [gold("Bob shot Ann", source=[actor("Bob")])]
    p = [pred("Bob shot Ann", source=[actor("police")]), pred("Bob shot Ann", source=[actor("Bob")])]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["source_accuracy"] == 0.0
    assert scores["precision"] == 0.5


def test_typed_and_detection_pairings_are_independent() -> None:
    # one sentence, two gold events (ASSAULT then COERCE); one COERCE prediction.
    # Detection (any type) pairs it with the first gold event by tie order; typed pairing,
    # computed on its own, pairs it with the COERCE one.
    s = "Police arrested the man who stabbed Ann"
    g = [gold(s, "ASSAULT"), gold(s, "COERCE")]
    p = [pred(s, "COERCE")]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["detection_precision"] == 1.0
    assert scores["precision"] == 1.0
    assert scores["recall"] == 0.5


def test_wrong_type_counts_for_detection_only() -> None:
    scores = coding_scores({"a": [gold("Bob shot Ann", "ASSAULT")]}, {"a": [pred("Bob shot Ann", "COERCE")]})
    assert scores["detection_precision"] == 1.0
    assert scores["precision"] == 0.0 and scores["recall"] == 0.0 and scores["f1"] == 0.0
    assert scores["n_source_scored"] == 0 and scores["source_accuracy"] is None
    assert scores["record_accuracy"] == 0.0


def test_pairs_stay_inside_their_article() -> None:
    scores = coding_scores({"a": [gold("Bob shot Ann")], "b": []}, {"b": [pred("Bob shot Ann")]})
    assert scores["n_predictions"] == 1 and scores["detection_precision"] == 0.0 and scores["recall"] == 0.0
    assert scores["n_articles"] == 2


def test_predictions_for_unlabelled_articles_are_not_scored() -> None:
    scores = coding_scores({"a": [gold("Bob shot Ann")]}, {"a": [pred("Bob shot Ann")], "zzz": [pred("x y")]})
    assert scores["n_predictions"] == 1 and scores["precision"] == 1.0


# --- fields ------------------------------------------------------------------------------------


def test_actor_match_ignores_the_listed_stopwords() -> None:
    assert not actors_right([actor("the police")], [actor("the army")])  # only 'the' in common
    assert not actors_right([actor("his wife")], [actor("her husband of 20 years")])
    assert not actors_right([actor("supporters of the mayor")], [actor("members of the council")])
    assert not actors_right([actor("Smith's lawyers")], [actor("Jones's family")])  # only 's'
    assert actors_right([actor("Pakistan's government")], [actor("Pakistan")])
    assert actors_right([actor("POLICE")], [actor("Chicago police")])  # case-insensitive
    assert actors_right([actor("Bob"), actor("the crowd")], [actor("a crowd of 100")])  # any pair


def test_actor_emptiness() -> None:
    assert actors_right([], [])
    assert not actors_right([actor("police")], [])
    assert not actors_right([], [actor("police")])
    assert not actors_right([actor("the")], [actor("the")])  # nothing left after stopwords


def test_country_sets_of_non_null_codes() -> None:
    assert countries_right([actor("x", "USA"), actor("y")], [actor("z", "USA")])
    assert countries_right([actor("UN")], [])  # {} == {}
    assert countries_right([], [actor("UN", None)])
    assert countries_right([actor("a", "USA"), actor("b", "USA")], [actor("c", "USA")])
    assert not countries_right([actor("a", "USA")], [actor("b", "USA"), actor("c", "CHN")])
    assert not countries_right([actor("a", "FRA")], [actor("b")])


def test_location_null_rule_and_161_km() -> None:
    assert location_right(None, None)
    assert not location_right(CHICAGO, None)  # gold says nowhere below the country: must be null
    assert not location_right(None, CHICAGO)
    near = {"lat": 41.88 + 1.4, "lon": -87.63}  # ~156 km north
    far = {"lat": 41.88 + 1.5, "lon": -87.63}  # ~167 km north
    assert location_right(near, CHICAGO)
    assert not location_right(far, CHICAGO)
    assert not location_right({"name": "USA", "lat": None, "lon": None}, CHICAGO)


def test_haversine_radius() -> None:
    # one degree of latitude on a 6371.0088 km sphere
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.1951, abs=1e-3)


def test_date_scored_only_where_gold_date_is_set() -> None:
    s = "Bob shot Ann"
    unscored = coding_scores({"a": [gold(s)]}, {"a": [pred(s, date="1999-01-01")]})
    assert unscored["n_date_scored"] == 0 and unscored["date_accuracy"] is None
    assert unscored["record_accuracy"] == 1.0  # a wrong date where gold has none does not hurt
    wrong = coding_scores({"a": [gold(s, date="2019-05-14")]}, {"a": [pred(s, date="2019-05-15")]})
    assert wrong["n_date_scored"] == 1 and wrong["date_accuracy"] == 0.0 and wrong["record_accuracy"] == 0.0
    right = coding_scores({"a": [gold(s, date="2019-05-14")]}, {"a": [pred(s, date="2019-05-14")]})
    assert right["date_accuracy"] == 1.0 and right["record_accuracy"] == 1.0


def test_fields_are_scored_on_typed_pairs_only_and_counted() -> None:
    s = "Police arrested Bob in Chicago"
    g = [gold(s, "COERCE", [actor("police", "USA")], [actor("Bob", "USA")], CHICAGO)]
    p = [pred(s, "COERCE", [actor("Chicago police", "USA")], [actor("Bob Smith", "USA")], CHICAGO)]
    scores = coding_scores({"a": g}, {"a": p})
    for name in ("source", "target", "source_country", "target_country", "location"):
        assert scores[f"{name}_accuracy"] == 1.0
        assert scores[f"n_{name}_scored"] == 1
    assert scores["record_accuracy"] == 1.0


def test_record_accuracy_is_over_predictions_and_needs_every_field() -> None:
    s1, s2, s3 = "Police arrested Bob", "Bob shot Ann", "The mayor praised the police"
    g = [
        gold(s1, "COERCE", [actor("police", "USA")], [actor("Bob", "USA")]),
        gold(s2, "ASSAULT", [actor("Bob", "USA")], [actor("Ann", "USA")]),
    ]
    p = [
        pred(s1, "COERCE", [actor("police", "USA")], [actor("Bob", "USA")]),  # all right
        pred(s2, "ASSAULT", [actor("Bob", "USA")], [actor("Ann", "GBR")]),  # target country wrong
        pred(s3, "SUPPORT", [actor("mayor")], [actor("police")]),  # no gold
        pred("Rain fell on Chicago today", "PROTEST"),  # no gold
    ]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["record_accuracy"] == 0.25
    assert scores["precision"] == 0.5 and scores["recall"] == 1.0
    assert scores["f1"] == pytest.approx(2 / 3)
    assert scores["target_country_accuracy"] == 0.5 and scores["target_accuracy"] == 1.0


def test_empty_denominators_are_none_not_zero() -> None:
    scores = coding_scores({"a": []}, {})
    assert scores["precision"] is None and scores["recall"] is None and scores["f1"] == 0.0
    assert scores["n_gold"] == 0 and scores["n_predictions"] == 0 and scores["n_articles"] == 1
    no_preds = coding_scores({"a": [gold("Bob shot Ann")]}, {})
    assert no_preds["recall"] == 0.0 and no_preds["precision"] is None


def test_breakdowns() -> None:
    g = [gold("Bob shot Ann", "ASSAULT", role="background"), gold("Police arrested Bob", "COERCE")]
    p = [pred("Bob shot Ann", "ASSAULT"), pred("Police arrested Bob", "ACCUSE")]
    scores = coding_scores({"a": g}, {"a": p})
    assert scores["by_type"]["ASSAULT"] == {
        "n_gold": 1,
        "n_predictions": 1,
        "n_typed_pairs": 1,
        "n_detection_pairs": 1,
    }
    assert scores["by_type"]["COERCE"] == {
        "n_gold": 1,
        "n_predictions": 0,
        "n_typed_pairs": 0,
        "n_detection_pairs": 1,
    }
    assert scores["by_type"]["ACCUSE"]["n_predictions"] == 1
    assert (
        scores["by_role"]["background"]["n_typed_pairs"] == 1
        and scores["by_role"]["main"]["n_typed_pairs"] == 0
    )


# --- attribution -------------------------------------------------------------------------------


def test_attribute_keeps_latest_version_per_event_and_every_article() -> None:
    records = [
        pred("old sentence", event_id="e1", article_ids=["a"]),
        pred("other", event_id="e2", article_ids=["b"]),
        pred("new sentence", event_id="e1", article_ids=["a", "c", "a"]),
    ]
    by_article = events_by_article(records)
    assert [r["evidence"]["sentence"] for r in by_article["a"]] == ["new sentence"]
    assert [r["evidence"]["sentence"] for r in by_article["c"]] == ["new sentence"]
    assert [r["event_id"] for r in by_article["b"]] == ["e2"]
    # a record counts as a prediction for each article it belongs to
    g = {"a": [gold("new sentence")], "c": [], "b": []}
    assert coding_scores(g, by_article)["n_predictions"] == 3


def test_attribute_orders_by_latest_version() -> None:
    records = [
        pred("Bob shot Ann", source=[actor("police")], event_id="e1"),
        pred("Bob shot Ann", source=[actor("Bob")], event_id="e2"),
        pred("Bob shot Ann", source=[actor("police")], event_id="e1"),  # e1 re-published after e2
    ]
    by_article = events_by_article(records)
    assert [r["event_id"] for r in by_article["a"]] == ["e2", "e1"]
    scores = coding_scores({"a": [gold("Bob shot Ann", source=[actor("Bob")])]}, by_article)
    assert scores["source_accuracy"] == 1.0  # tie goes to e2, now first in file order
