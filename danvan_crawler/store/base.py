"""What every part of the store shares: its engine, its transactions and UTC times as
stored (naive)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _to_utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class StoreBase:
    """The engine and the two kinds of transaction every job of the store runs in."""

    engine: Engine
    dialect: str
    _category_cache: dict[str, tuple[int, dict[str, Any]]]

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
