"""The incremental bookkeeping of a crawl, in one place (the protocol:
:mod:`danvan_crawler.incremental`).

:class:`IncrementalExtension` is enabled by ``DANVAN_INCREMENTAL`` (default on). The spider
asks it what the store says (conditional headers, whether paging goes on, whether an
article is fetched) and tells it what each page showed; the extension records what the
run finished: per article once its item went through the store (``item_scraped`` /
``item_dropped``), pending writes when the spider goes idle (``spider_idle``), the
categories walked completely and the home page's validators when the spider closes
(``spider_closed``). It stays inert until a spider :meth:`~IncrementalExtension.attach`\\ es
to it (a distributed crawl keeps its own state in Redis and does not).
"""

from __future__ import annotations

import logging
from typing import Any, cast

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from danvan_crawler.extensions.store import StoreExtension
from danvan_crawler.extract.listing import ListingEntry
from danvan_crawler.incremental import (
    CUT_MAX_RUNS,
    IncrementalState,
    PageAssessment,
    StopRule,
    response_validators,
)

logger = logging.getLogger(__name__)

__all__ = ["CUT_STORED_META", "IncrementalExtension"]

#: ``response.meta`` key: the article is stored although its page still looked cut
CUT_STORED_META = "danvan_cut_stored"
STATS_PREFIX = "danvan/"


class IncrementalExtension:
    """What a run may skip and what it finished, over the crawl's store."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("DANVAN_INCREMENTAL", True):
            raise NotConfigured  # quietly: the spider logs that every page is fetched
        stop_rule = (settings.get("DANVAN_STOP_RULE") or "oldest").lower()
        if stop_rule not in ("oldest", "all"):
            raise ValueError(
                f"portal spider: DANVAN_STOP_RULE must be 'oldest' or 'all', not {stop_rule!r}"
            )
        self.crawler = crawler
        self.stop_rule = cast(StopRule, stop_rule)
        self.full = settings.getbool("DANVAN_FULL")
        self.refresh = settings.getbool("DANVAN_REFRESH")
        self.cut_max_runs = settings.getint("DANVAN_CUT_MAX_RUNS", CUT_MAX_RUNS)
        #: a run restricted to some categories (DANVAN_CATEGORIES) does not know them all
        self.restricted = any(v for v in settings.getlist("DANVAN_CATEGORIES"))
        self._state: IncrementalState | None = None
        self.attached = False
        #: category URLs followed in this run, in order
        self.categories: dict[str, None] = {}
        #: category URL -> whether its stop rule is trusted in this run (walked before)
        self.walk_mode: dict[str, bool] = {}
        #: category URL -> {listing page URL: (ETag, Last-Modified)} of pages answered 200
        self.cat_pages: dict[str, dict[str, tuple[str | None, str | None]]] = {}
        #: category URL -> listing requests not answered yet
        self.cat_outstanding: dict[str, int] = {}
        #: categories a listing request of which failed
        self.cat_failed: set[str] = set()
        #: category URL -> ids its listings asked to fetch
        self.cat_needs: dict[str, set[str]] = {}
        #: ids requested and not yet stored (or answered 304, or gone)
        self.unresolved: set[str] = set()
        #: known, unchanged ids listed under a category their record lacks
        self.merge_needed: set[str] = set()
        #: listing page URL -> its assessment (for ``should_follow``)
        self.assessments: dict[str, PageAssessment] = {}
        self.home_url: str | None = None
        self.home_done = False
        self.home_validators: tuple[str | None, str | None] = (None, None)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_stored, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.save_state, signal=signals.spider_closed)
        return extension

    def attach(self) -> IncrementalExtension:
        """Called by the spider that uses this bookkeeping (when it opens)."""
        self.attached = True
        mode = "refresh" if self.state.refresh else "full" if self.state.full else "incremental"
        logger.info("crawl mode: %s (stop rule %s)", mode, self.state.stop_rule)
        return self

    @property
    def state(self) -> IncrementalState:
        """The store's incremental state (opened on first use, once extensions exist)."""
        if self._state is None:
            self._state = IncrementalState(
                StoreExtension.of(self.crawler).store,
                full=self.full,
                refresh=self.refresh,
                stop_rule=self.stop_rule,
                cut_max_runs=self.cut_max_runs,
            )
        return self._state

    def _stat(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(STATS_PREFIX + key, count)

    # -- the home page --------------------------------------------------------------------
    def home_headers(self, home_url: str) -> dict[str, str]:
        """Conditional headers for the home page (when the last finished run saved its
        categories, for a 304)."""
        self.home_url = home_url
        if self.state.conditional(None) and self.state.saved_categories():
            return self.state.validators_headers(home_url)
        return {}

    def home_not_modified(self) -> list[str]:
        """The home page answered 304: the category URLs of the last finished run."""
        self._stat("incremental/home_not_modified")
        self.home_done = True
        return self.state.saved_categories()

    def home_answered(self, response: Response) -> None:
        self.home_validators = response_validators(response.headers)

    def home_read(self) -> None:
        """The home page's links were all followed (the run may save the category list)."""
        self.home_done = True

    def stored_categories(self) -> dict[str, dict[str, Any]]:
        """Stored categories by URL ({url, slug, name, subSite})."""
        return self.state.category_names()

    # -- listing pages --------------------------------------------------------------------
    def category_followed(self, category_url: str) -> None:
        self.categories[category_url] = None
        self.walk_mode[category_url] = self.state.conditional(category_url)

    def walked_before(self, category_url: str) -> bool:
        """Whether the category's stop rule is trusted in this run."""
        return self.walk_mode.get(category_url, False)

    def listing_requested(self, category_url: str, url: str) -> dict[str, str]:
        """A listing page is requested: its conditional headers ({}: unconditional)."""
        self.cat_outstanding[category_url] = self.cat_outstanding.get(category_url, 0) + 1
        if self.walk_mode.get(category_url, False):
            return self.state.validators_headers(url)
        return {}

    def listing_answered(self, category_url: str, not_modified: bool = False) -> None:
        self.cat_outstanding[category_url] = self.cat_outstanding.get(category_url, 1) - 1
        if not_modified:
            self._stat("incremental/listing_not_modified")

    def listing_incomplete(self, category_url: str) -> None:
        """A listing page of the category could not be read whole: walked again next run."""
        self.cat_failed.add(category_url)

    def listing_retried(self, category_url: str) -> None:
        self.cat_outstanding[category_url] += 1

    def listing_read(
        self,
        category_url: str,
        page_url: str,
        listed_url: str,
        entries: list[ListingEntry],
        response: Response,
    ) -> None:
        """Measure a listing page against the store; unmark its category when something
        is to be fetched or merged (before any of it is: see ``danvan_crawler.incremental``)."""
        self.cat_pages.setdefault(category_url, {})[page_url] = response_validators(
            response.headers
        )
        assessment = self.state.assess(entries, category_url)
        self.assessments[listed_url] = assessment
        self.cat_needs.setdefault(category_url, set()).update(assessment.to_fetch)
        self.merge_needed.update(assessment.to_merge)
        if not assessment.unchanged:
            self.state.set_walked(category_url, False)
        self._stat("incremental/listed_settled", len(assessment.settled))

    def stops_paging(self, category_url: str) -> bool:
        """Whether the stop rule may end the category's paging (walked before, not
        ``--full``); otherwise it is walked to the end."""
        return not self.state.full and self.walk_mode.get(category_url, False)

    def should_continue(self, listed_url: str) -> bool:
        """Whether the stop rule lets paging go on after this listing page."""
        assessment = self.assessments.get(listed_url)
        return assessment is not None and self.state.should_continue(assessment)

    # -- article pages --------------------------------------------------------------------
    def should_fetch(self, article_id: str) -> bool:
        return self.state.should_fetch(article_id)

    def article_requested(self, article_id: str, url: str) -> dict[str, str]:
        """An article page is requested: its conditional headers ({}: unconditional)."""
        self.unresolved.add(article_id)
        return self.state.article_headers(article_id, url)

    def article_gone(self, article_id: str) -> None:
        self.unresolved.discard(article_id)

    def article_not_modified(
        self, article_id: str, url: str, response: Response, categories: list[dict[str, Any]]
    ) -> None:
        """Listed with a new signature, but the page did not change."""
        self._stat("incremental/article_not_modified")
        self.unresolved.discard(article_id)
        self.merge_known(article_id, categories)
        self.state.article_done(article_id, url, *response_validators(response.headers))

    def needs_merge(self, article_id: str) -> bool:
        return article_id in self.merge_needed

    def merge_known(self, article_id: str, categories: list[dict[str, Any]]) -> None:
        """A known, unchanged article listed under a category its record lacks: merge the
        categories into the stored record, without fetching its page."""
        if self.state.store.merge_categories(article_id, categories):
            self._stat("incremental/categories_merged")
            logger.info("Article %s: categories merged without a fetch", article_id)

    def first_seen(self, article_id: str) -> Any:
        record = self.state.store.record(article_id)
        return record.get("first_seen") if record is not None else None

    def cut_after_retries(self, item: Any, response: Response) -> bool:
        """The article page still looked cut short when its retries were spent. A new
        article is stored as it is and fetched again on the next runs
        (``DANVAN_CUT_MAX_RUNS`` at most) until its page comes whole; an article already
        stored keeps its stored version (True: the item is held back)."""
        article_id = str(response.meta.get("danvan_article_id") or "")
        item_id = _item_id(item)
        if not self.state.is_stored(item_id, article_id):
            response.meta[CUT_STORED_META] = True  # see article_resolved
            return False
        url = response.meta.get("danvan_url") or response.url
        self.article_cut(article_id or item_id, url)
        self._stat("fault/cut_kept_stored")
        return True

    def article_cut(self, article_id: str, url: str) -> None:
        """Record that the article's page looked cut in this run: fetched again next run,
        unless that was the last of ``DANVAN_CUT_MAX_RUNS``."""
        runs = self.state.article_cut(article_id, url)
        if runs is None:
            self.unresolved.discard(article_id)
            self._stat("fault/cut_accepted")
            logger.warning(
                "article %s still looked cut short after %d runs: kept as it is (%s)",
                article_id,
                self.state.cut_max_runs,
                url,
            )
            return
        # its categories are walked again next run, so that its entry is seen again
        self.unresolved.add(article_id)
        logger.info(
            "article %s looked cut short (run %d): fetched again next run", article_id, runs
        )

    # -- signals --------------------------------------------------------------------------
    def item_stored(self, item: Any, response: Response | None = None) -> None:
        """``item_scraped``: the store pipeline committed the article."""
        if response is not None and self.attached:
            self.article_resolved(item, response, dropped=False)

    def item_dropped(self, item: Any, response: Response | None = None) -> None:
        """``item_dropped``: stored anyway (unchanged, merged), or rejected (not stored)."""
        if response is not None and self.attached:
            self.article_resolved(item, response, dropped=True)

    def article_resolved(self, item: Any, response: Response, dropped: bool) -> None:
        article_id = response.meta.get("danvan_article_id")
        if not article_id:
            return
        self.unresolved.discard(article_id)
        if dropped and not self.state.is_stored(_item_id(item), article_id):
            # Rejected (e.g. by validation): not known, fetched again when listed again.
            self._stat("incremental/dropped_not_stored")
            return
        url = response.meta.get("danvan_url") or response.url
        if response.meta.get(CUT_STORED_META):
            self._stat("fault/cut_stored")
            self.article_cut(article_id, url)
            return
        self.state.article_done(article_id, url, *response_validators(response.headers))

    def spider_idle(self) -> None:
        if self.attached:
            self.state.flush()

    def save_state(self, reason: str) -> None:
        """``spider_closed``: mark the categories this run finished completely as walked
        (with their listing pages' validators); on a finished run, the home page's
        validators and the category list."""
        if not self.attached:
            return
        self.state.flush()
        complete = 0
        for url in self.categories:
            done = (
                url in self.cat_outstanding
                and self.cat_outstanding[url] <= 0
                and url not in self.cat_failed
                and not (self.cat_needs.get(url, set()) & self.unresolved)
            )
            if not done:
                logger.info("category %s not complete in this run: walked again next run", url)
                continue
            for page_url, (etag, last_modified) in self.cat_pages.get(url, {}).items():
                if etag or last_modified:
                    self.state.store.set_validators(page_url, etag, last_modified)
            self.state.set_walked(url, True)
            complete += 1
        self._stat("incremental/categories_complete", complete)
        whole = not self.restricted and complete == len(self.categories)
        if reason == "finished" and self.home_done and whole:
            self.state.save_categories(self.categories)
            etag, last_modified = self.home_validators
            if (etag or last_modified) and self.home_url is not None:
                self.state.store.set_validators(self.home_url, etag, last_modified)


def _item_id(item: Any) -> str:
    try:
        return str(ItemAdapter(item).get("articleId") or "")
    except TypeError:
        return ""
