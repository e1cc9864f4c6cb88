"""Learning listing pages: the item list, its links and times, and the category title."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from danvan_crawler.dates import parse_date
from danvan_crawler.extract.common import node_text
from danvan_crawler.extract.learn_pages import Page, _in_link, _keyed, _text_elements
from danvan_crawler.extract.learn_select import _choose, selector_candidates
from danvan_crawler.extract.listing import ListingPage
from danvan_crawler.extract.navigation import find_article_links
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.extract.selectors import select
from danvan_crawler.profile import SiteProfile

__all__ = ["category_title"]

# --------------------------------------------------------------------------- listings


def _learn_listing(data: dict[str, Any], pages: Sequence[Page], generic: SiteProfile) -> None:
    """Items: the repeated element around each link of the page's main list (the most
    frequent container path among article links); the link, time and lead inside it;
    the category title: the element printing the page's title."""
    lst = data["listing"]
    trees = [(p, parse_html(p.html, html_elements=False)) for p in pages]
    cands: list[str] = []
    items_by_page: dict[str, list[etree._Element]] = {}
    groups_by_page: dict[str, dict[str, list[tuple[etree._Element, str]]]] = {}
    seen_on: dict[str, int] = {}  # article id -> listing pages linking it
    seen_at: dict[tuple[str, str], int] = {}  # (tag path, article id) -> pages
    for page, root in trees:
        by_path: dict[str, list[tuple[etree._Element, str]]] = {}
        for a in root.iter("a"):
            entry = find_article_links([a], page.url, generic)
            if entry:
                path = "/".join(str(x.tag) for x in reversed([a, *a.iterancestors()]))
                by_path.setdefault(path, []).append((a, entry[0].article_id))
        for aid in {aid for group in by_path.values() for _, aid in group}:
            seen_on[aid] = seen_on.get(aid, 0) + 1
        for path, group in by_path.items():
            for aid in {aid for _, aid in group}:
                seen_at[path, aid] = seen_at.get((path, aid), 0) + 1
        groups_by_page[page.url] = by_path

    def climb(
        a: etree._Element, aid: str, url: str, limit: int | None, rows: bool = False
    ) -> tuple[Any, int]:
        """The anchor's item: its largest ancestor holding links to one article only (at
        most ``limit`` levels up; ``rows``: up to a row, never to a list's container),
        and the levels climbed."""
        node, levels = a, 0
        while limit is None or levels < limit:
            if rows and node.tag in _ROWS:
                break
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            if rows and (parent.tag in _LISTS or _titled(parent)):
                break
            if {x.article_id for x in find_article_links(parent, url, generic)} != {aid}:
                break
            node, levels = parent, levels + 1
        return node, levels

    # the site's own list: the links (grouped by their path in the page) no other listing
    # page shows (columns of latest or most read news repeat on every page), summed over
    # the pages; then those no other page shows at the same place (a column may show the
    # few articles a category lists, elsewhere on the other pages); then the longest
    score: dict[str, tuple[bool, int, int, int]] = {}
    for by_path in groups_by_page.values():
        for path, group in by_path.items():
            multi, own, here, size = score.get(path, (False, 0, 0, 0))
            aids = {aid for _, aid in group}
            own += sum(1 for aid in aids if seen_on.get(aid, 0) == 1)
            here += sum(1 for aid in aids if seen_at.get((path, aid), 0) == 1)
            score[path] = (multi or len(aids) > 1, own, here, size + len(aids))
    if not score:
        return
    main_path = max(
        score, key=lambda path: (score[path][1], score[path][2], score[path][0], score[path][3])
    )
    for page, _root in trees:
        by_path = groups_by_page[page.url]
        if main_path in by_path:
            by_path[main_path] = _one_list(by_path[main_path], page.url, climb, seen_on)
    # how far an item reaches above its link, from pages listing several articles (on a
    # page listing one, the climb would reach the list's container)
    reach = [
        climb(a, aid, page.url, None)[1]
        for page, _root in trees
        for group in [groups_by_page[page.url].get(main_path) or []]
        if len({aid for _, aid in group}) > 1
        for a, aid in group
    ]
    limit = min(reach) if reach else None
    for page, _root in trees:
        main_group = groups_by_page[page.url].get(main_path)
        if not main_group:
            continue
        items = [climb(a, aid, page.url, limit, rows=limit is None)[0] for a, aid in main_group]
        items_by_page[page.url] = list(dict.fromkeys(items))
        for item in items_by_page[page.url][:2]:
            cands.extend(selector_candidates(item))
        # the items as the children of their list, named apart from the item: unnamed
        # items of an unnamed list placed among unnamed columns ("h1 + div > div")
        holder = items_by_page[page.url][0].getparent()
        if holder is not None and holder.tag not in ("body", "html"):
            tag = str(items_by_page[page.url][0].tag).lower()
            cands.extend(f"{c} > {tag}" for c in selector_candidates(holder)[:12])

    def item_judge(pr: tuple[Page, etree._Element], css: str) -> bool | None:
        want = items_by_page.get(pr[0].url)
        if not want:
            return None
        found = [x for x in select(pr[1], css) if isinstance(x, etree._Element)]
        return found == want

    css, _ = _choose(trees, dict.fromkeys(cands), item_judge)
    lst["item"] = [css] if css else []
    if not css:
        return
    # the list's container: where an empty category shows it lists nothing
    holders: dict[str, etree._Element] = {}
    scope_c: list[str] = []
    for page, root in trees:
        found = [x for x in select(root, css) if isinstance(x, etree._Element)]
        parent = found[0].getparent() if found else None
        if parent is not None and all(x.getparent() is parent for x in found):
            holders[page.url] = parent
            scope_c.extend(selector_candidates(parent))

    def scope_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        want = holders.get(pr[0].url)
        if want is None:
            return None
        found = select(pr[1], sel)
        return bool(found) and found[0] is want

    sel, _ = _choose(trees, dict.fromkeys(scope_c), scope_judge)
    lst["scope"] = [sel] if sel else []
    # inside an item: the title link, the time, the lead
    link_c: list[str] = []
    time_c: list[str] = []
    lead_c: list[str] = []
    pairs: list[tuple[Page, etree._Element]] = []
    for page, root in trees:
        for item in select(root, css):
            if not isinstance(item, etree._Element):
                continue
            pairs.append((page, item))
            titled = [
                a
                for a in item.iter("a")
                if node_text(a) and find_article_links([a], page.url, generic)
            ]
            if titled:
                link_c.extend(selector_candidates(titled[0], stop=item, depth=4))
            for el in item.iter():
                if not isinstance(el.tag, str) or el.tag == "a":
                    continue
                text = node_text(el)
                if text and len(text) < 60 and _YEAR.search(text):
                    if parse_date(text, generic.date_patterns, generic.timezone):
                        time_c.extend(selector_candidates(el, stop=item, depth=4))
                elif len(text) >= 40 and not list(el.iter("a")) and not _in_link(el):
                    lead_c.extend(selector_candidates(el, stop=item, depth=4))

    def link_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        return (
            bool(found)
            and bool(find_article_links(found[:1], pr[0].url, generic))
            and bool(node_text(found[0]))
        )

    sel, _ = _choose(pairs, dict.fromkeys(link_c), link_judge)
    lst["item_link"] = [sel] if sel else []

    def time_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        if not found:
            return None
        return parse_date(node_text(found[0]), generic.date_patterns, generic.timezone) is not None

    sel, _ = _choose(pairs, dict.fromkeys(time_c), time_judge)
    lst["item_time"] = [sel] if sel else []

    def lead_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        if not found:
            return None
        text = node_text(found[0])
        return len(text) >= 40 and not _YEAR_ONLY.fullmatch(text)

    sel, _ = _choose(pairs, dict.fromkeys(lead_c), lead_judge)
    lst["item_lead"] = [sel] if sel else []

    # the category title
    generic_title = {
        page.url: category_title(root, ListingPage(page.html, page.url, generic).title)
        for page, root in trees
    }
    title_c: list[str] = []
    for page, root in trees:
        want = generic_title[page.url]
        for el in _text_elements(root, want or "")[:3]:
            if el.tag != "a":
                title_c.extend(selector_candidates(el))

    def title_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        want = generic_title[pr[0].url]
        if not want:
            return None
        found = select(pr[1], sel)
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    sel, _ = _choose(trees, dict.fromkeys(title_c), title_judge)
    lst["title"] = [sel] if sel else []


def _one_list(
    group: list[tuple[etree._Element, str]],
    url: str,
    climb: Callable[..., tuple[Any, int]],
    seen_on: dict[str, int],
) -> list[tuple[etree._Element, str]]:
    """The links of ``group`` (links at one tag path) in one list: the same tag path may
    run through two lists (a "latest news" column beside the category's own list, both
    ``div > div > a``), told apart by the element holding their items; the list linking
    most articles no other listing page shows, then the longer."""
    lists: dict[etree._Element, list[tuple[etree._Element, str]]] = {}
    for a, aid in group:
        item, _ = climb(a, aid, url, None)
        lists.setdefault(item.getparent(), []).append((a, aid))
    if len(lists) <= 1:
        return group
    return max(
        lists.values(),
        key=lambda links: (sum(1 for _, aid in links if seen_on.get(aid, 0) == 1), len(links)),
    )


#: Elements that are a list's row, and a list's containers (an item learned from pages
#: listing one article only stops at the first, below the second).
_ROWS = frozenset(["li", "tr", "article"])
_LISTS = frozenset(["ul", "ol", "table", "tbody", "main", "section", "aside"])


def _titled(el: etree._Element) -> bool:
    """Whether ``el`` holds a heading that is no link (a list's title, not an item's)."""
    return any(next(h.iter("a"), None) is None for h in el.iter("h1", "h2", "h3"))


def category_title(root: etree._Element, title: str | None) -> str | None:
    """The category's name as the page prints it: the ladder's title (``og:title``, or
    ``<title>`` without a site suffix the profile's rule knows), or, printed nowhere, the
    longest heading that starts it before a separator ("Thời sự :: Tỉnh ủy Nghệ An"), or
    that ends the page's ``<title>`` after one ("Tỉnh ủy Nghệ An - Thời sự": the site's
    rule cut the category off as if it were the site's name)."""
    if not title or _text_elements(root, title):
        return title
    head = root.find(".//title")
    whole = node_text(head) if head is not None else ""
    best = None
    for el in root.iter("h1", "h2", "h3", "h4", "div", "span", "td", "strong", "p"):
        text = node_text(el)
        if not text or len(text) > 80:
            continue
        rest = title[len(text) :] if title.startswith(text) else ""
        before = whole[: -len(text)].rstrip() if whole.endswith(text) else ""
        starts = bool(rest) and not rest[0].isalnum()
        linked = _in_link(el) or next(el.iter("a"), None) is not None  # (a menu's item)
        ends = bool(before) and not before[-1].isalnum() and title in before and not linked
        if (starts or ends) and (best is None or len(text) > len(best)):
            best = text
    return best or title


_YEAR = re.compile(r"\d{4}")
_YEAR_ONLY = re.compile(r"[\d\s/:.,|-]+")
