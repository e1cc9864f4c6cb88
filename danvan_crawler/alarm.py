"""The layout-change alarm: the portal changed its markup and extraction is going blind.

:class:`~danvan_crawler.middlewares.layout.LayoutWatch` (a spider middleware) records
per parsed page what the check needs in the crawl's stats (``danvan/alarm/*``).
:func:`check_layout` reads the stats of a finished crawl and returns a
:class:`LayoutAlarm` when a threshold is crossed. ``danvan run`` then still publishes
the feeds from the store, throws nothing away, and exits 3 with the alarm's message,
which names the thresholds' settings, the fields and a few example URLs.

Thresholds (settings; ``danvan config`` shows them as ``alarm_*`` keys): see
:data:`danvan_crawler.middlewares.layout.DEFAULTS`. Ratios of articles are judged only
when the run parsed at least ``DANVAN_ALARM_MIN_ARTICLES`` article pages (a no-change
run parses none).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from danvan_crawler.middlewares.layout import EXAMPLES, PREFIX, alarm_setting

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MISSING_PREFIX = "danvan/extract/missing/"
DROPPED_PREFIX = "danvan/validate/dropped/"


def _counters(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        name[len(prefix) :]: int(value)
        for name, value in stats.items()
        if name.startswith(prefix) and isinstance(value, (int, float))
    }


@dataclass
class LayoutAlarm:
    """Why the alarm fired: one reason a line, each naming its setting, fields, URLs."""

    reasons: list[str] = field(default_factory=list)
    #: a page that needed a fallback or missed a field (what ``danvan inspect`` is run on)
    example: str | None = None

    def message(self) -> str:
        lines = ["layout-change alarm: the portal's markup seems to have changed"]
        lines += ["  " + reason for reason in self.reasons]
        url = self.example or "URL"
        parts = urlsplit(self.example or "")
        site = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "SITE"
        lines += [
            "  what was stored is kept and the feeds were published from it. To adapt:",
            f"    danvan inspect {url}",
            "      (each field of a failing page, with the selector or fallback that gave it)",
            f"    danvan profile learn --site {site} --out /etc/danvan/site.toml",
            "      (a profile learned from the site's pages), then set `profile` to that file"
            " (--profile, DANVAN_PROFILE or profile = in danvan.toml)",
            "    or adapt danvan_crawler/profiles/nghean.toml by hand (docs/OPERATIONS.md,"
            " 'Layout change')",
        ]
        return "\n".join(lines)


def _examples(stats: Mapping[str, Any], *kinds: str, limit: int = 3) -> list[str]:
    urls: list[str] = []
    for kind in kinds:
        value = stats.get(EXAMPLES + kind)
        for url in value if isinstance(value, (list, tuple)) else ():
            if url not in urls:
                urls.append(url)
    return urls[:limit]


def _with_examples(text: str, urls: list[str]) -> str:
    return text + (f"; e.g. {' '.join(urls)}" if urls else "")


def _named(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()) if count)


def check_layout(
    stats: Mapping[str, Any], settings: BaseSettings | Mapping[str, Any]
) -> LayoutAlarm | None:
    """The alarm, if the stats of a finished crawl cross a threshold, else None."""
    reasons: list[str] = []

    listing_pages = int(stats.get(PREFIX + "listing_pages", 0))
    listing_empty = int(stats.get(PREFIX + "listing_empty", 0))
    empty_ratio = float(alarm_setting(settings, "DANVAN_ALARM_EMPTY_LISTING_RATIO"))
    min_items = int(alarm_setting(settings, "DANVAN_ALARM_MIN_LISTING_ITEMS"))
    if listing_pages and listing_empty / listing_pages > empty_ratio:
        reasons.append(
            _with_examples(
                f"{listing_empty} of {listing_pages} listing pages linked fewer than "
                f"{min_items} article(s) (DANVAN_ALARM_EMPTY_LISTING_RATIO={empty_ratio}, "
                f"DANVAN_ALARM_MIN_LISTING_ITEMS={min_items})",
                _examples(stats, "empty_listing"),
            )
        )

    fallback_ratio = float(alarm_setting(settings, "DANVAN_ALARM_FALLBACK_RATIO"))
    listings_fallback = int(stats.get(PREFIX + "listings_with_fallback", 0))
    if listing_pages and listings_fallback / listing_pages > fallback_ratio:
        kinds = _counters(stats, PREFIX + "listing_fallback/")
        reasons.append(
            _with_examples(
                f"{listings_fallback} of {listing_pages} listing pages needed a fallback "
                f"(DANVAN_ALARM_FALLBACK_RATIO={fallback_ratio}); fields: {_named(kinds)}",
                _examples(stats, *(f"listing_fallback/{name}" for name in sorted(kinds))),
            )
        )

    articles = int(stats.get(PREFIX + "articles", 0))
    if articles < int(alarm_setting(settings, "DANVAN_ALARM_MIN_ARTICLES")):
        return _finish(reasons, stats)

    with_fallback = int(stats.get(PREFIX + "articles_with_fallback", 0))
    if with_fallback / articles > fallback_ratio:
        fields = _counters(stats, PREFIX + "article_fallback/")
        reasons.append(
            _with_examples(
                f"{with_fallback} of {articles} articles needed a fallback "
                f"(DANVAN_ALARM_FALLBACK_RATIO={fallback_ratio}); fields: {_named(fields)}",
                _examples(stats, *(f"fallback/{name}" for name in sorted(fields))),
            )
        )

    incomplete = int(stats.get(PREFIX + "articles_incomplete", 0))
    missing_ratio = float(alarm_setting(settings, "DANVAN_ALARM_MISSING_RATIO"))
    if incomplete / articles > missing_ratio:
        missing = _counters(stats, MISSING_PREFIX)
        dropped = _counters(stats, DROPPED_PREFIX)
        parts = []
        if any(missing.values()):
            parts.append(f"fields not found: {_named(missing)}")
        if any(dropped.values()):
            parts.append(f"dropped as invalid: {_named(dropped)}")
        no_item = int(stats.get(PREFIX + "articles_without_item", 0))
        if no_item:
            parts.append(f"pages that gave no article: {no_item}")
        reasons.append(
            _with_examples(
                f"{incomplete} of {articles} articles missed a required field "
                f"(DANVAN_ALARM_MISSING_RATIO={missing_ratio}); " + "; ".join(parts),
                _examples(
                    stats,
                    *(f"missing/{name}" for name in sorted(missing)),
                    *(f"dropped/{name}" for name in sorted(dropped)),
                    "no_item",
                ),
            )
        )
    return _finish(reasons, stats)


def _finish(reasons: list[str], stats: Mapping[str, Any]) -> LayoutAlarm | None:
    if not reasons:
        return None
    kinds = sorted(name[len(EXAMPLES) :] for name in stats if name.startswith(EXAMPLES))
    # an article page first: inspecting one shows every field
    kinds.sort(key=lambda kind: (not kind.startswith(("fallback/", "missing/")), kind))
    examples = _examples(stats, *kinds, limit=1)
    kept = int(stats.get(PREFIX + "kept_stored", 0))
    if kept:
        reasons.append(
            f"{kept} stored article(s) kept as they were instead of being overwritten by "
            "degraded versions (DANVAN_ALARM_PROTECT_FIELDS)"
        )
    return LayoutAlarm(reasons, examples[0] if examples else None)
