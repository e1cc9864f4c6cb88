"""Command-line entry of the replica: ``python -m danvan_crawler.replica`` / ``danvan replica``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

logger = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    parser.add_argument(
        "--articles", type=_positive, default=300, help="number of articles (default 300)"
    )
    parser.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    parser.add_argument(
        "--layout",
        type=_layout,
        default="classic",
        metavar="classic|modern|random:SEED",
        help="HTML layout: classic (default), modern, or random:SEED (a markup generated from"
        " the seed: the same articles, URLs and truth)",
    )
    parser.add_argument(
        "--xss", action="store_true", help="plant XSS payloads in some article bodies"
    )
    parser.add_argument(
        "--faults",
        metavar="SPEC",
        default=None,
        help="inject faults, e.g. '5xx=0.1,timeout=0.05,truncate=0.02,reset=0.02,429=0.05'"
        " plus cp1258, ncr, malformed, duplicates, trap, loop, offsite, huge[=MB], hang=S,"
        " retry_after=S (see danvan_crawler/replica/faults.py)",
    )


def _layout(value: str) -> str:
    from danvan_crawler.replica.layouts import make_layout

    try:
        make_layout(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be >= 1")
    return number


def serve(args: argparse.Namespace) -> int:
    """Start the replica, print ``serving URL`` on stdout, serve until SIGTERM/SIGINT."""
    # here, not at the top: ``danvan`` registers this command's arguments on every run
    from danvan_crawler.replica.server import make_server

    try:
        server, replica = make_server(
            args.host,
            args.port,
            articles=args.articles,
            seed=args.seed,
            layout=args.layout,
            xss=args.xss,
            faults=getattr(args, "faults", None),
        )
    except ValueError as exc:
        print(f"danvan replica: error: --faults: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"danvan replica: error: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    print(f"serving {replica.base}/", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m danvan_crawler.replica", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    return serve(args)
