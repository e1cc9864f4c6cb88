"""The `danvan` command: one entry point for people and cron.

Each subcommand lives in ``danvan_crawler/commands/<name>.py`` and exposes
``register(subparsers)``; the parser it adds sets ``func`` to a callable taking the
parsed namespace and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from danvan_crawler import __version__

#: Subcommand modules, in the order ``danvan --help`` lists them.
COMMANDS: tuple[str, ...] = (
    "run",
    "crawl",
    "publish",
    "export",
    "search",
    "serve",
    "replica",
    "demo",
    "config",
    "stats",
    "seed",
    "worker",
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ALARM = 3
EXIT_LOCKED = 75


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="danvan", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"danvan {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"danvan_crawler.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"danvan_crawler.commands.{name}":
                raise
            continue  # not built yet
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("danvan: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
