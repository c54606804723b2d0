"""Extract stage: event records whose type, actors, place, date and evidence trace to the words."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from spacy.pipeline import TrainablePipe

from streams import contracts
from streams.contracts import Actor, CleanArticle, Event
from streams.stages.extract import Extractor, _trigger_words, resolve_date, sentences

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "raw-article-trilateral-ministers.txt"
DEBRIS = {
    "No menu items!",
    "Share This Post",
    "- Advertisement -",
    "[워싱턴=뉴시스]",
    "Source: Donga",
    "Related Posts",
}


def article(text: str, language: str = "en", article_id: str = "a1", **extra: Any) -> CleanArticle:
    record: dict[str, Any] = {
        "schema_version": contracts.SCHEMA_VERSION,
        "id": article_id,
        "url": "https://news.example.com/2024/02/23/story",
        "source": None,
        "title": None,
        "text": text,
        "language": language,
        "language_confidence": 0.99,
        "language_hint": None,
        "mixed_language": False,
        "published_at": "2024-02-23T00:00:00Z",
        "published_at_source": "record",
        "received_at": "2024-02-23T00:05:00.000000Z",
        "content_hash": "0" * 16,
        "author": None,
        "dateline": None,
        "agency": None,
        "credited_source": None,
        "meta": {},
    }
    record.update(extra)
    return record  # type: ignore[return-value]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor()


@pytest.fixture(scope="module")
def sample(extractor: Extractor) -> tuple[CleanArticle, list[Event]]:
    lines = (line.strip() for line in SAMPLE.read_text("utf-8").splitlines())
    text = "\n\n".join(line for line in lines if line and line not in DEBRIS)
    record = article(text, article_id="trilateral")
    return record, extractor.extract([record])[0]


def _countries(event: Event) -> set[str | None]:
    return {a["country"] for a in (*event["source_actors"], *event["target_actors"])}


def test_sample_consult_in_rio_on_the_22nd(sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    consult = next(e for e in events if e["event_type"] == "CONSULT")
    assert {"KOR", "USA", "JPN"} <= _countries(consult)
    assert all(a["sector"] == "GOV" for a in consult["source_actors"])
    location = consult["location"]
    assert location is not None
    assert (location["name"], location["country"]) == ("Rio de Janeiro", "BRA")
    assert record["text"][location["start"] : location["end"]] == "Rio de Janeiro"
    assert (consult["event_date"], consult["date_resolution"]) == ("2024-02-22", "day_of_month")
    evidence = consult["evidence"]
    assert record["text"][evidence["start"] : evidence["end"]] == evidence["sentence"]
    assert "met in Brazil on the 22nd" in evidence["sentence"]
    assert record["text"][evidence["trigger_start"] : evidence["trigger_end"]] == evidence["trigger"] == "met"
    for actor in consult["source_actors"]:
        assert record["text"][actor["start"] : actor["end"]] == actor["text"]
    assert (consult["cameo_root"], consult["quad_class"]) == ("04", 1)


def test_sample_agreement_to_cooperate_with_the_same_actors(sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    consult = next(e for e in events if e["event_type"] == "CONSULT")
    agree = next(e for e in events if e["event_type"] in ("AGREE", "COOPERATE"))
    assert {"KOR", "USA", "JPN"} <= _countries(agree)
    evidence = agree["evidence"]
    assert record["text"][evidence["start"] : evidence["end"]] == evidence["sentence"]
    assert "decided to strengthen cooperation" in evidence["sentence"]
    assert evidence["trigger"] == "strengthen"
    assert agree["event_date"] == "2024-02-22"
    assert agree["event_id"] != consult["event_id"]


def test_records_follow_the_events_contract(sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    assert events
    for event in events:
        contracts.validate(contracts.EVENTS, event)
        assert event["article_ids"] == ["trilateral"]
        assert event["sources"] == ["news.example.com"] and event["num_sources"] == 1
        assert event["languages"] == ["en"] and event["first_seen"] == record["received_at"]
        assert 0 < event["confidence"] <= 1
    places = record["places"]
    assert places and all(record["text"][p["start"] : p["end"]] == p["text"] for p in places)


def test_event_ids_are_deterministic(extractor: Extractor, sample: tuple[CleanArticle, list[Event]]) -> None:
    record, events = sample
    again = extractor.extract([dict(record)])[0]  # type: ignore[list-item]
    assert [e["event_id"] for e in again] == [e["event_id"] for e in events]


def test_batch_keeps_order_and_skips_other_languages(extractor: Extractor) -> None:
    german = article("Die Polizei hat am Montag zwei Demonstranten in Berlin festgenommen.", "de", "de1")
    english = article("Israeli police arrested two protesters in Jerusalem on Monday.", article_id="en1")
    results = extractor.extract([german, english])
    assert results[0] == [] and "places" not in german
    (event,) = results[1]
    assert (event["event_type"], event["mode"]) == ("COERCE", "seize")
    assert event["source_actors"][0]["country"] == "ISR" and event["source_actors"][0]["sector"] == "COP"
    assert event["location"] is not None and event["location"]["name"] == "Jerusalem"
    assert event["event_date"] == "2024-02-19" and event["date_resolution"] == "weekday"


def test_reported_speech_is_attributed(extractor: Extractor) -> None:
    text = "Officials in Washington said Iran threatened to close the Strait of Hormuz to American ships."
    (events,) = extractor.extract([article(text)])
    threat = max(events, key=lambda e: e["confidence"])
    assert threat["event_type"] == "THREATEN"
    assert threat["source_actors"][0]["country"] == "IRN"
    assert threat["quotes"] and threat["quotes"][0]["speaker"].startswith("Officials")
    quote = threat["quotes"][0]
    assert text[quote["start"] - 0 : quote["end"]] == quote["text"]


def test_compound_actors_expand_and_organisations_code(extractor: Extractor) -> None:
    text = "The G20 and the United Nations condemned the attack on civilians in Kabul."
    (events,) = extractor.extract([article(text)])
    accuse = next(e for e in events if e["event_type"] == "ACCUSE")
    sources = {(a["name"], a["sector"]) for a in accuse["source_actors"]}
    assert ("G20", "IGO") in sources and ("United Nations", "IGO") in sources


def test_places_have_spans_and_count_adjectival_and_metonymic_uses(extractor: Extractor) -> None:
    text = (
        "Turkey shelled the town, a French engineer said in Paris. He later flew to Rio de Janeiro, Brazil."
    )
    places = extractor.places(text)
    by_text = {p["text"]: p for p in places}
    assert {"Turkey", "French", "Paris", "Rio de Janeiro", "Brazil"} <= set(by_text)
    assert by_text["French"]["country"] == "FRA" and by_text["Turkey"]["feature"] == "country"
    assert all(text[p["start"] : p["end"]] == p["text"] for p in places)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("They met on the 22nd (local time).", ("2024-02-22", "day_of_month")),
        ("They met on the 28th.", ("2024-01-28", "day_of_month")),
        ("Talks resumed last Tuesday.", ("2024-02-20", "weekday")),
        ("Troops withdrew yesterday.", ("2024-02-22", "relative_day")),
        ("The deal was signed on February 2, 2023.", ("2023-02-02", "explicit")),
        ("The deal was signed.", ("", "none")),
    ],
)
def test_resolve_date(sentence: str, expected: tuple[str, str]) -> None:
    assert resolve_date(sentence, 0, date(2024, 2, 23)) == expected


def test_sentences_keep_abbreviations_together() -> None:
    text = "The U.S. Secretary met Mr. Cho. They agreed.\nNew paragraph here."
    assert [text[s:e] for s, e in sentences(text)] == [
        "The U.S. Secretary met Mr. Cho.",
        "They agreed.",
        "New paragraph here.",
    ]


def test_only_words_that_can_carry_a_trigger_get_a_sentence_parsed() -> None:
    def words(text: str) -> set[str]:
        return _trigger_words(text, 0, len(text))

    assert words("Tickets go on sale in March, according to the Free Press.") == set()
    assert words("He will step aside.") == set()
    assert "step" in words("He will step down.")
    assert {"marched", "talks"} <= words("Talks failed and workers marched on the capital.")
    assert "gave" in words("Norway gave assistance to the refugees.")


def test_layers_multiply_outside_blis(extractor: Extractor) -> None:
    """thinc's bundled BLIS falls back to generic kernels on CPUs it does not know; numpy's OpenBLAS
    does not. The embedding layers carry most of the cost: the shared one and the recogniser's own."""
    tok2vec, ner = extractor.nlp.get_pipe("tok2vec"), extractor.nlp.get_pipe("ner")
    assert isinstance(tok2vec, TrainablePipe) and isinstance(ner, TrainablePipe)
    embedders = [tok2vec.model, ner.model.get_ref("tok2vec")]
    layers = [layer for model in embedders for layer in model.walk()]
    assert len(layers) > 50 and not any(getattr(layer.ops, "use_blis", True) for layer in layers)


def _actors(extractor: Extractor, text: str) -> list[Actor]:
    """Every actor of every event the sentence states, each checked against its span in the text."""
    (events,) = extractor.extract([article(text)])
    actors = [a for e in events for a in (*e["source_actors"], *e["target_actors"])]
    assert all(text[a["start"] : a["end"]] == a["text"] for a in actors)
    return actors


@pytest.mark.parametrize(
    ("text", "real", "junk"),
    [
        (
            "Turkish warplanes on Monday bombed Kurdish rebel positions in northern Iraq.",
            ("Turkish warplanes", "TUR"),
            "Monday",
        ),
        ("Police arrested 12 people in Paris on Saturday evening.", ("12 people", "FRA"), "Saturday evening"),
        (
            "Those who attacked the convoy were arrested by Iraqi police on March 3.",
            ("Iraqi police", "IRQ"),
            "March 3",
        ),
        (
            "China warned the United States on Monday night not to interfere.",
            ("the United States", "USA"),
            "Monday night",
        ),
        ("Japan pledged $10 million for Bangladesh on Tuesday.", ("Bangladesh", "BGD"), "Tuesday"),
    ],
)
def test_dates_and_times_are_not_actors(
    extractor: Extractor, text: str, real: tuple[str, str], junk: str
) -> None:
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries.get(real[0]) == real[1]
    assert junk not in countries


def test_a_month_inside_a_name_is_kept(extractor: Extractor) -> None:
    names = {
        a["text"] for a in _actors(extractor, "In May, Theresa May met Chancellor Angela Merkel in Berlin.")
    }
    assert "Theresa May" in names and "May" not in names


def test_determiners_and_capitalised_common_words_are_not_places(extractor: Extractor) -> None:
    """'The' is also an alternate name of Teresina, Brazil; 'East' a Cameroonian region."""
    (army,) = _actors(extractor, "The army shelled the town at 5 a.m. on Sunday, residents said.")
    assert (army["text"], army["sector"]) == ("The army", "MIL") and army["country"] != "BRA"
    text = "The unification ministry in Seoul urged Pyongyang to respond to its offer of military talks."
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries == {"The unification ministry in Seoul": "KOR", "Pyongyang": "PRK"}
    text = "Madeleine Albright arrived in Cairo on Sunday to push the Middle East peace process."
    assert "CMR" not in {a["country"] for a in _actors(extractor, text)}


def test_pronouns_and_name_parts_are_not_organisations(extractor: Extractor) -> None:
    """The pronoun 'who' is not the WHO, nor the 'Un' of a Korean name the UN."""
    text = "Kim Jong Un vowed to annihilate South Korea if attacked, state media KCNA reported."
    kim = next(a for a in _actors(extractor, text) if a["text"] == "Kim Jong Un")
    assert kim["sector"] != "IGO"
    text = (
        "Authorities have released the name of a woman who was walking outside the store when she was "
        "struck by a motorist."
    )
    actors = _actors(extractor, text)
    assert [(a["text"], a["sector"]) for a in actors] == [("Authorities", "GOV")]


@pytest.mark.parametrize(
    ("text", "quoted", "country"),
    [
        (
            'Iran\'s foreign minister said the "American aggressors" attacked Syria on Sunday.',
            'the "American aggressors"',
            "USA",
        ),
        (
            'Syria\'s government rejected the "so-called opposition in Geneva" and its demands.',
            'the "so-called opposition in Geneva"',
            "CHE",
        ),
    ],
)
def test_actors_never_split_a_quotation(extractor: Extractor, text: str, quoted: str, country: str) -> None:
    actors = _actors(extractor, text)
    assert all(a["text"].count('"') % 2 == 0 for a in actors)
    assert {a["text"]: a["country"] for a in actors}[quoted] == country


def test_clauses_are_not_part_of_an_actor(extractor: Extractor) -> None:
    text = (
        "NATO foreign ministers on Wednesday expressed strong support for Moldova's sovereignty and its "
        "pro-European government, which accuses Russia of trying to destabilise the country."
    )
    actors = _actors(extractor, text)
    assert not any("which" in a["text"] or "support" in a["text"] for a in actors)
    assert ("NATO foreign ministers", "IGO") in {(a["text"], a["sector"]) for a in actors}
    assert "MDA" in {a["country"] for a in actors}


def test_events_are_not_actors_their_owners_are(extractor: Extractor) -> None:
    text = "Ethiopia on Thursday rejected Egypt's demand for a binding agreement on the dam."
    assert {a["text"]: a["country"] for a in _actors(extractor, text)} == {"Ethiopia": "ETH", "Egypt": "EGY"}
    text = "Egypt on Tuesday condemned the Israeli raid on southern Lebanon."
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries["Israeli"] == "ISR" and "the Israeli raid" not in countries


def test_an_adjective_is_an_actor_only_as_a_demonym(extractor: Extractor) -> None:
    actors = _actors(extractor, "He said military cooperation with Russia had increased.")
    assert [(a["text"], a["country"]) for a in actors] == [("Russia", "RUS")]


def test_actors_of_adjunct_clauses_and_of_ready_to(extractor: Extractor) -> None:
    """Where a dropped weekday used to carry the other side's country, the real actor must."""
    text = (
        "Chinese Premier Li Peng on Wednesday met visiting Japanese Foreign Minister Keizo Obuchi in Beijing."
    )
    countries = {a["text"]: a["country"] for a in _actors(extractor, text)}
    assert countries["Japanese Foreign Minister Keizo Obuchi"] == "JPN" and "Wednesday" not in countries
    text = "Syria said on Monday it was ready to resume peace talks with Israel."
    (event,) = extractor.extract([article(text)])[0]
    assert [a["country"] for a in event["source_actors"]] == ["SYR"]
    assert [a["country"] for a in event["target_actors"]] == ["ISR"]
