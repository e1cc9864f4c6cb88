"""Full-text search over the stored articles, tone-mark and case insensitive.

What is searched is :func:`~danvan_crawler.vietnamese.search_fold` of the headline, the
lead (``description``) and the body (``articleBody``): ``dan van kheo``, ``Dân vận khéo``
and ``DÂN VẬN KHÉO`` are one query, ``Tỉnh uỷ`` and ``Tỉnh ủy`` one word.

One module a job:

- :mod:`.query`: what a query means (:func:`parse_query`: the words typed are one
  phrase, in order and adjacent; a comma or quotes separate phrases that must all be
  there, ``word*`` is a prefix, ``-phrase`` must not be there; never FTS syntax, so a
  query is never a database error; no word to look for raises :class:`QueryError`, a
  400 for the web server), and the words and pair tokens the indexes hold.
- :mod:`.sqlite`: a contentless FTS5 table ``article_search`` of each field's folded
  words, then their *pair tokens* (each word joined to the next, ``dan+van
  van+kheo``): the syllables people type (``dân``, ``vận``, ``số``) are each in a large
  share of the articles, so a phrase of n words is looked up as the phrase of its
  n - 1 pairs, whose doclists are short. Written by the store's upsert in its
  transaction (:func:`index_article`); read in two steps, the best rowids from the
  index alone, then the articles shown.
- :mod:`.ranking`: bm25 with the headline above the lead above the body, each phrase's
  IDF and term frequency from its rarest pair token (FTS5's own bm25 on a rewrite of
  the query), over the :data:`~.ranking.RANK_WINDOW` matches stored last.
- :mod:`.postgres`: a ``tsvector`` an article (headline, lead, body weighted A, B, C)
  under the configuration ``danvan_fold`` (``simple`` behind ``unaccent``), ranked by
  ``ts_rank_cd`` normalised by length, snippets by ``ts_headline``.
- :mod:`.marking`: snippets and highlighted titles, marked in Python on the printed
  text of the articles shown (:func:`mark_text`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from danvan_crawler.store.search import postgres, sqlite
from danvan_crawler.store.search.marking import (
    MARK_END,
    MARK_START,
    Hit,
    mark_html,
    mark_plain,
    mark_text,
)
from danvan_crawler.store.search.query import (
    PAIR_JOIN,
    Query,
    QueryError,
    Term,
    pairs_of,
    parse_query,
    words_of,
)
from danvan_crawler.store.search.ranking import RANK_WINDOW, rank_rowids

__all__ = [
    "MARK_END",
    "MARK_START",
    "PAIR_JOIN",
    "RANK_WINDOW",
    "Hit",
    "Query",
    "QueryError",
    "Term",
    "check_sqlite",
    "index_article",
    "install",
    "mark_html",
    "mark_plain",
    "mark_text",
    "pairs_of",
    "parse_query",
    "rank_rowids",
    "rebuild",
    "search",
    "words_of",
]


def install(conn: Connection, *, fill: bool = True) -> None:
    """Create the search index (SQLite or PostgreSQL) and, with ``fill``, index every
    stored article (schema migration; a new store has none)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        sqlite.create(conn)
    elif dialect == "postgresql":
        postgres.create(conn)
    else:  # pragma: no cover - the store supports these two
        return
    if fill:
        rebuild(conn)


def check_sqlite(conn: Connection) -> None:
    """Rebuild the SQLite index when it was built with another fold or tables (on
    open)."""
    if not sqlite.current(conn):
        install(conn, fill=True)


def rebuild(conn: Connection) -> int:
    """Index every stored article again (from nothing); how many were indexed."""
    if conn.dialect.name == "sqlite":
        sqlite.clear(conn)
    else:
        conn.execute(text("DELETE FROM article_search"))
    count = 0
    rows = conn.execute(text("SELECT article_id, data FROM articles ORDER BY article_id"))
    batch: list[tuple[str, dict[str, Any]]] = []
    for article_id, data in rows.all():
        batch.append((article_id, json.loads(data)))
        if len(batch) >= 1000:
            count += _index_many(conn, batch)
            batch = []
    count += _index_many(conn, batch)
    if conn.dialect.name == "sqlite":
        sqlite.optimize(conn)
    return count


def _index_many(conn: Connection, batch: Sequence[tuple[str, dict[str, Any]]]) -> int:
    for article_id, data in batch:
        index_article(conn, article_id, data, None, new=True)
    return len(batch)


def index_article(
    conn: Connection,
    article_id: str,
    data: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    *,
    new: bool,
) -> None:
    """Index ``data``, the record stored for ``article_id``; ``old`` is the record it
    replaced (None when ``new``). Called by the store's upsert, in its transaction."""
    if conn.dialect.name == "sqlite":
        sqlite.index_article(conn, article_id, data, old, new=new)
    elif conn.dialect.name == "postgresql":
        postgres.index_article(conn, article_id, data)


def search(
    store: Any,
    query: str | Query,
    *,
    since: datetime | None = None,
    category: str | None = None,
    limit: int = 20,
    order: str = "rank",
) -> list[Hit]:
    """The articles matching ``query`` (duplicates left out), best first (``order``
    ``"rank"``) or newest first (``"date"``; ties by id), at most ``limit``.
    ``since``: published at or after; ``category``: a category's slug, URL or name."""
    parsed = query if isinstance(query, Query) else parse_query(query)
    if order not in ("rank", "date"):
        raise ValueError(f"unknown order {order!r}")
    if limit < 1:
        raise ValueError("limit must be at least 1")
    with store.engine.connect() as conn, conn.begin():
        backend = postgres if conn.dialect.name == "postgresql" else sqlite
        return list(backend.search(conn, parsed, since, category, limit, order))
