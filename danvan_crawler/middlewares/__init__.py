"""Scrapy middlewares of the crawl: :mod:`.downloader` (retries, length, redirects) and
:mod:`.spider` (pagination, completeness, callback errors); registered in ``settings.py``."""
