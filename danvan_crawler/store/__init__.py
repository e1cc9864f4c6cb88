"""The article store: SQLAlchemy Core, SQLite by default, PostgreSQL-ready by URL.

Opening::

    from danvan_crawler.store import open_store, Store
    store = open_store("danvan.db")          # a path, or a URL: sqlite:///x.db, postgresql://...

A plain path (``str`` or ``os.PathLike``) is a SQLite file, created with its folder when
missing. The crawler reads it from the setting ``DANVAN_DB`` (default ``danvan.db`` in
the working folder); commands take ``--db``. Opening applies pending schema migrations
(table ``schema_version``, ordered functions in :mod:`danvan_crawler.store.schema`) in
one transaction; a database newer than the code raises :class:`StoreError`.

SQLite runs in WAL mode with ``synchronous=NORMAL`` and ``busy_timeout``; every public
writing method is ONE transaction (``BEGIN IMMEDIATE``), so a crash (SIGKILL included)
leaves the state of the last committed call. The only dialect-specific code is the
upsert (``INSERT ... ON CONFLICT``) switch in ``StoreBase._insert`` (base.py).

Articles (output-schema mappings, dicts or items; the article id is the identity):

- ``upsert(articles, *, detect_duplicates=True) -> list[Change]``: one transaction for
  the batch. ``Change(article_id, kind, revision, duplicate_of, record, claimed)``
  (``claimed``: stored copies this original just re-marked), ``kind``:
  ``new``; ``updated`` (content changed: revision + 1, the page's ``dateModified``
  kept, categories merged); ``unchanged`` (same content; URL and categories recorded,
  ``last_seen`` moves); ``merged`` (same content, new categories). ``record`` is the
  stored output-schema dict. Content = every field except url, canonicalUrl,
  categories, crawledAt, duplicateOf, change. Near duplicates (>= threshold similar,
  :mod:`danvan_crawler.similarity`): the oldest of a cluster (datePublished, then
  numeric id) is the original, the others get ``duplicateOf`` = its id; an original
  stored after its copies re-marks them. ``detect_duplicates=False`` keeps the
  ``duplicateOf`` the article carries and searches nothing (sketches are still stored).
- ``find_original(article) -> str | None``: the duplicate decision without writing.
- ``Store.content_hash(article) -> str``: the module's ``content_hash`` of an article,
  remembered for its next upsert, which reuses it when the record still has the same
  values (the dedupe pipeline's hash serves the store).
- ``get(article_id) -> dict | None``; ``record(article_id)``: bookkeeping (revision,
  content_hash, duplicate_of, first_seen, last_seen, changed_at, urls).
- ``latest(category_url=None, limit=50)``: newest first by datePublished (ties: id
  desc), duplicates excluded; ``None`` = all categories.
- ``export(since=None) -> Iterator[dict]``: all articles (duplicates included, with
  ``duplicateOf``), or those new/updated/merged at or after ``since``.
- ``categories() -> list[{url, slug, name, subSite}]``: every category ever seen.
- ``places(min_articles=1)``, ``latest_in_place(slug, limit=50)``; ``documents(min_articles=2)``,
  ``latest_citing(slug, limit=50)``: the place and document feeds, read from the
  ``article_places`` / ``article_documents`` indexes the upsert keeps
  (:mod:`danvan_crawler.store.places`); copies left out.
- ``merge_categories(article_id, categories) -> bool``; ``count(include_duplicates=True)``.

Incremental crawling state:

- ``known_ids(ids=None) -> set[str]``: stored ids (all, or those among ``ids``);
- ``article_id_for_url(url) -> str | None``: every URL an article was stored under;
- ``get_validators(url) -> {etag, last_modified} | None``;
  ``set_validators(url, etag, last_modified)``;
- ``listing_signatures(ids) -> {id: signature}``;
  ``set_listing_signatures({id: signature})``: write a signature only AFTER its
  article is stored (a signature without an article would hide it forever);
  ``listing_state(ids) -> (known ids, {id: signature})`` in one read;
- ``crawl_state(key) -> str | None``; ``set_crawl_state(key, value)``,
  ``set_crawl_states({key: value})``: the crawl's own state rows (table
  ``crawl_state``; None unsets), e.g. which categories were walked to the end.

The change log (every ``new``/``updated`` change, logged in the upsert's transaction;
:mod:`danvan_crawler.stream` writes the JSON Lines of runs from it):

- ``last_change() -> int``; ``changes_between(after, upto) -> Iterator[(record,
  revision, change)]`` (one per article, coalesced, in order of first change);
- ``open_change_cursor(consumer)`` / ``change_cursor(consumer) -> ChangeCursor``;
  ``set_change_cursor(consumer, seq, pending_seq=, pending_file=)`` (drops the changes
  every consumer has); ``prune_changes(before)``;
- ``export_changes(since=None) -> Iterator[(record, revision, change)]``: ``export``
  with ``change`` relative to ``since`` (``new``, ``updated``, ``merged``);
- ``store_id()``: random, given at creation (workers tell one store from another).

Categories are one per site path (scheme, host and port left out: ``urls.site_key``):
a category seen under another host is the same one, its URL the latest seen.

Runs: ``start_run() -> run_id``, ``finish_run(run_id, status, summary)``,
``runs(limit=20)`` (newest first, times aware UTC).
``contents()``: articles, duplicates and published dates in all, per category and per
sub-site (what ``danvan stats`` prints). ``exclusive(name)``: a named lock among the
processes sharing the store, never waited for (yields whether it is held; e.g. one
publisher of a PostgreSQL store at a time).
"""

import os

from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, DEFAULT_THRESHOLD
from danvan_crawler.store import core
from danvan_crawler.store.changes import ChangeCursor
from danvan_crawler.store.core import (
    DEFAULT_DB,
    Change,
    ChangeKind,
    Store,
    StoreError,
    content_hash,
    merge_categories,
)
from danvan_crawler.store.health import StoreProblem, check_file
from danvan_crawler.store.schema import SCHEMA_VERSION


def open_store(
    url_or_path: str | os.PathLike[str] = DEFAULT_DB,
    *,
    duplicate_threshold: float = DEFAULT_THRESHOLD,
    duplicate_min_tokens: int = DEFAULT_MIN_TOKENS,
) -> Store:
    """Open (create and migrate when needed) the store at a path or database URL; a file
    there that is not a danvan store raises :class:`StoreProblem` before anything is
    written to it (migrating another program's database would damage it)."""
    check_file(url_or_path)
    return core.open_store(
        url_or_path,
        duplicate_threshold=duplicate_threshold,
        duplicate_min_tokens=duplicate_min_tokens,
    )


__all__ = [
    "DEFAULT_DB",
    "SCHEMA_VERSION",
    "Change",
    "ChangeCursor",
    "ChangeKind",
    "Store",
    "StoreError",
    "StoreProblem",
    "content_hash",
    "merge_categories",
    "open_store",
]
