"""Where the ``portal`` spider keeps its per-run state, chosen by ``DANVAN_CRAWL_STATE``.

``local`` (:class:`LocalCrawl`): one process, state in memory, the incremental
bookkeeping of ``extensions.incremental``, article requests fed a window at a time.
``redis`` (``distributed.state.RedisCrawl``): workers share one crawl in Redis. The
spider decides what a page leads to; its :class:`CrawlState` decides what is listed,
which articles to fetch and when, and when the crawl is over.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import load_object

from danvan_crawler.extensions.incremental import IncrementalExtension
from danvan_crawler.extract import ListingPage
from danvan_crawler.extract.navigation import CategoryLink
from danvan_crawler.spiders.feed import ARTICLE_WINDOW, ArticleFeed

if TYPE_CHECKING:
    from danvan_crawler.spiders.portal import PortalSpider

logger = logging.getLogger(__name__)

#: ``DANVAN_CRAWL_STATE`` values (by import path: the spiders do not import
#: ``distributed``, which sits above them)
CRAWL_STATES = {
    "local": "danvan_crawler.spiders.state.LocalCrawl",
    "redis": "danvan_crawler.distributed.state.RedisCrawl",
}


class CrawlState(Protocol):
    """The per-run state of a crawl, as the spider uses it."""

    #: True in the one process that finished the crawl and may publish
    finished_crawl: bool

    def first_requests(self) -> Iterator[Request]: ...

    def listing_seen(self, listing: ListingPage) -> None: ...

    def home_not_modified(self) -> Iterator[Request]: ...

    def idle(self) -> None: ...

    def cut_after_retries(self, item: Any, response: Response) -> bool: ...


def crawl_state(spider: PortalSpider, crawler: Crawler) -> CrawlState:
    """The :class:`CrawlState` the settings name, attached to ``spider``."""
    name = crawler.settings.get("DANVAN_CRAWL_STATE") or "local"
    if name not in CRAWL_STATES:
        raise NotConfigured(f"DANVAN_CRAWL_STATE: {name!r} is not one of {sorted(CRAWL_STATES)}")
    state: CrawlState = load_object(CRAWL_STATES[name])(spider, crawler)
    return state


class LocalCrawl:
    """One process (see the module doc)."""

    finished_crawl = False

    def __init__(self, spider: PortalSpider, crawler: Crawler) -> None:
        self.spider = spider
        self.listing_done = False
        window = max(2, crawler.settings.getint("DANVAN_ARTICLE_WINDOW", ARTICLE_WINDOW))
        #: the article requests, handed to the scheduler a window at a time
        self.feed = ArticleFeed(crawler, window)
        for signal in (signals.request_reached_downloader, signals.request_dropped):
            crawler.signals.connect(self.feed.left_scheduler, signal=signal)
        # the incremental bookkeeping (``DANVAN_INCREMENTAL``, default on), once the
        # spider opens (the extensions exist then)
        if not crawler.settings.getbool("DANVAN_INCREMENTAL", True):
            logger.info("incremental crawling off: every page is fetched")
            return
        crawler.signals.connect(self.open_incremental, signal=signals.spider_opened)

    def open_incremental(self) -> None:
        crawler = self.spider.crawler
        extension = crawler.get_extension(IncrementalExtension)
        if extension is None:
            raise NotConfigured(
                "incremental crawling needs danvan_crawler.extensions.IncrementalExtension "
                "in EXTENSIONS (or DANVAN_INCREMENTAL = False)"
            )
        self.spider.inc = extension.attach()
        for signal in (signals.item_scraped, signals.item_dropped):
            crawler.signals.connect(self.article_finished, signal=signal)

    def article_finished(self, item: Any, response: Response | None = None) -> None:
        """``item_scraped`` / ``item_dropped``: the item took the article's categories."""
        article_id = response.meta.get("danvan_article_id") if response is not None else None
        if article_id:
            self.spider.listings.forget(article_id)

    def first_requests(self) -> Iterator[Request]:
        return self.spider.seed_requests()

    def listing_seen(self, listing: ListingPage) -> None:
        pass

    def home_not_modified(self) -> Iterator[Request]:
        """Page 1 of each category of the last finished run (the home page is unchanged)."""
        spider, inc = self.spider, self.spider.inc
        assert inc is not None
        urls = inc.home_not_modified()
        stored = inc.stored_categories()
        for url in urls:
            known = stored.get(url) or {}
            slug = known.get("slug") or spider.rules.slug_of(url)
            link = CategoryLink(url, slug, known.get("name") or "")
            request = spider.follow_category(link)
            if request is not None:
                info = spider.categories[url]
                if info.sub_site is None and known.get("subSite"):
                    info.sub_site = known["subSite"]
                yield request

    def article_requests(self) -> Iterator[Request]:
        """The article requests, once the listing phase is over: one per article id,
        newest first. Handed to the scheduler a window at a time (``spiders.feed``), in
        chunks of one priority each, decreasing: the scheduler keeps the order.
        Incremental: only unknown articles and those whose listing entry changed
        (``--refresh``: all)."""
        spider, inc = self.spider, self.spider.inc
        chunk = max(1, self.feed.window // 2)
        for rank, article_id, url, hint in spider.listings.take():
            if inc is None or inc.should_fetch(article_id):
                spider._stat("articles/requested")
                request = spider.article_request(article_id, url, -(rank // chunk), hint)
                # one request per article id by construction: no fingerprint to compute
                # and keep (for the whole crawl) in the duplicate filter
                request.dont_filter = True
                yield request
            else:
                spider._stat("articles/skipped")
                if inc.needs_merge(article_id):
                    inc.merge_known(article_id, spider.categories_of(article_id))

    def idle(self) -> None:
        """The listing phase is over when the spider first goes idle: request articles
        (lazily, see ``spiders.feed``). Idle again with articles left: feed more."""
        if not self.listing_done:
            self.listing_done = True
            spider = self.spider
            logger.info(
                "listing phase done: %d categories, %d listing pages, %d articles listed",
                len(spider.categories),
                len(spider.listing_pages_seen),
                len(spider.listings),
            )
            self.feed.requests = self.article_requests()
        # Idle: nothing waits in the scheduler (a request dropped unseen, e.g. by
        # robots.txt, may have left the count behind).
        self.feed.waiting = 0
        if self.feed.feed():
            raise DontCloseSpider

    def cut_after_retries(self, item: Any, response: Response) -> bool:
        """Without the incremental bookkeeping every run fetches every page: the item
        goes on."""
        inc = self.spider.inc
        return inc.cut_after_retries(item, response) if inc is not None else False
