"""The store stage, and the one :class:`~danvan_crawler.store.Store` a crawl shares."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, DEFAULT_THRESHOLD
from danvan_crawler.store import DEFAULT_DB, Store, open_store

logger = logging.getLogger(__name__)

_ATTR = "_danvan_store"


def crawler_store(crawler: Crawler) -> Store:
    """The store of this crawl (opened once from ``DANVAN_DB``, closed with the spider)."""
    store: Store | None = getattr(crawler, _ATTR, None)
    if store is None:
        settings = crawler.settings
        db = settings.get("DANVAN_DB") or DEFAULT_DB
        store = open_store(
            db,
            duplicate_threshold=settings.getfloat("DANVAN_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
            duplicate_min_tokens=settings.getint("DANVAN_DUPLICATE_MIN_TOKENS", DEFAULT_MIN_TOKENS),
        )
        logger.info("Article store: %s", db)
        setattr(crawler, _ATTR, store)

        def _close() -> None:
            if getattr(crawler, _ATTR, None) is store:
                delattr(crawler, _ATTR)
                store.close()

        crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store


class StorePipeline:
    """Upsert into the store; only ``new`` and ``updated`` articles go on, with ``change``.

    Unchanged articles (and known ones that only gained a category or URL) are dropped
    with the reason counted (``danvan/store/unchanged``, ``danvan/store/merged``), so the
    run's FEEDS output holds only what changed. ``DANVAN_EMIT_UNCHANGED = True`` lets them
    through (with ``change`` None). Near duplicates are decided here, in the upsert
    transaction (``danvan/dedupe/near_duplicate``; ``DANVAN_DEDUPE_NEAR = False`` keeps
    the item's own ``duplicateOf``).
    """

    def __init__(
        self,
        crawler: Crawler,
        stats: StatsCollector,
        emit_unchanged: bool = False,
        detect_duplicates: bool = True,
    ) -> None:
        self.crawler = crawler
        self.stats = stats
        self.emit_unchanged = emit_unchanged
        self.detect_duplicates = detect_duplicates

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        pipeline = cls(
            crawler,
            crawler.stats,
            emit_unchanged=settings.getbool("DANVAN_EMIT_UNCHANGED"),
            detect_duplicates=settings.getbool("DANVAN_DEDUPE_NEAR", True),
        )
        crawler.signals.connect(pipeline.open_spider, signal=signals.spider_opened)
        return pipeline

    def open_spider(self) -> None:
        crawler_store(self.crawler)  # fail early on a bad DANVAN_DB

    @property
    def store(self) -> Store:
        return crawler_store(self.crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        (change,) = self.store.upsert([item], detect_duplicates=self.detect_duplicates)
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
            adapter["categories"] = change.record.get("categories", [])
            adapter["duplicateOf"] = change.duplicate_of
            if change.kind == "updated":
                logger.info("Article %s updated (revision %d)", change.article_id, change.revision)
            return item
        if self.emit_unchanged:
            adapter["change"] = None
            return item
        raise DropItem(f"{change.kind}: article {change.article_id}", log_level="DEBUG")
