"""The store's place and document indexes (danvan_crawler.store.places, migration 5)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from danvan_crawler.places import find_places
from danvan_crawler.store import SCHEMA_VERSION, open_store
from danvan_crawler.store.core import content_hash
from tests import test_postgres
from tests.test_store import article

pg_url = test_postgres.pg_url  # the fixture: a store on a schema of its own

QUYNH_LUU = {"name": "Huyện Quỳnh Lưu", "code": "421", "level": "district", "current": False}
THAI_HOA = {"name": "Phường Thái Hòa", "code": "16939", "level": "ward", "current": True}
NQ25 = {"kind": "Nghị quyết", "number": "25", "code": "NQ", "issuer": "TW", "raw": "25-NQ/TW"}
QC07 = {"kind": "Quy chế", "number": "7", "code": "QC", "issuer": "TU", "raw": "07-QC/TU"}


def tagged(article_id: str, day: int, places: list[Any], refs: list[Any]) -> dict[str, Any]:
    return article(
        article_id,
        datePublished=f"2024-01-{day:02d}T08:00:00+07:00",
        places=places,
        documentRefs=refs,
    )


def ids(articles: list[dict[str, Any]]) -> list[str]:
    return [a["articleId"] for a in articles]


def test_place_and_document_feeds_read_their_articles_newest_first(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        check_feeds(store)


def test_place_and_document_feeds_on_postgresql(request: pytest.FixtureRequest) -> None:
    with open_store(request.getfixturevalue("pg_url")) as store:
        check_feeds(store)


def check_feeds(store: Any) -> None:
    store.upsert(
        [
            tagged("101", 1, [QUYNH_LUU], [NQ25]),
            tagged("102", 3, [QUYNH_LUU, THAI_HOA], [NQ25, QC07]),
            tagged("103", 2, [THAI_HOA], []),
            tagged("104", 4, [], [NQ25]),
        ]
    )
    places = {p["slug"]: p for p in store.places()}
    assert places["huyen-quynh-luu"] == {
        "slug": "huyen-quynh-luu",
        **QUYNH_LUU,
        "articles": 2,
    }
    assert places["phuong-thai-hoa"]["articles"] == 2
    assert ids(store.latest_in_place("huyen-quynh-luu")) == ["102", "101"]
    assert ids(store.latest_in_place("phuong-thai-hoa", limit=1)) == ["102"]
    # documents: only those cited by two articles at least
    documents = store.documents()
    assert [(d["slug"], d["title"], d["articles"]) for d in documents] == [
        ("nghi-quyet-25-nq-tw", "Nghị quyết số 25-NQ/TW", 3)
    ]
    assert ids(store.latest_citing("nghi-quyet-25-nq-tw")) == ["104", "102", "101"]
    assert [d["slug"] for d in store.documents(min_articles=1)] == [
        "nghi-quyet-25-nq-tw",
        "quy-che-7-qc-tu",
    ]

    # an update replaces the article's rows
    store.upsert([dict(tagged("102", 3, [THAI_HOA], []), headline="Sửa")])
    assert ids(store.latest_in_place("huyen-quynh-luu")) == ["101"]
    assert ids(store.latest_citing("nghi-quyet-25-nq-tw")) == ["104", "101"]


def test_new_then_updated_in_one_batch_keeps_the_last_rows(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        first = tagged("101", 1, [QUYNH_LUU], [NQ25])
        second = dict(tagged("101", 1, [THAI_HOA], [QC07]), headline="Sửa")
        kinds = [c.kind for c in store.upsert([first, second])]
        assert kinds == ["new", "updated"]
        assert [p["slug"] for p in store.places()] == ["phuong-thai-hoa"]
        assert [d["slug"] for d in store.documents(min_articles=1)] == ["quy-che-7-qc-tu"]


def test_copies_are_left_out_of_place_feeds(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        original = tagged("101", 1, [QUYNH_LUU], [NQ25])
        copy = dict(original, articleId="105", url=original["url"] + "x")
        copy["canonicalUrl"] = copy["url"]
        copy["datePublished"] = "2024-02-01T08:00:00+07:00"
        (_, change) = store.upsert([original, copy])
        assert change.duplicate_of == "101"
        assert ids(store.latest_in_place("huyen-quynh-luu")) == ["101"]
        assert store.places()[0]["articles"] == 1
        assert store.documents() == []  # one article, its copy not counted


def test_migration_5_tags_and_indexes_the_stored_articles(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    old = article("101", headline="Dân vận khéo ở huyện Quỳnh Lưu", documentRefs=[NQ25])
    with open_store(db) as store:
        store.upsert([old, article("102", documentRefs=[NQ25])])
    conn = sqlite3.connect(db)  # back to version 4
    conn.executescript(
        """
        DROP TABLE article_places; DROP TABLE article_documents;
        DELETE FROM schema_version WHERE version > 4;
        """
    )
    conn.commit()
    conn.close()
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        stored = store.get("101")
        assert stored["places"] == find_places(old) == [QUYNH_LUU]
        assert store.record("101")["content_hash"] == content_hash(stored)
        assert ids(store.latest_in_place("huyen-quynh-luu")) == ["101"]
        assert [d["articles"] for d in store.documents()] == [2]
        # the crawl that finds the page unchanged (now with its places) stores nothing
        (change,) = store.upsert([dict(old, places=[QUYNH_LUU])])
        assert change.kind == "unchanged"
    rows = sqlite3.connect(db).execute("SELECT data FROM articles WHERE article_id='102'")
    assert json.loads(rows.fetchone()[0])["places"] == []
