"""``danvan crawl``: run the ``portal`` spider in this process, JSON Lines via FEEDS.

    danvan crawl [--config PATH] [--site URL] [--profile NAME] [--jsonl PATH]
                 [--db PATH|URL] [--create] [--full | --refresh] [-s NAME=VALUE ...]
                 [--loglevel LEVEL]

Configuration as for every command (:mod:`danvan_crawler.config`): ``danvan.toml`` (or
``--config``) < ``DANVAN_*`` environment < flags.

Incremental by default (``danvan_crawler.incremental``): only new or changed articles are
fetched; ``--full`` walks every listing page (backfill), ``--refresh`` also fetches every
known article page again.

The store is ``--db``, else ``-s DANVAN_DB=``, ``DANVAN_DB``, the configuration file's
``db``, ``danvan.db``; an SQLite file in a folder that does not exist is a usage error
unless ``--create``. ``--jsonl PATH`` is written after the crawl from the store's
change log (:mod:`danvan_crawler.stream`): the articles stored as new or updated since
the last file written to PATH, a killed crawl's included.

Exit codes: 0 the crawl finished (or stopped at a ``CLOSESPIDER_*`` limit); 1 it did
not finish cleanly (another finish reason, errors in the log, or nothing of the site
could be crawled: see :func:`nothing_crawled`) or the JSON Lines could not be written;
2 usage error.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path
from typing import Any

from twisted.python.failure import Failure

from danvan_crawler.errors import STORE_FAILURE_STAT, describe

logger = logging.getLogger(__name__)

SETTINGS_MODULE = "danvan_crawler.settings"
SPIDER_NAME = "portal"


def add_setting_argument(parser: argparse.ArgumentParser) -> None:
    """``-s NAME=VALUE``, repeatable, into ``args.settings`` (see :func:`parse_setting`)."""
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="set a Scrapy/danvan setting (repeatable)",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="crawl the portal (or the replica) and write JSON Lines",
        description="Crawl the portal in this process with the `portal` spider. "
        "Configuration as for `danvan run`: danvan.toml (or --config) < DANVAN_* "
        "environment < flags; see `danvan config`.",
    )
    from danvan_crawler.config import add_config_arguments

    add_config_arguments(parser, names=["site", "profile", "jsonl", "db", "create"])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--full",
        action="store_true",
        help="walk every listing page (backfill); known, unchanged articles are still skipped",
    )
    mode.add_argument(
        "--refresh",
        action="store_true",
        help="walk every listing page and fetch every article page again",
    )
    parser.add_argument(
        "--loglevel", "-L", metavar="LEVEL", default=None, help="log level (default INFO)"
    )
    parser.set_defaults(func=run)


def parse_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"-s expects NAME=VALUE, got {text!r}")
    return name.strip(), value


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


def exit_code(stats: dict[str, Any]) -> int:
    """0 when the crawl finished without errors, else 1; a limit the operator set
    (``CLOSESPIDER_*``) reached counts as finished, as in ``danvan run``."""
    reason = str(stats.get("finish_reason"))
    if reason != "finished" and not reason.startswith("closespider_"):
        return 1
    return 1 if stats.get("log_count/ERROR", 0) else 0


def run(args: argparse.Namespace) -> int:
    from danvan_crawler.config import ConfigError, check_store_folder, load_config

    try:
        config = load_config(args)
        check_store_folder(config)
        from danvan_crawler.profile import load_profile, normalize_base_url

        load_profile(config["profile"])  # a bad name or file is a usage error
        normalize_base_url(config["site"])
        settings = build_settings(
            config["site"],
            config["jsonl"],
            config.scrapy_settings(),
            args.loglevel,
            db=config["db"],
            full=args.full,
            refresh=args.refresh,
        )
    except (ConfigError, ValueError, OSError) as exc:
        print(f"danvan crawl: error: {exc}", file=sys.stderr)
        return 2
    from danvan_crawler.stream import after_crawl, before_crawl

    db, jsonl = settings.get("DANVAN_DB"), settings.get("DANVAN_JSONL")
    try:
        from danvan_crawler.store import open_store

        open_store(db).close()  # a store that cannot be opened stops the crawl first
        before_crawl(db, jsonl)
        stats = run_crawl(settings, config["site"])
    except Exception as exc:  # the store cannot be opened: one line, no traceback
        logger.debug("the crawl could not run", exc_info=True)
        print(f"danvan crawl: error: {describe(exc, db)}", file=sys.stderr)
        return 1
    code = exit_code(stats)
    if stats.get(STORE_FAILURE_STAT):
        print(f"danvan crawl: error: {stats[STORE_FAILURE_STAT]}", file=sys.stderr)
        code = 1
    items = stats.get("item_scraped_count", 0)
    reason = stats.get("finish_reason", "unknown")
    where = ""
    try:
        written = after_crawl(db, jsonl)
    except Exception as exc:  # e.g. a full disk: the changes wait for the next run
        logger.debug("writing the JSON Lines failed", exc_info=True)
        print(f"danvan crawl: error: {describe(exc, db, jsonl)}", file=sys.stderr)
        code = 1
    else:
        if written is not None:
            where = f" -> {written.path} ({written.lines} lines)"
    print(f"danvan crawl: {items} articles ({reason}){where}", file=sys.stderr)
    empty = nothing_crawled(stats)
    if empty is not None:
        site = settings.get("DANVAN_SITE_URL")
        print(
            f"danvan crawl: error: nothing could be crawled from {site}: {empty}", file=sys.stderr
        )
        return 1
    return code
