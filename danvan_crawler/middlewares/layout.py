"""The layout-change alarm's watch over every parsed page (its judgement after the
run: :mod:`danvan_crawler.alarm`).

:class:`LayoutWatch`, a spider middleware, watches every page the spider parses and
writes what it sees into the crawl's stats, so that the check needs nothing else:

- ``danvan/alarm/listing_pages``: category listing pages parsed (status 200; URL path
  matching ``DANVAN_ALARM_LISTING_URL_RE``, default: the profile's ``category``
  pattern), and ``danvan/alarm/listing_empty``: those linking fewer than
  ``DANVAN_ALARM_MIN_LISTING_ITEMS`` distinct article URLs (``DANVAN_ALARM_ARTICLE_URL_RE``,
  default: the profile's ``article`` pattern), found in any ``<a href>`` whatever the
  markup;
- ``danvan/alarm/listings_with_fallback``: listing pages, not empty, whose
  extraction needed a fallback (a changed listing markup shows even in a run that
  fetches no article);
- ``danvan/alarm/articles``: article pages parsed;
  ``danvan/alarm/articles_with_fallback``: those whose extraction needed a fallback;
  ``danvan/alarm/articles_incomplete``: those that missed a field, gave no item, or
  whose item the validate pipeline dropped (``InvalidArticle``). What extraction
  needed is read from the page's :class:`~danvan_crawler.resilience.Diagnostics`
  (``response.meta``), which the spider's callback sets from the page object's
  ``fallbacks`` and ``missing``: stats only count;
- ``danvan/alarm/article_fallback/<field>``, ``danvan/alarm/listing_fallback/<field>``:
  pages of each kind per field that needed it;
- ``danvan/alarm/pages_cut_short``: pages the spider judged cut short on the wire
  (``response.meta["danvan_cut"]``): fetched again, and counted in none of the above
  (a truncated page says nothing about the layout);
- ``danvan/alarm/examples/<kind>``: up to ``DANVAN_ALARM_EXAMPLES`` URLs per kind
  (``empty_listing``, ``fallback/<field>``, ``missing/<field>``, ``dropped/<reason>``,
  ``no_item``).

The same middleware keeps the store from degrading while the markup is unknown: an
article already stored whose page needed a fallback for (or missed) one of
``DANVAN_ALARM_PROTECT_FIELDS`` is not passed on to the pipelines, so the stored
version stays (``danvan/alarm/kept_stored``). New articles still go on.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.response import get_base_url

from danvan_crawler.pipelines.validate import InvalidArticle
from danvan_crawler.resilience import CUT_META, DIAGNOSTICS_META, Diagnostics

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Defaults of the alarm's settings (``danvan_crawler.config`` mirrors the first five).
DEFAULTS: dict[str, Any] = {
    "DANVAN_ALARM_MIN_LISTING_ITEMS": 1,
    "DANVAN_ALARM_EMPTY_LISTING_RATIO": 0.5,
    "DANVAN_ALARM_FALLBACK_RATIO": 0.2,
    "DANVAN_ALARM_MISSING_RATIO": 0.1,
    "DANVAN_ALARM_MIN_ARTICLES": 3,
    "DANVAN_ALARM_EXAMPLES": 3,
    # A stored article is not overwritten by a version whose page needed a fallback for,
    # or missed, one of these fields (the stored one was extracted by the profile's own
    # selectors; `--refresh` after fixing the profile brings the real edits in). [] = off.
    "DANVAN_ALARM_PROTECT_FIELDS": ["headline", "datePublished", "articleBody"],
    # Regexes over URL paths; None: the site profile's ``category`` / ``article``.
    "DANVAN_ALARM_LISTING_URL_RE": None,
    "DANVAN_ALARM_ARTICLE_URL_RE": None,
}

PREFIX = "danvan/alarm/"
EXAMPLES = PREFIX + "examples/"
#: ``<a ... href=...>``: the link target, quoted or not (one of the three groups)
_A_HREF = re.compile(
    r"""<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)


#: Most link answers :meth:`LayoutWatch._link` remembers (emptied when full).
LINK_CACHE_SIZE = 4096


def _origin(url: str) -> str | None:
    """``scheme://netloc`` of an http(s) URL, None otherwise: all a root-relative or
    absolute link's resolution against that URL depends on."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def alarm_setting(settings: BaseSettings | Mapping[str, Any], name: str) -> Any:
    value = settings.get(name)
    return DEFAULTS[name] if value is None else value


class LayoutWatch(BaseSpiderMiddleware):
    """Spider middleware recording, per parsed page, what the alarm needs (see module);
    a page's outputs are watched whole (it is judged once its callback is done)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        settings = crawler.settings
        self.min_items = int(alarm_setting(settings, "DANVAN_ALARM_MIN_LISTING_ITEMS"))
        self.max_examples = int(alarm_setting(settings, "DANVAN_ALARM_EXAMPLES"))
        listing_re = alarm_setting(settings, "DANVAN_ALARM_LISTING_URL_RE")
        article_re = alarm_setting(settings, "DANVAN_ALARM_ARTICLE_URL_RE")
        if listing_re is None or article_re is None:
            from danvan_crawler.profile import DEFAULT_PROFILE, load_profile

            profile = load_profile(settings.get("DANVAN_PROFILE") or DEFAULT_PROFILE)
            listing_re = listing_re or profile.category_re.pattern
            article_re = article_re or profile.article_re.pattern
        self.listing_re = re.compile(listing_re)
        self.article_re = re.compile(article_re)
        protect = settings.get("DANVAN_ALARM_PROTECT_FIELDS")
        self.protect: set[str] = set(
            DEFAULTS["DANVAN_ALARM_PROTECT_FIELDS"]
            if protect is None
            else settings.getlist("DANVAN_ALARM_PROTECT_FIELDS")
        )
        pipelines = settings.getwithbase("ITEM_PIPELINES")
        self.has_store = any(str(name).endswith("StorePipeline") for name in pipelines)
        self._incomplete: set[str] = set()
        self._links: dict[tuple[str, str], tuple[str, bool]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LayoutWatch:
        watch = cls(crawler)
        crawler.signals.connect(watch.item_dropped, signal=signals.item_dropped)
        return watch

    # -- recording -------------------------------------------------------------------

    def _example(self, kind: str, url: str) -> None:
        key = EXAMPLES + kind
        examples = self.stats.get_value(key) or []
        if url not in examples and len(examples) < self.max_examples:
            self.stats.set_value(key, [*examples, url])

    def _mark_incomplete(self, url: str) -> None:
        self._incomplete.add(url)
        self.stats.set_value(PREFIX + "articles_incomplete", len(self._incomplete))

    def _listing(self, response: Response, page: _Page) -> None:
        if response.status != 200 or not isinstance(response, TextResponse):
            return
        # a scan of the markup for link targets, not a parse: the page object parsed it
        hrefs = {"".join(groups) for groups in _A_HREF.findall(response.text)}
        base = get_base_url(response)  # what response.urljoin joins with (<base href>)
        origin = _origin(base)
        articles = set()
        for href in hrefs:
            url, is_article = self._link(base, origin, href)
            if is_article:
                articles.add(url)
        page.listing = True
        page.empty = len(articles) < self.min_items

    def _listing_counted(self, response: Response, page: _Page) -> None:
        if not page.listing:
            return
        self.stats.inc_value(PREFIX + "listing_pages")
        if page.empty:
            self.stats.inc_value(PREFIX + "listing_empty")
            self._example("empty_listing", response.url)

    def _link(self, base: str, origin: str | None, href: str) -> tuple[str, bool]:
        """(``href`` resolved against the page URL ``base``, whether its path is an
        article's). A root-relative or absolute http(s) ``href`` resolves the same on
        every page of a site, and listing pages repeat their menus: those answers are
        remembered per (``origin``, ``href``) (a bounded cache), the rest computed."""
        key = None
        if origin is not None and (
            (href.startswith("/") and not href.startswith("//"))
            or href.startswith(("http://", "https://"))
        ):
            key = (origin, href)
            known = self._links.get(key)
            if known is not None:
                return known
        url = urljoin(base, html.unescape(href).strip())
        answer = (url, self.article_re.search(urlsplit(url).path) is not None)
        if key is not None:
            if len(self._links) >= LINK_CACHE_SIZE:
                self._links.clear()
            self._links[key] = answer
        return answer

    def _listing_done(self, response: Response, page: _Page) -> None:
        # An empty listing needs the fallback by nature; the empty-listing ratio judges it.
        if response.status != 200 or not page.fallbacks or page.empty:
            return
        self.stats.inc_value(PREFIX + "listings_with_fallback")
        for name in sorted(page.fallbacks):
            self.stats.inc_value(PREFIX + f"listing_fallback/{name}")
            self._example(f"listing_fallback/{name}", response.url)

    def _article_done(self, response: Response, page: _Page) -> None:
        self.stats.inc_value(PREFIX + "articles")
        if page.fallbacks:
            self.stats.inc_value(PREFIX + "articles_with_fallback")
            for name in sorted(page.fallbacks):
                self.stats.inc_value(PREFIX + f"article_fallback/{name}")
                self._example(f"fallback/{name}", response.url)
        for name in sorted(page.missing):
            self._example(f"missing/{name}", response.url)
        if not page.items:
            self.stats.inc_value(PREFIX + "articles_without_item")
            self._example("no_item", response.url)
        if page.missing or not page.items:
            self._mark_incomplete(response.url)

    def _protected(self, output: Any, page: _Page) -> bool:
        """True if ``output`` is a stored article degraded by a fallback: hold it back."""
        degraded = self.protect & (page.fallbacks | page.missing)
        if not degraded or not self.has_store:
            return False
        try:
            article_id = ItemAdapter(output).get("articleId")
        except TypeError:
            return False
        if not article_id:
            return False
        from danvan_crawler.extensions.store import StoreExtension

        if not StoreExtension.of(self.crawler).store.known_ids([str(article_id)]):
            return False
        self.stats.inc_value(PREFIX + "kept_stored")
        logger.info(
            "Kept the stored version of article %s: its page needed a fallback for %s",
            article_id,
            ", ".join(sorted(degraded)),
        )
        return True

    def _kind(self, response: Response) -> str | None:
        path = urlsplit(response.url).path
        if self.article_re.search(path):
            return "article"
        if self.listing_re.search(path):
            return "listing"
        return None

    def item_dropped(self, item: Any, response: Response | None, exception: BaseException) -> None:
        """Attribute a validation drop to the page's URL."""
        if not isinstance(exception, InvalidArticle):
            return
        url = getattr(response, "url", None) or _item_url(item)
        if url:
            self._example(f"dropped/{exception.reason}", url)
            self._mark_incomplete(url)

    # -- spider middleware --------------------------------------------------------------

    def _diagnose(self, page: _Page, response: Response) -> None:
        """What extraction needed, as the callback noted it on the page (so far)."""
        request = response.request
        found = request.meta.get(DIAGNOSTICS_META) if request is not None else None
        if isinstance(found, Diagnostics):
            page.fallbacks.update(found.fallbacks)
            page.missing.update(found.missing)

    def _start(self, response: Response) -> tuple[str | None, _Page]:
        kind, page = self._kind(response), _Page()
        if kind == "listing":
            self._listing(response, page)
        return kind, page

    def _finish_page(self, response: Response, kind: str | None, page: _Page) -> None:
        self._diagnose(page, response)
        if response.status != 200:
            # A 304 (unchanged since the stored version) or an allowed error status parses
            # no markup: it says nothing about the layout.
            return
        if _cut_short(response):
            # A page cut short on the wire (fetched again) says nothing about it either.
            self.stats.inc_value(PREFIX + "pages_cut_short")
            return
        if kind == "article":
            self._article_done(response, page)
        elif kind == "listing":
            self._listing_counted(response, page)
            self._listing_done(response, page)

    def _keep(self, output: Any, kind: str | None, page: _Page, response: Response) -> bool:
        if kind != "article" or isinstance(output, Request):
            return True
        page.items += 1
        if _cut_short(response):
            return True  # cut short, not degraded: ArticleCompleteness decides
        self._diagnose(page, response)
        return not self._protected(output, page)

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        if response is None:
            yield from result
            return
        kind, page = self._start(response)
        if kind is None:
            yield from result
            return
        for output in result:
            if self._keep(output, kind, page, response):
                yield output
        self._finish_page(response, kind, page)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        if response is None:
            async for output in result:
                yield output
            return
        kind, page = self._start(response)
        if kind is None:
            async for output in result:
                yield output
            return
        async for output in result:
            if self._keep(output, kind, page, response):
                yield output
        self._finish_page(response, kind, page)


@dataclass
class _Page:
    """What one page's parsing did: fields that needed a fallback or were missing."""

    fallbacks: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    items: int = 0
    empty: bool = False
    #: a listing page whose links were counted (``empty``: too few article links)
    listing: bool = False


def _cut_short(response: Response) -> bool:
    """Whether the spider judged the page cut short (a response may have no request)."""
    request = response.request
    return request is not None and bool(request.meta.get(CUT_META))


def _item_url(item: Any) -> str | None:
    try:
        return item.get("url") or item.get("canonicalUrl")
    except AttributeError:
        return getattr(item, "url", None)
