"""The store stage: upsert each article, let only new and updated ones go on."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from danvan_crawler.errors import store_stopper
from danvan_crawler.extensions.store import StoreExtension
from danvan_crawler.stream import date_flags

logger = logging.getLogger(__name__)


class StoreStopped(DropItem):
    """An item dropped because the store stopped the crawl (a full disk, a damaged store):
    it was not stored."""


class StorePipeline:
    """Upsert into the store; only ``new`` and ``updated`` articles go on, with ``change``.

    Unchanged articles (and known ones that only gained a category or URL) are dropped
    with the reason counted (``danvan/store/unchanged``, ``danvan/store/merged``), so the
    run's FEEDS output holds only what changed (with ``revision`` and the date flags of
    :mod:`danvan_crawler.stream`, the format of every JSON Lines output).
    ``DANVAN_EMIT_UNCHANGED = True`` lets them through (with ``change`` None). Near
    duplicates are decided here, in the upsert transaction
    (``danvan/dedupe/near_duplicate``; ``DANVAN_DEDUPE_NEAR = False`` keeps the item's own
    ``duplicateOf``). Items are written in batches (``StoreExtension.upsert``):
    an item goes on (and ``item_scraped``/``item_dropped`` fire) once its batch is
    committed.
    """

    def __init__(
        self,
        crawler: Crawler,
        stats: StatsCollector,
        extension: StoreExtension,
        emit_unchanged: bool = False,
        detect_duplicates: bool = True,
    ) -> None:
        self.crawler = crawler
        self.stats = stats
        self.extension = extension
        self.emit_unchanged = emit_unchanged
        self.detect_duplicates = detect_duplicates

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        pipeline = cls(
            crawler,
            crawler.stats,
            StoreExtension.of(crawler),
            emit_unchanged=settings.getbool("DANVAN_EMIT_UNCHANGED"),
            detect_duplicates=settings.getbool("DANVAN_DEDUPE_NEAR", True),
        )
        return pipeline

    def _stop_if_fatal(self, exc: Exception) -> None:
        """A full disk or a damaged store fails every later write too: stop the crawl
        at the first one, say why in one line (the stat, the log) and drop the item
        quietly, instead of a traceback per article."""
        from scrapy.utils.defer import deferred_from_coro

        from danvan_crawler.errors import STORE_FAILED, STORE_FAILURE_STAT

        message = store_stopper(exc, self.extension.db)
        if message is None:
            return
        if not self.stats.get_value(STORE_FAILURE_STAT):
            self.stats.set_value(STORE_FAILURE_STAT, message)
            # not a warning: the command reports the failure itself, in one line
            logger.info("%s: stopping the crawl (what is stored so far stays)", message)
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason=STORE_FAILED))
        raise StoreStopped(message, log_level="DEBUG") from None

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        try:
            change = await self.extension.upsert(item, detect_duplicates=self.detect_duplicates)
        except Exception as exc:
            self._stop_if_fatal(exc)
            raise
        self.stats.inc_value(f"danvan/store/{change.kind}")
        if change.kind in ("new", "updated"):
            if change.claimed:
                # Copies stored (and emitted) before their original: the store and the
                # feeds now exclude them; this run's JSON Lines already carry them.
                self.stats.inc_value("danvan/dedupe/claimed_copies", len(change.claimed))
                logger.info(
                    "Article %s is the original of %s, stored before it",
                    change.article_id,
                    ", ".join(change.claimed),
                )
            if change.duplicate_of is not None:
                self.stats.inc_value("danvan/dedupe/near_duplicate")
                logger.info("Article %s is a copy of %s", change.article_id, change.duplicate_of)
            adapter["change"] = change.kind
            adapter["revision"] = change.revision
            adapter.update(date_flags(change.record))
            adapter["categories"] = change.record.get("categories", [])
            adapter["duplicateOf"] = change.duplicate_of
            if change.kind == "updated":
                logger.info("Article %s updated (revision %d)", change.article_id, change.revision)
            return item
        if self.emit_unchanged:
            adapter["change"] = None
            return item
        raise DropItem(f"{change.kind}: article {change.article_id}", log_level="DEBUG")
