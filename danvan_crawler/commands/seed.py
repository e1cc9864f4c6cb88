"""``danvan seed``: start a distributed crawl (reset its Redis state, push the first requests).

    danvan seed --redis URL [--site URL] [--profile NAME|PATH] [--prefix KEY] [--force]

Workers (``danvan worker``) started before or after share the crawl. A crawl still in
progress (live workers, or requests queued) is not reset unless ``--force``.

Exit codes: 0 seeded; 2 usage error (or Redis unreachable); 75 a crawl is in progress.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from danvan_crawler.commands.crawl import add_setting_argument
from danvan_crawler.errors import describe

logger = logging.getLogger(__name__)

EXIT_BUSY = 75


def add_distributed_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config``, ``--redis``, ``--prefix``, ``--site``, ``--profile`` and ``-s``
    (seed and worker)."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: ./danvan.toml if present)",
    )
    parser.add_argument(
        "--redis", metavar="URL", help="Redis URL of the shared crawl (DANVAN_REDIS_URL)"
    )
    parser.add_argument(
        "--prefix",
        metavar="KEY",
        help="Redis key prefix of this crawl (DANVAN_REDIS_PREFIX; default danvan:<site key>)",
    )
    parser.add_argument(
        "--site", metavar="URL", help="portal base URL (DANVAN_SITE or DANVAN_SITE_URL)"
    )
    parser.add_argument(
        "--profile", metavar="NAME|PATH", help="site profile (DANVAN_PROFILE; default nghean)"
    )
    add_setting_argument(parser)


def distributed_config(args: argparse.Namespace) -> Any:
    """The configuration of a seed or a worker, read as every command reads it
    (``danvan.toml`` < ``DANVAN_*`` < flags); ConfigError (a ValueError) if bad."""
    from danvan_crawler.config import load_config

    names = argparse.Namespace(scrapy_settings=list(args.settings))
    for name in ("config", "site", "profile", "db", "create"):
        if getattr(args, name, None):
            setattr(names, name, getattr(args, name))
    return load_config(names)


def distributed_settings(args: argparse.Namespace, **build: Any) -> Any:
    """Project settings + flags + the scrapy-redis switch; ValueError on bad input."""
    import os

    from danvan_crawler.commands.crawl import build_settings
    from danvan_crawler.distributed import default_prefix, redis_settings
    from danvan_crawler.profile import load_profile, normalize_base_url

    config = distributed_config(args)
    normalize_base_url(config["site"])
    load_profile(config["profile"])
    build.setdefault("db", config["db"])
    settings = build_settings(config["site"], None, config.scrapy_settings(), **build)
    redis_url = args.redis or os.environ.get("DANVAN_REDIS_URL") or settings.get("DANVAN_REDIS_URL")
    if not redis_url:
        raise ValueError("no Redis URL: give --redis URL or set DANVAN_REDIS_URL")
    profile = load_profile(settings.get("DANVAN_PROFILE") or "nghean")
    prefix = (
        args.prefix
        or os.environ.get("DANVAN_REDIS_PREFIX")
        or settings.get("DANVAN_REDIS_PREFIX")
        or default_prefix(profile.name)
    )
    settings.update(redis_settings(redis_url, prefix), priority="cmdline")
    return settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="start a distributed crawl: reset its Redis state, queue the home page",
        description="Seed a distributed crawl that `danvan worker` processes share.",
    )
    add_distributed_arguments(parser)
    parser.add_argument(
        "--force", action="store_true", help="reset even if a crawl seems in progress"
    )
    parser.set_defaults(func=run)


def seed(settings: Any, site: str | None = None, *, force: bool = False) -> int:
    """Reset the crawl under the settings' prefix and queue its first requests; how many
    (-1: a crawl is in progress and ``force`` is false)."""
    from scrapy_redis.connection import get_redis_from_settings
    from scrapy_redis.dupefilter import RFPDupeFilter

    from danvan_crawler.distributed import LeasedPriorityQueue, SharedCrawl
    from danvan_crawler.distributed.shared import LISTING
    from danvan_crawler.spiders.portal import PortalSpider

    prefix = settings.get("DANVAN_REDIS_PREFIX")
    shared = SharedCrawl.from_url(settings.get("DANVAN_REDIS_URL"), prefix)
    server = get_redis_from_settings(settings)
    queue_key = settings.get("SCHEDULER_QUEUE_KEY")
    busy = shared.phase() not in (None, "done") and (
        shared.live_workers() or server.zcard(queue_key)
    )
    if busy and not force:
        return -1
    shared.reset()
    spider = PortalSpider(site=site)
    spider.configure(settings)
    queue = LeasedPriorityQueue(server=server, spider=spider, key=queue_key)
    dupefilter = RFPDupeFilter(server, key=settings.get("SCHEDULER_DUPEFILTER_KEY"))
    count = 0
    for request in spider.seed_requests():
        if not dupefilter.request_seen(request):
            queue.push(request)
            count += 1
    shared.server.set(shared.key("phase"), LISTING)
    logger.info("seeded crawl %s: %d requests", prefix, count)
    return count


def run(args: argparse.Namespace) -> int:
    try:
        settings = distributed_settings(args)
    except (ValueError, OSError) as exc:
        print(f"danvan seed: error: {exc}", file=sys.stderr)
        return 2
    try:
        count = seed(settings, settings.get("DANVAN_SITE_URL"), force=args.force)
    except Exception as exc:  # Redis unreachable, refused...
        print(f"danvan seed: error: {describe(exc)}", file=sys.stderr)
        return 2
    prefix = settings.get("DANVAN_REDIS_PREFIX")
    if count < 0:
        print(
            f"danvan seed: crawl {prefix} is in progress (workers alive or requests queued);"
            " --force resets it",
            file=sys.stderr,
        )
        return EXIT_BUSY
    print(f"danvan seed: crawl {prefix} seeded with {count} requests", file=sys.stderr)
    return 0
