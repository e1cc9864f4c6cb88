"""``danvan export``: the store as JSON Lines (the output schema), whole or a slice.

Exit codes: 0 written; 1 the store could not be read or the file not written;
2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from danvan_crawler.config import ConfigError, add_config_arguments, load_config
from danvan_crawler.errors import describe

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

EPILOG = """\
One JSON object per line, in the output schema (docs/DESIGN.md) and the format of a
run's --jsonl, duplicates included (with duplicateOf set). --since keeps the articles
that were new, updated or gained a category or URL at or after that time (ISO 8601;
without an offset the time is UTC), ordered by that time; their "change" says which
(new, updated, merged; every article is new without --since), "revision" counts the
changes of content. A file given to --out is replaced atomically; `-` (the default) is
standard output."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "export",
        help="write the store (or what changed since a time) as JSON Lines",
        description=__doc__.splitlines()[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser, names=["db"])
    parser.add_argument(
        "--since", metavar="ISO-8601", type=parse_since, help="only articles changed since then"
    )
    parser.add_argument(
        "--out", dest="export_out", metavar="PATH|-", default="-", help="output file (- stdout)"
    )
    parser.set_defaults(func=main)


def parse_since(text: str) -> datetime:
    """An ISO 8601 date or date-time; naive values are UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def lines(store: Any, since: datetime | None) -> Iterator[str]:
    """The store's articles in the JSON Lines format of :mod:`danvan_crawler.stream`,
    ``change`` relative to ``since``."""
    from danvan_crawler.stream import stored_line

    for data, revision, change in store.export_changes(since=since, raw=True):
        yield stored_line(data, revision=revision, change=change)


def main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan export: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = str(config["db"])
    if "://" not in db and not Path(db).expanduser().exists():
        print(f"danvan export: error: no store at {db} (pass --db)", file=sys.stderr)
        return EXIT_FAILED

    from danvan_crawler.store import open_store
    from danvan_crawler.stream import write_atomically, write_text_lines

    try:
        store = open_store(db)
        try:
            out = lines(store, args.since)
            if args.export_out == "-":
                count = write_text_lines(out, sys.stdout)
                sys.stdout.flush()
            else:
                count = write_atomically(out, Path(args.export_out))
        finally:
            store.close()
    except BrokenPipeError:
        raise  # the reader went away: the entry point stops quietly
    except Exception as exc:  # one line, no traceback
        logger.debug("export failed", exc_info=True)
        target = None if args.export_out == "-" else args.export_out
        print(f"danvan export: error: {describe(exc, db, target)}", file=sys.stderr)
        return EXIT_FAILED
    logger.info("exported %d articles", count)
    return EXIT_OK
