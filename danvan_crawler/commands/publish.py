"""``danvan publish``: write the feeds folder (RSS, Atom, JSON Feed, OPML, index.html)
from the store.

Exit codes: 0 published; 1 the store could not be read or a file not written;
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from danvan_crawler.config import ConfigError, add_config_arguments, load_config
from danvan_crawler.errors import describe

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

EPILOG = """\
Writes, for every category the store has ever seen and for `all`: <name>.rss,
<name>.atom and <name>.json, plus index.opml and index.html. Files are replaced
atomically and only when their bytes change; feeds of categories that vanished from
the portal are kept. Configuration: danvan.toml (or --config) < DANVAN_* environment
< flags; the public URL is DANVAN_PUBLIC_URL, the feeds' ttl
DANVAN_CRAWL_INTERVAL_MINUTES."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "publish",
        help="write the feeds folder from the store",
        description="Write the feeds folder (RSS, Atom, JSON Feed, OPML, index.html) "
        "from the store.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser, names=["db", "out", "public_url", "limit"])
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    parser.set_defaults(func=main)


def _is_missing_file(db: str) -> bool:
    return "://" not in db and not Path(db).expanduser().exists()


def main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan publish: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = config["db"]
    if _is_missing_file(db):
        print(
            f"danvan publish: error: no store at {db} (run `danvan run` first, or pass --db)",
            file=sys.stderr,
        )
        return EXIT_FAILED

    from danvan_crawler.feeds import DEFAULT_PUBLIC_URL, publish
    from danvan_crawler.feeds.publish import NO_PUBLIC_URL_WARNING
    from danvan_crawler.store import open_store

    public_url = config["public_url"]
    try:
        store = open_store(db)
        try:
            result = publish(
                store,
                Path(config["out"]),
                public_url=public_url,
                limit=config["limit"],
                ttl_minutes=config["crawl_interval_minutes"],
            )
        finally:
            store.close()
    except Exception as exc:  # the store's errors, a full disk: one line, no traceback
        logger.debug("publish failed", exc_info=True)
        print(f"danvan publish: error: {describe(exc, db, config['out'])}", file=sys.stderr)
        return EXIT_FAILED
    if public_url is None:  # said once the feeds are written: about what they hold
        logger.warning(NO_PUBLIC_URL_WARNING, DEFAULT_PUBLIC_URL)
    if not args.quiet:
        print(result.describe(public_url or DEFAULT_PUBLIC_URL)[0])
    return EXIT_OK
