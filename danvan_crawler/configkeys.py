"""The configuration keys of ``danvan`` (:data:`KEYS`): each key's type (a value parser),
default, help, Scrapy setting, flag and environment variable. How they are read (file,
environment, flags, precedence) is :mod:`danvan_crawler.config`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

#: Prefix of every environment variable read.
ENV_PREFIX = "DANVAN_"


# --- value parsers: each takes a TOML value or a string, returns the typed value ---


def _url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected an http(s) URL")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http(s) URL such as https://nghean.dcs.vn")
    return value.strip()


def _optional_url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _url(value)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


def _optional_path(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return _text(value)


def _int(minimum: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError("expected an integer")
        try:
            number = int(value, 10) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            raise ValueError("expected an integer") from None
        if isinstance(value, float) and value != number:
            raise ValueError("expected an integer")
        if number < minimum:
            raise ValueError(f"expected an integer >= {minimum}")
        return number

    return parse


def _ratio(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number between 0 and 1")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number between 0 and 1") from None
    if not 0.0 <= number <= 1.0:
        raise ValueError("expected a number between 0 and 1")
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _names(value: Any) -> list[str]:
    """A list of names: a TOML array of strings, or one string split at commas and spaces
    (``DANVAN_TRACKING_PARAMS="ref, src"``)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(
        isinstance(item, str) and item.strip() for item in items
    ):
        raise ValueError("expected a list of names")
    return [item.strip() for item in items]


def _choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower() if not isinstance(value, bool) else ""
        if text not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return text

    return parse


@dataclass(frozen=True)
class Key:
    """One configuration key: its type, default, flag and Scrapy setting."""

    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    setting: str | None = None
    flag: str | None = None
    metavar: str | None = None

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def env_alias(self) -> str | None:
        """The Scrapy setting's name, also read from the environment when it is a
        ``DANVAN_*`` name other than :attr:`env` (``DANVAN_SITE_URL`` for ``site``)."""
        if self.setting and self.setting.startswith(ENV_PREFIX) and self.setting != self.env:
            return self.setting
        return None


KEYS: tuple[Key, ...] = (
    Key("site", _url, "https://nghean.dcs.vn", "portal base URL",
        "DANVAN_SITE_URL", "--site", "URL"),
    Key("db", _text, "danvan.db", "store: SQLite file path or database URL",
        "DANVAN_DB", "--db", "PATH"),
    Key("create", _bool, False,
        "create the store's folder when it does not exist (else a missing folder is a "
        "usage error: a typo must not start a new store and a full backfill)",
        None, "--create", None),
    Key("jsonl", _optional_path, None,
        "JSON Lines of the articles new or changed since the last file written there "
        "(none if unset)",
        "DANVAN_JSONL", "--jsonl", "PATH"),
    Key("out", _text, "feeds", "folder the feeds are published to",
        "DANVAN_FEEDS_DIR", "--out", "DIR"),
    Key("public_url", _optional_url, None, "URL the feeds folder is served at",
        "DANVAN_PUBLIC_URL", "--public-url", "URL"),
    Key("limit", _int(1), 50, "entries per feed", "DANVAN_FEED_LIMIT", "--limit", "N"),
    Key("profile", _text, "nghean", "site profile: a name in danvan_crawler/profiles/ or a path",
        "DANVAN_PROFILE", "--profile", "NAME"),
    Key("crawl_interval_minutes", _int(1), 30,
        "how often cron runs the crawl (feeds' ttl)", "DANVAN_CRAWL_INTERVAL_MINUTES"),
    Key("politeness", _choice("auto", "polite", "on", "off"), "auto",
        "auto: polite on the live portal, lifted on loopback; polite (on); off",
        "DANVAN_POLITENESS"),
    Key("contact_url", _url, "https://github.com/danvan-crawler/danvan-crawler",
        "contact URL sent in the User-Agent", "DANVAN_CONTACT_URL"),
    Key("tracking_params", _names, [],
        "query parameters dropped from every URL read, besides the site profile's",
        "DANVAN_TRACKING_PARAMS"),
    Key("log_file", _optional_path, None, "also write the full log (INFO) to this file",
        None, "--log-file", "PATH"),
    Key("alarm_min_listing_items", _int(0), 1,
        "a listing page with fewer article links than this counts as empty",
        "DANVAN_ALARM_MIN_LISTING_ITEMS"),
    Key("alarm_empty_listing_ratio", _ratio, 0.5,
        "alarm when more than this share of fetched listing pages are empty",
        "DANVAN_ALARM_EMPTY_LISTING_RATIO"),
    Key("alarm_fallback_ratio", _ratio, 0.2,
        "alarm when more than this share of articles needed a fallback",
        "DANVAN_ALARM_FALLBACK_RATIO"),
    Key("alarm_missing_ratio", _ratio, 0.1,
        "alarm when more than this share of articles miss a required field",
        "DANVAN_ALARM_MISSING_RATIO"),
    Key("alarm_min_articles", _int(1), 3,
        "article ratios are judged only when a run parsed at least this many articles",
        "DANVAN_ALARM_MIN_ARTICLES"),
)  # fmt: skip

KEYS_BY_NAME: dict[str, Key] = {key.name: key for key in KEYS}
KEYS_BY_SETTING: dict[str, Key] = {key.setting: key for key in KEYS if key.setting}
