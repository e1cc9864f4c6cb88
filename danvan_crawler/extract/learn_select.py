"""Selectors for an element: generated names told apart from meaningful ones, candidates
built from names, attributes and structure, and the cheapest one that gives the values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lxml import etree

from danvan_crawler.extract.learn_pages import _Art
from danvan_crawler.extract.selectors import select

__all__ = ["before_candidates", "generated_name", "selector_candidates"]

# --------------------------------------------------------------------------- names

_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"(?:uy|oa|oe|ue|[aeiouy])(?:[aeiouy]{0,2})"
    r"(?:ng|nh|ch|[cmnpt])?"
)
#: Words of class and id names (English, and CMS abbreviations); Vietnamese syllables
#: written without tone marks are recognised by their shape.
_WORDS = frozenset(
    (  # noqa: SIM905 (a list literal takes 100 lines)
        "a about abstract align article articles aside attach attachment attachments author "
        "authors avatar banner block body bold box breadcrumb breadcrumbs btn by byline "
        "caption card cat category center centre clearfix col column comment comments "
        "container content contents copy copyright count created credit date datetime day "
        "desc description detail details doc download email entry excerpt featured field "
        "figure file files first float focus font foot footer grid head header heading "
        "headline hero highlight hit hits hot image img info inner intro italic item items "
        "justify keyword keywords kicker label large last latest lbl lead left link links "
        "list listing logo main md media menu meta modified module more name nav navbar new "
        "news newest next normal other outer page pager paging pagination pane panel photo "
        "pnl popular portlet post posted prev primary print pub publish published rating read "
        "related right row same sapo secondary section share side sidebar signature size "
        "small social source span story sub subhead subtitle summary tag tags teaser text "
        "thumb thumbnail time timestamp title tool toolbar tools top topic updated video view "
        "views widget wrap wrapper writer xs sm lg dl zoom"
    ).split()
)
_SEGMENTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def generated_name(name: str) -> bool:
    """Whether a class or id value looks generated (a module number, a hash, random
    letters): such a name changes with the CMS's next deployment, so no selector uses it."""
    if not name or len(name) > 40 or re.search(r"\d{3,}", name):
        return True
    for part in re.split(r"[-_:.]+", name):
        if not part:
            continue
        if re.search(r"[a-zA-Z]\d|\d[a-zA-Z]", part):
            return True  # letters and digits mixed: a hash
        for seg in _SEGMENTS.findall(part):
            low = seg.lower()
            if low.isdigit():
                continue
            if low in _WORDS or _VI_SYLLABLE.fullmatch(low) or _vi_word(low):
                continue
            return True
    return False


def _vi_word(text: str) -> bool:
    """Whether ``text`` is one or more Vietnamese syllables written without tone marks
    (``tieude``, ``noidung``, ``ngaydang``)."""
    ok = [True] + [False] * len(text)
    for i in range(len(text)):
        if not ok[i]:
            continue
        for j in range(min(len(text), i + 7), i, -1):
            if not ok[j] and _VI_SYLLABLE.fullmatch(text[i:j]):
                ok[j] = True
    return ok[len(text)] and len(text) >= 2


# --------------------------------------------------------------------------- selectors

_SEMANTIC = frozenset(
    ["article", "main", "header", "footer", "nav", "aside", "section", "time", "figure", "h1"]
)
_ATTRS = ("itemprop", "role", "align")
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _steps(el: etree._Element) -> list[str]:
    """Ways of naming ``el`` alone (no position): its tag with a meaningful class, id or
    attribute, and the bare tag last."""
    tag = str(el.tag).lower()
    out: list[str] = []
    ident = (el.get("id") or "").strip()
    if ident and not generated_name(ident) and re.fullmatch(r"[A-Za-z][\w-]*", ident):
        out.append(f"{tag}#{ident}")
    elif "_" in ident:
        # a generated prefix, a meaningful control name (dnn_ctr1410_ViewNews_lblDate):
        # the name outlives the module number
        suffix = ident.rsplit("_", 1)[1]
        if len(suffix) >= 4 and not generated_name(suffix):
            out.append(f'{tag}[id$="_{suffix}"]')
    classes = [c for c in (el.get("class") or "").split() if c]
    good = [c for c in classes if not generated_name(c) and re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    for cls in good:
        out.append(f"{tag}.{cls}")
    for attr in _ATTRS:
        value = (el.get(attr) or "").strip()
        if value and len(value) < 30 and not generated_name(value.replace(" ", "-")):
            out.append(f"{tag}[{attr}={_quote(value)}]")
    out.append(tag)
    return out


def _distinct(el: etree._Element) -> str | None:
    """The most specific name of ``el`` usable as an anchor (class, id, attribute, or a
    semantic tag), or None."""
    steps = _steps(el)
    if len(steps) > 1:
        return steps[0]
    tag = str(el.tag).lower()
    return tag if tag in _SEMANTIC or tag == "body" else None


def _same_tag(el: etree._Element) -> tuple[str, list[etree._Element]]:
    """``el``'s tag and the siblings sharing it, ``el`` included (none at the root)."""
    parent = el.getparent()
    same = [] if parent is None else [c for c in parent if c.tag == el.tag]
    return str(el.tag).lower(), same


def _positional(el: etree._Element) -> str:
    """``el``'s tag with ``:nth-of-type(k)`` when siblings share its tag."""
    tag, same = _same_tag(el)
    if len(same) <= 1:
        return tag
    return f"{tag}:nth-of-type({same.index(el) + 1})"


def _from_end(el: etree._Element) -> str:
    """``el``'s tag with its position counted from the end among same-tag siblings."""
    tag, same = _same_tag(el)
    if len(same) <= 1:
        return tag
    k = len(same) - same.index(el)
    return f"{tag}:last-of-type" if k == 1 else f"{tag}:nth-last-of-type({k})"


def _only_child(el: etree._Element) -> bool:
    parent = el.getparent()
    return (
        parent is not None
        and len([c for c in parent if isinstance(c.tag, str)]) == 1
        and not (parent.text or "").strip()
        and not (el.tail or "").strip()
    )


def selector_candidates(
    el: etree._Element, stop: etree._Element | None = None, depth: int = 8
) -> list[str]:
    """CSS selectors that may find ``el`` (under ``stop``, when given: relative ones),
    most meaningful first: its own names, then an anchoring ancestor's name before it,
    then a structural path from the nearest anchoring ancestor."""
    own = _steps(el)
    out: list[str] = [s for s in own if s != own[-1] or str(el.tag).lower() in _SEMANTIC]
    chain: list[etree._Element] = []
    node = el.getparent()
    while node is not None and node is not stop and len(chain) < depth:
        if not isinstance(node.tag, str) or node.tag in ("html",):
            break
        chain.append(node)
        node = node.getparent()
    for anc in chain:
        name = _distinct(anc)
        if name and name != "body":
            for step in own[:2]:
                out.append(f"{name} {step}")
    # structural: child steps from the nearest anchor (or the stop / body)
    path = [_positional(el)]
    plain = [str(el.tag).lower()]
    for anc in chain:
        name = _distinct(anc)
        if name:
            out.append(f"{name} > " + " > ".join(reversed(path)))
            out.append(f"{name} > " + " > ".join(reversed(plain)))
            if name != "body":
                break
        path.append(_positional(anc))
        plain.append(str(anc.tag).lower())
    else:
        if stop is not None:
            out.append(" > ".join(reversed(path)))
            out.append(" > ".join(reversed(plain)))
    out.append(own[-1])
    last = f"{own[-1]}:last-of-type"
    parent = el.getparent()
    if parent is not None and [c for c in parent if c.tag == el.tag][-1] is el:
        for anc in chain[:3]:
            name = _distinct(anc)
            if name:
                out.append(f"{name} {last}")
    # counted from the end (a signature: the name in the last paragraph or the one before
    # the role's), the element alone in its parent
    end_path = [own[-1] + ":only-child" if _only_child(el) else _from_end(el)]
    for anc in chain[:3]:
        name = _distinct(anc)
        if name and name != "body":
            out.append(f"{name} > " + " > ".join(reversed(end_path)))
            break
        end_path.append(_from_end(anc))
    # after a named sibling (the body after the date line, where blocks before it come
    # and go: a byline, a lead)
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is not None:
        # (a heading is an anchor here: the body after the headline)
        before = _distinct(prev) or (prev.tag if prev.tag in _HEADINGS else None)
        if before and before != "body":
            out.append(f"{before} + {own[-1]}")
            if chain and _distinct(chain[0]) not in (None, "body"):
                out.append(f"{_distinct(chain[0])} > {before} + {own[-1]}")
    # a signature: the last paragraph's name, wherever the body ends
    for k, anc in enumerate(chain[:2]):
        up = anc.getparent()
        if up is None or [c for c in up if c.tag == anc.tag][-1] is not anc:
            continue
        for top in chain[k + 1 : k + 4]:
            name = _distinct(top)
            if name and name != "body":
                out.append(f"{name} {str(anc.tag).lower()}:last-of-type {own[-1]}")
                break
    return list(dict.fromkeys(out))


def _element_sibling(el: etree._Element, step: int) -> etree._Element | None:
    """``el``'s next (``step`` 1) or previous (-1) element sibling, comments skipped."""
    sib = el.getnext() if step > 0 else el.getprevious()
    while sib is not None and not isinstance(sib.tag, str):
        sib = sib.getnext() if step > 0 else sib.getprevious()
    return sib


def before_candidates(el: etree._Element) -> list[str]:
    """``el`` named by the named sibling after it (``div:has(+ div.noidung)``, the block
    two before it: ``div:has(+ div + div.noidung)``): a headline or byline just before
    the body, where blocks before them come and go so that no position holds."""
    tag = str(el.tag).lower()
    out: list[str] = []
    path: list[str] = []
    sib = _element_sibling(el, 1)
    while sib is not None and len(path) < 2:
        name = _distinct(sib)
        if name and name != "body":
            out.append(f"{tag}:has(+ {' + '.join([*path, name])})")
            break
        path.append(str(sib.tag).lower())
        sib = _element_sibling(sib, 1)
    return out


def _choose(
    pages: Sequence[Any],
    candidates: Iterable[str],
    judge: Callable[[Any, str], bool | None],
    count: Callable[[Any, str], int] | None = None,
) -> tuple[str | None, int]:
    """The candidate right on most ``pages`` (``judge``: True right, False wrong, None no
    value to check there); among equals the most precise (fewest elements matched on
    the pages: ``p.Normal`` may match a modified date first on a page not learned from,
    ``p[id$="_lblDate"]`` only the date), then the cheapest (:func:`_cost`), then the
    earlier; and how many it got right. ``count``: how many of a page's matches count
    against precision (default: all)."""
    best: tuple[Any, ...] | None = None
    for order, css in enumerate(candidates):
        right = wrong = 0
        for page in pages:
            verdict = judge(page, css)
            if verdict is True:
                right += 1
            elif verdict is False:
                wrong += 1
        if not right:
            continue
        matched = sum(
            count(page, css) if count else len(select(_root_of(page), css)) for page in pages
        )
        key = (right - 2 * wrong, -matched, -_cost(css), -order, css)
        if best is None or key > best:
            best = key
    if best is None:
        return None, 0
    css = best[-1]
    return css, sum(1 for page in pages if judge(page, css) is True)


def _root_of(page: Any) -> etree._Element:
    """The tree a page of :func:`_choose` is searched in (an article, a listing page and
    its tree, an item and its page)."""
    if isinstance(page, _Art):
        return page.root
    return page[1]


def _cost(css: str) -> int:
    """Fewer positions and shorter selectors first; an id (one element a page) before a
    class that other elements may share on pages not learned from."""
    bare = 12 if re.fullmatch(r"[a-z]+[0-6]?", css) and css not in _SEMANTIC else 0
    ids = 2 * len(css) // 3 if ("#" in css or "[id" in css) else 0
    return (
        len(css)
        + bare
        - ids
        + 15 * css.count("nth-of-type")
        + 10 * css.count("last-of-type")
        + 10 * css.count(" + ")
        + 10 * css.count(":has(")
    )
