"""Category and sub-site discovery from any page, by URL pattern (not by markup).

A redesign of the menu cannot blind the crawler: every ``<a href>`` on the page is
canonicalized and matched against the profile's URL regexes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector, SelectorList

from danvan_crawler.extract.common import canon, make_selector, text_of
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


def _selector(
    page: Selector | SelectorList[Selector] | str | bytes,
) -> Selector | SelectorList[Selector]:
    return page if isinstance(page, Selector | SelectorList) else make_selector(page)


def classify(url: str, profile: SiteProfile) -> str | None:
    """``article``, ``category``, ``subsite``, ``home`` or ``None`` for a canonical URL."""
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


def _links(sel: Selector, page_url: str, profile: SiteProfile) -> list[tuple[str, Selector]]:
    out = []
    for a in sel.xpath("//a[@href]"):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
            continue
        out.append((canon(profile, href, page_url), a))
    return out


def find_categories(
    page: Selector | str | bytes, page_url: str, profile: SiteProfile
) -> list[CategoryLink]:
    """Every category linked from the page (page 1 URLs), in order of first appearance."""
    sel = _selector(page)
    found: dict[str, CategoryLink] = {}
    for url, a in _links(sel, page_url, profile):
        if classify(url, profile) != "category":
            continue
        first_page = category_url(url, profile)
        name = text_of(a)
        known = found.get(first_page)
        if known is None or (not known.name and name):
            match = profile.category_re.match(urlsplit(first_page).path)
            slug = match.group("slug") if match else ""
            found[first_page] = CategoryLink(first_page, slug, name)
    return list(found.values())


def find_subsites(
    page: Selector | str | bytes, page_url: str, profile: SiteProfile
) -> list[SubSiteLink]:
    """Every sub-site home linked from the page, with the category links listed in the
    same menu item (see :func:`_nested_categories`)."""
    sel = _selector(page)
    found: dict[str, SubSiteLink] = {}
    for url, a in _links(sel, page_url, profile):
        if classify(url, profile) != "subsite":
            continue
        match = profile.subsite_home_re.match(urlsplit(url).path)
        slug = match.group("slug") if match else ""
        nested = _nested_categories(a, page_url, profile)
        known = found.get(url)
        merged = tuple(dict.fromkeys((*(known.category_urls if known else ()), *nested)))
        found[url] = SubSiteLink(url, slug, (known.name if known else "") or text_of(a), merged)
    return list(found.values())


def _nested_categories(a: Selector, page_url: str, profile: SiteProfile) -> list[str]:
    """Category links listed in the same menu item as the sub-site link ``a``: the link's
    parent (or grandparent when the parent holds the link alone), when that element starts
    with the sub-site link and links nothing but categories after it (a whole menu or page
    does not qualify)."""
    item = a.xpath("..")
    if item and len(item[0].xpath(".//a[@href]")) <= 1:
        item = item[0].xpath("..")
    if not item:
        return []
    own = canon(profile, a.attrib.get("href", ""), page_url)
    urls = [canon(profile, href, page_url) for href in item[0].xpath(".//a/@href").getall()]
    if not urls or urls[0] != own:
        return []
    nested: list[str] = []
    for child in urls[1:]:
        if classify(child, profile) != "category":
            return []
        nested.append(category_url(child, profile))
    return nested


def find_article_links(
    page: Selector | SelectorList[Selector] | str | bytes, page_url: str, profile: SiteProfile
) -> list[ArticleLink]:
    """Every article linked from the page (or from the given selector's subtree), one per
    article id, in order of first appearance."""
    sel = _selector(page)
    found: dict[str, ArticleLink] = {}
    for a in sel.xpath("descendant-or-self::a[@href]"):
        href = a.attrib.get("href", "").strip()
        if not href:
            continue
        url = canon(profile, href, page_url)
        if classify(url, profile) != "article":
            continue
        aid = article_id(url, profile.article_id_re)
        if aid and aid not in found:
            found[aid] = ArticleLink(url, aid, text_of(a))
        elif aid and not found[aid].text:
            found[aid] = ArticleLink(found[aid].url, aid, text_of(a))
    return list(found.values())
