"""Event locations: the event's sentence, else the dateline, else the setting of the article's lead;
never a country alone."""

from __future__ import annotations

from extract_articles import article

from streams.contracts import Event
from streams.stages import geo
from streams.stages.extract import Extractor


def _events(extractor: Extractor, text: str, **extra: object) -> list[Event]:
    return extractor.extract([article(text, **extra)])[0]


def test_the_sentence_names_the_place(extractor: Extractor) -> None:
    (event,) = _events(extractor, "Police arrested two men in Leeds on Monday after a robbery.")
    assert event["location"] is not None and event["location"]["name"] == "Leeds"
    assert event["location_source"] == "sentence"


def test_a_country_alone_is_no_location(extractor: Extractor) -> None:
    (event,) = _events(extractor, "Police in Brazil arrested two men on Monday after a robbery.")
    assert event["location"] is None and event["location_source"] == "none"


def test_the_dateline_covers_the_article(extractor: Extractor) -> None:
    leeds = geo.lookup("Leeds")
    (event,) = _events(extractor, "Police arrested two men on Monday after a robbery.", dateline=leeds)
    assert event["location"] is not None and event["location"]["name"] == "Leeds"
    assert event["location_source"] == "dateline"
    assert (event["location"]["start"], event["location"]["end"]) == (0, 0)  # lifted out of the text


def test_the_lead_happens_where_the_article_is_set(extractor: Extractor) -> None:
    text = (
        "Police arrested two men on Monday after a robbery at a jewellery shop. "
        "The shop is one of the oldest in Leeds, and Leeds traders said they were shaken."
    )
    events = _events(extractor, text)
    arrest = next(e for e in events if e["event_type"] == "COERCE")
    assert arrest["location"] is not None and arrest["location"]["name"] == "Leeds"
    assert arrest["location_source"] == "article"


def test_a_body_named_after_its_place_acts_there(extractor: Extractor) -> None:
    text = "The Dayton Police Department arrested two teenagers on Friday after a robbery."
    (event,) = _events(extractor, text)
    assert event["location"] is not None and event["location"]["name"] == "Dayton"
    (event,) = _events(extractor, "A Dayton man attacked a cashier with a knife on Friday.")
    assert event["location"] is None


def test_the_dateline_does_not_cover_an_earlier_event(extractor: Extractor) -> None:
    leeds = geo.lookup("Leeds")
    text = "Police arrested two men on Monday after a robbery. The men had been convicted of fraud in 2015."
    events = _events(extractor, text, dateline=leeds)
    arrest = next(e for e in events if e["event_type"] == "COERCE")
    conviction = next(e for e in events if e["event_type"] == "SANCTION")
    assert arrest["location"] is not None and arrest["location"]["name"] == "Leeds"
    assert conviction["role"] == "background"
    assert conviction["location"] is None and conviction["location_source"] == "none"


def test_local_news_happens_where_its_police_are(extractor: Extractor) -> None:
    text = (
        "A man was charged with murder on Friday, according to Leeds police. "
        "The victim was a teacher and a father of three. "
        "Officers said the man had been identified by two witnesses. "
        "He was arrested on Thursday morning."
    )
    arrest = next(e for e in _events(extractor, text) if e["event_type"] == "COERCE")
    assert arrest["location"] is not None and arrest["location"]["name"] == "Leeds"
    assert arrest["location_source"] == "article"
    (elsewhere,) = _events(extractor, "He was arrested on Thursday morning after a robbery in a shop.")
    assert elsewhere["location"] is None


def test_a_case_out_of_a_place_happened_there(extractor: Extractor) -> None:
    text = "He is serving a life sentence after being convicted of robbery out of Leeds in 2015."
    conviction = next(e for e in _events(extractor, text) if e["event_type"] == "SANCTION")
    assert conviction["location"] is not None and conviction["location"]["name"] == "Leeds"
    assert conviction["location_source"] == "sentence"


def test_a_state_states_things_from_home_not_from_the_dateline(extractor: Extractor) -> None:
    warsaw = geo.lookup("Warsaw")
    text = "Russia's foreign ministry on Tuesday accused Poland of lying about the border."
    (accusation,) = _events(extractor, text, dateline=warsaw)
    assert accusation["location"] is None
    text = "Poland's foreign ministry on Tuesday accused Russia of lying about the border."
    (accusation,) = _events(extractor, text, dateline=warsaw)
    assert accusation["location"] is not None and accusation["location"]["name"] == "Warsaw"
    text = "Russian Foreign Minister Sergei Lavrov on Tuesday accused Poland of lying about the border."
    (accusation,) = _events(extractor, text, dateline=warsaw)  # a minister travels: he may be there
    assert accusation["location"] is not None and accusation["location"]["name"] == "Warsaw"


def test_a_statement_is_not_where_the_act_it_tells_of_happened(extractor: Extractor) -> None:
    beijing = geo.lookup("Beijing")
    text = "China on Monday accused Vietnam of shelling a fishing village near Hanoi and warned it to stop."
    events = _events(extractor, text, dateline=beijing)
    for event_type in ("ACCUSE", "THREATEN"):  # the warning joined to the accusation, too
        statement = next(e for e in events if e["event_type"] == event_type)
        assert statement["location"] is not None and statement["location"]["name"] == "Beijing"
    text = "At a rally in Shanghai on Monday, the premier accused Vietnam of lying."
    accusation = next(e for e in _events(extractor, text, dateline=beijing) if e["event_type"] == "ACCUSE")
    assert accusation["location"] is not None and accusation["location"]["name"] == "Shanghai"


def test_the_country_a_participant_is_described_by_is_not_the_events(extractor: Extractor) -> None:
    brussels = geo.lookup("Brussels")
    text = "The European Union on Monday imposed sanctions on two banks registered in Cyprus."
    (sanction,) = _events(extractor, text, dateline=brussels)
    assert sanction["location"] is not None and sanction["location"]["name"] == "Brussels"


def test_actors_read_a_place_name_as_the_article_does(extractor: Extractor) -> None:
    paris = geo.lookup("Paris", country="USA")
    text = "Paris police arrested a man on Tuesday after a shooting on County Road 42110."
    (event,) = [e for e in _events(extractor, text, dateline=paris) if e["event_type"] == "COERCE"]
    (police,) = event["source_actors"]
    assert police["country"] == "USA"  # the Paris of the 'PARIS, Texas' dateline, not France
    assert event["location"] is not None and event["location"]["country"] == "USA"
