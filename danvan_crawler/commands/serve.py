"""``danvan serve``: serve the feeds folder over HTTP for local feed readers.

A small stdlib server (no directory listings, GET and HEAD only) with the feeds' media
types, a content-hash ETag, Last-Modified and 304 answers to conditional requests. It
serves regular files inside the folder only: a path with ``..`` (also percent-encoded),
a NUL or a backslash is refused with 403; a dot-file (publish's temporary files), or a
symlink whose target is outside the folder, gives 404/403. The first line printed is
``serving http://HOST:PORT/``.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import logging
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: Media type by file extension; other files are served as application/octet-stream.
CONTENT_TYPES: dict[str, str] = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
}


class FeedsRequestHandler(BaseHTTPRequestHandler):
    """Serves files of ``self.server.root`` (a resolved folder)."""

    server_version = "danvan-serve"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    @property
    def root(self) -> Path:
        return self.server.root  # type: ignore[attr-defined, no-any-return]

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        logger.info("%s %s", self.address_string(), format % args)

    # --- helpers ---

    def _error(self, status: HTTPStatus) -> None:
        body = f"{status.value} {status.phrase}\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _resolve(self) -> Path | HTTPStatus:
        raw_path = urlsplit(self.path).path
        path = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
        if "\x00" in path or "\\" in path or not path.startswith("/"):
            return HTTPStatus.FORBIDDEN
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") for p in parts):
            return HTTPStatus.FORBIDDEN
        if any(p.startswith(".") for p in parts):
            return HTTPStatus.NOT_FOUND
        candidate = self.root.joinpath(*parts) if parts else self.root
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return HTTPStatus.NOT_FOUND
        if not resolved.is_relative_to(self.root):
            return HTTPStatus.FORBIDDEN
        if resolved.is_dir():
            resolved = resolved / "index.html"
            if not resolved.is_file():
                return HTTPStatus.NOT_FOUND
        if not resolved.is_file():
            return HTTPStatus.NOT_FOUND
        return resolved

    def _answer(self, send_body: bool) -> None:
        try:
            target = self._resolve()
        except UnicodeDecodeError:
            target = HTTPStatus.NOT_FOUND
        if isinstance(target, HTTPStatus):
            self._error(target)
            return
        try:
            data = target.read_bytes()
            mtime = int(target.stat().st_mtime)
        except OSError:
            self._error(HTTPStatus.NOT_FOUND)
            return
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        last_modified = email.utils.formatdate(mtime, usegmt=True)
        if self._not_modified(etag, mtime):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header(
            "Content-Type", CONTENT_TYPES.get(target.suffix.lower(), "application/octet-stream")
        )
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", last_modified)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'none'; img-src http: https:")
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _not_modified(self, etag: str, mtime: int) -> bool:
        """RFC 9110: If-None-Match wins over If-Modified-Since."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since:
            try:
                since = email.utils.parsedate_to_datetime(if_modified_since)
            except (TypeError, ValueError):
                return False
            if since is None or since.tzinfo is None:
                return False
            return mtime <= int(since.timestamp())
        return False


class FeedsServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path) -> None:
        self.root = root.resolve()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, FeedsRequestHandler)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve",
        help="serve the feeds folder over HTTP for local feed readers",
        description="Serve the feeds folder over HTTP for local feed readers (GET/HEAD, "
        "ETag and Last-Modified, nothing outside the folder).",
    )
    parser.add_argument("--dir", default="feeds", help="folder to serve (default: feeds)")
    parser.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)"
    )
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not root.is_dir():
        print(f"danvan serve: error: no such folder: {args.dir}", file=sys.stderr)
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(f"danvan serve: error: invalid port: {args.port}", file=sys.stderr)
        return EXIT_USAGE
    try:
        server = FeedsServer((args.host, args.port), root)
    except OSError as exc:
        print(
            f"danvan serve: error: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    host, port = server.server_address[:2]
    shown = f"[{host}]" if ":" in str(host) else host
    print(f"serving http://{shown}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK
