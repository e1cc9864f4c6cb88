"""The PostgreSQL index: a ``tsvector`` an article (headline, lead, body weighted A, B,
C) under the text search configuration ``danvan_fold`` (``simple`` behind ``unaccent``),
ranked by ``ts_rank_cd``, snippets by ``ts_headline``; without ``unaccent`` the texts
are folded here and marked in Python."""

from __future__ import annotations

import json
import logging
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from danvan_crawler.store.search.marking import (
    MARK_END,
    MARK_START,
    SNIPPET_TOKENS,
    Hit,
    field_text,
    snippet,
    title,
)
from danvan_crawler.store.search.query import FIELDS, Query, words_of
from danvan_crawler.vietnamese import search_fold

logger = logging.getLogger(__name__)

#: The store_meta key saying how the PostgreSQL index was built: ``unaccent`` (the
#: configuration folds) or ``folded`` (no unaccent: the texts are folded here first).
PG_MODE_KEY = "search_pg_mode"
#: The PostgreSQL text search configuration.
PG_CONFIG = "danvan_fold"
#: ``ts_rank_cd``'s weights of D (unused), C (body), B (lead), A (headline): the
#: proportions of SQLite's bm25 column weights.
RANK_WEIGHTS = "{0.1, 0.1, 0.5, 1.0}"
#: ``ts_rank_cd``'s normalization: divided by 1 + log(length), so that the same count in
#: a short article counts more than in a long one (PostgreSQL has no IDF).
RANK_NORMALIZATION = 1


def _unaccent_schema(conn: Connection) -> str | None:
    """The schema of the ``unaccent`` extension, created (in ``public``: dropping a
    site's schema must not drop it) when missing; None when it cannot be."""
    installed = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
            " ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
    ).scalar()
    if installed is not None:
        return str(installed)
    try:
        with conn.begin_nested():
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
    except DBAPIError as exc:  # not installed on the server, or no right to
        logger.warning(
            "PostgreSQL extension unaccent unavailable (%s): the search index holds "
            "the texts folded by danvan-crawler instead",
            str(exc.orig).strip().splitlines()[0],
        )
        return None
    return "public"


def create(conn: Connection) -> None:
    """The configuration (behind ``unaccent`` when there is one) and the table, in the
    current schema; ``store_meta`` says which."""
    installed = _unaccent_schema(conn)
    _set_meta(conn, PG_MODE_KEY, "unaccent" if installed else "folded")
    exists = conn.execute(
        text(
            "SELECT 1 FROM pg_ts_config WHERE cfgname = :name"
            " AND cfgnamespace = current_schema()::regnamespace"
        ),
        {"name": PG_CONFIG},
    ).scalar()
    if not exists:
        conn.execute(text(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = simple)"))
    if not exists and installed:
        conn.execute(
            text(
                f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR"
                f' hword, hword_part, word WITH "{installed}".unaccent, simple'
            )
        )
    conn.execute(
        text(
            "CREATE TABLE IF NOT EXISTS article_search ("
            " article_id VARCHAR(32) PRIMARY KEY REFERENCES articles (article_id),"
            " document tsvector NOT NULL)"
        )
    )
    conn.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_article_search_document"
            " ON article_search USING gin (document)"
        )
    )


def _set_meta(conn: Connection, key: str, value: str) -> None:
    conn.execute(
        text(
            "INSERT INTO store_meta (key, value) VALUES (:k, :v)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        ),
        {"k": key, "v": value},
    )


def _pg_folded(conn: Connection) -> bool:
    """True when the PostgreSQL index holds our folded texts (no ``unaccent``)."""
    mode = conn.execute(
        text("SELECT value FROM store_meta WHERE key = :k"), {"k": PG_MODE_KEY}
    ).scalar()
    return mode == "folded"


def _pg_config(conn: Connection) -> str:
    """The configuration, schema-qualified (the site's schema is the current one)."""
    return f"{conn.execute(text('SELECT current_schema()')).scalar()}.{PG_CONFIG}"


def index_article(conn: Connection, article_id: str, data: Mapping[str, Any]) -> None:
    # the words only, one space apart: PostgreSQL's parser would read "25-nq/tw" as a
    # hyphenated word and a file path, which the phrase '25' <-> 'nq' <-> 'tw' misses
    fold = search_fold if _pg_folded(conn) else _nfc
    headline, lead, body = (" ".join(words_of(fold(field_text(data.get(n))))) for n in FIELDS)
    conn.execute(
        text(
            "INSERT INTO article_search (article_id, document) VALUES (:aid,"
            " setweight(to_tsvector(CAST(:cfg AS regconfig), :h), 'A')"
            " || setweight(to_tsvector(CAST(:cfg AS regconfig), :l), 'B')"
            " || setweight(to_tsvector(CAST(:cfg AS regconfig), :b), 'C'))"
            " ON CONFLICT (article_id) DO UPDATE SET document = excluded.document"
        ),
        {"aid": article_id, "cfg": _pg_config(conn), "h": headline, "l": lead, "b": body},
    )


# -- reading ---------------------------------------------------------------------------


def _category_clause(category: str | None, params: dict[str, Any], column: str) -> str:
    if not category:
        return ""
    params["cat"] = category
    return (
        f" AND {column} IN (SELECT ac.article_id FROM article_categories ac"
        " JOIN categories c ON c.category_id = ac.category_id"
        " WHERE c.slug = :cat OR c.url = :cat OR c.url_key = :cat OR c.name = :cat)"
    )


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def _since(since: datetime | None) -> datetime | None:
    if since is None or since.tzinfo is None:
        return since
    return since.astimezone(UTC).replace(tzinfo=None)


def search(
    conn: Connection,
    parsed: Query,
    since: datetime | None,
    category: str | None,
    limit: int,
    order: str,
) -> Iterator[Hit]:
    config = _pg_config(conn)
    params: dict[str, Any] = {"q": parsed.tsquery(), "cfg": config, "limit": limit}
    where = " AND a.duplicate_of IS NULL"
    if since is not None:
        where += " AND a.date_published >= :since"
        params["since"] = _since(since)
    where += _category_clause(category, params, "a.article_id")
    ordering = (
        "rank DESC, a.article_num DESC, a.article_id DESC"
        if order == "rank"
        else "a.date_published DESC NULLS LAST, a.article_num DESC, a.article_id DESC"
    )
    options = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_TOKENS},'
        f' MinWords={SNIPPET_TOKENS // 2}, MaxFragments=1, FragmentDelimiter="…"'
    )
    params["opts"] = options
    params["hopts"] = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
    folded = _pg_folded(conn)
    if folded:  # ts_headline would mark the folded text: marked here (mark_text) instead
        headlines = "'', ''"
    else:
        headlines = (
            "ts_headline(CAST(:cfg AS regconfig), coalesce(CAST(a.data AS json)->>'articleBody',"
            " ''), q.query, :opts),"
            " ts_headline(CAST(:cfg AS regconfig), coalesce(CAST(a.data AS json)->>'headline',"
            " ''), q.query, :hopts)"
        )
    sql = (
        "WITH q AS (SELECT to_tsquery(CAST(:cfg AS regconfig), :q) AS query),"
        " found AS (SELECT a.article_id, a.data, a.article_num, a.date_published,"
        f" ts_rank_cd('{RANK_WEIGHTS}', s.document, q.query, {RANK_NORMALIZATION}) AS rank"
        " FROM article_search s CROSS JOIN q JOIN articles a ON a.article_id = s.article_id"
        f" WHERE s.document @@ q.query{where}"
        f" ORDER BY {ordering} LIMIT :limit)"
        f" SELECT a.data, a.rank, {headlines}"
        f" FROM found a CROSS JOIN q ORDER BY {ordering}"
    )
    for data, rank, snip, marked_title in conn.execute(text(sql), params):
        record = json.loads(data)
        if folded:
            snip, marked_title = snippet(record, parsed), title(record, parsed)
        # rank: higher is better in PostgreSQL; negated so that lower is better everywhere
        yield Hit(record, -float(rank), snip or "", marked_title or "")
