"""The baseline of ``crawl.py``: a bare Scrapy spider that requests a list of URLs and
parses nothing; with ``--floor``, the least a crawler that keeps articles does.

    python benchmarks/bare_spider.py URLS.txt [--concurrency 16] [--concurrent-items N]
    python benchmarks/bare_spider.py URLS.txt --floor DB --articles ARTICLES.txt --jsonl OUT

``URLS.txt``: one absolute URL a line (home, every listing page, every article). Scrapy's
defaults otherwise, with the settings our crawl runs with against the replica
(politeness lifted: no delay, no AutoThrottle, the same concurrency, robots.txt obeyed,
cookies, telnet and Scrapy's remote control off, asyncio reactor). ``--concurrent-items``
sets ``CONCURRENT_ITEMS`` (default: Scrapy's, 100): Scrapy starts that many asyncio tasks
for every response, even one that yields nothing, so it weighs on a bare spider too;
``crawl.py`` passes ours. Prints the number of responses and items on stderr.

``--floor``: the same crawl, and each page listed in ``ARTICLES.txt`` parsed with lxml
into an item of three fields (URL, the first ``<h1>``'s text, the text of every ``<p>``),
written to a SQLite file (one table, ``INSERT OR REPLACE`` by URL, a transaction per 50
items, WAL, ``synchronous=NORMAL``: as our store) and to JSON Lines (Scrapy's feed
export, UTF-8). No normalization, validation, deduplication, incremental bookkeeping,
link discovery or date parsing: a floor under any crawler that stores and exports
articles, so ``crawl.py`` can show what of the CPU target is left once it is paid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response, TextResponse

if TYPE_CHECKING:
    import sqlite3

FLOOR_BATCH = 50


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


class FloorSpider(BareSpider):
    name = "floor"

    def __init__(self, urls: list[str], articles: set[str], **kwargs: Any) -> None:
        super().__init__(urls, **kwargs)
        self.articles = articles
        import lxml.html  # here: the bare spider imports nothing it does not use

        self.document = lxml.html.document_fromstring

    def parse(self, response: Response, **kwargs: Any) -> Any:
        if response.url not in self.articles or not isinstance(response, TextResponse):
            return None
        root = self.document(response.text)
        h1 = root.find(".//h1")
        return {
            "url": response.url,
            "headline": h1.text_content().strip() if h1 is not None else "",
            "text": "\n".join(t for p in root.iter("p") if (t := p.text_content().strip())),
        }


class FloorStore:
    """Items to one SQLite table, a transaction per ``FLOOR_BATCH`` items."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pending: list[tuple[str, str]] = []
        self.conn: sqlite3.Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FloorStore:
        return cls(crawler.settings["FLOOR_DB"])

    def open_spider(self) -> None:
        import sqlite3

        self.conn = sqlite3.connect(self.path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, data TEXT)")

    def process_item(self, item: dict[str, str]) -> dict[str, str]:
        self.pending.append((item["url"], json.dumps(item, ensure_ascii=False)))
        if len(self.pending) >= FLOOR_BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        assert self.conn is not None
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?)", self.pending)
        self.pending.clear()

    def close_spider(self) -> None:
        self.flush()
        assert self.conn is not None
        self.conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--concurrent-items", type=int, default=None)
    parser.add_argument("--floor", type=Path, help="SQLite file: run the floor spider")
    parser.add_argument("--articles", type=Path, help="the article URLs (with --floor)")
    parser.add_argument("--jsonl", type=Path, help="JSON Lines output (with --floor)")
    args = parser.parse_args(argv)
    if args.floor and not (args.articles and args.jsonl):
        parser.error("--floor needs --articles and --jsonl")
    urls = read_urls(args.urls)
    settings: dict[str, Any] = {}
    if args.concurrent_items is not None:
        settings["CONCURRENT_ITEMS"] = args.concurrent_items
    spider: type[BareSpider] = BareSpider
    kwargs: dict[str, Any] = {"urls": urls}
    if args.floor:
        spider, kwargs["articles"] = FloorSpider, set(read_urls(args.articles))
        settings["FLOOR_DB"] = str(args.floor)
        settings["ITEM_PIPELINES"] = {FloorStore: 300}
        settings["FEEDS"] = {str(args.jsonl): {"format": "jsonlines"}}
        settings["FEED_EXPORT_ENCODING"] = "utf-8"
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
    crawler = process.create_crawler(spider)
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    responses, items = stats.get("response_received_count", 0), stats.get("item_scraped_count", 0)
    print(f"{spider.name}: {responses} responses, {items} items", file=sys.stderr)
    return 0 if stats.get("finish_reason") == "finished" else 1


def read_urls(path: Path) -> list[str]:
    return [u.strip() for u in path.read_text("utf-8").splitlines() if u.strip()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
