"""``danvan config``: print the effective configuration and where each value came from."""

from __future__ import annotations

import argparse
import json
import sys

from danvan_crawler.config import ConfigError, add_config_arguments, load_config
from danvan_crawler.configkeys import KEYS

EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "config",
        help="print the effective configuration and the source of each value",
        description=(
            "Print the effective configuration: defaults < danvan.toml (or --config) "
            "< DANVAN_* environment variables < flags."
        ),
    )
    add_config_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--keys", action="store_true", help="list every key with its flag, variable and setting"
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.keys:
        for key in KEYS:
            print(
                f"{key.name}: {key.help}\n"
                f"    flag {key.flag or '-'}, env {key.env}, setting {key.setting or '-'}, "
                f"default {key.default!r}"
            )
        return 0
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan config: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        data = {
            "file": str(config.path) if config.path else None,
            "values": {n: {"value": v.value, "source": v.source} for n, v in config.values.items()},
            "scrapy": {n: {"value": v.value, "source": v.source} for n, v in config.scrapy.items()},
        }
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print(config.describe())
    return 0
