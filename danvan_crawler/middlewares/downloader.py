"""Downloader middlewares:

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
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future

from danvan_crawler.resilience import (
    DELAY_META,
    LENGTH_META,
    RETRY_ROUNDS,
    _status_kind,
    backoff_delay,
    count_fault,
    exception_kind,
    later_round,
    on_domains,
    retries_spent,
    retry_after_seconds,
    validate_html,
)

logger = logging.getLogger(__name__)


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
