"""``danvan serve``: serve the feeds folder over HTTP (Twisted's web server).

GET and HEAD of the folder's files, with the feeds' media types (``charset=utf-8`` on
text), ETag/Last-Modified and 304s, nothing outside the folder; timeouts for slow or
idle clients and a connection cap (see :mod:`danvan_crawler.webserver`). The first line
printed is ``serving http://HOST:PORT/``; Ctrl-C or SIGTERM stops it (exit 0).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from danvan_crawler import webserver

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="serve the feeds folder over HTTP (feed readers, browsers)",
        description="Serve the feeds folder over HTTP (GET/HEAD, charset=utf-8, ETag and "
        "Last-Modified, nothing outside the folder; timeouts and a connection cap).",
    )
    parser.add_argument("--dir", default="feeds", help="folder to serve (default: feeds)")
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        help="the store, for the search page and feeds (/search?q=...; default: as every "
        "command finds it, DANVAN_DB or the config file; none there: no search)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="where the server is reached (search feeds' self links; default: the request's Host)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)"
    )
    parser.add_argument(
        "--request-timeout",
        type=_positive_float,
        default=webserver.DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="close a connection whose request (line, headers, any body) is not all in "
        f"after this long (default: {webserver.DEFAULT_REQUEST_TIMEOUT:g})",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_float,
        default=webserver.DEFAULT_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a connection silent for this long, also one that stops reading its "
        f"response (default: {webserver.DEFAULT_IDLE_TIMEOUT:g})",
    )
    parser.add_argument(
        "--max-connections",
        type=_positive_int,
        default=webserver.DEFAULT_MAX_CONNECTIONS,
        metavar="N",
        help="open connections at most; at the cap a new one closes the one waiting "
        f"longest for a request (default: {webserver.DEFAULT_MAX_CONNECTIONS}; lowered to "
        "what the open-files limit allows)",
    )
    parser.set_defaults(func=main)


def _open_store(args: argparse.Namespace) -> Any:
    """The store searched (:func:`config.store_location`), None for none: a store not
    named by ``--db`` or ``DANVAN_DB`` that does not exist just means no search."""
    from danvan_crawler.config import ConfigError, describe_store, store_location

    try:
        location = store_location(args.db)
    except ConfigError as exc:
        print(f"danvan serve: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = str(location.value)
    if "://" not in db and not Path(db).is_file():
        if args.db:
            print(f"danvan serve: error: no store at {db} (see --db)", file=sys.stderr)
            return EXIT_USAGE
        logger.info("no store at %s: serving without search", db)
        return None
    from danvan_crawler.store import StoreError, open_store

    try:
        store = open_store(db)
    except (StoreError, OSError) as exc:
        print(f"danvan serve: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logger.info("search over %s", describe_store(location))
    return store


def main(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        print(f"danvan serve: error: no such folder: {args.dir}", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(f"danvan serve: error: invalid port: {args.port}", file=sys.stderr)
        return EXIT_USAGE

    store = _open_store(args)
    if store is EXIT_USAGE:
        return EXIT_USAGE

    from twisted.internet import reactor
    from twisted.internet.error import CannotListenError

    webserver.twisted_logs_to_python()
    site = webserver.FeedsSite(
        root,
        request_timeout=args.request_timeout,
        idle_timeout=args.idle_timeout,
        max_connections=webserver.connection_cap(args.max_connections),
        store=store,
        public_url=args.public_url,
    )
    try:
        port = reactor.listenTCP(
            args.port, site, backlog=webserver.DEFAULT_BACKLOG, interface=args.host
        )
    except CannotListenError as exc:
        reason = getattr(exc.socketError, "strerror", None) or exc.socketError
        print(
            f"danvan serve: error: cannot listen on {args.host}:{args.port}: {reason}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    address = port.getHost()
    shown = f"[{address.host}]" if ":" in address.host else address.host
    print(f"serving http://{shown}:{address.port}/", flush=True)
    logger.info("serving %s (at most %d connections)", root.resolve(), site.max_connections)
    reactor.run()  # Ctrl-C and SIGTERM stop it
    return EXIT_OK
