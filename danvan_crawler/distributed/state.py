"""The per-run state of a distributed crawl, in Redis (``DANVAN_CRAWL_STATE = "redis"``;
see the package doc)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, NoReturn

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import deferred_from_coro

from danvan_crawler.distributed.scheduler import RedisScheduler
from danvan_crawler.distributed.shared import (
    ARTICLES,
    DONE,
    LISTING,
    SCHEDULING,
    SharedListings,
    shared_crawl,
)
from danvan_crawler.extensions.incremental import CUT_STORED_META
from danvan_crawler.extensions.store import StoreExtension
from danvan_crawler.extract import ListingPage
from danvan_crawler.incremental import CUT_MAX_RUNS, listing_signature, next_cut_signature
from danvan_crawler.spiders.portal import PortalSpider
from danvan_crawler.store import Store

logger = logging.getLogger(__name__)

#: Distinct request priorities of article pages (newest band first): all of them are
#: scheduled at once.
ARTICLE_PRIORITY_BANDS = 20
#: How often an idle worker looks at the shared crawl again (seconds).
IDLE_POLL = 0.25


class RedisCrawl:
    """The ``portal`` spider's :class:`~danvan_crawler.spiders.state.CrawlState` in
    Redis, shared by every worker of the crawl."""

    #: True in the one worker that moved the crawl to ``done`` (it may publish).
    finished_crawl = False
    #: fetch only new and changed articles (``DANVAN_INCREMENTAL`` and not ``--refresh``)
    skip_known = False
    #: This worker saw the crawl running (a worker started after ``done`` waits for the
    #: next seed instead of exiting at once).
    took_part = False
    #: an idle worker's next look at the shared crawl is due
    _polling = False

    def __init__(self, spider: PortalSpider, crawler: Crawler) -> None:
        self.spider = spider
        self.crawler = crawler
        self.shared = shared_crawl(crawler.settings)
        spider.listings = self.listings = SharedListings(self.shared, spider.rules.slug_of)
        self.setup_incremental(crawler)
        crawler.signals.connect(self.log_phase, signal=signals.spider_opened)
        crawler.signals.connect(self.worked, signal=signals.response_received)

    def worked(self) -> None:
        self.took_part = True

    def setup_incremental(self, crawler: Crawler) -> None:
        """Distributed crawls walk every listing page (no conditional requests, no stop
        rule: that bookkeeping is per process); with ``DANVAN_INCREMENTAL`` (default on)
        they fetch only articles that are new or whose listing entry changed (the
        listing signatures of ``danvan_crawler.incremental``, kept in the store), and
        merge new categories into known, unchanged ones. ``DANVAN_REFRESH``: fetch all."""
        settings = crawler.settings
        self.skip_known = settings.getbool("DANVAN_INCREMENTAL", True) and not settings.getbool(
            "DANVAN_REFRESH"
        )
        if settings.getbool("DANVAN_INCREMENTAL", True):
            crawler.signals.connect(self.remember_signature, signal=signals.item_scraped)
            crawler.signals.connect(self.remember_signature, signal=signals.item_dropped)
        mode = "new and changed articles" if self.skip_known else "every article"
        logger.info("distributed crawl: every listing page, %s", mode)

    def store(self) -> Store:
        return StoreExtension.of(self.crawler).store

    def remember_signature(self, item: Any, response: Response | None = None) -> None:
        """An article went through the store: remember the listing signature it was
        fetched for (only once it is stored: a signature alone would hide it)."""
        article_id = response.meta.get("danvan_article_id") if response is not None else None
        if not article_id:
            return
        signature = self.shared.signature(article_id)
        store = self.store()
        if signature is not None and store.known_ids([article_id]):
            if response is not None and response.meta.get(CUT_STORED_META):
                signature = self.cut_signature(article_id, signature)
            store.set_listing_signatures({article_id: signature})

    def cut_signature(self, article_id: str, seen: str) -> str:
        """The signature of an article whose page looked cut (``incremental``): fetched
        again by the next crawls, ``DANVAN_CUT_MAX_RUNS`` at most."""
        stored = self.store().listing_signatures([article_id]).get(article_id)
        limit = self.crawler.settings.getint("DANVAN_CUT_MAX_RUNS", CUT_MAX_RUNS)
        return next_cut_signature(stored, seen, limit)

    def cut_after_retries(self, item: Any, response: Response) -> bool:
        """As the single-process spider: a new article is stored as it is and fetched
        again by the next crawls; a stored one keeps its stored version (True)."""
        if not self.skip_known:
            return False
        article_id = str(response.meta.get("danvan_article_id") or "")
        store = self.store()
        if not article_id or not store.known_ids([article_id]):
            response.meta[CUT_STORED_META] = True  # see remember_signature
            return False
        seen = self.shared.signature(article_id)
        if seen is not None:
            store.set_listing_signatures({article_id: self.cut_signature(article_id, seen)})
        self.spider._stat("fault/cut_kept_stored")
        return True

    def log_phase(self, spider: Any) -> None:
        phase = self.shared.phase()
        self.took_part = phase not in (None, DONE)
        logger.info("crawl %s: phase %s", self.shared.prefix, phase)

    @property
    def scheduler(self) -> RedisScheduler:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if not isinstance(scheduler, RedisScheduler):
            raise NotConfigured("a distributed crawl needs the RedisScheduler (--redis URL)")
        return scheduler

    # -- what to fetch ---------------------------------------------------------------------
    def first_requests(self) -> Iterator[Request]:
        """Nothing: ``danvan seed`` pushes the first requests (the spider's
        ``seed_requests``)."""
        return iter(())

    def home_not_modified(self) -> Iterator[Request]:
        """Nothing: a distributed crawl makes no conditional requests."""
        return iter(())

    def listing_seen(self, listing: ListingPage) -> None:
        """What each entry says of its article (``remember_signature``)."""
        self.shared.note_signatures({e.article_id: listing_signature(e) for e in listing.entries})

    def article_requests(self) -> Iterator[Request]:
        # all at once, newest first, in priority bands (``SharedListings.take``)
        listed = list(self.listings.take())
        unchanged: set[str] = set()
        if self.skip_known and listed:
            store = self.store()
            known = store.known_ids([a for _, a, _, _ in listed])
            stored = store.listing_signatures(known)
            seen = self.shared.signatures(sorted(known))
            unchanged = {a for a in known if a in stored and stored[a] == seen.get(a)}
        spider = self.spider
        for rank, article_id, url, hint in listed:
            if article_id in unchanged:
                spider._stat("articles/skipped")
                self.merge_known_categories(article_id)
                continue
            spider._stat("articles/requested")
            priority = -(rank * ARTICLE_PRIORITY_BANDS // len(listed))
            yield spider.article_request(article_id, url, priority, hint)

    def merge_known_categories(self, article_id: str) -> None:
        """A known, unchanged article: add the categories this crawl saw it in."""
        store = self.store()
        cats = self.spider.categories_of(article_id)
        record = store.get(article_id) or {}
        have = {c.get("url") for c in record.get("categories") or ()}
        if {c["url"] for c in cats} - have and store.merge_categories(article_id, cats):
            self.spider._stat("incremental/categories_merged")

    # -- phases ----------------------------------------------------------------------------
    def idle(self) -> None:
        """This worker has nothing to do: move the shared crawl on, or wait for it."""
        scheduler = self.scheduler
        scheduler.reap()
        phase = self.shared.phase()
        if phase == DONE and self.took_part:
            return  # close
        me = scheduler.worker_id
        if phase is None or phase == DONE:  # started between crawls: wait for the next
            self._wait("no crawl seeded yet (danvan seed)")
        self.took_part = True
        if phase.startswith(SCHEDULING):
            owner = phase.removeprefix(SCHEDULING)
            if owner != me and not scheduler.alive(owner):
                self.shared.cas_phase(phase, LISTING)  # it died scheduling: start over
            self._wait("articles being scheduled")
        if scheduler.outstanding() > 0:
            self._wait("")
        if phase == LISTING:
            if self.shared.cas_phase(LISTING, SCHEDULING + me):
                requests = list(self.article_requests())
                logger.info("listing phase done: %d articles to fetch", len(requests))
                assert self.crawler.engine is not None
                for request in requests:
                    self.crawler.engine.crawl(request)
                self.shared.cas_phase(SCHEDULING + me, ARTICLES)
            self._wait("")
        if phase == ARTICLES and self.shared.cas_phase(ARTICLES, DONE):
            self.finished_crawl = True
            logger.info("crawl %s done (this worker closed it)", self.shared.prefix)

    def _wait(self, why: str) -> NoReturn:
        if why:
            logger.debug("waiting: %s", why)
        if not self._polling:
            self._polling = True
            call_later(IDLE_POLL, self._look_again)
        raise DontCloseSpider

    def _look_again(self) -> None:
        """The idle worker looks at the shared crawl again (the engine's own idle beat is
        5 s); a worker that went busy meanwhile is left alone (it goes idle again)."""
        self._polling = False
        engine = self.crawler.engine
        if engine is None or not engine.running or engine.spider is None:
            return
        if not engine.spider_is_idle():
            return
        try:
            self.idle()
        except DontCloseSpider:
            return
        deferred_from_coro(engine.close_spider_async(reason="finished"))
