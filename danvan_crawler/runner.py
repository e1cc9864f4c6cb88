"""``danvan run``: lock, crawl, publish, check the layout, record the run, report.

The order matters: the configuration and the output folders are checked first (exit 2),
then the lock is taken (exit 75) before the store or a feed is touched; the crawl runs
in this process (Scrapy's ``CrawlerProcess``); the JSON Lines (``--jsonl``) are written
from the store's change log (:mod:`danvan_crawler.stream`); the feeds are published from the store
whatever the crawl found (so a layout change leaves the good articles in the feeds);
the layout-change alarm is judged from the crawl's stats (exit 3); the run is recorded in
the store's run history; the summary paragraph is printed last.

Exit codes: 0 ok, 1 the run failed, 2 usage or configuration error, 3 layout-change
alarm, 75 another run holds the lock.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from danvan_crawler.alarm import LayoutAlarm, check_layout
from danvan_crawler.config import Config, ConfigError, check_store_folder
from danvan_crawler.crawling import nothing_crawled
from danvan_crawler.errors import STORE_FAILED, STORE_FAILURE_STAT, describe, store_stopper
from danvan_crawler.locking import LockHeld, RunLock, lock_path_for
from danvan_crawler.runlog import setup_logging, suppressed
from danvan_crawler.stream import after_crawl, before_crawl
from danvan_crawler.summary import RunSummary, summarize

if TYPE_CHECKING:
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_ALARM = 3
EXIT_LOCKED = 75

SPIDER_NAME = "portal"


@dataclass
class RunOptions:
    """How ``danvan run`` behaves, beyond the configuration."""

    full: bool = False
    refresh: bool = False
    quiet: bool = False
    verbose: bool = False
    #: None: decide from ``sys.stderr.isatty()``.
    progress: bool | None = None


@dataclass
class RunResult:
    """What a run did; ``exit_code`` is the process's exit code."""

    exit_code: int
    summary: RunSummary = field(default_factory=RunSummary)
    alarm: LayoutAlarm | None = None
    failures: list[str] = field(default_factory=list)
    published: bool = False


# --- checks before anything is touched ---------------------------------------


def _is_url(db: str) -> bool:
    return "://" in db and not db.startswith("sqlite:///")


def _db_path(db: str) -> str:
    return db[len("sqlite:///") :] if db.startswith("sqlite:///") else db


def _check_writable_dir(path: Path, what: str) -> None:
    """Raise ConfigError unless ``path`` is, or can be created as, a writable folder."""
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise ConfigError(f"{what} {path} is not usable: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise ConfigError(f"{what} {path} is not writable")


def preflight(config: Config) -> None:
    """Check that every place the run writes to can be written (ConfigError if not)."""
    _check_writable_dir(Path(config["out"]), "output folder")
    if not _is_url(config["db"]):
        _check_writable_dir(Path(_db_path(config["db"])).resolve().parent, "store folder")
        check_store_folder(config)
    for key, what in (("jsonl", "JSON Lines file"), ("log_file", "log file")):
        if config[key]:
            target = Path(config[key])
            if target.is_dir():
                raise ConfigError(f"{what} {target} is a folder")
            _check_writable_dir(target.resolve().parent, f"folder of the {what}")


def _console_level(options: RunOptions) -> int:
    """Warnings and errors; errors only with --quiet; info with --verbose."""
    if options.quiet:
        return logging.ERROR
    return logging.INFO if options.verbose else logging.WARNING


# --- the crawl ---------------------------------------------------------------------


def build_settings(config: Config, options: RunOptions, log_level: int, progress: bool) -> Settings:
    """Project settings, overlaid with the configuration and what ``run`` needs."""
    from danvan_crawler.crawling import build_settings as crawl_settings

    settings = crawl_settings(
        site=config["site"],
        jsonl=config["jsonl"],
        overrides=config.scrapy_settings(),
        db=config["db"],
        full=options.full,
        refresh=options.refresh,
    )
    run_settings: dict[str, Any] = {
        "LOG_INSTALL_ROOT_HANDLER": False,
        "LOG_LEVEL": logging.getLevelName(log_level),
        "DANVAN_PROGRESS": progress,
    }
    settings.update(run_settings, priority="cmdline")
    middlewares = dict(settings.get("SPIDER_MIDDLEWARES") or {})
    middlewares.setdefault("danvan_crawler.middlewares.layout.LayoutWatch", 950)
    settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")
    if progress:
        extensions = dict(settings.get("EXTENSIONS") or {})
        extensions.setdefault("danvan_crawler.summary.ProgressDisplay", 900)
        settings.set("EXTENSIONS", extensions, priority="cmdline")
    return settings


def crawl(config: Config, settings: Settings, options: RunOptions) -> dict[str, Any]:
    """Run the ``portal`` spider to the end in this process; its final stats."""
    from danvan_crawler.crawling import run_crawl

    return run_crawl(settings, config["site"], scrapy_log_level=logging.getLogger().level)


# --- publishing and history ----------------------------------------------------------


def _open_store(config: Config) -> Any:
    from danvan_crawler.store import open_store

    return open_store(config["db"])


def publish(config: Config) -> None:
    from danvan_crawler.feeds import DEFAULT_PUBLIC_URL
    from danvan_crawler.feeds import publish as publish_feeds
    from danvan_crawler.feeds.publish import NO_PUBLIC_URL_WARNING
    from danvan_crawler.profile import site_output

    if config["public_url"] is None:  # the feeds' self links would point at this machine
        logger.warning(NO_PUBLIC_URL_WARNING, DEFAULT_PUBLIC_URL)
    out, public_url = site_output(config["out"], config["public_url"], config["profile"])
    with _open_store(config) as store:
        publish_feeds(
            store,
            out,
            public_url=public_url,
            limit=config["limit"],
            ttl_minutes=config["crawl_interval_minutes"],
        )


def _history_failed(exc: Exception) -> None:
    # a full disk or a damaged store is said once, by the command's own line
    level = logging.DEBUG if store_stopper(exc) else logging.WARNING
    logger.log(level, "could not record the run in the store's history: %s", exc)


def start_run(config: Config, started: datetime) -> int | None:
    """Open the run in the store's history (status ``running`` until it finishes)."""
    try:
        with _open_store(config) as store:
            return int(store.start_run(started_at=started))
    except Exception as exc:
        _history_failed(exc)
        return None


def finish_run(config: Config, run_id: int | None, status: str, summary: dict[str, Any]) -> None:
    if run_id is None:
        return
    try:
        with _open_store(config) as store:
            store.finish_run(run_id, status, summary)
    except Exception as exc:
        _history_failed(exc)


# --- the whole run -------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"danvan run: {message}", file=sys.stderr, flush=True)


def run(config: Config, options: RunOptions) -> RunResult:
    """Everything ``danvan run`` does after its arguments are parsed."""
    try:
        preflight(config)
    except ConfigError as exc:
        _say(f"error: {exc}")
        return RunResult(EXIT_USAGE)

    lock = RunLock(lock_path_for(config["db"]))
    try:
        lock.acquire()
    except LockHeld as exc:
        _say(f"{exc}; not starting")
        return RunResult(EXIT_LOCKED)
    try:
        return _run_locked(config, options)
    finally:
        lock.release()


def _run_locked(config: Config, options: RunOptions) -> RunResult:
    tty = sys.stderr.isatty() if options.progress is None else options.progress
    progress = tty and not options.quiet
    level = setup_logging(config["log_file"], _console_level(options), tty)
    started = datetime.now(UTC)
    clock = time.monotonic()
    result = RunResult(EXIT_OK)
    try:  # a store that cannot be opened stops the run before anything is fetched
        _open_store(config).close()
    except Exception as exc:
        logger.debug("opening the store failed", exc_info=True)
        _say(f"error: {describe(exc, config['db'])}")
        return RunResult(EXIT_FAILED, failures=[describe(exc, config["db"])])
    run_id = start_run(config, started)

    stats: dict[str, Any] = {}
    settings = build_settings(config, options, level, progress)
    store_opened = False
    try:
        before_crawl(config["db"], config["jsonl"])
        store_opened = True
        stats = crawl(config, settings, options)
    except Exception as exc:  # the crawl could not run at all
        logger.debug("crawl failed", exc_info=True)
        result.failures.append(f"crawl failed: {describe(exc, config['db'])}")
    if store_opened:
        try:
            after_crawl(config["db"], config["jsonl"])
        except Exception as exc:  # a full disk...: the changes wait for the next run's file
            logger.debug("writing the JSON Lines failed", exc_info=True)
            result.failures.append(
                f"writing the JSON Lines failed: {describe(exc, config['db'], config['jsonl'])}"
            )

    if stats.get(STORE_FAILURE_STAT):  # disk full, store damaged: the crawl stopped
        result.failures.append(f"crawl stopped: {stats[STORE_FAILURE_STAT]}")
    finish_reason = str(stats.get("finish_reason"))
    # closespider_*: a limit the operator set (CLOSESPIDER_ITEMCOUNT...) was reached.
    if (
        stats
        and finish_reason not in ("finished", STORE_FAILED)
        and not finish_reason.startswith("closespider_")
    ):
        result.failures.append(f"crawl ended early ({finish_reason})")
    empty = nothing_crawled(stats)
    if empty is not None:  # whatever the reason: refused, 5xx after every retry, ...
        result.failures.append(f"nothing could be crawled from {config['site']}: {empty}")

    damaged = str(stats.get(STORE_FAILURE_STAT, "")).startswith("store damaged")
    try:
        if not damaged:  # a damaged store was said once: no second error from publishing
            publish(config)
            result.published = True
    except Exception as exc:
        logger.debug("publish failed", exc_info=True)
        result.failures.append(
            f"publishing the feeds failed: {describe(exc, config['db'], config['out'])}"
        )

    result.summary = summarize(stats, duration=time.monotonic() - clock)
    if stats:
        result.alarm = check_layout(stats, settings)

    if result.failures:
        result.exit_code = EXIT_FAILED
        outcome = "failed"
    elif result.alarm is not None:
        result.exit_code = EXIT_ALARM
        outcome = "raised the layout-change alarm"
    else:
        outcome = "finished"
    paragraph = result.summary.paragraph(outcome)

    status = {EXIT_OK: "ok", EXIT_FAILED: "failed", EXIT_ALARM: "alarm"}[result.exit_code]
    history = {
        "paragraph": paragraph,
        "exit_code": result.exit_code,
        **result.summary.as_dict(),
        "failures": result.failures,
        "alarm": result.alarm.reasons if result.alarm else [],
    }
    finish_run(config, run_id, status, history)

    for line in suppressed(_console_level(options), config["log_file"]):
        _say(line)
    for failure in result.failures:
        _say(f"error: {failure}")
    if result.alarm is not None:
        print(result.alarm.message(), file=sys.stderr, flush=True)
    logger.info("%s", paragraph)
    if not options.quiet:
        print(paragraph, flush=True)
    return result
