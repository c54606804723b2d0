"""Datelines, agency credits and credited sources, in the forms wire copy really uses."""

from __future__ import annotations

import pytest

from streams.stages.normalize.datelines import parse_datelines, source_name

# (first paragraph, English place name GeoNames resolves to, ISO country, agency, date text, sentence kept)
LEADING = [
    (
        "WASHINGTON (Reuters) - The U.S. Senate passed the spending bill late on Thursday.",
        "Washington",
        "USA",
        "Reuters",
        None,
        "The U.S. Senate passed the spending bill late on Thursday.",
    ),
    (
        "PARIS (AFP) — Le gouvernement a présenté mercredi son projet de loi sur l'immigration.",
        "Paris",
        "FRA",
        "AFP",
        None,
        "Le gouvernement a présenté mercredi son projet de loi sur l'immigration.",
    ),
    (
        "MOSCOW, Feb 22 (Reuters) - Russia's central bank kept its key rate at 16% on Friday.",
        "Moscow",
        "RUS",
        "Reuters",
        "Feb 22",
        "Russia's central bank kept its key rate at 16% on Friday.",
    ),
    (
        "SEOUL, Feb. 22 (Yonhap) -- North Korea fired several cruise missiles into the Yellow Sea.",
        "Seoul",
        "KOR",
        "Yonhap",
        "Feb. 22",
        "North Korea fired several cruise missiles into the Yellow Sea.",
    ),
    (
        "Berlin (dpa) - Die Bundesregierung will die Schuldenbremse im kommenden Jahr wieder einhalten.",
        "Berlin",
        "DEU",
        "dpa",
        None,
        "Die Bundesregierung will die Schuldenbremse im kommenden Jahr wieder einhalten.",
    ),
    (
        "Madrid, 22 feb (EFE).- El Gobierno aprobó este jueves la reforma de la ley de vivienda.",
        "Madrid",
        "ESP",
        "EFE",
        "22 feb",
        "El Gobierno aprobó este jueves la reforma de la ley de vivienda.",
    ),
    (
        "(ANSA) - ROMA, 22 FEB - Il governo ha approvato il decreto sulle bollette.",
        "Rome",
        "ITA",
        "ANSA",
        "22 FEB",
        "Il governo ha approvato il decreto sulle bollette.",
    ),
    (
        "МОСКВА, 22 февраля. /ТАСС/. Президент России провел совещание с членами Совбеза.",
        "Moscow",
        "RUS",
        "TASS",
        "22 февраля",
        "Президент России провел совещание с членами Совбеза.",
    ),
    (
        "[워싱턴=뉴시스] 김지훈 특파원 = 한미일 외교장관이 22일 브라질에서 회담했다.",
        "Washington",
        "USA",
        "Newsis",
        None,
        "한미일 외교장관이 22일 브라질에서 회담했다.",
    ),
    (
        "(서울=연합뉴스) 홍길동 기자 = 정부는 22일 내년도 예산안을 발표했다.",
        "Seoul",
        "KOR",
        "Yonhap",
        None,
        "정부는 22일 내년도 예산안을 발표했다.",
    ),
    (
        "【北京共同】中国外務省の報道官は22日の記者会見で、日本の対応を批判した。",
        "Beijing",
        "CHN",
        "Kyodo",
        None,
        "中国外務省の報道官は22日の記者会見で、日本の対応を批判した。",
    ),
    (
        "新华社北京2月22日电（记者 张三）国务院总理22日主持召开国务院常务会议。",
        "Beijing",
        "CHN",
        "Xinhua",
        "2月22日",
        "国务院总理22日主持召开国务院常务会议。",
    ),
]


@pytest.mark.parametrize(("line", "place", "country", "agency", "date", "rest"), LEADING)
def test_leading_dateline_becomes_fields_and_the_sentence_stays(
    line: str, place: str, country: str, agency: str, date: str | None, rest: str
) -> None:
    info = parse_datelines([line, "A second paragraph follows here."])
    assert info.dateline is not None
    assert (info.dateline["name"], info.dateline["country"]) == (place, country)
    assert info.dateline["lat"] is not None and info.dateline["geonameid"] is not None
    assert info.agency == agency
    assert info.dateline_date == date
    assert info.lines == [rest, "A second paragraph follows here."]


def test_standalone_korean_marker_anywhere_is_lifted() -> None:
    lines = ["첫 문단입니다.", "둘째 문단입니다.", "셋째 문단입니다.", "[워싱턴=뉴시스]", "Source: Donga"]
    info = parse_datelines(lines)
    assert info.agency == "Newsis"
    assert info.dateline is not None and info.dateline["name"] == "Washington"
    assert info.credited_source == "Donga Ilbo"
    assert info.lines == lines[:3]


@pytest.mark.parametrize(
    ("line", "source"),
    [
        ("Source: Donga", "Donga Ilbo"),
        ("출처: 조선일보", "Chosun Ilbo"),
        ("Quelle: dpa", "dpa"),
        ("Fuente: EFE", "EFE"),
        ("Источник: ТАСС", "TASS"),
        ("来源：人民日报", "People's Daily"),
        ("(Source: Yomiuri)", "Yomiuri Shimbun"),
        ("Source: The Local Gazette", "The Local Gazette"),
    ],
)
def test_credited_source_is_normalised(line: str, source: str) -> None:
    info = parse_datelines(["The body of the article goes here.", line])
    assert info.credited_source == source
    assert info.lines == ["The body of the article goes here."]


@pytest.mark.parametrize(
    "line",
    [
        "APPLE (AAPL) - Shares rose 3% in early trading.",
        "The source: a leaked memo that described the plan in detail and named the officials behind it.",
        "NEW RULES — what changes for drivers from Monday",
        "Washington said on Monday (local time) that talks would resume.",
    ],
)
def test_lookalikes_are_not_datelines(line: str) -> None:
    info = parse_datelines([line])
    assert (info.dateline, info.agency, info.credited_source) == (None, None, None)
    assert info.lines == [line]


def test_unknown_source_names_pass_through_and_agencies_normalise() -> None:
    assert source_name("Associated Press") == "AP"
    assert source_name("연합뉴스") == "Yonhap"
    assert source_name("Kathimerini") == "Kathimerini"
