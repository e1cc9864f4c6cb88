"""What the crawl's fault handling shares: the ``request.meta`` keys its components pass
each other, fault counting, backoff, response validation, later retry rounds. The
components are in :mod:`danvan_crawler.middlewares` (registered in ``settings.py``).

Every failure is counted as ``danvan/fault/<kind>``: ``http_429``, ``http_5xx``,
``http_<code>``, ``timeout``, ``truncated`` (and ``truncated/<reason>`` for article and
listing pages the spider judged cut: :func:`retry_cut_page`), ``empty``, ``connection``,
``too_large``, ``gave_up``, ``later_round``, ``redirect_loop``, ``redirect_limit``,
``offsite_redirect``, ``pagination_trap``, ``page_limit``, ``parse_error``,
``cut_stored``, ``cut_kept_stored``, ``cut_accepted``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from twisted.internet import error as twisted_error

logger = logging.getLogger(__name__)

__all__ = [
    "CATEGORY_META",
    "DIAGNOSTICS_META",
    "Diagnostics",
    "backoff_delay",
    "count_fault",
    "exception_kind",
    "http_date",
    "later_round",
    "on_domains",
    "retries_spent",
    "retry_after_seconds",
    "retry_cut_page",
    "validate_html",
]

FAULT_PREFIX = "danvan/fault/"


@dataclass(frozen=True)
class Diagnostics:
    """What extraction needed on one page: fields that took a fallback, fields missing."""

    fallbacks: frozenset[str] = frozenset()
    missing: frozenset[str] = frozenset()


DELAY_META = "danvan_retry_delay"
LENGTH_META = "danvan_length_mismatch"
#: ``response.meta`` key: the article ids a listing page's callback read off the page
#: (the spider sets it; :class:`PaginationGuard` then does not parse the page again)
LISTING_IDS_META = "danvan_listing_ids"
#: ``request.meta`` key: the category URL of a listing page's request (set by the spider)
CATEGORY_META = "danvan_category"
#: ``response.meta`` key: what extraction needed on the page, a :class:`Diagnostics`
#: (set by the spider's callback; the layout alarm reads it)
DIAGNOSTICS_META = "danvan_diagnostics"
#: ``response.meta`` key: the article request's packed ``ListingHint`` (what its listing
#: entry showed)
LISTING_META = "danvan_listing"
#: ``response.meta`` key: why the spider judged the article page cut short (reasons)
CUT_META = "danvan_cut"
#: ``request.meta`` key: the retry round of a request (0: the first; ``later_round``)
ROUND_META = "danvan_retry_round"
#: later rounds of retries a failing page gets in a run (``DANVAN_RETRY_ROUNDS``)
RETRY_ROUNDS = 2
#: how far below its first priority a request of a later round is scheduled: after
#: everything else the run has to fetch
LATER_ROUND_PRIORITY = 1_000_000
#: how far from the end of an HTML page its ``</html>`` may be (trailing scripts, comments)
HTML_TAIL = 2048


def count_fault(crawler: Crawler | None, kind: str, count: int = 1) -> None:
    """Add to ``danvan/fault/<kind>``."""
    if crawler is not None and crawler.stats is not None:
        crawler.stats.inc_value(FAULT_PREFIX + kind, count)


def backoff_delay(retry_number: int, base: float, cap: float) -> float:
    """Seconds to wait before the ``retry_number``-th retry (1, 2, ...): exponential."""
    if base <= 0:
        return 0.0
    return float(min(cap, base * 2 ** max(0, retry_number - 1)))


def http_date(value: bytes | str | None) -> datetime | None:
    """An HTTP date header (``Last-Modified``, ``Retry-After``) as an aware datetime, or
    None when absent or unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """A ``Retry-After`` header in seconds (delta-seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    when = http_date(text)
    if when is None:
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def validate_html(response: Response, request: Request | None = None) -> str | None:
    """Why an HTML response cannot be trusted (``empty``, ``truncated``), or None.

    Only 200 ``text/html`` responses to GET are judged; others pass."""
    request = request if request is not None else response.request
    if response.status != 200 or request is None or request.method != "GET":
        return None
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    if "html" not in ctype:
        return None
    body = response.body
    if not body.strip():
        return "empty"
    if request.meta.get(LENGTH_META):
        return "truncated"
    tail = body[-HTML_TAIL:].lower()
    if b"</html" not in tail and b"&#60;/html" not in tail:
        return "truncated"
    return None


def exception_kind(exc: BaseException) -> str:
    """The fault kind of a download exception."""
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError):
        return "timeout"
    if isinstance(exc, ResponseDataLossError):
        return "truncated"
    if isinstance(exc, DownloadCancelledError):
        return "too_large"
    if isinstance(
        exc,
        DownloadConnectionRefusedError
        | DownloadFailedError
        | twisted_error.ConnectionDone
        | twisted_error.ConnectionLost
        | twisted_error.ConnectError
        | ConnectionError,
    ):
        return "connection"
    name = type(exc).__name__
    if name == "ResponseFailed":  # twisted.web._newclient: reasons inside
        reasons = " ".join(type(r.value).__name__ for r in getattr(exc, "reasons", []) or [])
        return "truncated" if "DataLoss" in reasons else "connection"
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def on_domains(url: str, domains: Iterable[str]) -> bool:
    """Whether ``url``'s host is one of ``domains`` or below one (ports ignored)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain in domains:
        name = (urlsplit("//" + domain).hostname or "").lower().rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _status_kind(status: int) -> str:
    if status == 429:
        return "http_429"
    if 500 <= status <= 599:
        return "http_5xx"
    return f"http_{status}"


def retries_spent(request: Request, max_retry_times: int) -> bool:
    """Whether ``request`` used up the retries of its round."""
    limit = int(request.meta.get("max_retry_times", max_retry_times))
    return int(request.meta.get("retry_times", 0)) >= limit


def later_round(crawler: Crawler, request: Request, rounds: int, reason: str) -> Request | None:
    """A page that failed every retry of its round gets another round, at most ``rounds``
    more in a run (``DANVAN_RETRY_ROUNDS``): the same request with its retries afresh,
    scheduled after everything else the run fetches (a failing server has had time to
    recover). None when its rounds are spent. Counted as ``later_round``."""
    done = int(request.meta.get(ROUND_META, 0))
    if done >= rounds:
        return None
    again = request.copy()
    for key in ("retry_times", DELAY_META, CUT_META, LENGTH_META):
        again.meta.pop(key, None)
    again.meta[ROUND_META] = done + 1
    again.dont_filter = True
    again.priority = request.priority - LATER_ROUND_PRIORITY
    count_fault(crawler, "later_round")
    logger.info(
        "%s failed every retry (%s): tried again in round %d, after the rest of the run",
        request.url,
        reason,
        done + 2,
    )
    return again


def retry_cut_page(crawler: Crawler, request: Request, reasons: list[str]) -> Request | None:
    """A page judged cut short (``reasons``, counted as ``truncated`` and
    ``truncated/<reason>``): its retry, after the backoff delay (or in a later round),
    or None when the request's retries and rounds are spent."""
    count_fault(crawler, "truncated")
    for reason in reasons:
        count_fault(crawler, f"truncated/{reason}")
    settings = crawler.settings
    if retries_spent(request, settings.getint("RETRY_TIMES")):
        rounds = settings.getint("DANVAN_RETRY_ROUNDS", RETRY_ROUNDS)
        return later_round(crawler, request, rounds, "truncated")
    spider = crawler.spider
    assert spider is not None
    retry = get_retry_request(
        request, spider=spider, reason="truncated", give_up_log_level=logging.WARNING
    )
    if retry is None:
        return None
    retry.meta.pop(CUT_META, None)
    retry.meta[DELAY_META] = backoff_delay(
        int(retry.meta.get("retry_times", 1)),
        settings.getfloat("DANVAN_RETRY_BACKOFF_BASE", 1.0),
        settings.getfloat("DANVAN_RETRY_BACKOFF_MAX", 60.0),
    )
    logger.info("%s looks cut short (%s): fetching it again", request.url, ", ".join(reasons))
    return retry
