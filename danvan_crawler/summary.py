"""What a run did, from Scrapy stats: the summary paragraph and the live progress display.

:func:`summarize` turns a finished crawl's stats into a :class:`RunSummary`;
:meth:`RunSummary.paragraph` is what ``danvan run`` prints and stores in the run
history. :class:`ProgressDisplay` is a Scrapy extension (enabled by the setting
``DANVAN_PROGRESS``) that shows pages, articles new/updated and errors live on a
terminal, with rich.

Stats keys read (written by Scrapy and by our pipelines and spider):
``downloader/response_count``, ``downloader/response_status_count/304``,
``log_count/ERROR``, ``log_count/WARNING``, ``retry/count``, ``danvan/store/new``,
``danvan/store/updated``, ``danvan/store/unchanged``, ``danvan/store/merged``,
``danvan/dedupe/<reason>`` (``same_id``, ``near_duplicate``; ``*_changed`` are no drops),
``danvan/validate/dropped/<reason>``, ``danvan/extract/fallback/<field>``,
``danvan/fault/<kind>`` (``resilience.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from scrapy.crawler import Crawler
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

FALLBACK_PREFIX = "danvan/extract/fallback/"
DEDUPE_PREFIX = "danvan/dedupe/"
DROPPED_PREFIX = "danvan/validate/dropped/"
FAULT_PREFIX = "danvan/fault/"


def _sum_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {
        name[len(prefix) :]: int(value)
        for name, value in stats.items()
        if name.startswith(prefix) and isinstance(value, (int, float))
    }


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


@dataclass
class RunSummary:
    """The figures of one run."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    invalid: int = 0
    pages: int = 0
    not_modified: int = 0
    errors: int = 0
    warnings: int = 0
    retries: int = 0
    fallbacks: dict[str, int] = field(default_factory=dict)
    duplicates_by_reason: dict[str, int] = field(default_factory=dict)
    invalid_by_reason: dict[str, int] = field(default_factory=dict)
    #: failures met (``danvan/fault/<kind>``): 5xx, timeouts, truncated pages...
    faults: dict[str, int] = field(default_factory=dict)
    duration: float = 0.0
    finish_reason: str | None = None

    @property
    def fallbacks_used(self) -> int:
        return sum(self.fallbacks.values())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fallbacks_used"] = self.fallbacks_used
        return data

    def paragraph(self, outcome: str = "finished") -> str:
        """One paragraph, for cron's mail and the run history."""
        parts = [
            f"danvan run {outcome} in {self.duration:.1f} s:",
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged articles;",
            f"{_plural(self.duplicates, 'duplicate')} dropped"
            + (f", {self.invalid} invalid dropped;" if self.invalid else ";"),
            f"{_plural(self.pages, 'page')} fetched ({self.not_modified} answered 304);",
            _plural(self.errors, "error")
            + (f", {_plural(self.retries, 'retry', 'retries')}" if self.retries else "")
            + ";",
            f"{_plural(self.fallbacks_used, 'fallback')} used",
        ]
        text = " ".join(parts)
        if self.fallbacks:
            shown = ", ".join(f"{name} {count}" for name, count in sorted(self.fallbacks.items()))
            text += f" ({shown})"
        if self.faults:
            shown = ", ".join(f"{name} {count}" for name, count in sorted(self.faults.items()))
            text += f"; faults met: {shown}"
        return text + "."


def summarize(
    stats: Mapping[str, Any], duration: float | None = None, finish_reason: str | None = None
) -> RunSummary:
    """A :class:`RunSummary` from a crawl's stats (``crawler.stats.get_stats()``)."""

    def count(name: str) -> int:
        value = stats.get(name, 0)
        return int(value) if isinstance(value, (int, float)) else 0

    if duration is None:
        elapsed = stats.get("elapsed_time_seconds")
        if isinstance(elapsed, (int, float)):
            duration = float(elapsed)
        else:
            start, finish = stats.get("start_time"), stats.get("finish_time")
            if isinstance(start, datetime) and isinstance(finish, datetime):
                duration = (finish - start).total_seconds()
            else:
                duration = 0.0
    # ``same_id_changed`` is an update seen twice in a run, not a dropped duplicate.
    dupes = {
        k: v for k, v in _sum_prefix(stats, DEDUPE_PREFIX).items() if not k.endswith("_changed")
    }
    dropped = _sum_prefix(stats, DROPPED_PREFIX)
    return RunSummary(
        new=count("danvan/store/new"),
        updated=count("danvan/store/updated"),
        unchanged=count("danvan/store/unchanged") + count("danvan/store/merged"),
        duplicates=sum(dupes.values()),
        invalid=sum(dropped.values()),
        pages=count("downloader/response_count"),
        not_modified=count("downloader/response_status_count/304"),
        errors=count("log_count/ERROR") + count("log_count/CRITICAL"),
        warnings=count("log_count/WARNING"),
        retries=count("retry/count"),
        fallbacks={k: v for k, v in _sum_prefix(stats, FALLBACK_PREFIX).items() if v},
        duplicates_by_reason=dupes,
        invalid_by_reason=dropped,
        # kinds only: the reasons under a kind (truncated/<reason>) stay in the stats
        faults={k: v for k, v in _sum_prefix(stats, FAULT_PREFIX).items() if v and "/" not in k},
        duration=float(duration or 0.0),
        finish_reason=finish_reason or stats.get("finish_reason"),
    )


_console: Console | None = None


def get_console() -> Console:
    """The stderr console shared by the progress display and the terminal log handler,
    so that log lines print above the live display instead of through it."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(stderr=True)
    return _console


class ProgressDisplay:
    """A live one-line display of a crawl on a terminal (setting ``DANVAN_PROGRESS``)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self._live: Live | None = None
        self._task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressDisplay:
        if not crawler.settings.getbool("DANVAN_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, crawler.settings.getfloat("DANVAN_PROGRESS_INTERVAL", 0.25))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def render(self) -> str:
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        s = summarize(stats, duration=0.0)
        return (
            f"[bold]danvan[/] pages {s.pages} (304: {s.not_modified}) · "
            f"articles [green]new {s.new}[/] updated {s.updated} unchanged {s.unchanged} · "
            f"duplicates {s.duplicates} · fallbacks {s.fallbacks_used} · "
            + (f"[red]errors {s.errors}[/]" if s.errors else "errors 0")
        )

    def spider_opened(self) -> None:
        from rich.live import Live
        from twisted.internet.task import LoopingCall

        self._live = Live(self.render(), console=get_console(), auto_refresh=False, transient=True)
        self._live.start()
        self._task = LoopingCall(self._refresh)
        self._task.start(self.interval, now=False)

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self.render(), refresh=True)

    def spider_closed(self) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        if self._live is not None:
            self._live.update(self.render(), refresh=True)  # the final figures, drawn once
            self._live.stop()
            self._live = None
