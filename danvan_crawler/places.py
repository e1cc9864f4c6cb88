"""Places of Nghệ An mentioned by an article: the matcher (:func:`find_places`) over the
gazetteer of :mod:`danvan_crawler.gazetteer`.

Matching works on a folded copy of the text (NFC, every diacritic removed, ``đ`` ->
``d``): tone marks, their old or new placement (``Hoà``/``Hòa``, ``uỷ``/``ủy``) and
their absence do not matter. The folded text is cut into word and punctuation tokens
once; each token that can start a name is looked up with the next few tokens in a
dictionary of token tuples, so a name is found whole (never inside a longer word or
across punctuation) at a cost linear in the text. A name with its kind in front
(``xã Nghĩa Tiến``, ``huyện Quỳnh Lưu``, ``TP. Vinh``) is always a place; a bare name is
one only for today's units, the former districts and the province, when every word is
capitalised and the name has at least two words (``Vinh`` alone is too often another
word once tone marks are gone: ``vinh danh``, ``Vĩnh``). A former unit found also tags
the unit of today it became part of.

What is not looked at: the site's own name (``Đảng bộ tỉnh Nghệ An`` in a banner or
sub-site name) and the signature (trailing short lines naming an author), so a writer
called ``Hoàng Mai`` does not tag the ward.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from danvan_crawler.gazetteer import (
    _EDGE_PUNCT,
    REORGANISED,
    Gazetteer,
    PlaceRef,
    fold,
    gazetteer,
    slugify,
)

#: Names of the portal itself, never a mention of the province.
SITE_NAMES: tuple[str, ...] = (
    "Cổng thông tin điện tử Đảng bộ tỉnh Nghệ An",
    "Báo điện tử Đảng bộ tỉnh Nghệ An",
    "Đảng bộ tỉnh Nghệ An",
)
#: Longest signature line (characters) and lines looked at from the end of the body.
_SIGNATURE_MAX = 80
_SIGNATURE_LINES = 3
#: What a signature line may start with before the name ("Bài, ảnh: ", folded).
_BYLINE_RE = re.compile(r"^\W*(?:(?:bai|tin|anh|tac gia|theo)\W+)*")


def _capitalised(tokens: Sequence[str]) -> bool:
    return all(t.lstrip(_EDGE_PUNCT)[:1].isupper() for t in tokens)


def _drop_signature(body: str, authors: Iterable[str]) -> str:
    """The body without its signature: from a short line among the last few that starts
    with an author's name (after ``Bài, ảnh:``), when only short lines (a role) follow."""
    names = [fold(a).lower() for a in authors if a]
    if not names:
        return body
    lines = body.rstrip().rsplit("\n", _SIGNATURE_LINES)  # (the lines looked at, split off)
    cut = len(lines)
    for i in range(len(lines) - 1, 0 if len(lines) > _SIGNATURE_LINES else -1, -1):
        line = lines[i].strip()
        if len(line) > _SIGNATURE_MAX:
            break  # a paragraph: the signature, if any, is after it
        folded = _BYLINE_RE.sub("", fold(line).lower())
        if any(n and folded.startswith(n) for n in names):
            cut = i
    return "\n".join(lines[:cut])


def _author_names(article: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for author in article.get("authors") or ():
        if isinstance(author, Mapping):
            names.extend(str(author[k]) for k in ("name", "nameRaw") if author.get(k))
        elif isinstance(author, str):
            names.append(author)
    return names


def _texts(article: Mapping[str, Any]) -> list[str]:
    """The text looked at: headline, lead, body without signature; site names removed."""
    authors = _author_names(article)
    body = article.get("articleBody")
    lead = article.get("description")
    if isinstance(body, str) and isinstance(lead, str) and lead in body:
        lead = None  # the body starts with the lead: read once
    parts = [article.get("headline"), lead]
    parts.append(_drop_signature(body, authors) if isinstance(body, str) else None)
    site_names = [*SITE_NAMES, str(article.get("subSite") or "")]
    out = []
    for part in parts:
        if not isinstance(part, str) or not part:
            continue
        for name in site_names:
            if name and name in part:
                part = part.replace(name, " | ")
        out.append(part)
    return out


def _add(found: dict[str, None], gaz: Gazetteer, key: str) -> None:
    found[key] = None
    after = gaz.places[key].successor
    if after is not None:
        found[after] = None


def find_places(article: Mapping[str, Any], gaz: Gazetteer | None = None) -> list[PlaceRef]:
    """The places an article (output-schema mapping) mentions: {name, code, level,
    current}, today's units first, then former ones, each in order of first mention."""
    gaz = gaz or gazetteer()
    published = article.get("datePublished")
    before = None
    if isinstance(published, str) and published[:10]:
        before = published[:10] < REORGANISED.date().isoformat()
    found: dict[str, None] = {}
    undecided: list[list[str]] = []
    forms, starts, pairs = gaz.forms, gaz.starts, gaz.pairs
    for text in _texts(article):
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        printed = text.split()
        n = len(printed)
        positions = [i for i, word in enumerate(printed) if word in starts]
        done = 0  # words before this are part of a name found
        for i in positions:
            if i < done or i + 1 >= n:
                continue
            first = printed[i].lower().lstrip(_EDGE_PUNCT)
            if (first, printed[i + 1].lower().rstrip(_EDGE_PUNCT)) not in pairs:
                continue  # most kind words ("xã hội", "huyện ủy") end here
            longest = [first, *(w.lower() for w in printed[i + 1 : i + starts[printed[i]][0]])]
            for length in starts[printed[i]]:
                if i + length > n:
                    continue
                window = longest[:length]
                hits = forms.get(tuple(window))
                if not hits and not window[-1][-1].isalnum():
                    window[-1] = window[-1].rstrip(_EDGE_PUNCT)  # "Lưu," ends a name
                    hits = forms.get(tuple(window))
                if not hits:
                    continue
                if any(caps for _, caps in hits):
                    capitals = _capitalised(printed[i : i + length])
                    keys = [k for k, caps in hits if capitals or not caps]
                else:
                    keys = [k for k, _ in hits]
                if not keys:
                    continue
                if len(keys) > 1 and before is not None:
                    # a bare name of a former district and of today's commune alike:
                    # the unit of the article's time
                    keys = [k for k in keys if gaz.places[k].current != before] or keys
                districts = {gaz.places[k].district for k in keys}
                if len(districts) > 1 and None not in districts:
                    undecided.append(keys)  # one name in several former districts
                else:
                    for key in keys:
                        _add(found, gaz, key)
                done = i + length
                break
    # "xã Hưng Tân" of two former districts: the one whose district the article names
    named = {slugify(gaz.places[k].short) for k in found}
    for keys in undecided:
        for key in keys:
            if slugify(gaz.places[key].district or "") in named:
                _add(found, gaz, key)
    places = [gaz.places[k] for k in found]
    places.sort(key=lambda p: not p.current)  # stable: order of mention kept within each
    return [p.ref() for p in places]


def place_slug(ref: Mapping[str, Any]) -> str:
    """The feed name of a place of ``places`` (its gazetteer slug; a place the
    gazetteer no longer knows: its folded name and code)."""
    known = gazetteer().place_for(ref)
    if known is not None:
        return known.slug
    return f"{slugify(str(ref.get('name') or 'noi'))}-{slugify(str(ref.get('code') or ''))}".strip(
        "-"
    )
