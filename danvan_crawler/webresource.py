"""The feeds folder as a Twisted resource (:class:`FeedsResource`), served by
:mod:`danvan_crawler.webserver`.

GET and HEAD of regular files inside one folder, nothing else: no directory listings,
``index.html`` for a folder, the feeds' media types with ``charset=utf-8`` on every text
type (RSS and Atom as ``application/xml`` to browsers, :func:`content_type`), a
content-hash ETag, Last-Modified and 304 answers to conditional requests,
``X-Content-Type-Options: nosniff`` and a Content-Security-Policy that lets the folder's
own stylesheet, script and XSL run and nothing else. With a store, the search page and
feeds (:data:`SEARCH_PATHS`) are answered from it.

Paths are checked by :func:`resolve`: ``..`` (also percent-encoded), a NUL or a
backslash is 403; a dot-file (publish's temporary files) is 404; a symlink whose target
is outside the folder is 403.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from twisted.web.resource import Resource
from twisted.web.server import NOT_DONE_YET, Request

logger = logging.getLogger(__name__)


#: Media type by file extension; other files are served as application/octet-stream.
#: Every text type says its charset: a browser guessing would show the Vietnamese of an
#: RSS file as mojibake.
CONTENT_TYPES: dict[str, str] = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
#: Feeds that browsers get as ``application/xml`` (see :func:`content_type`).
XSL_STYLED = frozenset({".rss", ".atom"})
BROWSER_XML = "application/xml; charset=utf-8"
#: Same-origin stylesheet, script and XSL only (the folder's own), images from anywhere
#: (article images stay on the portal); no inline script or style, no plugins, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' http: https:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SERVER_NAME = b"danvan-serve"


def resolve(root: Path, raw_path: str) -> Path | HTTPStatus:
    """The file under ``root`` (resolved) that ``raw_path`` (a request target) names, or
    the status to answer with."""
    path = urlsplit(raw_path).path
    try:
        path = unquote(path, errors="strict") if "%" in path else path
    except UnicodeDecodeError:
        return HTTPStatus.NOT_FOUND
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return HTTPStatus.FORBIDDEN
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return HTTPStatus.FORBIDDEN
    if any(p.startswith(".") for p in parts):
        return HTTPStatus.NOT_FOUND
    candidate = root.joinpath(*parts) if parts else root
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return HTTPStatus.NOT_FOUND
    if not resolved.is_relative_to(root):
        return HTTPStatus.FORBIDDEN
    if resolved.is_dir():
        resolved = resolved / "index.html"
    if not resolved.is_file():
        return HTTPStatus.NOT_FOUND
    return resolved


def content_type(suffix: str, accept: str) -> str:
    """The Content-Type of a file with ``suffix`` for a request that sent ``accept``.

    An RSS or Atom file goes to a browser (it asks for ``text/html`` and not for the
    feed's own type) as ``application/xml``: Chromium shows ``application/rss+xml`` and
    ``application/atom+xml`` as plain text and Firefox saves them, whereas an XML type
    is rendered through the feed's ``feed.xsl``. Feed readers get the feed's own type
    (and would read the same bytes either way)."""
    own = CONTENT_TYPES.get(suffix, "application/octet-stream")
    if suffix in XSL_STYLED and "text/html" in accept and own.split(";")[0] not in accept:
        return BROWSER_XML
    return own


def not_modified(request: Request, etag: str, mtime: int) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    if_none_match = request.getHeader(b"if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.decode("latin-1").split(",")]
        return "*" in tags or etag in tags
    if_modified_since = request.getHeader(b"if-modified-since")
    if if_modified_since:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since.decode("latin-1"))
        except (TypeError, ValueError):
            return False
        if since is None or since.tzinfo is None:
            return False
        return mtime <= int(since.timestamp())
    return False


#: The search page and the feeds of a search (answered from the store, not the folder).
SEARCH_PATHS = {"/search": "", "/search.rss": "rss", "/search.atom": "atom", "/search.json": "json"}
#: The search page posts its form to itself.
SEARCH_PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'")
_FEED_KINDS = {".rss": "rss", ".atom": "atom", ".json": "json"}
_FILTER_PARAMS = (b"filter", b"filterout", b"limit")
_HOST_RE = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def query_args(request: Request) -> dict[str, list[str]] | HTTPStatus:
    """The request's query parameters as text (400 when they are not UTF-8)."""
    out: dict[str, list[str]] = {}
    try:
        for name, values in (request.args or {}).items():
            out[name.decode("utf-8")] = [v.decode("utf-8") for v in values]
    except UnicodeDecodeError:
        return HTTPStatus.BAD_REQUEST
    return out


class FeedsResource(Resource):
    """Every path below the site's root, answered from the folder ``root``; with a
    store, the search page and feeds (:data:`SEARCH_PATHS`) from it."""

    isLeaf = True

    def __init__(self, root: Path, store: Any = None, public_url: str | None = None) -> None:
        super().__init__()
        self.root = root.resolve()
        self.store = store
        self.public_url = public_url

    def render(self, request: Request) -> bytes | int:
        request.setHeader(b"server", SERVER_NAME)  # on 405s too
        request.setHeader(b"x-content-type-options", b"nosniff")
        return super().render(request)

    def render_GET(self, request: Request) -> bytes | int:
        return self._answer(request, send_body=True)

    def render_HEAD(self, request: Request) -> bytes | int:
        return self._answer(request, send_body=False)

    def _answer(self, request: Request, send_body: bool) -> bytes | int:
        uri = request.uri.decode("latin-1")
        if urlsplit(uri).path in SEARCH_PATHS:
            return self._search(request, SEARCH_PATHS[urlsplit(uri).path], send_body)
        target = resolve(self.root, uri)
        if isinstance(target, HTTPStatus):
            return self._error(request, target, send_body)
        try:
            data = target.read_bytes()
            mtime = int(target.stat().st_mtime)
        except OSError:
            return self._error(request, HTTPStatus.NOT_FOUND, send_body)
        kind = _FEED_KINDS.get(target.suffix.lower())
        if kind and any(name in (request.args or {}) for name in _FILTER_PARAMS):
            filtered = self._filtered(request, data, kind)
            if isinstance(filtered, tuple):
                return self._error(request, filtered[0], send_body, filtered[1])
            data = filtered
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        request.setHeader(b"etag", etag.encode())
        request.setHeader(b"last-modified", email.utils.formatdate(mtime, usegmt=True).encode())
        request.setHeader(b"cache-control", b"no-cache")
        suffix = target.suffix.lower()
        if suffix in XSL_STYLED:
            request.setHeader(b"vary", b"Accept")
        if not_modified(request, etag, mtime):
            request.setResponseCode(HTTPStatus.NOT_MODIFIED)
            # Written here: returning b"" would have Twisted add "Content-Length: 0",
            # which a 304 must not claim (RFC 9110: the 200's length or nothing).
            request.write(b"")
            request.finish()
            return NOT_DONE_YET
        accept = (request.getHeader(b"accept") or b"").decode("latin-1").lower()
        request.setHeader(b"content-type", content_type(suffix, accept).encode())
        request.setHeader(b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
        request.setHeader(b"content-length", str(len(data)).encode())
        return data if send_body else b""

    @staticmethod
    def _filtered(request: Request, data: bytes, kind: str) -> bytes | tuple[HTTPStatus, str]:
        """``data`` filtered by the request's ``filter``, ``filterout`` and ``limit``."""
        from danvan_crawler.feeds.follow import FilterError, filter_feed, parse_filters

        args = query_args(request)
        if isinstance(args, HTTPStatus):
            return (args, "query parameters must be UTF-8")
        try:
            wanted = parse_filters(args)
            return filter_feed(data, kind, wanted) if wanted else data
        except FilterError as exc:
            return (HTTPStatus.BAD_REQUEST, str(exc))

    def _base_url(self, request: Request) -> str:
        """Where this server is, for the absolute links of a search feed: the public
        URL when one is configured, else the request's Host (when it is a host name)."""
        if self.public_url:
            return self.public_url if self.public_url.endswith("/") else self.public_url + "/"
        host = (request.getHeader(b"host") or b"").decode("latin-1")
        if not _HOST_RE.fullmatch(host):
            address = request.getHost()
            host = f"{address.host}:{address.port}"
        return f"http://{host}/"

    def _search(self, request: Request, kind: str, send_body: bool) -> bytes | int:
        """Parameters read here; the search and the rendering in a thread of the
        reactor's pool (a query of common words takes tens of ms at 100 000 articles:
        the other clients are not kept waiting), the answer written back here."""
        from twisted.internet.threads import deferToThread

        from danvan_crawler.feeds import follow

        if self.store is None:
            return self._error(
                request, HTTPStatus.NOT_FOUND, send_body, "no search: serve with --db STORE"
            )
        args = query_args(request)
        if isinstance(args, HTTPStatus):
            return self._error(request, args, send_body, "query parameters must be UTF-8")
        raw = (args.get("q") or [""])[0].strip()
        category = (args.get("category") or [""])[0].strip() or None
        try:
            wanted = follow.parse_filters(args)
        except follow.FilterError as exc:
            return self._error(request, HTTPStatus.BAD_REQUEST, send_body, str(exc))
        base = self._base_url(request)
        gone: list[bool] = []
        request.notifyFinish().addErrback(lambda _: gone.append(True))

        def answer(result: tuple[HTTPStatus, bytes, str]) -> None:
            if gone:
                return  # the client went away meanwhile
            status, data, suffix = result
            if suffix == ".txt":  # an error, said in one line
                request.setResponseCode(status)
                request.setHeader(b"content-type", b"text/plain; charset=utf-8")
                request.setHeader(b"content-length", str(len(data)).encode())
            else:
                self._headers(request, status, data, suffix)
            if request.code != HTTPStatus.NOT_MODIFIED and send_body:
                request.write(data)
            request.finish()

        def failed(failure: Any) -> None:
            logger.error("search failed: %s", failure.getTraceback())
            body = f"{HTTPStatus.SERVICE_UNAVAILABLE.value} Service Unavailable\n".encode()
            answer((HTTPStatus.SERVICE_UNAVAILABLE, body, ".txt"))

        deferred = deferToThread(self._search_answer, raw, kind, wanted, category, base)
        deferred.addCallbacks(answer, failed)
        return NOT_DONE_YET

    def _search_answer(
        self, raw: str, kind: str, wanted: Any, category: str | None, base: str
    ) -> tuple[HTTPStatus, bytes, str]:
        """(status, body, suffix) of a search page or feed (run in a thread)."""
        from danvan_crawler.feeds import follow
        from danvan_crawler.store.search import QueryError, parse_query, search

        extra = {"category": category} if category else {}
        status = HTTPStatus.OK
        hits: Any = None
        error = None
        try:
            if len(raw) > follow.MAX_TERM:
                raise QueryError(f"query longer than {follow.MAX_TERM} characters")
            if raw or kind:
                query = parse_query(raw)
                if kind:  # a feed: newest first; filtered ones from the most there can be
                    limit = (wanted.limit if wanted else None) or follow.SEARCH_FEED_LIMIT
                    if wanted and (wanted.include or wanted.exclude):
                        limit = follow.MAX_LIMIT
                    hits = search(self.store, query, category=category, limit=limit, order="date")
                else:
                    limit = (wanted.limit if wanted else None) or follow.SEARCH_PAGE_LIMIT
                    hits = search(self.store, query, category=category, limit=limit)
        except QueryError as exc:
            if kind:
                why = f"{HTTPStatus.BAD_REQUEST.value} Bad Request\n{exc}\n"
                return HTTPStatus.BAD_REQUEST, why.encode(), ".txt"
            error, status = str(exc), HTTPStatus.BAD_REQUEST
        if not kind:
            return status, follow.search_page(raw, hits, error=error, extra=extra), ".html"
        data = follow.search_feed(hits or [], raw, kind, base, extra=extra)
        if wanted and (wanted.include or wanted.exclude or wanted.limit):
            data = follow.filter_feed(data, kind, wanted)
        return status, data, "." + kind

    @staticmethod
    def _headers(request: Request, status: HTTPStatus, data: bytes, suffix: str) -> None:
        """Headers of a search answer; a 304 when the client has these bytes (ETag
        only: the answer has no file time)."""
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        request.setHeader(b"etag", etag.encode())
        request.setHeader(b"cache-control", b"no-cache")
        if suffix in XSL_STYLED:
            request.setHeader(b"vary", b"Accept")
        if (
            status == HTTPStatus.OK
            and request.getHeader(b"if-none-match") is not None
            and not_modified(request, etag, 0)
        ):
            request.setResponseCode(HTTPStatus.NOT_MODIFIED)
            return
        request.setResponseCode(status)
        accept = (request.getHeader(b"accept") or b"").decode("latin-1").lower()
        request.setHeader(b"content-type", content_type(suffix, accept).encode())
        policy = SEARCH_PAGE_POLICY if suffix == ".html" else CONTENT_SECURITY_POLICY
        request.setHeader(b"content-security-policy", policy.encode())
        request.setHeader(b"content-length", str(len(data)).encode())

    @staticmethod
    def _error(
        request: Request, status: HTTPStatus, send_body: bool, why: str | None = None
    ) -> bytes:
        body = f"{status.value} {status.phrase}\n".encode()
        if why:
            body += f"{why}\n".encode()
        request.setResponseCode(status)
        request.setHeader(b"content-type", b"text/plain; charset=utf-8")
        request.setHeader(b"content-length", str(len(body)).encode())
        return body if send_body else b""
