"""The generic ladder's lines.

- :func:`text_lines`: an element's text as the lines a browser shows (blocks and ``<br>``
  end them), each with the block holding it; :func:`region_lines`: the lines of the
  article region (the smallest element holding headline and body) in the order the date
  and byline are looked for: after the headline, before it, then around the body.
- :func:`in_link_list`: whether an element sits in a list of links (a dated "latest
  news" column).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from lxml import etree

from danvan_crawler.extract.ladder import SKIP_TAGS, _is_block, _tag
from danvan_crawler.extract.ladder_body import PROSE, _size, _Stats, link_list, subtree_stats
from danvan_crawler.text import clean_text

__all__ = ["Line", "in_link_list", "in_list_of_links", "region_lines", "text_lines"]


# -- lines -------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of text as a browser shows it."""

    text: str  # cleaned
    element: etree._Element  # the block holding it (or the element of its first text)
    links: int  # characters of it inside links
    where: str = ""  # region_lines: "after" / "before" the headline, "body", "end"


def text_lines(
    node: etree._Element, skip: Collection[etree._Element] = (), limit: int | None = None
) -> list[Line]:
    """``node``'s text cut into lines where a block starts or ends and at ``<br>``; blank
    lines left out; skipped elements' text left out. ``skip``: elements not walked, each
    marked by an empty line in its place; ``limit``: at most this many lines."""
    lines: list[Line] = []
    parts: list[str] = []
    link_size = 0
    holder: list[etree._Element] = [node]

    def flush() -> None:
        nonlocal link_size
        if parts:
            text = clean_text("".join(parts))
            if text:
                lines.append(Line(text, holder[-1], min(link_size, len(text))))
        parts.clear()
        link_size = 0

    def add(text: str | None, in_link: int) -> None:
        nonlocal link_size
        # (blank text between two inline elements is the space between their words)
        if text and (text.strip() or parts):
            parts.append(text)
            if in_link:
                link_size += _size(text)

    # (element, entering, links open) in a stack: the walk needs no recursion
    stack: list[tuple[etree._Element, bool, int]] = [(node, True, 0)]
    while stack:
        if limit is not None and len(lines) >= limit:
            return lines[:limit]
        el, enter, in_link = stack.pop()
        tag = _tag(el)
        if enter:
            if el is not node and (tag is None or tag in SKIP_TAGS):
                add(el.tail, in_link)
                continue
            if el in skip and el is not node:
                flush()
                lines.append(Line("", el, 0))
                add(el.tail, in_link)
                continue
            if tag == "br":
                flush()
                add(el.tail, in_link)
                continue
            block = _is_block(tag)
            if block:
                flush()
                holder.append(el)
            inner = in_link + (tag == "a")
            add(el.text, inner)
            stack.append((el, False, in_link))
            stack.extend((c, True, inner) for c in reversed(el))
        else:
            if _is_block(tag):
                flush()
                holder.pop()
            if el is not node:
                add(el.tail, in_link)
    flush()
    return lines if limit is None else lines[:limit]


def region_lines(
    region: etree._Element,
    headline: etree._Element | None,
    body: Iterable[etree._Element],
    limit: int = 12,
) -> list[Line]:
    """The lines of ``region`` where a date or byline is looked for, nearest the
    headline first: the lines after the headline up to the body (its elements: ``body``;
    ``where`` "after"), the ``limit`` lines before the headline, nearest first
    ("before"), the body's first ``limit`` lines ("body"), then the ``limit`` lines after
    the body starts, outside it ("end"). Without a headline, the lines before the body
    count as "before". Lines inside the headline are left out."""
    after: list[Line] = []
    before: list[Line] = []
    inside: list[Line] = []
    end: list[Line] = []
    inside_headline = set(headline.iter()) if headline is not None else set()
    parts = [part for part in body if part is not region]
    if len(parts) < len(list(body)):
        parts = []  # the region is the body: its lines are where they are
    seen_headline = headline is None
    seen_body = False
    # the body's parts are not walked (only their first lines are of use)
    for line in text_lines(region, skip=set(parts)):
        el = line.element
        if not line.text:  # a part
            seen_body = True
            for inner in text_lines(el, limit=limit + 2):
                if inner.element not in inside_headline and len(inside) < limit:
                    inner.where = "body"
                    inside.append(inner)
            continue
        if el in inside_headline or (headline is not None and _holds(el, headline)):
            seen_headline = True
            continue
        if seen_body:
            line.where = "end"
            end.append(line)
        elif seen_headline and headline is not None:
            line.where = "after"
            after.append(line)
        else:
            line.where = "before"
            before.append(line)
    before = before[::-1][:limit]
    return [*after[: limit * 2], *before, *inside[:limit], *end[:limit]]


def _holds(el: etree._Element, other: etree._Element) -> bool:
    """Whether the line's block ``el`` is an ancestor of ``other`` whose line is
    ``other``'s text (a block holding the headline as inline text)."""
    return any(a is el for a in other.iterancestors()) and not _is_block(_tag(other))


_LIST_TAGS = frozenset(["ul", "ol", "table", "tbody", "dl", "div", "section"])


def in_link_list(
    el: etree._Element,
    region: etree._Element,
    stats: dict[etree._Element, _Stats] | None = None,
) -> bool:
    """Whether ``el`` is inside a link, or inside a list of links below ``region``: mostly
    link text (:func:`link_list`), or three items or more, nearly all holding a linked
    title, and no prose (a "latest news" column: a linked title and a date per item). ``stats``:
    :func:`subtree_stats` of ``region``, when at hand (else each list's own)."""
    for node in (el, *el.iterancestors()):
        if node is region:
            return False
        tag = _tag(node)
        if tag == "a":
            return True
        if tag in _LIST_TAGS:
            sub = stats if stats is not None and node in stats else None
            if sub is None:
                sub = subtree_stats(node, prune_chrome=False)
            if link_list(node, sub) or _linked_items(node, sub):
                return True
    return False


def in_list_of_links(
    el: etree._Element, top: etree._Element, stats: dict[etree._Element, _Stats]
) -> bool:
    """Whether ``el`` is inside a list of links below ``top`` (see :func:`in_link_list`;
    a link alone is none). ``stats``: :func:`subtree_stats` of ``top``."""
    for node in (el, *el.iterancestors()):
        if node is top:
            return False
        listed = _tag(node) in _LIST_TAGS and node in stats
        if listed and (link_list(node, stats) or _linked_items(node, stats)):
            return True
    return False


def _linked_items(node: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    items = [c for c in node if c in stats and stats[c].text]
    if len(items) < 3 or stats[node].prose >= PROSE:
        return False
    # a linked title per item (a share bar or a "comment" link is no list of articles)
    linked = sum(1 for item in items if stats[item].links >= 15)
    return linked * 3 >= len(items) * 2
