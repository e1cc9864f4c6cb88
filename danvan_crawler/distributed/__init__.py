"""Distributed crawling on Redis: N worker processes (one or many machines) share a crawl.

Settings only (:func:`redis_settings`): ``DANVAN_REDIS_URL`` (``--redis URL``) switches
``SCHEDULER`` to :class:`RedisScheduler` (scrapy-redis' ``Scheduler``) and
``DUPEFILTER_CLASS`` to scrapy-redis' ``RFPDupeFilter``, with keys under
``DANVAN_REDIS_PREFIX`` (default ``danvan:<site key>``). ``danvan seed`` resets that crawl
and pushes its first requests; every ``danvan worker`` pops requests from the shared
queue until the crawl is done. scrapy-redis 0.9.1 works with Scrapy 2.19 (its
scheduler satisfies Scrapy's duck-typed scheduler interface; three of its methods use
APIs 2.19 deprecates and are overridden). What it lacks is a guarantee for requests a
worker has popped but not finished, added here, and an atomic dupefilter check + push
(one Lua script here: a worker killed between scrapy-redis' two calls would leave a
request marked seen but never queued):

**Leases (at-least-once).** :class:`LeasedPriorityQueue` (``SCHEDULER_QUEUE_CLASS``,
a subclass of scrapy-redis' ``PriorityQueue``) pops a request and records it in the
worker's in-flight set ``<prefix>:inflight:<worker>`` in one Lua script; the request is
acknowledged (removed from that set) only when Scrapy is completely done with it: its
callback or errback ran, the requests it yielded are in the queue, its items went
through the pipelines (the store); the spider middleware
``danvan_crawler.middlewares.leases.LeaseAcks`` follows each lease to that point. Each
worker refreshes ``<prefix>:worker:<id>`` every
``DANVAN_WORKER_TIMEOUT / 3`` seconds; a worker whose key expired (killed, machine lost)
is reaped by any live worker: its in-flight requests go back to the queue, with their
priority. A worker that shuts down (SIGTERM, Ctrl-C) puts back what it did not finish.
So no request is ever lost; a request in flight when its worker died is fetched again
(stores are idempotent upserts), and a worker stalled longer than the timeout may see
its requests done twice. Without a death, each request is fetched once (the shared
dupefilter).

**Per-run state across workers.** With ``DANVAN_CRAWL_STATE = "redis"`` (part of
:func:`redis_settings`) the ``portal`` spider's state is :class:`RedisCrawl`: what a
single-process crawl keeps in memory is kept in Redis instead: categories
(``<prefix>:categories``), which categories listed each article
(``<prefix>:listed:<id>``), each article's URL (``<prefix>:article_urls``); articles
listed and categories claimed go through ``shared.SharedListings``, the spider's
``listings`` (``spiders.listings.CrawlListings``). The listing phase is over when the
queue is empty and no worker holds a lease (one Lua script reads both, atomically); then
exactly one worker (compare-and-set on ``<prefix>:phase``: ``listing`` ->
``scheduling:<worker>`` -> ``articles``) schedules one request per article, so every
article carries all its categories, as in a single-process crawl. When the articles
phase drains, one worker sets ``done`` (:attr:`RedisCrawl.finished_crawl`:
the one process that may publish) and every worker exits. Incremental, partly: every
listing page is walked (conditional requests and stop rules are per-process bookkeeping
of ``spiders.state.LocalCrawl`` and are off), but only new articles and those whose listing
entry changed are fetched (listing signatures in ``<prefix>:signatures`` against the
store's); known, unchanged ones get the categories this crawl saw merged in.
``DANVAN_REFRESH`` fetches all.

Needs one Redis node (the Lua scripts build key names). Install with the ``scale`` extra.
"""

from __future__ import annotations

from typing import Any

from danvan_crawler.distributed.scheduler import LeasedPriorityQueue, RedisScheduler
from danvan_crawler.distributed.shared import SharedCrawl, shared_crawl
from danvan_crawler.distributed.state import RedisCrawl

__all__ = [
    "LeasedPriorityQueue",
    "RedisCrawl",
    "RedisScheduler",
    "SharedCrawl",
    "default_prefix",
    "redis_settings",
    "shared_crawl",
]


def default_prefix(site_key: str) -> str:
    return f"danvan:{site_key}"


def redis_settings(redis_url: str, prefix: str) -> dict[str, Any]:
    """The settings that make a crawl distributed (apply at ``cmdline`` priority)."""
    return {
        "DANVAN_REDIS_URL": redis_url,
        "DANVAN_REDIS_PREFIX": prefix,
        "DANVAN_CRAWL_STATE": "redis",
        "REDIS_URL": redis_url,
        "SCHEDULER": "danvan_crawler.distributed.RedisScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "danvan_crawler.distributed.LeasedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        # The queue outlives every worker: only `danvan seed` clears it.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
    }
