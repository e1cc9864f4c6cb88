"""Category listing pages: article entries, pagination, category title, banner site name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from functools import cached_property
from urllib.parse import urlsplit

from lxml import etree
from parsel import Selector

from danvan_crawler.dates import ParsedDate, parse_date
from danvan_crawler.extract.common import banner_site_name, canon, meta, node_text
from danvan_crawler.extract.navigation import (
    CategoryLink,
    SubSiteLink,
    category_page_number,
    category_url,
    find_article_links,
    find_categories,
    find_subsites,
    page_root,
    url_facts,
)
from danvan_crawler.extract.selectors import first_match
from danvan_crawler.profile import SiteProfile
from danvan_crawler.urls import canonical_url, set_query

__all__ = ["ListingEntry", "ListingPage"]


@dataclass(frozen=True)
class ListingEntry:
    url: str  # canonical article URL
    article_id: str
    title: str
    #: the listing's time for the entry (the article's last update), when printed
    updated: datetime | None = None
    updated_raw: str | None = None
    #: the lead printed under the entry (``[listing] item_lead``), when there is one
    lead: str | None = None


@dataclass
class ListingPage:
    """One page of a category listing. ``fallbacks`` names what generic rules were used."""

    html: str | bytes
    url: str
    profile: SiteProfile
    fallbacks: dict[str, str] = field(default_factory=dict)

    @cached_property
    def root(self) -> etree._Element:
        """The page's parsed tree (queried with compiled XPath, no selector objects)."""
        return page_root(self.html)

    @cached_property
    def sel(self) -> Selector:
        """A parsel selector over :attr:`root`."""
        return Selector(root=self.root, type="html")

    @cached_property
    def page_url(self) -> str:
        return canonical_url(
            self.url,
            self.profile.base_url,
            tracking_params=self.profile.tracking_params,
            same_site_hosts=self.profile.hosts,
        )

    @cached_property
    def category_url(self) -> str:
        """Canonical URL of page 1 of this category."""
        return category_url(self.page_url, self.profile)

    @cached_property
    def category_slug(self) -> str:
        match = self.profile.category_re.match(urlsplit(self.category_url).path)
        return match.group("slug") if match else ""

    @cached_property
    def page_number(self) -> int:
        return category_page_number(self.page_url, self.profile)

    @cached_property
    def title(self) -> str | None:
        """The category name as printed on the page."""
        found = first_match(self.root, self.profile.listing.title)
        if found:
            return node_text(found[0]) or None
        title = meta(self.root, "og:title") or text_of_title(self.root, self.profile)
        if title:
            self.fallbacks["category_title"] = "title"
        return title

    @cached_property
    def site_name(self) -> str | None:
        """The (sub-)site named by the banner."""
        name = banner_site_name(self.root, self.profile)
        if name is None:
            name = banner_site_name(self.root, self.profile, anywhere=True)
            if name:
                self.fallbacks["category_subsite"] = "banner-alt"
        return name

    @cached_property
    def entries(self) -> list[ListingEntry]:
        """The articles listed on this page, in page order, one per article id."""
        listing = self.profile.listing
        items = first_match(self.root, listing.item)
        out: dict[str, ListingEntry] = {}
        if items:
            for item in items:
                if not isinstance(item, etree._Element):
                    continue  # a text match holds no link
                links = find_article_links(
                    first_match(item, listing.item_link) or item, self.page_url, self.profile
                )
                if not links:
                    continue
                link = links[0]
                when = first_match(item, listing.item_time)
                raw = node_text(when[0]) if when else None
                parsed = parse_date(raw, self.profile.date_patterns, self.profile.timezone)
                if link.article_id not in out:
                    lead = first_match(item, listing.item_lead) if listing.item_lead else []
                    out[link.article_id] = ListingEntry(
                        link.url,
                        link.article_id,
                        link.text,
                        parsed.value if parsed else None,
                        parsed.raw if parsed else raw,
                        (node_text(lead[0]) or None) if lead else None,
                    )
            return list(out.values())
        scope = first_match(self.root, listing.scope)
        where = scope[0] if scope else self.root
        links = (
            find_article_links(where, self.page_url, self.profile)
            if isinstance(where, etree._Element)
            else []
        )
        if listing.item and scope and not links:
            # the profile's list is there and lists nothing: a category without articles,
            # not a markup the selectors miss
            return []
        self.fallbacks["listing_entries"] = "scope" if scope else "page"
        dates = self._entry_dates(where) if isinstance(where, etree._Element) else {}
        for link in links:
            parsed = dates.get(link.article_id)
            out.setdefault(
                link.article_id,
                ListingEntry(
                    link.url,
                    link.article_id,
                    link.text,
                    parsed.value if parsed else None,
                    parsed.raw if parsed else None,
                ),
            )
        if any(entry.updated for entry in out.values()):
            self.fallbacks["listing_dates"] = "entry-text"
        return list(out.values())

    def _entry_dates(self, where: etree._Element) -> dict[str, ParsedDate]:
        """The date printed in each article link's own entry, when the profile's item
        selectors miss: the smallest element around the link (a few levels up) that
        links to no other article, read outside its links (a headline may hold numbers)."""
        ids: dict[etree._Element, str] = {}
        for a in _A_HREF_XPATH(where):
            kind, _, _, aid = url_facts(
                canon(self.profile, a.get("href", ""), self.page_url), self.profile
            )
            if kind == "article" and aid:
                ids[a] = aid
        found: dict[str, ParsedDate] = {}
        for a, aid in ids.items():
            known = found.get(aid)
            if known is not None and known.value.time() != _MIDNIGHT:
                continue  # (a dated column may list it too, by its day only)
            node = a.getparent()
            for _ in range(_ENTRY_LEVELS):
                if node is None or node.tag in ("body", "html"):
                    break
                if any(ids.get(x, aid) != aid for x in _A_HREF_XPATH(node)):
                    break  # the node holds other articles' links: a list, not an entry
                texts = [t for t in _LOOSE_TEXT_XPATH(node) if isinstance(t, str) and t.strip()]
                parsed = parse_date(
                    " | ".join(texts), self.profile.date_patterns, self.profile.timezone
                )
                if parsed:
                    if known is None or parsed.value.date() == known.value.date():
                        found[aid] = parsed
                    break
                node = node.getparent()
        return found

    @cached_property
    def page_urls(self) -> list[str]:
        """Canonical URLs of the other pages of this category linked from this page, in
        page-number order (found by URL pattern anywhere on the page)."""
        pages: dict[int, str] = {}
        for a_href in _HREFS_XPATH(self.root):
            kind, first_page, number, _ = url_facts(
                canon(self.profile, a_href, self.page_url), self.profile
            )
            if kind != "category" or first_page != self.category_url:
                continue
            if number != self.page_number and number not in pages:
                pages[number] = self.category_page(number)
        return [pages[k] for k in sorted(pages)]

    def category_page(self, number: int) -> str:
        """Canonical URL of page ``number`` of this category."""
        return set_query(
            self.category_url, **{self.profile.page_param: str(number) if number > 1 else None}
        )

    @cached_property
    def categories(self) -> list[CategoryLink]:
        return find_categories(self.root, self.page_url, self.profile)

    @cached_property
    def subsites(self) -> list[SubSiteLink]:
        return find_subsites(self.root, self.page_url, self.profile)


_HREFS_XPATH = etree.XPath("//a/@href", smart_strings=False)
_A_HREF_XPATH = etree.XPath("descendant-or-self::a[@href]")
#: text of an element that is not inside a link, script or style
_LOOSE_TEXT_XPATH = etree.XPath(
    "descendant::text()[not(ancestor::a or ancestor::script or ancestor::style)]",
    smart_strings=False,
)
_MIDNIGHT = time(0, 0)
#: levels above an article link searched for its entry's date
_ENTRY_LEVELS = 4
_TITLE_XPATH = etree.XPath("//title")


def text_of_title(sel: Selector | etree._Element, profile: SiteProfile) -> str | None:
    """``<title>`` without the site-name suffix."""
    title = _TITLE_XPATH(sel.root if isinstance(sel, Selector) else sel)
    if not title:
        return None
    text = profile.article.title_suffix.sub("", node_text(title[0]))
    return text or None
