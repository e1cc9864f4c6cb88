"""``danvan run``: crawl, then publish; the one command for cron.

Exit codes: 0 ok; 1 the run failed; 2 usage or configuration error; 3 the
layout-change alarm fired (feeds still published); 75 another run holds the lock.
"""

from __future__ import annotations

import argparse
import sys

from danvan_crawler.config import ConfigError, add_config_arguments, load_config

EXIT_USAGE = 2

EPILOG = """\
exit codes:
  0   the run finished
  1   the run failed (crawl could not run or fetched nothing, publishing failed)
  2   usage or configuration error
  3   layout-change alarm: extraction is going blind (feeds were still published)
  75  another danvan run holds the lock (nothing was touched)

Configuration: danvan.toml (or --config) < DANVAN_* environment < flags;
see `danvan config`."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "run",
        help="crawl, then publish the feeds: the command for cron",
        description="Crawl, then publish the feeds: the one command for cron.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser)
    parser.add_argument("--full", action="store_true", help="walk every listing page (backfill)")
    parser.add_argument("--refresh", action="store_true", help="fetch known article pages again")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument(
        "-q", "--quiet", action="store_true", help="print errors only (no summary, no progress)"
    )
    noise.add_argument(
        "-v", "--verbose", action="store_true", help="print the crawl's log (INFO) to stderr"
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan run: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    from danvan_crawler.runner import RunOptions, run  # Scrapy: imported only to run

    options = RunOptions(
        full=args.full, refresh=args.refresh, quiet=args.quiet, verbose=args.verbose
    )
    return run(config, options).exit_code
