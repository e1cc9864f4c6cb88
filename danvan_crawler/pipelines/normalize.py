"""Normalization of every field: text (NFC, invisible characters, whitespace) and URLs.

Tone-mark placement is kept as printed (keys fold it: :mod:`danvan_crawler.vietnamese`).
Strings under a URL key (``url``, ``canonicalUrl`` and the ``url`` of breadcrumbs,
images, categories, attachments, mainImage) are canonicalized with
:func:`danvan_crawler.urls.canonical_url`; ``articleBody`` keeps one paragraph per
line; ``articleBodyHtml`` only loses invisible characters; every other string is one
line with whitespace collapsed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from danvan_crawler.text import clean_block, clean_text, strip_invisible
from danvan_crawler.urls import DEFAULT_TRACKING_PARAMS, canonical_url

logger = logging.getLogger(__name__)

URL_KEYS = frozenset({"url", "canonicalUrl"})
BLOCK_KEYS = frozenset({"articleBody"})
HTML_KEYS = frozenset({"articleBodyHtml"})


@lru_cache(maxsize=2048)
def _canonical(url: str, base_url: str | None, tracking: tuple[str, ...]) -> str:
    """:func:`canonical_url` (pure), cached: breadcrumb, category and image URLs repeat
    from article to article, and an article's ``url`` is its ``canonicalUrl``."""
    return canonical_url(url, base_url, tracking_params=tracking)


class FieldNormalizer:
    """Pure normalization of an output-schema mapping's values."""

    def __init__(
        self,
        base_url: str | None = None,
        tracking_params: Iterable[str] = DEFAULT_TRACKING_PARAMS,
    ) -> None:
        self.base_url = base_url
        self.tracking_params = tuple(tracking_params)

    def url(self, value: str) -> str:
        value = clean_text(value)
        if not value:
            return value
        return _canonical(value, self.base_url, self.tracking_params)

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            if key in URL_KEYS:
                return self.url(value)
            if key in BLOCK_KEYS:
                return clean_block(value)
            if key in HTML_KEYS:
                return strip_invisible(value)
            return clean_text(value)
        if isinstance(value, list):
            return [self.value(key, v) for v in value]
        if isinstance(value, tuple):
            return [self.value(key, v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(k, v) for k, v in value.items()}
        return value


class NormalizePipeline:
    """Normalize every field in place; ``danvan/normalize/changed/<field>`` per change."""

    def __init__(self, stats: StatsCollector, normalizer: FieldNormalizer) -> None:
        self.stats = stats
        self.normalizer = normalizer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        tracking = [*DEFAULT_TRACKING_PARAMS, *settings.getlist("DANVAN_TRACKING_PARAMS")]
        base = settings.get("DANVAN_SITE_URL") or None
        return cls(crawler.stats, FieldNormalizer(base, tracking))

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in list(adapter.field_names()):
            try:  # (``name in adapter`` is this look-up: one instead of two)
                before = adapter[name]
            except KeyError:
                continue
            after = self.normalizer.value(name, before)
            if after != before:
                adapter[name] = after
                self.stats.inc_value(f"danvan/normalize/changed/{name}")
        self.stats.inc_value("danvan/normalize/items")
        return item
