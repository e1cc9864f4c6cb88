"""``danvan worker``: one worker of a distributed crawl (scrapy-redis scheduler).

    danvan worker --redis URL [--prefix KEY] [--site URL] [--profile NAME|PATH]
                  [--db PATH|URL] [--publish] [--out DIR] [--public-url URL]
                  [-s NAME=VALUE ...] [--loglevel LEVEL]

Runs until the shared crawl is done (waiting for ``danvan seed`` when none is seeded),
then exits. Run as many as you like, on as many machines, all with the same Redis URL,
prefix and ``--db`` (PostgreSQL when they are on several machines). ``--publish``: the
one worker that closes the crawl publishes the feeds (exactly one process per crawl).

Exit codes: 0 the crawl finished; 1 it did not finish cleanly; 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from danvan_crawler.commands.seed import add_distributed_arguments, distributed_settings

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run one worker of a distributed crawl (Redis queue, shared store)",
        description="Work on the distributed crawl seeded by `danvan seed` until it is done.",
    )
    add_distributed_arguments(parser)
    parser.add_argument(
        "--db", metavar="PATH|URL", help="article store: SQLite path or database URL (DANVAN_DB)"
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="publish the feeds when this worker is the one that closes the crawl",
    )
    parser.add_argument("--out", metavar="DIR", default="feeds", help="feeds folder (--publish)")
    parser.add_argument("--public-url", metavar="URL", help="URL the feeds folder is served at")
    parser.add_argument(
        "--loglevel", "-L", metavar="LEVEL", default=None, help="log level (default INFO)"
    )
    parser.set_defaults(func=run)


def run_worker(settings: Any, site: str | None = None) -> tuple[dict[str, Any], bool]:
    """Run one worker to the end of the crawl; (its stats, whether it closed the crawl)."""
    from scrapy.crawler import CrawlerProcess

    from danvan_crawler.distributed import DistributedPortalSpider

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DistributedPortalSpider)
    process.crawl(crawler, **({"site": site} if site else {}))
    process.start()
    stats = dict(crawler.stats.get_stats()) if crawler.stats is not None else {}
    return stats, bool(getattr(crawler.spider, "finished_crawl", False))


def publish_feeds(settings: Any, out: str, public_url: str | None) -> None:
    from danvan_crawler.feeds import publish
    from danvan_crawler.profile import site_output
    from danvan_crawler.store import open_store

    folder, url = site_output(out, public_url, settings.get("DANVAN_PROFILE") or "nghean")
    with open_store(settings.get("DANVAN_DB")) as store:
        if store.dialect == "postgresql":  # never two publishers of one store at once
            from danvan_crawler.store.postgres import advisory_lock

            with advisory_lock(store.engine, "publish") as held:
                if not held:
                    logger.warning("another process is publishing this store: skipped")
                    return
                publish(store, folder, public_url=url)
        else:
            publish(store, folder, public_url=url)
    logger.info("feeds published to %s", folder)


def run(args: argparse.Namespace) -> int:
    from danvan_crawler.commands.crawl import exit_code

    try:
        settings = distributed_settings(args, loglevel=args.loglevel, db=args.db)
    except (ValueError, OSError) as exc:
        print(f"danvan worker: error: {exc}", file=sys.stderr)
        return 2
    try:
        import redis

        redis.Redis.from_url(settings.get("DANVAN_REDIS_URL"), socket_connect_timeout=10).ping()
    except Exception as exc:  # unreachable, refused, bad URL, no client installed
        print(f"danvan worker: error: Redis: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    stats, closed = run_worker(settings, args.site)
    code = exit_code(stats)
    if closed and args.publish and code == 0:
        try:
            publish_feeds(settings, args.out, args.public_url)
        except Exception as exc:
            logger.exception("publishing failed")
            print(f"danvan worker: publishing failed: {exc}", file=sys.stderr)
            code = 1
    items = stats.get("item_scraped_count", 0)
    role = " (closed the crawl)" if closed else ""
    print(
        f"danvan worker: {items} articles ({stats.get('finish_reason', 'unknown')}){role}",
        file=sys.stderr,
    )
    return code
