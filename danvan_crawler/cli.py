"""The `danvan` command: one entry point for people and cron.

Each subcommand lives in ``danvan_crawler/commands/<name>.py`` and exposes
``register(subparsers)``; the parser it adds sets ``func`` to a callable taking the
parsed namespace and returning an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    "doctor",
    "seed",
    "worker",
    "profile",
    "inspect",
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
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
        return code
    except KeyboardInterrupt:
        print("danvan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        from danvan_crawler.errors import expected

        message = expected(exc, _store_of(args))
        if message is None:
            raise  # not an expected failure: a bug, whose traceback helps
        print(f"danvan {args.command}: error: {message}", file=sys.stderr)
        return EXIT_FAILED


#: The exit status of a process killed by SIGPIPE (128 + 13), as the shell reports it.
EXIT_CLOSED_PIPE = 141


def _closed_pipe() -> int:
    """The reader of our output went away (``danvan export | head -1``): stop quietly.
    Standard output is pointed at /dev/null so the interpreter's final flush does not
    fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_CLOSED_PIPE


def _store_of(args: argparse.Namespace) -> str | None:
    """The command's store location, to name it in an error message."""
    from danvan_crawler.config import ConfigError, store_location

    settings = getattr(args, "settings", None) or getattr(args, "scrapy_settings", None) or ()
    try:
        return str(store_location(getattr(args, "db", None), settings).value)
    except (ConfigError, OSError):
        return None


if __name__ == "__main__":
    sys.exit(main())
