"""Enrichment: official documents cited in headline and body -> ``documentRefs``."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from danvan_crawler.documents import document_refs_for

logger = logging.getLogger(__name__)


class EnrichPipeline:
    """Set ``documentRefs``; off with ``DANVAN_DOCUMENT_REFS = False``.

    Stats: ``danvan/enrich/documentRefs`` (references found),
    ``danvan/enrich/with_documentRefs`` (articles citing at least one).
    """

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        if not crawler.settings.getbool("DANVAN_DOCUMENT_REFS", True):
            raise NotConfigured("DANVAN_DOCUMENT_REFS is off")
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        refs = document_refs_for(adapter)
        adapter["documentRefs"] = refs
        if refs:
            self.stats.inc_value("danvan/enrich/documentRefs", len(refs))
            self.stats.inc_value("danvan/enrich/with_documentRefs")
        return item
