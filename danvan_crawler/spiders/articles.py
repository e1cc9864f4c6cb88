"""An article page read into one ``Article`` item: the page object's fields, the cut-short
judgement, the date of a page printing none, and the stats of what extraction needed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.http import TextResponse

from danvan_crawler.dates import LOCAL_TZ
from danvan_crawler.extract import ArticlePage
from danvan_crawler.extract.truncation import ListingHint, cut_evidence, layout_fits
from danvan_crawler.items import Article
from danvan_crawler.profile import SiteProfile
from danvan_crawler.resilience import (
    CUT_META,
    DIAGNOSTICS_META,
    LENGTH_META,
    LISTING_META,
    Diagnostics,
    http_date,
)

logger = logging.getLogger(__name__)

#: the time of a date printed without one
MIDNIGHT = time(0, 0)


def merge_hints(known: int, hint: int, tz: ZoneInfo) -> int:
    """Of two packed hints of one article, the oldest; but a day printed alone (a dated
    column, midnight) gives way to the same day printed with its time."""
    times = [ListingHint.sort_time(h) for h in (known, hint)]
    if all(t != float("inf") for t in times):
        a, b = (datetime.fromtimestamp(t, tz) for t in times)
        if a.date() == b.date() and (a.time() == MIDNIGHT) != (b.time() == MIDNIGHT):
            return hint if a.time() == MIDNIGHT else known
    return min(known, hint)


def date_off_page(
    response: TextResponse,
    hint: ListingHint | None,
    tz: ZoneInfo,
    first_seen: Callable[[], datetime | None],
) -> tuple[str, str]:
    """The publication date of a page printing none, and where it came from: the time
    its listing entry showed (``listing``), else the response's Last-Modified
    (``last-modified``), else when the article was first seen (``first-seen``)."""
    when = hint.updated_at(tz) if hint is not None else None
    if when is not None:
        return when.isoformat(), "listing"
    modified = http_date(response.headers.get(b"Last-Modified"))
    if modified is not None:
        return modified.astimezone(tz).isoformat(), "last-modified"
    seen = first_seen()
    first = seen.replace(tzinfo=UTC) if isinstance(seen, datetime) else None
    first = first or datetime.now(UTC)
    return first.astimezone(tz).isoformat(timespec="seconds"), "first-seen"


class ArticleReader:
    """Reads article pages of one site; learns, from the first page that is whole, that
    the site shows the profile's layout (a page showing none of it is then cut short)."""

    def __init__(self, profile: SiteProfile, tz: ZoneInfo, stat: Callable[[str], None]) -> None:
        self.profile = profile
        self.tz = tz
        self.stat = stat
        self.layout_known = False

    def read(
        self,
        response: TextResponse,
        article_id: str,
        categories_of: Callable[..., list[dict[str, Any]]],
        first_seen: Callable[[str], datetime | None],
    ) -> Article:
        stat = self.stat
        page = ArticlePage(response.text, response.url, self.profile)
        result = page.extract()
        packed = response.meta.get(LISTING_META)
        hint = ListingHint.unpack(packed) if isinstance(packed, int) else None
        cut = cut_evidence(
            page,
            response.text,
            length_mismatch=bool(response.meta.get(LENGTH_META)),
            listing=hint,
            layout_known=self.layout_known,
        )
        if cut:  # judged by ArticleCompleteness: fetched again
            response.meta[CUT_META] = cut
        elif not self.layout_known:
            self.layout_known = layout_fits(page)
        for name in result.bounds:
            stat(f"extract/bounded/{name}")
        # what the fields needed is counted for pages judged whole: a page cut short says
        # nothing about the rules (it is fetched again, see "looks cut short")
        whole = not cut
        response.meta[DIAGNOSTICS_META] = Diagnostics(
            frozenset(result.fallbacks), frozenset(result.missing)
        )
        for name in result.fallbacks if whole else ():
            stat(f"extract/fallback/{name}")
        for name in result.missing if whole else ():
            stat(f"extract/missing/{name}")
        fields = dict(result.fields)
        sources = dict(result.fallbacks)
        fields["articleId"] = fields.get("articleId") or article_id
        listed = hint.updated_at(self.tz) if hint is not None else None
        if sources.get("datePublished") == "htmldate" and listed is not None:
            # htmldate guesses from the whole page (an image's /2019/05/ path, another
            # article's date): what the listing printed next to the entry is the better word
            fields["datePublished"] = None
        if not fields.get("datePublished"):
            own_id = str(fields["articleId"])
            fields["datePublished"], sources["datePublished"] = date_off_page(
                response, hint, self.tz, lambda: first_seen(own_id)
            )
            fields["datePublishedRaw"] = None  # printed nowhere on the page
            if whole:
                stat(f"extract/date_from/{sources['datePublished']}")
        if result.missing and whole:
            found = (
                f" (datePublished from {sources['datePublished']})"
                if "datePublished" in result.missing
                else ""
            )
            logger.warning("%s: no %s found%s", response.url, ", ".join(result.missing), found)
        fields["fieldSources"] = dict(sorted(sources.items()))
        fields["categories"] = categories_of(article_id, fields["articleId"])
        fields["crawledAt"] = datetime.now(LOCAL_TZ).isoformat(timespec="seconds")
        stat("articles/parsed")
        return Article(**fields)
