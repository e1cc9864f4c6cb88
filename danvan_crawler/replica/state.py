"""What the replica's handler threads share (:class:`Replica`: world, layout, request
statistics, the cache of rendered pages), a response to send (:class:`Page`) and the fixed
bodies it serves (robots.txt, the bytes of attached files).
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from danvan_crawler.replica import render as R
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.faults import Faults
from danvan_crawler.replica.layouts import make_layout

ROBOTS = """User-agent: *
Disallow: /_replica/
Disallow: /Admin/
Disallow: /Search
"""

# Tiny bodies with the right magic numbers.
JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300")
    + bytes(64)
    + bytes.fromhex("ffd9")
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
DOC = bytes.fromhex("d0cf11e0a1b11ae1") + bytes(56)
DOCX = b"PK\x03\x04" + bytes(26)
UPLOADS: dict[str, tuple[str, bytes]] = {
    "jpg": ("image/jpeg", JPEG),
    "jpeg": ("image/jpeg", JPEG),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(16)),
    "gif": ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    "pdf": ("application/pdf", PDF),
    "doc": ("application/msword", DOC),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX),
    "css": ("text/css; charset=utf-8", b"body{font-family:sans-serif}\n"),
    "js": ("text/javascript; charset=utf-8", b"/* site script */\n"),
}
HTML = "text/html; charset=utf-8"
PAGE_CACHE = 2048  # rendered pages kept in memory


class Replica:
    """World + layout + request statistics; shared by all handler threads."""

    def __init__(
        self, world: Wd.World, layout: str = "classic", faults: Faults | None = None
    ) -> None:
        self.world = world
        self.faults = faults
        self.layout = make_layout(layout)
        self.layout_name = layout
        self.base = ""
        self.stats_lock = threading.Lock()
        self.by_kind: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_kind_status: Counter[str] = Counter()
        self.not_modified = 0
        self.bytes_sent = 0
        self.pages: OrderedDict[tuple[object, ...], Page] = OrderedDict()
        self.pages_lock = threading.Lock()

    def cached(self, key: tuple[object, ...], build: Callable[[], Page]) -> Page:
        """A rendered page from the LRU cache (pages are pure functions of their key)."""
        with self.pages_lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
                return page
        page = build()
        with self.pages_lock:
            self.pages[key] = page
            while len(self.pages) > PAGE_CACHE:
                self.pages.popitem(last=False)
        return page

    def count(self, kind: str, status: int, size: int) -> None:
        with self.stats_lock:
            self.by_kind[kind] += 1
            self.by_status[str(status)] += 1
            self.by_kind_status[f"{kind}/{status}"] += 1
            self.bytes_sent += size
            if status == 304:
                self.not_modified += 1

    def stats(self) -> dict[str, Any]:
        with self.stats_lock:
            return {
                "total": sum(self.by_kind.values()),
                "by_kind": {k: self.by_kind.get(k, 0) for k in ("listing", "article", "other")},
                "by_status": dict(sorted(self.by_status.items())),
                "by_kind_status": dict(sorted(self.by_kind_status.items())),
                "not_modified": self.not_modified,
                "bytes": self.bytes_sent,
                "articles": len(self.world.metas),
                "faults": self.faults.stats() if self.faults is not None else {},
            }

    def reset(self) -> None:
        with self.stats_lock:
            self.by_kind.clear()
            self.by_status.clear()
            self.by_kind_status.clear()
            self.not_modified = 0
            self.bytes_sent = 0
        if self.faults is not None:
            self.faults.reset()

    def ctx(self) -> R.Ctx:
        return R.Ctx(self.world, self.base, self.layout_name)


class Page:
    """A response to send: status, kind (for stats), body, type, last-modified."""

    __slots__ = ("body", "content_type", "etag", "gz", "kind", "last_modified", "status")

    def __init__(
        self,
        status: int,
        kind: str,
        body: bytes,
        content_type: str = HTML,
        last_modified: datetime | None = None,
    ) -> None:
        self.status = status
        self.kind = kind
        self.body = body
        self.content_type = content_type
        self.last_modified = last_modified
        self.etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        self.gz: bytes | None = None  # gzip-compressed body, made on first use
