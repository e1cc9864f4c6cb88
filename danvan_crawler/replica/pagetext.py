"""The text a page shows, and which of it is furniture (not the article's own text).

Used by ``/_replica/layout.jsonl``: a benchmark checks that an extracted body holds none
of the furniture (menus, related links, share bars, comments, footers). Standard library
only (``html.parser``), so the replica's judgement shares no code with the crawler's.
"""

from __future__ import annotations

from html.parser import HTMLParser

from danvan_crawler.replica.text import clean

#: elements whose text is never shown on the page
_HIDDEN = frozenset({"script", "style", "head", "title", "noscript", "template", "textarea"})
#: a text node with fewer letters than this is too short to judge by (separators, "A+")
MIN_LETTERS = 4


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def text_nodes(html: str) -> list[str]:
    """The page's visible text nodes, cleaned, empty ones left out, in page order."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return [t for t in (clean(node) for node in parser.out) if t]


def furniture(html: str, own: list[str]) -> list[str]:
    """Text nodes of ``html`` (with at least :data:`MIN_LETTERS` letters) that are not
    part of any of the ``own`` texts (the article's headline, lead, paragraphs, captions,
    signature, dates as printed...), once each, in page order."""
    mine = [clean(t) for t in own if t]
    out: dict[str, None] = {}
    for node in text_nodes(html):
        if node in out or sum(ch.isalpha() for ch in node) < MIN_LETTERS:
            continue
        if not any(node in text for text in mine):
            out[node] = None
    return list(out)
