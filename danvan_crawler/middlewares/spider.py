"""Spider middlewares:

- :class:`PaginationGuard` (900): a listing page that adds no new article id to its
  category (a pagination trap) is not followed further; a category never gets more than
  ``DANVAN_MAX_PAGES_PER_CATEGORY`` listing pages. Both warn naming the URL.
- :class:`CallbackErrors` (960): an exception in a spider callback (a page the extraction
  cannot handle) becomes a counted drop with a warning naming the URL.
- :class:`ArticleCompleteness` (940): an article page that looks cut short (evidence that
  holds for tag soup: :func:`danvan_crawler.extract.truncation.cut_evidence`, which the
  spider runs) is fetched again, each reason counted as ``truncated/<reason>``. When the
  retries are spent, a new article is stored as it is and fetched again on the next runs
  until its page comes whole (``DANVAN_CUT_MAX_RUNS`` runs at most: ``cut_stored``, then
  ``cut_accepted``); a stored article keeps its stored version (``cut_kept_stored``). A
  page that is whole is fetched once, whatever field the extraction could not find: the
  validate pipeline judges the item.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from danvan_crawler.items import Article
from danvan_crawler.resilience import (
    CATEGORY_META,
    CUT_META,
    LISTING_IDS_META,
    count_fault,
    retry_cut_page,
)

logger = logging.getLogger(__name__)


class PaginationGuard(BaseSpiderMiddleware):
    """Stops following a category's pages at a trap page or at the page limit: a listing
    page's outputs are judged together, once its callback has read it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_pages = crawler.settings.getint("DANVAN_MAX_PAGES_PER_CATEGORY", 1000)
        self.seen_ids: dict[str, set[str]] = {}
        self.pages: dict[str, int] = {}
        self.limited: set[str] = set()

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        if response is None or self._is_listing(response.request) is None:
            yield from result
            return
        # a listing page: its few outputs are judged once its callback has read it
        items = list(result)
        follow = self._assess(response)
        yield from (item for item in items if self._keep(item, response, follow))

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        if response is None or self._is_listing(response.request) is None:
            async for item in result:
                yield item
            return
        items = [item async for item in result]
        follow = self._assess(response)
        for item in items:
            if self._keep(item, response, follow):
                yield item

    def _is_listing(self, request: Request | None) -> str | None:
        if request is None:
            return None
        category = request.meta.get(CATEGORY_META)
        return category if isinstance(category, str) else None

    def _assess(self, response: Response) -> bool | None:
        """None: not a listing page; else whether its page links may be followed."""
        category = self._is_listing(response.request)
        if category is None:
            return None
        self.pages.setdefault(category, 1)  # page 1 itself was requested
        ids = self._ids_on(response)
        seen = self.seen_ids.setdefault(category, set())
        new = ids - seen
        seen |= ids
        if ids and not new:
            count_fault(self.crawler, "pagination_trap")
            logger.warning(
                "pagination trap? %s adds no new article (all %d already listed in %s): "
                "its page links are not followed",
                response.url,
                len(ids),
                category,
            )
            return False
        return True

    def _ids_on(self, response: Response) -> set[str]:
        from danvan_crawler.extract import ListingPage

        ids = response.meta.get(LISTING_IDS_META)
        if ids is not None:
            return set(ids)
        spider = self.crawler.spider
        profile = getattr(spider, "profile", None)
        text = getattr(response, "text", None)
        if profile is None or not isinstance(text, str):
            return set()
        try:
            return {e.article_id for e in ListingPage(text, response.url, profile).entries}
        except Exception:  # a page the parser rejects adds nothing
            logger.debug("listing page unreadable: %s", response.url, exc_info=True)
            return set()

    def _keep(self, item: Any, response: Response, follow: bool | None) -> bool:
        if not isinstance(item, Request):
            return True
        category = self._is_listing(item)
        if category is None:
            return True
        if item.url == category:
            return True  # page 1 (the category itself, discovered from a menu)
        source = self._is_listing(response.request)
        if follow is False and source == category:
            return False
        count = self.pages.get(category, 1)
        if count >= self.max_pages:
            count_fault(self.crawler, "page_limit")
            if category not in self.limited:
                self.limited.add(category)
                logger.warning(
                    "category %s reached DANVAN_MAX_PAGES_PER_CATEGORY=%d: %s and later "
                    "pages not fetched",
                    category,
                    self.max_pages,
                    item.url,
                )
            return False
        self.pages[category] = count + 1
        return True


class ArticleCompleteness(BaseSpiderMiddleware):
    """Fetches an article page again when it looks cut short (the reasons the spider put
    in ``response.meta[CUT_META]``), never for a field the extraction could not find."""

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        return item if response is None else self._check(item, response)

    def _check(self, item: Any, response: Response) -> Any:
        if not isinstance(item, Article) or response.request is None:
            return item
        reasons = response.meta.get(CUT_META)
        if not reasons:
            return item
        retry = retry_cut_page(self.crawler, response.request, list(reasons))
        if retry is not None:
            return retry
        hold = getattr(self.crawler.spider, "cut_after_retries", None)
        if hold is not None and hold(item, response):
            return None
        return item


class CallbackErrors(BaseSpiderMiddleware):
    """A page the spider's callback cannot handle is a counted drop with a reason, not a
    crash: ``danvan/fault/parse_error`` and ``danvan/validate/dropped/parse_error``, and a
    warning naming the URL (with the traceback). What the callback yielded before the
    error goes on."""

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider | None = None
    ) -> list[Any]:
        count_fault(self.crawler, "parse_error")
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("danvan/validate/dropped/parse_error")
        logger.warning(
            "page dropped, the spider could not handle it: %s (%s: %s)",
            response.url,
            type(exception).__name__,
            exception,
            exc_info=exception,
        )
        return []
