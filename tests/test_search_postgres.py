"""Search on a PostgreSQL store (tsvector over the ``unaccent`` configuration): the same
folded query forms find the same articles as on SQLite, ranked headline first, snippets
marked in the printed text. Skipped (failed with ``CI=true``) without PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from danvan_crawler.store import open_store
from danvan_crawler.store.search import MARK_END, MARK_START, search
from tests.test_postgres import pg_url  # noqa: F401  (the fixture)
from tests.test_search import TEXTS, aid, article, ids
from tests.test_search_ranking import CASES, ranked


@pytest.fixture
def pg_store(pg_url: str) -> Any:  # noqa: F811
    with open_store(pg_url) as st:
        st.upsert([article(*t) for t in TEXTS])
        yield st


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        # the words typed are a phrase; a comma separates phrases (as on SQLite)
        (["dan van kheo", "Dân vận khéo", "DÂN VẬN KHÉO"], {1, 2, 3}),
        (["dan van, kheo", '"dan van" kheo'], {1, 2, 3, 6}),
        (["tinh uy", "Tỉnh uỷ", "Tỉnh ủy"], {4, 5, 7}),
        (['"dan van kheo"', "“Dân vận khéo”"], {1, 2, 3}),
        (["tinh uy -nghe"], {5, 7}),
    ],
)
def test_folded_forms_on_postgres(pg_store: Any, forms: list[str], expected: set[int]) -> None:
    for query in forms:
        assert set(ids(search(pg_store, query, limit=50))) == {aid(n) for n in expected}, query


def test_ranking_snippets_and_edits_on_postgres(pg_store: Any) -> None:
    assert ids(search(pg_store, '"dan van kheo"')) == [aid(1), aid(2), aid(3)]
    (hit,) = search(pg_store, "tinh uy -nghe -doi")
    assert f"{MARK_START}Tỉnh{MARK_END} {MARK_START}ủy{MARK_END}" in hit.title
    pg_store.upsert([article(4, "Ban Thường vụ họp", "Chỉ đạo mùa lũ.", "Kết luận.")])
    assert aid(4) not in ids(search(pg_store, "tinh uy"))
    assert ids(search(pg_store, "mua lu")) == [aid(4)]
    # a document number is a phrase of its words, whatever the punctuation
    pg_store.upsert([article(11, "Học Nghị quyết số 25-NQ/TW", "Quán triệt.", "Chi bộ.")])
    for query in ("25-NQ/TW", "25 nq tw", "nghị quyết số 25"):
        assert ids(search(pg_store, query)) == [aid(11)], query


@pytest.mark.parametrize("case", ["length", "frequency", "headline"])
def test_weighted_ranking_on_postgres(pg_url: str, case: str) -> None:  # noqa: F811
    texts, query, expected = CASES[case]
    with open_store(pg_url) as st:
        assert ids(ranked(st, texts, query)) == [aid(n) for n in expected]


def test_without_unaccent_the_folded_texts_are_indexed(
    pg_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server without the extension (or without the right to create it): the store
    still opens, and search works on the texts folded by us, snippets marked as printed."""
    from sqlalchemy import text

    from danvan_crawler.store.search import postgres

    # back to a store of before the search index
    with open_store(pg_url) as st, st.engine.begin() as conn:
        conn.execute(text("DROP TABLE article_search"))
        conn.execute(text("DROP TEXT SEARCH CONFIGURATION danvan_fold"))
        conn.execute(text("DELETE FROM schema_version WHERE version >= 6"))
    monkeypatch.setattr(postgres, "_unaccent_schema", lambda conn: None)
    with open_store(pg_url) as st:
        with st.engine.connect() as conn:
            assert postgres._pg_folded(conn)
        st.upsert([article(*t) for t in TEXTS])
        for query in ("dan van kheo", "Dân vận khéo", "DÂN VẬN KHÉO"):
            assert set(ids(search(st, query, limit=50))) == {aid(n) for n in (1, 2, 3)}
        (hit,) = search(st, "tinh uy -nghe -doi")
        assert f"{MARK_START}Tỉnh ủy{MARK_END}" in hit.title  # the phrase, marked here
