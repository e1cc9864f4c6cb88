"""danvan-crawler: a Scrapy crawler and feed aggregator for nghean.dcs.vn."""

__version__ = "0.1.0"
