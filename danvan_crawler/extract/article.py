"""Article pages: every output field the page itself gives.

``ArticlePage(html, url, profile).extract()`` returns an :class:`ArticleResult`: the fields
(output schema names) and, per field, the generic fallback used when the profile's
selectors found nothing. Categories, crawl time and document references are not the
page's business (the spider and the pipelines add them).
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import nh3
from lxml import etree

from danvan_crawler.dates import ParsedDate, find_date, parse_date
from danvan_crawler.extract.bounds import bound_for_sanitizer
from danvan_crawler.extract.common import (
    Scope,
    attribute_names,
    banner_site_name,
    canon,
    compiled_xpath,
    first_match,
    json_ld,
    json_ld_value,
    may_match,
    meta,
    node_attr,
    node_text,
    page_property,
    parse_html,
    select,
    string_content,
)
from danvan_crawler.extract.external import htmldate_day, trafilatura_body
from danvan_crawler.extract.ladder import HEADING_TAGS, text_key, text_nodes, title_keys
from danvan_crawler.extract.ladder_body import (
    clean_content,
    content_parts,
    drop_element,
    subtree_stats,
)
from danvan_crawler.extract.ladder_headline import headline_element, lead_like, prominent_heading
from danvan_crawler.extract.ladder_lines import (
    Line,
    in_link_list,
    in_list_of_links,
    region_lines,
    text_lines,
)
from danvan_crawler.extract.ladder_signature import (
    bold_line,
    date_line,
    leading_bold,
    name_like,
    split_name_role,
    text_before,
    text_size,
)
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_block, clean_text, strip_invisible_spaced
from danvan_crawler.urls import article_id

logger = logging.getLogger(__name__)

__all__ = ["ARTICLE_FIELDS", "ArticlePage", "ArticleResult"]

#: The fields an article page gives, in output order.
ARTICLE_FIELDS: tuple[str, ...] = (
    "articleId",
    "url",
    "canonicalUrl",
    "headline",
    "description",
    "articleBody",
    "articleBodyHtml",
    "datePublished",
    "datePublishedRaw",
    "dateModified",
    "dateModifiedRaw",
    "authors",
    "breadcrumbs",
    "inLanguage",
    "mainImage",
    "images",
    "subSite",
    "attachments",
)

#: Elements that hold one paragraph of text (when they hold no other block).
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "td",
        "th",
        "dd",
        "dt",
        "section",
        "article",
    ]
)
#: Tags kept in articleBodyHtml.
HTML_TAGS = frozenset(
    [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "sub",
        "sup",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "div",
        "span",
    ]
)
HTML_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


@dataclass
class ArticleResult:
    """What one article page gives: output fields, and the fallbacks used per field."""

    fields: dict[str, Any]
    fallbacks: dict[str, str] = field(default_factory=dict)
    #: Required fields that neither the selectors nor the fallbacks found.
    missing: list[str] = field(default_factory=list)
    #: How the body's HTML was bounded before sanitizing (``extract.bounds``).
    bounds: list[str] = field(default_factory=list)


_BLOCK_TAG_LIST = sorted(BLOCK_TAGS)


def _raw_text(el: etree._Element, top: bool = True) -> str:
    """Text of ``el`` with ``<br>`` as a newline (not cleaned); comments skipped."""
    if top and isinstance(el.tag, str) and el.tag != "br" and next(el.iter("br"), None) is None:
        # no <br> (the parser writes tag names in lower case): the element's text and its
        # descendants' text and tails in document order, comments' content left out
        return "".join(el.itertext())
    parts: list[str] = []
    tag = el.tag.lower() if isinstance(el.tag, str) else None
    if tag == "br":
        parts.append("\n")
    elif tag is not None and el.text:
        parts.append(el.text)
    for child in el:
        parts.append(_raw_text(child, top=False))
    if not top and el.tail:
        parts.append(el.tail)
    return "".join(parts)


def _leaf_blocks(root: etree._Element) -> list[etree._Element]:
    """Block elements under ``root`` holding no other block, in document order."""
    # the tag filter runs in lxml (no element object for the others); the parser writes
    # tag names in lower case
    blocks = list(root.iterdescendants(*_BLOCK_TAG_LIST))
    # one walk up from each block marks the elements holding a block (instead of a walk
    # down every block's subtree)
    holders: set[etree._Element] = set()
    for el in blocks:
        for ancestor in el.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    return [el for el in blocks if el not in holders]


def _drop_matches(
    root: etree._Element, selectors: tuple[str, ...], names: str | None = None
) -> None:
    """Remove from ``root``'s tree (``root`` itself excepted) what the CSS ``selectors``
    match, one selector after the other. Selectors without sibling combinators or
    pseudo-classes match the same elements whether or not the earlier ones removed
    theirs, so they are evaluated together, in one pass over the tree. ``names``: the
    class and id values of a tree holding ``root``'s (see :func:`select`); selectors
    requiring others match nothing at any step and are left out."""
    if names is not None:
        selectors = tuple(css for css in selectors if may_match(css, names))
    for group in _selector_groups(selectors):
        for bad in select(root, group):
            if bad is not root and isinstance(bad, etree._Element):
                _drop(bad)


@lru_cache(maxsize=256)
def _selector_groups(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """The selectors :func:`_drop_matches` evaluates: all of them as one group when none
    has a sibling combinator or a pseudo-class, else one after the other."""
    simple = not any(ch in css for css in selectors for ch in "+~:")
    return (", ".join(selectors),) if simple and selectors else selectors


def _drop(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _is_under(el: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def _at_path(root: etree._Element, path: list[int]) -> etree._Element:
    el = root
    for index in path:
        el = el[index]
    return el


def _drop_before(root: etree._Element, target: etree._Element) -> None:
    """Remove from ``root`` everything before ``target`` in document order (the text and
    preceding siblings of ``target`` and of each of its ancestors below ``root``)."""
    node = target
    while node is not root:
        parent = node.getparent()
        if parent is None:
            return
        for sibling in list(node.itersiblings(preceding=True)):
            parent.remove(sibling)
        parent.text = None
        node = parent


#: The ladder's body is kept when it holds this share of the characters of trafilatura's
#: lines, and trafilatura's text this share of its own (see :func:`_agree`): the library
#: may leave out a paragraph the region rule keeps, seldom the reverse.
THEIRS_HELD = 0.9
OURS_HELD = 0.7
#: Lines shorter than this (characters) are left out of the comparison.
PROSE_LINE = 50
#: The ladder's body all in trafilatura's (this share of its characters, captions that
#: trafilatura leaves out aside): kept, whatever trafilatura's holds before its first
#: paragraph and after its last.
WHOLE_HELD = 0.95
#: ... when what trafilatura holds outside it is at most a quarter of its text.
OUTSIDE_KEPT = 0.75
#: Where a sentence ends: punctuation, then a space or (sentences joined where the page
#: printed something between them) a letter.
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])(?:\s+|(?=[^\W\d_]))")
#: A text of the page shorter than this (characters, whitespace removed) is a word or a
#: label, not a title or a footer: not counted as furniture (see :func:`_furniture`).
FURNITURE_MIN = 15


def _squash(text: str) -> str:
    return "".join(text.split())


def _furniture(line: str, furniture: Collection[str]) -> bool:
    """Whether more than half of ``line`` is ``furniture`` (texts of the page,
    whitespace removed, see ``ArticlePage._furniture_texts``): other articles' titles
    ("Xem thêm: ...", a related column), a footer, that trafilatura keeps at times."""
    text = _squash(line)
    covered = sum(len(piece) for piece in furniture if piece in text)
    return covered * 2 > len(text)


def _agree(
    ours: etree._Element,
    theirs: etree._Element,
    lead: Sequence[str] = (),
    headline: str | None = None,
    furniture: Collection[str] = (),
) -> bool:
    """Whether the ladder's body (``ours``, after its ``lead`` paragraphs printed apart)
    and trafilatura's (``theirs``) agree: ours holds at least :data:`THEIRS_HELD` of the
    characters of their paragraphs, theirs at least :data:`OURS_HELD` of ours (lines
    shorter than :data:`PROSE_LINE`, the ``headline``, which trafilatura keeps at times,
    and lines mostly made of page ``furniture``, see :func:`_furniture`, left out); a
    block of ours part of which theirs holds counts held whole (paragraphs parted by
    ``<br>`` in one block, some of which trafilatura drops)."""
    our_text_lines = text_lines(ours)
    our_lines = [*lead, *(line.text for line in our_text_lines)]
    our_blocks: list[object] = [*(object() for _ in lead), *(x.element for x in our_text_lines)]
    their_lines = [line.text for line in text_lines(theirs)]
    # compared without whitespace: trafilatura joins an inline element's text to the
    # text after it ("hội.Đoàn") where the page has a line break between them
    our_text, their_text = _squash(" ".join(our_lines)), _squash(" ".join(their_lines))

    def held(
        lines: list[str],
        text: str,
        trailing: bool = False,
        blocks: Sequence[object] | None = None,
    ) -> float:
        # paragraphs only: a menu item, a date or a label one side keeps weighs nothing;
        # sentence by sentence (paragraphs parted by one <br> may come joined one side).
        # ``trailing``: lines before the first one held and after the last left out, when
        # they are a small part (else 0); ``blocks``: each line's block, a block with a
        # line held whole held whole
        key = text_key(headline or "")
        prose = [
            (n, line)
            for n, line in enumerate(lines)
            if len(line) >= PROSE_LINE and text_key(line) != key and not _furniture(line, furniture)
        ]
        sizes = []
        for _, line in prose:
            if _squash(line) in text:
                sizes.append((len(line), len(line)))
            else:
                pieces = _SENTENCE_SPLIT.split(line)
                sizes.append((len(line), sum(len(s) for s in pieces if _squash(s) in text)))
        if blocks is not None:
            pairs = list(zip(prose, sizes, strict=True))
            whole_held = {blocks[n] for (n, _), (size, found) in pairs if found == size}
            sizes = [
                (size, size if blocks[n] in whole_held else found)
                for (n, _), (size, found) in pairs
            ]
        whole = sum(size for size, _ in sizes)
        if trailing:
            while sizes and sizes[-1][1] == 0:
                sizes.pop()
            while sizes and sizes[0][1] == 0:
                sizes.pop(0)
        total = sum(size for size, _ in sizes)
        if trailing and total < whole * OUTSIDE_KEPT:
            return 0.0
        return sum(found for _, found in sizes) / total if total else 1.0

    ours_held = held(our_lines, their_text)
    by_block = held(our_lines, their_text, blocks=our_blocks)
    if held(their_lines, our_text) >= THEIRS_HELD and by_block >= OURS_HELD:
        return True
    # all of ours in theirs, theirs going on past its ends (comments, a footer; the
    # headline, a date): the library ran past the article's ends
    return ours_held >= WHOLE_HELD and held(their_lines, our_text, trailing=True) >= THEIRS_HELD


#: A line of the ladder's body shorter than this (characters) that trafilatura leaves out
#: is boilerplate (see ``ArticlePage._drop_rejected_lines``).
SHORT = 200

#: How many levels above the article region dates are looked for when it holds none.
WIDEN = 2

#: Every date form holds a four-digit year: a line without one is no date line.
_YEAR_RE = re.compile(r"\d{4}")
#: list markup whose items, nearly all dated, are other things' dates (see _in_dated_list)
_DATED_LIST_TAGS = frozenset(["ul", "ol", "tbody", "table", "dl"])
#: a sentence (words, then a full stop) and the words that make it a comment's
_SENTENCE_RE = re.compile(r"[^.!?…]+[.!?…]")
_COMMENT_WORDS = 6

#: Separators trimmed from a date line's part before the modified marker.
_SEGMENT_TRIM = " |-–—·•,;/"

#: How many of the body's last lines :meth:`ArticlePage._page_signature` reads.
SIGNATURE_SEARCH = 20
_TAIL = 40
#: A signature is never inside these, nor inside an element named so (a comment's author,
#: a related article's).
_NOT_SIGNATURE_TAGS = frozenset(["li", "dd", "dt", "form", "nav", "aside", "footer", "a"])
_NOT_SIGNATURE = re.compile(
    r"comment|binh-?luan|y-?kien|related|lien-?quan|tin-?khac|footer|sidebar", re.IGNORECASE
)
#: One bare name: two to five words of letters.
_BARE_NAME = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){1,4}")
#: How a sentence ends (a role line never does).
_SENTENCE_ENDS = (".", "!", "?", ":", "/.")

#: A body found by the ladder's region rule holding less text than this (characters) is
#: no body: the next rung (trafilatura) is tried.
MIN_BODY = 100


class ArticlePage:
    """Extraction from one article page. One method or property per output field."""

    def __init__(self, html: str | bytes, url: str, profile: SiteProfile) -> None:
        self.html = html
        self.response_url = url
        self.profile = profile
        self.fallbacks: dict[str, str] = {}
        self.bounds: list[str] = []
        self._image_block_cache: dict[int, tuple[etree._Element, list[etree._Element]]] = {}
        self._inside_image_cache: dict[int, tuple[etree._Element, set[etree._Element]]] = {}
        self._raw_text_cache: dict[etree._Element, str] = {}
        self._source = ""

    # -- plumbing -----------------------------------------------------------------------
    @page_property
    def root(self) -> etree._Element:
        """The page's parsed tree (queried with compiled XPath, no selector objects)."""
        return parse_html(self.html, html_elements=False)

    @page_property
    def _names(self) -> str:
        """The page's class and id values: selectors requiring others are not evaluated."""
        return attribute_names(self.root)

    @page_property
    def _scope(self) -> Scope:
        """The page's descendant selectors' leftmost parts, each matched once."""
        return Scope(self.root)

    @page_property
    def _json_ld(self) -> list[dict[str, Any]]:
        """The page's JSON-LD objects, parsed once for every field that reads them."""
        return list(json_ld(self.root))

    def _fallback(self, field_name: str, source: str) -> None:
        self.fallbacks.setdefault(field_name, source)

    def _abs(self, href: str) -> str:
        return canon(self.profile, href, self.response_url)

    @page_property
    def _content_match(self) -> etree._Element | None:
        """The element the profile's content selectors find in :attr:`root`, or None."""
        found = first_match(self.root, self.profile.article.content, self._names, self._scope)
        return found[0] if found and isinstance(found[0], etree._Element) else None

    @page_property
    def _body_parts(self) -> list[etree._Element]:
        """Where the body is in :attr:`root`: the profile's content element, else the
        ladder's parts (:func:`content_parts`)."""
        if self._content_match is not None:
            return [self._content_match]
        exclude = [el for el in (self._title_headline, self._description_element) if el is not None]
        return content_parts(self.root, exclude)

    @page_property
    def _body_element(self) -> etree._Element | None:
        """The element holding the body (:attr:`_body_parts`, or their common ancestor)."""
        parts = self._body_parts
        if not parts:
            return None
        node = parts[0]
        for part in parts[1:]:
            node = _common_ancestor(node, part)
        return node

    @property
    def _content_source(self) -> str:
        """Where :attr:`_content_node` comes from: "profile", "main-content" (the
        ladder's region rule), "trafilatura", or "" (nowhere)."""
        self._content_node  # noqa: B018 (set with it)
        return self._source

    @page_property
    def _content_node(self) -> etree._Element | None:
        """A working copy of the content block, unwanted parts removed: the profile's
        content element; else the ladder's region rule, kept when trafilatura's
        extraction of the page agrees with it (:func:`_agree`) or finds nothing; else
        trafilatura's."""
        source = "profile"
        if self._content_match is not None:
            node = copy.deepcopy(self._content_match)
        else:
            node = self._ladder_content()
            source = "main-content"
            library = trafilatura_body(self.html)
            if library is not None:
                agree = node is not None and _agree(
                    node, library, self._lead, self.headline, self._furniture_texts
                )
                if not agree:
                    node, source = library, "trafilatura"
                    self._drop_headline_line(node)
                else:
                    self._drop_rejected_lines(node, library)
            if node is None:
                return None
            self._fallback("articleBody", source)
            self._fallback("articleBodyHtml", source)  # (the same node, as HTML)
        self._source = source
        _drop_matches(node, self.profile.article.remove, self._names)
        return node

    @page_property
    def _furniture_texts(self) -> set[str]:
        """Texts of the page that are no body's, whitespace removed, of
        :data:`FURNITURE_MIN` characters or more: its link texts outside the ladder's
        body (a list of links in it may be the article's), and, when the headline is the
        title's (not a heading that may be a section's), the lines outside the article
        region (columns, a footer)."""
        inside_body = {el for part in self._body_parts for el in part.iter()}
        texts = [
            _squash("".join(text_nodes(a))) for a in self.root.iter("a") if a not in inside_body
        ]
        region = self._region
        titled = self._title_headline is not None or isinstance(
            self._headline_match, etree._Element
        )
        if titled and region is not None:
            inside = set(region.iter())
            body = self.root.find("body")
            for line in text_lines(body if body is not None else self.root):
                if line.element not in inside:
                    texts.append(_squash(line.text))
        return {text for text in texts if len(text) >= FURNITURE_MIN}

    def _drop_headline_line(self, node: etree._Element) -> None:
        """Remove the headline from the top of trafilatura's body (it keeps it at times)."""
        lines = text_lines(node)
        headline = self._headline_element
        if not lines or headline is None or lines[0].element is node:
            return
        if text_key(lines[0].text) == text_key(node_text(headline)):
            drop_element(lines[0].element)

    def _drop_rejected_lines(self, node: etree._Element, library: etree._Element) -> None:
        """Remove from ``node`` (the ladder's body) the blocks holding one short line
        (under :data:`SHORT` characters) that trafilatura's extraction of the page, which
        agrees with the rest, left out as boilerplate ("Share this", "Advertisement", a
        "read more" teaser). A signature among the last lines is kept (trafilatura does
        not know it is one), and so are image captions (not body text anyway)."""
        theirs = " ".join(line.text for line in text_lines(library))
        lines = text_lines(node)
        last = {id(line) for line in lines[-self.profile.signature.max_lines :]}
        for line in lines:
            el = line.element
            if len(line.text) >= SHORT or line.text in theirs or el is node:
                continue
            if id(line) in last and self._signature_like(line):
                continue
            if self._in_image_block(el, node):
                continue  # a caption: the image's, not the body's
            if clean_text("".join(text_nodes(el))) == line.text:
                drop_element(el)

    def _signature_like(self, line: Line) -> bool:
        """Whether a line may be an author's signature: a name prefix, or a name (or
        "Name - Role") printed in bold or right-aligned."""
        rules = self.profile.signature
        if rules.name_prefix.match(line.text):
            return True
        if not name_like(split_name_role(line.text)[0]):
            return False
        el = line.element
        aligned = any(
            str(a.get("align", "")).lower() == "right"
            or rules.align_right.search(str(a.get("style", "")))
            for a in (el, *el.iterancestors())
        )
        return aligned or bold_line(el)

    def _ladder_content(self) -> etree._Element | None:
        """A copy of the ladder's body parts (one element, or a ``<div>`` holding them)
        without page chrome, the headline and what precedes it, and the date lines found
        in it; None when it holds less than :data:`MIN_BODY` characters of text."""
        parts = self._body_parts
        if not parts:
            return None
        headline = self._headline_element
        date_lines = [
            found[1].element
            for found in self._region_dates
            if found is not None and found[1].where == "body"
        ]
        copies: list[etree._Element] = []
        for part in parts:
            doomed = [el for el in date_lines if el is not part and _is_under(el, part)]
            head = headline is not None and headline is not part and _is_under(headline, part)
            if head:
                doomed.insert(0, headline)
            paths = [_relative_path(part, el) for el in doomed]
            node = copy.deepcopy(part)
            node.tail = None
            targets = [_at_path(node, path) for path in paths]
            before = text_before(part, headline) if head else 0
            if head and before < 200 and before * 4 < text_size(part):
                _drop_before(node, targets[0])  # a kicker, breadcrumbs: the headline's header
            for target in targets:
                drop_element(target)
            copies.append(node)
        if len(copies) == 1:
            node = copies[0]
            clean_content(node)
        else:
            node = etree.Element("div")
            node.extend(copies)
            clean_content(node)
            if len(node) == 1 and not (node.text or "").strip():
                node = node[0]  # one part left: itself, not a wrapper
        if sum(len(line.text) for line in text_lines(node)) < MIN_BODY:
            return None
        return node

    @page_property
    def _content_blocks(self) -> list[etree._Element]:
        """The leaf blocks of the content node (read for the signature and the body)."""
        node = self._content_node
        return [] if node is None else _leaf_blocks(node)

    @page_property
    def _signature_nodes(self) -> list[etree._Element]:
        """The trailing right-aligned / NBSP-indented paragraphs of the content."""
        node = self._content_node
        if node is None:
            return []
        rules = self.profile.signature
        tags = {t.lower() for t in rules.paragraph}
        blocks = [b for b in self._content_blocks if not self._in_image_block(b, node)]
        sig: list[etree._Element] = []
        for block in reversed(blocks):
            raw = self._block_text(block)
            if not clean_text(raw):
                continue
            if len(sig) >= rules.max_lines or block.tag.lower() not in tags:
                break
            right = False
            for el in (block, *block.iterancestors()):  # the block, up to the content node
                align = str(el.get("align", "")).lower()
                if align == "right" or rules.align_right.search(str(el.get("style", ""))):
                    right = True
                    break
                if el is node:
                    break
            if right or rules.nbsp_indent.match(raw):
                sig.append(block)
            else:
                break
        sig.reverse()
        if not sig and (self._content_source != "profile" or rules.bold):
            sig = self._bold_signature(blocks)
        return sig

    def _bold_signature(self, blocks: list[etree._Element]) -> list[etree._Element]:
        """The ladder's signature: the body's last blocks when the first of them is a
        name (or "Name - Role") printed in bold or after a name prefix ("Bài và ảnh:"),
        and the rest (at most two) short role lines."""
        rules = self.profile.signature
        texts = [(b, clean_block(self._block_text(b))) for b in blocks]
        texts = [(b, t) for b, t in texts if t]
        for count in range(min(rules.max_lines, len(texts) - 1), 0, -1):
            tail = texts[-count:]
            first_block, first_text = tail[0]
            first = first_text.split("\n")[0]
            roles = [line for _, t in tail for line in t.split("\n")][1:]
            if len(first) > 80 or len(roles) > 2:
                continue
            if any(len(r) > 80 or r.endswith((".", "!", "?", ":")) for r in roles):
                continue
            prefixed = bool(rules.name_prefix.match(first))
            name = split_name_role(rules.name_prefix.sub("", first))[0]
            if name_like(name) and (prefixed or bold_line(first_block)):
                return [b for b, _ in tail]
        return []

    def _block_text(self, block: etree._Element) -> str:
        """``_raw_text(block)`` of a content block, read once (the signature, the body and
        the authors read the trailing blocks; the content node is not changed)."""
        raw = self._raw_text_cache.get(block)
        if raw is None:
            raw = self._raw_text_cache[block] = _raw_text(block)
        return raw

    def _image_blocks(self, node: etree._Element) -> list[etree._Element]:
        """The image blocks (image + caption) under ``node``."""
        cached = self._image_block_cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        out: list[etree._Element] = []
        for css in self.profile.article.image_block or ("figure",):
            out.extend(select(node, css, self._names))
        self._image_block_cache[id(node)] = (node, out)
        return out

    def _in_image_block(self, el: etree._Element, node: etree._Element) -> bool:
        """Whether ``el`` is an image block of ``node`` or inside one."""
        cached = self._inside_image_cache.get(id(node))
        if cached is None or cached[0] is not node:
            inside = {d for block in self._image_blocks(node) for d in block.iter()}
            cached = self._inside_image_cache[id(node)] = (node, inside)
        return el in cached[1]

    # -- fields -------------------------------------------------------------------------
    @page_property
    def canonical_url(self) -> str:
        url = self._abs(self.response_url)
        for href in _CANONICAL_XPATH(self.root):
            candidate = self._abs(href)
            if article_id(candidate, self.profile.article_id_re) == article_id(
                url, self.profile.article_id_re
            ):
                return candidate
        return url

    @page_property
    def article_id(self) -> str | None:
        return article_id(self.canonical_url, self.profile.article_id_re)

    @page_property
    def _headline_match(self) -> Any:
        """What the profile's headline selectors find (an element or a string), or None."""
        found = first_match(self.root, self.profile.article.headline, self._names, self._scope)
        return found[0] if found else None

    @page_property
    def _title_headline(self) -> etree._Element | None:
        """The element whose text is the page's title (``og:title``, JSON-LD headline,
        ``<title>``, whole or without the site's name), whatever its tag."""
        keys = title_keys(
            [
                meta(self.root, "og:title"),
                meta(self.root, "twitter:title"),
                _string_value(json_ld_value(self._json_ld, "headline")),
                self._title_raw(),
            ],
            self.profile.article.title_suffix,
            [meta(self.root, "og:site_name"), urlsplit(self.response_url).hostname],
        )
        return headline_element(self.root, keys)

    @page_property
    def _ladder_headline(self) -> tuple[etree._Element, str] | None:
        """The ladder's headline element and the rule that found it: the element whose
        text is the page's title ("title-match"), else the most prominent heading before
        the body ("heading")."""
        el = self._title_headline
        if el is not None:
            return el, "title-match"
        el = prominent_heading(self.root, self._body_element)
        if el is not None:
            return el, "heading"
        return None

    @page_property
    def _headline_element(self) -> etree._Element | None:
        """The headline's element in :attr:`root` (the profile's, else the ladder's)."""
        match = self._headline_match
        if isinstance(match, etree._Element) and node_text(match):
            return match
        found = self._ladder_headline
        return found[0] if found else None

    @page_property
    def headline(self) -> str | None:
        found = self._headline_match
        if found is not None and node_text(found):
            return node_text(found)
        ladder_found = self._ladder_headline
        if ladder_found is not None and node_text(ladder_found[0]):
            self._fallback("headline", ladder_found[1])
            return node_text(ladder_found[0])
        h1 = select(self.root, "h1")
        for source, value in (
            ("og:title", meta(self.root, "og:title")),
            ("json-ld", json_ld_value(self._json_ld, "headline")),
            ("title", self._title_text()),
            ("h1", node_text(h1[0]) if h1 else None),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("headline", source)
                return clean_text(value)
        return None

    @page_property
    def _description_element(self) -> etree._Element | None:
        """The lead's element in :attr:`root`: the profile's, else the first match of the
        generic class names that reads as a lead (:func:`lead_like`), or None."""
        found = first_match(self.root, self.profile.article.description, self._names, self._scope)
        if found:
            return found[0] if isinstance(found[0], etree._Element) else None
        for css in self.profile.fallback.description:
            for el in select(self.root, css, self._names):
                if isinstance(el, etree._Element) and lead_like(el):
                    return el
        return None

    @page_property
    def description(self) -> str | None:
        found = first_match(self.root, self.profile.article.description, self._names, self._scope)
        if found:
            return node_text(found[0]) or None
        generic = self._description_element
        for source, value in (
            ("class", node_text(generic) if generic is not None else None),
            ("region-text", " ".join(self._region_lead)),
            ("og:description", meta(self.root, "og:description")),
            ("meta:description", meta(self.root, "description")),
            ("json-ld", json_ld_value(self._json_ld, "description")),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("description", source)
                return clean_text(value)
        return None

    @page_property
    def _lead(self) -> list[str]:
        """The lead's paragraphs when the page prints them (found by a selector or between
        the headline and the body, not read from metadata): the body's first ones."""
        description = self.description
        source = self.fallbacks.get("description")
        if description and source in (None, "class"):
            return [description]
        if source == "region-text":
            return list(self._region_lead)
        return []

    @page_property
    def _region_lead(self) -> list[str]:
        """Prose printed between the headline and the body (a standfirst in a block of its
        own): the lines there of 40 characters or more that are not dates, bylines or
        links (at most three)."""
        region, headline = self._region, self._headline_element
        if region is None or headline is None or self._body_element is None:
            return []
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        prefix = self.profile.signature.name_prefix
        out: list[str] = []
        for line in self._region_lines:
            if line.where != "after":
                continue
            text = line.text
            if len(text) < 40 or line.links * 4 > len(text) or prefix.match(text):
                continue
            if in_link_list(line.element, region):
                continue
            found = find_date(text, patterns, tz)
            if found is not None and date_line(text, found[1]):
                continue
            out.append(text)
        return out[:3]

    @page_property
    def body_paragraphs(self) -> list[str]:
        """Body paragraphs (lead excluded): no captions, signature, attachments, related."""
        node = self._content_node
        if node is None:
            return []
        skip = set(self._signature_nodes)
        if self._content_source != "profile" or self.profile.article.body_lines == "lines":
            return self._ladder_paragraphs(node, skip)
        paragraphs: list[str] = []
        blocks = self._content_blocks
        if not blocks:
            return [line for line in clean_block(_raw_text(node)).split("\n") if line]
        for block in blocks:
            if block in skip or self._in_image_block(block, node):
                continue
            text = clean_block(self._block_text(block))
            if text:
                paragraphs.extend(text.split("\n"))
        return paragraphs

    def _ladder_paragraphs(self, node: etree._Element, skip: set[etree._Element]) -> list[str]:
        """The lines of a body the ladder found (any block or ``<br>`` ends one, text
        outside blocks included), without the signature and the image blocks."""
        out: list[str] = []
        for line in text_lines(node):
            el = line.element
            if self._in_image_block(el, node):
                continue
            if el in skip or any(a in skip for a in el.iterancestors()):
                continue
            out.append(line.text)
        return out

    @page_property
    def article_body(self) -> str:
        body = self.body_paragraphs
        first = body[: len(self._lead)]
        lead = [line for line in self._lead if line not in first]  # (printed twice)
        return "\n".join([*lead, *body])

    @page_property
    def article_body_html(self) -> str:
        node = self._content_node
        parts: list[str] = []
        for line in self._lead:
            parts.append("<p>" + _escape(line) + "</p>")
        if node is not None:
            body = copy.deepcopy(node)
            for sig in self._signature_nodes_in(body, node):
                _drop(sig)
            for el in body.iter("a", "img"):
                attr = "href" if el.tag == "a" else "src"
                if el.get(attr):
                    el.set(attr, self._abs(el.get(attr, "")))
            parts.append(_inner_html(body))
        html, self.bounds = bound_for_sanitizer("".join(parts))
        return clean_html_text(_sanitize(html))

    def _signature_nodes_in(
        self, body: etree._Element, original: etree._Element
    ) -> list[etree._Element]:
        """The signature nodes of ``original`` located in its copy ``body``."""
        out = []
        for sig in self._signature_nodes:
            el = body
            for index in _relative_path(original, sig):
                el = el[index]
            out.append(el)
        return out

    @page_property
    def dates(self) -> tuple[ParsedDate | None, ParsedDate | None]:
        """(published, modified)."""
        published = self._date("datePublished", self.profile.article.date_published)
        # the profile's selectors found the date block: no modified date in it is none
        # printed, not one to look for elsewhere
        covered = (
            published is not None and "datePublished" not in self.fallbacks
        ) or not self.profile.article.date_on_page
        modified = self._date("dateModified", self.profile.article.date_modified, covered)
        return published, modified

    def _date(
        self, field_name: str, selectors: tuple[str, ...], covered: bool = False
    ) -> ParsedDate | None:
        """The date ladder: the profile's selectors, the page's markup (meta, JSON-LD,
        ``<time>``), the date lines of the article region (unless ``covered``: the
        profile found the page's dates), then (published date) htmldate."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        found = first_match(self.root, selectors, self._names, self._scope)
        if found:
            parsed = parse_date(node_text(found[0]), patterns, tz)
            if parsed:
                return parsed
        published = field_name == "datePublished"
        if published and not self.profile.article.date_on_page:
            return None  # nothing on the page to guess from: the listing's date is taken
        candidates = [
            ("meta", meta(self.root, f"article:{'published' if published else 'modified'}_time")),
            ("json-ld", json_ld_value(self._json_ld, field_name)),
        ]
        if published:
            datetimes = select(self.root, "time::attr(datetime)")
            candidates.append(("time", datetimes[0] if datetimes else None))
            times = select(self.root, "time")
            candidates.append(("time-text", node_text(times[0]) if times else None))
        read: list[tuple[str, ParsedDate]] = []
        for source, value in candidates:
            if isinstance(value, str) and value.strip():
                parsed = parse_date(value, patterns, tz)
                if parsed:
                    read.append((source, parsed))
        if read:
            source, parsed = read[0]
            if published and len({p.value.date() for _, p in read}) > 1:
                # the page's markup contradicts itself: an outside reader decides
                day = htmldate_day(self.html)
                source, parsed = next(
                    ((s, p) for s, p in read if p.value.date().isoformat() == day), read[0]
                )
            self._fallback(field_name, source)
            return parsed
        if covered:
            return None
        region = self._region_dates[0 if published else 1]
        if region is not None:
            self._fallback(field_name, "region-text")
            return region[0]
        if not published:
            return None
        day = htmldate_day(self.html)
        if day:
            try:
                value = datetime.fromisoformat(day[:10]).replace(tzinfo=ZoneInfo(tz))
            except ValueError:
                return None
            # another article's date, the page printing none of its own: told only in the
            # profile's language, whose printed forms the patterns read
            language = self.in_language == self.profile.language
            if language and self._printed_only_in_link_lists(value.date()):
                return None
            self._fallback(field_name, "htmldate")
            return ParsedDate(value, day)
        return None

    def _printed_only_in_link_lists(self, day: date) -> bool:
        """Whether ``day`` is printed on the page, and only in lists of links (a "latest
        news" column dates other articles) or outside the article (its region widened as
        for the date lines: today's date in the page's header): htmldate, which reads the
        whole page, found another date than the article's. (A date that is a link, the
        permalink's, is the page's.)"""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        body = self.root.find("body")
        if body is None:
            return False
        year = str(day.year)
        seen = False
        # the article: its region, widened as the date lines are looked for
        scope = self._region
        for _ in range(WIDEN):
            if scope is None or scope.getparent() is None or scope.getparent().tag == "body":
                break
            scope = scope.getparent()
        if scope is not None and scope.tag in ("body", "html"):
            scope = None
        stats = subtree_stats(body, prune_chrome=False)
        for line in text_lines(body):
            if year not in line.text:
                continue
            found = find_date(line.text, patterns, tz)
            if found is None or found[0].value.date() != day:
                continue
            if in_list_of_links(line.element, body, stats) or (
                scope is not None
                and line.element is not scope
                and not _is_under(line.element, scope)
            ):
                seen = True
                continue
            return False
        return seen

    @page_property
    def _region(self) -> etree._Element | None:
        """The article region: the smallest element holding the headline and the body
        (or, missing one, the other's parent)."""
        headline, body = self._headline_element, self._body_element
        if headline is not None and body is not None:
            return _common_ancestor(headline, body)
        node = body if body is not None else headline
        if node is None:
            return None
        parent = node.getparent()
        return parent if parent is not None else node

    @page_property
    def _region_lines(self) -> list[Line]:
        """The article region's lines where dates, lead and byline are looked for
        (:func:`region_lines`)."""
        region = self._region
        if region is None:
            return []
        limit = self.profile.fallback.date_search_nodes
        return region_lines(region, self._headline_element, self._body_parts, limit)

    @page_property
    def _region_dates(
        self,
    ) -> tuple[tuple[ParsedDate, Line] | None, tuple[ParsedDate, Line] | None]:
        """(published, modified) dates printed in the article region, each with its line:
        the first date lines (:func:`date_line`) nearest the headline, outside
        links and lists of links. A line with the modified marker ("Cập nhật") before its
        date gives the modified date; with no other date, the published one. None in the
        region: its parent's lines, then its grandparent's (a date line above the block
        holding headline and body)."""
        region: Any = self._region
        for _ in range(1 + WIDEN):
            if region is None or region.tag in ("body", "html"):
                break
            if region is self._region:
                lines = self._region_lines
            else:
                limit = self.profile.fallback.date_search_nodes
                lines = region_lines(region, self._headline_element, self._body_parts, limit)
            found = self._dates_in(region, lines)
            if found != (None, None):
                return found
            region = region.getparent()
        return None, None

    def _in_dated_list(self, el: etree._Element, region: etree._Element, line: str) -> bool:
        """Whether ``el`` is an item of a list (``ul``, ``ol``, table rows) below ``region``
        of three items or more, nearly all printing a date: comments, a schedule, dated
        headlines without links; or a list item holding a sentence besides the date line
        (a comment: its author, its date, what it says). None of them dates the article."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        for node in (el, *el.iterancestors()):
            if node is region:
                return False
            if node.tag == "li":
                rest = clean_text(" ".join(node.itertext())).replace(line, " ")
                if any(len(s.split()) >= _COMMENT_WORDS for s in _SENTENCE_RE.findall(rest)):
                    return True
            if node.tag not in _DATED_LIST_TAGS:
                continue
            items = [c for c in node if isinstance(c.tag, str)]
            if len(items) < 3:
                continue
            dated = 0
            for item in items:
                text = " ".join(item.itertext())
                if _YEAR_RE.search(text) and find_date(text, patterns, tz) is not None:
                    dated += 1
            if dated * 3 >= len(items) * 2:
                return True
        return False

    def _dates_in(
        self, region: etree._Element, lines: list[Line]
    ) -> tuple[tuple[ParsedDate, Line] | None, tuple[ParsedDate, Line] | None]:
        """:attr:`_region_dates` in one region's ``lines``."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        marker = self.profile.fallback.modified_marker
        rank = {"after": 0, "before": 1, "body": 2, "end": 3}
        plain: tuple[ParsedDate, Line] | None = None
        marked: tuple[ParsedDate, Line] | None = None
        for line in lines:
            if line.links * 2 > len(line.text):
                continue
            if not _YEAR_RE.search(line.text) or find_date(line.text, patterns, tz) is None:
                continue  # (most lines: the costlier test below is left for date lines)
            if in_link_list(line.element, region) or self._in_dated_list(
                line.element, region, line.text
            ):
                continue
            # "17-06-2019 Cập nhật lúc 04:01 ngày 23/06/2019": published before the marker
            label = marker.search(line.text)
            segments = [(line.text, False)]
            if label is not None:
                head = line.text[: label.start()].strip(_SEGMENT_TRIM)
                segments = [(head, False)] if head else []
                segments.append((line.text[label.start() :], True))
            for segment, modified in segments:
                found = find_date(segment, patterns, tz)
                if found is None or not date_line(segment, found[1]):
                    continue
                if not _plausible(found[0].value):
                    continue
                if _period(segment, found[1][1], patterns, tz):
                    continue  # "từ 21/10/2019 đến 27/10/2019": an event's, not the article's
                if modified:
                    marked = marked or (found[0], line)
                else:
                    plain = plain or (found[0], line)
            if plain and marked:
                break
        if plain is not None and (marked is None or rank[plain[1].where] <= rank[marked[1].where]):
            return plain, marked
        return marked, None

    @page_property
    def authors(self) -> list[dict[str, str | None]]:
        lines: list[str] = []
        for node in self._signature_nodes:
            lines.extend(clean_block(self._block_text(node)).split("\n"))
        lines = [line for line in lines if line]
        generic = self._content_source != "profile"
        if generic:
            # the lines the reader sees, not the blocks: a name in bold and its role in
            # a block of its own may share a block
            found = self._line_signature() or self._page_signature()
            if found is not None:
                self._fallback("authors", "signature")
                return [found]
            lines = []
        if lines:
            return [self._author(lines, generic)]
        block = first_match(
            self.root, self.profile.article.byline, self._names, self._scope
        )  # the profile's byline
        if block:
            el = block[0]
            if isinstance(el, etree._Element) and next(el.iter("br"), None) is not None:
                # "Tác giả: Name<br>Role": one line per <br>, not one per text holder
                parts = clean_block(_raw_text(el)).split("\n")
            else:
                parts = [node_text(n) for n in _text_parents(el)]
            lines = [p for p in dict.fromkeys(parts) if p]
            if lines:
                return [self._author(lines)]
        byline = first_match(self.root, self.profile.fallback.byline, self._names, self._scope)
        if byline and isinstance(byline[0], etree._Element) and generic:
            found = self._byline_block(byline[0])
            if found is not None:
                self._fallback("authors", "byline")
                return [found]
        if byline:
            parts = [node_text(n) for n in _text_parents(byline[0])]
            lines = [p for p in dict.fromkeys(parts) if p] or [node_text(byline[0])]
            lines = [line for line in lines if line]
            if lines:
                self._fallback("authors", "byline")
                return [self._author(lines, generic=True)]
        line = self._byline_line
        if line is not None:
            self._fallback("authors", "byline-text")
            return [self._author([line], generic=True)]
        if generic:
            found = self._region_byline()
            if found is not None:
                self._fallback("authors", "byline-text")
                return [found]
        for source, value in (
            ("meta:author", meta(self.root, "author", "article:author")),
            ("json-ld", _json_ld_author(json_ld_value(self._json_ld, "author"))),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("authors", source)
                name = clean_text(value)
                return [{"name": name, "nameRaw": name, "role": None}]
        return []

    @page_property
    def _byline_line(self) -> str | None:
        """A byline printed above the body: a line of the article region near the
        headline that starts with a name prefix ("Bài và ảnh:", "Tác giả:") followed by a
        name."""
        region = self._region
        if region is None:
            return None
        prefix = self.profile.signature.name_prefix
        for line in self._region_lines:
            if line.where not in ("after", "before") or len(line.text) > 80:
                continue
            match = prefix.match(line.text)
            if match and name_like(split_name_role(line.text[match.end() :])[0]):
                return line.text
        return None

    def _aligned_right(self, el: etree._Element, top: etree._Element | None) -> bool:
        rules = self.profile.signature
        for a in (el, *el.iterancestors()):
            if str(a.get("align", "")).lower() == "right" or rules.align_right.search(
                str(a.get("style", ""))
            ):
                return True
            if a is top:
                break
        return False

    def _author_line(
        self, line: Line, top: etree._Element | None, marked: bool
    ) -> tuple[str, str | None, str] | None:
        """(name, role on the line, the name as printed) when ``line`` starts with an
        author's name: after a name prefix ("Bài:", "Tác giả:"), in bold ("**Name**
        Role"), or (``marked``: the line is set apart, right-aligned, bold) the whole line
        is "Name" or "Name - Role"."""
        text = line.text
        if len(text) > 120 or line.links * 2 > len(text):
            return None
        rules = self.profile.signature
        bold = leading_bold(line.element, text)
        if bold:
            # "**Bài và ảnh: Name** Role", "**Name - Role**", "**Name** - Role": the bold
            # run bounds the name where nothing else separates it from the role
            name, role = split_name_role(rules.name_prefix.sub("", bold))
            if name_like(name):
                rest = clean_text(text[len(bold) :]).lstrip("-–—,: ").strip()
                raw = bold if rest else text
                return name, " ".join(r for r in (role, rest) if r) or None, raw
        prefix = rules.name_prefix.match(text)
        if prefix is not None:
            name, role = split_name_role(text[prefix.end() :])
            return (name, role, text) if name_like(name) else None
        name, role = split_name_role(text)
        if name_like(name) and len(name.split()) >= 2:
            if marked or role is not None or self._aligned_right(line.element, top):
                return name, role, text
            if bold_line(line.element):
                return name, role, text
        return None

    def _line_signature(self) -> dict[str, str | None] | None:
        """The ladder's signature: among the body's last three lines, a name (after a
        prefix, in bold, or right-aligned; "Name - Role" split), the lines after it short
        role lines."""
        node = self._content_node
        if node is None:
            return None
        lines = [line for line in text_lines(node) if not self._in_image_block(line.element, node)]
        for count in range(min(self.profile.signature.max_lines, len(lines) - 1), 0, -1):
            tail = lines[-count:]
            roles = [line.text for line in tail[1:]]
            if any(len(r) > 100 or r.endswith((".", "!", "?", ":", "/.")) for r in roles):
                continue
            found = self._author_line(tail[0], node, marked=False)
            if found is None:
                continue
            name, role, raw = found
            role = " ".join([role, *roles] if role else roles) or None
            return {"name": name, "nameRaw": raw, "role": role}
        return None

    @page_property
    def _page_lines(self) -> list[Line]:
        """The lines of the page's ``<body>`` (read where the body's own markup matters)."""
        body = self.root.find("body")
        return text_lines(body if body is not None else self.root)

    def _page_signature(self) -> dict[str, str | None] | None:
        """The signature where the body found runs past it or leaves it out (a library's
        body that goes on into comments, related lists or the footer, and drops the
        markup that sets the signature apart), read on the page: the line after one of
        the body's last :data:`SIGNATURE_SEARCH` lines, when it is a name (see
        :meth:`_author_line`) and ends, with at most two short role lines, the block it
        shares with that line; never inside a list, a form or page chrome, no date on
        it or its role lines (a comment's: name, date, what it says)."""
        node = self._content_node
        if node is None or self._content_source == "profile":
            return None
        lines = [line for line in text_lines(node) if not self._in_image_block(line.element, node)]
        page = self._page_lines
        # (by their last characters: the library may have joined two of the page's blocks)
        where: dict[str, list[int]] = {}
        for j, line in enumerate(page[:-1]):
            where.setdefault(line.text[-_TAIL:], []).append(j)
        for k in range(len(lines) - 1, max(-1, len(lines) - 1 - SIGNATURE_SEARCH), -1):
            for j in where.get(lines[k].text[-_TAIL:], ()):
                found = self._signature_at(page, j + 1)
                if found is not None:
                    return found
        return None

    def _signature_at(self, page: list[Line], j: int) -> dict[str, str | None] | None:
        """:meth:`_page_signature` at the page's line ``j``."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        el = page[j].element
        top = _common_ancestor(page[j - 1].element, el)
        if _no_signature_place(el, top):
            return None
        if _YEAR_RE.search(page[j].text) and find_date(page[j].text, patterns, tz) is not None:
            return None
        roles: list[str] = []
        for line in page[j + 1 :]:
            if not _is_under(line.element, top):
                break
            if len(roles) == 2 or len(line.text) > 100 or line.text.endswith(_SENTENCE_ENDS):
                return None
            if _YEAR_RE.search(line.text) and find_date(line.text, patterns, tz) is not None:
                return None
            roles.append(line.text)
        found = self._author_line(page[j], top, marked=False)
        if found is None:
            return None
        name, role, raw = found
        role = " ".join([role, *roles] if role else roles) or None
        return {"name": name, "nameRaw": raw, "role": role}

    def _byline_block(self, el: etree._Element) -> dict[str, str | None] | None:
        """The author in a byline block: its first line a name (see :meth:`_author_line`),
        the role after it on the line or on the next lines."""
        lines = text_lines(el)
        if not lines or len(lines) > 3:
            return None
        found = self._author_line(lines[0], el, marked=True)
        if found is None:
            return None
        name, role, raw = found
        roles = [line.text for line in lines[1:]]
        role = " ".join([role, *roles] if role else roles) or None
        return {"name": name, "nameRaw": raw, "role": role}

    def _region_byline(self) -> dict[str, str | None] | None:
        """A byline printed apart from the body: the first lines after the body, or the
        lines next to the headline, starting with a name (see :meth:`_author_line`);
        never a line of a list of links."""
        region = self._region
        if region is None:
            return None
        lines = self._region_lines
        ends = [line for line in lines if line.where == "end"]
        groups = [
            ends[:2],
            [line for line in lines if line.where == "after"][:6],
            [line for line in lines if line.where == "before"][:3],
        ]
        for group in groups:
            for k, line in enumerate(group):
                if group is groups[0] and (
                    line.element.tag in HEADING_TAGS or _no_signature_place(line.element, region)
                ):
                    break  # after the body, a heading starts comments, related articles...
                if in_link_list(line.element, region):
                    continue
                if group is groups[0] and _commenter(line, ends[k + 1 : k + 3], region):
                    break
                # the line after it on the page (the lines before the headline are listed
                # nearest the headline first)
                if group is groups[2]:
                    nxt = group[k - 1] if k > 0 else None
                else:
                    nxt = group[k + 1] if k + 1 < len(group) else None
                # set apart: the first line after the body, a line with its role on the
                # next line of its block ("Name<br>Role"), or a block of its own by the
                # headline (a bare name there is the byline; comments come after the body)
                apart = (
                    (group is groups[0] and k == 0)
                    or (nxt is not None and nxt.element is line.element and len(nxt.text) <= 100)
                    or (group is not groups[0] and self._own_block(line))
                )
                found = self._author_line(line, region, marked=apart)
                if found is None:
                    continue
                name, role, raw = found
                if role is None and nxt is not None and nxt.element is line.element:
                    role = nxt.text  # "Name<br>Role"
                return {"name": name, "nameRaw": raw, "role": role}
        return None

    @staticmethod
    def _own_block(line: Line) -> bool:
        """Whether ``line`` is one bare name (two to five words, no dash or comma: not a
        "Category - Section" label) and all the text of its block, the block no heading."""
        el = line.element
        if el.tag in HEADING_TAGS or not _BARE_NAME.fullmatch(line.text):
            return False
        return clean_text("".join(text_nodes(el))) == line.text

    def _author(self, lines: list[str], generic: bool = False) -> dict[str, str | None]:
        """``generic``: lines the ladder found ("Name - Role" on one line is split when
        the part after the dash is no name)."""
        rules = self.profile.signature
        name_raw = lines[0]
        role = " ".join(lines[1:]) or None
        name = rules.name_prefix.sub("", name_raw).strip()
        if role is None and rules.name_role_separator is not None:
            parts = rules.name_role_separator.split(name, maxsplit=1)
            if len(parts) == 2 and parts[0] and parts[1]:
                name, role = parts[0].strip(), parts[1].strip()
        if role is None and generic:
            name, role = split_name_role(name)
        return {"name": name or name_raw, "nameRaw": name_raw, "role": role}

    @page_property
    def breadcrumbs(self) -> list[dict[str, str | None]]:
        out: list[dict[str, str | None]] = []
        links = first_match(self.root, self.profile.article.breadcrumbs, self._names, self._scope)
        if not links:
            links = first_match(
                self.root, self.profile.fallback.breadcrumbs, self._names, self._scope
            )
            if links:
                self._fallback("breadcrumbs", "class")
        for a in links:
            href = node_attr(a, "href")
            name = node_text(a)
            if name:
                out.append({"name": name, "url": (self._abs(href) or None) if href else None})
        return out

    @page_property
    def in_language(self) -> str:
        langs = compiled_xpath("/html/@lang")(self.root)
        lang = (langs[0] if langs else "").strip().lower()
        return lang.split("-")[0] if lang else self.profile.language

    @page_property
    def images(self) -> list[dict[str, str | None]]:
        node = self._content_node
        if node is None:
            return []
        blocks = self._image_blocks(node)
        out: list[dict[str, str | None]] = []
        seen: set[str] = set()
        for img in node.iter("img"):
            src = (img.get("src") or img.get("data-src") or "").strip()
            if not src or src.startswith("data:") or "banner" in (img.get("class") or ""):
                continue
            url = self._abs(src)
            if url in seen or not is_web_url(url):
                continue
            seen.add(url)
            caption = None
            for block in blocks:
                if img in block.iterdescendants():
                    cap = first_match(
                        block, self.profile.article.image_caption or ("figcaption",), self._names
                    )
                    caption = (node_text(cap[0]) or None) if cap else None
                    break
            out.append({"url": url, "caption": caption})
        return out

    @page_property
    def main_image(self) -> dict[str, str] | None:
        if self.images:
            return {"url": str(self.images[0]["url"])}
        og = meta(self.root, "og:image")
        if og and is_web_url(self._abs(og)):
            self._fallback("mainImage", "og:image")
            return {"url": self._abs(og)}
        return None

    @page_property
    def attachments(self) -> list[dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        found = first_match(self.root, self.profile.article.attachments, self._names, self._scope)
        for a in found:
            url = self._abs(node_attr(a, "href") or "")
            if not is_web_url(url):
                continue
            out.setdefault(url, {"url": url, "name": node_text(a) or url.rsplit("/", 1)[-1]})
        if found:
            return list(out.values())
        if not any(self._attachment_href(href) for href in _HREFS_XPATH(self.root)):
            return []  # no attachment link on the whole page: none without its chrome
        for a in self._page_without_chrome.iter("a"):
            href = (a.get("href") or "").strip()
            if href and self.profile.attachment_re.search(href.split("?")[0].split("#")[0]):
                url = self._abs(href)
                if not is_web_url(url):
                    continue
                name = clean_text(string_content(a)) or url.rsplit("/", 1)[-1]
                out.setdefault(url, {"url": url, "name": name})
        if out:
            self._fallback("attachments", "links")
        return list(out.values())

    def _attachment_href(self, href: str) -> bool:
        """Whether a link to ``href`` looks like an attachment (the links fallback's test)."""
        href = href.strip()
        return bool(href) and bool(
            self.profile.attachment_re.search(href.split("?")[0].split("#")[0])
        )

    @page_property
    def _page_without_chrome(self) -> etree._Element:
        """A copy of the page without what the profile removes (menus, related, share)."""
        doc = copy.deepcopy(self.root)
        _drop_matches(doc, self.profile.article.remove, self._names)
        return doc

    @page_property
    def sub_site(self) -> str | None:
        name = banner_site_name(self.root, self.profile, scope=self._scope)
        if name:
            return name
        name = banner_site_name(self.root, self.profile, anywhere=True)
        if name:
            self._fallback("subSite", "banner-alt")
            return name
        for source, value in (
            ("og:site_name", meta(self.root, "og:site_name")),
            ("json-ld", _json_ld_author(json_ld_value(self._json_ld, "publisher"))),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("subSite", source)
                return clean_text(value)
        return None

    def _title_raw(self) -> str | None:
        """``<title>``'s text, as printed."""
        title = compiled_xpath("//title")(self.root)
        return node_text(title[0]) if title else None

    def _title_text(self) -> str | None:
        """``<title>`` without the site-name suffix (``listing.text_of_title``)."""
        title = compiled_xpath("//title")(self.root)
        if not title:
            return None
        text = self.profile.article.title_suffix.sub("", node_text(title[0]))
        return text or None

    # -- all together -------------------------------------------------------------------
    def extract(self) -> ArticleResult:
        published, modified = self.dates
        fields: dict[str, Any] = {
            "articleId": self.article_id,
            "url": self.canonical_url,
            "canonicalUrl": self.canonical_url,
            "headline": self.headline,
            "description": self.description,
            "articleBody": self.article_body,
            "articleBodyHtml": self.article_body_html,
            "datePublished": published.isoformat() if published else None,
            "datePublishedRaw": published.raw if published else None,
            "dateModified": modified.isoformat() if modified else None,
            "dateModifiedRaw": modified.raw if modified else None,
            "authors": self.authors,
            "breadcrumbs": self.breadcrumbs,
            "inLanguage": self.in_language,
            "mainImage": self.main_image,
            "images": self.images,
            "subSite": self.sub_site,
            "attachments": self.attachments,
        }
        required: tuple[str, ...] = (
            "articleId",
            "headline",
            "articleBody",
            "datePublished",
            "subSite",
        )
        if not self.profile.article.date_on_page:
            # the site prints the date in its listings only: the listing's is the date
            required = tuple(name for name in required if name != "datePublished")
        missing = [name for name in required if not fields[name]]
        return ArticleResult(fields, dict(self.fallbacks), missing, list(self.bounds))


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host (images and attachments
    must be: ``javascript:``, ``data:``, ``vbscript:``, ``file:`` and the like are not)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _inner_html(el: etree._Element) -> str:
    """``el``'s text escaped, then each child serialized as HTML with its tail: ``el`` is
    serialized once, as a bare ``<div>`` (its text, attributes and tag changed: ``el`` is
    a working copy), instead of a serialization call per child. The text is left out of
    the serialization and escaped here; a ``<div>`` prints its children and their tails
    as any element other than the raw-text ones (``<script>``, ``<style>``) does."""
    text = el.text if isinstance(el.text, str) else ""
    el.text = None
    el.attrib.clear()
    el.tag = "div"
    markup = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    return _escape(text) + markup[len("<div>") : -len("</div>")]


def _sanitize(html: str) -> str:
    """``html`` through nh3 with the articleBodyHtml allow-list (one :class:`nh3.Cleaner`
    built once where nh3 has it: the options are not converted at every call)."""
    if _CLEANER is not None:
        return _CLEANER.clean(html)
    return nh3.clean(html, **_NH3_OPTIONS)


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(HTML_TAGS),
    "attributes": HTML_ATTRIBUTES,
    "link_rel": None,
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_NH3_OPTIONS) if hasattr(nh3, "Cleaner") else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _relative_path(root: etree._Element, el: etree._Element) -> list[int]:
    path: list[int] = []
    while el is not root:
        parent = el.getparent()
        if parent is None:
            raise ValueError("element not under root")
        path.append(parent.index(el))
        el = parent
    path.reverse()
    return path


#: the href of every <a> (``a.get("href")`` over ``iter("a")``, without element objects)
_HREFS_XPATH = etree.XPath("//a/@href", smart_strings=False)
_CANONICAL_XPATH = etree.XPath('//link[@rel="canonical"]/@href', smart_strings=False)


def _text_parents(node: Any) -> list[Any]:
    """``.//text()/..`` of a result: the elements holding its text nodes (none for a
    string result)."""
    if not isinstance(node, etree._Element):
        return []
    return compiled_xpath(".//text()/..")(node)


#: The earliest publication year a date printed on a page is taken for (older: a
#: misreading, "18.10.19" + "21:44" read as 18/10/1921).
EARLIEST_YEAR = 1990


def _plausible(value: datetime) -> bool:
    """Whether a date read from a page's text can be a publication date: from
    :data:`EARLIEST_YEAR` to a day from now."""
    now = datetime.now(tz=value.tzinfo)
    return value.year >= EARLIEST_YEAR and value <= now + timedelta(days=1)


_PERIOD_RE = re.compile(r"\s*(?:[-–—~]|đến|tới|to|until|bis|au)\s*", re.IGNORECASE)


def _period(text: str, end: int, patterns: Sequence[re.Pattern[str]], tz: str) -> bool:
    """Whether the date ending at ``end`` in ``text`` starts a period ("21/10/2019 -
    27/10/2019", "từ 21/10/2019 đến 27/10/2019"): another date right after a dash or "đến"."""
    joint = _PERIOD_RE.match(text, end)
    if joint is None:
        return False
    found = find_date(text[joint.end() :], patterns, tz)
    return found is not None and found[1][0] == 0


def _common_ancestor(a: etree._Element, b: etree._Element) -> etree._Element:
    """The smallest element holding both ``a`` and ``b`` (one of them, if it holds the
    other)."""
    # the elements themselves, not their id(): lxml proxies of ancestors are created on
    # the fly and freed at once, so an id() may be reused by another node's proxy
    chain = {a, *a.iterancestors()}
    for node in (b, *b.iterancestors()):
        if node in chain:
            return node
    return b.getroottree().getroot()


def _no_signature_place(el: etree._Element, top: etree._Element) -> bool:
    """Whether ``el`` or an ancestor below ``top`` is a list item, a form, page chrome, or
    named as comments or related articles (where a name is a commenter's, another
    article's author)."""
    for a in (el, *_ancestors_to(el, top)):
        names = f"{a.get('class') or ''} {a.get('id') or ''}"
        if a.tag in _NOT_SIGNATURE_TAGS or _NOT_SIGNATURE.search(names):
            return True
    return False


def _commenter(line: Line, following: list[Line], region: etree._Element) -> bool:
    """Whether ``line`` (a name after the body) heads a comment: one of the ``following``
    lines, in a block below ``region`` holding both, says a sentence."""
    for nxt in following:
        if _common_ancestor(line.element, nxt.element) is region:
            return False
        if any(len(s.split()) >= _COMMENT_WORDS for s in _SENTENCE_RE.findall(nxt.text)):
            return True
    return False


def _ancestors_to(el: etree._Element, top: etree._Element) -> list[etree._Element]:
    """``el``'s ancestors below ``top``."""
    out = []
    for a in el.iterancestors():
        if a is top:
            break
        out.append(a)
    return out


def _string_value(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _json_ld_author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


_BLANK_RE = re.compile(r"(?:[\u00a0]|&nbsp;|&#160;|&#xa0;)+", re.IGNORECASE)
_BLANK_ENTITY_RE = re.compile(r"&(?:nbsp|#160|#xa0);", re.IGNORECASE)
_EMPTY_P_RE = re.compile(r"<p>\s*</p>")


def clean_html_text(value: str) -> str:
    """Normalize the text of cleaned HTML: NFC, zero-width characters removed, NBSP runs
    to one space, empty paragraphs dropped, whitespace between tags collapsed."""
    # (the same as ``strip_invisible``, then ``_BLANK_RE.sub(" ", value)`` then
    # ``[ \t\r\n]+`` -> one space, with str.replace: a regex scanning every character
    # costs a tenth of a page's extraction; the NBSP entities hold no whitespace, so
    # replacing them after the tabs and newlines is the same)
    value = strip_invisible_spaced(value)
    if "&" in value:
        value = _BLANK_ENTITY_RE.sub(" ", value)
    while "  " in value:
        value = value.replace("  ", " ")
    value = _EMPTY_P_RE.sub("", value)
    # the same markup with or without optional end tags (``</p>``, ``</li>``) gives the
    # same string: no space just inside a closing block tag or between block tags
    value = _strip_space_before_blocks(value)
    value = _BLOCK_SPACE_AFTER_RE.sub(_first_group, value)
    return value.strip()


def _strip_space_before_blocks(value: str) -> str:
    """``_BLOCK_SPACE_BEFORE_RE.sub(r"\\1", value)``: whitespace runs before a block tag
    removed. The regex starts with ``\\s+`` and so is tried at every space between words;
    here the tags are found (their ``<`` is a literal prefix the regex engine skips to) and
    the whitespace before each taken back, not before the end of the previous removal (the
    regex's matches do not overlap; a tag not preceded by whitespace is no match, and the
    whitespace ending it may still start the next one). ``\\s`` is ``str.isspace``."""
    parts: list[str] = []
    done = 0  # end of the last match: value[:done] is in parts
    for match in _BLOCK_TAG_BEFORE_RE.finditer(value):
        start = match.start()
        space = start
        while space > done and value[space - 1].isspace():
            space -= 1
        if space < start:
            parts.append(value[done:space])
            parts.append(match.group(0))
            done = match.end()
    if not parts:
        return value
    parts.append(value[done:])
    return "".join(parts)


def _first_group(match: re.Match[str]) -> str:
    """``\\1`` as a function (cheaper than a template expanded at every match)."""
    return match.group(1)


_BLOCKS = r"(?:p|div|li|ul|ol|table|thead|tbody|tr|td|th|h[1-6]|blockquote|figure|figcaption)"
_BLOCK_SPACE_BEFORE_RE = re.compile(rf"\s+(</{_BLOCKS}>|<{_BLOCKS}[\s>])")
_BLOCK_TAG_BEFORE_RE = re.compile(rf"</{_BLOCKS}>|<{_BLOCKS}[\s>]")
_BLOCK_SPACE_AFTER_RE = re.compile(rf"(</{_BLOCKS}>|<{_BLOCKS}(?:\s[^>]*)?>)\s+")
