"""The layout-change alarm: the portal changed its markup and extraction is going blind.

Two parts:

* :class:`LayoutWatch`, a spider middleware, watches every response the spider parses
  and writes what it sees into the crawl's stats (so the check needs nothing else):

  - ``danvan/alarm/listing_pages``: listing pages parsed (URL matches
    ``DANVAN_ALARM_LISTING_URL_RE``), and ``danvan/alarm/listing_empty``: those that link
    fewer than ``DANVAN_ALARM_MIN_LISTING_ITEMS`` distinct article URLs (matching
    ``DANVAN_ALARM_ARTICLE_URL_RE``, found in any ``<a href>``, whatever the markup);
  - ``danvan/alarm/articles``: article pages parsed, ``danvan/alarm/articles_with_fallback``:
    those during whose parsing a ``danvan/extract/fallback/<field>`` counter moved, and
    ``danvan/alarm/articles_without_item``: article pages the spider got no item from;
  - ``danvan/alarm/examples/<kind>/<name>``: up to ``DANVAN_ALARM_EXAMPLES`` URLs per
    kind (``empty_listing``, ``fallback/<field>``, ``dropped/<reason>``, ``no_item``).

* :func:`check_layout` reads the stats after the crawl and returns a :class:`LayoutAlarm`
  when a threshold is crossed; ``danvan run`` then still publishes the feeds, keeps
  everything stored, and exits 3 with the alarm's message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.http import Response, TextResponse

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Defaults, mirrored in ``danvan_crawler/settings.py`` and ``danvan config``.
DEFAULTS: dict[str, Any] = {
    "DANVAN_ALARM_MIN_LISTING_ITEMS": 1,
    "DANVAN_ALARM_EMPTY_LISTING_RATIO": 0.5,
    "DANVAN_ALARM_FALLBACK_RATIO": 0.2,
    "DANVAN_ALARM_MISSING_RATIO": 0.1,
    "DANVAN_ALARM_MIN_ARTICLES": 3,
    "DANVAN_ALARM_EXAMPLES": 3,
    # Regexes over URL paths; unset (None): the site profile's ``category`` / ``article``.
    "DANVAN_ALARM_LISTING_URL_RE": None,
    "DANVAN_ALARM_ARTICLE_URL_RE": None,
}

PREFIX = "danvan/alarm/"
EXAMPLES = PREFIX + "examples/"
FALLBACK_PREFIX = "danvan/extract/fallback/"
DROPPED_PREFIX = "danvan/validate/dropped/"


def _setting(settings: BaseSettings | Mapping[str, Any], name: str) -> Any:
    value = settings.get(name)
    return DEFAULTS[name] if value is None else value


def _counters(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        name[len(prefix) :]: int(value)
        for name, value in stats.items()
        if name.startswith(prefix) and isinstance(value, (int, float))
    }


class LayoutWatch:
    """Spider middleware recording, per parsed page, what the alarm needs (see module)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        settings = crawler.settings
        self.min_items = int(_setting(settings, "DANVAN_ALARM_MIN_LISTING_ITEMS"))
        self.max_examples = int(_setting(settings, "DANVAN_ALARM_EXAMPLES"))
        listing_re = _setting(settings, "DANVAN_ALARM_LISTING_URL_RE")
        article_re = _setting(settings, "DANVAN_ALARM_ARTICLE_URL_RE")
        if listing_re is None or article_re is None:
            from danvan_crawler.profile import DEFAULT_PROFILE, load_profile

            profile = load_profile(settings.get("DANVAN_PROFILE") or DEFAULT_PROFILE)
            listing_re = listing_re or profile.category_re.pattern
            article_re = article_re or profile.article_re.pattern
        self.listing_re = re.compile(listing_re)
        self.article_re = re.compile(article_re)
        self._dropped_seen: dict[str, int] = {}
        self._before: dict[int, dict[str, int]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LayoutWatch:
        watch = cls(crawler)
        crawler.signals.connect(watch.item_dropped, signal=signals.item_dropped)
        return watch

    # -- recording -------------------------------------------------------------

    def _example(self, kind: str, url: str) -> None:
        key = EXAMPLES + kind
        examples = self.stats.get_value(key) or []
        if url not in examples and len(examples) < self.max_examples:
            self.stats.set_value(key, [*examples, url])

    def _fallbacks(self) -> dict[str, int]:
        return _counters(self.stats.get_stats(), FALLBACK_PREFIX)

    def _listing(self, response: Response) -> None:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        hrefs = response.xpath("//a/@href").getall()
        urls = {response.urljoin(href.strip()) for href in hrefs}
        articles = {url for url in urls if self.article_re.search(urlsplit(url).path)}
        self.stats.inc_value(PREFIX + "listing_pages")
        if len(articles) < self.min_items:
            self.stats.inc_value(PREFIX + "listing_empty")
            self._example("empty_listing", response.url)

    def _article(self, response: Response, before: dict[str, int], items: int) -> None:
        self.stats.inc_value(PREFIX + "articles")
        after = self._fallbacks()
        moved = sorted(name for name, value in after.items() if value > before.get(name, 0))
        if moved:
            self.stats.inc_value(PREFIX + "articles_with_fallback")
            for name in moved:
                self._example(f"fallback/{name}", response.url)
        if not items:
            self.stats.inc_value(PREFIX + "articles_without_item")
            self._example("no_item", response.url)

    def _kind(self, response: Response) -> str | None:
        path = urlsplit(response.url).path
        if self.article_re.search(path):
            return "article"
        if self.listing_re.search(path):
            return "listing"
        return None

    def item_dropped(self, item: Any, response: Response | None, exception: BaseException) -> None:
        """Attribute the validation drop that just happened to the page's URL."""
        now = _counters(self.stats.get_stats(), DROPPED_PREFIX)
        moved = [name for name, value in now.items() if value > self._dropped_seen.get(name, 0)]
        self._dropped_seen = now
        url = getattr(response, "url", None) or _item_url(item)
        if url:
            for name in moved:
                self._example(f"dropped/{name}", url)

    # -- spider middleware -------------------------------------------------------

    def process_spider_input(self, response: Response) -> None:
        # A callback returning a list runs before its output is iterated: snapshot now.
        if self._kind(response) == "article":
            self._before[id(response)] = self._fallbacks()

    def process_spider_exception(self, response: Response, exception: Exception) -> None:
        self._before.pop(id(response), None)

    def _snapshot(self, response: Response) -> dict[str, int]:
        before = self._before.pop(id(response), None)
        return before if before is not None else self._fallbacks()

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        kind = self._kind(response)
        if kind == "listing":
            self._listing(response)
        if kind != "article":
            yield from result
            return
        before = self._snapshot(response)
        items = 0
        for output in result:
            if not isinstance(output, Request):
                items += 1
            yield output
        self._article(response, before, items)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        kind = self._kind(response)
        if kind == "listing":
            self._listing(response)
        if kind != "article":
            async for output in result:
                yield output
            return
        before = self._snapshot(response)
        items = 0
        async for output in result:
            if not isinstance(output, Request):
                items += 1
            yield output
        self._article(response, before, items)


def _item_url(item: Any) -> str | None:
    try:
        return item.get("url") or item.get("canonicalUrl")
    except AttributeError:
        return getattr(item, "url", None)


@dataclass
class LayoutAlarm:
    """Why the alarm fired: one reason a line, with example URLs."""

    reasons: list[str] = field(default_factory=list)

    def message(self) -> str:
        head = "layout-change alarm: the portal's markup seems to have changed"
        return "\n".join([head, *("  " + reason for reason in self.reasons)]) + (
            "\n  adapt danvan_crawler/profiles/nghean.toml (see docs/OPERATIONS.md); "
            "what was stored is kept, the feeds were published from it"
        )


def _examples(stats: Mapping[str, Any], kind: str) -> list[str]:
    value = stats.get(EXAMPLES + kind)
    return list(value) if isinstance(value, (list, tuple)) else []


def _with_examples(text: str, urls: list[str]) -> str:
    return text + (f"; e.g. {', '.join(urls)}" if urls else "")


def check_layout(
    stats: Mapping[str, Any], settings: BaseSettings | Mapping[str, Any]
) -> LayoutAlarm | None:
    """The alarm, if the stats of a finished crawl cross a threshold, else None."""
    reasons: list[str] = []

    listing_pages = int(stats.get(PREFIX + "listing_pages", 0))
    listing_empty = int(stats.get(PREFIX + "listing_empty", 0))
    empty_ratio = float(_setting(settings, "DANVAN_ALARM_EMPTY_LISTING_RATIO"))
    min_items = int(_setting(settings, "DANVAN_ALARM_MIN_LISTING_ITEMS"))
    if listing_pages and listing_empty / listing_pages > empty_ratio:
        reasons.append(
            _with_examples(
                f"{listing_empty} of {listing_pages} listing pages linked fewer than "
                f"{min_items} article(s) (DANVAN_ALARM_EMPTY_LISTING_RATIO={empty_ratio}, "
                f"DANVAN_ALARM_MIN_LISTING_ITEMS={min_items})",
                _examples(stats, "empty_listing"),
            )
        )

    articles = int(stats.get(PREFIX + "articles", 0))
    if articles >= int(_setting(settings, "DANVAN_ALARM_MIN_ARTICLES")):
        with_fallback = int(stats.get(PREFIX + "articles_with_fallback", 0))
        fallback_ratio = float(_setting(settings, "DANVAN_ALARM_FALLBACK_RATIO"))
        if with_fallback / articles > fallback_ratio:
            fields = _counters(stats, FALLBACK_PREFIX)
            named = ", ".join(f"{name} ({count})" for name, count in sorted(fields.items()))
            urls: list[str] = []
            for name in sorted(fields):
                urls += [u for u in _examples(stats, f"fallback/{name}") if u not in urls]
            reasons.append(
                _with_examples(
                    f"{with_fallback} of {articles} articles needed a fallback "
                    f"(DANVAN_ALARM_FALLBACK_RATIO={fallback_ratio}); fields: {named}",
                    urls[:3],
                )
            )
        dropped = {k: v for k, v in _counters(stats, DROPPED_PREFIX).items() if v}
        no_item = int(stats.get(PREFIX + "articles_without_item", 0))
        missing = sum(dropped.values()) + no_item
        missing_ratio = float(_setting(settings, "DANVAN_ALARM_MISSING_RATIO"))
        if missing / articles > missing_ratio:
            named_parts = [f"{name} ({count})" for name, count in sorted(dropped.items())]
            if no_item:
                named_parts.append(f"no article extracted ({no_item})")
            urls = []
            for name in sorted(dropped):
                urls += [u for u in _examples(stats, f"dropped/{name}") if u not in urls]
            urls += [u for u in _examples(stats, "no_item") if u not in urls]
            reasons.append(
                _with_examples(
                    f"{missing} of {articles} articles missed a required field or were "
                    f"dropped as invalid (DANVAN_ALARM_MISSING_RATIO={missing_ratio}): "
                    + ", ".join(named_parts),
                    urls[:3],
                )
            )
    return LayoutAlarm(reasons) if reasons else None
