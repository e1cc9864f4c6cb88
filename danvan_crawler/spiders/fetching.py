"""How the spider asks for a page (conditional requests), what a failed one tells and
whether a listing page came cut short."""

from __future__ import annotations

from typing import Any

from scrapy.http import Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from danvan_crawler.extract import ListingPage
from danvan_crawler.extract.navigation import category_page_number
from danvan_crawler.extract.truncation import listing_cut_evidence, listing_layout_fits
from danvan_crawler.profile import SiteProfile
from danvan_crawler.resilience import LENGTH_META
from danvan_crawler.urls import set_query

#: ``request.meta`` key of a listing page requested by its number after an earlier page
#: failed (``guessed_pages``), not because a pager linked it
GUESSED_META = "danvan_guessed_page"


def conditional(url: str, headers: dict[str, str], meta: dict[str, Any], **kwargs: Any) -> Request:
    """A request carrying the incremental bookkeeping's validators (if any): its 304
    answer then reaches the callback."""
    if headers:
        meta["handle_httpstatus_list"] = [304]
    return Request(url, headers=headers, meta=meta, **kwargs)


def failed_status(failure: Failure) -> int | None:
    """The HTTP status of a failure that is an HTTP error answer."""
    return failure.value.response.status if isinstance(failure.value, HttpError) else None


def failure_reason(failure: Failure) -> str:
    """A failure in a few words: ``HTTP 503``, ``TimeoutError: ...``."""
    status = failed_status(failure)
    if status is not None:
        return f"HTTP {status}"
    return f"{type(failure.value).__name__}: {failure.value}"


def guessed_pages(failed: Request, category_url: str, profile: SiteProfile) -> list[str]:
    """A listing page that failed for good hides the pages only its pager links (page 1
    links its next two, a page its next two): their URLs by number (``[urls]
    page_param``)."""
    page_url = failed.meta.get("danvan_page_url") or failed.url
    number = category_page_number(page_url, profile)
    return [
        set_query(category_url, **{profile.page_param: str(later)})
        for later in (number + 1, number + 2)
    ]


class ListingLayout:
    """Whether a listing page came cut short (``extract.truncation``). Once listing pages
    of this site were seen to show the profile's list and an end marker, a page showing
    neither is judged cut short too."""

    def __init__(self) -> None:
        self.known = False

    def cut_evidence(self, listing: ListingPage, response: TextResponse) -> list[str]:
        cut = listing_cut_evidence(
            listing,
            response.text,
            length_mismatch=bool(response.meta.get(LENGTH_META)),
            layout_known=self.known,
        )
        if not cut and not self.known:
            self.known = listing_layout_fits(listing)
        return cut
