"""Publishing the feeds folder from the store.

:func:`build_site` is pure: categories and, per category, the newest articles in, the
folder's files (name -> bytes) out. :func:`publish` asks the store for those (one
indexed ``latest()`` query per category, so the cost grows with categories x limit,
not with the size of the store), builds, and writes the files atomically, skipping
those whose bytes did not change.

Files, for each category and for ``all`` (every category): ``<stem>.rss`` (RSS 2.0),
``<stem>.atom`` (Atom 1.0), ``<stem>.json`` (JSON Feed 1.1); the same three per place
with articles (``places/<slug>.*``, read from the store's ``article_places`` index) and
per document cited by two articles or more (``documents/<slug>.*``); plus
``index.opml`` (the category feeds by sub-site, then the places and the documents as
two more groups; not ``all``), ``index.html`` and the files the page and the feeds use
in a browser (``feed.xsl``, ``style.css``, ``index.js``; ``places/feed.xsl`` and
``documents/feed.xsl`` link one level up).

Categories that vanished from the portal keep their feeds: the store remembers every
category ever seen, so they are still published (with their last articles), and no
feed is ever deleted by a publish (only the temporary files an interrupted publish left,
:func:`~danvan_crawler.feeds.files.sweep_temp_files`). Readers subscribed to them keep a
working feed that simply stops growing. Remove such files by hand if wanted. Publishes
of one folder take turns (:func:`~danvan_crawler.feeds.files.publish_lock`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from danvan_crawler.feeds.browser import asset_files, nested_feed_xsl, render_index
from danvan_crawler.feeds.files import publish_lock, sweep_temp_files, write_if_changed
from danvan_crawler.feeds.model import (
    DEFAULT_ID_AUTHORITY,
    Entry,
    Feed,
    entry_from_article,
    newest_first,
    parse_datetime,
    tag_uri,
)
from danvan_crawler.feeds.names import ALL_STEM, category_stems
from danvan_crawler.feeds.render import (
    FEED_XSL,
    FORMATS,
    render_atom,
    render_json,
    render_opml,
    render_rss,
)
from danvan_crawler.feeds.sanitize import plain_text, safe_url
from danvan_crawler.urls import site_key

logger = logging.getLogger(__name__)

#: Feed URLs when no public URL is configured: where ``danvan serve`` listens by default.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8080/"
#: The warning of every command that publishes without a public URL (argument: the URL
#: the self links use then).
NO_PUBLIC_URL_WARNING = "no public URL configured (DANVAN_PUBLIC_URL): self links use %s"
DEFAULT_LIMIT = 50
DEFAULT_TTL_MINUTES = 30
INDEX_OPML = "index.opml"
INDEX_HTML = "index.html"


class ArticleSource(Protocol):
    """What publishing needs from the store (``danvan_crawler.store``)."""

    def categories(self) -> list[dict[str, Any]]: ...

    def latest(self, category_url: str | None, limit: int) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class SiteOptions:
    """How the folder is published."""

    public_url: str = DEFAULT_PUBLIC_URL
    ttl_minutes: int = DEFAULT_TTL_MINUTES
    id_authority: str = DEFAULT_ID_AUTHORITY

    def __post_init__(self) -> None:
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"public URL must be an absolute http(s) URL: {self.public_url!r}")
        if self.ttl_minutes < 1:
            raise ValueError("ttl must be at least one minute")

    def url_of(self, filename: str) -> str:
        base = self.public_url if self.public_url.endswith("/") else self.public_url + "/"
        return base + filename


@dataclass
class PublishResult:
    """What a publish did."""

    out_dir: Path
    feeds: int = 0  # feeds published, ``all`` included (each in three formats)
    entries: int = 0  # entries over all feeds
    written: list[str] = field(default_factory=list)  # files created or changed
    unchanged: list[str] = field(default_factory=list)  # files left untouched
    swept: list[str] = field(default_factory=list)  # temporary files of a killed publish

    @property
    def files(self) -> int:
        return len(self.written) + len(self.unchanged)

    def describe(self, public_url: str | None = None) -> list[str]:
        """Lines for people (``danvan publish``, ``danvan demo``)."""
        where = f" at {public_url}" if public_url else ""
        return [
            f"published {self.feeds} feeds ({self.entries} entries) to {self.out_dir}/{where}: "
            f"{len(self.written)} files written, {len(self.unchanged)} unchanged",
            f"feeds index: {(self.out_dir / 'index.html').resolve()}",
        ]


def _site_home(urls: Sequence[str], fallback: str) -> str:
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    return fallback


def _join_names(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


#: A place or a document (a row of ``store.places()``/``store.documents()``, with its
#: ``slug``) and its newest articles.
Topic = tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]
PLACES_DIR = "places"
DOCUMENTS_DIR = "documents"
PLACES_GROUP = "Địa phương"
DOCUMENTS_GROUP = "Văn bản"


def _place_title(info: Mapping[str, Any]) -> str:
    name = str(info.get("name") or info.get("slug"))
    return name if info.get("current", True) else f"{name} (cũ)"


def _topic_feed(
    folder: str,
    info: Mapping[str, Any],
    articles: Sequence[Mapping[str, Any]],
    name: str,
    site_name: str,
    options: SiteOptions,
    entries_of: Callable[[Sequence[Mapping[str, Any]]], list[Entry]],
) -> Feed:
    """The feed of a place or a document: ``<folder>/<slug>``."""
    stem = f"{folder}/{info['slug']}"
    about = "nhắc tới" if folder == PLACES_DIR else "dẫn"
    return Feed(
        stem=stem,
        id=tag_uri(options.id_authority, f"feed/{stem}"),
        title=f"{name} – {site_name}",
        description=f"Các bài viết mới nhất {about} {name} trên trang {site_name}.",
        home_url=options.public_url,
        self_urls={kind: options.url_of(stem + ext) for kind, (ext, _) in FORMATS.items()},
        author=site_name,
        entries=entries_of(articles),
        sub_site=PLACES_GROUP if folder == PLACES_DIR else DOCUMENTS_GROUP,
        category_name=name,
    )


def build_site(
    categories: Sequence[Mapping[str, Any]],
    latest: Mapping[str | None, Sequence[Mapping[str, Any]]],
    options: SiteOptions | None = None,
    last_run: datetime | None = None,
    *,
    places: Sequence[Topic] = (),
    documents: Sequence[Topic] = (),
) -> dict[str, bytes]:
    """Every file of the feeds folder, by name.

    ``categories`` is ``store.categories()``; ``latest[url]`` the newest articles of the
    category at ``url`` and ``latest[None]`` those of all categories (``store.latest``).
    Articles marked ``duplicateOf`` are left out even if given. ``last_run`` (when the
    newest recorded run started) is the page's time of the last crawl; without it, the
    newest ``crawledAt`` of the articles given. ``places`` and ``documents``: the feeds
    of ``places/`` and ``documents/``, each a place of ``store.places()`` or a document
    of ``store.documents()`` with its newest articles.
    """
    options = options or SiteOptions()
    cache: dict[tuple[object, ...], Entry | None] = {}

    def entries_of(articles: Sequence[Mapping[str, Any]]) -> list[Entry]:
        prepared = []
        for article in articles:
            if article.get("duplicateOf"):
                continue
            key = (
                article.get("articleId"),
                article.get("canonicalUrl"),
                article.get("dateModified"),
                article.get("datePublished"),
            )
            if key not in cache:
                cache[key] = entry_from_article(article, options.id_authority)
            entry = cache[key]
            if entry is not None:
                prepared.append(entry)
        return newest_first(prepared)

    def self_urls(stem: str) -> dict[str, str]:
        return {kind: options.url_of(stem + ext) for kind, (ext, _) in FORMATS.items()}

    unique: dict[str, Mapping[str, Any]] = {}
    keys: set[str] = set()
    for category in categories:
        url = str(category.get("url") or "")
        if url and site_key(url) not in keys:  # one category per site path, any host
            keys.add(site_key(url))
            unique[url] = category
    stems = category_stems(unique.values())

    # the site's own texts (sub-site and category names) enter here, made plain text
    sub_sites = sorted({plain_text(c.get("subSite")) for c in unique.values()})
    sub_sites = [s for s in sub_sites if s]
    site_name = _join_names(sub_sites) or "Cổng thông tin"
    home = _site_home(list(unique), options.public_url)

    category_feeds: list[Feed] = []
    for url, category in unique.items():
        name = plain_text(category.get("name")) or stems[url]
        sub_site = plain_text(category.get("subSite"))
        where = sub_site or site_name
        category_feeds.append(
            Feed(
                stem=stems[url],
                id=tag_uri(options.id_authority, f"feed/{stems[url]}"),
                title=f"{name} – {where}",
                description=(f"Các bài viết mới nhất của chuyên mục “{name}” trên trang {where}."),
                home_url=safe_url(url) or home,
                self_urls=self_urls(stems[url]),
                author=where,
                entries=entries_of(latest.get(url, ())),
                sub_site=sub_site,
                category_name=name,
                category_url=url,
            )
        )
    all_feed = Feed(
        stem=ALL_STEM,
        id=tag_uri(options.id_authority, f"feed/{ALL_STEM}"),
        title=f"Tất cả chuyên mục – {site_name}",
        description=f"Các bài viết mới nhất của mọi chuyên mục trên trang {site_name}.",
        home_url=home,
        self_urls=self_urls(ALL_STEM),
        author=site_name,
        entries=entries_of(latest.get(None, ())),
        category_name="Tất cả chuyên mục",
    )

    place_feeds = [
        _topic_feed(PLACES_DIR, info, articles, _place_title(info), where, options, entries_of)
        for info, articles, where in ((i, a, site_name) for i, a in places)
    ]
    document_feeds = [
        _topic_feed(
            DOCUMENTS_DIR, info, articles, str(info.get("title")), site_name, options, entries_of
        )
        for info, articles in documents
    ]

    files: dict[str, bytes] = {}
    for folder, feeds in ((PLACES_DIR, place_feeds), (DOCUMENTS_DIR, document_feeds)):
        if feeds:  # the browser view of a sub-folder's feeds needs its own stylesheet
            files[f"{folder}/{FEED_XSL}"] = nested_feed_xsl()
    for feed in (all_feed, *category_feeds, *place_feeds, *document_feeds):
        files[feed.stem + FORMATS["rss"][0]] = render_rss(feed, options.ttl_minutes)
        files[feed.stem + FORMATS["atom"][0]] = render_atom(feed)
        files[feed.stem + FORMATS["json"][0]] = render_json(feed)
    title = f"Nguồn tin – {site_name}"
    groups = [(PLACES_GROUP, place_feeds), (DOCUMENTS_GROUP, document_feeds)]
    files[INDEX_OPML] = render_opml(title, category_feeds, [g for g in groups if g[1]])
    crawled = (parse_datetime(a.get("crawledAt")) for arts in latest.values() for a in arts)
    files[INDEX_HTML] = render_index(
        title,
        all_feed,
        category_feeds,
        opml_name=INDEX_OPML,
        public_url=options.url_of(""),
        site_name=site_name,
        last_crawl=last_run or max(filter(None, crawled), default=None),
        place_feeds=place_feeds,
        document_feeds=document_feeds,
    )
    files.update(asset_files())
    return files


def last_run_start(store: object) -> datetime | None:
    """When the newest run recorded in ``store`` started (None without runs)."""
    runs = getattr(store, "runs", None)
    recent = runs(limit=1) if callable(runs) else []
    return recent[0]["started_at"] if recent else None


def gather(
    store: ArticleSource, limit: int
) -> tuple[list[dict[str, Any]], dict[str | None, list[dict[str, Any]]]]:
    """The categories and the newest ``limit`` articles of each (and of all) from ``store``."""
    categories = store.categories()
    latest: dict[str | None, list[dict[str, Any]]] = {None: store.latest(None, limit)}
    for category in categories:
        url = category.get("url")
        if url and url not in latest:
            latest[url] = store.latest(url, limit)
    return categories, latest


def gather_topics(store: object, limit: int) -> tuple[list[Topic], list[Topic]]:
    """The places with articles and the documents cited by two articles at least, each
    with its newest ``limit`` articles (none for a store without those indexes)."""
    places: list[Topic] = []
    documents: list[Topic] = []
    if callable(getattr(store, "places", None)):
        places = [(p, store.latest_in_place(p["slug"], limit)) for p in store.places()]  # type: ignore[attr-defined]
    if callable(getattr(store, "documents", None)):
        documents = [(d, store.latest_citing(d["slug"], limit)) for d in store.documents()]  # type: ignore[attr-defined]
    return places, documents


def publish(
    store: ArticleSource,
    out_dir: str | Path,
    public_url: str | None = None,
    limit: int = DEFAULT_LIMIT,
    *,
    ttl_minutes: int = DEFAULT_TTL_MINUTES,
    id_authority: str = DEFAULT_ID_AUTHORITY,
) -> PublishResult:
    """Publish every feed of ``store`` into ``out_dir`` (created if missing).

    ``public_url`` is where ``out_dir`` is served (self links); None means
    :data:`DEFAULT_PUBLIC_URL`. Raises ValueError for a bad ``public_url`` or ``limit``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    options = SiteOptions(
        public_url=public_url or DEFAULT_PUBLIC_URL,
        ttl_minutes=ttl_minutes,
        id_authority=id_authority,
    )
    categories, latest = gather(store, limit)
    places, documents = gather_topics(store, limit)
    files = build_site(
        categories,
        latest,
        options,
        last_run=last_run_start(store),
        places=places,
        documents=documents,
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = PublishResult(out_dir=out)
    result.feeds = sum(1 for name in files if name.endswith(FORMATS["rss"][0]))
    result.entries = sum(
        1
        for articles in (*latest.values(), *(a for _, a in places), *(a for _, a in documents))
        for a in articles
        if not a.get("duplicateOf")
    )
    with publish_lock(out):
        result.swept = sweep_temp_files(out)
        for folder in (PLACES_DIR, DOCUMENTS_DIR):
            if (out / folder).is_dir():
                result.swept += [f"{folder}/{n}" for n in sweep_temp_files(out / folder)]
        for name in sorted(files):
            (out / name).parent.mkdir(exist_ok=True)
            if write_if_changed(out / name, files[name]):
                result.written.append(name)
            else:
                result.unchanged.append(name)
    logger.info(
        "published %d feeds to %s: %d files written, %d unchanged",
        result.feeds,
        out,
        len(result.written),
        len(result.unchanged),
    )
    return result
