"""The ``portal`` spider's errbacks: what a page that failed means for the crawl (a mixin
of :class:`~danvan_crawler.spiders.portal.PortalSpider`: errbacks are spider methods, so
that requests serialize for the shared queue)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Protocol

from scrapy.crawler import Crawler
from scrapy.http import Request
from twisted.python.failure import Failure

from danvan_crawler.extensions.incremental import IncrementalExtension
from danvan_crawler.profile import SiteProfile
from danvan_crawler.spiders.categories import CategoryInfo
from danvan_crawler.spiders.fetching import (
    GUESSED_META,
    failed_status,
    failure_reason,
    guessed_pages,
)

# the spider's logger: its warnings read as before, under the spider's name
logger = logging.getLogger("danvan_crawler.spiders.portal")

#: why the home page failed, for the command's one-line reason (``crawling``)
HOME_FAILURE_STAT = "danvan/home/failure"


class _Spider(Protocol):
    """What the errbacks use of the spider."""

    crawler: Crawler
    inc: IncrementalExtension | None
    categories: dict[str, CategoryInfo]
    profile: SiteProfile

    def _stat(self, key: str, count: int = 1) -> None: ...

    def listing_request(self, url: str, info: CategoryInfo) -> Request | None: ...

    def pages_after_failure(self, failed: Request, category_url: str) -> Iterator[Request]: ...


class PageFailures:
    """The errbacks of the spider's requests."""

    def home_failed(self: _Spider, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        why = failure_reason(failure)
        logger.error(
            "home page failed, nothing to crawl: %s (%s)", getattr(request, "url", "?"), why
        )
        self._stat("home/failed")
        if self.crawler.stats is not None:  # for the command's one-line reason
            self.crawler.stats.set_value(HOME_FAILURE_STAT, why)

    def listing_failed(self: _Spider, failure: Failure) -> Iterator[Request]:
        request = getattr(failure, "request", None)
        category_url = request.cb_kwargs.get("category_url") if request is not None else None
        if self.inc is not None and category_url:
            self.inc.listing_answered(category_url)
        status = failed_status(failure)
        if request is not None and request.meta.get(GUESSED_META) and status in (404, 410):
            self._stat("listing/guessed_absent")  # a guess past the last page: nothing lost
            return
        logger.warning("listing page failed: %s (%s)", getattr(request, "url", "?"), failure.value)
        self._stat("listing/failed")
        if self.inc is not None and category_url:
            self.inc.listing_incomplete(category_url)
        if request is not None and category_url:
            yield from self.pages_after_failure(request, category_url)

    def pages_after_failure(self: _Spider, failed: Request, category_url: str) -> Iterator[Request]:
        """The two pages a failed listing page hid (``fetching.guessed_pages``). Not after
        a guessed page, nor in a category walked with the stop rule (its failure already
        has it walked again, whole, next run)."""
        info = self.categories.get(category_url)
        if info is None or failed.meta.get(GUESSED_META):
            return
        if self.inc is not None and self.inc.walked_before(category_url):
            return
        for url in guessed_pages(failed, category_url, self.profile):
            request = self.listing_request(url, info)
            if request is not None:
                request.meta[GUESSED_META] = True
                self._stat("listing/guessed")
                yield request

    def article_failed(self: _Spider, failure: Failure) -> None:
        """An article request failed: a 404/410 page is gone (resolved), anything else
        stays unresolved (its categories are walked again next run)."""
        request = getattr(failure, "request", None)
        url = getattr(request, "url", "?")
        self._stat("articles/failed")
        status = failed_status(failure)
        if status in (404, 410) and request is not None:
            if self.inc is not None:
                self.inc.article_gone(request.meta.get("danvan_article_id", ""))
            logger.warning("article page gone (%d): %s", status, url)
            return
        logger.warning("article page failed: %s (%s)", url, failure.value)
