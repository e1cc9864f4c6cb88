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
import logging
import sys
from typing import Any

from danvan_crawler.crawling import (
    CRAWLED_STATS,
    SETTINGS_MODULE,
    SPIDER_NAME,
    build_settings,
    nothing_crawled,
    run_crawl,
    tune_gc,
)
from danvan_crawler.errors import STORE_FAILURE_STAT, describe

logger = logging.getLogger(__name__)

__all__ = [
    "CRAWLED_STATS",
    "SETTINGS_MODULE",
    "SPIDER_NAME",
    "build_settings",
    "exit_code",
    "nothing_crawled",
    "register",
    "run",
    "run_crawl",
    "tune_gc",
]


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
