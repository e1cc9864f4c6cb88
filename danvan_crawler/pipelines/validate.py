"""Validation: required fields present and sane, else a counted, logged drop."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from danvan_crawler.urls import article_id as url_article_id

logger = logging.getLogger(__name__)

#: Fields an article must have (non-empty), setting ``DANVAN_REQUIRED_FIELDS``.
DEFAULT_REQUIRED_FIELDS: tuple[str, ...] = ("articleId", "url", "headline", "datePublished")

_ID_RE = re.compile(r"^\d+$")
_URL_RE = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)


def _aware(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


class InvalidArticle(DropItem):
    """An item dropped as invalid; ``reason`` as in ``danvan/validate/dropped/<reason>``."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid article: {reason}", log_level="DEBUG")
        self.reason = reason


class ValidatePipeline:
    """Drop items that cannot become a record; ``danvan/validate/dropped/<reason>``."""

    def __init__(self, stats: StatsCollector, required: tuple[str, ...]) -> None:
        self.stats = stats
        self.required = required

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        assert crawler.stats is not None
        required = tuple(
            crawler.settings.getlist("DANVAN_REQUIRED_FIELDS", list(DEFAULT_REQUIRED_FIELDS))
        )
        return cls(crawler.stats, required)

    def problem(self, adapter: ItemAdapter) -> str | None:
        """The first reason ``adapter`` is invalid, or None."""
        for name in self.required:
            value = adapter.get(name)
            if value is None or (isinstance(value, str | list | dict) and not value):
                return f"missing_{name}"
            if isinstance(value, str) and not value.strip():
                return f"missing_{name}"
        aid = adapter.get("articleId")
        if aid is not None and not _ID_RE.match(str(aid).strip()):
            return "bad_articleId"
        url = adapter.get("url")
        if url is not None and not (isinstance(url, str) and _URL_RE.match(url.strip())):
            return "bad_url"
        if aid is not None and isinstance(url, str):
            tail = url_article_id(url.strip())
            if tail is not None and tail != str(aid).strip():
                return "id_url_mismatch"
        for name in ("datePublished", "dateModified"):
            value = adapter.get(name)
            if value is not None and not _aware(value):
                return f"bad_{name}"
        return None

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        reason = self.problem(adapter)
        if reason is not None:
            self.stats.inc_value(f"danvan/validate/dropped/{reason}")
            logger.warning(
                "Dropped invalid article (%s): id=%r url=%r",
                reason,
                adapter.get("articleId"),
                adapter.get("url"),
            )
            raise InvalidArticle(reason)
        self.stats.inc_value("danvan/validate/ok")
        return item
