"""When Scrapy is done with a request leased from a shared queue (``danvan_crawler.distributed``):
:class:`LeaseAcks`, the outermost spider middleware, with Scrapy's public signals.

A leased request ends in one of three ways, each followed here:

- the downloader middlewares turn it into another request (a retry, a redirect), which
  carries its token: done once the engine has queued (or dropped) that one
  (``request_scheduled``, then the next turn of the loop);
- a response: its callback's output, as the spider middlewares leave it, passes through
  :meth:`LeaseAcks.process_spider_output_async`; an error no middleware recovers from
  ends it too (``spider_error``);
- a download failure: its errback's output, which skips the spider middlewares, passes
  through the errback the lease puts on the request (:class:`LeasedErrback`).

Requests in that output are handed to the engine at once (``engine.crawl``, as Scrapy
would a moment later), so they are in the queue before the lease ends; items are counted
until ``item_scraped``, ``item_dropped`` or ``item_error`` says each went through the
pipelines. The output that a spider middleware's ``process_spider_exception`` returns for
an error is not waited for: the project's (``CallbackErrors``) and Scrapy's
(``HttpErrorMiddleware``) return none; one that did would be warned of.
"""

from __future__ import annotations

import inspect
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.asyncio import call_later
from scrapy.utils.spider import iterate_spider_output
from twisted.python.failure import Failure

from danvan_crawler.pipelines.store import StoreStopped

logger = logging.getLogger(__name__)

#: ``request.meta`` key of a leased request's token (taken off before it is queued again)
LEASE_META = "danvan_lease"

FETCHING, ANSWERED, OUTPUT, DRAINED = range(4)


@dataclass(slots=True)
class Lease:
    """One request leased from the queue: ``data`` is what the queue acknowledges."""

    data: bytes
    stage: int = FETCHING
    #: output iterables being read
    readers: int = 0
    #: items handed to the pipelines and not through them yet
    items: int = 0
    #: an item was dropped because the store stopped: leave the request leased
    keep: bool = False


class LeasedErrback:
    """A leased request's errback: the original's output, followed (a download failure)
    or passed on untouched (an error of the spider middlewares' input, whose errback
    output goes through them)."""

    def __init__(self, acks: LeaseAcks, token: int, original: Callable[..., Any] | None) -> None:
        self.acks = acks
        self.token = token
        self.original = original

    def __call__(self, failure: Failure) -> Any:
        lease = self.acks.leases.get(self.token)
        if lease is None or lease.stage != FETCHING:
            return self._call(failure)
        lease.stage = OUTPUT
        try:
            output = self._call(failure)
        except BaseException:
            self.acks.drained(self.token)
            raise
        if isinstance(output, Failure):
            self.acks.drained(self.token)
            return output
        if hasattr(output, "__aiter__"):
            return self.acks.follow_async(self.token, output)
        if inspect.isawaitable(output):
            return self.acks.follow_async(self.token, _awaited(output))
        return self.acks.follow(self.token, iterate_spider_output(output))

    def _call(self, failure: Failure) -> Any:
        if self.original is None:  # as Scrapy does for a request without an errback
            failure.raiseException()
        return self.original(failure)


async def _awaited(awaitable: Any) -> AsyncIterator[Any]:
    for o in iterate_spider_output(await awaitable):
        yield o


class LeaseAcks(BaseSpiderMiddleware):
    """Tells the scheduler when each leased request is done (``settle(data, ack)``); on
    with a shared queue (``DANVAN_REDIS_URL``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.leases: dict[int, Lease] = {}
        self._tokens = itertools.count(1)
        #: the scheduler's: ``settle(data, ack)``; ack False leaves the request leased
        self.settle: Callable[[bytes, bool], None] | None = None
        crawler.signals.connect(self.scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.answered, signal=signals.response_received)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.item_done, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_done, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseAcks:
        if not crawler.settings.get("DANVAN_REDIS_URL"):
            raise NotConfigured  # without a message: Scrapy would warn of it in every crawl
        return cls(crawler)

    # -- the scheduler's side ---------------------------------------------------------------
    def lease(self, request: Request, data: bytes) -> None:
        """``request`` was just leased as ``data``."""
        token = next(self._tokens)
        self.leases[token] = Lease(data)
        request.meta[LEASE_META] = token
        request.errback = LeasedErrback(self, token, request.errback)

    def unlease(self, request: Request) -> None:
        """``request`` goes to the queue: take the lease's marks off it (copies of a
        leased request carry them)."""
        request.meta.pop(LEASE_META, None)
        if isinstance(request.errback, LeasedErrback):
            request.errback = request.errback.original

    # -- following a lease ----------------------------------------------------------------
    def _token(self, response: Response | Failure | None) -> int | None:
        request = getattr(response, "request", None)
        token = request.meta.get(LEASE_META) if isinstance(request, Request) else None
        return token if isinstance(token, int) and token in self.leases else None

    def scheduled(self, request: Request) -> None:
        """A request with the token of a lease the downloader has not answered replaces
        it (a retry, a redirect); the engine queues it, or a handler of this signal drops
        it (an offsite redirect), before the loop turns: the lease is done then."""
        token = request.meta.get(LEASE_META)
        lease = self.leases.get(token) if isinstance(token, int) else None
        if isinstance(token, int) and lease is not None and lease.stage == FETCHING:
            lease.stage = OUTPUT
            call_later(0, self.drained, token)

    def answered(self, response: Response, request: Request) -> None:
        token = self._token(response)
        if token is not None:
            self.leases[token].stage = ANSWERED

    def spider_error(self, failure: Failure, response: Response | Failure) -> None:
        """An error no spider middleware recovered from: what the callback yielded before
        it went through the readers already."""
        token = self._token(response)
        if token is not None and self.leases[token].stage == ANSWERED:
            self.drained(token)

    def item_done(self, item: Any, response: Response | Failure | None = None) -> None:
        token = self._token(response)
        if token is not None:
            self.leases[token].items -= 1
            self._check(token)

    def item_dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None = None
    ) -> None:
        token = self._token(response)
        if token is not None and isinstance(exception, StoreStopped):
            self.leases[token].keep = True
        self.item_done(item, response)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        token = self._token(response)
        if token is None:
            late = self._settled(response)
            async for o in result:
                if late and o is not None:
                    late = self._warn_late(response)
                yield o
            return
        async for o in self.follow_async(token, result):
            yield o

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterable[Any]:
        token = self._token(response)
        if token is not None:
            return self.follow(token, result)
        if self._settled(response):
            return self._late(response, result)
        return result

    def _late(self, response: Response | None, result: Iterable[Any]) -> Iterator[Any]:
        late = True
        for o in result:
            if late and o is not None:
                late = self._warn_late(response)
            yield o

    def _settled(self, response: Response | None) -> bool:
        """Whether ``response`` answers a request whose lease already ended."""
        request = getattr(response, "request", None)
        return isinstance(request, Request) and isinstance(request.meta.get(LEASE_META), int)

    def _warn_late(self, response: Response | None) -> bool:
        logger.warning(
            "output after its request was acknowledged (a spider middleware recovering from "
            "an error with output?): %s",
            getattr(response, "url", "?"),
        )
        return False

    def _reading(self, token: int) -> Lease:
        lease = self.leases[token]
        lease.stage = OUTPUT
        lease.readers += 1
        return lease

    def _take(self, lease: Lease, o: Any) -> bool:
        """Whether ``o`` goes on to the engine (an item); a request is queued now."""
        if isinstance(o, Request):
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(o)
            return False
        if o is not None:
            lease.items += 1
        return o is not None

    def follow(self, token: int, result: Iterable[Any]) -> Iterator[Any]:
        lease = self._reading(token)
        try:
            for o in result:
                if self._take(lease, o):
                    yield o
        finally:
            lease.readers -= 1
            self._check(token)

    async def follow_async(self, token: int, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        lease = self._reading(token)
        try:
            async for o in result:
                if self._take(lease, o):
                    yield o
        finally:
            lease.readers -= 1
            self._check(token)

    def drained(self, token: int) -> None:
        lease = self.leases.get(token)
        if lease is not None:
            lease.stage = DRAINED
            self._check(token)

    def _check(self, token: int) -> None:
        lease = self.leases.get(token)
        if lease is None or lease.readers or lease.items > 0:
            return
        if lease.stage == OUTPUT:
            lease.stage = DRAINED
        if lease.stage != DRAINED:
            return
        del self.leases[token]
        engine = self.crawler.engine
        # shutting down, or the store stopped: it stays leased, the scheduler's close()
        # puts it back in the queue
        ack = not lease.keep and engine is not None and engine.running
        if self.settle is not None:
            self.settle(lease.data, ack)
