"""The :class:`Store`, composed of one mixin per job (see the package doc), and how a
store is opened: its engine and its migrations."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from danvan_crawler.similarity import DEFAULT_MIN_TOKENS, DEFAULT_THRESHOLD
from danvan_crawler.store import schema as s
from danvan_crawler.store import search
from danvan_crawler.store.articles import ArticleWrites
from danvan_crawler.store.base import StoreError, _utcnow
from danvan_crawler.store.changes import ChangeLog
from danvan_crawler.store.places import PlaceQueries
from danvan_crawler.store.queries import ArticleQueries
from danvan_crawler.store.records import (
    NON_CONTENT_FIELDS,
    TRANSIENT_FIELDS,
    Change,
    ChangeKind,
    article_dict,
    content_hash,
    merge_categories,
)
from danvan_crawler.store.runs import RunHistory
from danvan_crawler.store.state import CrawlState

__all__ = [
    "DEFAULT_DB",
    "NON_CONTENT_FIELDS",
    "TRANSIENT_FIELDS",
    "Change",
    "ChangeKind",
    "Store",
    "StoreError",
    "article_dict",
    "content_hash",
    "merge_categories",
    "open_store",
]

logger = logging.getLogger(__name__)

#: Default database (relative to the working folder), setting ``DANVAN_DB``.
DEFAULT_DB = "danvan.db"


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


class Store(ArticleWrites, ArticleQueries, CrawlState, ChangeLog, RunHistory, PlaceQueries):
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
        # the hot statements, compiled once per store
        self._prepare_articles()
        self._prepare_categories()
        self._prepare_near()
        self._prepare_state()
        self._migrate()

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

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """A named lock among the processes sharing this store, never waited for:
        yields whether this process holds it. PostgreSQL: a session advisory lock in the
        store's schema; SQLite: always held (one machine's runs take the run lock)."""
        if self.dialect != "postgresql":
            yield True
            return
        from danvan_crawler.store.postgres import advisory_lock

        with advisory_lock(self.engine, name) as held:
            yield held

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
