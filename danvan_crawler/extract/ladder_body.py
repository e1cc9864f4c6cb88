"""The generic ladder's body.

- :func:`content_parts`: where the body is: the element whose paragraphs (any block
  holding text, ``<p>`` or not) hold the most text that is not link text, discounted by
  its own link density and by class/id names saying chrome (share, related, comment...),
  with its siblings and same-class neighbours that hold text too.
- :func:`clean_content`: a copy of it without chrome, link lists and forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

from danvan_crawler.extract.ladder import (
    _CONTENT_NAMES,
    CHROME_TAGS,
    HEADING_TAGS,
    HOLDER_TAGS,
    PARAGRAPH_TAGS,
    SKIP_TAGS,
    _body_of,
    _is_block,
    _names,
    _tag,
    chrome_named,
    text_nodes,
)

__all__ = ["clean_content", "content_parts", "drop_element", "link_list", "subtree_stats"]


# -- the body ----------------------------------------------------------------------------


@dataclass
class _Stats:
    text: int = 0  # visible characters of the subtree (whitespace runs count one)
    links: int = 0  # of which inside links
    block: bool = False  # holds a block element
    anchors: int = 0  # links in the subtree
    prose: int = 0  # the most characters outside links of one block's own text in it


def _size(text: str | None) -> int:
    if not text:
        return 0
    return len(" ".join(text.split()))


def subtree_stats(root: etree._Element, prune_chrome: bool) -> dict[etree._Element, _Stats]:
    """Per element under ``root`` (``root`` included): its visible text size, link text
    size, whether it holds a block, its link count. Skipped elements (and page chrome,
    with ``prune_chrome``) are left out, as their subtrees."""
    order: list[etree._Element] = []
    stack = [root]
    while stack:
        el = stack.pop()
        order.append(el)
        for child in el:
            tag = _tag(child)
            if tag is None or tag in SKIP_TAGS:
                continue
            if prune_chrome and tag in CHROME_TAGS:
                continue
            stack.append(child)
    stats: dict[etree._Element, _Stats] = {}
    for el in reversed(order):  # children before parents
        own = _Stats(text=_size(el.text))
        for child in el:
            if child.tail:
                own.text += _size(child.tail)
            sub = stats.get(child)
            if sub is None:
                continue
            own.text += sub.text
            own.links += sub.links
            own.anchors += sub.anchors
            own.block = own.block or sub.block or _is_block(_tag(child))
            own.prose = max(own.prose, sub.prose)
        if _tag(el) == "a":
            own.links = own.text
            own.anchors += 1
        if _is_block(_tag(el)):
            size, links = _own_text(el, stats)
            own.prose = max(own.prose, size - links)
        stats[el] = own
    return stats


def _own_text(el: etree._Element, stats: dict[etree._Element, _Stats]) -> tuple[int, int]:
    """(characters, link characters) of ``el``'s own text: its text, its inline
    children's, and its children's tails (not the text of its block children)."""
    size = _size(el.text)
    links = size if _tag(el) == "a" else 0
    for child in el:
        size += _size(child.tail)
        sub = stats.get(child)
        if sub is not None and not sub.block and not _is_block(_tag(child)):
            size += sub.text
            links += sub.links
    return size, links


#: A paragraph shorter than this (characters) does not vote for its container.
MIN_PARAGRAPH = 25


def _br_paragraphs(el: etree._Element, stats: dict[etree._Element, _Stats]) -> int:
    """How many paragraphs (runs of at least :data:`MIN_PARAGRAPH` characters) ``el``'s
    own text holds between its ``<br>`` children: a block of several is a body printed
    as ``<br>`` runs, the container of its paragraphs."""
    if next(el.iterchildren("br"), None) is None:
        return 0
    count = 0
    run = _size(el.text)
    for child in el:
        sub = stats.get(child)
        if _tag(child) == "br" or _is_block(_tag(child)) or (sub is not None and sub.block):
            count += run >= MIN_PARAGRAPH  # (a block ends the line as a <br> does)
            run = 0
        elif sub is not None:
            run += sub.text
        run += _size(child.tail)
    return count + (run >= MIN_PARAGRAPH)


def content_parts(
    root: etree._Element, exclude: Iterable[etree._Element] = ()
) -> list[etree._Element]:
    """Where the body is: elements of ``root``'s tree (not copies), in document order;
    empty when no element holds a paragraph of text. ``exclude``: elements that are no
    part of it (the headline, the lead printed apart).

    Each block's own text (any tag) that is long enough and mostly not link text votes for
    its container (the parent of a paragraph-like block; a cell, a section, a block with
    text of its own next to its blocks or cut into paragraphs by ``<br>`` itself) with
    its length, and half as much for the next one up. A container's score is its votes
    discounted by its link density and by class/id names saying chrome. The best
    container comes with its siblings that score at least a fifth of it (a sibling of the
    same class gets a bonus), or that are long paragraphs with few links, and with the
    elements of the same tag and class nearby scoring as much (an article cut into
    several blocks by pictures and ads)."""
    body = _body_of(root)
    stats = subtree_stats(body, prune_chrome=True)
    excluded = set(exclude)
    votes: dict[etree._Element, float] = {}
    for el, st in stats.items():
        tag = _tag(el)
        if not _is_block(tag) or el in excluded:
            continue
        size, links = _own_text(el, stats)
        if size < MIN_PARAGRAPH or links * 2 > size:
            continue
        weight = float(size - links)
        if tag in HOLDER_TAGS or (
            tag not in PARAGRAPH_TAGS and (st.block or _br_paragraphs(el, stats) >= 2)
        ):
            holder = el  # text of its own next to its blocks, or cut by <br>: a container
        else:
            holder = el.getparent() if el is not body else el
        if holder is None:
            continue
        votes[holder] = votes.get(holder, 0.0) + weight
        upper = holder.getparent()
        if upper is not None and upper in stats:
            votes[upper] = votes.get(upper, 0.0) + weight / 2
    if not votes:
        return []
    scores: dict[etree._Element, float] = {}
    for el, vote in votes.items():
        st = stats[el]
        density = st.links / st.text if st.text else 1.0
        score = vote * (1.0 - density)
        if el is not body and chrome_named(el):
            score *= 0.3
        elif _CONTENT_NAMES.search(_names(el)):
            score *= 1.25
        scores[el] = score
    best = max(scores, key=lambda el: scores[el])
    best_score = scores[best]
    if best_score <= 0:
        return []
    threshold = max(2.0 * MIN_PARAGRAPH, best_score * 0.2)
    parts: set[etree._Element] = {best}
    parent = best.getparent()
    best_class = (best.get("class") or "").strip()
    if parent is not None and best is not body:
        siblings = [c for c in parent if c in stats]
        at = siblings.index(best)
        chosen = [at]
        for n, sibling in enumerate(siblings):
            if sibling is best or sibling in excluded:
                continue
            twin = bool(best_class) and sibling.get("class") == best.get("class")
            bonus = best_score * 0.2 if twin else 0.0
            sibling_score = scores.get(sibling)
            if sibling_score is not None and sibling_score + bonus >= threshold:
                chosen.append(n)
                continue
            st = stats[sibling]
            tag = _tag(sibling)
            if n < at or st.block or not _is_block(tag) or tag in HEADING_TAGS or not st.text:
                continue  # (one before the best is a lead, printed apart: the description)
            density = st.links / st.text
            if (st.text > 80 and density < 0.25) or (
                st.links == 0 and re.search(r"[.!?…]\s*$", "".join(text_nodes(sibling)))
            ):
                chosen.append(n)
        # what lies between two parts is part of the article (chrome is cleaned later)
        parts.update(s for s in siblings[min(chosen) : max(chosen) + 1] if s not in excluded)
    if best_class and best is not body:
        scope = best
        for _ in range(5):
            up = scope.getparent()
            if up is None or up not in stats:
                break
            scope = up
        for twin in scope.iter(best.tag):
            if (
                twin.get("class") == best.get("class")
                and scores.get(twin, 0.0) >= 2 * MIN_PARAGRAPH
            ):
                parts.add(twin)
    # (a part inside another is in it already)
    parts = {p for p in parts if not any(a in parts for a in p.iterancestors())}
    if len(parts) == 1:
        return [best]
    position = {el: n for n, el in enumerate(body.iter())}
    return sorted(parts, key=lambda el: position.get(el, 0))


#: A block with this much text outside links (characters) is prose, not a list of links.
PROSE = 100


def link_list(el: etree._Element, stats: dict[etree._Element, _Stats] | None = None) -> bool:
    """Whether ``el`` is a list of links: three links or more, more than half its text
    link text, and no block of prose (a paragraph citing links is none)."""
    st = (stats or subtree_stats(el, prune_chrome=False)).get(el)
    if st is None or st.anchors < 3 or not st.text:
        return False
    return st.links * 2 > st.text and st.prose < PROSE


def _link_teaser(st: _Stats) -> bool:
    """A paragraph that is a link with a label ("Xem thêm: <a>title</a>"): another
    article's title pasted into the body, not its text."""
    return st.anchors >= 1 and st.links * 2 > st.text and st.text - st.links < 40


def clean_content(node: etree._Element, keep: Iterable[etree._Element] = ()) -> None:
    """Remove from ``node`` (a working copy) what is not the body: skipped elements, page
    chrome (HTML5 chrome tags, class/id names saying share, related, comment...), forms
    with fields, lists of links, unless (``keep``) they hold the text kept."""
    kept = set(keep)
    stats = subtree_stats(node, prune_chrome=False)
    total = stats[node].text or 1
    drop: list[etree._Element] = []
    stack = [c for c in node if isinstance(c.tag, str)]
    while stack:
        el = stack.pop()
        if el in kept:
            stack.extend(c for c in el if isinstance(c.tag, str))
            continue
        tag = _tag(el)
        st = stats.get(el)
        share = st.text / total if st else 0.0
        if (
            tag is None
            or tag in SKIP_TAGS
            or tag in CHROME_TAGS
            or (tag == "form" and next(el.iter("input", "textarea", "select"), None) is not None)
            or (chrome_named(el) and share < 0.5)
            or (tag != "a" and st is not None and share < 0.5 and link_list(el, stats))
            or (tag in PARAGRAPH_TAGS and st is not None and share < 0.5 and _link_teaser(st))
        ):
            drop.append(el)
            continue
        stack.extend(c for c in el if isinstance(c.tag, str))
    for el in drop:
        drop_element(el)


def drop_element(el: etree._Element) -> None:
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
