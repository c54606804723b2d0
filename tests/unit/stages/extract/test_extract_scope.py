"""What a clause takes from the clause it hangs on (issue #11, detection precision): a denying subject,
a modal or a future of the clause above. One invented sentence per rule, next to one the rule keeps."""

from __future__ import annotations

import pytest
from extract_articles import event_types

from streams.stages.extract import Extractor
from streams.stages.extract.coding import event_triggers
from streams.stages.extract.modality import unreal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a subject with 'no' denies the event, like 'No one'
        ("No foreign observers were allowed into the polling stations in Minsk.", []),
        ("Observers were allowed into the polling stations in Minsk by the board.", ["CONCEDE"]),
        # a present-tense time clause under 'will' tells the future
        ("Farmers will gather in Lyon on Friday while ministers take part in talks on subsidies.", []),
        ("Farmers gathered in Lyon on Friday while ministers took part in talks on subsidies.", ["CONSULT"]),
        # an event noun under a preposition and an announced 'will' is a plan
        ("The orchestra said it will continue with its tour of Japan next month.", []),
        ("The orchestra said it continued with its tour of Japan last month.", ["CONSULT"]),
    ],
)
def test_clauses_take_the_modality_above(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a capitalised word hyphenated to a capitalised word is a name
        ("Kari Holm said the patch was a workaround in Oslo, like applying a Band-Aid to a wound.", []),
        # blocking attacks is a defence, not a protest
        ("The new filter in Seattle blocked all known attacks on the network.", []),
        ("Farmers blocked the highway near Lyon on Monday.", ["PROTEST"]),
        # admitted to a school is no agreement
        ("Maria Lopez was accepted to three universities in Texas, her father said.", []),
        ("Maria Lopez accepted the offer from the club in Madrid.", ["AGREE"]),
        # a noun counted through a chain of 'of'
        ("Tom Baker has filed dozens of freedom of information requests with police in Ohio.", []),
    ],
)
def test_names_defences_admissions_and_counts(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative clause of the same type on a participant retells the sentence's event
        (
            "Tom Baker was accused of fraud by Jane Roe, who filed a complaint with the court in Ohio.",
            ["ACCUSE"],
        ),
        # a participle under a verb of the same type tells how that occurrence went
        (
            "The suit was settled in Ohio in 1990, with Acme paying $5,000 and agreeing to leave the market.",
            ["AGREE"],
        ),
        ("Police in Tijuana arrested Tom Baker on Sunday after shooting his brother.", ["ASSAULT", "COERCE"]),
    ],
)
def test_a_clause_of_the_same_type_is_the_same_occurrence(
    extractor: Extractor, text: str, expected: list[str]
) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        # a gerund without a subject under a preposition takes the modal of the clause it hangs on
        ("Tom Baker could be facing a fine in addition to violating his probation.", "violating", "possible"),
        ("Tom Baker was fined in Ohio in addition to violating his probation.", "violating", None),
    ],
)
def test_a_gerund_takes_the_modal_of_its_clause(
    extractor: Extractor, text: str, word: str, expected: str | None
) -> None:
    doc = extractor.nlp(text)
    assert unreal(next(t for t in doc if t.text == word)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a noun joined to what an aid verb gives is part of that aid
        ("The Red Cross delivered food and support to refugees in Goma on Monday.", ["AID"]),
        # a raid by the police is a search, not an attack
        ("Tom Baker was found during a police raid on a house in Leeds on Friday.", ["COERCE"]),
        ("Gunmen carried out a raid on a village near Jos on Friday.", ["ASSAULT"]),
    ],
)
def test_joined_objects_and_police_raids(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what someone strives for has not happened
        ("Norway and Chile have made tireless efforts in Oslo for a lasting settlement of the dispute.", []),
        ("Norway and Chile reached a lasting settlement of the dispute in Oslo on Monday.", ["AGREE"]),
    ],
)
def test_goals_and_rules_are_no_events(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


def test_a_verb_of_hitting_in_a_bout_report_is_play(extractor: Extractor) -> None:
    text = (
        "Ivan Petrov (30-2, 25 KOs) blasted a tired Tom Baker (20-5, 12 KOs) in Leeds on Saturday to keep "
        "his heavyweight title. The referee stopped it in the fifth round."
    )
    assert sorted(event_types(extractor, text)) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what a rule states must be done is no one's demand
        ("The school code states that pupils should wear uniforms.", []),
        ("The head teacher states that pupils should wear uniforms.", ["REQUEST"]),
    ],
)
def test_what_a_rule_states_is_no_demand(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert [t.plover for t, _, _ in event_triggers(extractor.nlp(text))] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # praise of a product supports no party
        ("The new Galaxy was praised by Lee Jae-yong in Seoul as the best yet.", []),
        ("Lee Jae-yong praised the workers of the plant in Seoul on Monday.", ["SUPPORT"]),
        # 'the original X' is a product, and a product released is no concession
        ("Since the original Walkman was released in 1979, Sony has sold millions in Tokyo.", []),
    ],
)
def test_products_are_not_parties(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 'have' with a bare plural event noun tells a kind, not one occurrence
        ("Rome and Madrid have had protests of their own.", []),
        ("Students in Athens held protests on Monday.", ["PROTEST"]),
    ],
)
def test_having_had_events_is_a_kind(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert [t.plover for t, _, _ in event_triggers(extractor.nlp(text))] == expected


def test_what_a_thing_includes_is_its_content(extractor: Extractor) -> None:
    doc = extractor.nlp("Sony announced in Tokyo that the next update will include more support for games.")
    assert unreal(next(t for t in doc if t.text == "support")) == "content"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # breaking a law is a crime, not a defiance of anyone (the fine is a sanction)
        ("Acme Corp. was fined in Ohio in 2004 after violating state law.", ["SANCTION"]),
        # a violation a claim alleges is what the claim says, not an event of its own
        ("The Ohio lawsuit claims that Acme Corp. violated the 1990 agreement with Tom Baker.", []),
        ("Acme Corp. violated the ceasefire agreement with Tom Baker in Ohio on Monday.", ["REJECT"]),
    ],
)
def test_violations_of_laws_and_claimed_ones(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what a standing rule permits is no concession
        ("The regulations in Texas allow federal agencies to skip reviews.", []),
        ("Tom Baker said in Austin the regulations that allow agencies to skip reviews are wrong.", []),
        ("The court in Kyiv allowed Ivan Petrov to leave the country on Monday.", ["CONCEDE"]),
        # a denied present perfect is 'not yet', no refusal
        ("Prosecutors in Leeds have not signed off on the plea deal for Tom Baker.", []),
        ("Prosecutors in Leeds did not sign the plea deal for Tom Baker on Monday.", ["REJECT"]),
    ],
)
def test_standing_rules_and_not_yet(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a product released to its users, or offered as a free trial, is commerce
        ("Acme Corp. in Oslo is releasing Quick Notes for all its business customers.", []),
        ("Acme Corp. in Oslo is offering free two-week trials of Quick Notes Pro.", []),
        ("Police in Oslo released Tom Baker on Monday.", ["CONCEDE"]),
    ],
)
def test_products_released_and_tried(extractor: Extractor, text: str, expected: list[str]) -> None:
    assert sorted(event_types(extractor, text)) == expected
