"""What goes into a feed, prepared once from the store's article dicts.

:class:`Entry` is an article made ready for every format: text stripped of characters
XML forbids, URLs absolute and percent-encoded, HTML sanitized, dates aware. The
renderers (:mod:`danvan_crawler.feeds.render`) only lay these values out.

Everything that reaches a feed passes here, channel and item alike: the dataclasses
below clean their own fields when built, whoever builds them: every text field through
:func:`~danvan_crawler.feeds.sanitize.plain_text` (no markup, XML-safe: safe in any slot
of any format, even those readers render as HTML), ``content_html`` through
:func:`~danvan_crawler.feeds.sanitize.sanitize_html` unless it already is
:class:`~danvan_crawler.feeds.sanitize.SafeHtml`, every URL through
:func:`~danvan_crawler.feeds.sanitize.safe_url` (http(s) only). A renderer that puts a
text into an HTML slot (RSS descriptions) escapes it there.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from danvan_crawler.feeds.sanitize import (
    SafeHtml,
    media_type,
    plain_text,
    safe_url,
    sanitize_html,
)

logger = logging.getLogger(__name__)

#: The portal's time zone: a date read without an offset is taken as local time.
PORTAL_TZ = timezone(timedelta(hours=7))
#: Time of a feed that has no entry (a fixed value: no "now" anywhere).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Authority and date of the ``tag:`` URIs (RFC 4151) naming entries and feeds. Fixed,
#: so that ids survive a change of the portal's host, scheme or article slug.
DEFAULT_ID_AUTHORITY = "nghean.dcs.vn,2026"
#: Length of a summary cut from the body when the article has no lead.
SUMMARY_CHARS = 300


def parse_datetime(value: object) -> datetime | None:
    """An aware datetime from an ISO 8601 string (naive ones are portal time)."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PORTAL_TZ)
    return parsed


def _text(value: object) -> str:
    return plain_text(value)


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


def _url(value: str | None, fallback: str | None = None) -> str | None:
    return (safe_url(value) if value else None) or fallback


@dataclass(frozen=True)
class Category:
    """A category as an entry or a feed names it."""

    name: str
    url: str
    sub_site: str

    def __post_init__(self) -> None:
        _set(self, "name", plain_text(self.name))
        _set(self, "sub_site", plain_text(self.sub_site))
        _set(self, "url", _url(self.url) or "")


@dataclass(frozen=True)
class Entry:
    """One article, ready to render."""

    article_id: str
    id: str  # tag: URI, stable across runs, URL and host changes
    link: str  # canonical URL, absolute, percent-encoded
    title: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    authors: tuple[str, ...]
    categories: tuple[Category, ...]
    image_url: str | None = None
    image_type: str | None = None
    attachments: tuple[tuple[str, str, str], ...] = ()  # (url, name, MIME type)

    def __post_init__(self) -> None:
        for name in ("article_id", "title", "summary"):
            _set(self, name, plain_text(getattr(self, name)))
        _set(self, "authors", tuple(a for a in map(plain_text, self.authors) if a))
        _set(self, "link", _url(self.link) or "")
        if not isinstance(self.content_html, SafeHtml):
            _set(self, "content_html", sanitize_html(self.content_html, self.link))
        _set(self, "image_url", _url(self.image_url))
        _set(
            self,
            "attachments",
            tuple(
                (url, plain_text(name) or url, plain_text(mime))
                for url, name, mime in ((_url(u), n, m) for u, n, m in self.attachments)
                if url
            ),
        )


@dataclass(frozen=True)
class Feed:
    """One feed (a category, or every category) with its entries, newest first."""

    stem: str  # file name without extension
    id: str
    title: str
    description: str
    home_url: str  # the category's page on the portal (or the portal's home)
    self_urls: Mapping[str, str]  # format ("rss", "atom", "json") -> public URL
    author: str
    entries: Sequence[Entry] = field(default_factory=tuple)
    sub_site: str = ""
    category_name: str = ""
    category_url: str | None = None

    def __post_init__(self) -> None:
        for name in ("stem", "id", "title", "description", "author", "sub_site", "category_name"):
            _set(self, name, plain_text(getattr(self, name)))
        _set(self, "home_url", _url(self.home_url) or "")
        _set(self, "self_urls", {kind: _url(url) or "" for kind, url in self.self_urls.items()})

    @property
    def updated(self) -> datetime:
        """The newest entry time (published or updated), EPOCH when empty."""
        return max((e.updated for e in self.entries), default=EPOCH)


def tag_uri(authority: str, specific: str) -> str:
    """A ``tag:`` URI (RFC 4151)."""
    return f"tag:{authority}:{specific}"


def entry_from_article(
    article: Mapping[str, Any], id_authority: str = DEFAULT_ID_AUTHORITY
) -> Entry | None:
    """Prepare ``article`` (output schema) for rendering; None when it cannot be linked
    or dated (logged: the store should never hold such an article)."""
    article_id = _text(article.get("articleId"))
    link = safe_url(article.get("canonicalUrl") or article.get("url"))
    published = parse_datetime(article.get("datePublished"))
    if not article_id or link is None or published is None:
        logger.warning(
            "article %r left out of the feeds: no id, URL or publication date",
            article.get("articleId") or article.get("canonicalUrl"),
        )
        return None
    modified = parse_datetime(article.get("dateModified"))
    updated = max(published, modified) if modified else published

    summary = _text(article.get("description"))
    if not summary:
        body = _text(article.get("articleBody"))
        summary = (
            body if len(body) <= SUMMARY_CHARS else body[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
        )

    authors = tuple(
        name for name in (_text(a.get("name")) for a in article.get("authors") or () if a) if name
    )
    categories = []
    for cat in article.get("categories") or ():
        url = safe_url(cat.get("url"))
        name = _text(cat.get("name"))
        if url and name:
            categories.append(Category(name=name, url=url, sub_site=_text(cat.get("subSite"))))

    image = article.get("mainImage") or {}
    image_url = safe_url(image.get("url"), link) if isinstance(image, Mapping) else None
    attachments = []
    for att in article.get("attachments") or ():
        url = safe_url(att.get("url"), link)
        if url:
            attachments.append((url, _text(att.get("name")) or url, media_type(url)))

    return Entry(
        article_id=article_id,
        id=tag_uri(id_authority, f"article/{article_id}"),
        link=link,
        title=_text(article.get("headline")) or f"Bài viết {article_id}",
        summary=summary,
        content_html=sanitize_html(article.get("articleBodyHtml"), link),
        published=published,
        updated=updated,
        authors=authors,
        categories=tuple(categories),
        image_url=image_url,
        image_type=media_type(image_url, "image/jpeg") if image_url else None,
        attachments=tuple(attachments),
    )


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` by publication time, newest first; ties keep the store's order."""
    return sorted(entries, key=lambda e: e.published, reverse=True)
