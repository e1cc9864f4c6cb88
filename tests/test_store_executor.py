"""The statement executor reads compiled statements' internals (bind order, escaped
names, type processors): on each dialect it must give what ``Connection.execute``
gives, and raise SQLAlchemy's exceptions. These checks hold the upper bound on
SQLAlchemy in pyproject.toml: raise it once they pass on the next minor version."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    func,
    literal,
    select,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from danvan_crawler.store.executor import _IN_SIZES, _Prepared, _rows_in, _slots
from danvan_crawler.store.postgres import _driver_url
from tests.test_postgres import pg_url  # noqa: F401  (the fixture)

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("thing_id", String(8), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("seen", DateTime, nullable=True),
    # a column whose name needs its bind parameter escaped (a space, a dot)
    Column("odd name.x", Integer, nullable=True),
)

ROWS = [
    {"thing_id": "a", "n": 1, "seen": datetime(2026, 1, 2, 3, 4, 5, 6), "odd name.x": 7},
    {"thing_id": "b", "n": 2, "seen": None, "odd name.x": None},
    {"thing_id": "c", "n": 2, "seen": datetime(2025, 12, 31), "odd name.x": 9},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'x.db'}"
    else:
        url = str(_driver_url(request.getfixturevalue("pg_url")))
    engine = create_engine(url)
    with engine.begin() as conn:
        metadata.create_all(conn)
    yield engine
    engine.dispose()


def test_prepared_statements_give_what_connection_execute_gives(engine: Engine) -> None:
    t = things.c
    insert = _Prepared(things.insert(), engine.dialect)
    with engine.begin() as conn:
        insert.executemany(conn, ROWS[:2])
        insert.execute(conn, ROWS[2])
        by_id = select(things).where(t.thing_id == bindparam("b_id"))
        for row in ROWS:
            expected = conn.execute(by_id, {"b_id": row["thing_id"]}).all()
            assert _Prepared(by_id, engine.dialect).rows(conn, {"b_id": row["thing_id"]}) == [
                tuple(r) for r in expected
            ]
            assert expected == [tuple(row.values())]
        # a value bound in the statement itself (HAVING constant), a parameter used twice
        counted = (
            select(t.n, func.count().label("k"))
            .where(t.n <= bindparam("b_max"))
            .where(t.n >= bindparam("b_max") - 1)
            .group_by(t.n)
            .having(func.count() >= literal(2))
            .order_by(t.n)
        )
        prepared = _Prepared(counted, engine.dialect)
        assert prepared.rows(conn, {"b_max": 2}) == [
            tuple(r) for r in conn.execute(counted, {"b_max": 2})
        ]
        assert prepared.rows(conn, {"b_max": 2}) == [(2, 2)]
        # the padded IN lists of the store
        by_size = {
            size: _Prepared(
                select(t.thing_id, t.seen).where(t.thing_id.in_(_slots(size))), engine.dialect
            )
            for size in _IN_SIZES
        }
        found = dict(_rows_in(conn, by_size, ["c", "a", "zz", "a"]))
        assert found == {"a": ROWS[0]["seen"], "c": ROWS[2]["seen"]}


def test_errors_are_sqlalchemy_errors(engine: Engine) -> None:
    insert = _Prepared(things.insert(), engine.dialect)
    with pytest.raises(sa_exc.IntegrityError), engine.begin() as conn:
        insert.executemany(conn, [ROWS[0], ROWS[0]])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(things)).scalar() == 0
