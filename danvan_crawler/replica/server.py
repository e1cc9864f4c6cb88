"""The replica's HTTP server (stdlib ``http.server``), with ETag/Last-Modified/gzip.

Routes (see docs/DESIGN.md and README.md next to this file):
``/``, ``/vi-vn/ban/<slug>``, ``/vi-vn/chuyen-muc/<slug>/<n1>-<n2>[?trang=k]``,
``/vi-vn/tin/<slug>/<n1>-<n2>-<id>``, ``/robots.txt``, ``/Uploads/...``, and the
control endpoints under ``/_replica/``.
"""

from __future__ import annotations

import gzip
import logging
import random
import re
import socket
import struct
import sys
import time
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from danvan_crawler.replica import render as R
from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.control import ControlHandler
from danvan_crawler.replica.faults import Faults, parse_spec
from danvan_crawler.replica.state import HTML, ROBOTS, UPLOADS, Page, Replica

logger = logging.getLogger(__name__)

ARTICLE_RE = re.compile(r"^/vi-vn/tin/[^/]+/(\d+)-(\d+)-(\d+)/?$")
CATEGORY_RE = re.compile(r"^/vi-vn/chuyen-muc/[^/]+/(\d+-\d+)/?$")
SUBSITE_RE = re.compile(r"^/vi-vn/ban/([^/]+)/?$")


class Handler(ControlHandler):
    server_version = "Microsoft-IIS/10.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as production servers set it: without it, a keep-alive response
    # written in two sends (headers, then body) waits for the client's delayed ACK
    # (~40 ms a request on Linux loopback), and that stall, not the crawler, set the
    # pace of every crawl of the replica
    disable_nagle_algorithm = True
    replica: Replica  # set on the subclass by make_server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)

    # -- dispatch -------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        split = urlsplit(self.path)
        if not split.path.startswith("/_replica/"):
            self._send_plain(405, b"method not allowed\n", "text/plain; charset=utf-8")
            return
        self._control("POST", split.path, parse_qs(split.query))

    def _serve(self, head: bool) -> None:
        split = urlsplit(self.path)
        if split.path.startswith("/_replica/"):
            self._control("GET", split.path, parse_qs(split.query))
            return
        faults = self.replica.faults
        fault = None
        query = parse_qs(split.query)
        if faults is not None:
            host = (self.headers.get("Host") or "").lower()
            if host.startswith("localhost"):
                faults.count("offsite_served")
            fault = faults.transient(self.path)
            if fault in ("5xx", "timeout", "reset", "429"):
                faults.count(fault)
                self._send_transient(fault, split.path)
                return
            location = faults.loop_target(split.path, query)
            if location is None and faults.offsite_path == split.path:
                faults.count("offsite_redirect")
                port = self.server.server_address[1]  # type: ignore[index]  # (host, port)
                location = f"http://localhost:{port}{split.path}"
            if location is not None:
                self._send_redirect(location)
                return
        try:
            page = self.route(split.path, query)
        except Exception:  # pragma: no cover - a bug: answer 500 and log it
            logger.exception("replica error on %s", self.path)
            page = Page(500, "other", b"internal error\n", "text/plain; charset=utf-8")
        gzip_ok = True
        if faults is not None and page.status == 200:
            body, ctype = faults.rewrite(page.body, page.content_type, split.path, page.kind)
            if split.path == faults.huge_path:
                faults.count("huge")
                body, gzip_ok = faults.huge(body), False
            if body is not page.body or ctype != page.content_type:
                page = Page(200, page.kind, body, ctype, page.last_modified)
        if fault == "truncate":
            faults.count("truncate")  # type: ignore[union-attr]
        self._send_page(page, head, truncate=fault == "truncate", gzip_ok=gzip_ok)

    def _send_transient(self, fault: str, path: str) -> None:
        """A 5xx, a 429, a connection that hangs, or a reset connection."""
        faults = self.replica.faults
        assert faults is not None
        kind = _kind_of(path)
        if fault == "timeout":
            time.sleep(faults.spec.hang)
            self.close_connection = True
            return
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault == "429":
            body = b"<html><body><h1>429 Too Many Requests</h1></body></html>\n"
            self.send_response(429)
            self.send_header("Retry-After", str(faults.spec.retry_after))
            status = 429
        else:
            status = (500, 502, 503)[faults.variant(self.path, "5xx", 3)]
            body = (
                f"<html><body><h1>{status} Server Error</h1><p>Runtime Error</p></body></html>\n"
            ).encode()
            self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.replica.count(kind, status, len(body))
        self.end_headers()
        self.wfile.write(body)

    def _send_redirect(self, location: str) -> None:
        body = b"<html><body>Object moved</body></html>\n"
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.replica.count(_kind_of(urlsplit(self.path).path), 302, len(body))
        self.end_headers()
        self.wfile.write(body)

    # -- routes ---------------------------------------------------------------------------
    def route(self, path: str, query: dict[str, list[str]]) -> Page:
        rep = self.replica
        w = rep.world
        ctx = rep.ctx()
        lay = rep.layout
        if path == "/":

            def home() -> Page:
                with w.lock:
                    latest = w.latest(10)
                    featured = self._featured(latest)
                body = lay.home(ctx, featured, latest)
                return Page(200, "other", body.encode(), HTML, w.last_modified())

            return rep.cached(("home", w.generation), home)
        if path == "/robots.txt":
            return Page(200, "other", ROBOTS.encode(), "text/plain; charset=utf-8", Wd.WORLD_START)
        if path.startswith("/Uploads/"):
            ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
            if ext in UPLOADS:
                ctype, data = UPLOADS[ext]
                return Page(200, "other", data, ctype, Wd.WORLD_START)
            return self._not_found("other")
        m = ARTICLE_RE.match(path)
        if m:
            meta = w.by_id.get(int(m.group(3)))
            if meta is None:
                return self._not_found("article")
            version = meta.version

            def article() -> Page:
                body = lay.article(ctx, w.article(meta)).encode()
                return Page(200, "article", body, HTML, meta.updated)

            return rep.cached(("article", meta.index, version), article)
        m = CATEGORY_RE.match(path)
        if m:
            cat = next((c for c in S.CATEGORIES if c.numbers == m.group(1)), None)
            if cat is None:
                return self._not_found("listing")
            generation = w.generation
            items = w.listing(cat.key)
            last = max(1, -(-len(items) // R.PER_PAGE))
            raw = query.get("trang", ["1"])[0]
            # the pagination trap: pages go on forever, repeating the last page's entries
            trap = rep.faults is not None and rep.faults.spec.trap
            if not raw.isdigit() or not 1 <= int(raw) <= (10**9 if trap else last):
                return self._not_found("listing")
            page = int(raw)
            if trap and page > last:
                rep.faults.count("trap")  # type: ignore[union-attr]

            def listing() -> Page:
                shown = min(page, last)
                chunk = items[(shown - 1) * R.PER_PAGE : shown * R.PER_PAGE]
                # any change in the category may shift every page: its newest update
                lm = items[0].updated if items else Wd.WORLD_START
                pages = max(page, last) + 1 if trap else last
                body = lay.listing(ctx, cat, page, pages, chunk).encode()
                return Page(200, "listing", body, HTML, lm)

            return rep.cached(("listing", cat.key, page, generation), listing)
        m = SUBSITE_RE.match(path)
        if m:
            site = next((s for s in S.SITES[1:] if s.key == m.group(1)), None)
            if site is None:
                return self._not_found("other")

            def subsite() -> Page:
                with w.lock:
                    latest = w.latest(10, site)
                body = lay.subsite(ctx, site, latest)
                lm = max((x.updated for x in latest), default=Wd.WORLD_START)
                return Page(200, "other", body.encode(), HTML, lm)

            return rep.cached(("subsite", site.key, w.generation), subsite)
        return self._not_found("other")

    def _featured(self, latest: list[Wd.Meta]) -> list[Wd.Meta]:
        w = self.replica.world
        rng = random.Random(f"{w.seed}:featured")
        initial = [m for m in w.metas[: max(1, len(w.metas))] if m.copy_of is None]
        picks = [initial[rng.randrange(len(initial))] for _ in range(6)]
        picks.append(w.metas[0])  # the seed article
        out: dict[int, Wd.Meta] = {m.id: m for m in latest[:6]}
        for m in picks:
            out.setdefault(m.id, m)
        return list(out.values())

    def _not_found(self, kind: str) -> Page:
        body = self.replica.layout.not_found(self.replica.ctx()).encode()
        return Page(404, kind, body, HTML, None)

    # -- HTTP semantics -------------------------------------------------------------------
    def _send_page(
        self, page: Page, head: bool, *, truncate: bool = False, gzip_ok: bool = True
    ) -> None:
        body = page.body
        cut = ""
        if truncate and page.status == 200 and not head and self.replica.faults is not None:
            cut, part = self.replica.faults.truncate(body, self.path)
            if cut != "dataloss":
                body = part
                page = Page(200, page.kind, body, page.content_type, page.last_modified)
        etag = page.etag
        lm = page.last_modified
        lm_http = (
            format_datetime(lm.astimezone(UTC).replace(microsecond=0), usegmt=True) if lm else None
        )
        status = page.status
        if status == 200 and self._not_modified(etag, lm):
            status = 304
        use_gzip = (
            gzip_ok
            and status == 200
            and page.content_type.startswith(("text/", "application/json"))
            and len(body) > 256
            and _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        )
        if use_gzip:
            if page.gz is None:
                page.gz = gzip.compress(body, compresslevel=5, mtime=0)
            body = page.gz
            etag = etag[:-1] + '-gz"'
        if cut == "dataloss" and status == 200:
            # the whole length announced, a part sent, the connection closed
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            if use_gzip:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            part = body[: len(body) * 2 // 3]
            self.wfile.write(part)
            self.wfile.flush()
            self.close_connection = True
            self.replica.count(page.kind, 200, len(part))
            return
        self.send_response(status)
        self.send_header("Content-Type", page.content_type)
        if page.status == 200:
            self.send_header("ETag", etag)
            if lm_http:
                self.send_header("Last-Modified", lm_http)
            self.send_header("Cache-Control", "public, max-age=0, must-revalidate")
            if page.content_type.startswith("text/"):
                self.send_header("Vary", "Accept-Encoding")
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        # counted before the answer leaves: a client reading /_replica/stats right after
        # its response must find it counted
        if status == 304:
            self.replica.count(page.kind, 304, 0)
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.replica.count(page.kind, status, len(body))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _not_modified(self, etag: str, lm: datetime | None) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            return "*" in tags or etag in tags or etag[:-1] + '-gz"' in tags
        ims = self.headers.get("If-Modified-Since")
        if ims and lm is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return lm.replace(microsecond=0) <= since
        return False


def _accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() in ("gzip", "*"):
            q = params.strip()
            if not q.startswith("q="):
                return True
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
    return False


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (after its timeout, a reset, a page too large) is
        normal with ``--faults``: log it at debug level, not as a traceback on stderr."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            logger.debug("client %s went away: %s", client_address, exc)
            return
        super().handle_error(request, client_address)


def make_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    articles: int = 300,
    seed: int = 1,
    layout: str = "classic",
    xss: bool = False,
    faults: str | None = None,
) -> tuple[Server, Replica]:
    """A server and its replica; ``faults`` is a ``--faults`` spec (``faults.parse_spec``;
    ``ValueError`` when bad)."""
    injector = None
    if faults:
        spec = parse_spec(faults)
        injector = Faults(spec, seed) if spec.active else None
    world = Wd.World(articles=articles, seed=seed, xss=xss)
    if injector is not None:
        injector.pick_articles([(m.id, world.path(m)) for m in world.metas[1:]])
    replica = Replica(world, layout, injector)
    handler = type("ReplicaHandler", (Handler,), {"replica": replica})
    server = Server((host, port), handler)
    shown_host = host if ":" not in host else f"[{host}]"
    replica.base = f"http://{shown_host}:{server.server_address[1]}"
    return server, replica


def _kind_of(path: str) -> str:
    if ARTICLE_RE.match(path):
        return "article"
    if CATEGORY_RE.match(path):
        return "listing"
    return "other"
