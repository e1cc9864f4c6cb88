"""Official documents cited in article text -> ``documentRefs`` (docs/DESIGN.md).

Party documents are cited as ``<kind> [số] <number>-<code>/<issuer>``
(``Quyết định số 23-QĐ/TW``, ``Quy chế số 07-QC/TU``, ``Quy định số 2683-QĐi/TU``);
state documents as ``<kind> [số] <number>/<code>-<issuer>``
(``Quyết định số 1234/QĐ-UBND``). A citation is recognised by its number-code-issuer
group, so ``Chỉ thị về ...`` or ``Nghị quyết Đại hội`` (no number) are not references.
The kind is read from the code (``QĐ`` is always ``Quyết định``), which also holds when
the kind word is missing or abbreviated.

Each reference is ``{kind, number, code, issuer, raw}``:

- ``number``: digits without leading zeros (``07`` -> ``7``);
- ``code``: the kind code as Vietnamese writes it (``QĐ``, ``QC``, ``NQ``, ``CT``,
  ``KL``, ``QĐi``, ``HD``, ``TB``), whatever the spelling (``QD``, ``qđ``, ``QĐI``);
- ``issuer``: upper case, except the conventional mixed-case ones (``ThU``);
- ``raw``: the first spelling seen, NFC with whitespace collapsed, from the kind word
  (when present) to the issuer.

References are unique by (``code``, ``number``, ``issuer``) and listed in order of first
appearance. :func:`document_refs_for` scans the headline, then the body.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypedDict

logger = logging.getLogger(__name__)

__all__ = [
    "CODE_KINDS",
    "DocumentRef",
    "document_key",
    "document_refs_for",
    "extract_document_refs",
]


class DocumentRef(TypedDict):
    kind: str
    number: str
    code: str
    issuer: str
    raw: str


#: Canonical kind code -> full Vietnamese kind name.
CODE_KINDS: dict[str, str] = {
    "QĐ": "Quyết định",
    "QC": "Quy chế",
    "NQ": "Nghị quyết",
    "CT": "Chỉ thị",
    "KL": "Kết luận",
    "QĐi": "Quy định",
    "HD": "Hướng dẫn",
    "TB": "Thông báo",
}

# Spelling (upper-cased, Đ kept) -> canonical code. QD/QDI: the Đ typed as D.
_CODE_SPELLINGS: dict[str, str] = {
    "QĐ": "QĐ",
    "QD": "QĐ",
    "QC": "QC",
    "NQ": "NQ",
    "CT": "CT",
    "KL": "KL",
    "QĐI": "QĐi",
    "QDI": "QĐi",
    "HD": "HD",
    "HĐ": "HD",
    "TB": "TB",
}

#: Issuers whose conventional spelling is not all upper case (upper-cased key).
_ISSUER_CASING: dict[str, str] = {"THU": "ThU"}

_KIND_WORDS = "|".join(sorted((re.escape(k) for k in CODE_KINDS.values()), key=len, reverse=True))
_CODE_ALT = "QĐi|QĐI|QDi|QDI|QĐ|QD|QC|NQ|CT|KL|HD|HĐ|TB"
_SP = r"[ \t\u00a0\u202f\u2007]*"  # spaces inside a citation: plain, NBSP, narrow/figure
_DASH = r"[-\u2010\u2011\u2012\u2013\u2014]"
_ISSUER = r"[A-Za-zĐđ]{1,12}(?:-[A-Za-zĐđ]{1,12})*"

_PARTY = (
    rf"(?P<p_num>\d{{1,5}}){_SP}{_DASH}{_SP}(?P<p_code>{_CODE_ALT}){_SP}/{_SP}(?P<p_iss>{_ISSUER})"
)
_STATE = (
    rf"(?P<s_num>\d{{1,6}}){_SP}(?:/{_SP}\d{{4}}{_SP})?/{_SP}(?P<s_code>{_CODE_ALT})"
    rf"{_SP}{_DASH}{_SP}(?P<s_iss>{_ISSUER})"
)
_REF_RE = re.compile(
    rf"(?:(?P<kind>{_KIND_WORDS}){_SP}(?:(?:số|so){_SP}:?{_SP})?)?"
    rf"(?<![\w/.-])(?:{_PARTY}|{_STATE})(?![\w])",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"\s+")

# The same matches as ``_REF_RE.finditer``, found cheaply (see :func:`_ref_matches`): the
# number-code-issuer group alone, starting with the number's first digit (``digit``; the
# rest of the number in ``p_num``/``s_num``) and its look-behind written after that digit
# (the same condition: the character before the number is no letter, digit, "/", "." or
# "-"), so the regex engine skips from digit to digit instead of trying the kind words at
# every character; then the kind-word prefix, looked for only just before each citation.
_CORE_RE = re.compile(
    rf"(?P<digit>\d)(?<![\w/.-]\d)"
    rf"(?:(?P<p_num>\d{{0,4}}){_SP}{_DASH}{_SP}(?P<p_code>{_CODE_ALT}){_SP}/{_SP}"
    rf"(?P<p_iss>{_ISSUER})"
    rf"|(?P<s_num>\d{{0,5}}){_SP}(?:/{_SP}\d{{4}}{_SP})?/{_SP}(?P<s_code>{_CODE_ALT})"
    rf"{_SP}{_DASH}{_SP}(?P<s_iss>{_ISSUER}))(?![\w])",
    re.IGNORECASE,
)
_PREFIX_RE = re.compile(
    rf"(?:{_KIND_WORDS}){_SP}(?:(?:số|so){_SP}:?{_SP})?\Z",
    re.IGNORECASE,
)
_SP_CHARS = " \t\u00a0\u202f\u2007"  # (distinct characters: their counts add up)
#: Where the kind-word prefix is looked for: this many characters before a citation...
_PREFIX_WINDOW = 40
#: ... unless they hold at most this many non-space characters (a kind word, "số", ":"),
#: then a prefix may start further back and the whole text since the last match is searched.
_PREFIX_MAX_SOLID = 13


def _ref_matches(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(start, core match) of every citation ``_REF_RE.finditer(text)`` finds: the start
    is where ``_REF_RE``'s match starts (its kind word, when present), the core match
    holds the number (``digit`` + ``p_num``/``s_num``), code and issuer groups and the end.

    The same matches: ``_REF_RE`` matches at a position only with a kind-word prefix
    followed by a core match, or with a core match there; a prefix holds no digit, so
    no core match starts inside it, and the leftmost prefix reaching a core match is
    the one ``_REF_RE``'s left-to-right scan meets first."""
    previous_end = 0
    for core in _core_matches(text):
        start = core.start()
        low = max(previous_end, start - _PREFIX_WINDOW)
        if low > previous_end:
            window = text[low:start]
            # its characters other than spaces (counted per space character: no loop
            # over the window's characters in Python)
            solid = len(window) - sum(map(window.count, _SP_CHARS))
            if solid <= _PREFIX_MAX_SOLID:
                low = previous_end
        prefix = _PREFIX_RE.search(text, low, start)
        yield (prefix.start() if prefix else start), core
        previous_end = core.end()


def _core_matches(text: str) -> Iterator[re.Match[str]]:
    """``_CORE_RE.finditer(text)``, searched only in the lines holding a ``/``: a citation
    holds one and no newline (nor does its kind-word prefix), so the lines without are
    skipped (most of an article's paragraphs). Each line is searched from its start (or
    the end of the last match in it) up to its newline: the look-behind sees the text
    before, and the closing look-ahead (no word character next) holds at a newline as
    at the end of the search."""
    pos = 0
    while (slash := text.find("/", pos)) >= 0:
        start = max(pos, text.rfind("\n", 0, slash) + 1)
        end = text.find("\n", slash)
        if end < 0:
            end = len(text)
        yield from _CORE_RE.finditer(text, start, end)
        pos = end + 1
    return


def _canonical_code(spelling: str) -> str | None:
    return _CODE_SPELLINGS.get(spelling.upper())


def _canonical_issuer(spelling: str) -> str:
    upper = spelling.upper()
    return _ISSUER_CASING.get(upper, upper)


def document_key(ref: Mapping[str, Any]) -> tuple[str, str, str]:
    """The identity of a reference: (code, number, issuer)."""
    return (ref["code"], ref["number"], ref["issuer"])


def extract_document_refs(texts: str | Iterable[str]) -> list[DocumentRef]:
    """Documents cited in ``texts`` (one string or several, scanned in order)."""
    if isinstance(texts, str):
        texts = [texts]
    refs: list[DocumentRef] = []
    seen: set[tuple[str, str, str]] = set()
    for text in texts:
        if not text:
            continue
        text = unicodedata.normalize("NFC", text)
        for start, m in _ref_matches(text):
            party = m.group("p_num") is not None
            number = m.group("digit") + (m.group("p_num") if party else m.group("s_num"))
            code = _canonical_code(m.group("p_code") if party else m.group("s_code"))
            if code is None:
                continue
            issuer = _canonical_issuer(m.group("p_iss") if party else m.group("s_iss"))
            ref: DocumentRef = {
                "kind": CODE_KINDS[code],
                "number": str(int(number)),
                "code": code,
                "issuer": issuer,
                "raw": _SPACES_RE.sub(" ", text[start : m.end()]).strip(),
            }
            key = document_key(ref)
            if key not in seen:
                seen.add(key)
                refs.append(ref)
    return refs


def document_refs_for(article: Mapping[str, object]) -> list[DocumentRef]:
    """``documentRefs`` of an article (output-schema mapping): headline, then body."""
    parts = [article.get("headline"), article.get("articleBody")]
    return extract_document_refs([p for p in parts if isinstance(p, str)])
