"""Helpers over an article page's tree shared by its fields: block tags, raw text, drops
and paths.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from danvan_crawler.extract.ladder_body import drop_element
from danvan_crawler.extract.selectors import compiled_xpath, may_match, select

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
                drop_element(bad)


@lru_cache(maxsize=256)
def _selector_groups(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """The selectors :func:`_drop_matches` evaluates: all of them as one group when none
    has a sibling combinator or a pseudo-class, else one after the other."""
    simple = not any(ch in css for css in selectors for ch in "+~:")
    return (", ".join(selectors),) if simple and selectors else selectors


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


#: Every date form holds a four-digit year: a line without one is no date line.
_YEAR_RE = re.compile(r"\d{4}")


#: a sentence (words, then a full stop) and the words that make it a comment's
_SENTENCE_RE = re.compile(r"[^.!?…]+[.!?…]")


_COMMENT_WORDS = 6


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host (images and attachments
    must be: ``javascript:``, ``data:``, ``vbscript:``, ``file:`` and the like are not)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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


def _string_value(value: Any) -> str | None:
    return value if isinstance(value, str) else None
