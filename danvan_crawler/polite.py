"""A small polite fetcher for commands that read a handful of pages outside a crawl
(``danvan profile learn``, ``danvan inspect``): the crawl's manners without Scrapy.

It obeys the site's robots.txt, sends the crawler's User-Agent (``DANVAN_USER_AGENT``
with ``DANVAN_CONTACT_URL``), waits ``DOWNLOAD_DELAY`` (1 s) between requests unless
politeness is lifted as the crawl lifts it (``DANVAN_POLITENESS``: ``auto`` lifts it on a
loopback site such as the replica, ``off`` always, ``polite`` never), and decodes pages
as the crawl does (Content-Type charset, BOM, ``<meta charset>``).
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
import urllib.robotparser
from urllib.parse import urlsplit

from w3lib.encoding import html_to_unicode

from danvan_crawler import __version__, settings
from danvan_crawler.urls import is_loopback_url

__all__ = ["FetchError", "PoliteFetcher", "user_agent"]


class FetchError(Exception):
    """A page could not be fetched (one line why)."""


def user_agent() -> str:
    template = os.environ.get("DANVAN_USER_AGENT") or settings.DANVAN_USER_AGENT
    contact = os.environ.get("DANVAN_CONTACT_URL") or settings.DANVAN_CONTACT_URL
    return template.format(version=__version__, contact_url=contact)


class PoliteFetcher:
    """GET pages of one site, one at a time, as the crawl would."""

    def __init__(self, site_url: str, delay: float | None = None, timeout: float = 30.0) -> None:
        self.site_url = site_url
        self.user_agent = user_agent()
        mode = (os.environ.get("DANVAN_POLITENESS") or settings.DANVAN_POLITENESS).lower()
        lifted = mode == "off" or (mode == "auto" and is_loopback_url(site_url))
        self.delay = delay if delay is not None else (0.0 if lifted else settings.DOWNLOAD_DELAY)
        self.timeout = timeout
        self.requests = 0
        self._last = 0.0
        # no proxy for loopback: the replica is on this machine
        handlers = [urllib.request.ProxyHandler({})] if is_loopback_url(site_url) else []
        self._opener = urllib.request.build_opener(*handlers)
        self._robots: urllib.robotparser.RobotFileParser | None = None

    def _wait(self) -> None:
        pause = self._last + self.delay - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self._last = time.monotonic()

    def _open(self, url: str) -> tuple[bytes, str | None]:
        self._wait()
        self.requests += 1
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.read(), response.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            raise FetchError(f"{url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise FetchError(f"{url}: {reason}") from None

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets our User-Agent fetch ``url`` (no robots.txt,
        or a 4xx one: everything is allowed, as Scrapy's middleware does)."""
        if self._robots is None:
            parts = urlsplit(url)
            robots = urllib.robotparser.RobotFileParser()
            try:
                body, _ = self._open(f"{parts.scheme}://{parts.netloc}/robots.txt")
                robots.parse(body.decode("utf-8", "replace").splitlines())
            except FetchError:
                robots.parse([])
            self._robots = robots
        return self._robots.can_fetch(self.user_agent, url)

    def get(self, url: str) -> str:
        """The page at ``url`` as text; :class:`FetchError` when robots.txt forbids it or
        it cannot be fetched."""
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt")
        body, content_type = self._open(url)
        _, text = html_to_unicode(content_type, body)
        return text
