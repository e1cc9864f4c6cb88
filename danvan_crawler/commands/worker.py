"""``danvan worker``: one worker of a distributed crawl (scrapy-redis scheduler).

    danvan worker --redis URL [--prefix KEY] [--site URL] [--profile NAME|PATH]
                  [--db PATH|URL] [--publish] [--out DIR] [--public-url URL]
                  [-s NAME=VALUE ...] [--loglevel LEVEL]

Runs until the shared crawl is done (waiting for ``danvan seed`` when none is seeded),
then exits. Run as many as you like, on as many machines, all with the same Redis URL,
prefix and store (PostgreSQL when they are on several machines). ``--publish``: the
one worker that closes the crawl publishes the feeds (exactly one process per crawl).

The store comes from where every command takes it: ``--db``, ``-s DANVAN_DB=``,
``DANVAN_DB``, the configuration file's ``db``, else ``danvan.db`` in the working folder;
the worker says which on start. It refuses to start (exit 2) when another worker of the
same crawl writes to another store: workers register the identity of their store in
Redis (the store's random ``store_id``; a SQLite file's also names the machine), so
two SQLite files, or a SQLite file and the PostgreSQL store, never split a crawl
silently. Workers sharing one SQLite file on one machine are allowed (and told that
PostgreSQL is the store for several machines).

Exit codes: 0 the crawl finished; 1 it did not finish cleanly; 2 usage error (a split
store included).
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import uuid
from pathlib import Path
from typing import Any

from twisted.python.failure import Failure

from danvan_crawler.commands.seed import (
    add_distributed_arguments,
    distributed_config,
    distributed_settings,
)
from danvan_crawler.errors import describe

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "worker",
        help="run one worker of a distributed crawl (Redis queue, shared store)",
        description="Work on the distributed crawl seeded by `danvan seed` until it is done.",
    )
    add_distributed_arguments(parser)
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="article store: SQLite path or database URL (default: DANVAN_DB, the "
        "configuration file's db, danvan.db)",
    )
    parser.add_argument(
        "--create",
        action="store_true",
        help="create the store's folder when it does not exist (DANVAN_CREATE)",
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

    from danvan_crawler.spiders.portal import PortalSpider

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(PortalSpider)
    failures: list[BaseException] = []
    done = process.crawl(crawler, **({"site": site} if site else {}))

    def _failed(failure: Failure) -> None:
        if failure.value is not None:
            failures.append(failure.value)

    done.addErrback(_failed)
    process.start()
    if failures:  # the crawl could not start: the caller says why in one line
        raise failures[0]
    stats = dict(crawler.stats.get_stats()) if crawler.stats is not None else {}
    return stats, bool(getattr(crawler.spider, "finished_crawl", False))


def publish_feeds(settings: Any, out: str, public_url: str | None) -> None:
    from danvan_crawler.feeds import publish
    from danvan_crawler.profile import site_output
    from danvan_crawler.store import open_store

    folder, url = site_output(out, public_url, settings.get("DANVAN_PROFILE") or "nghean")
    # never two publishers of one store at once
    with open_store(settings.get("DANVAN_DB")) as store, store.exclusive("publish") as held:
        if not held:
            logger.warning("another process is publishing this store: skipped")
            return
        publish(store, folder, public_url=url)
    logger.info("feeds published to %s", folder)


def store_identity(db: str, *, create: bool = True) -> tuple[str, bool]:
    """(the identity workers compare, whether the store is a SQLite file): the store's
    ``store_id``, with the machine's name for a SQLite file (a copy of the file elsewhere
    is another store). ``create=False``: a SQLite file that does not exist yet is not
    created (it is a new store, named by its path)."""
    from danvan_crawler.store import open_store

    host = socket.gethostname()
    if "://" not in db or db.startswith("sqlite:///"):
        path = Path(db.removeprefix("sqlite:///")).expanduser().resolve()
        if not create and not path.exists():
            return f"new:{path}@sqlite:{host}", True
    with open_store(db) as store:
        identity, sqlite = store.store_id(), store.dialect == "sqlite"
    if sqlite:
        identity = f"{identity}@sqlite:{host}"
    return identity, sqlite


def check_shared_store(
    shared: Any, token: str, settings: Any, identity: str, sqlite: bool, where: str
) -> str | None:
    """Claim this worker's store (as ``token``) in the crawl's Redis state and compare
    it with the other workers'; the reason to refuse, or None. The claim comes first, so
    of two workers starting at once on different stores, at least the second sees the
    first."""
    timeout = settings.getfloat("DANVAN_WORKER_TIMEOUT", 60.0)
    shared.claim_store(token, identity, timeout)
    others = {w: v for w, v in shared.worker_stores().items() if w != token}
    if not others:
        return None
    different = sorted(w for w, v in others.items() if v != identity)
    if different:
        shared.release_claim(token)
        prefix = settings.get("DANVAN_REDIS_PREFIX")
        return (
            f"{len(different)} other worker(s) of crawl {prefix} ({', '.join(different[:3])})"
            f" write to another store than this worker's {where}: a crawl must have one"
            " store (set DANVAN_DB=postgresql://... on every worker, docs/SCALE.md); a"
            " worker killed just now counts until its heartbeat expires"
            f" (DANVAN_WORKER_TIMEOUT={timeout:g} s)"
        )
    if sqlite:
        logger.warning(
            "%d other worker(s) share this SQLite store on this machine; workers on other "
            "machines need PostgreSQL (DANVAN_DB=postgresql://...)",
            len(others),
        )
    return None


def run(args: argparse.Namespace) -> int:
    from danvan_crawler.commands.crawl import exit_code
    from danvan_crawler.config import ConfigError, check_store_folder, describe_store

    try:
        config = distributed_config(args)
        check_store_folder(config)
        location = config.values["db"]
        settings = distributed_settings(args, loglevel=args.loglevel, db=location.value)
    except (ConfigError, ValueError, OSError) as exc:
        print(f"danvan worker: error: {exc}", file=sys.stderr)
        return 2
    where = describe_store(location)
    print(f"danvan worker: store: {where}", file=sys.stderr, flush=True)
    try:
        import redis

        redis.Redis.from_url(settings.get("DANVAN_REDIS_URL"), socket_connect_timeout=10).ping()
    except Exception as exc:  # unreachable, refused, bad URL, no client installed
        print(f"danvan worker: error: Redis: {describe(exc)}", file=sys.stderr)
        return 2
    try:
        from danvan_crawler.distributed import SharedCrawl

        shared = SharedCrawl.from_url(
            settings.get("DANVAN_REDIS_URL"), settings.get("DANVAN_REDIS_PREFIX")
        )
        token = uuid.uuid4().hex[:12]
        identity, sqlite = store_identity(str(location.value), create=False)
        refusal = check_shared_store(shared, token, settings, identity, sqlite, where)
        if refusal is None:  # the store is created now if it is new: claim its identity
            identity, sqlite = store_identity(str(location.value))
            shared.claim_store(token, identity, settings.getfloat("DANVAN_WORKER_TIMEOUT", 60.0))
    except Exception as exc:  # the store cannot be opened, Redis went away
        logger.debug("store check failed", exc_info=True)
        print(f"danvan worker: error: {describe(exc, str(location.value))}", file=sys.stderr)
        return 1
    if refusal is not None:
        print(f"danvan worker: error: {refusal}", file=sys.stderr)
        return 2
    settings.set("DANVAN_STORE_IDENTITY", identity, priority="cmdline")
    try:
        stats, closed = run_worker(settings, settings.get("DANVAN_SITE_URL"))
    except Exception as exc:
        logger.debug("the worker's crawl could not run", exc_info=True)
        print(f"danvan worker: error: {describe(exc, str(location.value))}", file=sys.stderr)
        return 1
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
