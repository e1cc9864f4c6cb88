"""A tiny portal for tests: fixed pages served on 127.0.0.1 by a real HTTP server.

``MiniSite(pages)`` serves ``{path: Page}`` (a path with its query, or without it;
anything else: 404, or ``default``) from a thread of the test process and counts the
requests each path got (with and without its query); a page may also be a
function of the request's number for that path (1, 2, ...), to change between requests.
The pages follow the default profile's URL scheme and markup (``profiles/nghean.toml``),
written by hand, so a test can print a page the replica never prints (no date, no
headline, tag soup cut short at a chosen place) or answer 503.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CATEGORY = "/vi-vn/chuyen-muc/thoi-su/73410-203449"
BANNER = '<div id="header"><img class="banner" alt="Banner Tỉnh ủy Nghệ An"></div>'
FOOTER = '<div id="footer"><p>Cơ quan chủ quản: Tỉnh ủy Nghệ An.</p></div>'


@dataclass
class Page:
    body: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


#: what a path serves: a page, or a page per request number (1, 2, ...)
Served = Page | Callable[[int], Page]


def article_path(article_id: int) -> str:
    return f"/vi-vn/tin/tin-{article_id}/73410-203449-{article_id}"


def frame(title: str, main: str, soup: bool = False) -> str:
    """A whole page; ``soup``: tag soup, with a stray ``</body></html>`` after the banner
    (what old portal CMSs print)."""
    stray = "</body></html>\n" if soup else ""
    return (
        f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head>\n<body>\n{BANNER}\n{stray}<div id="main">{main}</div>\n{FOOTER}\n'
        "</body></html>\n"
    )


def home(*categories: tuple[str, str]) -> Page:
    links = "".join(f'<li><a href="{path}">{name}</a></li>' for path, name in categories)
    return Page(frame("Tỉnh ủy Nghệ An", f'<ul class="main-menu">{links}</ul>'))


def listing(
    entries: list[tuple[int, str, str, str]], title: str = "Thời sự", pager: str = ""
) -> Page:
    """Entries: (article id, headline, listing time as printed, lead); ``pager``: markup
    after the list."""
    items = "".join(
        f'<div class="news-item"><h3><a class="news-link" href="{article_path(aid)}">{head}'
        f'</a></h3><span class="news-time">{when}</span><div class="news-lead">{lead}</div>'
        "</div>"
        for aid, head, when, lead in entries
    )
    body = f'<h1 class="category-title">{title}</h1><div class="list-news">{items}</div>{pager}'
    return Page(frame(title, body))


def article(
    headline: str | None,
    lead: str,
    paragraphs: list[str],
    date: str | None = None,
    soup: bool = False,
) -> Page:
    """An article page in the classic markup; ``headline`` None: no <h1> and no <title>
    text; ``date`` None: no date printed anywhere; ``soup``: see :func:`frame`."""
    title = f'<h1 class="news-title">{headline}</h1>' if headline else ""
    when = f'<div class="news-date">{date}</div>' if date else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    main = (
        f'<div class="breadcrumb"><a href="/">Trang chủ</a> <a href="{CATEGORY}">Thời sự</a>'
        f'</div><div class="news-detail">{title}{when}<div class="news-sapo">{lead}</div>'
        f'<div class="news-content">{body}</div><div class="news-share">Chia sẻ</div></div>'
        '<div class="related-news"><h3>Tin cùng chuyên mục</h3></div>'
    )
    return Page(frame(f"{headline} - Tỉnh ủy Nghệ An" if headline else "", main, soup))


def cut(page: Page, at: str) -> Page:
    """``page`` cut short just before the first ``at`` in it, with a Content-Length that
    matches what is sent (a server that wrote part of a page, then closed)."""
    index = page.body.index(at)
    return Page(page.body[:index], page.status, dict(page.headers))


class MiniSite:
    """The server; ``url`` ends with ``/``; ``hits[path]``: requests that path got."""

    def __init__(self, pages: dict[str, Served], default: Page | None = None) -> None:
        self.pages = pages
        self.default = default
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                key = self.path if self.path in site.pages else path
                with site.lock:
                    site.hits[path] += 1
                    if key != path:
                        site.hits[key] += 1
                    number = site.hits[key]
                served = site.pages.get(key) or site.default or Page("<html></html>", 404)
                page = served(number) if callable(served) else served
                data = page.body.encode("utf-8")
                self.send_response(page.status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def serving(pages: dict[str, Served], default: Page | None = None) -> Iterator[MiniSite]:
    site = MiniSite(pages, default)
    try:
        yield site
    finally:
        site.stop()
