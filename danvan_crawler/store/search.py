"""Full-text search over the stored articles, tone-mark and case insensitive.

What is searched is :func:`~danvan_crawler.vietnamese.search_fold` of the headline, the
lead (``description``) and the body (``articleBody``): ``dan van kheo``, ``Dân vận khéo``
and ``DÂN VẬN KHÉO`` are one query, ``Tỉnh uỷ`` and ``Tỉnh ủy`` one word.

SQLite: a contentless FTS5 table ``article_search`` (the index only) with six columns:
the words of the folded headline, lead and body, then their *pair tokens* (each word
joined to the next, ``dan+van van+kheo``). Vietnamese writes a word as syllables, and
the syllables people type (``dân``, ``vận``, ``số``, ``mới``) are each in a large share of
the articles; a phrase of n words is looked up as the phrase of its n - 1 pairs, whose
doclists are short, and finds the same articles. One word is looked up in the word
columns. FTS5 rowids come from ``article_search_keys`` (an INTEGER PRIMARY KEY: ``VACUUM``
keeps it, unlike the implicit rowid of ``articles``). The index is written by the store's
upsert in its transaction (:func:`index_article`): a new article is added; an updated
one has its old values deleted (recomputed from the row it replaces, as a contentless
table requires) and its new ones added. Ranking (:func:`rank_rowids`): a phrase in
the headline first, then in the lead, then the newest. Snippets and highlighted titles
are marked in Python (:func:`mark_text`) on the printed text of the articles shown.

PostgreSQL: a table ``article_search`` (article id, ``tsvector``; GIN index) written in
the same places, with the text search configuration ``danvan_fold`` (``simple`` behind
the ``unaccent`` dictionary, which folds Vietnamese marks and ``đ``); ``ts_rank_cd`` for
the rank and ``ts_headline`` for the snippet, over the printed text.

Queries (:func:`parse_query`) are a few words, never FTS syntax: the words typed are
one phrase (in order, adjacent; any spaces or punctuation between them), a comma or
quotes (``"a phrase"``, ``“a phrase”``) separate phrases that must all be there,
``word*`` is a prefix, ``-phrase`` must not be there. Every other character separates
words, so a query cannot be an FTS syntax error; a query with no word to look for raises
:class:`QueryError` (a 400 for the web server).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from itertools import islice, pairwise
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from danvan_crawler.vietnamese import search_fold, search_fold_sources

logger = logging.getLogger(__name__)

__all__ = [
    "MARK_END",
    "MARK_START",
    "Hit",
    "Query",
    "QueryError",
    "index_article",
    "install",
    "mark_html",
    "parse_query",
    "search",
]

#: Where a snippet's match starts and ends (private-use characters, removed from the
#: stored text before it is shown, so no text can forge one).
MARK_START = "\ue000"
MARK_END = "\ue001"
#: What a phrase in the headline, in the lead weighs in the rank (the body: 0; see
#: :func:`rank_rowids`).
HEADLINE_WEIGHT = 10.0
LEAD_WEIGHT = 5.0
#: A query matching more articles than this ranks the ones stored last (see
#: :func:`_search_sqlite`): ranking costs per match.
RANK_WINDOW = 1000
#: Tokens around a match in a snippet.
SNIPPET_TOKENS = 32
#: The store_meta key holding the version of the SQLite index (its tables and the fold
#: it holds); another value (a changed :func:`search_fold` or table) rebuilds it on open.
FOLD_VERSION_KEY = "search_fold_version"
FOLD_VERSION = "3"
#: The store_meta key saying how the PostgreSQL index was built: ``unaccent`` (the
#: configuration folds) or ``folded`` (no unaccent: the texts are folded here first).
PG_MODE_KEY = "search_pg_mode"
#: The PostgreSQL text search configuration.
PG_CONFIG = "danvan_fold"

_FIELDS = ("headline", "description", "articleBody")
#: A word: letters and digits (what FTS5's unicode61 tokenizer keeps; ``_`` separates).
_WORD_RE = re.compile(r"[^\W_]+")
#: Joins the two words of a pair token (private use: a token character for unicode61,
#: removed from the text before it is indexed, so no text forges a pair).
PAIR_JOIN = "\ue002"
#: Typographic quotes (what phones type) delimit a phrase too.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»", '"'))
_SEGMENT_RE = re.compile(r'"([^"]*)"?|([^",]+)')
#: ``-`` after a space (or at the start) starts a negated phrase; inside a word
#: (``25-NQ/TW``) it separates words.
_NEGATION_RE = re.compile(r"(?:^|\s)-(?=[^\s-])")
_NONSPACE_RE = re.compile(r"\S+")
_DASH_END_RE = re.compile(r"(?:^|\s)-\s*$")


class QueryError(ValueError):
    """A query with nothing to search for."""


def words_of(folded: str) -> list[str]:
    """The words of a folded text, as the index holds them."""
    return _WORD_RE.findall(folded)


def pairs_of(words: Sequence[str]) -> list[str]:
    """Adjacent words as pair tokens: ``dan van kheo`` -> ``dan+van``, ``van+kheo``."""
    return [a + PAIR_JOIN + b for a, b in pairwise(words)]


@dataclass(frozen=True)
class Term:
    """Words that must follow one another, adjacent and in order (one word, or a
    phrase)."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word is a prefix
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: every positive term must match, no negated one."""

    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """The FTS5 MATCH expression over the SQLite index: a one-word term in the word
        columns; a phrase of n words as the phrase of its n - 1 pair tokens in the pair
        columns (the same articles, read from doclists far shorter than a common
        syllable's)."""

        def one(term: Term) -> str:
            star = "*" if term.prefix else ""
            if len(term.words) == 1:
                return '{headline lead body} : "' + term.words[0] + '"' + star
            pairs = " ".join(pairs_of(term.words))
            return '{headline_pairs lead_pairs body_pairs} : "' + pairs + '"' + star

        positive = " AND ".join(f"({one(t)})" for t in self.terms if not t.negated)
        negative = "".join(f" NOT ({one(t)})" for t in self.terms if t.negated)
        return positive + negative

    def fts5_any(self, column: str) -> str:
        """Any positive phrase of the query in ``column`` (``headline``, ``lead`` or
        ``body``: its words or pairs column), as an FTS5 MATCH expression."""

        def one(term: Term) -> str:
            star = "*" if term.prefix else ""
            if len(term.words) == 1:
                return "{" + column + '} : "' + term.words[0] + '"' + star
            pairs = " ".join(pairs_of(term.words))
            return "{" + column + '_pairs} : "' + pairs + '"' + star

        return " OR ".join(f"({one(t)})" for t in self.terms if not t.negated)

    def tsquery(self) -> str:
        """The PostgreSQL ``to_tsquery`` text: words quoted, phrases with ``<->``."""

        def one(term: Term) -> str:
            words = [f"'{w}'" for w in term.words]
            if term.prefix:
                words[-1] += ":*"
            inner = " <-> ".join(words)
            inner = f"({inner})" if len(words) > 1 else inner
            return ("!" if term.negated else "") + inner

        return " & ".join(one(t) for t in self.terms)

    def words(self) -> list[str]:
        return [w for t in self.terms if not t.negated for w in t.words]


def parse_query(raw: str) -> Query:
    """``raw`` (what a person typed) as a :class:`Query`; :class:`QueryError` when it
    has no word to look for.

    Vietnamese writes a word as space-separated syllables, so the words typed are one
    phrase: ``dân vận khéo`` finds the three in that order, adjacent (any spaces or
    punctuation between them: ``25-NQ/TW`` is the phrase ``25 nq tw``). A comma or
    quotes separate phrases, which must all be there (``dân vận khéo, quỳnh lưu``);
    ``-`` before a phrase (after a space or a comma) says it must not be; ``*`` after
    the last word makes it a prefix. Words are folded (:func:`search_fold`) and kept to
    letters and digits, so FTS syntax is only ever read as this syntax."""
    terms: list[Term] = []
    negate_next = False  # a "-" right before a quoted phrase
    for match in _SEGMENT_RE.finditer(search_fold(raw or "").translate(_QUOTES)):
        quoted = match.group(1) is not None
        chunk = match.group(1) if quoted else match.group(2)
        if quoted:
            pieces = [(chunk, negate_next)]
            negate_next = False
        else:
            parts = _NEGATION_RE.split(chunk)
            pieces = [(parts[0], False), *((part, True) for part in parts[1:])]
            negate_next = bool(_DASH_END_RE.search(chunk))
        for body, negated in pieces:
            words = tuple(w.lower() for w in _WORD_RE.findall(body))
            if words:
                prefix = body.rstrip().endswith("*")
                terms.append(Term(words, prefix=prefix, negated=negated))
    if not any(not t.negated for t in terms):
        raise QueryError("nothing to search for: give at least one word")
    return Query(tuple(terms))


@dataclass(frozen=True)
class Hit:
    """One article found: its stored record, its rank (lower is better) and a snippet
    of the printed text with the matched words between :data:`MARK_START` and
    :data:`MARK_END`."""

    record: dict[str, Any]
    rank: float
    snippet: str
    title: str = ""  # the headline, matched words marked
    extra: dict[str, Any] = field(default_factory=dict)


def mark_html(marked: str) -> str:
    """A marked snippet as HTML: text escaped, each match in ``<mark>``."""
    out: list[str] = []
    open_mark = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if part == MARK_START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif part == MARK_END:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(escape(part, quote=False))
    if open_mark:
        out.append("</mark>")
    return "".join(out)


def mark_plain(marked: str, start: str = "[", end: str = "]") -> str:
    return marked.replace(MARK_START, start).replace(MARK_END, end)


def _text(value: Any) -> str:
    text_value = value if isinstance(value, str) else ""
    for char in (MARK_START, MARK_END, PAIR_JOIN):
        if char in text_value:
            text_value = text_value.replace(char, "")
    return text_value


def _folded(data: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The six values of an index row: the words of the folded headline, lead and body,
    then their pair tokens."""
    if data is None:
        return ("",) * 6
    words = [words_of(search_fold(_text(data.get(name)))) for name in _FIELDS]
    return (*(" ".join(w) for w in words), *(" ".join(pairs_of(w)) for w in words))


# -- schema ----------------------------------------------------------------------------

_SQLITE_DDL = (
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
)


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


def _pg_ddl(conn: Connection) -> None:
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


def install(conn: Connection, *, fill: bool = True) -> None:
    """Create the search index (SQLite or PostgreSQL) and, with ``fill``, index every
    stored article (schema migration; a new store has none)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_DDL:
            conn.exec_driver_sql(statement)
        _set_fold_version(conn)
    elif dialect == "postgresql":
        _pg_ddl(conn)
    else:  # pragma: no cover - the store supports these two
        return
    if fill:
        rebuild(conn)


def _set_fold_version(conn: Connection) -> None:
    conn.execute(
        text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:k, :v)"),
        {"k": FOLD_VERSION_KEY, "v": FOLD_VERSION},
    )


def rebuild(conn: Connection) -> int:
    """Index every stored article again (from nothing); how many were indexed."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("INSERT INTO article_search (article_search) VALUES ('delete-all')")
        conn.exec_driver_sql("DELETE FROM article_search_keys")
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
        # one segment instead of the many bulk writes leave: queries read one b-tree
        conn.exec_driver_sql("INSERT INTO article_search (article_search) VALUES ('optimize')")
    return count


def _index_many(conn: Connection, batch: Sequence[tuple[str, dict[str, Any]]]) -> int:
    for article_id, data in batch:
        index_article(conn, article_id, data, None, new=True)
    return len(batch)


def check_sqlite(conn: Connection) -> None:
    """Rebuild the SQLite index when it was built with another fold (on open)."""
    found = conn.execute(
        text("SELECT value FROM store_meta WHERE key = :k"), {"k": FOLD_VERSION_KEY}
    ).scalar()
    if found != FOLD_VERSION:
        logger.info("Rebuilding the search index (its fold or tables changed)")
        for statement in (
            "DROP TABLE IF EXISTS article_search",
            "DROP VIEW IF EXISTS article_search_text",  # the content of version 2
            "DROP TABLE IF EXISTS article_search_keys",
        ):
            conn.exec_driver_sql(statement)
        install(conn, fill=True)


# -- writing (called by the store's upsert, in its transaction) ------------------------


def index_article(
    conn: Connection,
    article_id: str,
    data: Mapping[str, Any],
    old: Mapping[str, Any] | None,
    *,
    new: bool,
) -> None:
    """Index ``data``, the record stored for ``article_id``; ``old`` is the record it
    replaced (None when ``new``)."""
    if conn.dialect.name == "sqlite":
        _index_sqlite(conn, article_id, data, old, new=new)
    elif conn.dialect.name == "postgresql":
        _index_pg(conn, article_id, data)


def _index_sqlite(
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
                    (rowid, *_folded(old)),
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
            (rowid, *_folded(data)),
        )
    finally:
        cursor.close()


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


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


def _index_pg(conn: Connection, article_id: str, data: Mapping[str, Any]) -> None:
    # the words only, one space apart: PostgreSQL's parser would read "25-nq/tw" as a
    # hyphenated word and a file path, which the phrase '25' <-> 'nq' <-> 'tw' misses
    fold = search_fold if _pg_folded(conn) else _nfc
    headline, lead, body = (" ".join(words_of(fold(_text(data.get(n))))) for n in _FIELDS)
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
        if conn.dialect.name == "postgresql":
            return list(_search_pg(conn, parsed, since, category, limit, order))
        return list(_search_sqlite(conn, parsed, since, category, limit, order))


def _since(since: datetime | None) -> datetime | None:
    if since is None or since.tzinfo is None:
        return since
    return since.astimezone(UTC).replace(tzinfo=None)


def _search_sqlite(
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
        window = rank_rowids(raw, parsed, RANK_WINDOW, join, since_sql, since_params)
        window_full = len(window) >= RANK_WINDOW
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
            window = rank_rowids(raw, parsed, None, join, since_sql, since_params)
            window_full = False
        else:
            wanted *= 4
    if not chosen:
        return
    for rowid, data in chosen:
        record = json.loads(data)
        yield Hit(record, float(ranks[rowid]), _snippet(record, parsed), _title(record, parsed))


def rank_rowids(
    raw: Any,
    parsed: Query,
    window: int | None,
    join: str = "",
    since_sql: str = "",
    since_params: Sequence[str] = (),
) -> list[tuple[int, float]]:
    """(rowid, rank) of the ``window`` matches stored last (every match with None),
    best first: a phrase in the headline weighs :data:`HEADLINE_WEIGHT`, in the lead
    :data:`LEAD_WEIGHT` (their sum when in both; the body 0), ties newest first; the
    rank is minus that (lower is better).

    Not FTS5's bm25: its IDF counts each phrase's articles over the whole index once a
    query (a walk of every match of a common phrase, most of a query's time), and term
    frequencies in a body say little about a news article. Here: one walk of the
    window, then two walks of the same window, each bounded by its oldest rowid, for
    the matches with a phrase in the headline and in the lead."""
    sql = (
        f"SELECT f.rowid FROM article_search f{join} WHERE article_search MATCH ?{since_sql}"
        " ORDER BY f.rowid DESC"
    )
    match = parsed.fts5()
    params: list[Any] = [match, *since_params]
    if window is not None:
        sql += " LIMIT ?"
        params.append(window)
    score = dict.fromkeys((r for (r,) in raw.execute(sql, params)), 0.0)
    if not score:
        return []
    oldest = min(score)
    for column, weight in (("headline", HEADLINE_WEIGHT), ("lead", LEAD_WEIGHT)):
        in_field = f"({match}) AND ({parsed.fts5_any(column)})"
        for (rowid,) in raw.execute(
            "SELECT rowid FROM article_search WHERE article_search MATCH ? AND rowid >= ?",
            (in_field, oldest),
        ):
            if rowid in score:
                score[rowid] += weight
    # stable, reverse included: ties stay newest first
    ranked = sorted(score.items(), key=itemgetter(1), reverse=True)
    return [(rowid, -value) for rowid, value in ranked]


def _snippet(record: Mapping[str, Any], parsed: Query) -> str:
    """About :data:`SNIPPET_TOKENS` words of the body around its first match (of the
    lead when the body has none), the matches marked."""
    for name in ("articleBody", "description"):
        marked = mark_text(_text(record.get(name)), parsed, window=SNIPPET_TOKENS)
        if MARK_START in marked:
            return marked
    return mark_text(_text(record.get("articleBody")), parsed, window=SNIPPET_TOKENS)


def _title(record: Mapping[str, Any], parsed: Query) -> str:
    return mark_text(_text(record.get("headline")), parsed)


def _search_pg(
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
        " ts_rank_cd('{0.1, 0.2, 0.5, 1.0}', s.document, q.query) AS rank"
        " FROM article_search s CROSS JOIN q JOIN articles a ON a.article_id = s.article_id"
        f" WHERE s.document @@ q.query{where}"
        f" ORDER BY {ordering} LIMIT :limit)"
        f" SELECT a.data, a.rank, {headlines}"
        f" FROM found a CROSS JOIN q ORDER BY {ordering}"
    )
    for data, rank, snip, title in conn.execute(text(sql), params):
        record = json.loads(data)
        if folded:
            snip, title = _snippet(record, parsed), _title(record, parsed)
        # rank: higher is better in PostgreSQL; negated so that lower is better everywhere
        yield Hit(record, -float(rank), snip or "", title or "")


@lru_cache(maxsize=64)
def _phrase_pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """The positive phrases of a query as one pattern over the printed (NFC) text: each
    folded letter a class of the letters folding to it, so that no body is folded to
    find where to mark it; anything but a letter or digit between the words."""
    sources = search_fold_sources()

    def letter(char: str) -> str:
        return f"[{re.escape(char + sources[char])}]" if char in sources else re.escape(char)

    patterns = []
    for term in terms:
        if term.negated:
            continue
        tail = r"[^\W_]*" if term.prefix else ""
        body = r"[\W_]+".join("".join(map(letter, word)) for word in term.words)
        patterns.append(rf"(?<![^\W_]){body}{tail}(?![^\W_])")
    return re.compile("|".join(patterns)) if patterns else None


def mark_text(original: str, parsed: Query, *, window: int | None = None) -> str:
    """``original`` with the phrases of ``parsed`` between the marks (matched as their
    folds would be: :func:`_phrase_pattern`); with ``window``, only about that many
    words around the first match, ``…`` where text was cut."""
    printed = unicodedata.normalize("NFC", original)
    pattern = _phrase_pattern(parsed.terms)
    found = pattern.search(printed) if pattern else None
    start, end = 0, len(printed)
    if window is not None:
        # words read around the first match only (a body is thousands of words)
        anchor = found.start() if found else 0
        region = max(0, anchor - 16 * (window // 3 + 1))
        before = [m.span() for m in _NONSPACE_RE.finditer(printed, region, anchor)]
        if region > 0 and before and before[0][0] == region:
            before = before[1:]  # maybe cut by the region
        first = before.pop()[0] if before and before[-1][1] == anchor else anchor
        starts = [a for a, _ in before][-(window // 3) :] if window >= 3 else []
        shown = list(islice(_NONSPACE_RE.finditer(printed, starts[0] if starts else first), window))
        if shown:
            start, end = shown[0].start(), shown[-1].end()
    spans = [m.span() for m in pattern.finditer(printed, start, end)] if found and pattern else []
    out = ["…" if start > 0 else ""]
    at = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [printed[at:a], MARK_START, printed[a:b], MARK_END]
        at = b
    out += [printed[at:end], "…" if end < len(printed) else ""]
    return "".join(out)
