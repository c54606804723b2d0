"""Agency metadata hidden in article text: datelines, agency credits and credited sources.

Agencies stamp their copy with a dateline (``MOSCOW, Feb 22 (Reuters) -``, ``[워싱턴=뉴시스]``,
``【北京共同】``, ``新华社北京2月22日电``) and outlets that reprint it add a credit line
(``Source: Donga``). These are metadata, not prose: :func:`parse_datelines` lifts them into fields and
returns the text without them, keeping the sentence that follows a leading dateline.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources

from streams.contracts import GeoPlace
from streams.stages import geo

#: Only the first lines can carry a leading dateline; a standalone marker line may sit anywhere.
_DATELINE_LINES = 3
_MAX_CREDIT_CHARS = 80
_MAX_MARKER_CHARS = 40

_DASH = r"(?:[-—–]{1,2}|\.-|:)"
_LATIN_PLACE = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ.'’\- ]{1,40}?(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?"
_LATIN_DATE = r"[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\.?\s+[A-Za-zéû]{3,9}\.?"
_CYRILLIC_PLACE = r"[А-ЯЁ][А-ЯЁ\- ]{1,30}"

#: Leading datelines, most specific first. Groups: place, date, agency (each optional).
_LEADING = [
    # WASHINGTON (Reuters) -  MOSCOW, Feb 22 (Reuters) -  Madrid, 22 feb (EFE).-  BEIJING, Feb. 22 (Xinhua) --
    re.compile(
        rf"^(?P<place>{_LATIN_PLACE})(?:,\s*(?P<date>{_LATIN_DATE}))?\s*\((?P<agency>[^()]{{2,30}})\)\s*{_DASH}\s*"
    ),
    # (ANSA) - ROMA, 22 FEB -
    re.compile(
        rf"^\((?P<agency>[^()]{{2,30}})\)\s*{_DASH}\s*(?P<place>{_LATIN_PLACE}),\s*(?P<date>{_LATIN_DATE})\s*{_DASH}\s*"
    ),
    # МОСКВА, 22 февраля. /ТАСС/.   МОСКВА, 22 фев — РИА Новости.
    re.compile(
        rf"^(?P<place>{_CYRILLIC_PLACE}),\s*(?P<date>\d{{1,2}}\s+[а-яё]+)\.?\s*"
        r"(?:/(?P<agency>[^/]{2,20})/|[—–-]\s*(?P<agency2>РИА Новости|Интерфакс|ТАСС|Прайм))\.?\s*"
    ),
    # [워싱턴=뉴시스] 김지훈 기자 =   (서울=연합뉴스) 홍길동 특파원 =
    re.compile(
        r"^[\[(（【]\s*(?P<place>[가-힣A-Za-z ]{1,15}?)\s*[=＝]\s*"
        r"(?P<agency>[가-힣A-Za-z0-9 ]{1,12}?)\s*[\])）】]"
        r"\s*(?:[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4})*\s*(?:기자|특파원|통신원)\s*=?)?\s*"
    ),
    # 【北京共同】   【ワシントン時事】
    re.compile(r"^【(?P<place>[^【】=＝]{1,12}?)(?P<agency>共同|時事)】\s*"),
    # 【ソウル＝桜井紀雄】 (a paper's own correspondent: place, no agency)
    re.compile(r"^【(?P<place>[^【】=＝]{1,12})[=＝][^】]{1,15}】\s*"),
    # 新华社北京2月22日电（记者 张三）
    re.compile(
        r"^(?P<agency>新华社|新華社|中新社|中新网)(?P<place>[\u4e00-\u9fff]{2,8}?)(?P<date>\d{1,2}月\d{1,2}日)电"
        r"\s*(?:[（(]记者[^）)]{0,30}[）)])?\s*"
    ),
    # (Reuters) — (the place was lost with the page markup: the credit alone)
    re.compile(rf"^\((?P<agency>[^()]{{2,30}})\)\s*{_DASH}\s*"),
    # WASHINGTON — / DUBAI, United Arab Emirates — (AP house style without the credit: an all-caps place)
    re.compile(
        r"^(?P<place>[A-Z][A-Z.'\- ]{2,30}(?:,\s*[A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+){0,2})?)\s+[—–]\s+"
    ),
]

_CREDIT = re.compile(
    r"^[(\[]?\s*(?:sources?|출처|자료|quelle|fuente|fonte|источник|来源|來源|出典|出所)\s*[:：]\s*"
    r"(?P<name>[^()\[\]]{2,60}?)\s*[)\]]?\.?$",
    re.IGNORECASE,
)


#: A page's own date label left in its text: 'Published: April 23, 2013 9:39 AM', 'UPDATED: 19:14 GMT,
#: 12 April 2013', 'Date Published: Tuesday, November 15, 2011' (not 'posted: “I just want...').
_DATE_LABEL = re.compile(
    r"(?:^|[|•·]\s*)(?:date\s+)?(?:first\s+|last\s+)?(?P<label>published|posted|updated)(?:\s+on|\s+at)?"
    r"\s*[:：]\s*(?P<date>[^|]{6,50}?)(?=\s+(?:created|updated|published|posted|by)\b|\s*[|.]?$|\s*\|)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b[12]\d{3}\b")


def labelled_date(lines: list[str]) -> str | None:
    """The date a 'Published:' or 'Posted:' label of the page states, else an 'Updated:' one, as written
    (with a year: a relative 'Updated: 2 hours ago' says nothing once the page is archived)."""
    found: dict[bool, str] = {}
    for line in lines:
        for match in _DATE_LABEL.finditer(line):
            if _YEAR.search(match["date"]):
                found.setdefault(match["label"].lower() == "updated", match["date"].strip())
    return found.get(False) or found.get(True)


@dataclass(slots=True)
class DatelineInfo:
    """What the agency conventions (dateline, credit lines) of an article told us."""

    lines: list[str]
    dateline: GeoPlace | None = None
    dateline_text: str | None = None
    dateline_date: str | None = None
    agency: str | None = None
    credited_source: str | None = None


@functools.cache
def _tables() -> dict[str, dict[str, str]]:
    text = resources.files("streams.resources").joinpath("wire.json").read_text("utf-8")
    raw = json.loads(text)
    return {
        name: {k.casefold(): v for k, v in raw[name].items()} for name in ("agencies", "outlets", "places")
    }


def agency_name(raw: str) -> str | None:
    """Normalised agency name, or None when the parenthesis holds no known agency."""
    return _tables()["agencies"].get(raw.strip().casefold())


def source_name(raw: str) -> str:
    """Normalised outlet or agency name; unknown names pass through as written."""
    key = raw.strip().strip(".").casefold()
    tables = _tables()
    return tables["outlets"].get(key) or tables["agencies"].get(key) or raw.strip().strip(".")


def resolve_place(raw: str) -> GeoPlace | None:
    """GeoNames place of a dateline; native spellings go through the table first."""
    name = raw.strip().rstrip(",")
    english = _tables()["places"].get(name.casefold(), name)
    place = geo.lookup(english)
    if place is None and "," in english:
        place = geo.lookup(english.split(",")[0])
    return place


def _match_leading(line: str) -> tuple[re.Match[str], str | None] | None:
    """The first dateline pattern that fits ``line``, with its normalised agency."""
    for pattern in _LEADING:
        match = pattern.match(line)
        if match is None:
            continue
        groups = match.groupdict()
        raw_agency = groups.get("agency") or groups.get("agency2")
        if raw_agency is None:
            if resolve_place(match["place"]) is None:
                continue
            return match, None
        agency = agency_name(raw_agency)
        if agency is None and not re.search(r"[가-힣]", raw_agency):
            # Latin capitals + parenthesis are a dateline only with a known agency ("APPLE (AAPL) -" is not).
            continue
        return match, agency or raw_agency.strip()
    return None


def parse_datelines(lines: list[str]) -> DatelineInfo:
    """Lift the dateline, agency and credited source out of ``lines`` (cleaned paragraphs)."""
    info = DatelineInfo(lines=[])
    for index, line in enumerate(lines):
        wanted = info.agency is None and info.dateline_text is None
        found = (
            _match_leading(line)
            if wanted and (index < _DATELINE_LINES or len(line) <= _MAX_MARKER_CHARS)
            else None
        )
        standalone = found is not None and found[0].end() >= len(line.rstrip())
        if found is not None and (index < _DATELINE_LINES or standalone):
            match, agency = found
            place = match.groupdict().get("place")
            info.dateline_text = place.strip() if place else None
            info.dateline = resolve_place(place) if place else None
            info.dateline_date = match.groupdict().get("date")
            info.agency = agency
            rest = line[match.end() :].strip()
            if rest:
                info.lines.append(rest)
            continue
        credit = (
            _CREDIT.match(line) if len(line) <= _MAX_CREDIT_CHARS and info.credited_source is None else None
        )
        if credit is not None:
            info.credited_source = source_name(credit["name"])
            continue
        info.lines.append(line)
    return info
