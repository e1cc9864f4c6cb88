"""PostgreSQL behind the store (``--db postgresql://...``): same schema, same migrations.

``postgres_engine(url)`` builds the engine :func:`danvan_crawler.store.open_store` uses for
a ``postgresql://`` URL:

- Driver: psycopg 3 (``postgresql://`` means ``postgresql+psycopg://``; an explicit
  driver in the URL is kept). Install with the ``scale`` extra.
- One site per schema: ``postgresql://host/db?options=-csearch_path%3Dnghean`` (libpq's
  own ``options``; the schema must exist, ``ensure_schema`` creates it). Without it the
  tables live in ``public``.
- **Concurrent writers are safe.** Every write transaction of the store (what SQLite's
  ``BEGIN IMMEDIATE`` serializes) starts by taking a transaction-level advisory lock
  (``pg_advisory_xact_lock(STORE_LOCK, hashtext(current_schema()))``), so writers of one
  schema take turns, each seeing what the previous one committed (READ COMMITTED). That
  makes the upsert's read-then-write exact under races (one record per article id, the
  revision counted once, categories merged), keeps near-duplicate decisions independent
  of which worker stored what first, and serializes migrations when several workers
  open a fresh database at once. Readers never wait. Writes are milliseconds; fetching
  and extraction, the expensive part of a crawl, stay parallel.
- ``advisory_lock(engine, name)``: a session-level, non-blocking named lock (e.g. one
  publisher per store); released when the context ends or the connection dies.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

logger = logging.getLogger(__name__)

__all__ = [
    "STORE_LOCK",
    "advisory_lock",
    "ensure_schema",
    "is_postgres_url",
    "postgres_engine",
]

#: First key of the store's writer lock (second key: hash of the current schema).
STORE_LOCK = 0x64616E  # "dan"


def is_postgres_url(value: object) -> bool:
    """True for ``postgresql://`` / ``postgresql+driver://`` (and ``postgres://``) URLs."""
    text_value = str(value)
    return text_value.startswith(("postgresql://", "postgresql+", "postgres://"))


def _driver_url(url: str | URL) -> URL:
    parsed = make_url(str(url).replace("postgres://", "postgresql://", 1))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def postgres_engine(url: str | URL, **kwargs: Any) -> Engine:
    """An engine whose write transactions (execution option ``danvan_write``) take the
    store's advisory lock first."""
    engine = create_engine(_driver_url(url), pool_pre_ping=True, **kwargs)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("danvan_write", False):
            conn.exec_driver_sql(
                f"SELECT pg_advisory_xact_lock({STORE_LOCK}, hashtext(current_schema()))"
            )

    return engine


def ensure_schema(url: str | URL, schema: str) -> None:
    """Create ``schema`` when missing (safe when several processes do it at once)."""
    engine = create_engine(_driver_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": STORE_LOCK})
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        engine.dispose()


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) - 2**31  # a signed 32-bit int


@contextmanager
def advisory_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the named session-level advisory lock (in the current schema); yields
    True when this process holds it, False when another does. Never waits."""
    with engine.connect() as conn:
        key = _lock_key(name)
        got = bool(
            conn.execute(
                text("SELECT pg_try_advisory_lock(hashtext(current_schema()), :k)"), {"k": key}
            ).scalar()
        )
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(
                    text("SELECT pg_advisory_unlock(hashtext(current_schema()), :k)"), {"k": key}
                )
                conn.commit()
