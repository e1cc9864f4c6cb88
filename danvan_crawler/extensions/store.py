"""The crawl's one :class:`~danvan_crawler.store.Store`, as a Scrapy extension.

Components reach it with ``crawler.get_extension(StoreExtension)`` (or
:meth:`StoreExtension.of`, which says what is missing when it is not enabled) and use
the store's public API only; article upserts go through :meth:`StoreExtension.upsert`,
a batch a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import groupby
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from danvan_crawler.errors import store_stopper
from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, DEFAULT_THRESHOLD
from danvan_crawler.store import DEFAULT_DB, Change, Store, open_store
from danvan_crawler.stream import prune

logger = logging.getLogger(__name__)

#: Most articles written in one transaction, setting ``DANVAN_STORE_BATCH`` (1: no batching).
DEFAULT_BATCH = 50
#: Longest wait for a batch to fill (seconds), setting ``DANVAN_STORE_BATCH_DELAY``.
DEFAULT_BATCH_DELAY = 0.25


class StoreExtension:
    """Opens the store from ``DANVAN_DB`` when the crawler is built (a bad store fails
    the crawl before it starts), writes articles in batches, and closes the store when
    the engine stops, its change log pruned (:func:`danvan_crawler.stream.prune`)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.db: str = settings.get("DANVAN_DB") or DEFAULT_DB
        self.store: Store = open_store(
            self.db,
            duplicate_threshold=settings.getfloat("DANVAN_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
            duplicate_min_tokens=settings.getint("DANVAN_DUPLICATE_MIN_TOKENS", DEFAULT_MIN_TOKENS),
        )
        logger.info("Article store: %s", self.db)
        self.batcher = StoreBatcher(
            lambda: self.store,
            settings.getint("DANVAN_STORE_BATCH", DEFAULT_BATCH),
            settings.getfloat("DANVAN_STORE_BATCH_DELAY", DEFAULT_BATCH_DELAY),
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreExtension:
        extension = cls(crawler)
        # Nothing is queued at close in a normal run (an item in the pipelines keeps the
        # engine busy until the timer writes it); this is the safety net.
        crawler.signals.connect(extension.batcher.flush, signal=signals.spider_closed)
        crawler.signals.connect(extension.close, signal=signals.engine_stopped)
        return extension

    @classmethod
    def of(cls, crawler: Crawler) -> StoreExtension:
        """This crawl's store extension (after the extensions are built)."""
        extension = crawler.get_extension(cls)
        if extension is None:
            raise NotConfigured(
                "the article store is not enabled: add "
                "danvan_crawler.extensions.StoreExtension to EXTENSIONS"
            )
        return extension

    async def upsert(self, item: Any, *, detect_duplicates: bool) -> Change:
        """Store ``item`` with the next batch; its change once that is committed."""
        return await self.batcher.upsert(item, detect_duplicates=detect_duplicates)

    def close(self) -> None:
        try:  # the change log keeps only what a JSON Lines consumer may want
            prune(self.store)
        except Exception as exc:
            # a full disk or a damaged store is reported once, by the command
            quiet = store_stopper(exc) is not None
            level = logging.DEBUG if quiet else logging.WARNING
            logger.log(level, "could not prune the store's change log", exc_info=True)
        finally:
            self.store.close()


class StoreBatcher:
    """The upserts of one crawl's pipelines, written a batch at a time.

    An item waits until :data:`DEFAULT_BATCH` items are queued or
    :data:`DEFAULT_BATCH_DELAY` seconds have passed, whichever comes first; then the
    queue is upserted in ONE transaction (in queue order, so a near-duplicate decision
    sees the earlier items of its batch) and each waiting item goes on with its own
    :class:`~danvan_crawler.store.Change`, after the commit. When a batch's transaction
    fails (nothing of it is written), its items are written one transaction each, so
    that only a faulty item fails (its ``await`` raises), as without batching.
    """

    def __init__(self, store_of: Callable[[], Store], size: int, delay: float) -> None:
        self._store_of = store_of
        self.size = max(1, size)
        self.delay = max(0.0, delay)
        self._queue: list[tuple[Any, bool, Deferred[Change]]] = []
        self._timer: CallLaterResult | None = None
        self._timer_now = False  # the timer fires at once (a full batch)

    async def upsert(self, item: Any, *, detect_duplicates: bool) -> Change:
        """Store ``item`` (with the next batch); its change once that is committed."""
        if self.size == 1 and not self._queue:
            (change,) = self._store_of().upsert([item], detect_duplicates=detect_duplicates)
            return change
        done: Deferred[Change] = Deferred()
        self._queue.append((item, detect_duplicates, done))
        self._schedule(now=len(self._queue) >= self.size)
        return await maybe_deferred_to_future(done)

    def _schedule(self, *, now: bool) -> None:
        if self._timer is not None:
            if self._timer_now or not now:
                return
            self._timer.cancel()
        self._timer = call_later(0 if now else self.delay, self.flush)
        self._timer_now = now

    def flush(self) -> None:
        """Write everything queued, then let each waiting item go on."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        queue, self._queue = self._queue, []
        outcomes: list[Change | Failure] = []
        for detect, group in groupby(queue, key=lambda entry: entry[1]):
            items = [entry[0] for entry in group]
            try:
                outcomes.extend(self._store_of().upsert(items, detect_duplicates=detect))
            except Exception as exc:
                if len(items) == 1 or store_stopper(exc) is not None:
                    # one item, or a full disk / damaged store: one by one fails alike
                    failure = Failure()
                    outcomes.extend(failure for _ in items)
                    continue
                logger.warning("A batch of %d articles failed: storing them one by one", len(items))
                for item in items:
                    try:
                        outcomes.extend(self._store_of().upsert([item], detect_duplicates=detect))
                    except Exception:
                        outcomes.append(Failure())
        for (_, _, done), outcome in zip(queue, outcomes, strict=True):
            if isinstance(outcome, Failure):
                done.errback(outcome)
            else:
                done.callback(outcome)
