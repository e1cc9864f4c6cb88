"""Keeping the HTML sanitizer linear: what ``articleBodyHtml`` hands to nh3 is bounded.

nh3 (ammonia over html5ever) takes time quadratic in the length of a text node holding
many characters it writes as entities or treats specially: U+00A0 (``&nbsp;``), ``&``
(``&amp;``), and the rest of U+0080..U+00BF. A page of NBSP runs took 1.2 s at 0.5 MB and
107 s at 4 MB, on the reactor thread. :func:`bound_for_sanitizer` rewrites its input,
before nh3, into one that gives the same cleaned output (``clean_html_text`` of nh3's)
in linear time:

- ``nbsp``: on a page with more than :data:`NBSP_LIMIT` NBSPs, every run of whitespace
  holding an NBSP becomes one NBSP (the cleaned output turns each NBSP into a space and
  each run of spaces into one; the run stays non-blank, which decides where the parser
  puts text met inside a table: the same output);
- ``long_text``: a text run longer than :data:`TEXT_RUN` characters is split by empty
  comments (``<!---->``) about every :data:`TEXT_RUN` characters, each piece holding
  something other than whitespace (never inside a character reference, a comment, a tag
  or a raw-text element): the parser starts a new text node at each, nh3 drops the
  comments, its output is the same;
- ``capped``: input longer than :data:`MAX_CHARS` characters is cut at the last tag
  before the limit (nh3 closes what is open): the body's HTML loses its end.

Each rewrite is named in the result (the spider counts ``danvan/extract/bounded/<name>``).
Pages below the limits, every ordinary article page, are handed over unchanged.
"""

from __future__ import annotations

import re
from itertools import chain

__all__ = ["MAX_CHARS", "NBSP_LIMIT", "TEXT_RUN", "bound_for_sanitizer"]

#: NBSPs a page may hold before its runs are collapsed (an ordinary page: a few hundred,
#: most in the signature's indentation)
NBSP_LIMIT = 2048
#: longest text run handed to nh3 in one piece
TEXT_RUN = 4096
#: longest input handed to nh3 (characters; pages are at most DOWNLOAD_MAXSIZE bytes)
MAX_CHARS = 4 * 1024 * 1024

_NBSP_RUN_RE = re.compile("[ \t\r\n\f]*\u00a0[\u00a0 \t\r\n\f]*")
#: what text runs are not: comments, raw-text elements (whose content the parser does not
#: read as markup), tags
_NOT_TEXT_RE = re.compile(
    r"<!--.*?-->"
    r"|<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|plaintext)\b"
    r"[^>]*>.*?</\1\s*>"
    r"|<[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
_SPLIT = "<!---->"
#: longest character reference (``&#x10FFFF;``, ``&thetasym;``): a split never lands in one
_REF_SPAN = 12


def bound_for_sanitizer(
    html: str,
    *,
    nbsp_limit: int = NBSP_LIMIT,
    text_run: int = TEXT_RUN,
    max_chars: int = MAX_CHARS,
) -> tuple[str, list[str]]:
    """``html`` as handed to nh3, and the names of the rewrites made (module doc)."""
    done: list[str] = []
    if html.count("\u00a0") > nbsp_limit:
        html = _NBSP_RUN_RE.sub("\u00a0", html)
        done.append("nbsp")
    if len(html) > max_chars:
        cut = html.rfind("<", 0, max_chars)
        html = html[: cut if cut > 0 else max_chars]
        done.append("capped")
    if len(html) > text_run and max(map(len, html.split("<"))) > text_run:
        html = split_text_runs(html, text_run)
        done.append("long_text")
    return html, done


def split_text_runs(html: str, text_run: int = TEXT_RUN) -> str:
    """``html`` (as lxml serializes it: comments and raw-text elements closed) with
    ``<!---->`` about every ``text_run`` characters of each longer text run: after a
    character other than whitespace, before another one, never inside a character
    reference, a comment, a tag or a raw-text element."""
    parts: list[str] = []
    pos = 0
    for match in _NOT_TEXT_RE.finditer(html):
        _split_into(parts, html, pos, match.start(), text_run)
        parts.append(match.group(0))
        pos = match.end()
    _split_into(parts, html, pos, len(html), text_run)
    return "".join(parts)


def _split_into(parts: list[str], html: str, start: int, end: int, text_run: int) -> None:
    if end - start > text_run:
        # the pieces after a split must hold something other than whitespace too: no
        # split at or after the end of the run's last non-blank character
        tail = start + len(html[start:end].rstrip())
        while tail - start > text_run:
            cut = _split_point(html, start, start + text_run, tail)
            if cut is None:
                break
            parts.append(html[start:cut])
            parts.append(_SPLIT)
            start = cut
    parts.append(html[start:end])


def _split_point(html: str, start: int, near: int, tail: int) -> int | None:
    """A position in (``start``, ``tail``) after a non-blank character and outside any
    character reference: the last one up to ``near``, else the first one after it."""
    for point in chain(range(near, start, -1), range(near + 1, tail)):
        if not html[point - 1].isspace() and not _in_reference(html, start, point):
            return point
    return None


def _in_reference(html: str, start: int, point: int) -> bool:
    amp = html.rfind("&", max(start, point - _REF_SPAN), point)
    return amp >= 0 and ";" not in html[amp:point]
