"""What every part of the store shares: its engine, its transactions, the dialect's
upsert, the rows a batch writes at its end and UTC times as stored (naive)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table


class StoreError(RuntimeError):
    """The store cannot be opened or used (e.g. a schema newer than this code)."""


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


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


class StoreBase:
    """The engine and the two kinds of transaction every job of the store runs in."""

    engine: Engine
    dialect: str
    _category_cache: dict[str, tuple[int, dict[str, Any]]]

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
