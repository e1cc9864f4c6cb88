"""Which categories a crawl covers and what it calls them: ``DANVAN_CATEGORIES``
(restrict), ``DANVAN_CATEGORY_OVERRIDES`` (names, sub-sites, categories to start from),
``DANVAN_VISIT_SUBSITES`` (when a sub-site home is worth a request)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from danvan_crawler.extract.navigation import CategoryLink, SubSiteLink, classify
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_text
from danvan_crawler.urls import canonical_url


@dataclass
class CategoryInfo:
    """A category being crawled; ``as_item()`` is its entry in ``Article.categories``."""

    url: str
    slug: str
    name: str | None = None  # as printed on its listing page (or an override)
    sub_site: str | None = None  # named by its listing page's banner (or an override)
    link_text: str = ""  # text of the link that led to it
    pages_seen: set[str] = field(default_factory=set)

    def as_item(self) -> dict[str, Any]:
        return {
            "name": self.name or self.link_text or self.slug,
            "url": self.url,
            "slug": self.slug,
            "subSite": self.sub_site,
        }


class CategoryRules:
    """The settings' say on categories and sub-sites, for one site's profile."""

    def __init__(self, profile: SiteProfile, settings: BaseSettings) -> None:
        self.profile = profile
        self.restrict = {self.key(v) for v in settings.getlist("DANVAN_CATEGORIES") if v}
        self.overrides = {
            self.key(k): ({"name": v} if isinstance(v, str) else dict(v))
            for k, v in settings.getdict("DANVAN_CATEGORY_OVERRIDES").items()
        }
        self.visit_subsites = (settings.get("DANVAN_VISIT_SUBSITES") or "auto").lower()
        self.subsites_seen: set[str] = set()
        #: sub-sites whose categories a page already listed with the sub-site link
        self.subsites_covered: set[str] = set()

    def canon(self, url: str) -> str:
        return canonical_url(
            url,
            self.profile.base_url,
            tracking_params=self.profile.tracking_params,
            same_site_hosts=self.profile.hosts,
        )

    def key(self, value: str) -> str:
        """Slug, or canonical URL when ``value`` looks like a URL or a path."""
        value = str(value).strip()
        if "/" in value:
            return self.canon(value)
        return value

    def slug_of(self, url: str) -> str:
        match = self.profile.category_re.match(urlsplit(url).path)
        return match.group("slug") if match else url

    def covers(self, link: CategoryLink) -> bool:
        """Whether the crawl covers this category (``DANVAN_CATEGORIES`` restricts it)."""
        if not self.restrict:
            return True
        return link.slug in self.restrict or link.url in self.restrict

    def info(self, link: CategoryLink) -> CategoryInfo:
        """What is known of a category from its link and ``DANVAN_CATEGORY_OVERRIDES``."""
        override = self.overrides.get(link.url) or self.overrides.get(link.slug) or {}
        return CategoryInfo(
            url=link.url,
            slug=link.slug,
            name=_clean(override.get("name")),
            sub_site=_clean(override.get("subSite")),
            link_text=link.name,
        )

    def named_links(self) -> list[CategoryLink]:
        """The categories the overrides name by URL: crawled even when no page links them."""
        return [
            CategoryLink(key, self.slug_of(key), "")
            for key in self.overrides
            if key.startswith(("http://", "https://")) and classify(key, self.profile)
        ]

    def visit_subsite(self, link: SubSiteLink) -> bool:
        """Whether to visit a sub-site home to discover its categories. ``auto``: only when
        the linking page does not list the sub-site's categories with it (the home menu
        normally does, so a no-change run never needs sub-site homes)."""
        if link.category_urls:
            self.subsites_covered.add(link.url)
        if link.url in self.subsites_seen or self.visit_subsites == "never":
            return False
        if self.visit_subsites == "always":
            return True
        return link.url not in self.subsites_covered


def _clean(value: Any) -> str | None:
    """An override as stored: the configuration's text cleaned as page text is."""
    return (clean_text(value) or None) if isinstance(value, str) else None
