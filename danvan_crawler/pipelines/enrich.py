"""Enrichment: official documents cited in headline and body -> ``documentRefs``; places
of Nghệ An mentioned -> ``places``."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from danvan_crawler.documents import document_refs_for
from danvan_crawler.gazetteer import gazetteer
from danvan_crawler.places import find_places

logger = logging.getLogger(__name__)


class EnrichPipeline:
    """Set ``documentRefs`` (off with ``DANVAN_DOCUMENT_REFS = False``) and ``places``
    (off with ``DANVAN_PLACES = False``).

    Stats: ``danvan/enrich/documentRefs`` (references found),
    ``danvan/enrich/with_documentRefs`` (articles citing at least one),
    ``danvan/enrich/places`` (places tagged), ``danvan/enrich/with_places`` (articles
    with at least one).
    """

    def __init__(
        self, stats: StatsCollector, *, documents: bool = True, places: bool = True
    ) -> None:
        self.stats = stats
        self.documents = documents
        self.places = places
        if places:
            gaz = gazetteer()  # built here, not in the first article's time
            logger.debug("gazetteer: %d places in %.3f s", len(gaz.places), gaz.build_seconds)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EnrichPipeline:
        documents = crawler.settings.getbool("DANVAN_DOCUMENT_REFS", True)
        places = crawler.settings.getbool("DANVAN_PLACES", True)
        if not documents and not places:
            raise NotConfigured("DANVAN_DOCUMENT_REFS and DANVAN_PLACES are off")
        assert crawler.stats is not None
        return cls(crawler.stats, documents=documents, places=places)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if self.documents:
            refs = document_refs_for(adapter)
            adapter["documentRefs"] = refs
            if refs:
                self.stats.inc_value("danvan/enrich/documentRefs", len(refs))
                self.stats.inc_value("danvan/enrich/with_documentRefs")
        if self.places:
            places = find_places(adapter)
            adapter["places"] = places
            if places:
                self.stats.inc_value("danvan/enrich/places", len(places))
                self.stats.inc_value("danvan/enrich/with_places")
        return item
