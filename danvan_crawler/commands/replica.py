"""``danvan replica``: serve the offline replica portal until killed."""

from __future__ import annotations

import argparse
from typing import Any

from danvan_crawler.replica.app import add_arguments, serve


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "replica",
        help="serve the offline replica of the portal (for tests and the demo)",
        description="Serve the offline replica portal: prints 'serving URL', runs until killed.",
    )
    add_arguments(parser)
    parser.set_defaults(func=serve)
