"""The statement executor: Core statements compiled once and run on the DBAPI cursor.

It reads compiled statements' internals (bind order, escaped names, type processors),
hence the upper bound on SQLAlchemy in pyproject.toml; ``tests/test_store_executor.py``
checks it against ``Connection.execute`` on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect


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
