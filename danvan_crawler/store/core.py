"""The :class:`Store`: articles, URLs, categories, validators and runs (see package doc)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, NamedTuple

from itemadapter import ItemAdapter
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    case,
    create_engine,
    event,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect, make_url

from danvan_crawler.similarity import (
    BANDS,
    DEFAULT_MIN_TOKENS,
    DEFAULT_THRESHOLD,
    MAX_BAND_SHARERS,
    MIN_ESTIMATED_JACCARD,
    MIN_SHARED_BANDS,
    article_tokens,
    band_keys,
    estimated_jaccard,
    pack_sketch,
    similarity,
    sketch,
    unpack_sketch,
)
from danvan_crawler.store import schema as s
from danvan_crawler.store import search
from danvan_crawler.urls import site_key

logger = logging.getLogger(__name__)

ChangeKind = Literal["new", "updated", "unchanged", "merged"]

#: Default database (relative to the working folder), setting ``DANVAN_DB``.
DEFAULT_DB = "danvan.db"

#: Fields never stored: annotations of an output line (:mod:`danvan_crawler.stream`).
TRANSIENT_FIELDS = frozenset({"change", "revision", "datePublishedHasTime", "dateModifiedHasTime"})
#: Fields that do not make an article's content: a change in them alone is no revision.
NON_CONTENT_FIELDS = frozenset(
    {"url", "canonicalUrl", "categories", "crawledAt", "duplicateOf", *TRANSIENT_FIELDS}
)
#: Most near-duplicate candidates verified per article (best band overlap first).
MAX_CANDIDATES = 200
#: Stored articles whose comparison tokens are kept in memory.
TOKEN_CACHE_SIZE = 256
#: Content hashes remembered by :meth:`Store.content_hash` for the article's upsert.
HASH_MEMO_SIZE = 1024


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """How far one consumer of the change log has been written."""

    consumer: str
    #: every change up to this sequence number is written
    seq: int
    #: a file holding the changes up to ``pending_seq`` is about to replace the output
    pending_seq: int | None = None
    pending_file: str | None = None


class StoreError(RuntimeError):
    """The store cannot be opened or used (e.g. a schema newer than this code)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What an upsert did to one article."""

    article_id: str
    kind: ChangeKind
    revision: int
    duplicate_of: str | None = None
    #: The stored record after the change (output-schema fields).
    record: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Stored articles this (older) original just marked as its copies.
    claimed: tuple[str, ...] = ()


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _to_utc_naive(datetime.fromisoformat(value))
    except ValueError:
        return None


_DIGITS_RE = re.compile(r"\d+")


def _article_num(article_id: str) -> int:
    digits = _DIGITS_RE.findall(article_id)
    return int(digits[-1]) if digits else 0


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the content fields of an article (see :data:`NON_CONTENT_FIELDS`)."""
    content = {k: v for k, v in data.items() if k not in NON_CONTENT_FIELDS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _same(a: Any, b: Any) -> bool:
    """``a == b`` with equal types throughout (``1 == 1.0 == True`` but their JSON
    differs): values of :func:`article_dict` records, whose leaves are usually the very
    same objects."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is float:  # 0.0 == -0.0
        return repr(a) == repr(b)
    return bool(a == b)


def _plain(value: Any) -> Any:
    """``ItemAdapter._asdict(value)``, with fast paths for JSON-like values."""
    kind = type(value)
    if kind is str or value is None or kind is int or kind is float or kind is bool:
        return value
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if kind is list:
        return [_plain(v) for v in value]
    return ItemAdapter._asdict(value)


@lru_cache(maxsize=64)
def _dataclass_fields(cls: type) -> tuple[str, ...] | None:
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def article_dict(article: Any) -> dict[str, Any]:
    """``ItemAdapter(article).asdict()`` (a dict, nested items and containers copied),
    several times faster for dicts and dataclass items holding JSON-like values."""
    if type(article) is dict:
        return {k: _plain(v) for k, v in article.items()}
    names = _dataclass_fields(type(article))
    if names is not None:
        return {n: _plain(getattr(article, n)) for n in names if hasattr(article, n)}
    return ItemAdapter(article).asdict()


def _moved_urls(stored: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """The new ``url`` and ``canonicalUrl`` of an article whose canonical URL moved to
    another scheme, host or port (same path: the portal moved), else {}."""
    new, old = data.get("canonicalUrl"), stored.get("canonicalUrl")
    if not (isinstance(new, str) and isinstance(old, str)) or new == old:
        return {}
    if site_key(new) != site_key(old):
        return {}  # another URL of the article (an alias): the stored one stays
    return {name: data[name] for name in ("url", "canonicalUrl") if isinstance(data.get(name), str)}


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def merge_categories(*lists: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Union of category lists by site path (:func:`~danvan_crawler.urls.site_key`: a
    category seen under another scheme, host or port is the same one), later lists
    updating names and URL; sorted by url."""
    by_key: dict[str, dict[str, Any]] = {}
    for cats in lists:
        for cat in cats or ():
            url = cat.get("url")
            if not url:
                continue
            key = site_key(url)
            merged = dict(by_key.get(key, {}))
            merged.update({k: v for k, v in cat.items() if v is not None or k not in merged})
            by_key[key] = merged
    return sorted(by_key.values(), key=itemgetter("url"))


def _engine_for(url_or_path: str | os.PathLike[str]) -> Engine:
    text = os.fspath(url_or_path)
    if "://" not in text:
        path = Path(text).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"sqlite:///{path}"
    url = make_url(text)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's BEGIN (below) drive transactions, not pysqlite's guesswork.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("danvan_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    if url.get_backend_name() == "postgresql":
        from danvan_crawler.store.postgres import postgres_engine

        return postgres_engine(url)  # writers serialized by an advisory lock (see there)
    return create_engine(url, pool_pre_ping=True)


class _Prepared:
    """A Core statement compiled once for a dialect and executed on the connection's
    DBAPI cursor, for the few statements run per article.

    ``Connection.execute`` costs 50-100 us a statement in Python (compiled-cache
    look-up, parameter processing, result wrapping), more than SQLite's own work for a
    one-row INSERT or an indexed SELECT; here the SQL string, the parameter order and
    the type processors (e.g. SQLite's datetime to text) are worked out once. Errors are
    raised as SQLAlchemy's (``sqlalchemy.exc.IntegrityError`` ...), a lost connection
    is invalidated, as with ``Connection.execute``.
    """

    __slots__ = ("_fixed", "_get", "_keys", "_positional", "_processors", "_results", "sql")

    def __init__(self, statement: Any, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql: str = compiled.string
        if "POSTCOMPILE" in self.sql:  # expanding IN lists, literal LIMITs: not here
            raise ValueError(f"statement needs rendering per execution: {self.sql}")
        self._positional = bool(dialect.positional)
        names = list(compiled.positiontup or ()) if self._positional else list(compiled.binds)
        escaped = getattr(compiled, "escaped_bind_names", None) or {}
        binds = [compiled.binds[name] for name in names]
        self._keys = tuple(escaped.get(name, name) for name in names)
        # values bound in the statement itself (e.g. a HAVING constant), unless given
        self._fixed = {
            n: b.effective_value for n, b in zip(names, binds, strict=True) if not b.required
        }
        getter = itemgetter(*names) if names else (lambda _values: ())
        self._get: Callable[[Mapping[str, Any]], Any] = (
            getter if len(names) != 1 else lambda values: (getter(values),)
        )
        processors = [b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds]
        self._processors = tuple(
            (i, process) for i, process in enumerate(processors) if process is not None
        )
        self._results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in getattr(statement, "selected_columns", ())
        )

    def _parameters(self, values: Mapping[str, Any]) -> Any:
        if self._fixed:
            values = {**self._fixed, **values}
        row = self._get(values)
        if self._processors:
            row = list(row)
            for i, process in self._processors:
                row[i] = process(row[i])
        if self._positional:
            return tuple(row)
        return dict(zip(self._keys, row, strict=True))

    @contextmanager
    def _cursor(self, conn: Connection, parameters: Any) -> Iterator[Any]:
        fairy = conn.connection
        cursor = fairy.cursor()
        try:
            yield cursor
        except conn.dialect.loaded_dbapi.Error as error:
            invalidated = conn.dialect.is_disconnect(error, fairy.dbapi_connection, cursor)
            if invalidated:
                conn.invalidate(error)
            raise sa_exc.DBAPIError.instance(
                self.sql,
                parameters,
                error,
                conn.dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=conn.dialect,
            ) from error
        finally:
            cursor.close()

    def execute(self, conn: Connection, values: Mapping[str, Any]) -> None:
        parameters = self._parameters(values)
        with self._cursor(conn, parameters) as cursor:
            cursor.execute(self.sql, parameters)

    def executemany(self, conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        if len(rows) == 1:
            self.execute(conn, rows[0])
            return
        if self._positional and not self._fixed and not self._processors:
            parameters: list[Any] = list(map(self._get, rows))  # tuples already
        else:
            parameters = [self._parameters(row) for row in rows]
        with self._cursor(conn, parameters) as cursor:
            cursor.executemany(self.sql, parameters)

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The result rows, each value through its column type's result processor."""
        fetched = self.raw_rows(conn, values)
        if not any(self._results):
            return [tuple(row) for row in fetched]
        return [self.process(row) for row in fetched]

    def raw_rows(self, conn: Connection, values: Mapping[str, Any]) -> list[Any]:
        """The result rows as the DBAPI returns them (see :meth:`process`)."""
        parameters = self._parameters(values)
        with self._cursor(conn, parameters) as cursor:
            cursor.execute(self.sql, parameters)
            return list(cursor.fetchall())

    def process(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """One raw row, each value through its column type's result processor."""
        return tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(row, self._results, strict=True)
        )


#: Sizes of the precompiled ``IN`` lists of article ids (a listing page holds ~10-20).
_IN_SIZES = (32, 500)


def _slots(size: int) -> list[Any]:
    return [bindparam(f"b_i{i}") for i in range(size)]


def _rows_in(
    conn: Connection, by_size: Mapping[int, _Prepared], ids: Iterable[str]
) -> Iterator[tuple[Any, ...]]:
    """Rows of a precompiled ``... IN (:b_i0, ...)`` SELECT for the distinct ``ids``
    (``by_size``: the statement per size of its ``IN`` list)."""
    wanted = sorted({str(i) for i in ids})
    sizes = sorted(by_size)
    largest = sizes[-1]
    for start in range(0, len(wanted), largest):
        chunk = wanted[start : start + largest]
        size = next(n for n in sizes if n >= len(chunk))
        params = {f"b_i{i}": chunk[i % len(chunk)] for i in range(size)}
        yield from by_size[size].rows(conn, params)


#: Sizes of the precompiled ``IN`` lists of a batch's article ids (50 by default).
_BATCH_IN_SIZES = (1, 8, 64, 500)

#: A row of ``articles`` read by :meth:`Store._prefetch` (attributes by column name).
_ArticleRow = namedtuple("_ArticleRow", list(s.articles.columns.keys()))  # type: ignore[misc]


class _Candidate(NamedTuple):
    """A stored article sharing band keys with the one being stored."""

    article_id: str
    article_num: int
    content_hash: str
    sketch: bytes | None
    duplicate_of: str | None
    date_published: datetime | None


#: Position of ``sketch`` in the candidate rows (:class:`_Candidate`).
_SKETCH_COLUMN = _Candidate._fields.index("sketch")


class _SketchEstimate:
    """``estimated_jaccard(signature, unpack_sketch(packed))`` for the packed sketches
    of the candidates of one text, the same value computed without unpacking: the equal
    bins are the all-zero 8-byte words of the two packings' XOR (one C-level pass)."""

    __slots__ = ("_bins", "_mine", "_signature", "_width")

    def __init__(self, signature: Sequence[int]) -> None:
        self._signature = signature
        self._bins = len(signature)
        self._width = 8 * self._bins
        self._mine = int.from_bytes(pack_sketch(signature), "little")

    def __call__(self, packed: bytes) -> float:
        width = self._width
        if len(packed) != width or not width:
            return estimated_jaccard(self._signature, unpack_sketch(packed))
        xor = (int.from_bytes(packed, "little") ^ self._mine).to_bytes(width, "little")
        return memoryview(xor).cast("Q").tolist().count(0) / self._bins

    def below(self, packed: bytes, threshold: float) -> bool:
        """``self(packed) < threshold``, decided without counting the equal bins exactly
        when an upper bound is already below: the runs of 8 zero bytes in the XOR
        (``bytes.count``, non-overlapping) are at least its all-zero aligned words (a
        zero run of length L holds at most L // 8 of them)."""
        width = self._width
        if len(packed) != width or not width:
            return self(packed) < threshold
        xor = (int.from_bytes(packed, "little") ^ self._mine).to_bytes(width, "little")
        if xor.count(_ZERO_WORD) / self._bins < threshold:
            return True
        return memoryview(xor).cast("Q").tolist().count(0) / self._bins < threshold


_ZERO_WORD = bytes(8)


@dataclass(slots=True)
class _Pending:
    """Rows of a batch written at its end, one statement each (nothing in the batch
    reads them, except the order sync of links, which writes the pending links first)."""

    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    #: rows of the change log (new and updated articles), in order
    changes: list[dict[str, Any]] = field(default_factory=list)


class Store:
    """Articles and crawl state in a SQL database. Build with :func:`open_store`."""

    def __init__(
        self,
        engine: Engine,
        *,
        duplicate_threshold: float = DEFAULT_THRESHOLD,
        duplicate_min_tokens: int = DEFAULT_MIN_TOKENS,
    ) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.duplicate_threshold = duplicate_threshold
        self.duplicate_min_tokens = duplicate_min_tokens
        self._token_cache: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
        self._category_cache: dict[str, tuple[int, dict[str, Any]]] = {}
        self._hash_memo: OrderedDict[str, tuple[dict[str, Any], str]] = OrderedDict()
        self._build_statements()
        self._migrate()

    # -- connections and migrations -------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (SQLite: BEGIN IMMEDIATE)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(danvan_write=True)
            try:
                with conn.begin():
                    yield conn
            except BaseException:
                self._category_cache.clear()  # may hold ids of rolled-back rows
                raise

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _insert(self, table: Table) -> Any:
        """INSERT with ``on_conflict_do_*`` for this dialect (the one dialect switch)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - other backends need their own upsert
            raise StoreError(f"unsupported database dialect {self.dialect!r}")
        return insert(table)

    def _upsert_excluded(self, table: Table, key: str, columns: Sequence[str]) -> Any:
        """INSERT ... ON CONFLICT (key) DO UPDATE of ``columns`` and ``updated_at``."""
        insert = self._insert(table)
        return insert.on_conflict_do_update(
            index_elements=[table.c[key]],
            set_={name: insert.excluded[name] for name in (*columns, "updated_at")},
        )

    def _build_statements(self) -> None:
        """The hot statements, built once with bind parameters (executed per article)."""
        a, ac, c = s.articles.c, s.article_categories.c, s.categories.c
        self._q_article = select(s.articles).where(a.article_id == bindparam("b_aid"))
        self._i_article = s.articles.insert()
        ab = s.article_bands.c
        self._i_bands = s.article_bands.insert()
        self._d_bands = s.article_bands.delete().where(ab.article_id == bindparam("b_aid"))
        # Near-duplicate candidates: under each band key of the text, the other articles,
        # the first MAX_BAND_SHARERS by id (so a look-up costs the same whatever the
        # store's size); those under at least MIN_SHARED_BANDS of the keys, the
        # MAX_CANDIDATES under most (then by id), best first. One statement with one arm
        # per band and its key parameter (a text with fewer distinct keys pads with -1,
        # which no band key is), compiled once.
        arms = [
            select(ab.article_id)
            .where(ab.band_key == bindparam(f"b_k{i}"))
            .where(ab.article_id != bindparam("b_aid"))
            .order_by(ab.article_id)
            .limit(MAX_BAND_SHARERS)
            .subquery(f"band{i}")
            for i in range(BANDS)
        ]
        sharers = union_all(*(select(arm.c.article_id) for arm in arms)).subquery("sharers")
        shared = func.count().label("shared")
        counted = (
            select(sharers.c.article_id, shared)
            .group_by(sharers.c.article_id)
            .having(shared >= MIN_SHARED_BANDS)
            .order_by(shared.desc(), sharers.c.article_id)
            .limit(MAX_CANDIDATES)
            .subquery("counted")
        )
        self._q_candidates = (
            select(
                a.article_id,
                a.article_num,
                a.content_hash,
                a.sketch,
                a.duplicate_of,
                a.date_published,
            )
            .join(counted, counted.c.article_id == a.article_id)
            .order_by(counted.c.shared.desc(), a.article_id)
        )
        self._q_article_data = select(a.data).where(a.article_id == bindparam("b_aid"))
        self._u_article = update(s.articles).where(a.article_id == bindparam("b_aid"))
        urls = self._insert(s.article_urls)
        self._up_url = urls.on_conflict_do_update(
            index_elements=[s.article_urls.c.url],
            set_={"article_id": urls.excluded.article_id, "last_seen": urls.excluded.last_seen},
        )
        cats = self._insert(s.categories)
        self._up_category = cats.on_conflict_do_update(
            index_elements=[c.url_key],
            set_={
                "url": cats.excluded.url,
                "slug": func.coalesce(cats.excluded.slug, c.slug),
                "name": func.coalesce(cats.excluded.name, c.name),
                "sub_site": func.coalesce(cats.excluded.sub_site, c.sub_site),
                "last_seen": cats.excluded.last_seen,
            },
        )
        self._q_category_id = select(c.category_id).where(c.url_key == bindparam("b_key"))
        self._link_category = self._insert(s.article_categories).on_conflict_do_nothing()
        self._sync_order = (
            update(s.article_categories)
            .where(ac.article_id == bindparam("b_aid"))
            .where(
                (ac.date_published != bindparam("b_pub"))
                | ac.date_published.is_(None)
                | (ac.article_num != bindparam("b_num"))
            )
            .values(date_published=bindparam("b_pub"), article_num=bindparam("b_num"))
        )
        dialect = self.engine.dialect
        self._p_candidates = _Prepared(self._q_candidates, dialect)
        self._p_article = _Prepared(self._i_article, dialect)
        self._p_bands = _Prepared(self._i_bands, dialect)
        self._p_urls = _Prepared(self._up_url, dialect)
        self._p_links = _Prepared(self._link_category, dialect)
        self._p_sync_order = _Prepared(self._sync_order, dialect)
        self._p_changes = _Prepared(
            s.article_changes.insert().values(
                {name: bindparam(name) for name in ("article_id", "kind", "revision", "changed_at")}
            ),
            dialect,
        )
        self._p_updates: dict[tuple[str, ...], _Prepared] = {}  # by the columns set
        self._p_article_data = _Prepared(self._q_article_data, dialect)
        # a batch's stored rows (precompiled IN lists, padded by repeating an id)
        self._p_articles_in = {
            size: _Prepared(select(s.articles).where(a.article_id.in_(_slots(size))), dialect)
            for size in _BATCH_IN_SIZES
        }
        # incremental state, written per listing page and per batch of articles
        self._p_validators = _Prepared(
            self._upsert_excluded(s.http_validators, "url", ("etag", "last_modified")), dialect
        )
        self._p_set_signatures = _Prepared(
            self._upsert_excluded(s.listing_signatures, "article_id", ("signature",)), dialect
        )
        # Look-ups by a list of article ids (per listing page): IN lists of fixed sizes,
        # padded by repeating an id, so that they are compiled once.
        ls = s.listing_signatures.c
        self._p_known_ids = {
            size: _Prepared(select(a.article_id).where(a.article_id.in_(_slots(size))), dialect)
            for size in _IN_SIZES
        }
        self._p_signatures = {
            size: _Prepared(
                select(ls.article_id, ls.signature).where(ls.article_id.in_(_slots(size))),
                dialect,
            )
            for size in _IN_SIZES
        }

    def _migrate(self) -> None:
        with self._write() as conn:
            s.metadata.create_all(conn, tables=[s.schema_version])
            current = conn.execute(select(func.max(s.schema_version.c.version))).scalar() or 0
            if current > s.SCHEMA_VERSION:
                raise StoreError(
                    f"database schema version {current} is newer than this program's "
                    f"({s.SCHEMA_VERSION}); upgrade danvan-crawler"
                )
            if current == 0:  # a new database: the current tables, every version stamped
                s.metadata.create_all(conn, tables=list(s.ALL_TABLES))
                conn.execute(
                    s.schema_version.insert(),
                    [{"version": v, "applied_at": _utcnow()} for v, _ in s.MIGRATIONS],
                )
                s.ensure_store_id(conn)
                search.install(conn, fill=False)
                return
            for version, migration in s.MIGRATIONS:
                if version > current:
                    logger.info("Migrating store to schema version %d", version)
                    migration(conn)
                    conn.execute(
                        s.schema_version.insert().values(version=version, applied_at=_utcnow())
                    )
            if self.dialect == "sqlite":
                search.check_sqlite(conn)

    def schema_version(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.max(s.schema_version.c.version))).scalar() or 0)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles ----------------------------------------------------------------------

    def content_hash(self, article: Any) -> str:
        """:func:`content_hash` of an article (mapping or item), remembered for its next
        upsert: when the record upserted then equals the article now (compared with a
        private copy, so any change made in between is seen), it is not hashed again."""
        data = article_dict(article)
        digest = content_hash(data)
        article_id = data.get("articleId")
        if isinstance(article_id, str):
            memo = self._hash_memo
            memo[article_id] = (data, digest)
            memo.move_to_end(article_id)
            if len(memo) > HASH_MEMO_SIZE:
                memo.popitem(last=False)
        return digest

    def _content_hash(self, record: dict[str, Any], data: dict[str, Any], article_id: str) -> str:
        """The content hash of ``data`` (``record`` without transient fields), reusing the
        one :meth:`content_hash` computed for an equal record."""
        memo = self._hash_memo.pop(article_id, None) if self._hash_memo else None
        if memo is not None and record.get("articleId") == article_id and _same(memo[0], record):
            return memo[1]  # the same values, hence the same hash
        return content_hash(data)

    def upsert(
        self,
        articles: Iterable[Any],
        *,
        detect_duplicates: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store ``articles`` (output-schema mappings or items) in one transaction.

        ``detect_duplicates``: decide ``duplicateOf`` here (near-duplicate search);
        False keeps the value the article carries (the dedupe pipeline's decision).
        """
        when = _to_utc_naive(now) if now else _utcnow()
        records = [article_dict(article) for article in articles]
        changes: list[Change] = []
        with self._write() as conn:
            prefetched = self._prefetch(conn, records)
            pending = _Pending()
            for data in records:
                changes.append(
                    self._upsert_one(conn, data, when, detect_duplicates, prefetched, pending)
                )
            self._write_pending(conn, pending)
        return changes

    def _write_pending(self, conn: Connection, pending: _Pending) -> None:
        if pending.changes:
            self._p_changes.executemany(conn, pending.changes)
            pending.changes.clear()
        if pending.urls:
            self._p_urls.executemany(conn, list(pending.urls.values()))
            pending.urls.clear()
        self._write_pending_links(conn, pending)

    def _write_pending_links(self, conn: Connection, pending: _Pending) -> None:
        if pending.links:
            self._p_links.executemany(conn, list(pending.links.values()))
            pending.links.clear()

    def _prefetch(self, conn: Connection, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The stored rows of a batch's article ids, read at once: id -> row or None."""
        ids = sorted({str(r.get("articleId") or "").strip() for r in records} - {""})
        found: dict[str, Any] = dict.fromkeys(ids)
        for values in _rows_in(conn, self._p_articles_in, ids):
            row = _ArticleRow(*values)
            found[row.article_id] = row
        return found

    def _upsert_one(
        self,
        conn: Connection,
        data: dict[str, Any],
        now: datetime,
        detect: bool,
        prefetched: dict[str, Any],
        pending: _Pending,
    ) -> Change:
        article_id = str(data.get("articleId") or "").strip()
        if not article_id:
            raise ValueError("article without articleId")
        record = data
        data = {k: v for k, v in data.items() if k not in TRANSIENT_FIELDS}
        data["articleId"] = article_id
        url = data.get("url") or data.get("canonicalUrl") or ""
        if article_id in prefetched:  # first time in this batch: as read before it
            row = prefetched.pop(article_id)
        else:  # again in this batch: as written by the earlier one
            row = conn.execute(self._q_article, {"b_aid": article_id}).first()
        digest = self._content_hash(record, data, article_id)
        published = _parse_datetime(data.get("datePublished"))
        num = _article_num(article_id)

        if row is not None and row.content_hash == digest:
            stored = json.loads(row.data)
            cats = merge_categories(stored.get("categories"), data.get("categories"))
            values: dict[str, Any] = {"last_seen": now}
            kind: ChangeKind = "unchanged"
            moved = _moved_urls(stored, data)
            if cats != stored.get("categories") or moved:
                stored["categories"] = cats
                stored.update(moved)
                values.update(data=_dumps(stored), changed_at=now)
                if "url" in moved:
                    values["url"] = moved["url"]
                kind = "merged"
            self._update_article(conn, article_id, values)
            self._record_urls(conn, article_id, data, now, pending)
            self._record_categories(
                conn,
                article_id,
                data.get("categories"),
                now,
                row.date_published,
                row.article_num,
                pending=pending,
            )
            return Change(article_id, kind, row.revision, row.duplicate_of, stored)

        tokens = article_tokens(data)
        signature = self._sketch(tokens)
        keys = sorted(set(band_keys(signature))) if signature else []
        matches = self._near_matches(conn, article_id, tokens, signature, keys) if detect else []
        packed = pack_sketch(signature) if signature else None
        if detect:
            duplicate_of = self._original_among(matches, article_id, published, num)
        else:
            duplicate_of = data.get("duplicateOf") or None
        data["duplicateOf"] = duplicate_of
        if row is None:
            data["categories"] = merge_categories(data.get("categories"))
            self._p_article.execute(
                conn,
                {
                    "article_id": article_id,
                    "article_num": num,
                    "url": url,
                    "data": _dumps(data),
                    "content_hash": digest,
                    "revision": 1,
                    "duplicate_of": duplicate_of,
                    "date_published": published,
                    "first_seen": now,
                    "last_seen": now,
                    "changed_at": now,
                    "sketch": packed,
                    "revised_at": now,
                },
            )
            kind, revision = "new", 1
            search.index_article(conn, article_id, data, None, new=True)
        else:
            stored = json.loads(row.data)
            data["categories"] = merge_categories(stored.get("categories"), data.get("categories"))
            revision = row.revision + 1
            self._update_article(
                conn,
                article_id,
                {
                    "url": url or row.url,
                    "data": _dumps(data),
                    "content_hash": digest,
                    "revision": revision,
                    "duplicate_of": duplicate_of,
                    "date_published": published,
                    "last_seen": now,
                    "changed_at": now,
                    "sketch": packed,
                    "revised_at": now,
                },
            )
            conn.execute(self._d_bands, {"b_aid": article_id})
            kind = "updated"
            search.index_article(conn, article_id, data, stored, new=False)
        if keys:
            self._p_bands.executemany(
                conn, [{"band_key": k, "article_id": article_id} for k in keys]
            )
        self._record_urls(conn, article_id, data, now, pending)
        self._record_categories(
            conn,
            article_id,
            data.get("categories"),
            now,
            published,
            num,
            sync=kind != "new",
            pending=pending,
        )
        pending.changes.append(
            {"article_id": article_id, "kind": kind, "revision": revision, "changed_at": now}
        )
        claimed: tuple[str, ...] = ()
        if duplicate_of is None:
            claimed = self._claim_copies(conn, article_id, published, num, matches, now)
            for copy_id in claimed:  # rewritten: read again when later in this batch
                prefetched.pop(copy_id, None)
        return Change(article_id, kind, revision, duplicate_of, data, claimed)

    def _sketch(self, tokens: Sequence[str]) -> list[int] | None:
        """The MinHash sketch of a text, None for texts too short to compare."""
        if len(tokens) < self.duplicate_min_tokens:
            return None
        return sketch(tokens)

    def _candidate_rows(self, conn: Connection, article_id: str, keys: Sequence[int]) -> list[Any]:
        """The raw rows (:class:`_Candidate` columns, best overlap first) of the stored
        articles sharing at least ``MIN_SHARED_BANDS`` band keys with a text, counted
        among the first ``MAX_BAND_SHARERS`` sharers (by id) of each key; the
        ``MAX_CANDIDATES`` sharing most (then by id). ``self._p_candidates.process``
        processes a row."""
        params: dict[str, Any] = {f"b_k{i}": keys[i] if i < len(keys) else -1 for i in range(BANDS)}
        params["b_aid"] = article_id
        return self._p_candidates.raw_rows(conn, params)

    def _near_matches(
        self,
        conn: Connection,
        article_id: str,
        tokens: Sequence[str],
        signature: Sequence[int] | None,
        keys: Sequence[int],
    ) -> list[_Candidate]:
        """Stored articles whose text is at least ``duplicate_threshold`` similar.

        Candidates (:meth:`_candidate_rows`) whose stored sketch estimates a low Jaccard
        similarity are skipped, the others verified exactly on their text.
        """
        if not keys or signature is None:
            return []
        rows = self._candidate_rows(conn, article_id, keys)
        # the sketch prefilter first, on the raw rows (most candidates fail it: formulaic
        # articles share bands with dozens); a candidate's row is processed and its record
        # (``data``) read only when it passes
        estimate = _SketchEstimate(signature)
        found = []
        for raw in rows:
            packed = raw[_SKETCH_COLUMN]
            if packed is not None and estimate.below(packed, MIN_ESTIMATED_JACCARD):
                continue
            row = _Candidate(*self._p_candidates.process(raw))
            other = self._stored_tokens(conn, row.article_id, row.content_hash)
            if similarity(tokens, other, self.duplicate_threshold) >= self.duplicate_threshold:
                found.append(row)
        return found

    def _stored_tokens(self, conn: Connection, article_id: str, digest: str) -> list[str]:
        """Comparison tokens of a stored article (small LRU cache by id and hash)."""
        key = (article_id, digest)
        tokens = self._token_cache.get(key)
        if tokens is None:
            rows = self._p_article_data.rows(conn, {"b_aid": article_id})
            if not rows:
                raise sa_exc.NoResultFound("No row was found when one was required")
            data = rows[0][0]
            # the tokens are interned (comparison_tokens): the cached lists share one
            # string per word (a few KB per article instead of ~100 KB of token strings)
            tokens = article_tokens(json.loads(data))
            self._token_cache[key] = tokens
            if len(self._token_cache) > TOKEN_CACHE_SIZE:
                self._token_cache.popitem(last=False)
        else:
            self._token_cache.move_to_end(key)
        return tokens

    @staticmethod
    def _age_key(published: datetime | None, num: int) -> tuple[datetime, int]:
        return (published or datetime.max, num)

    def _original_among(
        self, matches: Sequence[_Candidate], article_id: str, published: datetime | None, num: int
    ) -> str | None:
        """The original of a cluster is its oldest member (published, then id)."""
        if not matches:
            return None
        oldest = min(matches, key=lambda r: self._age_key(r.date_published, r.article_num))
        if self._age_key(published, num) <= self._age_key(
            oldest.date_published, oldest.article_num
        ):
            return None
        return str(oldest.duplicate_of or oldest.article_id)

    def _claim_copies(
        self,
        conn: Connection,
        article_id: str,
        published: datetime | None,
        num: int,
        matches: Sequence[_Candidate],
        now: datetime,
    ) -> tuple[str, ...]:
        """An original stored after its copies: mark the newer look-alikes as copies."""
        mine = self._age_key(published, num)
        copies = [
            str(r.article_id)
            for r in matches
            if self._age_key(r.date_published, r.article_num) > mine
            and r.duplicate_of != article_id
        ]
        if not copies:
            return ()
        # Copies of those copies follow them to the real original.
        dependants = conn.execute(
            select(s.articles.c.article_id).where(s.articles.c.duplicate_of.in_(copies))
        ).scalars()
        claimed = tuple(sorted({*copies, *dependants} - {article_id}))
        for copy_id in claimed:
            row = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == copy_id)
            ).one()
            record = json.loads(row.data)
            record["duplicateOf"] = article_id
            conn.execute(
                update(s.articles)
                .where(s.articles.c.article_id == copy_id)
                .values(duplicate_of=article_id, data=_dumps(record), changed_at=now)
            )
            logger.info("Article %s is now marked as a copy of %s", copy_id, article_id)
        return claimed

    def find_original(self, article: Any) -> str | None:
        """The id ``article`` would be a copy of (None: it is no near duplicate)."""
        data = article_dict(article)
        article_id = str(data.get("articleId") or "")
        tokens = article_tokens(data)
        signature = self._sketch(tokens)
        keys = sorted(set(band_keys(signature))) if signature else []
        with self._read() as conn:
            matches = self._near_matches(conn, article_id, tokens, signature, keys)
        return self._original_among(
            matches,
            article_id,
            _parse_datetime(data.get("datePublished")),
            _article_num(article_id),
        )

    def _record_urls(
        self,
        conn: Connection,
        article_id: str,
        data: Mapping[str, Any],
        now: datetime,
        pending: _Pending,
    ) -> None:
        """Point the article's URLs at it (written with the batch: the last one wins)."""
        for url in sorted(
            {u for u in (data.get("url"), data.get("canonicalUrl")) if isinstance(u, str) and u}
        ):
            pending.urls.pop(url, None)  # keep the order of the writes
            pending.urls[url] = {
                "url": url,
                "article_id": article_id,
                "first_seen": now,
                "last_seen": now,
            }

    def _record_categories(
        self,
        conn: Connection,
        article_id: str,
        cats: Iterable[Mapping[str, Any]] | None,
        now: datetime,
        published: datetime | None,
        num: int,
        *,
        sync: bool = True,
        pending: _Pending | None = None,
    ) -> None:
        """Link the article to its categories, with the article's ordering columns.

        ``sync``: also bring its existing links' ordering columns up to date (not
        needed for a new article: it has no other links). ``pending``: the links of a
        new article are written with the batch (a link already there is kept).
        """
        links = []
        for cat in cats or ():
            category_id = self._upsert_category(conn, cat, now)
            if category_id is not None:
                links.append(
                    {
                        "category_id": category_id,
                        "article_id": article_id,
                        "first_seen": now,
                        "date_published": published,
                        "article_num": num,
                    }
                )
        if pending is not None and not sync:
            for link in links:
                pending.links.setdefault((link["category_id"], article_id), link)
            return
        if pending is not None:
            self._write_pending_links(conn, pending)  # the links the sync may have to move
        if links:
            self._p_links.executemany(conn, links)
        if sync:
            self._p_sync_order.execute(
                conn, {"b_aid": article_id, "b_pub": published, "b_num": num}
            )

    def _update_article(self, conn: Connection, article_id: str, values: dict[str, Any]) -> None:
        """UPDATE the article's row: ``values`` by column (one precompiled statement per
        set of columns)."""
        columns = tuple(values)
        prepared = self._p_updates.get(columns)
        if prepared is None:
            statement = self._u_article.values({c: bindparam(f"v_{c}") for c in columns})
            prepared = self._p_updates[columns] = _Prepared(statement, self.engine.dialect)
        params = {f"v_{c}": v for c, v in values.items()}
        params["b_aid"] = article_id
        prepared.execute(conn, params)

    def _upsert_category(
        self, conn: Connection, cat: Mapping[str, Any], now: datetime
    ) -> int | None:
        url = cat.get("url")
        if not url:
            return None
        values = {
            "slug": cat.get("slug"),
            "name": cat.get("name"),
            "sub_site": cat.get("subSite"),
        }
        cached = self._category_cache.get(url)
        if cached is not None and cached[1] == values:
            return cached[0]  # already written by this Store (last_seen: once per session)
        key = site_key(url)
        conn.execute(
            self._up_category,
            {"url": url, "url_key": key, "first_seen": now, "last_seen": now, **values},
        )
        category_id = int(conn.execute(self._q_category_id, {"b_key": key}).scalar_one())
        self._category_cache[url] = (category_id, values)
        return category_id

    def merge_categories(self, article_id: str, cats: Iterable[Mapping[str, Any]]) -> bool:
        """Add categories to a stored article; True when its category list grew."""
        now = _utcnow()
        cats = list(cats)
        with self._write() as conn:
            row = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == article_id)
            ).first()
            if row is None:
                return False
            stored = json.loads(row.data)
            merged = merge_categories(stored.get("categories"), cats)
            self._record_categories(
                conn,
                article_id,
                cats,
                now,
                _parse_datetime(stored.get("datePublished")),
                _article_num(article_id),
            )
            if merged == stored.get("categories"):
                return False
            stored["categories"] = merged
            conn.execute(
                update(s.articles)
                .where(s.articles.c.article_id == article_id)
                .values(data=_dumps(stored), changed_at=now, last_seen=now)
            )
            return True

    def get(self, article_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            data = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == str(article_id))
            ).scalar()
        return json.loads(data) if data is not None else None

    def record(self, article_id: str) -> dict[str, Any] | None:
        """Bookkeeping of one article: revision, hash, duplicate_of, times, urls."""
        with self._read() as conn:
            row = conn.execute(
                select(s.articles).where(s.articles.c.article_id == str(article_id))
            ).first()
            if row is None:
                return None
            urls = conn.execute(
                select(s.article_urls.c.url)
                .where(s.article_urls.c.article_id == row.article_id)
                .order_by(s.article_urls.c.url)
            ).scalars()
            return {
                "article_id": row.article_id,
                "url": row.url,
                "revision": row.revision,
                "content_hash": row.content_hash,
                "duplicate_of": row.duplicate_of,
                "date_published": row.date_published,
                "first_seen": row.first_seen,
                "last_seen": row.last_seen,
                "changed_at": row.changed_at,
                "urls": list(urls),
            }

    def count(self, *, include_duplicates: bool = True) -> int:
        stmt = select(func.count()).select_from(s.articles)
        if not include_duplicates:
            stmt = stmt.where(s.articles.c.duplicate_of.is_(None))
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def known_ids(self, ids: Iterable[str] | None = None) -> set[str]:
        """Stored article ids (all of them, or those among ``ids``)."""
        stmt = select(s.articles.c.article_id)
        with self._read() as conn:
            if ids is None:
                return set(conn.execute(stmt).scalars())
            return self._known_among(conn, ids)

    def _known_among(self, conn: Connection, ids: Iterable[str]) -> set[str]:
        return {row[0] for row in _rows_in(conn, self._p_known_ids, ids)}

    def listing_state(self, article_ids: Iterable[str]) -> tuple[set[str], dict[str, str]]:
        """(the stored ids among ``article_ids``, their stored listing signatures), read
        in one transaction."""
        ids = list(article_ids)
        with self._read() as conn:
            return self._known_among(conn, ids), self._signatures_of(conn, ids)

    def article_id_for_url(self, url: str) -> str | None:
        with self._read() as conn:
            return conn.execute(
                select(s.article_urls.c.article_id).where(s.article_urls.c.url == url)
            ).scalar()

    def categories(self) -> list[dict[str, Any]]:
        """Every category ever seen: {url, slug, name, subSite}, sorted by url."""
        c = s.categories.c
        with self._read() as conn:
            rows = conn.execute(select(c.url, c.slug, c.name, c.sub_site).order_by(c.url)).all()
        return [{"url": r.url, "slug": r.slug, "name": r.name, "subSite": r.sub_site} for r in rows]

    def latest(self, category_url: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first by datePublished (ties: id desc), duplicates excluded.

        Reads one index in order (``ix_articles_published`` or, per category,
        ``ix_article_categories_latest``) and stops after ``limit`` rows.
        """
        stmt = self.latest_statement(category_url, limit)
        with self._read() as conn:
            return [json.loads(d) for d in conn.execute(stmt).scalars()]

    def latest_statement(self, category_url: str | None, limit: int) -> Any:
        """The SELECT behind :meth:`latest` (for query-plan checks)."""
        a = s.articles.c
        if category_url is None:
            order: Any = (a.date_published, a.article_num)
            stmt = select(a.data).where(a.duplicate_of.is_(None))
        else:
            ac = s.article_categories.c
            category_id = (
                select(s.categories.c.category_id)
                .where(s.categories.c.url_key == site_key(category_url))
                .scalar_subquery()
            )
            order = (ac.date_published, ac.article_num)
            stmt = (
                select(a.data)
                .select_from(s.article_categories)
                .join(s.articles, a.article_id == ac.article_id)
                .where(ac.category_id == category_id)
                .where(a.duplicate_of.is_(None))
            )
        published = order[0].desc()
        if self.dialect != "sqlite":  # SQLite sorts NULLs last in DESC already
            published = published.nulls_last()
        return stmt.order_by(published, order[1].desc()).limit(limit)

    def export(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every stored article (duplicates included, marked), or those changed since.

        ``since``: articles that were new, updated or merged at or after that time
        (aware datetimes are converted to UTC; naive ones are taken as UTC). Ordered by
        that change time, then id.
        """
        a = s.articles.c
        stmt = select(a.data).order_by(a.changed_at, a.article_num, a.article_id)
        if since is not None:
            stmt = stmt.where(a.changed_at >= _to_utc_naive(since))
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data in result.scalars():
                yield json.loads(data)

    # -- incremental crawling state -------------------------------------------------------

    def get_validators(self, url: str) -> dict[str, str | None] | None:
        """{etag, last_modified} last stored for ``url``, or None."""
        v = s.http_validators.c
        with self._read() as conn:
            row = conn.execute(select(v.etag, v.last_modified).where(v.url == url)).first()
        return {"etag": row.etag, "last_modified": row.last_modified} if row else None

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.set_validators_many([(url, etag, last_modified)])

    def set_validators_many(self, rows: Iterable[tuple[str, str | None, str | None]]) -> None:
        """(url, etag, last_modified) rows, in one transaction."""
        now = _utcnow()
        params = [
            {"url": url, "etag": etag, "last_modified": last_modified, "updated_at": now}
            for url, etag, last_modified in rows
        ]
        if not params:
            return
        with self._write() as conn:
            self._p_validators.executemany(conn, params)

    def listing_signatures(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Stored listing signature per article id (ids without one are absent)."""
        with self._read() as conn:
            return self._signatures_of(conn, article_ids)

    def _signatures_of(self, conn: Connection, article_ids: Iterable[str]) -> dict[str, str]:
        return dict(_rows_in(conn, self._p_signatures, article_ids))

    def set_listing_signatures(self, signatures: Mapping[str, str]) -> None:
        """Remember what listings showed; call only once those articles are stored."""
        now = _utcnow()
        params = [
            {"article_id": str(article_id), "signature": signature, "updated_at": now}
            for article_id, signature in signatures.items()
        ]
        if not params:
            return
        with self._write() as conn:
            self._p_set_signatures.executemany(conn, params)

    # -- the change log ---------------------------------------------------------------------

    def store_id(self) -> str:
        """A random id given to the store when it was created: two processes see the same
        store when they read the same id, however they spelled its URL or path."""
        with self._read() as conn:
            found = conn.execute(
                select(s.store_meta.c.value).where(s.store_meta.c.key == "store_id")
            ).scalar()
        if found is not None:
            return str(found)
        with self._write() as conn:
            return s.ensure_store_id(conn)

    def last_change(self) -> int:
        """The sequence number of the last change logged (0: none yet)."""
        with self._read() as conn:
            return int(conn.execute(select(func.max(s.article_changes.c.seq))).scalar() or 0)

    def change_cursor(self, consumer: str) -> ChangeCursor | None:
        """How far ``consumer`` has been written (None: never opened)."""
        cc = s.change_cursors.c
        with self._read() as conn:
            row = conn.execute(
                select(cc.seq, cc.pending_seq, cc.pending_file).where(cc.consumer == consumer)
            ).first()
        return ChangeCursor(consumer, row.seq, row.pending_seq, row.pending_file) if row else None

    def open_change_cursor(self, consumer: str) -> ChangeCursor:
        """The cursor of ``consumer``, created when missing: a new consumer starts after
        the last change logged now, so it gets what is stored from now on. Its time is
        set to now (a cursor not opened for long is dropped: :meth:`prune_changes`)."""
        cc = s.change_cursors.c
        with self._write() as conn:
            row = conn.execute(
                select(cc.seq, cc.pending_seq, cc.pending_file).where(cc.consumer == consumer)
            ).first()
            if row is not None:
                conn.execute(
                    update(s.change_cursors)
                    .where(cc.consumer == consumer)
                    .values(updated_at=_utcnow())
                )
                return ChangeCursor(consumer, row.seq, row.pending_seq, row.pending_file)
            last = int(conn.execute(select(func.max(s.article_changes.c.seq))).scalar() or 0)
            conn.execute(
                s.change_cursors.insert().values(consumer=consumer, seq=last, updated_at=_utcnow())
            )
            return ChangeCursor(consumer, last)

    def set_change_cursor(
        self,
        consumer: str,
        seq: int,
        *,
        pending_seq: int | None = None,
        pending_file: str | None = None,
    ) -> None:
        """Record how far ``consumer`` was written (and a write about to be renamed into
        place, or none). Once no consumer needs them, changes are dropped from the log."""
        cc = s.change_cursors.c
        with self._write() as conn:
            conn.execute(
                update(s.change_cursors)
                .where(cc.consumer == consumer)
                .values(
                    seq=seq,
                    pending_seq=pending_seq,
                    pending_file=pending_file,
                    updated_at=_utcnow(),
                )
            )
            if pending_seq is None:
                oldest = conn.execute(select(func.min(cc.seq))).scalar()
                if oldest is not None:
                    conn.execute(
                        s.article_changes.delete().where(s.article_changes.c.seq <= oldest)
                    )

    def prune_changes(self, before: datetime | None = None) -> int:
        """Drop the changes no consumer can still want: those every cursor has written
        (all of them while there is no cursor: a new one starts after the last change)
        and, with ``before``, those logged before it (a consumer that has not been
        written since then misses them, and the cursors not opened since then are
        dropped); how many changes."""
        ch, cc = s.article_changes.c, s.change_cursors.c
        with self._write() as conn:
            if before is not None:
                conn.execute(s.change_cursors.delete().where(cc.updated_at < _to_utc_naive(before)))
            oldest = conn.execute(select(func.min(cc.seq))).scalar()
            stale = ch.seq <= oldest if oldest is not None else ch.seq.is_not(None)
            if before is not None:
                stale = stale | (ch.changed_at < _to_utc_naive(before))
            result = conn.execute(s.article_changes.delete().where(stale))
            return int(result.rowcount or 0)

    def changes_between(
        self, after: int, upto: int, *, raw: bool = False
    ) -> Iterator[tuple[Any, int, str]]:
        """The articles changed by the changes logged after ``after`` up to ``upto``: one
        (record, revision, change) each, as stored now, in the order of their first change
        there; ``change`` is ``new`` when the article was new among them, else
        ``updated``. ``raw``: the record as its stored JSON text."""
        ch, a = s.article_changes.c, s.articles.c
        changed = (
            select(
                ch.article_id,
                func.min(ch.seq).label("first"),
                func.max(case((ch.kind == "new", 1), else_=0)).label("is_new"),
            )
            .where(ch.seq > after)
            .where(ch.seq <= upto)
            .group_by(ch.article_id)
            .subquery("changed")
        )
        stmt = (
            select(a.data, a.revision, changed.c.is_new)
            .join(changed, changed.c.article_id == a.article_id)
            .order_by(changed.c.first)
        )
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data, revision, is_new in result:
                record = data if raw else json.loads(data)
                yield record, int(revision), "new" if is_new else "updated"

    def export_changes(
        self, since: datetime | None = None, *, raw: bool = False
    ) -> Iterator[tuple[Any, int, str]]:
        """:meth:`export` with each article's revision and change relative to ``since``:
        ``new`` (first stored then or later; every article when ``since`` is None),
        ``updated`` (its content changed then or later) or ``merged`` (only its
        categories or URL did). ``raw``: the record as its stored JSON text."""
        a = s.articles.c
        stmt = select(a.data, a.revision, a.first_seen, a.revised_at, a.changed_at).order_by(
            a.changed_at, a.article_num, a.article_id
        )
        cut = _to_utc_naive(since) if since is not None else None
        if cut is not None:
            stmt = stmt.where(a.changed_at >= cut)
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data, revision, first_seen, revised_at, changed_at in result:
                if cut is None or first_seen >= cut:
                    change = "new"
                elif (revised_at or changed_at) >= cut:
                    change = "updated"
                else:
                    change = "merged"
                yield data if raw else json.loads(data), int(revision), change

    # -- runs -----------------------------------------------------------------------------

    def start_run(self, started_at: datetime | None = None) -> int:
        with self._write() as conn:
            result = conn.execute(
                s.runs.insert().values(
                    started_at=_to_utc_naive(started_at) if started_at else _utcnow(),
                    status="running",
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(
        self,
        run_id: int,
        status: str,
        summary: Mapping[str, Any] | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                update(s.runs)
                .where(s.runs.c.run_id == run_id)
                .values(
                    status=status,
                    finished_at=_to_utc_naive(finished_at) if finished_at else _utcnow(),
                    summary=json.dumps(summary, ensure_ascii=False, default=str)
                    if summary is not None
                    else None,
                )
            )

    def record_run(
        self,
        *,
        started_at: datetime,
        finished_at: datetime | None = None,
        exit_code: int | None = None,
        status: str | None = None,
        summary: str | None = None,
        stats: Mapping[str, Any] | None = None,
    ) -> int:
        """Record a finished run in one call (what ``danvan run`` does); its run_id.

        ``status`` defaults from ``exit_code``: 0 ``ok``, 3 ``alarm``, else ``failed``.
        The summary JSON holds ``{"exit_code", "summary", "stats"}``.
        """
        if status is None:
            status = {0: "ok", 3: "alarm", None: "ok"}.get(exit_code, "failed")
        payload = {"exit_code": exit_code, "summary": summary, "stats": dict(stats or {})}
        with self._write() as conn:
            result = conn.execute(
                s.runs.insert().values(
                    started_at=_to_utc_naive(started_at),
                    finished_at=_to_utc_naive(finished_at) if finished_at else _utcnow(),
                    status=status,
                    summary=json.dumps(payload, ensure_ascii=False, default=str),
                )
            )
            return int(result.inserted_primary_key[0])

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Most recent runs first: {run_id, started_at, finished_at, status, summary}."""
        r = s.runs.c
        with self._read() as conn:
            rows = conn.execute(select(s.runs).order_by(r.run_id.desc()).limit(limit)).all()
        return [
            {
                "run_id": row.run_id,
                "started_at": row.started_at.replace(tzinfo=UTC),
                "finished_at": row.finished_at.replace(tzinfo=UTC) if row.finished_at else None,
                "status": row.status,
                "summary": json.loads(row.summary) if row.summary else None,
            }
            for row in rows
        ]


def open_store(
    url_or_path: str | os.PathLike[str] = DEFAULT_DB,
    *,
    duplicate_threshold: float = DEFAULT_THRESHOLD,
    duplicate_min_tokens: int = DEFAULT_MIN_TOKENS,
) -> Store:
    """Open (create and migrate when needed) the store at a path or database URL."""
    return Store(
        _engine_for(url_or_path),
        duplicate_threshold=duplicate_threshold,
        duplicate_min_tokens=duplicate_min_tokens,
    )
