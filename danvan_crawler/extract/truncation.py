"""Was an article page cut short? Evidence that holds for tag soup.

A page cut short on the wire with a plausible length (the server wrote part of it and a
Content-Length to match) still parses: the parser closes what was open. When the markup
is tag soup, a stray ``</body></html>`` near the top makes "``</html>`` near the end" no
test at all. :func:`cut_evidence` judges one article page on what holds anyway:

strong (each alone is a cut):

- ``length``: the Content-Length the server announced is not what arrived;
- ``open_end``: the document stops inside a text or a tag (whitespace aside, its last
  character is not the ``>`` of a tag).

weak (a cut only on a page that does not end with its own ``</html>``: trailing
whitespace, comments and scripts aside; such a page ends where the article ended, not
where the wire did):

- ``content_last``: nothing follows the content block (the profile's ``content``) in the
  document: no footer, no script, no text;
- ``no_content``: the profile's content block is not on the page;
- ``end_markers``: none of the profile's ``[article] end_markers`` (what is printed
  after everything the article has: share bar, related list, footer) is on the page;
- ``lead``: the page's lead is not the lead its listing entry showed;
- ``mid_sentence``: the body stops without ending a sentence, while the listing's lead
  (written by the same hands) ends its own.

and one for a page that does end with an ``</html>``: ``stray_end``, neither the content
block nor any end marker on it, on a site whose pages were seen to show both in this run
(``layout_known``: :func:`layout_fits` of an earlier page). The page stops right after
a stray ``</body></html>``: what tag soup prints near its top.

:func:`listing_cut_evidence` judges a listing page the same way (its ``scope`` stands for
the content block, ``[listing] end_markers`` for the markers): a listing cut short loses
its pager, and with it the category's later pages.

The listing entry's lead travels with the article request as a :class:`ListingHint`
packed in one integer (with the entry's time, the date fallback of a page printing none).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from lxml import etree

from danvan_crawler.extract.selectors import first_match

if TYPE_CHECKING:
    from danvan_crawler.extract.article import ArticlePage
    from danvan_crawler.extract.listing import ListingEntry, ListingPage

__all__ = [
    "STRONG_REASONS",
    "ListingHint",
    "closed_document",
    "cut_evidence",
    "ends_sentence",
    "layout_fits",
    "lead_key",
    "listing_cut_evidence",
    "listing_layout_fits",
    "nothing_after",
    "open_end",
]

STRONG_REASONS = ("length", "open_end")
#: how much of a page's end is read to find its closing ``</html>`` and what follows it
TAIL_CHARS = 4096

#: what may follow ``</html>`` on a whole page: whitespace, comments, scripts (one
#: alternative per position: no backtracking to speak of)
_TRAILER_RE = re.compile(
    r"(?:\s|<!--.*?-->|<script\b[^>]*>.*?</script\s*>)*", re.IGNORECASE | re.DOTALL
)
_HTML_END_RE = re.compile(r"</html\s*>", re.IGNORECASE)
_NOT_WORD_RE = re.compile(r"[\W_]+")
#: how a sentence (or a paragraph standing for one) ends: punctuation, then closing
#: quotes or brackets
_SENTENCE_END_RE = re.compile(r"[.!?…:;][\"'”’»)\]]*\s*$|[\"'”’»)\]]\s*$")


def open_end(text: str) -> bool:
    """Whether the document stops inside a text or a tag: whitespace aside, its last
    character is not a ``>``."""
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    return end > 0 and text[end - 1] != ">"


def closed_document(text: str) -> bool:
    """Whether the document ends with its ``</html>`` (then only whitespace, comments and
    scripts): the page ends where its author ended it."""
    tail = text[-TAIL_CHARS:]
    start = tail.lower().rfind("</html")
    if start < 0:
        return False
    end = _HTML_END_RE.match(tail, start)
    if end is None:
        return False
    trailer = _TRAILER_RE.match(tail, end.end())
    return trailer is not None and trailer.end() == len(tail)


def nothing_after(node: etree._Element) -> bool:
    """Whether nothing follows ``node`` in its document: no element, no text other than
    whitespace (comments aside), at any level up to the root."""
    el: etree._Element | None = node
    while el is not None:
        if el.tail and el.tail.strip():
            return False
        sibling = el.getnext()
        while sibling is not None:
            if isinstance(sibling.tag, str):
                return False
            if sibling.tail and sibling.tail.strip():
                return False
            sibling = sibling.getnext()
        el = el.getparent()
    return True


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends as a sentence does (``.``, ``!``, ``?``, ``…``, ``:``, ``;``,
    a closing quote or bracket)."""
    return bool(_SENTENCE_END_RE.search(text))


def lead_key(text: str | None) -> int | None:
    """A 32-bit key of a lead's letters and digits (case, spacing, punctuation and
    Unicode form aside); None for a text holding none."""
    if not text:
        return None
    letters = _NOT_WORD_RE.sub("", unicodedata.normalize("NFC", text).casefold())
    if not letters:
        return None
    return zlib.crc32(letters.encode("utf-8"))


# -- what a listing entry tells an article request --------------------------------------

#: packed layout: time (seconds + _EPOCH_SHIFT, or _NO_TIME) << 34 | has lead << 33 |
#: lead ends a sentence << 32 | lead key
_EPOCH_SHIFT = 1 << 36
_NO_TIME = (1 << 38) - 1


@dataclass(frozen=True, slots=True)
class ListingHint:
    """What an article's listing entry showed: its time (POSIX seconds) and a key of its
    lead. Packed in one integer (:meth:`pack`) while the article waits to be fetched: a
    crawl holds one per listed article."""

    updated: int | None = None
    lead_key: int | None = None
    lead_ends_sentence: bool = False

    @classmethod
    def from_entry(cls, entry: ListingEntry) -> ListingHint:
        updated = int(entry.updated.timestamp()) if entry.updated is not None else None
        lead = entry.lead
        return cls(updated, lead_key(lead), bool(lead) and ends_sentence(lead or ""))

    def pack(self) -> int:
        when = _NO_TIME if self.updated is None else self.updated + _EPOCH_SHIFT
        when = min(max(when, 0), _NO_TIME)
        has_lead = self.lead_key is not None
        return (
            (when << 34)
            | (int(has_lead) << 33)
            | (int(self.lead_ends_sentence) << 32)
            | (self.lead_key or 0)
        )

    @classmethod
    def unpack(cls, value: int) -> ListingHint:
        when = value >> 34
        has_lead = bool(value >> 33 & 1)
        return cls(
            None if when >= _NO_TIME else when - _EPOCH_SHIFT,
            (value & 0xFFFFFFFF) if has_lead else None,
            bool(value >> 32 & 1),
        )

    @staticmethod
    def sort_time(value: int | None) -> float:
        """The entry time of a packed hint, for ordering (entries without one last)."""
        if value is None or value >> 34 >= _NO_TIME:
            return float("inf")
        return float((value >> 34) - _EPOCH_SHIFT)

    def updated_at(self, tz: tzinfo) -> datetime | None:
        """The entry's time in ``tz`` (None when it showed none)."""
        return None if self.updated is None else datetime.fromtimestamp(self.updated, tz)


# -- the judgement ------------------------------------------------------------------------


def _first_element(root: etree._Element, selectors: tuple[str, ...], *args: object) -> bool:
    found = first_match(root, selectors, *args) if selectors else []  # type: ignore[arg-type]
    return bool(found) and isinstance(found[0], etree._Element)


def layout_fits(page: ArticlePage) -> bool:
    """Whether the article page shows both the profile's content block and one of its
    end markers (the profile fits the site: a page missing both may be cut short)."""
    article = page.profile.article
    return bool(article.end_markers) and all(
        _first_element(page.root, selectors, page._names, page._scope)
        for selectors in (article.content, article.end_markers)
    )


def listing_layout_fits(page: ListingPage) -> bool:
    """:func:`layout_fits` of a listing page (its ``scope`` and ``[listing] end_markers``)."""
    listing = page.profile.listing
    return bool(listing.end_markers) and all(
        _first_element(page.root, selectors) for selectors in (listing.scope, listing.end_markers)
    )


def cut_evidence(
    page: ArticlePage,
    text: str,
    *,
    length_mismatch: bool = False,
    listing: ListingHint | None = None,
    layout_known: bool = False,
) -> list[str]:
    """Why the article page ``text`` (parsed as ``page``) looks cut short: the reasons
    (module doc), empty for a page that looks whole. ``layout_known``: pages of this
    site were seen to show the content block and an end marker."""
    reasons = ["length"] if length_mismatch else []
    if open_end(text):
        reasons.append("open_end")
    profile = page.profile
    if closed_document(text):
        if layout_known and not any(
            _first_element(page.root, selectors, page._names, page._scope)
            for selectors in (profile.article.content, profile.article.end_markers)
        ):
            reasons.append("stray_end")
        return reasons
    found = first_match(page.root, profile.article.content, page._names, page._scope)
    node = found[0] if found and isinstance(found[0], etree._Element) else None
    if node is None:
        reasons.append("no_content")
    elif nothing_after(node):
        reasons.append("content_last")
    markers = profile.article.end_markers
    if markers and not first_match(page.root, markers, page._names, page._scope):
        reasons.append("end_markers")
    if listing is not None and listing.lead_key is not None:
        lead = page.description or next(iter(page.body_paragraphs), None)
        if lead_key(lead) != listing.lead_key:
            reasons.append("lead")
        body = page.body_paragraphs
        if listing.lead_ends_sentence and body and not ends_sentence(body[-1]):
            reasons.append("mid_sentence")
    return reasons


def listing_cut_evidence(
    page: ListingPage, text: str, *, length_mismatch: bool = False, layout_known: bool = False
) -> list[str]:
    """Why the listing page ``text`` (parsed as ``page``) looks cut short: ``length``,
    ``open_end``; on a page not ending with its ``</html>``, ``no_content`` (no list),
    ``content_last`` (nothing after the list) and ``end_markers``; on one that does,
    ``stray_end`` (see :func:`cut_evidence`)."""
    reasons = ["length"] if length_mismatch else []
    if open_end(text):
        reasons.append("open_end")
    listing = page.profile.listing
    if closed_document(text):
        if layout_known and not any(
            _first_element(page.root, selectors)
            for selectors in (listing.scope, listing.end_markers)
        ):
            reasons.append("stray_end")
        return reasons
    found = first_match(page.root, listing.scope)
    node = found[0] if found and isinstance(found[0], etree._Element) else None
    if node is None:
        reasons.append("no_content")
    elif nothing_after(node):
        reasons.append("content_last")
    if listing.end_markers and not first_match(page.root, listing.end_markers):
        reasons.append("end_markers")
    return reasons
