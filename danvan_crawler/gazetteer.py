"""The gazetteer of Nghệ An (:func:`gazetteer`): today's units and the former ones, each
with the spellings it may be printed in, for :func:`danvan_crawler.places.find_places`.

It is built at first use (then cached in the process) from two maintained packages' own
data: ``vietnam-provinces`` (today's communes, wards and special zones of the province,
after the 2025 reorganisation) and ``vietnamadminunits`` (the former districts and the
former communes, wards and towns, each mapped to the unit of today that took it over).
Only the data files of ``vietnamadminunits`` are read: importing it would load its
address parsers (geopy, shapely) for nothing. Names are folded (:func:`fold`: NFC, every
diacritic removed, ``đ`` -> ``d``) and every placement of their tone marks is a spelling.
"""

from __future__ import annotations

import importlib.util
import json
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict

#: The province (code of the General Statistics Office).
PROVINCE_CODE = "40"
PROVINCE_NAME = "Nghệ An"
#: When the two-level administration (no districts) took effect.
REORGANISED = datetime(2025, 7, 1)


class PlaceRef(TypedDict):
    """One place of an article (``places`` in the output schema)."""

    name: str
    code: str
    level: str
    current: bool


@dataclass(frozen=True)
class Place:
    """A unit of the gazetteer."""

    key: str  # unique: "<current|former>:<level>:<code>"
    slug: str  # feed file name, [a-z0-9-]
    name: str  # full name with its kind, as the package spells it ("Xã Nghĩa Tiến")
    short: str  # without its kind ("Nghĩa Tiến")
    code: str
    level: str  # province | district | commune | ward | town | special_zone
    current: bool
    district: str | None = None  # former units: the former district's short name
    successor: str | None = None  # former communes: key of today's unit

    def ref(self) -> PlaceRef:
        return {"name": self.name, "code": self.code, "level": self.level, "current": self.current}


# kind words as printed in front of a name, by level
_KIND_WORDS: dict[str, tuple[str, ...]] = {
    "province": ("tỉnh",),
    "district": ("huyện", "thị xã", "thành phố", "tx", "tx.", "tp", "tp."),
    "commune": ("xã",),
    "ward": ("phường",),
    "town": ("thị trấn", "tt", "tt."),
    "special_zone": ("đặc khu",),
}
_LEVEL_OF_TYPE = {
    "xã": "commune",
    "phường": "ward",
    "thị trấn": "town",
    "đặc khu": "special_zone",
    "huyện": "district",
    "thị xã": "district",
    "thành phố": "district",
}
_MARKS_RE = re.compile(r"[\u0300-\u036f]")
_SLUG_RE = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """``text`` without diacritics (``đ`` -> ``d``), case kept."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFD", text)
    return _MARKS_RE.sub("", text).replace("đ", "d").replace("Đ", "D")


def slugify(text: str) -> str:
    return _SLUG_RE.sub("-", fold(text).lower()).strip("-")


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aeiouy")


def _placements(word: str) -> set[str]:
    """``word`` (lower case, NFC) with its tone mark on each of its vowels in turn: the
    old and new placements (``hoà``/``hòa``, ``thuỷ``/``thủy``) are among them."""
    nfd = unicodedata.normalize("NFD", word)
    tones = [c for c in nfd if c in _TONES]
    if len(tones) != 1:
        return {word}
    bare = [c for c in nfd if c not in _TONES]
    out = {word}
    for i, c in enumerate(bare):
        if c in _VOWELS:
            j = i + 1
            while j < len(bare) and unicodedata.combining(bare[j]):
                j += 1  # after the vowel's own marks (ơ, ư, â...)
            out.add(unicodedata.normalize("NFC", "".join([*bare[:j], tones[0], *bare[j:]])))
    return out


def _spellings(words: Sequence[str]) -> set[tuple[str, ...]]:
    """How a name's words may be printed, lower-cased: with its marks (either tone
    placement) or with none at all."""
    variants: list[tuple[str, ...]] = [()]
    for word in words:
        variants = [(*v, w) for v in variants for w in sorted(_placements(word))]
    plain = tuple(fold(w).lower() for w in words)
    return {*variants, plain}


#: Punctuation that may stick to the first or last word of a name ("(huyện", "Lưu,").
_EDGE_PUNCT = "\"'“”‘’()[]{}«»,.;:!?…-–—/"


def _words(text: str) -> list[str]:
    """The words of a name (split at white space, as the text is)."""
    return text.split()


def _split_kind(name: str) -> tuple[str, str]:
    """("xã", "Nghĩa Tiến") from "Xã Nghĩa Tiến"."""
    lowered = name.lower()
    for kind in sorted(_LEVEL_OF_TYPE, key=len, reverse=True):
        if lowered.startswith(kind + " "):
            return kind, name[len(kind) + 1 :].strip()
    return "", name


@dataclass
class Gazetteer:
    """Every unit, and the token tuples that name them."""

    places: dict[str, Place]
    #: a spelling of a name (lower-case words) -> [(key, needs capitals)]
    forms: dict[tuple[str, ...], list[tuple[str, bool]]] = field(default_factory=dict)
    #: first word of a spelling -> the lengths of the spellings starting with it
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)
    by_ref: dict[tuple[bool, str, str], Place] = field(default_factory=dict)
    #: the first two words of every spelling ("xã hội" is no name: one look-up says so)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    build_seconds: float = 0.0

    def place_for(self, ref: Mapping[str, Any]) -> Place | None:
        return self.by_ref.get(
            (bool(ref.get("current")), str(ref.get("level")), str(ref.get("code")))
        )


def _data(package: str, name: str) -> Any:
    """A data file of ``package``, found without importing the package (importing
    ``vietnamadminunits`` loads its parsers: 0.4 s)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{package} is not installed (pip install {package})")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return json.loads((folder / "data" / name).read_text("utf-8"))


def _units() -> list[Place]:
    """Today's units and the former ones, from the two packages."""
    from vietnam_provinces import Ward

    units: list[Place] = [
        Place(
            key=f"current:province:{PROVINCE_CODE}",
            slug=slugify(PROVINCE_NAME),
            name=PROVINCE_NAME,
            short=PROVINCE_NAME,
            code=PROVINCE_CODE,
            level="province",
            current=True,
        )
    ]
    by_codename: dict[str, str] = {}
    for ward in Ward.iter_by_province(int(PROVINCE_CODE)):  # type: ignore[arg-type]
        kind, short = _split_kind(ward.name)
        level = _LEVEL_OF_TYPE.get(kind, "commune")
        key = f"current:{level}:{int(ward.code)}"
        units.append(
            Place(key, slugify(ward.name), ward.name, short, str(int(ward.code)), level, True)
        )
        by_codename[ward.codename.replace("_", "")] = key

    legacy = _data("vietnamadminunits", "parser_legacy.json")
    converter = _data("vietnamadminunits", "converter_2025.json")
    province_key = "tinh" + slugify(PROVINCE_NAME).replace("-", "")
    successor: dict[str, str] = {}
    for new_key, olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"][province_key].items():
        for old in olds:
            if new_key in by_codename:
                successor[old] = by_codename[new_key]
    districts = legacy["DICT_PROVINCE_DISTRICT"][province_key]
    for d in sorted(districts.values(), key=lambda d: d["districtCode"]):
        units.append(
            Place(
                key=f"former:district:{d['districtCode']}",
                slug=slugify(d["district"]),
                name=d["district"],
                short=d["districtShort"],
                code=str(d["districtCode"]),
                level="district",
                current=False,
            )
        )
    current_names = {slugify(u.name) for u in units if u.current}
    wards: dict[str, dict[str, Any]] = {}
    # names whose unaccented spellings collide (Nghi Văn, Nghi Vạn) are in the second
    for table in (
        "DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED",
        "DICT_PROVINCE_DISTRICT_WARD_ACCENTED",
    ):
        for dkey, found in legacy[table].get(province_key, {}).items():
            wards.setdefault(dkey, {}).update(found)
    former: list[Place] = []
    for dkey in sorted(wards):
        district = districts.get(dkey, {}).get("districtShort")
        for wkey, w in sorted(wards[dkey].items(), key=lambda kv: kv[1]["wardCode"]):
            level = _LEVEL_OF_TYPE.get(w["wardType"].lower(), "commune")
            after = successor.get(f"{province_key}_{dkey}_{wkey}")
            slug = slugify(w["ward"])
            if after is not None and slug in current_names and after.endswith(":" + w["wardCode"]):
                continue  # kept its name and code: today's unit is the same place
            former.append(
                Place(
                    key=f"former:{level}:{w['wardCode']}",
                    slug=slug,
                    name=w["ward"],
                    short=w["wardShort"],
                    code=str(w["wardCode"]),
                    level=level,
                    current=False,
                    district=district,
                    successor=after,
                )
            )
    # a former unit whose name is taken gets its former district in its feed name
    taken = {u.slug for u in units}
    counts: dict[str, int] = {}
    for p in former:
        counts[p.slug] = counts.get(p.slug, 0) + 1
    for p in former:
        slug = p.slug
        if slug in taken or counts[slug] > 1:
            slug = f"{slug}-{slugify(p.district or '')}-cu".replace("--", "-")
            if slug in taken:  # names apart only by tone marks (Nghi Văn, Nghi Vạn)
                slug = f"{slug}-{p.code}"
        taken.add(slug)
        units.append(Place(**{**p.__dict__, "slug": slug}))
    return units


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer (built once per process)."""
    started = time.perf_counter()
    units = _units()
    gaz = Gazetteer({u.key: u for u in units})
    for unit in units:
        gaz.by_ref[(unit.current, unit.level, unit.code)] = unit
        short = _words(unit.short.lower())
        named: list[tuple[list[str], bool]] = [
            ([*_words(kind), *short], False) for kind in _KIND_WORDS[unit.level]
        ]
        if (unit.current or unit.level == "district") and len(short) >= 2:
            named.append((short, True))
        for words, caps in named:
            for spelling in _spellings(words):
                hits = gaz.forms.setdefault(spelling, [])
                if (unit.key, caps) not in hits:
                    hits.append((unit.key, caps))
    # first words as they may be printed: a bare name's with a capital (or in capitals),
    # a kind word in any case; also after an opening bracket or quote
    starts: dict[str, set[int]] = {}
    for form, hits in gaz.forms.items():
        first = form[0]
        printed = {first[:1].upper() + first[1:], first.upper()}
        if not all(caps for _, caps in hits):
            printed.add(first)
        for word in printed:
            for opening in ("", *"\"'“‘([«"):
                starts.setdefault(opening + word, set()).add(len(form))
    gaz.starts = {k: tuple(sorted(v, reverse=True)) for k, v in starts.items()}
    gaz.pairs = {(form[0], form[1]) for form in gaz.forms}
    gaz.build_seconds = time.perf_counter() - started
    return gaz
