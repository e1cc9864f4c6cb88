"""The :class:`Store`: articles, URLs, categories, validators and runs (see package doc)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
from collections import OrderedDict, namedtuple
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal, cast

from itemadapter import ItemAdapter
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    distinct,
    event,
    func,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import make_url

from danvan_crawler.similarity import (
    BANDS,
    DEFAULT_MIN_TOKENS,
    DEFAULT_THRESHOLD,
    MAX_BAND_SHARERS,
    MIN_SHARED_BANDS,
    article_tokens,
    band_keys,
    pack_sketch,
)
from danvan_crawler.store import schema as s
from danvan_crawler.store import search
from danvan_crawler.store.base import _dumps, _to_utc_naive, _utcnow
from danvan_crawler.store.changes import ChangeLog
from danvan_crawler.store.executor import _IN_SIZES, _Prepared, _rows_in, _slots
from danvan_crawler.store.near import (
    MAX_CANDIDATES,
    NearDuplicates,
)
from danvan_crawler.store.places import PlaceQueries, index_article
from danvan_crawler.store.places import write_pending as write_index
from danvan_crawler.store.runs import RunHistory
from danvan_crawler.store.state import CrawlState
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
#: Content hashes remembered by :meth:`Store.content_hash` for the article's upsert.
HASH_MEMO_SIZE = 1024


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
    names = _dataclass_fields(type(article))  # type: ignore[arg-type]  # a class is hashable
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


#: Sizes of the precompiled ``IN`` lists of a batch's article ids (50 by default).
_BATCH_IN_SIZES = (1, 8, 64, 500)

#: A row of ``articles`` read by :meth:`Store._prefetch` (attributes by column name).
#: typed Any: its fields are the table's columns, known only at import
_ArticleRow: Any = cast(Any, namedtuple("_ArticleRow", list(s.articles.columns.keys())))


@dataclass(slots=True)
class _Pending:
    """Rows of a batch written at its end, one statement each (nothing in the batch
    reads them, except the order sync of links, which writes the pending links first)."""

    urls: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    #: rows of the change log (new and updated articles), in order
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: place and document rows of new articles (store/places.py)
    index: tuple[list[dict[str, Any]], list[dict[str, Any]]] = field(
        default_factory=lambda: ([], [])
    )


class Store(NearDuplicates, CrawlState, ChangeLog, RunHistory, PlaceQueries):
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

    def _insert(self, table: Table) -> Any:
        """INSERT with ``on_conflict_do_*`` for this dialect (the one dialect switch)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects import postgresql

            return postgresql.insert(table)
        if self.dialect == "sqlite":
            from sqlalchemy.dialects import sqlite

            return sqlite.insert(table)
        # other backends need their own upsert
        raise StoreError(f"unsupported database dialect {self.dialect!r}")

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
        write_index(conn, pending.index)

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
        index_article(
            conn, article_id, data, published, num, fresh=kind == "new", pending=pending.index
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
        links: list[dict[str, Any]] = []
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

    def contents(self) -> dict[str, Any]:
        """What the store holds (``danvan stats``): articles, those marked duplicates and
        the published dates' range (naive UTC, as stored) in all (``articles``,
        ``duplicates``, ``oldest``, ``newest``), per category (``categories``: name, url,
        sub_site and the same figures; every category, by sub-site and name) and per
        sub-site (``sub_sites``: name, articles)."""
        a, ac, c = s.articles.c, s.article_categories.c, s.categories.c
        with self._read() as conn:
            total, duplicates, oldest, newest = conn.execute(
                select(
                    func.count(),
                    func.count(a.duplicate_of),
                    func.min(a.date_published),
                    func.max(a.date_published),
                )
            ).one()
            per_category = conn.execute(
                select(
                    c.name,
                    c.url,
                    c.sub_site,
                    func.count(ac.article_id),
                    func.count(a.duplicate_of),
                    func.min(a.date_published),
                    func.max(a.date_published),
                )
                .select_from(
                    s.categories.outerjoin(
                        s.article_categories, ac.category_id == c.category_id
                    ).outerjoin(s.articles, a.article_id == ac.article_id)
                )
                .group_by(c.category_id, c.name, c.url, c.sub_site)
                .order_by(c.sub_site, c.name)
            ).all()
            per_sub_site = conn.execute(
                select(c.sub_site, func.count(distinct(ac.article_id)))
                .select_from(
                    s.categories.join(s.article_categories, ac.category_id == c.category_id)
                )
                .group_by(c.sub_site)
                .order_by(c.sub_site)
            ).all()
        return {
            "articles": total,
            "duplicates": duplicates,
            "oldest": oldest,
            "newest": newest,
            "sub_sites": [{"name": name, "articles": n} for name, n in per_sub_site],
            "categories": [
                {
                    "name": name,
                    "url": url,
                    "sub_site": sub_site,
                    "articles": n,
                    "duplicates": dupes,
                    "oldest": old,
                    "newest": new,
                }
                for name, url, sub_site, n, dupes, old, new in per_category
            ],
        }


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
