"""The SQLite index: a contentless FTS5 table of each field's folded words and their
pair tokens, written by the store's upsert (:func:`index_article`), read in two steps
(:func:`search`: the best rowids from the index alone, then the articles shown)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, text

from danvan_crawler.store.search import ranking
from danvan_crawler.store.search.marking import Hit, field_text, snippet, title
from danvan_crawler.store.search.query import FIELDS, Query, folded_words, pairs_of

logger = logging.getLogger(__name__)

#: The store_meta key holding the version of the SQLite index (its tables and the fold
#: it holds); another value (a changed :func:`search_fold` or table) rebuilds it on open.
FOLD_VERSION_KEY = "search_fold_version"
FOLD_VERSION = "3"
#: Each token's count of articles (a phrase's IDF in the rank: ``ranking.py``).
VOCAB_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search_vocab USING fts5vocab(article_search, row)"
)


def index_values(data: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The six values of an index row: the words of the folded headline, lead and body,
    then their pair tokens."""
    if data is None:
        return ("",) * 6
    words = [folded_words(field_text(data.get(name))) for name in FIELDS]
    return (*(" ".join(w) for w in words), *(" ".join(pairs_of(w)) for w in words))


DDL = (
    # published (naive UTC, ISO) and num (the id's number): the date order of results
    # read here, without reading the articles' rows (their JSON) for every match
    "CREATE TABLE IF NOT EXISTS article_search_keys ("
    " search_rowid INTEGER PRIMARY KEY,"
    " article_id VARCHAR(32) NOT NULL UNIQUE,"
    " published VARCHAR(32), num BIGINT NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS ix_article_search_keys_published"
    " ON article_search_keys (published, num)",
    # contentless: the index only (words, then pair tokens, of each field); snippets
    # are marked in Python on the printed text (mark_text)
    "CREATE VIRTUAL TABLE IF NOT EXISTS article_search USING fts5("
    "headline, lead, body, headline_pairs, lead_pairs, body_pairs, content='',"
    " tokenize='unicode61 remove_diacritics 2')",
    VOCAB_DDL,
)


def create(conn: Connection) -> None:
    """The index's tables, stamped with :data:`FOLD_VERSION`."""
    for statement in DDL:
        conn.exec_driver_sql(statement)
    conn.execute(
        text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:k, :v)"),
        {"k": FOLD_VERSION_KEY, "v": FOLD_VERSION},
    )


def clear(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO article_search (article_search) VALUES ('delete-all')")
    conn.exec_driver_sql("DELETE FROM article_search_keys")


def optimize(conn: Connection) -> None:
    # one segment instead of the many bulk writes leave: queries read one b-tree
    conn.exec_driver_sql("INSERT INTO article_search (article_search) VALUES ('optimize')")


def current(conn: Connection) -> bool:
    """Whether the index was built with this fold and these tables (on open); if not,
    it is dropped (:func:`~danvan_crawler.store.search.check_sqlite` rebuilds it)."""
    found = conn.execute(
        text("SELECT value FROM store_meta WHERE key = :k"), {"k": FOLD_VERSION_KEY}
    ).scalar()
    if found == FOLD_VERSION:
        conn.exec_driver_sql(VOCAB_DDL)  # an index of before the vocabulary table
        return True
    logger.info("Rebuilding the search index (its fold or tables changed)")
    for statement in (
        "DROP TABLE IF EXISTS article_search_vocab",
        "DROP TABLE IF EXISTS article_search",
        "DROP VIEW IF EXISTS article_search_text",  # the content of version 2
        "DROP TABLE IF EXISTS article_search_keys",
    ):
        conn.exec_driver_sql(statement)
    return False


def index_article(
    conn: Connection,
    article_id: str,
    data: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    *,
    new: bool,
) -> None:
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        rowid = None
        if not new:
            found = cursor.execute(
                "SELECT search_rowid FROM article_search_keys WHERE article_id = ?",
                (article_id,),
            ).fetchone()
            rowid = found[0] if found else None
            if rowid is not None:
                cursor.execute(
                    "INSERT INTO article_search (article_search, rowid, headline, lead, body,"
                    " headline_pairs, lead_pairs, body_pairs)"
                    " VALUES ('delete', ?, ?, ?, ?, ?, ?, ?)",
                    (rowid, *index_values(old)),
                )
        published, num = _published(data), _num(article_id)
        if rowid is None:
            cursor.execute(
                "INSERT INTO article_search_keys (article_id, published, num) VALUES (?, ?, ?)",
                (article_id, published, num),
            )
            rowid = cursor.lastrowid
        else:
            cursor.execute(
                "UPDATE article_search_keys SET published = ?, num = ? WHERE search_rowid = ?",
                (published, num, rowid),
            )
        cursor.execute(
            "INSERT INTO article_search (rowid, headline, lead, body, headline_pairs,"
            " lead_pairs, body_pairs) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rowid, *index_values(data)),
        )
    finally:
        cursor.close()


def _utc_text(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ")


def _published(data: Mapping[str, Any]) -> str | None:
    """``datePublished`` as naive UTC ISO text (the order of the keys' column)."""
    value = data.get("datePublished")
    if not isinstance(value, str) or not value:
        return None
    try:
        return _utc_text(datetime.fromisoformat(value))
    except ValueError:
        return None


def _num(article_id: str) -> int:
    digits = re.findall(r"\d+", article_id)
    return int(digits[-1]) if digits else 0


def search(
    conn: Connection,
    parsed: Query,
    since: datetime | None,
    category: str | None,
    limit: int,
    order: str,
) -> Iterator[Hit]:
    """In two steps, so that only the articles shown are read: the best (or newest)
    matching rowids from the index alone (``since`` applied there), over-fetched; then
    the copies and other categories dropped, asking for more when too few are left;
    then the records, snippets and highlights of those."""
    raw = conn.connection.driver_connection
    assert raw is not None  # an open connection has its driver's
    match = parsed.fts5()
    since_text = _utc_text(since) if since is not None else None
    window: list[tuple[int, float]] | None = None
    window_full = False
    join = " JOIN article_search_keys k ON k.search_rowid = f.rowid" if since_text else ""
    since_sql = " AND k.published >= ?" if since_text else ""
    since_params = [since_text] if since_text else []
    if order == "rank":
        # ranked among the RANK_WINDOW matches stored last (one backward walk of the
        # doclists, which stops there), widened to every match when filters leave too few
        window = ranking.rank_rowids(
            raw, parsed, ranking.RANK_WINDOW, join, since_sql, since_params
        )
        window_full = len(window) >= ranking.RANK_WINDOW
    newest = (
        "SELECT k.search_rowid, 0.0 FROM article_search_keys k WHERE k.search_rowid IN"
        " (SELECT rowid FROM article_search WHERE article_search MATCH ?)"
        + (" AND k.published >= ?" if since_text else "")
        + " ORDER BY k.published DESC, k.num DESC, k.search_rowid DESC LIMIT ?"
    )
    keep_sql = (
        "SELECT k.search_rowid, a.data FROM article_search_keys k"
        " JOIN articles a ON a.article_id = k.article_id"
        " WHERE k.search_rowid IN ({}) AND a.duplicate_of IS NULL"
    )
    if category:
        keep_sql += (
            " AND a.article_id IN (SELECT ac.article_id FROM article_categories ac"
            " JOIN categories c ON c.category_id = ac.category_id"
            " WHERE c.slug = ? OR c.url = ? OR c.url_key = ? OR c.name = ?)"
        )
    wanted = limit * 2 + 8
    chosen: list[tuple[int, str]] = []
    while True:
        if window is not None:
            ranks = dict(window[:wanted])
        else:
            ranks = dict(raw.execute(newest, [match, *since_params, wanted]).fetchall())
        rowids = list(ranks)
        records: dict[int, str] = {}
        for start in range(0, len(rowids), 500):
            part = rowids[start : start + 500]
            sql = keep_sql.format(", ".join("?" * len(part)))
            extra = [category] * 4 if category else []
            records.update(raw.execute(sql, [*part, *extra]).fetchall())
        chosen = [(r, records[r]) for r in rowids if r in records][:limit]
        if len(chosen) >= limit:
            break
        if len(rowids) < wanted:
            if window is None or not window_full:
                break
            # the window held too few: rank every match
            window = ranking.rank_rowids(raw, parsed, None, join, since_sql, since_params)
            window_full = False
        else:
            wanted *= 4
    if not chosen:
        return
    for rowid, data in chosen:
        record = json.loads(data)
        yield Hit(record, float(ranks[rowid]), snippet(record, parsed), title(record, parsed))
