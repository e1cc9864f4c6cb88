"""What a search answers: :class:`Hit`, and the matched words marked in the printed
text (:func:`mark_text`; :func:`mark_html`, :func:`mark_plain` to show them).

The marks are private-use characters removed from stored text before it is shown or
indexed (:func:`field_text`), so no text can forge one. Matches are found by a pattern
whose letters are classes of every letter folding to the query's, so no body is folded
to be marked, around the first match only."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from itertools import islice
from typing import Any

from danvan_crawler.store.search.query import PAIR_JOIN, Query, Term
from danvan_crawler.vietnamese import search_fold_sources

#: Where a snippet's match starts and ends (private-use characters, removed from the
#: stored text before it is shown, so no text can forge one).
MARK_START = "\ue000"
MARK_END = "\ue001"
#: Tokens around a match in a snippet.
SNIPPET_TOKENS = 32
_NONSPACE_RE = re.compile(r"\S+")


@dataclass(frozen=True)
class Hit:
    """One article found: its stored record, its rank (lower is better) and a snippet
    of the printed text with the matched words between :data:`MARK_START` and
    :data:`MARK_END`."""

    record: dict[str, Any]
    rank: float
    snippet: str
    title: str = ""  # the headline, matched words marked
    extra: dict[str, Any] = field(default_factory=dict)


def mark_html(marked: str) -> str:
    """A marked snippet as HTML: text escaped, each match in ``<mark>``."""
    out: list[str] = []
    open_mark = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if part == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif part == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(escape(part, quote=False))
    if open_mark:
        out.append("</mark>")
    return "".join(out)


def mark_plain(marked: str, start: str = "[", end: str = "]") -> str:
    return marked.replace(MARK_START, start).replace(MARK_END, end)


def field_text(value: Any) -> str:
    text_value = value if isinstance(value, str) else ""
    for char in (MARK_START, MARK_END, PAIR_JOIN):
        if char in text_value:
            text_value = text_value.replace(char, "")
    return text_value


def snippet(record: Mapping[str, Any], parsed: Query) -> str:
    """About :data:`SNIPPET_TOKENS` words of the body around its first match (of the
    lead when the body has none), the matches marked."""
    for name in ("articleBody", "description"):
        marked = mark_text(field_text(record.get(name)), parsed, window=SNIPPET_TOKENS)
        if MARK_START in marked:
            return marked
    return mark_text(field_text(record.get("articleBody")), parsed, window=SNIPPET_TOKENS)


def title(record: Mapping[str, Any], parsed: Query) -> str:
    return mark_text(field_text(record.get("headline")), parsed)


@lru_cache(maxsize=64)
def _phrase_pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """The positive phrases of a query as one pattern over the printed (NFC) text: each
    folded letter a class of the letters folding to it, so that no body is folded to
    find where to mark it; anything but a letter or digit between the words."""
    sources = search_fold_sources()

    def letter(char: str) -> str:
        return f"[{re.escape(char + sources[char])}]" if char in sources else re.escape(char)

    patterns = []
    for term in terms:
        if term.negated:
            continue
        tail = r"[^\W_]*" if term.prefix else ""
        body = r"[\W_]+".join("".join(map(letter, word)) for word in term.words)
        patterns.append(rf"(?<![^\W_]){body}{tail}(?![^\W_])")
    return re.compile("|".join(patterns)) if patterns else None


def mark_text(original: str, parsed: Query, *, window: int | None = None) -> str:
    """``original`` with the phrases of ``parsed`` between the marks (matched as their
    folds would be: :func:`_phrase_pattern`); with ``window``, only about that many
    words around the first match, ``…`` where text was cut."""
    printed = unicodedata.normalize("NFC", original)
    pattern = _phrase_pattern(parsed.terms)
    found = pattern.search(printed) if pattern else None
    start, end = 0, len(printed)
    if window is not None:
        # words read around the first match only (a body is thousands of words)
        anchor = found.start() if found else 0
        region = max(0, anchor - 16 * (window // 3 + 1))
        before = [m.span() for m in _NONSPACE_RE.finditer(printed, region, anchor)]
        if region > 0 and before and before[0][0] == region:
            before = before[1:]  # maybe cut by the region
        first = before.pop()[0] if before and before[-1][1] == anchor else anchor
        starts = [a for a, _ in before][-(window // 3) :] if window >= 3 else []
        shown = list(islice(_NONSPACE_RE.finditer(printed, starts[0] if starts else first), window))
        if shown:
            start, end = shown[0].start(), shown[-1].end()
    spans = [m.span() for m in pattern.finditer(printed, start, end)] if found and pattern else []
    out = ["…" if start > 0 else ""]
    at = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [printed[at:a], MARK_START, printed[a:b], MARK_END]
        at = b
    out += [printed[at:end], "…" if end < len(printed) else ""]
    return "".join(out)
