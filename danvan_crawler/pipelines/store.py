"""The store stage, and the one :class:`~danvan_crawler.store.Store` a crawl shares."""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import groupby
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from danvan_crawler.errors import store_stopper
from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, DEFAULT_THRESHOLD
from danvan_crawler.store import DEFAULT_DB, Change, Store, open_store
from danvan_crawler.stream import date_flags, prune

logger = logging.getLogger(__name__)

_ATTR = "_danvan_store"
_BATCHER_ATTR = "_danvan_store_batcher"
#: Most articles written in one transaction, setting ``DANVAN_STORE_BATCH`` (1: no batching).
DEFAULT_BATCH = 50
#: Longest wait for a batch to fill (seconds), setting ``DANVAN_STORE_BATCH_DELAY``.
DEFAULT_BATCH_DELAY = 0.25


def crawler_store(crawler: Crawler) -> Store:
    """The store of this crawl (opened once from ``DANVAN_DB``, closed with the spider,
    its change log pruned then: :func:`danvan_crawler.stream.prune`)."""
    found: Store | None = getattr(crawler, _ATTR, None)
    if found is not None:
        return found
    settings = crawler.settings
    db = settings.get("DANVAN_DB") or DEFAULT_DB
    store = open_store(
        db,
        duplicate_threshold=settings.getfloat("DANVAN_DUPLICATE_THRESHOLD", DEFAULT_THRESHOLD),
        duplicate_min_tokens=settings.getint("DANVAN_DUPLICATE_MIN_TOKENS", DEFAULT_MIN_TOKENS),
    )
    logger.info("Article store: %s", db)
    setattr(crawler, _ATTR, store)

    def _close() -> None:
        if getattr(crawler, _ATTR, None) is store:
            delattr(crawler, _ATTR)
            try:  # the change log keeps only what a JSON Lines consumer may want
                prune(store)
            except Exception as exc:
                # a full disk or a damaged store is reported once, by the command
                quiet = store_stopper(exc) is not None
                level = logging.DEBUG if quiet else logging.WARNING
                logger.log(level, "could not prune the store's change log", exc_info=True)
            finally:
                store.close()

    crawler.signals.connect(_close, signal=signals.engine_stopped, weak=False)
    return store


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

    @classmethod
    def of(cls, crawler: Crawler) -> StoreBatcher:
        """The batcher of this crawl (settings ``DANVAN_STORE_BATCH``, ``..._DELAY``)."""
        batcher: StoreBatcher | None = getattr(crawler, _BATCHER_ATTR, None)
        if batcher is None:
            settings = crawler.settings
            batcher = cls(
                lambda: crawler_store(crawler),
                settings.getint("DANVAN_STORE_BATCH", DEFAULT_BATCH),
                settings.getfloat("DANVAN_STORE_BATCH_DELAY", DEFAULT_BATCH_DELAY),
            )
            setattr(crawler, _BATCHER_ATTR, batcher)
            # Nothing is queued at close in a normal run (an item in the pipelines keeps
            # the engine busy until the timer writes it); this is the safety net.
            crawler.signals.connect(batcher.flush, signal=signals.spider_closed, weak=False)
        return batcher

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


class StorePipeline:
    """Upsert into the store; only ``new`` and ``updated`` articles go on, with ``change``.

    Unchanged articles (and known ones that only gained a category or URL) are dropped
    with the reason counted (``danvan/store/unchanged``, ``danvan/store/merged``), so the
    run's FEEDS output holds only what changed (with ``revision`` and the date flags of
    :mod:`danvan_crawler.stream`, the format of every JSON Lines output).
    ``DANVAN_EMIT_UNCHANGED = True`` lets them through (with ``change`` None). Near
    duplicates are decided here, in the upsert transaction
    (``danvan/dedupe/near_duplicate``; ``DANVAN_DEDUPE_NEAR = False`` keeps the item's own
    ``duplicateOf``). Items are written in batches (:class:`StoreBatcher`):
    an item goes on (and ``item_scraped``/``item_dropped`` fire) once its batch is
    committed.
    """

    def __init__(
        self,
        crawler: Crawler,
        stats: StatsCollector,
        emit_unchanged: bool = False,
        detect_duplicates: bool = True,
    ) -> None:
        self.crawler = crawler
        self.stats = stats
        self.emit_unchanged = emit_unchanged
        self.detect_duplicates = detect_duplicates

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        pipeline = cls(
            crawler,
            crawler.stats,
            emit_unchanged=settings.getbool("DANVAN_EMIT_UNCHANGED"),
            detect_duplicates=settings.getbool("DANVAN_DEDUPE_NEAR", True),
        )
        crawler.signals.connect(pipeline.open_spider, signal=signals.spider_opened)
        return pipeline

    def open_spider(self) -> None:
        crawler_store(self.crawler)  # fail early on a bad DANVAN_DB

    def _stop_if_fatal(self, exc: Exception) -> None:
        """A full disk or a damaged store fails every later write too: stop the crawl
        at the first one, say why in one line (the stat, the log) and drop the item
        quietly, instead of a traceback per article."""
        from scrapy.utils.defer import deferred_from_coro

        from danvan_crawler.errors import STORE_FAILED, STORE_FAILURE_STAT

        message = store_stopper(exc, self.crawler.settings.get("DANVAN_DB") or DEFAULT_DB)
        if message is None:
            return
        if not self.stats.get_value(STORE_FAILURE_STAT):
            self.stats.set_value(STORE_FAILURE_STAT, message)
            # not a warning: the command reports the failure itself, in one line
            logger.info("%s: stopping the crawl (what is stored so far stays)", message)
            engine = self.crawler.engine
            if engine is not None and engine.spider is not None:
                deferred_from_coro(engine.close_spider_async(reason=STORE_FAILED))
        raise DropItem(message, log_level="DEBUG") from None

    @property
    def store(self) -> Store:
        return crawler_store(self.crawler)

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        batcher = StoreBatcher.of(self.crawler)
        try:
            change = await batcher.upsert(item, detect_duplicates=self.detect_duplicates)
        except Exception as exc:
            self._stop_if_fatal(exc)
            raise
        self.stats.inc_value(f"danvan/store/{change.kind}")
        if change.kind in ("new", "updated"):
            if change.claimed:
                # Copies stored (and emitted) before their original: the store and the
                # feeds now exclude them; this run's JSON Lines already carry them.
                self.stats.inc_value("danvan/dedupe/claimed_copies", len(change.claimed))
                logger.info(
                    "Article %s is the original of %s, stored before it",
                    change.article_id,
                    ", ".join(change.claimed),
                )
            if change.duplicate_of is not None:
                self.stats.inc_value("danvan/dedupe/near_duplicate")
                logger.info("Article %s is a copy of %s", change.article_id, change.duplicate_of)
            adapter["change"] = change.kind
            adapter["revision"] = change.revision
            adapter.update(date_flags(change.record))
            adapter["categories"] = change.record.get("categories", [])
            adapter["duplicateOf"] = change.duplicate_of
            if change.kind == "updated":
                logger.info("Article %s updated (revision %d)", change.article_id, change.revision)
            return item
        if self.emit_unchanged:
            adapter["change"] = None
            return item
        raise DropItem(f"{change.kind}: article {change.article_id}", log_level="DEBUG")
