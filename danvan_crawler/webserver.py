"""The feeds folder over HTTP, on Twisted's web server (what ``danvan serve`` runs).

The files and the search are answered by :class:`webresource.FeedsResource`; this module
is the site around it.

What keeps it serving when clients misbehave (:class:`FeedsSite`, :class:`FeedsChannel`):

- a request (its line, headers and any body) must arrive within ``request_timeout``
  seconds of the connection, or of the end of the previous response on a kept-alive
  connection, however slowly it trickles in; otherwise the connection is closed;
- a connection with no traffic for ``idle_timeout`` seconds is closed (Twisted's own
  timeout, which also bounds a client that stops reading its response);
- at most ``max_connections`` are open; at the cap, a new connection closes the one
  that has waited longest without a complete request (the idle or half-sent ones that
  hold a slot without costing anything to serve), and is refused only when every open
  connection is busy with a request;
- the listen backlog is :data:`DEFAULT_BACKLOG` (the kernel caps it at
  ``net.core.somaxconn``);
- a client that goes away is not an error: nothing is logged above INFO.
"""

from __future__ import annotations

import contextlib
import logging
import resource
from pathlib import Path
from typing import Any

from twisted.internet.interfaces import IDelayedCall
from twisted.web import http
from twisted.web.server import Request, Site

from danvan_crawler.webresource import FeedsResource

logger = logging.getLogger(__name__)


DEFAULT_REQUEST_TIMEOUT = 10.0
DEFAULT_IDLE_TIMEOUT = 30.0
DEFAULT_MAX_CONNECTIONS = 512
DEFAULT_BACKLOG = 1024
#: File descriptors kept free for everything but client connections (the listening
#: socket, files being read, logs).
RESERVED_FDS = 32


class FeedsChannel(http.HTTPChannel):
    """An HTTP/1.1 connection with a deadline for each request, known to its site (which
    counts connections and closes the longest-waiting one at the cap)."""

    site: FeedsSite
    _request_deadline: IDelayedCall | None = None

    def connectionMade(self) -> None:
        super().connectionMade()
        self.site.opened(self)
        self._start_deadline()

    def allContentReceived(self) -> None:
        # The whole request (head and any body) is in: it is answered now.
        self._cancel_deadline()
        self.site.busy(self)
        super().allContentReceived()

    def requestDone(self, request: http.Request) -> None:
        super().requestDone(request)
        if self.persistent and not self.transport.disconnecting:
            self.site.waiting(self)
            self._start_deadline()

    def connectionLost(self, reason: Any) -> None:
        self._cancel_deadline()
        self.site.closed(self)
        super().connectionLost(reason)

    def evict(self) -> None:
        """Make room for a new connection: this one waited longest for a request."""
        self._cancel_deadline()
        self.transport.abortConnection()

    def _start_deadline(self) -> None:
        self._cancel_deadline()
        self._request_deadline = self.callLater(self.site.request_timeout, self._request_too_slow)

    def _cancel_deadline(self) -> None:
        if self._request_deadline is not None and self._request_deadline.active():
            self._request_deadline.cancel()
        self._request_deadline = None

    def _request_too_slow(self) -> None:
        self._request_deadline = None
        logger.debug("no complete request in %.0f s: closing", self.site.request_timeout)
        self.timeoutConnection()  # Twisted's: close, and abort if the close hangs


class FeedsSite(Site):
    """The site over :class:`FeedsResource`, with the connection table behind the cap."""

    protocol = FeedsChannel  # plain HTTP/1.x (no TLS, so no HTTP/2 to negotiate)
    displayTracebacks = False

    def __init__(
        self,
        root: Path,
        *,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        store: Any = None,
        public_url: str | None = None,
    ) -> None:
        super().__init__(FeedsResource(root, store, public_url), timeout=idle_timeout)
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        # Open connections; the ones waiting for a request in the order they started
        # waiting (dicts keep insertion order), the busy ones apart.
        self._waiting: dict[FeedsChannel, None] = {}
        self._busy: set[FeedsChannel] = set()
        self.refused = 0
        self.evicted = 0

    @property
    def open_connections(self) -> int:
        return len(self._waiting) + len(self._busy)

    def buildProtocol(self, addr: Any) -> FeedsChannel | None:
        if self.open_connections >= self.max_connections:
            if not self._waiting:
                self.refused += 1
                logger.debug("%d connections, all busy: refusing one", self.open_connections)
                return None  # Twisted closes the socket
            oldest = next(iter(self._waiting))
            self.closed(oldest)
            self.evicted += 1
            oldest.evict()
        return super().buildProtocol(addr)

    def opened(self, channel: FeedsChannel) -> None:
        self._waiting[channel] = None

    def busy(self, channel: FeedsChannel) -> None:
        self._waiting.pop(channel, None)
        self._busy.add(channel)

    def waiting(self, channel: FeedsChannel) -> None:
        self._busy.discard(channel)
        self._waiting[channel] = None

    def closed(self, channel: FeedsChannel) -> None:
        self._waiting.pop(channel, None)
        self._busy.discard(channel)

    def log(self, request: Request) -> None:
        """Access log lines go to Python logging (INFO), not to Twisted's log file."""
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s", self._logFormatter(self._logDateTime, request))


def raise_fd_limit(wanted: int) -> int:
    """Raise the soft limit on open files towards ``wanted`` (up to the hard limit);
    the soft limit in force afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def connection_cap(requested: int) -> int:
    """``requested``, lowered to what the open-files limit allows (after raising it)."""
    limit = raise_fd_limit(requested + RESERVED_FDS)
    if limit == resource.RLIM_INFINITY:
        return requested
    return max(1, min(requested, limit - RESERVED_FDS))


def twisted_logs_to_python() -> None:
    """Send Twisted's log events to Python logging (the ``twisted`` logger), as Scrapy
    does, so that they follow the command's logging and never print on their own."""
    from twisted.logger import STDLibLogObserver, globalLogBeginner

    globalLogBeginner.beginLoggingTo([STDLibLogObserver()], redirectStandardIO=False)
