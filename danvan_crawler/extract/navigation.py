"""Category and sub-site discovery from any page, by URL pattern (not by markup).

A redesign of the menu cannot blind the crawler: every ``<a href>`` on the page is
canonicalized and matched against the profile's URL regexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from parsel import Selector, SelectorList

from danvan_crawler.extract.common import canon, node_text
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.profile import SiteProfile
from danvan_crawler.urls import article_id, set_query

__all__ = [
    "ArticleLink",
    "CategoryLink",
    "SubSiteLink",
    "category_page_number",
    "classify",
    "find_article_links",
    "find_categories",
    "find_subsites",
]


@dataclass(frozen=True)
class CategoryLink:
    url: str  # canonical URL of the listing's page 1
    slug: str
    name: str  # link text as printed (may be empty)


@dataclass(frozen=True)
class SubSiteLink:
    url: str  # canonical URL of the sub-site home
    slug: str
    name: str
    #: Canonical URLs of the category links listed with it (same menu item), if any: when
    #: not empty, the home page already lists the sub-site's categories.
    category_urls: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ArticleLink:
    url: str  # canonical
    article_id: str
    text: str


Page: TypeAlias = etree._Element | Selector | SelectorList[Selector] | list[Any] | str | bytes


def page_root(html: str | bytes) -> etree._Element:
    """The tree of ``html`` (plain lxml elements, see :func:`parse_html`), shared by the
    read-only page functions here and :class:`~danvan_crawler.extract.ListingPage`: the
    last page parsed is kept, so a listing page and the category and sub-site links of
    that same text (one ``response.text`` object) are one parse."""
    last = _last_parsed[0] if _last_parsed else None  # (read once: the pair stays whole)
    if last is not None and last[0] is html:
        return last[1]
    root = parse_html(html, html_elements=False)
    _last_parsed[:] = [(html, root)]
    return root


#: [(text, tree)] of the last page :func:`page_root` parsed (by identity of the text)
_last_parsed: list[tuple[str | bytes, etree._Element]] = []


def _nodes(page: Page) -> list[etree._Element]:
    """The elements to search: the page's root, or a selector's or a list's elements (a
    text or attribute match is no element and holds no link, as with parsel)."""
    if isinstance(page, str | bytes):
        return [page_root(page)]
    if isinstance(page, etree._Element):
        return [page]
    if isinstance(page, Selector):
        roots: list[Any] = [page.root]
    else:  # a SelectorList, or a list of lxml results (elements, strings)
        roots = [n.root if isinstance(n, Selector) else n for n in page]
    return [r for r in roots if isinstance(r, etree._Element)]


def classify(url: str, profile: SiteProfile) -> str | None:
    """``article``, ``category``, ``subsite``, ``home`` or ``None`` for a canonical URL."""
    return url_facts(url, profile)[0]


#: kind, category page-1 URL, page number, article id (see :func:`url_facts`)
_Facts = tuple[str | None, str, int, str | None]


def url_facts(url: str, profile: SiteProfile) -> _Facts:
    """What a canonical URL is (:func:`classify`), with, for a category, its page-1 URL
    (:func:`category_url`) and page number (:func:`category_page_number`) (``""`` and 1
    for another kind), and for an article its id (:func:`article_id`, else None).
    Remembered per profile: a crawl sees the same menus and pagers on every page."""
    cache = _url_cache(profile)
    facts = cache.get(url)
    if facts is None:
        kind = _classify(url, profile)
        if kind == "category":
            page = category_page_number(url, profile)
            facts = (kind, category_url(url, profile), page, None)
        elif kind == "article":
            facts = (kind, "", 1, article_id(url, profile.article_id_re))
        else:
            facts = (kind, "", 1, None)
        if len(cache) >= _URL_CACHE_SIZE:
            cache.clear()
        cache[url] = facts
    return facts


def _url_cache(profile: SiteProfile) -> dict[str, _Facts]:
    """The :func:`url_facts` of ``profile`` (by identity: the profile is held, so its id
    is not another's)."""
    entry = _URL_CACHES.get(id(profile))
    if entry is None or entry[0] is not profile:
        if len(_URL_CACHES) >= _PROFILES_CACHED:
            _URL_CACHES.clear()
        entry = _URL_CACHES[id(profile)] = (profile, {})
    return entry[1]


_URL_CACHES: dict[int, tuple[SiteProfile, dict[str, _Facts]]] = {}
_PROFILES_CACHED = 16
_URL_CACHE_SIZE = 4096


def _classify(url: str, profile: SiteProfile) -> str | None:
    """:func:`classify`, computed."""
    if not profile.is_same_site(url):
        return None
    path = urlsplit(url).path
    if profile.article_re.match(path):
        return "article"
    if profile.category_re.match(path):
        return "category"
    if profile.subsite_home_re.match(path):
        return "subsite"
    if profile.home_re.match(path):
        return "home"
    return None


def category_page_number(url: str, profile: SiteProfile) -> int:
    """The listing page number in ``url`` (1 when absent or not a number)."""
    for key, value in parse_qsl(urlsplit(url).query):
        if key == profile.page_param:
            try:
                return max(1, int(value))
            except ValueError:
                return 1
    return 1


def category_url(url: str, profile: SiteProfile) -> str:
    """Canonical URL of the category's page 1 (pagination parameter removed)."""
    return set_query(url, **{profile.page_param: None})


def _links(
    root: etree._Element, page_url: str, profile: SiteProfile
) -> list[tuple[str, etree._Element]]:
    out = []
    for a in _A_HREF_XPATH(root):
        href = a.get("href", "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        out.append((canon(profile, href, page_url), a))
    return out


_A_HREF_XPATH = etree.XPath("//a[@href]")
_OWN_A_HREF_XPATH = etree.XPath("descendant-or-self::a[@href]")
_DESCENDANT_A_HREF_XPATH = etree.XPath(".//a[@href]")
_DESCENDANT_HREFS_XPATH = etree.XPath(".//a/@href", smart_strings=False)


def find_categories(page: Page, page_url: str, profile: SiteProfile) -> list[CategoryLink]:
    """Every category linked from the page (page 1 URLs), in order of first appearance."""
    found: dict[str, CategoryLink] = {}
    for root in _nodes(page)[:1]:
        for url, a in _links(root, page_url, profile):
            kind, first_page, _, _ = url_facts(url, profile)
            if kind != "category":
                continue
            name = node_text(a)
            known = found.get(first_page)
            if known is None or (not known.name and name):
                match = profile.category_re.match(urlsplit(first_page).path)
                slug = match.group("slug") if match else ""
                found[first_page] = CategoryLink(first_page, slug, name)
    return list(found.values())


def find_subsites(page: Page, page_url: str, profile: SiteProfile) -> list[SubSiteLink]:
    """Every sub-site home linked from the page, with the category links listed in the
    same menu item (see :func:`_nested_categories`)."""
    found: dict[str, SubSiteLink] = {}
    for root in _nodes(page)[:1]:
        for url, a in _links(root, page_url, profile):
            if classify(url, profile) != "subsite":
                continue
            match = profile.subsite_home_re.match(urlsplit(url).path)
            slug = match.group("slug") if match else ""
            nested = _nested_categories(a, page_url, profile)
            known = found.get(url)
            merged = tuple(dict.fromkeys((*(known.category_urls if known else ()), *nested)))
            name = (known.name if known else "") or node_text(a)
            found[url] = SubSiteLink(url, slug, name, merged)
    return list(found.values())


def _nested_categories(a: etree._Element, page_url: str, profile: SiteProfile) -> list[str]:
    """Category links listed in the same menu item as the sub-site link ``a``: the link's
    parent (or grandparent when the parent holds the link alone), when that element starts
    with the sub-site link and links nothing but categories after it (a whole menu or page
    does not qualify)."""
    item = a.getparent()
    if item is not None and len(_DESCENDANT_A_HREF_XPATH(item)) <= 1:
        item = item.getparent()
    if item is None:
        return []
    own = canon(profile, a.get("href", ""), page_url)
    urls = [canon(profile, href, page_url) for href in _DESCENDANT_HREFS_XPATH(item)]
    if not urls or urls[0] != own:
        return []
    nested: list[str] = []
    for child in urls[1:]:
        kind, first_page, _, _ = url_facts(child, profile)
        if kind != "category":
            return []
        nested.append(first_page)
    return nested


def find_article_links(page: Page, page_url: str, profile: SiteProfile) -> list[ArticleLink]:
    """Every article linked from the page (or from the given elements' or selectors'
    subtrees), one per article id, in order of first appearance."""
    found: dict[str, ArticleLink] = {}
    for node in _nodes(page):
        for a in _OWN_A_HREF_XPATH(node):
            href = a.get("href", "").strip()
            if not href:
                continue
            url = canon(profile, href, page_url)
            kind, _, _, aid = url_facts(url, profile)
            if kind != "article":
                continue
            if aid and aid not in found:
                found[aid] = ArticleLink(url, aid, node_text(a))
            elif aid and not found[aid].text:
                found[aid] = ArticleLink(found[aid].url, aid, node_text(a))
    return list(found.values())
