"""Learning a site profile from pages: the generic ladder's values turned into selectors.

Pure functions over HTML strings (no fetching): :func:`learn_profile` takes a few article
and listing pages of one site, runs the generic extraction (every site selector emptied)
on them, and for each field looks for a CSS selector that gives the ladder's value on the
pages it learns from, checked on held-out pages it did not see. Selectors are built from
tag names, meaningful class names, attributes and structure (``>``, ``:nth-of-type``),
never from generated ids (``dnn_ctr1410_...``) or random-looking classes (``sc-a81kq2``):
those change with the next deployment of the CMS.

The result is a profile TOML text (loadable by :func:`danvan_crawler.profile.load_profile`)
and a per-field coverage table.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from danvan_crawler.dates import find_date
from danvan_crawler.extract.article import ArticlePage
from danvan_crawler.extract.article_dates import selected_date
from danvan_crawler.extract.common import node_text
from danvan_crawler.extract.ladder_signature import date_line
from danvan_crawler.extract.learn_body import _learn_content, _learn_images, _learn_remove
from danvan_crawler.extract.learn_fields import (
    _discover_byline,
    _learn_authors,
    _learn_banner,
    _learn_links,
)
from danvan_crawler.extract.learn_listing import _learn_listing
from danvan_crawler.extract.learn_pages import (
    ARTICLE_FIELDS,
    BASE_REMOVE,
    LISTING_FIELDS,
    Coverage,
    LearnError,
    LearnResult,
    Page,
    _Art,
    _base_dict,
    _date_elements,
    _date_key,
    _empty_selectors,
    _head_dates,
    _keyed,
    _lead_elements,
    _lead_match,
    _profile,
    _text_elements,
)
from danvan_crawler.extract.learn_report import _article_coverage, _listing_coverage, dump_profile
from danvan_crawler.extract.learn_select import _choose, before_candidates, selector_candidates
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.extract.selectors import select
from danvan_crawler.profile import SiteProfile, normalize_base_url, profile_from_dict

__all__ = ["OPTIONAL_FIELDS", "fields_wanting_pages", "learn_profile", "optional_fields_seen"]

#: Fields many articles do not print (a lead, attachments, breadcrumbs), with the generic
#: rules' sources a selector is learned from: read on too few of the sampled pages, they
#: are worth a few more pages (:func:`fields_wanting_pages`).
OPTIONAL_FIELDS: dict[str, tuple[str, ...] | None] = {
    "description": ("class", "region-text"),
    "attachments": None,  # (any source)
    "breadcrumbs": None,
}

#: Pages learned from that print an optional field, below which more are worth fetching
#: (more pages than needed move other fields' selectors: a positional block removed).
MIN_OPTIONAL_PAGES = 1


def _generic(base_url: str, name: str = "learned") -> tuple[dict[str, Any], SiteProfile]:
    """The profile dict the learner fills in, and the generic profile (every site
    selector emptied) its values come from."""
    data = _base_dict(base_url)
    data["name"] = name
    data["layout"] = "learned"
    data["hosts"] = [urlsplit(normalize_base_url(base_url)).hostname or ""]
    _empty_selectors(data)
    return data, _profile(data)


def optional_fields_seen(page: Page, base_url: str) -> set[str]:
    """The optional fields the generic rules read on ``page`` from a source a selector
    can be learned from."""
    result = ArticlePage(page.html, page.url, _generic(base_url)[1]).extract()
    return {
        fld
        for fld, sources in OPTIONAL_FIELDS.items()
        if fld in result.fallbacks and (sources is None or result.fallbacks[fld] in sources)
    }


def fields_wanting_pages(learned: Sequence[set[str]], held: Sequence[set[str]]) -> list[str]:
    """The optional fields the site prints (seen on some page, learned from or held out)
    but fewer than :data:`MIN_OPTIONAL_PAGES` pages to learn from print: nothing would be
    learned for them."""
    return [
        fld
        for fld in OPTIONAL_FIELDS
        if any(fld in seen for seen in (*learned, *held))
        and sum(fld in seen for seen in learned) < MIN_OPTIONAL_PAGES
    ]


def learn_profile(
    articles: Sequence[Page],
    listings: Sequence[Page],
    base_url: str,
    name: str = "learned",
    hold_out: int | None = None,
    articles_held: int | None = None,
) -> LearnResult:
    """Learn a profile from ``articles`` and ``listings`` of the site at ``base_url``.
    The last ``hold_out`` pages of each kind (default: a third, at least one when there
    are three or more) are not learned from, only checked; ``articles_held``: of the
    article pages, this many instead."""
    if len(articles) < 2:
        raise LearnError(f"need at least 2 article pages, got {len(articles)}")
    data, generic = _generic(base_url, name)
    arts = []
    for page in articles:
        extracted = ArticlePage(page.html, page.url, generic).extract()
        arts.append(_Art(page, parse_html(page.html, html_elements=False), extracted))
    if not any(a.ladder.fields.get("headline") for a in arts):
        raise LearnError("the generic rules found no headline on any article page")

    def split(items: Sequence[Any], held: int | None = hold_out) -> tuple[list[Any], list[Any]]:
        k = held if held is not None else (len(items) // 3 if len(items) >= 3 else 0)
        k = min(k, max(0, len(items) - 2)) if len(items) >= 2 else 0
        return list(items[: len(items) - k]), list(items[len(items) - k :])

    learn_arts, held_arts = split(arts, hold_out if articles_held is None else articles_held)
    coverage: dict[str, Coverage] = {}
    art_data = data["article"]

    # headline ----------------------------------------------------------------------
    def headline_judge(art: _Art, css: str) -> bool | None:
        want = art.ladder.fields.get("headline")
        if not want:
            return None
        found = select(art.root, css)
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    cands: list[str] = []
    for art in learn_arts:
        want = art.ladder.fields.get("headline")
        for el in _text_elements(art.root, want or "")[:3]:
            cands.extend(selector_candidates(el))
            cands.extend(before_candidates(el))
    css, _ = _choose(learn_arts, dict.fromkeys(cands), headline_judge)
    art_data["headline"] = [css] if css else []

    # date --------------------------------------------------------------------------
    heads = {id(art): _head_dates(art, generic) for art in learn_arts}
    printed_at = {id(art): _date_elements(art.root, art, generic) for art in learn_arts}

    def date_judge(art: _Art, css: str) -> bool | None:
        want = _date_key(art.ladder.fields.get("datePublished"))
        if not want and heads[id(art)]:
            found = select(art.root, css)
            return bool(found) and found[0] in heads[id(art)]
        if not want or "datePublished" not in art.ladder.fallbacks:
            return None  # (not on the page: the listing's, Last-Modified...)
        if not printed_at[id(art)] and art.ladder.fallbacks["datePublished"] != "htmldate":
            return None  # (the ladder read a modified date: no judge)
        found = select(art.root, css)
        picked = selected_date(found, generic.date_patterns, generic.timezone, marker)
        if not picked or len(node_text(found[picked[0]])) > 120:
            return False  # (a wrapper's text read whole: whichever date comes first)
        return _date_key(picked[1].value.isoformat()) == want

    def date_lines(art: _Art, css: str) -> int:
        """The matches printing a date line: fewer, the more precise."""
        n = 0
        for el in select(art.root, css):
            text = node_text(el) if isinstance(el, etree._Element) else ""
            hit = find_date(text, generic.date_patterns, generic.timezone) if text else None
            n += hit is not None and len(text) <= 120 and date_line(text, hit[1])
        return n

    marker = generic.fallback.modified_marker
    cands = []
    for art in learn_arts:
        # (htmldate's day, when an element prints it, is a printed date; a guessed day
        # matches no element's text)
        for el in printed_at[id(art)][:3] or heads[id(art)][:2]:
            for c in selector_candidates(el):
                cands.append(c)
                if " + " in c:
                    # any later sibling, not the next one only: a modified date may
                    # come between (the first date line no label marks is the date)
                    cands.append(" ~ ".join(c.rsplit(" + ", 1)))
            # the blocks around the date by their parent, unnumbered: the date is the
            # first date line among them wherever blocks before it come and go
            parent = el.getparent()
            if parent is not None and parent.tag not in ("body", "html"):
                tag = str(el.tag).lower()
                named = [c for c in selector_candidates(parent)[:6] if not c.isalnum()]
                cands.extend(f"{c} > {tag}" for c in named)
    css, _ = _choose(learn_arts, dict.fromkeys(cands), date_judge, date_lines)
    art_data["date_published"] = [css] if css else []
    printed = ("region-text", "meta", "json-ld", "time", "time-text")
    if not css and not any(
        art.ladder.fallbacks.get("datePublished") in printed for art in learn_arts
    ):
        # no page prints its date (htmldate guessed, or nothing): the listing's is taken
        art_data["date_on_page"] = False

    # lead --------------------------------------------------------------------------
    def lead_wanted(art: _Art) -> str | None:
        if art.ladder.fallbacks.get("description") not in ("class", "region-text"):
            return None  # not printed apart on the page
        return art.ladder.fields.get("description")

    def lead_judge(art: _Art, css: str) -> bool | None:
        want = lead_wanted(art)
        found = select(art.root, css)
        if not want:
            return False if found else None
        return bool(found) and _lead_match(node_text(found[0]), want)

    cands = []
    for art in learn_arts:
        want = lead_wanted(art)
        if want:
            els = _text_elements(art.root, want)[:3] or _lead_elements(art.root, want)[:3]
            for el in els:
                cands.extend(selector_candidates(el))
    css, _ = _choose(learn_arts, dict.fromkeys(cands), lead_judge)
    art_data["description"] = [css] if css else []

    # content -----------------------------------------------------------------------
    _learn_content(data, learn_arts)
    if art_data["content"]:
        _learn_images(data, learn_arts)

    # authors -----------------------------------------------------------------------
    _learn_authors(data, learn_arts)
    if not data["article"]["byline"]:
        _discover_byline(data, learn_arts)
    if art_data["content"]:
        art_data["remove"] = list(BASE_REMOVE) + _learn_remove(data, learn_arts)

    # attachments, breadcrumbs, banner ------------------------------------------------
    _learn_links(data, learn_arts, generic)
    _learn_banner(data, learn_arts, generic)

    profile = _profile(data)
    for fld in ARTICLE_FIELDS:
        coverage[fld] = _article_coverage(fld, data, profile, learn_arts, held_arts)

    # listings ----------------------------------------------------------------------
    lst_learn, lst_held = split(list(listings))
    _learn_listing(data, lst_learn, generic)
    profile = _profile(data)
    for fld in LISTING_FIELDS:
        coverage[fld] = _listing_coverage(fld, data, profile, lst_learn, lst_held)

    toml = dump_profile(data)
    profile = profile_from_dict(tomllib.loads(toml), source="learned")
    return LearnResult(profile, toml, [coverage[k] for k in (*ARTICLE_FIELDS, *LISTING_FIELDS)])
