"""The baseline of ``crawl.py``: a bare Scrapy spider that requests a list of URLs and
parses nothing.

    python benchmarks/bare_spider.py URLS.txt [--concurrency 16] [--concurrent-items N]

``URLS.txt``: one absolute URL a line (home, every listing page, every article). Scrapy's
defaults otherwise, with the settings our crawl runs with against the replica
(politeness lifted: no delay, no AutoThrottle, the same concurrency, robots.txt obeyed,
cookies, telnet and Scrapy's remote control off, asyncio reactor). ``--concurrent-items``
sets ``CONCURRENT_ITEMS`` (default: Scrapy's, 100): Scrapy starts that many asyncio tasks
for every response, even one that yields nothing, so it weighs on a bare spider too;
``crawl.py`` passes ours. Prints the number of responses on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self) -> AsyncIterator[Any]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> None:
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--concurrent-items", type=int, default=None)
    args = parser.parse_args(argv)
    urls = [u.strip() for u in args.urls.read_text("utf-8").splitlines() if u.strip()]
    settings: dict[str, Any] = {}
    if args.concurrent_items is not None:
        settings["CONCURRENT_ITEMS"] = args.concurrent_items
    process = CrawlerProcess(
        {
            **settings,
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None},
            "LOG_LEVEL": "INFO",
            "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    print(f"bare: {stats.get('response_received_count', 0)} responses", file=sys.stderr)
    return 0 if stats.get("finish_reason") == "finished" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
