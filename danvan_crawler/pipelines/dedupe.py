"""Deduplication before the store: one article id per run, copies marked.

- The same article id again in one run (another category, the other sub-site, another
  URL) with the same content: its categories and URL are merged into the stored record
  and the item is dropped (``danvan/dedupe/same_id``). With different content it goes on
  (the store records an update; ``danvan/dedupe/same_id_changed``).
- Near duplicates (re-published copies) are decided by the store inside the upsert
  transaction (:meth:`danvan_crawler.store.Store.upsert`), so that the decision and the
  write cannot disagree; :class:`~danvan_crawler.pipelines.StorePipeline` counts them as
  ``danvan/dedupe/near_duplicate``.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from danvan_crawler.extensions.store import StoreExtension

logger = logging.getLogger(__name__)


class DedupePipeline:
    def __init__(self, stats: StatsCollector, extension: StoreExtension) -> None:
        self.stats = stats
        self.extension = extension
        #: article id -> its content hash's first 64 bits (as an int: 32 bytes an
        #: article instead of a 113-byte string; a collision has odds of 2**-64), this run
        self._seen: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, StoreExtension.of(crawler))

    async def process_item(self, item: Any) -> Any:
        article_id = str(ItemAdapter(item)["articleId"])
        digest = self.extension.store.content_hash(item)  # remembered for the store's upsert
        previous = self._seen.get(article_id)
        short = int(digest[:16], 16)
        if previous is not None:
            if previous == short:
                # URL + categories, queued after the first one (which may still wait
                # for its batch)
                await self.extension.upsert(item, detect_duplicates=False)
                self.stats.inc_value("danvan/dedupe/same_id")
                raise DropItem(f"same article again in this run: {article_id}", log_level="DEBUG")
            self.stats.inc_value("danvan/dedupe/same_id_changed")
        self._seen[article_id] = short
        return item
