"""The generic ladder's headline: :func:`headline_element`, the element whose text is the
page's ``og:title`` / JSON-LD headline / ``<title>`` (whole, or without the site's name),
whatever its tag; :func:`prominent_heading`: the most prominent heading before the body.
"""

from __future__ import annotations

import re

from lxml import etree

from danvan_crawler.extract.ladder import (
    _WORD_RE,
    CHROME_TAGS,
    HEADING_TAGS,
    SKIP_TAGS,
    _body_of,
    _names,
    _tag,
    chrome_named,
    text_key,
    text_nodes,
)
from danvan_crawler.extract.ladder_lines import text_lines
from danvan_crawler.text import clean_text

__all__ = ["headline_element", "lead_like", "prominent_heading"]


# -- the headline ------------------------------------------------------------------------

_MAX_HEADLINE = 400


def _visible_text(el: etree._Element, limit: int) -> str | None:
    """``el``'s text (skipped elements left out), None when longer than ``limit``."""
    parts: list[str] = []
    size = 0
    for node in text_nodes(el):
        parts.append(node)
        size += len(node)
        if size > limit * 3:  # (whitespace counts; the cleaned text is checked below)
            return None
    text = clean_text("".join(parts))
    return text if len(text) <= limit else None


def headline_element(root: etree._Element, keys: list[str]) -> etree._Element | None:
    """The element of the page's body whose text has one of ``keys`` (see
    :func:`title_keys`; the earlier key wins), whatever its tag: the outermost such
    element, a heading before any other element, an element outside links and page
    chrome before one inside; never the site's logo or a link to its home page."""
    if not keys:
        return None
    rank = {key: n for n, key in enumerate(keys)}
    longest = max(len(k) for k in keys)
    best: tuple[tuple[int, int, int, int], etree._Element] | None = None
    order = 0
    stack = [_body_of(root)]
    while stack:
        el = stack.pop()
        for child in reversed(el):
            tag = _tag(child)
            if tag is None or tag in SKIP_TAGS:
                continue
            order += 1
            text = _visible_text(child, min(_MAX_HEADLINE, longest + 40))
            if text is None:
                stack.append(child)  # too long to be the headline: look inside
                continue
            key = text_key(text)
            if key in rank:
                if _site_mark(child):
                    continue  # the site's name: a title that is only the site's name
                score = (rank[key], _heading_rank(child), _chrome_rank(child), order)
                if best is None or score < best[0]:
                    best = (score, child)
                continue  # the outermost element with the text
            if key and len(key) > 2:
                stack.append(child)
    return best[1] if best else None


_LOGO_NAMES = re.compile(r"logo|brand|site-?(?:title|name)", re.IGNORECASE)


def _site_mark(el: etree._Element) -> bool:
    """Whether ``el`` is the site's logo or name: named so (itself or its two nearest
    ancestors), or inside a link to the site's home page."""
    for n, node in enumerate((el, *el.iterancestors())):
        if n <= 2 and _LOGO_NAMES.search(_names(node)):
            return True
        if _tag(node) == "a":
            href = (node.get("href") or "").strip()
            path = re.sub(r"^(?:https?:)?//[^/]+", "", href)
            return path in ("", "/", "/index.html", "/index.php", "/default.aspx")
    return False


def _heading_rank(el: etree._Element) -> int:
    """0 for h1 ... 5 for h6, 6 for an element named like a title, 7 for the rest (what the
    element itself or the single element it holds is)."""
    node: etree._Element | None = el
    while node is not None:
        tag = _tag(node)
        if tag in HEADING_TAGS:
            return HEADING_TAGS.index(tag)
        if re.search(r"title|headline|heading|tieu-?de", _names(node), re.IGNORECASE):
            return 6
        children = [c for c in node if isinstance(c.tag, str)]
        node = children[0] if len(children) == 1 else None
    return 7


def _chrome_rank(el: etree._Element) -> int:
    """1 when ``el`` is inside a link, page chrome or a link list; 0 otherwise."""
    for node in (el, *el.iterancestors()):
        tag = _tag(node)
        if tag == "a" or (tag in CHROME_TAGS and tag != "header"):
            return 1  # (an article's header holds its headline and lead)
        if tag != "body" and chrome_named(node):
            return 1
    return 0


def prominent_heading(root: etree._Element, body: etree._Element | None) -> etree._Element | None:
    """The most prominent heading before ``body`` (the body's element): from the body up,
    the first ancestor holding a heading (``h1``-``h6``, or an element whose class or id
    says title/headline) before the body; of its headings, the highest level, then the
    nearest the body. Without a body: the page's first most prominent heading."""
    if body is None:
        for tag in HEADING_TAGS[:3]:
            for el in _body_of(root).iter(tag):
                if _usable_heading(el):
                    return el
        return None
    node = body
    for ancestor in body.iterancestors():
        found: list[tuple[int, int, etree._Element]] = []
        position = 0
        for el in ancestor.iter():
            if el is node or el is body:
                break
            if not isinstance(el.tag, str):
                continue
            position += 1
            rank = _heading_rank(el) if _tag(el) in HEADING_TAGS else 7
            if rank == 7 and re.search(r"title|headline|tieu-?de", _names(el), re.IGNORECASE):
                rank = 6
            if rank < 7 and _usable_heading(el):
                found.append((rank, -position, el))
        if found:
            return min(found, key=lambda item: (item[0], item[1]))[2]
        node = ancestor
    return None


def lead_like(el: etree._Element) -> bool:
    """Whether ``el`` reads as an article's lead: 30 to 1 500 characters in at most three
    lines, few of them link text, outside links and page chrome."""
    text = _visible_text(el, 1500)
    if text is None or len(text) < 30 or _chrome_rank(el):
        return False
    lines = text_lines(el)
    if len(lines) > 3:
        return False
    return sum(line.links for line in lines) * 4 < len(text)


def _usable_heading(el: etree._Element) -> bool:
    text = _visible_text(el, _MAX_HEADLINE)
    if not text or len(_WORD_RE.findall(text)) < 2:
        return False
    return not _chrome_rank(el)
