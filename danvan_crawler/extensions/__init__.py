"""Scrapy extensions of the crawl; :data:`EXTENSIONS` is what to put in the settings."""

from danvan_crawler.extensions.incremental import IncrementalExtension
from danvan_crawler.extensions.store import StoreExtension

EXTENSIONS: dict[str, int] = {
    "danvan_crawler.extensions.StoreExtension": 0,
    "danvan_crawler.extensions.IncrementalExtension": 10,
}

__all__ = ["EXTENSIONS", "IncrementalExtension", "StoreExtension"]
