"""Pure URL canonicalization (w3lib) and article identity.

The canonical URL of a page on the portal: the site base's scheme and host, the path
with percent-encoding normalized (upper-case hex, raw non-ASCII UTF-8 encoded, so a raw
``”`` becomes ``%E2%80%9D`` and a raw U+FFFD ``%EF%BF%BD``), tracking parameters and the
fragment dropped, remaining query arguments sorted, no trailing slash (except the root).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string, url_query_cleaner

__all__ = ["DEFAULT_TRACKING_PARAMS", "absolute_url", "article_id", "canonical_url", "set_query"]

DEFAULT_TRACKING_PARAMS: tuple[str, ...] = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "fbclid",
    "zarsrc",
    "gidzl",
    "gclid",
)

_ARTICLE_ID_RE = re.compile(r"(\d+)/?$")


def absolute_url(href: str, base: str) -> str:
    """``href`` resolved against ``base``; whitespace trimmed, unsafe characters encoded."""
    return safe_url_string(urljoin(base, href.strip()))


def canonical_url(
    url: str,
    base_url: str | None = None,
    *,
    tracking_params: Iterable[str] = DEFAULT_TRACKING_PARAMS,
    same_site_hosts: Iterable[str] = (),
) -> str:
    """Canonical form of ``url``.

    ``base_url`` (``scheme://host[:port]``) is the site's base: relative URLs are resolved
    against it, and URLs on its host or on one of ``same_site_hosts`` get its scheme and
    netloc. URLs on other hosts keep theirs (and are canonicalized all the same).
    """
    url = url.strip()
    simple = _SIMPLE_URL_RE.fullmatch(url)
    if simple is not None and int(simple.group("port") or 0) > 65535:
        simple = None  # (not is_plain_absolute: one match of the URL instead of two)
    if simple is not None:
        # already canonical: absolute, lower-case http(s) scheme and host name (no IDNA,
        # no "--"), port without leading zeros, a path of unreserved characters and
        # upper-case percent-encoded non-ASCII bytes, without "."/".." or empty segments,
        # no query, no fragment: joining, query cleaning and canonicalizing give it back
        # unchanged
        scheme, netloc, path = simple.group("scheme", "netloc", "path")
        hostname, query = simple.group("host"), ""
    else:
        if base_url:
            url = urljoin(base_url + "/", url)
        url = url_query_cleaner(url, tuple(tracking_params), remove=True, keep_fragments=False)
        url = canonicalize_url(url, keep_fragments=False)
        parts = urlsplit(url)
        scheme, netloc, path = parts.scheme, parts.netloc, parts.path
        hostname = (parts.hostname or "").lower()
        query = parts.query
    if base_url:
        base_scheme, base_netloc, hosts = _base(base_url, tuple(same_site_hosts))
        if hostname in hosts:
            scheme, netloc = base_scheme, base_netloc
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme.lower(), netloc.lower(), path or "/", query, ""))


_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
# a path character w3lib and urljoin leave as it is: an unreserved one, or the upper-case
# percent-encoding of a byte beyond ASCII (decoded and encoded again, it is the same; a
# raw non-ASCII character is encoded, so the slug of a headline with quotes, ``%E2%80%9C``)
# (runs of unreserved characters matched possessively: as fast as the character class
# alone, and no backtracking through the ways of splitting a run when a URL is no match)
_UNITS = r"(?:[A-Za-z0-9_~-]++|%[89A-F][0-9A-F])++"
_SEGMENT = rf"{_UNITS}(?:\.{_UNITS})*"
_ORIGIN = (
    rf"(?P<scheme>https?)://(?P<netloc>(?P<host>(?![a-z0-9.-]*--){_LABEL}(?:\.{_LABEL})*)"
    rf"(?::(?P<port>[1-9][0-9]{{0,4}}))?)"
)
_SIMPLE_URL_RE = re.compile(rf"{_ORIGIN}(?P<path>(?:/{_SEGMENT})+/?|/)")
#: a base whose scheme and host ``urljoin`` reads as written: whatever follows them (a
#: path, percent-encoded or not, a query, a fragment) is replaced by a path from the root
_SIMPLE_BASE_RE = re.compile(rf"{_ORIGIN}(?:[/?#][\s\S]*)?")
_PLAIN_PATH_RE = re.compile(rf"(?:/{_SEGMENT})+/?|/")


def is_plain_absolute(url: str) -> bool:
    """Whether ``url`` is an absolute URL already in canonical form as far as w3lib and
    ``urljoin`` go (see :func:`canonical_url`): joined to any base it stays itself."""
    simple = _SIMPLE_URL_RE.fullmatch(url)
    return simple is not None and int(simple.group("port") or 0) <= 65535


def join_plain(base: str, url: str) -> str | None:
    """``urljoin(base, url)`` when that is plain string work, else None: ``url`` a path
    from the root made of unreserved characters (no ``.``/``..`` or empty segment, no
    query, no fragment) and ``base`` a plain http(s) scheme and host (as in
    :func:`is_plain_absolute`) followed by anything starting with ``/``, ``?`` or ``#``
    (a percent-encoded article path, a listing's page 2): the join is then the base's
    scheme and host followed by the path (a path from the root replaces the base's
    path, query and fragment)."""
    if not url.startswith("/") or _PLAIN_PATH_RE.fullmatch(url) is None:
        return None
    simple = _SIMPLE_BASE_RE.fullmatch(base)
    if simple is None or int(simple.group("port") or 0) > 65535:
        return None
    return f"{simple.group('scheme')}://{simple.group('netloc')}{url}"


@lru_cache(maxsize=64)
def _base(base_url: str, same_site_hosts: tuple[str, ...]) -> tuple[str, str, frozenset[str]]:
    """Scheme, netloc and same-site host names (lower-case) of a site base URL."""
    base = urlsplit(base_url)
    hosts = frozenset({(base.hostname or "").lower(), *(h.lower() for h in same_site_hosts)})
    return base.scheme, base.netloc, hosts


def article_id(url: str, pattern: re.Pattern[str] = _ARTICLE_ID_RE) -> str | None:
    """The numeric tail of the URL path (``.../73410-486108-559264`` -> ``559264``)."""
    return _article_id(url, pattern)


@lru_cache(maxsize=256)
def _article_id(url: str, pattern: re.Pattern[str]) -> str | None:
    """:func:`article_id` (pure), cached: an article's URL is asked for its id several
    times in a row (its page's canonical link, its id, the validation)."""
    match = pattern.search(urlsplit(url).path)
    return match.group(1) if match else None


def set_query(url: str, **params: str | None) -> str:
    """``url`` with the given query parameters set (or removed when ``None``), sorted."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(sorted(query))))


def site_key(url: str) -> str:
    """A portal URL without its scheme and host: path and query (``/vi-vn/chuyen-muc/
    thoi-su/73410-203449``). What names a page of the portal whatever host, port or
    scheme served it (an http -> https move, a ``www.`` prefix, another replica port)."""
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or ``localhost``."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
