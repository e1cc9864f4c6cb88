"""The crawl's state rows in their own table: set and unset through the store, and a
store of schema version 6 (state kept as ``danvan-state:`` pseudo-URL rows of
``http_validators``) carried over by its migration, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from danvan_crawler.incremental import IncrementalState
from danvan_crawler.store import SCHEMA_VERSION, open_store
from danvan_crawler.store import schema as s
from danvan_crawler.store.postgres import _driver_url
from tests.test_postgres import pg_url  # noqa: F401  (the fixture)

CAT_A = "http://portal.test/vi-vn/chuyen-muc/a/1"
CAT_B = "http://portal.test/vi-vn/chuyen-muc/b/2"
CAT_C = "http://portal.test/vi-vn/chuyen-muc/c/3"
LISTING = CAT_A + "?page=2"

#: Rows of ``http_validators`` as the crawl of schema version 6 wrote them: the state
#: under pseudo-URLs (value in ``etag``, NULL once unset) next to real validators.
VERSION_6_VALIDATORS = [
    ("danvan-state:walked:" + CAT_A, "1", None),
    ("danvan-state:walked:" + CAT_B, None, None),  # unset: walked no more
    ("danvan-state:categories", json.dumps([CAT_A, CAT_B, CAT_C]), None),
    (LISTING, '"etag-2"', "Mon, 27 Nov 2023 01:30:00 GMT"),
    ("http://portal.test/", None, "Tue, 28 Nov 2023 01:30:00 GMT"),
]


def build_version_6(url: str) -> None:
    """A store as schema version 6 made it: migrations 1 to 6 (the DDL of then, never
    edited), stamped 1 to 6, with crawl state and listing signatures in its rows."""
    engine = create_engine(_driver_url(url) if url.startswith("postgresql") else url)
    old = [(v, migration) for v, migration in s.MIGRATIONS if v <= 6]
    with engine.begin() as conn:
        s.metadata.create_all(conn, tables=[s.schema_version])
        for version, migration in old:
            migration(conn)
            conn.execute(
                s.schema_version.insert().values(version=version, applied_at=datetime.now())
            )
        for url_, etag, last_modified in VERSION_6_VALIDATORS:
            conn.execute(
                text(
                    "INSERT INTO http_validators (url, etag, last_modified, updated_at)"
                    " VALUES (:u, :e, :m, :t)"
                ),
                {"u": url_, "e": etag, "m": last_modified, "t": datetime(2026, 1, 1)},
            )
        conn.execute(
            text("INSERT INTO listing_signatures VALUES ('100', '2026-01-01T08:00:00', :t)"),
            {"t": datetime(2026, 1, 1)},
        )
    engine.dispose()


def check_carried_over(url: str) -> None:
    with open_store(url) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.crawl_state("walked:" + CAT_A) == "1"
        assert store.crawl_state("walked:" + CAT_B) is None
        assert store.crawl_state("categories") == json.dumps([CAT_A, CAT_B, CAT_C])
        # real validators and signatures stay; no pseudo-URL is left among validators
        assert store.get_validators(LISTING) == {
            "etag": '"etag-2"',
            "last_modified": "Mon, 27 Nov 2023 01:30:00 GMT",
        }
        assert store.get_validators("http://portal.test/") == {
            "etag": None,
            "last_modified": "Tue, 28 Nov 2023 01:30:00 GMT",
        }
        assert store.get_validators("danvan-state:categories") is None
        with store.engine.connect() as conn:
            urls = conn.execute(text("SELECT url FROM http_validators ORDER BY url")).scalars()
            assert list(urls) == ["http://portal.test/", LISTING]
        assert store.listing_signatures(["100"]) == {"100": "2026-01-01T08:00:00"}
        # the crawl reads the carried state as it read the pseudo-URL rows
        state = IncrementalState(store)
        assert state.is_walked(CAT_A)
        assert not state.is_walked(CAT_B) and not state.is_walked(CAT_C)
        assert state.saved_categories() == [CAT_A, CAT_B, CAT_C]
        state.set_walked(CAT_A, False)
        state.set_walked(CAT_C, True)
    with open_store(url) as store:
        fresh = IncrementalState(store)
        assert not fresh.is_walked(CAT_A) and fresh.is_walked(CAT_C)


def test_state_rows_are_set_and_unset(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.crawl_state("walked:x") is None
        store.set_crawl_state("walked:x", "1")
        store.set_crawl_states({"walked:y": "1", "categories": "[]"})
        store.set_crawl_state("walked:x", "2")
        assert store.crawl_state("walked:x") == "2"
        store.set_crawl_states({"walked:x": None, "walked:z": None})
        assert store.crawl_state("walked:x") is None
        assert store.crawl_state("walked:y") == "1"
        assert store.crawl_state("categories") == "[]"
        assert store.get_validators("walked:y") is None  # not an HTTP validator


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_version_6_state_is_carried_over(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'v6.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    build_version_6(url)
    check_carried_over(url)


def test_a_version_6_store_opened_twice_migrates_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v6.db'}"
    build_version_6(url)
    open_store(url).close()
    check_carried_over(url)
