"""The one crawl entry point of ``danvan crawl``, ``danvan run`` and ``danvan demo``:
the settings of a crawl, running it to the end in this process, what its stats say."""

from __future__ import annotations

import gc
import logging
import os
from pathlib import Path
from typing import Any

from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

SETTINGS_MODULE = "danvan_crawler.settings"
SPIDER_NAME = "portal"


def build_settings(
    site: str | None = None,
    jsonl: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    loglevel: str | None = None,
    *,
    db: str | Path | None = None,
    full: bool = False,
    refresh: bool = False,
) -> Any:
    """Project settings, overlaid (priority ``cmdline``) with what the flags say
    (``db``: ``DANVAN_DB``; ``full``: ``DANVAN_FULL``; ``refresh``: ``DANVAN_REFRESH``)."""
    from scrapy.settings import Settings

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", SETTINGS_MODULE)
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    values: dict[str, Any] = dict(overrides or {})
    if site:
        values["DANVAN_SITE_URL"] = site
    if loglevel:
        values["LOG_LEVEL"] = loglevel.upper()
    if db:
        values["DANVAN_DB"] = str(db)
    if full:
        values["DANVAN_FULL"] = True
    if refresh:
        values["DANVAN_REFRESH"] = True
    if jsonl:
        # written from the store's change log after the crawl (danvan_crawler.stream)
        path = Path(jsonl).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        values["DANVAN_JSONL"] = str(path)
    settings.update(values, priority="cmdline")
    return settings


def tune_gc(threshold: int) -> None:
    """Garbage collection for a process that is about to crawl (``DANVAN_GC_THRESHOLD``):
    what is alive now (modules, settings, the store) is frozen out of collections, and
    the youngest generation is collected every ``threshold`` new containers."""
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, *gc.get_threshold()[1:])


def run_crawl(
    settings: Any, site: str | None = None, *, scrapy_log_level: int | None = None
) -> dict[str, Any]:
    """Run the ``portal`` spider to the end in this process; its final stats (the one
    crawl entry point of ``crawl`` and ``run``). A crawl that could not start (its
    store cannot be opened...) raises what stopped it, instead of Twisted logging it
    as CRITICAL with a traceback. With ``DANVAN_JSONL`` set, call
    :func:`danvan_crawler.stream.before_crawl` first and
    :func:`~danvan_crawler.stream.after_crawl` after (the caller's job)."""
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    if scrapy_log_level is not None:
        logging.getLogger("scrapy").setLevel(scrapy_log_level)
    crawler = process.create_crawler(SPIDER_NAME)
    kwargs = {"site": site} if site else {}
    failures: list[BaseException] = []
    done = process.crawl(crawler, **kwargs)

    def _failed(failure: Failure) -> None:
        if failure.value is not None:
            failures.append(failure.value)

    done.addErrback(_failed)
    tune_gc(crawler.settings.getint("DANVAN_GC_THRESHOLD"))
    process.start()
    if failures:
        raise failures[0]
    try:
        stats = crawler.stats
    except RuntimeError:  # never started
        stats = None
    return dict(stats.get_stats()) if stats is not None else {}


#: stats showing that a page of the site beyond its home page was crawled (parsed, or
#: answered "not modified" to a conditional request)
CRAWLED_STATS = (
    "danvan/listing/pages",
    "danvan/incremental/listing_not_modified",
    "danvan/articles/parsed",
    "danvan/incremental/article_not_modified",
)


def nothing_crawled(stats: dict[str, Any]) -> str | None:
    """Why a finished crawl crawled nothing of the site (no listing or article page
    parsed or answered 304), whatever the reason, or None when it crawled something."""
    if not stats or any(stats.get(name) for name in CRAWLED_STATS):
        return None
    if stats.get("danvan/home/failed"):
        why = stats.get("danvan/home/failure") or "failed"
        return f"the home page could not be fetched ({why})"
    if not stats.get("downloader/response_count"):
        return "no page could be fetched"
    return "no category page could be fetched (none found, or every one failed)"
