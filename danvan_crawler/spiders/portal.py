"""The ``portal`` spider: decides what to fetch next, nothing else.

``scrapy crawl portal -a site=URL`` / ``danvan crawl --site URL``.

1. Home page: categories and sub-site homes are discovered from links by URL pattern
   (``extract.navigation``); sub-site homes are visited only when needed
   (``spiders.categories``).
2. Every category's listing pages, through pagination (``should_follow_page``); each
   article id seen in a listing is remembered with every category that listed it.
3. When the listing phase is over (the spider is idle), each article is requested once,
   by canonical URL (``should_fetch_article``); its item carries all its categories.

Incremental by default (``danvan_crawler.incremental``, state in the store): the home and
listing pages are requested conditionally, paging stops at known, unchanged articles,
known article pages are not fetched again unless their listing entry changed;
``DANVAN_FULL`` walks every listing page, ``DANVAN_REFRESH`` refetches every article,
``DANVAN_INCREMENTAL = False`` turns it all off (no store reads).

What is listed, which articles to fetch and when the crawl is over are its ``state``'s
(``spiders.state``, ``DANVAN_CRAWL_STATE``): this process, or Redis shared by workers.

Extraction is the page objects' business (``danvan_crawler.extract``); fallbacks they
use are counted in stats as ``danvan/extract/fallback/<field>``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings

from danvan_crawler.extensions.incremental import IncrementalExtension
from danvan_crawler.extract import ListingPage, find_categories, find_subsites
from danvan_crawler.extract.navigation import CategoryLink, SubSiteLink
from danvan_crawler.extract.truncation import ListingHint
from danvan_crawler.items import Article
from danvan_crawler.profile import DEFAULT_PROFILE, SiteProfile, load_profile
from danvan_crawler.resilience import (
    CATEGORY_META,
    CUT_META,
    DIAGNOSTICS_META,
    LISTING_IDS_META,
    LISTING_META,
    Diagnostics,
    retry_cut_page,
)
from danvan_crawler.spiders.articles import ArticleReader
from danvan_crawler.spiders.categories import CategoryInfo, CategoryRules
from danvan_crawler.spiders.failures import PageFailures
from danvan_crawler.spiders.fetching import (
    ListingLayout,
    conditional,
)
from danvan_crawler.spiders.listings import CrawlListings, Listings
from danvan_crawler.spiders.state import CrawlState, crawl_state
from danvan_crawler.urls import is_loopback_url

logger = logging.getLogger(__name__)

__all__ = ["CategoryInfo", "PortalSpider", "is_loopback_url"]

STATS_PREFIX = "danvan/"


class PortalSpider(PageFailures, scrapy.Spider):
    name = "portal"

    def __init__(self, site: str | None = None, profile: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # One bound method per callback for every request: Scrapy caches its check of a
        # generator callback's source by weak reference to the callback object.
        self._on_home = self.parse_home
        self._on_listing = self.parse_listing
        self._on_article = self.parse_article
        self.site_arg = site
        self.profile_arg = profile
        self.profile: SiteProfile
        self.categories: dict[str, CategoryInfo] = {}
        self.listing_pages_seen: set[str] = set()
        #: what the listings showed of each article, until its request is built
        self.listings: CrawlListings = Listings()
        #: the per-run state: local or shared (``DANVAN_CRAWL_STATE``)
        self.state: CrawlState
        #: the incremental bookkeeping (None: off; ``DANVAN_INCREMENTAL``)
        self.inc: IncrementalExtension | None = None
        self.listing_layout = ListingLayout()

    # -- set-up ---------------------------------------------------------------------------
    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler.settings)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        spider.state = crawl_state(spider, crawler)
        return spider

    def configure(self, settings: BaseSettings) -> None:
        """Read settings (politeness and the User-Agent are the add-on's:
        :class:`danvan_crawler.addons.Manners`)."""
        site = self.site_arg or settings.get("DANVAN_SITE_URL") or ""
        try:
            self.profile = load_profile(
                self.profile_arg or settings.get("DANVAN_PROFILE") or DEFAULT_PROFILE,
                base_url=site or None,
            ).with_tracking_params(settings.getlist("DANVAN_TRACKING_PARAMS"))
        except (ValueError, FileNotFoundError) as exc:
            raise NotConfigured(f"portal spider: {exc}") from exc
        self.site_url = self.profile.base_url
        self.allowed_domains = [self.profile.base_host]
        self.rules = CategoryRules(self.profile, settings)
        self.reader = ArticleReader(self.profile, self.timezone, self._stat)
        logger.info(
            "portal: site %s, profile %s, allowed domain %s",
            self.site_url,
            self.profile.source or self.profile.name,
            self.profile.base_host,
        )

    # -- helpers ----------------------------------------------------------------------------
    def _stat(self, key: str, count: int = 1) -> None:
        stats = getattr(getattr(self, "crawler", None), "stats", None)
        if stats is not None:  # `danvan seed` runs without a crawler
            stats.inc_value(STATS_PREFIX + key, count)

    # -- what to fetch next -----------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        for request in self.state.first_requests():
            yield request

    def seed_requests(self) -> Iterator[Request]:
        """The home page and the categories the overrides name."""
        yield self.home_request()
        for link in self.rules.named_links():
            request = self.follow_category(link)
            if request is not None:
                yield request

    def home_request(self) -> Request:
        home = self.profile.home_url
        headers = self.inc.home_headers(home) if self.inc is not None else {}
        meta: dict[str, Any] = {"danvan_home": True}
        return conditional(
            home, headers, meta, callback=self._on_home, errback=self.home_failed, priority=100
        )

    def should_follow_page(self, listing: ListingPage, page_url: str) -> bool:
        """Whether to fetch another page of a category listing. Incremental: in a category
        walked before, only the next page, and only while the stop rule says so; other
        categories (and ``--full``) are walked to the end."""
        if self.inc is None or not self.inc.stops_paging(listing.category_url):
            return True
        if not self.inc.should_continue(listing.page_url):
            return False
        return page_url == listing.category_page(listing.page_number + 1)

    def follow_category(self, link: CategoryLink) -> Request | None:
        """The request for page 1 of a category, or None (restricted, or already known)."""
        if link.url in self.categories or not self.rules.covers(link):
            return None
        info, new = self.listings.claim_category(self.rules.info(link))
        self.categories[link.url] = info
        if new:
            self._stat("categories")
        if self.inc is not None:
            self.inc.category_followed(link.url)
        return self.listing_request(link.url, info)

    def listing_request(self, url: str, info: CategoryInfo) -> Request | None:
        if url in self.listing_pages_seen:
            return None
        self.listing_pages_seen.add(url)
        headers = self.inc.listing_requested(info.url, url) if self.inc is not None else {}
        return conditional(
            url,
            headers,
            {"danvan_page_url": url, CATEGORY_META: info.url},
            callback=self._on_listing,
            errback=self.listing_failed,
            cb_kwargs={"category_url": info.url},
            priority=50,
        )

    def subsite_request(self, link: SubSiteLink) -> Request:
        self.rules.subsites_seen.add(link.url)
        self._stat("subsites")
        return Request(link.url, callback=self._on_home, priority=80)

    def article_request(
        self, article_id: str, url: str, priority: int = 0, listing: int | None = None
    ) -> Request:
        meta: dict[str, Any] = {"danvan_article_id": article_id, "danvan_url": url}
        if listing is not None:
            meta[LISTING_META] = listing
        headers = self.inc.article_requested(article_id, url) if self.inc is not None else {}
        return conditional(
            url,
            headers,
            meta,
            callback=self._on_article,
            errback=self.article_failed,
            cb_kwargs={"article_id": article_id},
            priority=priority,
        )

    def discover(self, response: Response) -> Iterator[Request]:
        """Category and sub-site requests for every link on the page (by URL pattern)."""
        if not isinstance(response, TextResponse):
            return
        for link in find_categories(response.text, response.url, self.profile):
            request = self.follow_category(link)
            if request is not None:
                yield request
        for sub in find_subsites(response.text, response.url, self.profile):
            if self.rules.visit_subsite(sub):
                yield self.subsite_request(sub)

    # -- callbacks ------------------------------------------------------------------------
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        yield from self.parse_home(response)

    def parse_home(self, response: Response) -> Iterator[Any]:
        """Home page or sub-site home: discovery only. A 304 home page: the categories of
        the last finished run."""
        is_home = bool(response.meta.get("danvan_home"))
        if is_home and self.inc is not None:
            if response.status == 304:
                yield from self.state.home_not_modified()
                return
            self.inc.home_answered(response)
        yield from self.discover(response)
        if is_home and self.inc is not None:
            self.inc.home_read()

    def parse_listing(self, response: Response, category_url: str) -> Iterator[Any]:
        if self.inc is not None:
            self.inc.listing_answered(category_url, not_modified=response.status == 304)
            if response.status == 304:
                return
        if not isinstance(response, TextResponse):
            if self.inc is not None:
                self.inc.listing_incomplete(category_url)
            return
        info = self.listed_category(category_url)
        listing = ListingPage(response.text, response.url, self.profile)
        self.state.listing_seen(listing)
        cut = self.listing_layout.cut_evidence(listing, response)
        if cut and response.request is not None:
            response.meta[CUT_META] = cut  # the layout alarm does not judge it
            retry = retry_cut_page(self.crawler, response.request, cut)
            if retry is not None:
                response.meta[LISTING_IDS_META] = []  # nothing read from this page
                if self.inc is not None:
                    self.inc.listing_retried(category_url)
                yield retry
                return
            # read what there is; the category is walked again, to the end, next run
            logger.warning("listing page still cut short after its retries: %s", response.url)
            if self.inc is not None:
                self.inc.listing_incomplete(category_url)
        response.meta[LISTING_IDS_META] = [e.article_id for e in listing.entries]
        self._stat("listing/pages")
        if self.inc is not None:
            self.inc.listing_read(
                info.url,
                response.meta.get("danvan_page_url") or listing.page_url,
                listing.page_url,
                listing.entries,
                response,
            )
        if info.name is None and listing.title:
            info.name = listing.title
        if info.sub_site is None and listing.site_name:
            info.sub_site = listing.site_name
        self.listings.save_category(info)
        for entry in listing.entries:
            if self.listings.note(entry.article_id, entry.url, info.url):
                self._stat("articles/listed")
            hint = ListingHint.from_entry(entry).pack()
            self.listings.note_hint(entry.article_id, hint, self.timezone)
        for page_url in listing.page_urls:
            if page_url not in self.listing_pages_seen and self.should_follow_page(
                listing, page_url
            ):
                request = self.listing_request(page_url, info)
                if request is not None:
                    yield request
        # read last: the page object notes a fallback when a field is first read
        response.meta[DIAGNOSTICS_META] = Diagnostics(frozenset(listing.fallbacks))
        for name in listing.fallbacks:
            self._stat(f"extract/fallback/{name}")
        if listing.page_number == 1:  # later pages repeat its menus
            yield from self.discover(response)

    def listed_category(self, url: str) -> CategoryInfo:
        """The category of a listing page (one another worker followed is read back)."""
        info = self.categories.get(url)
        if info is None:
            info = self.listings.category(url) or CategoryInfo(
                url=url, slug=self.rules.slug_of(url)
            )
            self.categories[url] = info
        return info

    def parse_article(self, response: Response, article_id: str) -> Iterator[Article]:
        if response.status == 304 and self.inc is not None:
            # Listed with a new signature, but the page did not change.
            url = response.meta.get("danvan_url") or response.url
            self.inc.article_not_modified(article_id, url, response, self.categories_of(article_id))
            return
        if not isinstance(response, TextResponse):
            return
        yield self.reader.read(response, article_id, self.categories_of, self.first_seen)

    def first_seen(self, article_id: str) -> datetime | None:
        """When the incremental bookkeeping first saw the article (None: off or never)."""
        if self.inc is None:
            return None
        seen = self.inc.first_seen(article_id)
        return seen if isinstance(seen, datetime) else None

    @cached_property
    def timezone(self) -> ZoneInfo:
        """The site's time zone (its profile's)."""
        return ZoneInfo(self.profile.timezone)

    def spider_idle(self) -> None:
        self.state.idle()

    @property
    def finished_crawl(self) -> bool:
        """This process finished the crawl (it may publish)."""
        return self.state.finished_crawl

    def cut_after_retries(self, item: Any, response: Response) -> bool:
        """The article page still looked cut short when its retries were spent (see
        ``ArticleCompleteness``): True holds the item back (the crawl state decides)."""
        return self.state.cut_after_retries(item, response)

    def categories_of(self, *article_ids: str) -> list[dict[str, Any]]:
        """Every category whose listing showed the article, sorted by URL."""
        return self.listings.category_items(self.categories, *article_ids)
