"""The crawl's manners as a Scrapy add-on (``ADDONS``): politeness and the User-Agent."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings

from danvan_crawler import __version__
from danvan_crawler.urls import is_loopback_url

logger = logging.getLogger(__name__)

#: Priority of what the add-on sets: above the project settings, which hold the polite
#: defaults it replaces, and below the command line (40), which always wins.
PRIORITY = "spider"
CMDLINE = 40


class Manners:
    """Politeness (``DANVAN_POLITENESS``) and the User-Agent (``DANVAN_USER_AGENT`` with
    ``DANVAN_CONTACT_URL``), decided for the site this crawl fetches: the spider's
    (its ``site`` argument or profile), else ``DANVAN_SITE_URL``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Manners:
        return cls(crawler)

    def update_settings(self, settings: BaseSettings) -> None:
        site = getattr(self.crawler.spider, "site_url", None) or settings.get("DANVAN_SITE_URL")
        apply_politeness(settings, str(site or ""))
        apply_user_agent(settings)


def apply_politeness(settings: BaseSettings, site_url: str) -> None:
    """Polite against the live portal, lifted on a loopback site (``auto``), or as
    ``DANVAN_POLITENESS`` says; settings from the command line win."""
    mode = (settings.get("DANVAN_POLITENESS") or "auto").lower()
    if mode not in {"auto", "polite", "on", "off"}:
        raise ValueError(f"DANVAN_POLITENESS must be auto, polite or off, not {mode!r}")
    lifted = mode == "off" or (mode == "auto" and is_loopback_url(site_url))
    values: dict[str, Any]
    if lifted:
        values = {
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": settings.getint("DANVAN_LIFTED_CONCURRENCY", 16),
        }
    else:
        values = {
            "AUTOTHROTTLE_ENABLED": True,
            "DOWNLOAD_DELAY": max(settings.getfloat("DOWNLOAD_DELAY"), 0.0) or 1.0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": min(
                settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 2
            )
            or 2,
        }
    changed = []
    for name, value in values.items():
        if (settings.getpriority(name) or 0) < CMDLINE:
            settings.set(name, value, priority=PRIORITY)
            changed.append(f"{name}={value}")
    if lifted:
        why = "site URL is loopback" if mode == "auto" else "DANVAN_POLITENESS=off"
        logger.info("politeness lifted (%s): %s", why, ", ".join(changed) or "unchanged")
    else:
        logger.info(
            "polite crawling (DANVAN_POLITENESS=%s): AutoThrottle on, %s",
            mode,
            ", ".join(changed) or "settings from the command line",
        )


def apply_user_agent(settings: BaseSettings) -> None:
    """``USER_AGENT`` from ``DANVAN_USER_AGENT`` and ``DANVAN_CONTACT_URL``, unless the
    command line set it."""
    if (settings.getpriority("USER_AGENT") or 0) >= CMDLINE:
        return
    template = settings.get("DANVAN_USER_AGENT") or "danvan-crawler/{version} (+{contact_url})"
    contact = settings.get("DANVAN_CONTACT_URL") or ""
    agent = template.format(version=__version__, contact_url=contact)
    settings.set("USER_AGENT", agent, priority=PRIORITY)
