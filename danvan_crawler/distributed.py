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
through the pipelines (the store). Each worker refreshes ``<prefix>:worker:<id>`` every
``DANVAN_WORKER_TIMEOUT / 3`` seconds; a worker whose key expired (killed, machine lost)
is reaped by any live worker: its in-flight requests go back to the queue, with their
priority. A worker that shuts down (SIGTERM, Ctrl-C) puts back what it did not finish.
So no request is ever lost; a request in flight when its worker died is fetched again
(stores are idempotent upserts), and a worker stalled longer than the timeout may see
its requests done twice. Without a death, each request is fetched once (the shared
dupefilter).

**Per-run state across workers.** :class:`DistributedPortalSpider` keeps what the
``portal`` spider keeps in memory in Redis instead: categories (``<prefix>:categories``),
which categories listed each article (``<prefix>:listed:<id>``), each article's URL
(``<prefix>:article_urls``). The listing phase is over when the queue is empty and no
worker holds a lease (one Lua script reads both, atomically); then exactly one worker
(compare-and-set on ``<prefix>:phase``: ``listing`` -> ``scheduling:<worker>`` ->
``articles``) schedules one request per article, so every article carries all its
categories, as in a single-process crawl. When the articles phase drains, one worker
sets ``done`` (:attr:`DistributedPortalSpider.finished_crawl`: the one process that may
publish) and every worker exits. Incremental, partly: every listing page is walked
(conditional requests and stop rules are per-process bookkeeping in ``spiders/portal.py``
and are off), but only new articles and those whose listing entry changed are fetched
(listing signatures in ``<prefix>:signatures`` against the store's); known, unchanged
ones get the categories this crawl saw merged in. ``DANVAN_REFRESH`` fetches all.

Needs one Redis node (the Lua scripts build key names). Install with the ``scale`` extra.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NoReturn, cast

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from danvan_crawler.extensions.incremental import CUT_STORED_META
from danvan_crawler.extensions.store import StoreExtension
from danvan_crawler.extract import ListingPage
from danvan_crawler.extract.navigation import CategoryLink, classify
from danvan_crawler.extract.truncation import ListingHint
from danvan_crawler.incremental import CUT_MAX_RUNS, listing_signature, next_cut_signature
from danvan_crawler.spiders.portal import ARTICLE_PRIORITY_BANDS, CategoryInfo, PortalSpider
from danvan_crawler.store import Store

logger = logging.getLogger(__name__)

__all__ = [
    "DistributedPortalSpider",
    "LeasedPriorityQueue",
    "RedisScheduler",
    "SharedCrawl",
    "redis_settings",
]

LISTING, ARTICLES, DONE, SCHEDULING = "listing", "articles", "done", "scheduling:"
DEFAULT_WORKER_TIMEOUT = 60.0
#: How often an idle worker looks at the shared crawl again (seconds).
IDLE_POLL = 0.25


def default_prefix(site_key: str) -> str:
    return f"danvan:{site_key}"


def redis_settings(redis_url: str, prefix: str) -> dict[str, Any]:
    """The settings that make a crawl distributed (apply at ``cmdline`` priority)."""
    return {
        "DANVAN_REDIS_URL": redis_url,
        "DANVAN_REDIS_PREFIX": prefix,
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


# Pop the best request and lease it to a worker, atomically.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
redis.call('ZADD', KEYS[2], r[2], r[1])
return r[1]
"""
# The dupefilter's SADD and the queue's ZADD as one step.
_PUSH_UNSEEN = """
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
# Put a worker's leased requests back in the queue, forget the worker.
_REQUEUE = """
local items = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES')
for i = 1, #items, 2 do redis.call('ZADD', KEYS[1], items[i + 1], items[i]) end
redis.call('DEL', KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return #items / 2
"""
# Requests queued plus requests leased by any registered worker.
_OUTSTANDING = """
local n = redis.call('ZCARD', KEYS[1])
for _, wid in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  n = n + redis.call('ZCARD', ARGV[1] .. wid)
end
return n
"""
_CAS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue whose ``pop`` leases the request to this worker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inflight_key: str | None = None
        self._leases: dict[int, bytes] = {}
        self._pop = self.server.register_script(_POP)
        self._push_unseen = self.server.register_script(_PUSH_UNSEEN)

    def pop(self, timeout: int = 0) -> Request | None:
        if self.inflight_key is None:
            return super().pop(timeout)
        data = self._pop(keys=[self.key, self.inflight_key])
        if not data:
            return None
        request = self._decode_request(data)
        self._leases[id(request)] = data
        return request

    def push_unseen(self, request: Request, dupefilter_key: str, fingerprint: str) -> bool:
        """Push unless the fingerprint is in the dupefilter set, atomically; True if pushed."""
        data = self._encode_request(request)
        return bool(
            self._push_unseen(
                keys=[dupefilter_key, self.key], args=[fingerprint, -request.priority, data]
            )
        )

    def ack(self, request: Request) -> None:
        data = self._leases.pop(id(request), None)
        if data is not None and self.inflight_key is not None:
            self.server.zrem(self.inflight_key, data)

    def forget(self, request: Request) -> None:
        """Drop the local lease record, leave the request leased in Redis."""
        self._leases.pop(id(request), None)


class RedisScheduler(Scheduler):
    """scrapy-redis' ``Scheduler`` with worker registration, leases and reaping."""

    crawler: Crawler
    #: Redis key prefix of the crawl (``DANVAN_REDIS_PREFIX``)
    prefix: str
    #: seconds without a heartbeat after which this worker counts as dead
    timeout: float
    #: ``<host>-<pid>-<random>``
    worker_id: str

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        settings = crawler.settings
        instance.prefix = settings.get("DANVAN_REDIS_PREFIX") or "danvan"
        instance.timeout = settings.getfloat("DANVAN_WORKER_TIMEOUT", DEFAULT_WORKER_TIMEOUT)
        host = socket.gethostname().split(".")[0]
        instance.worker_id = f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        return instance

    # -- keys ---------------------------------------------------------------------------
    @property
    def workers_key(self) -> str:
        return f"{self.prefix}:workers"

    def heartbeat_key(self, worker_id: str) -> str:
        return f"{self.prefix}:worker:{worker_id}"

    def inflight_key(self, worker_id: str) -> str:
        return f"{self.prefix}:inflight:{worker_id}"

    # -- scrapy-redis 0.9.1 on Scrapy 2.19 ------------------------------------------------
    # The library's open/enqueue_request/next_request call ``Spider.log()`` and pass
    # ``spider=`` to the stats collector, both deprecated in Scrapy 2.19 (warnings); the
    # same three methods without them:
    def open(self, spider: Any) -> None:
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server,
            spider=spider,
            key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer,
        )
        if not self.df:  # type: ignore[has-type]  # scrapy-redis is untyped
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        self._open_worker()

    def enqueue_request(self, request: Request) -> bool:
        """Dupefilter check and push in one Lua script (scrapy-redis does two calls: a
        worker killed between them would leave a request marked seen but never queued)."""
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_unseen(request, self.df.key, self.df.request_fingerprint(request)):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        request = self.queue.pop(self.idle_before_close)
        if request is not None and self.stats is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- life cycle ---------------------------------------------------------------------
    def _open_worker(self) -> None:
        if not isinstance(self.queue, LeasedPriorityQueue):
            raise NotConfigured("RedisScheduler needs SCHEDULER_QUEUE_CLASS LeasedPriorityQueue")
        self._requeue = self.server.register_script(_REQUEUE)
        self._outstanding = self.server.register_script(_OUTSTANDING)
        self.queue.inflight_key = self.inflight_key(self.worker_id)
        self.beat()
        self._heartbeat = LoopingCall(self.beat)
        self._heartbeat.start(max(self.timeout / 3, 0.1), now=False)
        self._hook_request_done()
        logger.info(
            "worker %s joined crawl %s (%d requests queued)",
            self.worker_id,
            self.prefix,
            len(self.queue),
        )

    def _hook_request_done(self) -> None:
        """Acknowledge each request when the engine is done with it. Scrapy has no public
        signal for "request fully processed"; the engine's slot ``remove_request`` is the
        one place every popped request leaves through (after its callback output and
        items were processed, or after a retry/redirect was scheduled)."""
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        if slot is None or not hasattr(slot, "remove_request"):
            raise NotConfigured("RedisScheduler: this Scrapy version has no engine slot hook")
        original = slot.remove_request

        def remove_request(request: Request) -> None:
            if slot.closing:  # shutting down: keep it leased, close() puts it back
                self.queue.forget(request)
            else:
                self.queue.ack(request)
            original(request)

        slot.remove_request = remove_request

    def beat(self) -> None:
        pipe = self.server.pipeline()
        # the value names the store this worker writes to (``danvan worker`` compares)
        store = self.crawler.settings.get("DANVAN_STORE_IDENTITY") or "1"
        pipe.set(self.heartbeat_key(self.worker_id), store, px=int(self.timeout * 1000))
        pipe.sadd(self.workers_key, self.worker_id)
        pipe.execute()

    def close(self, reason: str) -> None:
        if getattr(self, "_heartbeat", None) is not None and self._heartbeat.running:
            self._heartbeat.stop()
        put_back = self._requeue(
            keys=[self.queue.key, self.inflight_key(self.worker_id), self.workers_key],
            args=[self.worker_id],
        )
        if put_back:
            logger.info("worker %s put %d unfinished requests back", self.worker_id, put_back)
        self.server.delete(self.heartbeat_key(self.worker_id))
        super().close(reason)

    # -- the shared crawl ---------------------------------------------------------------
    def alive(self, worker_id: str) -> bool:
        return bool(self.server.exists(self.heartbeat_key(worker_id)))

    def reap(self) -> int:
        """Requeue the leases of workers whose heartbeat expired; how many requests."""
        total = 0
        for raw in self.server.smembers(self.workers_key):
            worker_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            if worker_id == self.worker_id or self.alive(worker_id):
                continue
            count = int(
                self._requeue(
                    keys=[self.queue.key, self.inflight_key(worker_id), self.workers_key],
                    args=[worker_id],
                )
            )
            logger.warning(
                "worker %s stopped answering: %d of its requests back in the queue",
                worker_id,
                count,
            )
            if self.stats is not None:
                self.stats.inc_value("danvan/distributed/requeued", count)
                self.stats.inc_value("danvan/distributed/reaped_workers")
            total += count
        return total

    def outstanding(self) -> int:
        """Requests queued or leased by any worker (one atomic read)."""
        return int(
            self._outstanding(
                keys=[self.queue.key, self.workers_key], args=[f"{self.prefix}:inflight:"]
            )
        )


class SharedCrawl:
    """The per-run state of a distributed crawl, in Redis under ``prefix``."""

    def __init__(self, server: Any, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self._cas = server.register_script(_CAS)

    @classmethod
    def from_url(cls, redis_url: str, prefix: str) -> SharedCrawl:
        import redis

        return cls(redis.Redis.from_url(redis_url, decode_responses=True), prefix)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # -- phase ----------------------------------------------------------------------------
    def phase(self) -> str | None:
        value = self.server.get(self.key("phase"))
        return str(value) if value is not None else None

    def cas_phase(self, old: str, new: str) -> bool:
        return bool(self._cas(keys=[self.key("phase")], args=[old, new]))

    def reset(self) -> int:
        """Forget everything about the crawl under this prefix (queue, dupefilter, state,
        leases) but the workers waiting for it; the number of keys deleted."""
        workers = (self.key("workers"), self.key("worker:"))
        keys = [
            k
            for k in self.server.scan_iter(match=f"{self.prefix}:*", count=1000)
            if not k.startswith(workers)
        ]
        for start in range(0, len(keys), 500):
            self.server.delete(*keys[start : start + 500])
        return len(keys)

    def live_workers(self) -> list[str]:
        return sorted(
            w
            for w in self.server.smembers(self.key("workers"))
            if self.server.exists(self.key(f"worker:{w}"))
        )

    # -- which store the workers write to ---------------------------------------------------
    def worker_stores(self) -> dict[str, str]:
        """The store identity of each live worker, and of each worker about to start
        (:meth:`claim_store`); ``"1"`` for a worker that does not say."""
        found: dict[str, str] = {}
        for worker in self.server.smembers(self.key("workers")):
            value = self.server.get(self.key(f"worker:{worker}"))
            if value is not None:
                found[str(worker)] = str(value)
        for key in self.server.scan_iter(match=self.key("starting:*"), count=100):
            value = self.server.get(key)
            if value is not None:
                found[str(key).removeprefix(self.key("starting:"))] = str(value)
        return found

    def claim_store(self, token: str, identity: str, seconds: float) -> None:
        """Say that a worker about to start will write to ``identity`` (for ``seconds``,
        until its heartbeat says it)."""
        self.server.set(self.key(f"starting:{token}"), identity, px=int(seconds * 1000))

    def release_claim(self, token: str) -> None:
        self.server.delete(self.key(f"starting:{token}"))

    # -- categories and listings ----------------------------------------------------------
    def claim_category(self, info: CategoryInfo) -> bool:
        """Record a category; False when another worker (or page) already did."""
        return bool(self.server.hsetnx(self.key("categories"), info.url, _dump(info)))

    def save_category(self, info: CategoryInfo) -> None:
        self.server.hset(self.key("categories"), info.url, _dump(info))

    def category(self, url: str) -> CategoryInfo | None:
        raw = self.server.hget(self.key("categories"), url)
        return _load(raw) if raw else None

    def categories(self, urls: list[str]) -> dict[str, CategoryInfo]:
        if not urls:
            return {}
        raws = self.server.hmget(self.key("categories"), urls)
        return {u: _load(r) for u, r in zip(urls, raws, strict=True) if r}

    def note_listed(self, article_id: str, url: str, category_url: str) -> bool:
        """Record that a category listed an article; True the first time it is listed."""
        pipe = self.server.pipeline()
        pipe.sadd(self.key(f"listed:{article_id}"), category_url)
        pipe.hsetnx(self.key("article_urls"), article_id, url)
        return bool(pipe.execute()[1])

    def note_signatures(self, signatures: dict[str, str]) -> None:
        """The first listing signature seen this crawl per article (as one process keeps)."""
        if signatures:
            pipe = self.server.pipeline()
            for article_id, signature in signatures.items():
                pipe.hsetnx(self.key("signatures"), article_id, signature)
            pipe.execute()

    def signature(self, article_id: str) -> str | None:
        value = self.server.hget(self.key("signatures"), article_id)
        return str(value) if value is not None else None

    def signatures(self, article_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(article_ids), 1000):
            chunk = article_ids[start : start + 1000]
            values = self.server.hmget(self.key("signatures"), chunk)
            out.update({a: v for a, v in zip(chunk, values, strict=True) if v is not None})
        return out

    def listed_in(self, article_id: str) -> set[str]:
        return set(self.server.smembers(self.key(f"listed:{article_id}")))

    def article_urls(self) -> Iterator[tuple[str, str]]:
        yield from self.server.hscan_iter(self.key("article_urls"), count=1000)


def _timestamp(signature: str | None) -> float:
    """POSIX time of a listing signature that is an ISO time (others: last)."""
    if signature:
        try:
            return datetime.fromisoformat(signature).timestamp()
        except ValueError:
            pass
    return float("inf")


def _num(article_id: str) -> int:
    return int(article_id) if article_id.isdigit() else 0


def _dump(info: CategoryInfo) -> str:
    return json.dumps(
        {
            "url": info.url,
            "slug": info.slug,
            "name": info.name,
            "sub_site": info.sub_site,
            "link_text": info.link_text,
        },
        ensure_ascii=False,
    )


def _load(raw: str) -> CategoryInfo:
    return CategoryInfo(**json.loads(raw))


class DistributedPortalSpider(PortalSpider):
    """The ``portal`` spider with its per-run state in Redis (see the module doc)."""

    name = "portal"
    shared: SharedCrawl
    articles_requested: set[str]

    #: True in the one worker that moved the crawl to ``done`` (it may publish).
    finished_crawl = False
    #: fetch only new and changed articles (``DANVAN_INCREMENTAL`` and not ``--refresh``)
    skip_known = False
    #: This worker saw the crawl running (a worker started after ``done`` waits for the
    #: next seed instead of exiting at once).
    took_part = False

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DistributedPortalSpider:
        spider = cast(DistributedPortalSpider, super().from_crawler(crawler, *args, **kwargs))
        spider.shared = shared_crawl(crawler.settings)
        spider.articles_requested = set()  # ids this worker put in the shared queue
        crawler.signals.connect(spider.log_phase, signal=signals.spider_opened)
        crawler.signals.connect(spider.worked, signal=signals.response_received)
        return spider

    def worked(self) -> None:
        self.took_part = True

    def setup_incremental(self, crawler: Crawler) -> None:
        """Distributed crawls walk every listing page (no conditional requests, no stop
        rule: that bookkeeping is per process); with ``DANVAN_INCREMENTAL`` (default on)
        they fetch only articles that are new or whose listing entry changed (the
        listing signatures of ``danvan_crawler.incremental``, kept in the store), and
        merge new categories into known, unchanged ones. ``DANVAN_REFRESH``: fetch all."""
        self.inc = None
        settings = crawler.settings
        self.skip_known = settings.getbool("DANVAN_INCREMENTAL", True) and not settings.getbool(
            "DANVAN_REFRESH"
        )
        if settings.getbool("DANVAN_INCREMENTAL", True):
            crawler.signals.connect(self.remember_signature, signal=signals.item_scraped)
            crawler.signals.connect(self.remember_signature, signal=signals.item_dropped)
        mode = "new and changed articles" if self.skip_known else "every article"
        logger.info("distributed crawl: every listing page, %s", mode)

    def store(self) -> Store:
        return StoreExtension.of(self.crawler).store

    def remember_signature(self, item: Any, response: Response | None = None) -> None:
        """An article went through the store: remember the listing signature it was
        fetched for (only once it is stored: a signature alone would hide it)."""
        article_id = response.meta.get("danvan_article_id") if response is not None else None
        if not article_id:
            return
        signature = self.shared.signature(article_id)
        store = self.store()
        if signature is not None and store.known_ids([article_id]):
            if response is not None and response.meta.get(CUT_STORED_META):
                signature = self.cut_signature(article_id, signature)
            store.set_listing_signatures({article_id: signature})

    def cut_signature(self, article_id: str, seen: str) -> str:
        """The signature of an article whose page looked cut (``incremental``): fetched
        again by the next crawls, ``DANVAN_CUT_MAX_RUNS`` at most."""
        stored = self.store().listing_signatures([article_id]).get(article_id)
        limit = self.crawler.settings.getint("DANVAN_CUT_MAX_RUNS", CUT_MAX_RUNS)
        return next_cut_signature(stored, seen, limit)

    def cut_after_retries(self, item: Any, response: Response) -> bool:
        """As the single-process spider: a new article is stored as it is and fetched
        again by the next crawls; a stored one keeps its stored version (True)."""
        if not self.skip_known:
            return False
        article_id = str(response.meta.get("danvan_article_id") or "")
        store = self.store()
        if not article_id or not store.known_ids([article_id]):
            response.meta[CUT_STORED_META] = True  # see remember_signature
            return False
        seen = self.shared.signature(article_id)
        if seen is not None:
            store.set_listing_signatures({article_id: self.cut_signature(article_id, seen)})
        self._stat("fault/cut_kept_stored")
        return True

    def log_phase(self, spider: Any) -> None:
        phase = self.shared.phase()
        self.took_part = phase not in (None, DONE)
        logger.info("crawl %s: phase %s", self.shared.prefix, phase)

    @property
    def scheduler(self) -> RedisScheduler:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        if not isinstance(scheduler, RedisScheduler):
            raise NotConfigured("DistributedPortalSpider needs the RedisScheduler (--redis URL)")
        return scheduler

    def _stat(self, key: str, count: int = 1) -> None:
        if getattr(self, "crawler", None) is not None:  # `danvan seed` runs without one
            super()._stat(key, count)

    # -- what to fetch ---------------------------------------------------------------------
    async def start(self) -> Any:
        """Nothing: ``danvan seed`` pushes the first requests (:meth:`seed_requests`)."""
        return
        yield  # an async generator

    def seed_requests(self) -> list[Request]:
        """The home page and the categories the overrides name (what ``start`` yields in
        a single-process crawl)."""
        requests: list[Request] = [self.home_request()]
        for key in self.overrides:
            if key.startswith(("http://", "https://")) and classify(key, self.profile):
                request = self.follow_category(CategoryLink(key, self._slug_of(key), ""))
                if request is not None:
                    requests.append(request)
        return requests

    def follow_category(self, link: CategoryLink) -> Request | None:
        if not self.should_follow_category(link):
            return None
        info = self.category_info(link)
        if link.url in self.categories:
            return None
        # The first worker records the category; every worker that meets it asks for its
        # first page (the shared dupefilter keeps one): a worker killed right after
        # recording it cannot lose the category, the page that linked it is parsed again.
        if self.shared.claim_category(info):
            self._stat("categories")
        else:
            info = self.shared.category(link.url) or info
        self.categories[link.url] = info
        return self.listing_request(link.url, info)

    def _parse_listing_shared(self, response: Response, category_url: str) -> Iterator[Any]:
        if category_url not in self.categories:
            self.categories[category_url] = self.shared.category(category_url) or CategoryInfo(
                url=category_url, slug=self._slug_of(category_url)
            )
        yield from super().parse_listing(response, category_url)
        self.shared.save_category(self.categories[category_url])

    def parse_listing(self, response: Response, category_url: str) -> Iterator[Any]:
        yield from self._parse_listing_shared(response, category_url)
        if isinstance(response, TextResponse):  # what each entry says of its article
            listing = ListingPage(response.text, response.url, self.profile)
            self.shared.note_signatures(
                {e.article_id: listing_signature(e) for e in listing.entries}
            )

    def note_listed(self, article_id: str, url: str, info: CategoryInfo) -> None:
        if self.shared.note_listed(article_id, url, info.url):
            self._stat("articles/listed")

    def article_requests(self) -> Iterator[Request]:
        listed = [(a, u) for a, u in self.shared.article_urls() if a not in self.articles_requested]
        self.articles_requested.update(a for a, _ in listed)
        unchanged: set[str] = set()
        if self.skip_known and listed:
            store = self.store()
            ids = [a for a, _ in listed]
            known = store.known_ids(ids)
            stored = store.listing_signatures(known)
            seen = self.shared.signatures(sorted(known))
            unchanged = {a for a in known if a in stored and stored[a] == seen.get(a)}
        # Newest first by listing time, in priority bands, as the single-process spider
        # does (a backfill stopped early holds the latest news).
        times = self.shared.signatures(sorted(a for a, _ in listed))

        def newest_first(pair: tuple[str, str]) -> tuple[bool, float, int, str]:
            when = _timestamp(times.get(pair[0]))
            undated = when == float("inf")
            return (undated, 0.0 if undated else -when, -_num(pair[0]), pair[0])

        listed.sort(key=newest_first)
        for rank, (article_id, url) in enumerate(listed):
            if article_id in unchanged:
                self._stat("articles/skipped")
                self.merge_known_categories(article_id)
                continue
            self._stat("articles/requested")
            priority = -(rank * ARTICLE_PRIORITY_BANDS // len(listed))
            when = _timestamp(times.get(article_id))
            hint = ListingHint(int(when)).pack() if when != float("inf") else None
            yield self.article_request(article_id, url, priority, hint)

    def merge_known_categories(self, article_id: str) -> None:
        """A known, unchanged article: add the categories this crawl saw it in."""
        store = self.store()
        cats = self.categories_of(article_id)
        record = store.get(article_id) or {}
        have = {c.get("url") for c in record.get("categories") or ()}
        if {c["url"] for c in cats} - have and store.merge_categories(article_id, cats):
            self._stat("incremental/categories_merged")

    def categories_of(self, *article_ids: str) -> list[dict[str, Any]]:
        urls: set[str] = set()
        for article_id in article_ids:
            urls |= self.shared.listed_in(article_id)
        infos = self.shared.categories(sorted(urls))
        return [
            (infos.get(u) or CategoryInfo(url=u, slug=self._slug_of(u))).as_item()
            for u in sorted(urls)
        ]

    # -- phases ----------------------------------------------------------------------------
    def spider_idle(self) -> None:
        """This worker has nothing to do: move the shared crawl on, or wait for it."""
        scheduler = self.scheduler
        scheduler.reap()
        phase = self.shared.phase()
        if phase == DONE and self.took_part:
            return  # close
        me = scheduler.worker_id
        if phase is None or phase == DONE:  # started between crawls: wait for the next
            self._wait("no crawl seeded yet (danvan seed)")
        self.took_part = True
        if phase.startswith(SCHEDULING):
            owner = phase.removeprefix(SCHEDULING)
            if owner != me and not scheduler.alive(owner):
                self.shared.cas_phase(phase, LISTING)  # it died scheduling: start over
            self._wait("articles being scheduled")
        if scheduler.outstanding() > 0:
            self._wait("")
        if phase == LISTING:
            if self.shared.cas_phase(LISTING, SCHEDULING + me):
                requests = list(self.article_requests())
                logger.info("listing phase done: %d articles to fetch", len(requests))
                assert self.crawler.engine is not None
                for request in requests:
                    self.crawler.engine.crawl(request)
                self.shared.cas_phase(SCHEDULING + me, ARTICLES)
            self._wait("")
        if phase == ARTICLES and self.shared.cas_phase(ARTICLES, DONE):
            self.finished_crawl = True
            logger.info("crawl %s done (this worker closed it)", self.shared.prefix)

    def _wait(self, why: str) -> NoReturn:
        if why:
            logger.debug("waiting: %s", why)
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule(IDLE_POLL)  # look again soon (the engine's own beat is 5 s)
        raise DontCloseSpider


def shared_crawl(settings: BaseSettings) -> SharedCrawl:
    url = settings.get("DANVAN_REDIS_URL") or settings.get("REDIS_URL")
    if not url:
        raise NotConfigured("distributed crawl: set DANVAN_REDIS_URL (--redis URL)")
    return SharedCrawl.from_url(url, settings.get("DANVAN_REDIS_PREFIX") or "danvan")
