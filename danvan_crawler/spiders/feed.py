"""The article phase's requests: in what order articles are fetched, and how many wait in
the scheduler at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request

from danvan_crawler.extract.truncation import ListingHint

#: Article requests waiting in the scheduler at a time (``DANVAN_ARTICLE_WINDOW``)
ARTICLE_WINDOW = 128
#: ``request.meta`` key of an article request waiting in the scheduler
_WAITING = "danvan_waiting"


def fetch_order(article_ids: Iterable[str], hints: dict[str, int]) -> list[str]:
    """Article ids newest first by listing time (ids without one last, newest id first),
    so that a backfill stopped early holds the latest news, not the oldest.

    A re-published copy is then stored before its original, which claims it when it is
    stored (:class:`~danvan_crawler.store.Change` ``claimed``); the JSON Lines, written
    from the store after the crawl, carry the final ``duplicateOf``."""

    def key(article_id: str) -> tuple[int, float, int, str]:
        tail = int(article_id) if article_id.isdigit() else 0
        time = ListingHint.sort_time(hints.get(article_id))
        if time == float("inf"):
            return (1, 0.0, -tail, article_id)
        return (0, -time, -tail, article_id)

    return sorted(article_ids, key=key)


class ArticleFeed:
    """Tops the scheduler up with article requests: at most ``window`` of them wait there
    at a time (the rest are not built yet), so memory does not grow with the number of
    articles."""

    def __init__(self, crawler: Crawler, window: int = ARTICLE_WINDOW) -> None:
        self.crawler = crawler
        self.window = window
        self.requests: Iterator[Request] | None = None
        self.waiting = 0

    def feed(self) -> int:
        """Hand requests to the engine up to the window; how many were handed over."""
        if self.requests is None:
            return 0
        assert self.crawler.engine is not None
        batch: list[Request] = []
        while self.waiting + len(batch) < self.window:
            request = next(self.requests, None)
            if request is None:
                self.requests = None
                break
            request.meta[_WAITING] = True
            batch.append(request)
        self.waiting += len(batch)
        stats = self.crawler.stats
        if batch and stats is not None:
            stats.max_value("danvan/articles/waiting_max", self.waiting)
        # Within one priority the scheduler's memory queue is LIFO: pushed in reverse,
        # the requests leave it in fetch order.
        for request in reversed(batch):
            self.crawler.engine.crawl(request)
        return len(batch)

    def left_scheduler(self, request: Request, spider: Any = None) -> None:
        """``request_reached_downloader`` / ``request_dropped``: one article request less
        waiting; refill at half the window."""
        if request.meta.pop(_WAITING, False):
            self.waiting -= 1
            if self.waiting <= self.window // 2:
                self.feed()
