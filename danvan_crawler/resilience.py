"""Surviving a faulty portal: retries with backoff, response validation, redirect and
pagination guards. Registered in ``settings.py``.

Downloader middlewares:

- :class:`BackoffRetryMiddleware` (550, replaces Scrapy's ``RetryMiddleware``): retries
  ``RETRY_HTTP_CODES`` (429 included) and ``RETRY_EXCEPTIONS``, and HTML responses that
  fail validation (:func:`validate_html`: empty body, no ``</html>`` near the end, a
  Content-Length the body does not match). The retried request waits before it is sent:
  ``Retry-After`` when the server gave one (capped by ``DANVAN_RETRY_AFTER_MAX``), else
  ``DANVAN_RETRY_BACKOFF_BASE * 2**(n-1)`` seconds (capped by
  ``DANVAN_RETRY_BACKOFF_MAX``) for the n-th retry. A request whose retries are spent
  gets ``DANVAN_RETRY_ROUNDS`` later rounds (:func:`later_round`: its retries afresh,
  scheduled after everything else the run fetches). A response that is still invalid when
  the retries and rounds are spent is dropped (``IgnoreRequest``), never handed to the
  spider: its article is not stored, so the next run fetches it again. A page above
  ``DOWNLOAD_MAXSIZE`` is dropped with a warning.
- :class:`ResponseLengthCheck` (595, before decompression): notes a Content-Length that
  the raw body does not match.
- :class:`RedirectGuard` (610, before ``RedirectMiddleware``): a redirect to a URL already
  in the chain (a loop), a chain longer than ``REDIRECT_MAX_TIMES``, or a redirect to a
  host outside the spider's ``allowed_domains`` ends the request with a warning naming
  the URL.

Spider middlewares:

- :class:`PaginationGuard` (900): a listing page that adds no new article id to its
  category (a pagination trap) is not followed further; a category never gets more than
  ``DANVAN_MAX_PAGES_PER_CATEGORY`` listing pages. Both warn naming the URL.
- :class:`CallbackErrors` (960): an exception in a spider callback (a page the extraction
  cannot handle) becomes a counted drop with a warning naming the URL.
- :class:`ArticleCompleteness` (940): an article page that looks cut short (evidence that
  holds for tag soup: :func:`danvan_crawler.extract.truncation.cut_evidence`, which the
  spider runs) is fetched again, each reason counted as ``truncated/<reason>``. When the
  retries are spent, a new article is stored as it is and fetched again on the next runs
  until its page comes whole (``DANVAN_CUT_MAX_RUNS`` runs at most: ``cut_stored``, then
  ``cut_accepted``); a stored article keeps its stored version (``cut_kept_stored``). A
  page that is whole is fetched once, whatever field the extraction could not find: the
  validate pipeline judges the item.

Every failure is counted as ``danvan/fault/<kind>``: ``http_429``, ``http_5xx``,
``http_<code>``, ``timeout``, ``truncated`` (and ``truncated/<reason>`` for article and
listing pages the spider judged cut: :func:`retry_cut_page`), ``empty``, ``connection``,
``too_large``, ``gave_up``, ``later_round``, ``redirect_loop``, ``redirect_limit``,
``offsite_redirect``, ``pagination_trap``, ``page_limit``, ``parse_error``,
``cut_stored``, ``cut_kept_stored``, ``cut_accepted``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import error as twisted_error

from danvan_crawler.items import Article

logger = logging.getLogger(__name__)

__all__ = [
    "CATEGORY_META",
    "DIAGNOSTICS_META",
    "ArticleCompleteness",
    "BackoffRetryMiddleware",
    "CallbackErrors",
    "Diagnostics",
    "PaginationGuard",
    "RedirectGuard",
    "ResponseLengthCheck",
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
#: ``response.meta`` key: the article is stored although its page still looked cut
CUT_STORED_META = "danvan_cut_stored"
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


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware with exponential backoff, ``Retry-After`` and validation."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("DANVAN_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("DANVAN_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_cap = settings.getfloat("DANVAN_RETRY_AFTER_MAX", 120.0)
        self.rounds = settings.getint("DANVAN_RETRY_ROUNDS", RETRY_ROUNDS)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = request.meta.pop(DELAY_META, 0)
        if delay and delay > 0:
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, delay))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False):
            return response
        if response.status in self.retry_http_codes:
            kind = _status_kind(response.status)
            count_fault(self.crawler, kind)
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            retry = self._retry_later(request, f"{kind} ({response.status})", wait)
            if retry is not None:
                return retry
            self._gave_up(request, kind)
            return response
        invalid = validate_html(response, request)
        if invalid is not None:
            count_fault(self.crawler, invalid)
            retry = self._retry_later(request, invalid, None)
            if retry is not None:
                return retry
            self._gave_up(request, invalid)
            raise IgnoreRequest(f"{invalid} response from {request.url}, retries spent")
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        kind = exception_kind(exception)
        if kind == "too_large":
            count_fault(self.crawler, kind)
            logger.warning("page too large, dropped: %s (%s)", request.url, exception)
            raise IgnoreRequest(f"too large: {request.url}")
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get(
            "dont_retry", False
        ):
            return None
        count_fault(self.crawler, kind)
        retry = self._retry_later(request, kind, None)
        if retry is None:
            self._gave_up(request, kind)
        return retry

    def _retry_later(self, request: Request, reason: str, wait: float | None) -> Request | None:
        if retries_spent(request, self.max_retry_times):
            later = later_round(self.crawler, request, self.rounds, reason)
            if later is not None:
                return later
        retry = self._retry(request, reason)
        if retry is None:
            return None
        number = int(retry.meta.get("retry_times", 1))
        if wait is not None:
            delay = min(wait, self.retry_after_cap)
        else:
            delay = backoff_delay(number, self.base, self.cap)
        retry.meta[DELAY_META] = delay
        logger.debug("retry %d of %s in %.2fs (%s)", number, request.url, delay, reason)
        return retry

    def _gave_up(self, request: Request, kind: str) -> None:
        count_fault(self.crawler, "gave_up")
        logger.warning(
            "gave up on %s after %d retries (%s): the next run tries again",
            request.url,
            request.meta.get("retry_times", 0),
            kind,
        )


class ResponseLengthCheck:
    """Notes (request meta) a Content-Length the raw, still compressed body does not match."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.method == "GET" and response.status == 200:
            declared = response.headers.get(b"Content-Length")
            if declared is not None and declared.isdigit() and int(declared) != len(response.body):
                request.meta[LENGTH_META] = True
            else:  # a retry carries its failed attempt's meta: judged on its own answer
                request.meta.pop(LENGTH_META, None)
        return response


class RedirectGuard:
    """Ends redirect loops, over-long chains and redirects off the site, with a warning."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuard:
        return cls(crawler)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect", False):
            return response
        location = (response.headers[b"Location"] or b"").decode("latin-1")
        target = urljoin(request.url, location).split("#", 1)[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        first = chain[0]
        if target in chain:
            count_fault(self.crawler, "redirect_loop")
            logger.warning(
                "redirect loop at %s: %s leads back to %s (%d hops), not followed",
                first,
                request.url,
                target,
                len(chain),
            )
            raise IgnoreRequest(f"redirect loop: {first}")
        if len(chain) > self.max_times:
            count_fault(self.crawler, "redirect_limit")
            logger.warning(
                "more than %d redirects from %s (last %s), not followed",
                self.max_times,
                first,
                target,
            )
            raise IgnoreRequest(f"too many redirects: {first}")
        spider_obj = self.crawler.spider
        domains = list(getattr(spider_obj, "allowed_domains", None) or [])
        scheme = urlsplit(target).scheme
        if scheme not in ("http", "https") or (domains and not on_domains(target, domains)):
            count_fault(self.crawler, "offsite_redirect")
            logger.warning("redirect off the site ignored: %s -> %s", request.url, target)
            raise IgnoreRequest(f"offsite redirect: {target}")
        return response


class PaginationGuard:
    """Stops following a category's pages at a trap page or at the page limit."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_pages = crawler.settings.getint("DANVAN_MAX_PAGES_PER_CATEGORY", 1000)
        self.seen_ids: dict[str, set[str]] = {}
        self.pages: dict[str, int] = {}
        self.limited: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaginationGuard:
        return cls(crawler)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        if self._is_listing(response.request) is None:
            yield from result
            return
        # a listing page: its few outputs are judged once its callback has read it
        items = list(result)
        follow = self._assess(response)
        yield from (item for item in items if self._keep(item, response, follow))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        if self._is_listing(response.request) is None:
            async for item in result:
                yield item
            return
        items = [item async for item in result]
        follow = self._assess(response)
        for item in items:
            if self._keep(item, response, follow):
                yield item

    def _is_listing(self, request: Request | None) -> str | None:
        if request is None:
            return None
        category = request.meta.get(CATEGORY_META)
        return category if isinstance(category, str) else None

    def _assess(self, response: Response) -> bool | None:
        """None: not a listing page; else whether its page links may be followed."""
        category = self._is_listing(response.request)
        if category is None:
            return None
        self.pages.setdefault(category, 1)  # page 1 itself was requested
        ids = self._ids_on(response)
        seen = self.seen_ids.setdefault(category, set())
        new = ids - seen
        seen |= ids
        if ids and not new:
            count_fault(self.crawler, "pagination_trap")
            logger.warning(
                "pagination trap? %s adds no new article (all %d already listed in %s): "
                "its page links are not followed",
                response.url,
                len(ids),
                category,
            )
            return False
        return True

    def _ids_on(self, response: Response) -> set[str]:
        from danvan_crawler.extract import ListingPage

        ids = response.meta.get(LISTING_IDS_META)
        if ids is not None:
            return set(ids)
        spider = self.crawler.spider
        profile = getattr(spider, "profile", None)
        text = getattr(response, "text", None)
        if profile is None or not isinstance(text, str):
            return set()
        try:
            return {e.article_id for e in ListingPage(text, response.url, profile).entries}
        except Exception:  # a page the parser rejects adds nothing
            logger.debug("listing page unreadable: %s", response.url, exc_info=True)
            return set()

    def _keep(self, item: Any, response: Response, follow: bool | None) -> bool:
        if not isinstance(item, Request):
            return True
        category = self._is_listing(item)
        if category is None:
            return True
        if item.url == category:
            return True  # page 1 (the category itself, discovered from a menu)
        source = self._is_listing(response.request)
        if follow is False and source == category:
            return False
        count = self.pages.get(category, 1)
        if count >= self.max_pages:
            count_fault(self.crawler, "page_limit")
            if category not in self.limited:
                self.limited.add(category)
                logger.warning(
                    "category %s reached DANVAN_MAX_PAGES_PER_CATEGORY=%d: %s and later "
                    "pages not fetched",
                    category,
                    self.max_pages,
                    item.url,
                )
            return False
        self.pages[category] = count + 1
        return True


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


class ArticleCompleteness:
    """Fetches an article page again when it looks cut short (the reasons the spider put
    in ``response.meta[CUT_META]``), never for a field the extraction could not find."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleCompleteness:
        return cls(crawler)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        for item in result:
            checked = self._check(item, response)
            if checked is not None:
                yield checked

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            checked = self._check(item, response)
            if checked is not None:
                yield checked

    def _check(self, item: Any, response: Response) -> Any:
        if not isinstance(item, Article) or response.request is None:
            return item
        reasons = response.meta.get(CUT_META)
        if not reasons:
            return item
        retry = retry_cut_page(self.crawler, response.request, list(reasons))
        if retry is not None:
            return retry
        hold = getattr(self.crawler.spider, "cut_after_retries", None)
        if hold is not None and hold(item, response):
            return None
        return item


class CallbackErrors:
    """A page the spider's callback cannot handle is a counted drop with a reason, not a
    crash: ``danvan/fault/parse_error`` and ``danvan/validate/dropped/parse_error``, and a
    warning naming the URL (with the traceback). What the callback yielded before the
    error goes on."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CallbackErrors:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider | None = None
    ) -> list[Any]:
        count_fault(self.crawler, "parse_error")
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("danvan/validate/dropped/parse_error")
        logger.warning(
            "page dropped, the spider could not handle it: %s (%s: %s)",
            response.url,
            type(exception).__name__,
            exception,
            exc_info=exception,
        )
        return []
