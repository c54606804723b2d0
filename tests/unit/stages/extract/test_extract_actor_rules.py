"""Actors and their countries as the coding guidelines define them: who did it and to whom, in the
shortest words that name them, each country read from what the article states or makes plain."""

from __future__ import annotations

from extract_articles import article

from streams.contracts import Event
from streams.stages.extract import Extractor
from streams.stages.extract.actors import subject_of


def _events(extractor: Extractor, text: str, **extra: object) -> list[Event]:
    (events,) = extractor.extract([article(text, **extra)])
    for event in events:
        for actor in (*event["source_actors"], *event["target_actors"]):
            assert text[actor["start"] : actor["end"]] == actor["text"]
    return events


def _event(extractor: Extractor, text: str, event_type: str) -> Event:
    return next(e for e in _events(extractor, text) if e["event_type"] == event_type)


def _texts(actors: list) -> list[str]:  # type: ignore[type-arg]
    return [a["text"] for a in actors]


def test_common_nouns_for_people_are_actors(extractor: Extractor) -> None:
    event = _event(extractor, "Officers arrested a man and two women outside a bar in Denver.", "COERCE")
    assert _texts(event["source_actors"]) == ["Officers"]
    assert _texts(event["target_actors"]) == ["a man", "two women"]
    assert {a["country"] for a in event["target_actors"]} == {"USA"}


def test_things_acted_on_are_not_actors_their_counterparts_are(extractor: Extractor) -> None:
    event = _event(
        extractor, "Acme Ltd. signed a ten-year contract with the Defence Ministry in London.", "AGREE"
    )
    assert [a["text"].startswith("the Defence Ministry") for a in event["target_actors"]] == [True]
    events = _events(extractor, "Qantas agreed to buy twelve new aircraft from a European supplier.")
    assert not any("aircraft" in a["text"] for e in events for a in e["target_actors"])


def test_a_charge_is_not_a_target(extractor: Extractor) -> None:
    text = "Police in Baku arrested Elmar Aliyev on Monday and charged him with abuse of authority."
    charge = _event(extractor, text, "ACCUSE")
    assert _texts(charge["target_actors"]) == ["Elmar Aliyev"]


def test_pronouns_stand_for_the_name_before_them(extractor: Extractor) -> None:
    text = (
        "Maria Lopez, the mayor of Tucson, Arizona, faced a recall vote in March. "
        "She resigned on Friday, city officials in Tucson said."
    )
    resigned = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "resigned")
    assert _texts(resigned["source_actors"]) == ["Maria Lopez"]


def test_the_one_a_passive_is_about_does_the_verb_below_it(extractor: Extractor) -> None:
    text = "Daniel Reyes of Tulsa, Oklahoma, is accused of shooting John Brown outside a store in Tulsa."
    assault = _event(extractor, text, "ASSAULT")
    assert any("Reyes" in a["text"] for a in assault["source_actors"])
    assert any("John Brown" in a["text"] for a in assault["target_actors"])


def test_verbs_joined_to_the_trigger_share_its_objects(extractor: Extractor) -> None:
    assault = _event(extractor, "Officers shot and killed a teenager in Brooklyn on Saturday.", "ASSAULT")
    assert _texts(assault["target_actors"]) == ["a teenager"]


def test_an_arrest_in_the_passive_is_by_the_police_the_sentence_cites(extractor: Extractor) -> None:
    arrest = _event(extractor, "The suspect was arrested in Leeds on Friday, police said.", "COERCE")
    assert _texts(arrest["source_actors"]) == ["police"]
    assert _texts(arrest["target_actors"]) == ["The suspect"]


def test_the_appositive_name_is_the_actor(extractor: Extractor) -> None:
    text = "The band's record company, Apple Corps, sued the computer maker in a London court."
    accuse = _event(extractor, text, "ACCUSE")
    assert _texts(accuse["source_actors"]) == ["Apple Corps"]


def test_country_sources_say_how_the_country_was_found(extractor: Extractor) -> None:
    event = _event(extractor, "Police in Chicago arrested two men on Sunday.", "COERCE")
    assert [(a["country"], a["country_source"]) for a in event["source_actors"]] == [("USA", "place")]
    assert [(a["country"], a["country_source"]) for a in event["target_actors"]] == [("USA", "place")]
    event = _event(extractor, "Pakistani troops arrested three militants on Sunday.", "COERCE")
    assert [(a["country"], a["country_source"]) for a in event["source_actors"]] == [("PAK", "stated")]


def test_the_articles_evident_setting_fills_a_local_actor(extractor: Extractor) -> None:
    text = (
        "A gas explosion destroyed a house in Dayton, Ohio, on Monday. "
        "Officers arrested a man at the scene, Ohio fire officials said."
    )
    arrest = _event(extractor, text, "COERCE")
    assert [(a["country"], a["country_source"]) for a in arrest["target_actors"]] == [("USA", "article")]


def test_no_country_from_look_alike_words(extractor: Extractor) -> None:
    """A month, a person's first name, a city's code or a surname is not a place."""
    text = "Police in Baku arrested the journalist in May and a court jailed him in March."
    countries = {
        a["country"] for e in _events(extractor, text) for a in (*e["source_actors"], *e["target_actors"])
    }
    assert countries <= {"AZE", None} and "AZE" in countries
    text = "Nancy Pelosi criticised the president on Tuesday."
    assert "FRA" not in {a["country"] for e in _events(extractor, text) for a in e["source_actors"]}
    text = "Apple Inc. sued a rival phone maker on Monday."
    assert "CHN" not in {a["country"] for e in _events(extractor, text) for a in e["source_actors"]}
    text = "The Wizards fired coach Eddie Jordan on Monday."
    assert "JOR" not in {a["country"] for e in _events(extractor, text) for a in e["target_actors"]}


def test_no_actor_takes_the_other_sides_country_from_a_place(extractor: Extractor) -> None:
    event = _event(
        extractor, "Chinese Premier Li Peng met a visiting delegation in Beijing on Friday.", "CONSULT"
    )
    assert [a["country"] for a in event["source_actors"]] == ["CHN"]
    assert all(a["country"] != "CHN" for a in event["target_actors"])


def test_international_organisations_and_companies_take_no_setting(extractor: Extractor) -> None:
    text = (
        "Floods hit northern Kenya on Monday. The United Nations and Acme Holdings sent aid to "
        "Kenyan families in Garissa, Kenya."
    )
    aid = _event(extractor, text, "AID")
    countries = {a["text"]: a["country"] for a in aid["source_actors"]}
    assert countries.get("The United Nations") is None and countries.get("Acme Holdings") is None


def test_a_name_takes_the_country_the_article_gives_it_in_full(extractor: Extractor) -> None:
    text = (
        "Chinese Foreign Minister Wang Yi arrived in Moscow on Monday. "
        "Wang met Sergei Lavrov in Moscow on Tuesday, Russian officials said."
    )
    met = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "met")
    assert [(a["text"], a["country"], a["country_source"]) for a in met["source_actors"]] == [
        ("Wang", "CHN", "stated")
    ]


def test_the_title_is_the_person_the_article_names_with_it(extractor: Extractor) -> None:
    text = (
        "President Maria Okafor opened a new bridge in Lagos, Nigeria, on Monday. "
        "The president praised the workers in Lagos."
    )
    praised = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "praised")
    assert _texts(praised["source_actors"]) == ["Maria Okafor"]


def test_people_inside_an_event_noun_are_its_source_and_places_no_target(extractor: Extractor) -> None:
    attack = _event(extractor, "The army attack on the village in Sudan left ten dead.", "ASSAULT")
    assert _texts(attack["source_actors"]) == ["army"]
    assert "the village" not in " ".join(_texts(attack["target_actors"]))


def test_several_countries_take_no_single_country(extractor: Extractor) -> None:
    text = "Mexico hosted the talks in Mexico City. The NAFTA countries agreed to meet again in Mexico City."
    agree = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "agreed")
    assert [a["country"] for a in agree["source_actors"]] == [None]


def test_they_and_them_stand_for_the_group_before_them(extractor: Extractor) -> None:
    text = "Protesters marched to the parliament in Nairobi, where police beat them with batons."
    beating = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "beat")
    assert _texts(beating["source_actors"]) == ["police"]
    assert _texts(beating["target_actors"]) == ["Protesters"]
    text = "Deputies stopped a van near Fresno and searched the passengers before they detained them."
    detention = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "detained")
    assert _texts(detention["source_actors"]) == ["Deputies"]
    assert _texts(detention["target_actors"]) == ["the passengers"]


def test_an_arrest_told_without_an_agent_is_by_the_police_the_article_names(extractor: Extractor) -> None:
    text = (
        "Officers were called to a bar on Main Street in Toledo, Ohio, on Saturday night. "
        "A 24-year-old man was arrested after a fight broke out."
    )
    arrest = _event(extractor, text, "COERCE")
    assert [(a["text"], a["country"]) for a in arrest["source_actors"]] == [("Officers", "USA")]
    ban = _event(extractor, "A teacher was banned from the school in Leeds. Police later said so.", "COERCE")
    assert ban["source_actors"] == []


def test_who_faces_charges_or_serves_a_sentence_is_their_target(extractor: Extractor) -> None:
    text = "Former mayor Tom Reilly of Springfield, Illinois, faces fraud charges after an audit."
    charges = _event(extractor, text, "ACCUSE")
    assert charges["source_actors"] == []
    assert _texts(charges["target_actors"]) == ["Former mayor Tom Reilly of Springfield"]
    sentence = _event(extractor, "The activist Ana Costa is serving a prison sentence in Lisbon.", "SANCTION")
    assert sentence["source_actors"] == []
    assert _texts(sentence["target_actors"]) == ["Ana Costa"]


def test_a_person_takes_the_nationality_an_appositive_gives_not_the_setting(extractor: Extractor) -> None:
    text = (
        "WASHINGTON (AP) - Secretary of State Mike Pompeo met Kang Kyung-wha, South Korea's foreign "
        "minister, on Tuesday. Kang urged Washington to resume talks with North Korea."
    )
    request = _event(extractor, text, "REQUEST")
    assert [(a["text"], a["country"], a["country_source"]) for a in request["source_actors"]] == [
        ("Kang", "KOR", "stated")
    ]


def test_congo_alone_is_dr_congo_the_republic_is_named_as_such(extractor: Extractor) -> None:
    attack = _event(
        extractor, "Rebels attacked a village in eastern Congo on Monday, killing 12 people.", "ASSAULT"
    )
    assert {a["country"] for a in attack["source_actors"]} == {"COD"}
    text = "Police in Brazzaville, the capital of the Republic of Congo, arrested two journalists on Monday."
    arrest = _event(extractor, text, "COERCE")
    assert {a["country"] for a in (*arrest["source_actors"], *arrest["target_actors"])} == {"COG"}


def test_a_nationality_named_in_the_article_does_not_set_it_in_that_country(extractor: Extractor) -> None:
    text = "A Japanese student was stabbed in Tralee on Friday night. The accused was remanded in custody."
    remand = next(e for e in _events(extractor, text) if e["evidence"]["trigger"] == "remanded")
    assert [(a["text"], a["country"]) for a in remand["target_actors"]] == [("The accused", None)]


def test_a_judgement_is_its_speakers_when_the_speech_verb_is_coordinated(extractor: Extractor) -> None:
    text = 'Mayor Ann Lee of Boise met the governor and said the new state tax was "unjustified."'
    judgement = _event(extractor, text, "ACCUSE")
    assert _texts(judgement["source_actors"]) == ["Mayor Ann Lee of Boise"]


def test_an_offender_is_someone(extractor: Extractor) -> None:
    text = "A convicted offender attacked a guard at a prison in Joliet, Illinois, on Sunday."
    attack = _event(extractor, text, "ASSAULT")
    assert [(a["text"], a["country"]) for a in attack["source_actors"]] == [("A convicted offender", "USA")]


def test_a_described_person_is_the_name_a_clause_gives(extractor: Extractor) -> None:
    text = "The accused, who was named as Carl Mendez, was arrested in Tacoma on Monday."
    arrest = _event(extractor, text, "COERCE")
    assert _texts(arrest["target_actors"]) == ["Carl Mendez"]


def test_a_letter_calling_for_something_is_its_writers_demand(extractor: Extractor) -> None:
    text = "The Kenya Teachers Union sent a letter to the ministry in Nairobi calling for higher pay."
    demand = _event(extractor, text, "REQUEST")
    assert _texts(demand["source_actors"]) == ["The Kenya Teachers Union"]


def test_two_parties_that_agree_together_are_source_and_target(extractor: Extractor) -> None:
    text = "The Navy and Huntington Ingalls signed a contract in Norfolk, Virginia, on Monday."
    deal = _event(extractor, text, "AGREE")
    assert _texts(deal["source_actors"]) == ["The Navy"]
    assert _texts(deal["target_actors"]) == ["Huntington Ingalls"]


def test_an_ampersand_keeps_a_company_name_whole(extractor: Extractor) -> None:
    deal = _event(extractor, "Procter & Gamble signed a deal with Walmart in Cincinnati.", "AGREE")
    assert _texts(deal["source_actors"]) == ["Procter & Gamble"]


def test_a_passive_without_its_own_subject_is_done_to_the_one_it_borrows(extractor: Extractor) -> None:
    event = _event(
        extractor, "Smith was serving a life sentence after being convicted of fraud in 2015.", "SANCTION"
    )
    assert _texts(event["source_actors"]) == []
    assert _texts(event["target_actors"]) == ["Smith"]


def test_the_body_named_before_an_act_is_its_owner(extractor: Extractor) -> None:
    event = _event(extractor, "Students protested police brutality in Nairobi on Friday.", "PROTEST")
    assert _texts(event["target_actors"]) == ["police"]
    event = _event(extractor, "Students protested business rules in Nairobi on Friday.", "PROTEST")
    assert "Beijing" not in _texts(event["target_actors"])


def test_a_model_takes_its_makers_country(extractor: Extractor) -> None:
    text = (
        "The deal follows talks between Aeroflot and Chicago-based Boeing last year. "
        "Russian carrier Aeroflot has negotiated the purchase of 22 new Boeing 787 Dreamliners."
    )
    event = _event(extractor, text, "AGREE")
    (plane,) = [a for a in event["target_actors"] if "Dreamliners" in a["text"]]
    assert (plane["country"], plane["country_source"]) == ("USA", "stated")


def test_the_company_is_the_firm_that_last_opened_a_sentence(extractor: Extractor) -> None:
    text = (
        "Shares of Zentrix rose sharply this week. Zentrix has posted record sales for the third year. "
        "On Monday, the company signed a contract with the Defence Ministry in London."
    )
    event = _event(extractor, text, "AGREE")
    assert _texts(event["source_actors"]) == ["Zentrix"]
    text = (
        "Sales rose for the third year. On Monday, the company signed a contract with the Defence Ministry."
    )
    event = _event(extractor, text, "AGREE")
    assert _texts(event["source_actors"]) == ["the company"]


def test_what_an_agreement_is_to_do_names_its_counterpart(extractor: Extractor) -> None:
    text = "Zentrix Corp. reached a $300 million agreement on Monday to purchase Microvolt."
    event = _event(extractor, text, "AGREE")
    assert _texts(event["target_actors"]) == ["Microvolt"]
    text = "The two firms signed an agreement on Monday to protect their interests."
    event = _event(extractor, text, "AGREE")
    assert "Beijing" not in _texts(event["target_actors"])


def test_a_title_takes_the_country_whose_office_the_article_names(extractor: Extractor) -> None:
    text = (
        "On a visit to the Holy See, President Aram Petrosyan met Pope Francis. "
        "The President of Armenia then visited the embassy."
    )
    event = _event(extractor, text, "CONSULT")
    assert [a["country"] for a in event["source_actors"]] == ["ARM"]


def test_a_described_suspect_is_the_person_the_article_names_most(extractor: Extractor) -> None:
    text = (
        "Police in Leeds arrested a 30-year-old man on Monday. "
        "Officers said Daniel Marsh had hit a cyclist, Anna Field, near the station. "
        "Marsh was held overnight. Marsh will appear in court on Friday."
    )
    event = _event(extractor, text, "COERCE")
    assert _texts(event["target_actors"]) == ["Daniel Marsh"]


def test_an_official_is_not_the_described_suspect(extractor: Extractor) -> None:
    text = (
        "Police in Leeds arrested a 30-year-old man on Monday. "
        "Police spokeswoman Jane Roe said Daniel Marsh was held overnight. "
        "Roe said the cyclist was badly hurt. Roe asked witnesses to call."
    )
    event = _event(extractor, text, "COERCE")
    assert _texts(event["target_actors"]) == ["Daniel Marsh"]


def test_a_verb_joined_to_a_clause_on_a_thing_is_the_main_subjects(extractor: Extractor) -> None:
    text = (
        "Mayor Ivan Petrov scrapped the rules which had banned street music "
        "and vowed to fund concerts in Kyiv."
    )
    event = _event(extractor, text, "AGREE")
    assert _texts(event["source_actors"]) == ["Mayor Ivan Petrov"]


def test_a_concession_yields_to_whoever_forced_it(extractor: Extractor) -> None:
    text = (
        "In Lusaka, Minister Ivan Banda resigned on Monday, "
        "forced out by the leaders of the Zambia Workers Party."
    )
    event = _event(extractor, text, "CONCEDE")
    assert _texts(event["target_actors"]) == ["the leaders of the Zambia Workers Party"]


def test_a_known_body_inside_a_longer_name_is_not_that_body(extractor: Extractor) -> None:
    text = "The Freedom National Congress criticized Jacob Zuma in Durban on Monday."
    event = _event(extractor, text, "ACCUSE")
    assert [a["country"] for a in event["source_actors"]] == ["ZAF"]


def test_a_body_is_no_he(extractor: Extractor) -> None:
    text = (
        "Police in Baku arrested Ali Karimli in May. Amnesty International praised him. "
        "On Monday a court in Baku released him."
    )
    event = _event(extractor, text, "CONCEDE")
    assert _texts(event["target_actors"]) == ["Ali Karimli"]


def test_a_relative_pronoun_subject_is_its_antecedent(extractor: Extractor) -> None:
    doc = extractor.nlp("Deputies in Albany arrested one gentleman who refused to leave the courtroom.")
    subject = subject_of(next(t for t in doc if t.text == "refused"))
    assert subject is not None and subject.text == "gentleman"


def test_those_who_acted_during_an_event_did_not_do_it(extractor: Extractor) -> None:
    doc = extractor.nlp("The team has been working to account for children who fled during the bombing.")
    assert subject_of(next(t for t in doc if t.text == "bombing")) is None


def test_a_city_one_marches_from_is_no_target(extractor: Extractor) -> None:
    text = "Li Wei and a small group of supporters set off on Wednesday on a march from Beijing to the court."
    event = _event(extractor, text, "PROTEST")
    assert "Beijing" not in _texts(event["target_actors"])


def test_critics_the_article_does_not_place_have_no_country(extractor: Extractor) -> None:
    text = "In Ashgabat, critics said the election in Turkmenistan was a sham."
    event = _event(extractor, text, "ACCUSE")
    assert [a["country"] for a in event["source_actors"]] == [None]


def test_a_firm_takes_the_country_of_its_description(extractor: Extractor) -> None:
    text = (
        "Acme Widgets on Monday criticized the new tariff rules of Washington. "
        "The Canadian toy maker said the rules were unfair to small firms."
    )
    sources = [a for e in _events(extractor, text) for a in e["source_actors"] if a["text"] == "Acme Widgets"]
    assert sources and all(a["country"] == "CAN" for a in sources)


def test_he_who_arrests_is_the_police(extractor: Extractor) -> None:
    text = (
        "A woman was struck by a car in Queens on Friday. Luckily, a police officer saw the crash. "
        "He chased down the driver and arrested him."
    )
    event = _event(extractor, text, "COERCE")
    assert _texts(event["source_actors"]) == ["officer"]


def test_an_it_for_the_deed_before_is_aimed_at_its_doer(extractor: Extractor) -> None:
    text = "In Boston, Jane Roe apologized on Monday, but Tom Baker blasted it as a stunt."
    event = _event(extractor, text, "ACCUSE")
    assert _texts(event["target_actors"]) == ["Jane Roe"]


def test_several_countries_people_are_not_of_the_place_they_meet_in(extractor: Extractor) -> None:
    event = _event(extractor, "Foreign ministers in Brussels condemned the coup on Monday.", "ACCUSE")
    assert [a["country"] for a in event["source_actors"]] == [None]
    event = _event(extractor, "The delegations in Geneva agreed on Monday to meet again in March.", "AGREE")
    assert [a["country"] for a in event["source_actors"]] == [None]
    event = _event(extractor, "Police in Brussels arrested two men on Monday.", "COERCE")
    assert [a["country"] for a in event["source_actors"]] == ["BEL"]


def test_whose_government_is_the_state_the_clause_is_on(extractor: Extractor) -> None:
    text = "Talks were held in the presence of the king of Jordan, whose government hosted the delegations."
    event = _event(extractor, text, "CONSULT")
    assert [("Jordan" in a["text"], a["country"]) for a in event["source_actors"]] == [(True, "JOR")]
    text = "Police arrested two men after the victim, whose brother called the police, was stabbed in Leeds."
    assert not any(a["text"] == "the victim" for e in _events(extractor, text) for a in e["source_actors"])


def test_the_sides_of_a_war_are_someone_to_appeal_to(extractor: Extractor) -> None:
    text = "The French foreign minister on Monday urged both warring parties to let aid into the city."
    event = _event(extractor, text, "REQUEST")
    assert [(a["text"], a["country"]) for a in event["target_actors"]] == [("both warring parties", None)]
    event = _event(extractor, "The Dutch prime minister thanked the allies in Paris on Friday.", "SUPPORT")
    assert [(a["text"], a["country"]) for a in event["target_actors"]] == [("the allies", None)]


def test_a_reaction_to_what_was_told_is_aimed_at_who_did_it(extractor: Extractor) -> None:
    text = (
        "Rebel fighters withdrew from the border town on Sunday. "
        "The government welcomed the decision on Monday."
    )
    event = _event(extractor, text, "SUPPORT")
    assert _texts(event["target_actors"]) == ["Rebel fighters"]
    text = (
        "Japan lodged a protest with China on Monday. "
        "A Japanese official said the intrusion was unacceptable."
    )
    assert not any(a["text"] == "Japan" for e in _events(extractor, text)[1:] for a in e["target_actors"])


def test_an_it_that_acts_is_the_state_body_of_the_sentence_before(extractor: Extractor) -> None:
    text = (
        "Canada's foreign ministry said on Monday that the embassy would stay closed. "
        "It accused Iran of harassing two diplomats."
    )
    sources = _event(extractor, text, "ACCUSE")["source_actors"]
    assert [(a["text"], a["country"]) for a in sources] == [("Canada's foreign ministry", "CAN")]
    text = (
        "Mayor John Smith said on Monday that the bridge would stay closed. It accused the builder of fraud."
    )
    assert _event(extractor, text, "ACCUSE")["source_actors"] == []


def test_what_a_meeting_is_at_is_its_venue(extractor: Extractor) -> None:
    text = "The Dutch prime minister met the Polish president at the foreign ministry in Warsaw on Monday."
    event = _event(extractor, text, "CONSULT")
    assert _texts(event["target_actors"]) == ["the Polish president"]


def test_its_forces_are_the_country_named_before_them(extractor: Extractor) -> None:
    text = "Russia's defence ministry said on Monday that its forces shelled two villages near Kharkiv."
    event = _event(extractor, text, "ASSAULT")
    assert [(a["text"], a["country"]) for a in event["source_actors"]] == [("its forces", "RUS")]


def test_an_amount_in_aid_is_for_whom_the_aid_is(extractor: Extractor) -> None:
    text = "Japan pledged 20 million euros ($22 million) in humanitarian aid for Haiti on Friday."
    event = _event(extractor, text, "AGREE")
    assert [(a["text"], a["country"]) for a in event["target_actors"]] == [("Haiti", "HTI")]


def test_the_ministers_are_the_group_named_before(extractor: Extractor) -> None:
    text = "NATO defence ministers met in Brussels on Monday. The ministers condemned the attack on a port."
    event = _event(extractor, text, "ACCUSE")
    assert [(a["text"], a["country"]) for a in event["source_actors"]] == [("NATO defence ministers", None)]
    text = "Detectives traced the suspects to a motel in Ohio. Police arrested the suspects on Friday."
    event = _event(extractor, text, "COERCE")
    assert _texts(event["target_actors"]) == ["the suspects"]


def test_who_said_a_thing_was_so_and_urged_is_the_speaker(extractor: Extractor) -> None:
    text = "The Dutch embassy said the new law was unfair and urged the government to withdraw it."
    event = _event(extractor, text, "REQUEST")
    assert _texts(event["source_actors"]) == ["The Dutch embassy"]
    text = "The ministry said the crossing would stay closed and that police had arrested two suspects."
    event = _event(extractor, text, "COERCE")
    assert _texts(event["source_actors"]) == ["police"]


def test_unknown_gunmen_are_no_source_a_named_group_is(extractor: Extractor) -> None:
    unknown = _event(extractor, "Unknown gunmen kidnapped 20 students in Kaduna on Monday.", "ASSAULT")
    assert unknown["source_actors"] == [] and _texts(unknown["target_actors"]) == ["20 students"]
    named = _event(extractor, "Boko Haram gunmen kidnapped 20 students in Kaduna on Monday.", "ASSAULT")
    assert _texts(named["source_actors"]) == ["Boko Haram gunmen"]


def test_occupations_name_people(extractor: Extractor) -> None:
    event = _event(extractor, "A jury in Durham convicted the town's former clerk on Thursday.", "SANCTION")
    assert _texts(event["target_actors"]) == ["the town's former clerk"]


def test_a_participle_after_a_comma_is_an_act_of_its_own(extractor: Extractor) -> None:
    text = "Kenya recalled its ambassador from Kampala on Monday, accusing Uganda of arming rebels."
    recall = _event(extractor, text, "SANCTION")
    accusation = _event(extractor, text, "ACCUSE")
    assert _texts(recall["target_actors"]) == ["its ambassador from Kampala"]
    assert _texts(accusation["source_actors"]) == ["Kenya"] and _texts(accusation["target_actors"]) == [
        "Uganda"
    ]
    marched = _event(
        extractor, "Thousands marched in Pristina on Sunday demanding independence for Kosovo.", "PROTEST"
    )
    assert [e["event_type"] for e in _events(extractor, marched["evidence"]["sentence"])] == ["PROTEST"]
