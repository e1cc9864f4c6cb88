"""What the listings of one crawl showed: each article's URL, the categories that listed
it and its listing hint, until its article request is built. :class:`Listings` keeps it
in this process; a distributed crawl shares it between workers
(``distributed.shared.SharedListings``): both answer :class:`CrawlListings`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from danvan_crawler.spiders.articles import merge_hints
from danvan_crawler.spiders.categories import CategoryInfo
from danvan_crawler.spiders.feed import fetch_order


class CrawlListings(Protocol):
    """What the spider asks of the articles the listings showed."""

    def __len__(self) -> int: ...

    def claim_category(self, info: CategoryInfo) -> tuple[CategoryInfo, bool]: ...

    def category(self, url: str) -> CategoryInfo | None: ...

    def save_category(self, info: CategoryInfo) -> None: ...

    def note(self, article_id: str, url: str, category_url: str) -> bool: ...

    def note_hint(self, article_id: str, hint: int, tz: ZoneInfo) -> None: ...

    def category_items(
        self, known: dict[str, CategoryInfo], *article_ids: str
    ) -> list[dict[str, Any]]: ...

    def forget(self, article_id: str) -> None: ...

    def take(self) -> Iterator[tuple[int, str, str, int | None]]: ...


class Listings:
    def __init__(self) -> None:
        #: article id -> the categories whose listings showed it, as a bit set over
        #: ``category_bits`` (an int: a few bytes an article, not a set of URLs)
        self.listed_in: dict[str, int] = {}
        #: category URL -> its bit in ``listed_in``
        self.category_bits: dict[str, int] = {}
        #: article id -> URL to fetch (first seen)
        self.article_urls: dict[str, str] = {}
        #: what the listings showed of each article (a packed ``ListingHint``: the oldest
        #: listing time, to fetch oldest first and as the date of a page printing none;
        #: a key of the lead, to judge a page cut short)
        self.hints: dict[str, int] = {}

    def __len__(self) -> int:
        """Articles listed whose request is not built yet."""
        return len(self.article_urls)

    def claim_category(self, info: CategoryInfo) -> tuple[CategoryInfo, bool]:
        """A category met for the first time by this crawl: what is known of it, and
        True (this process holds every category it crawls)."""
        return info, True

    def category(self, url: str) -> CategoryInfo | None:
        return None  # every category this process crawls, it followed

    def save_category(self, info: CategoryInfo) -> None:
        pass  # the spider holds it

    def note(self, article_id: str, url: str, category_url: str) -> bool:
        """A category listed an article; True the first time the article is listed."""
        bit = self.category_bits.setdefault(category_url, 1 << len(self.category_bits))
        seen = self.listed_in.get(article_id)
        if seen is None:
            article_id = sys.intern(article_id)  # one string per id across the crawl state
            self.article_urls[article_id] = url
            self.listed_in[article_id] = bit
            return True
        self.listed_in[article_id] = seen | bit
        return False

    def note_hint(self, article_id: str, hint: int, tz: ZoneInfo) -> None:
        known = self.hints.get(article_id, hint)
        self.hints[article_id] = merge_hints(known, hint, tz)

    def category_urls(self, *article_ids: str) -> list[str]:
        """Every category whose listing showed one of the articles, sorted."""
        bits = 0
        for article_id in article_ids:
            bits |= self.listed_in.get(article_id, 0)
        return sorted(u for u, bit in self.category_bits.items() if bits & bit)

    def category_items(
        self, known: dict[str, CategoryInfo], *article_ids: str
    ) -> list[dict[str, Any]]:
        """``Article.categories`` of the articles: ``known`` holds every category this
        process crawled."""
        return [known[u].as_item() for u in self.category_urls(*article_ids)]

    def forget(self, article_id: str) -> None:
        """The article's item took its categories."""
        self.listed_in.pop(article_id, None)

    def take(self) -> Iterator[tuple[int, str, str, int | None]]:
        """``(rank, id, URL, hint)`` of each article in fetch order (``feed.fetch_order``),
        each handed out once: the request holds its URL and hint from then on."""
        order = fetch_order(self.article_urls, self.hints)
        hints, self.hints = self.hints, {}
        for rank, article_id in enumerate(order):
            url = self.article_urls.pop(article_id, None)
            hint = hints.pop(article_id, None)
            if url is not None:
                yield rank, article_id, url, hint
