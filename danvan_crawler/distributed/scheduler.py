"""The shared request queue: scrapy-redis' scheduler with leases, heartbeats and reaping
(what the package doc calls at-least-once)."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.misc import load_object
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler
from twisted.internet.task import LoopingCall

from danvan_crawler.middlewares.leases import LeaseAcks

logger = logging.getLogger(__name__)

DEFAULT_WORKER_TIMEOUT = 60.0

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


class LeasedPriorityQueue(PriorityQueue):
    """scrapy-redis' priority queue whose ``pop`` leases the request to this worker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inflight_key: str | None = None
        #: told of each lease: the request and what :meth:`ack` takes
        self.on_lease: Callable[[Request, bytes], None] | None = None
        self._pop = self.server.register_script(_POP)
        self._push_unseen = self.server.register_script(_PUSH_UNSEEN)

    def pop(self, timeout: int = 0) -> Request | None:
        if self.inflight_key is None:
            return super().pop(timeout)
        data = self._pop(keys=[self.key, self.inflight_key])
        if not data:
            return None
        request = self._decode_request(data)
        if self.on_lease is not None:
            self.on_lease(request, data)
        return request

    def push_unseen(self, request: Request, dupefilter_key: str, fingerprint: str) -> bool:
        """Push unless the fingerprint is in the dupefilter set, atomically; True if pushed."""
        data = self._encode_request(request)
        return bool(
            self._push_unseen(
                keys=[dupefilter_key, self.key], args=[fingerprint, -request.priority, data]
            )
        )

    def ack(self, data: bytes) -> None:
        if self.inflight_key is not None:
            self.server.zrem(self.inflight_key, data)


class RedisScheduler(Scheduler):
    """scrapy-redis' ``Scheduler`` with worker registration, leases and reaping."""

    crawler: Crawler
    #: Redis key prefix of the crawl (``DANVAN_REDIS_PREFIX``)
    prefix: str
    #: seconds without a heartbeat after which this worker counts as dead
    timeout: float
    #: ``<host>-<pid>-<random>``
    worker_id: str
    #: when each leased request is done (set when the scheduler opens)
    acks: LeaseAcks | None = None

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
        if self.acks is not None:
            self.acks.unlease(request)
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
        self._attach_acks()
        logger.info(
            "worker %s joined crawl %s (%d requests queued)",
            self.worker_id,
            self.prefix,
            len(self.queue),
        )

    def _attach_acks(self) -> None:
        """Acknowledge each request when Scrapy is done with it (``LeaseAcks``)."""
        acks = self.crawler.get_spider_middleware(LeaseAcks)
        if acks is None:
            raise NotConfigured("RedisScheduler needs the LeaseAcks spider middleware")
        acks.settle = self.settle
        self.queue.on_lease = acks.lease
        self.acks = acks

    def settle(self, data: bytes, ack: bool) -> None:
        """A leased request is done; ack False: leave it leased (``close`` puts it back)."""
        if ack:
            self.queue.ack(data)

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
