"""Search ranks by bm25 (SQLite): a phrase rare in the index counts more than a common
one, a phrase found more often counts more, the same count in a short article more than
in a long one, and the headline above the lead above the body.

Each case stores the article expected first before the other, so that "newest first"
(the order of ties, and of a ranking that ignores these) would put it second. The
filler articles make the phrases rare enough in the index for an IDF above zero (FTS5
gives a phrase in more than half the articles almost none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from danvan_crawler.store import open_store
from danvan_crawler.store.search import pairs_of, search
from tests.test_search import aid, article, ids

#: Words that make none of the phrases searched below.
PADDING = (
    "Các đồng chí cán bộ đảng viên tham dự hội nghị sơ kết công tác tháng này"
    " và thảo luận kế hoạch năm tới của địa phương."
)
FILLER = [
    (100 + n, f"Hội nghị sơ kết quý {n}", f"Tổng kết công tác quý {n}.", PADDING) for n in range(24)
]


#: (articles, query, the order expected) of each case; PostgreSQL ranks the cases
#: but "rarer" the same (``ts_rank_cd`` has no IDF).
CASES: dict[str, tuple[list[tuple[int, str, str, str]], str, list[int]]] = {
    # a short article ranks above a long one with the phrase as often
    "length": (
        [
            (1, "Tin ngắn", "Tin ở xã.", "Xã có mô hình nuôi ong."),
            (2, "Tin ngắn", "Tin ở xã.", "Xã có mô hình nuôi ong. " + PADDING * 4),
        ],
        "nuôi ong",
        [1, 2],
    ),
    # term frequency counts (three words: the phrase's frequency is its rarest pair's)
    "frequency": (
        [
            (1, "Tin ngắn", "Tin ở xã.", "Nuôi ong mật giỏi. Nhà nuôi ong mật. Xã nuôi ong mật."),
            (2, "Tin ngắn", "Tin ở xã.", "Nuôi ong mật giỏi. Nhà trồng lúa tốt. Xã trồng cây."),
        ],
        "nuoi ong mat",
        [1, 2],
    ),
    # a rarer phrase counts more than a common one: "cá giống" in a third of the
    # articles, "lúa nước" in two; 1 has the rare phrase three times and the common one
    # once, 2 the other way round (the same length)
    "rarer": (
        [
            *((200 + n, f"Tin số {n}", "Thả cá giống.", PADDING) for n in range(10)),
            (1, "Tin ngắn", "Tin ở xã.", "Lúa nước tốt, lúa nước xanh, lúa nước nhiều, cá giống."),
            (2, "Tin ngắn", "Tin ở xã.", "Cá giống tốt, cá giống xanh, cá giống nhiều, lúa nước."),
        ],
        "lúa nước, cá giống",
        [1, 2],
    ),
    # the headline above the lead above the body (said twice in a long body)
    "headline": (
        [
            (1, "Nuôi ong", "Tin ở xã.", PADDING),
            (2, "Tin ngắn", "Tin ở xã.", "Xã nuôi ong. " + PADDING * 3 + " Nhà nhà nuôi ong."),
            (3, "Tin ngắn", "Xã nuôi ong.", PADDING),
        ],
        "NUOI ONG",
        [1, 3, 2],
    ),
}


def ranked(store: Any, texts: list[tuple[int, str, str, str]], query: str) -> list[Any]:
    """The hits of ``query`` once ``texts`` and the filler are stored (in that order)."""
    store.upsert([article(*t) for t in [*FILLER, *texts]], detect_duplicates=False)
    return search(store, query, limit=10)


@pytest.mark.parametrize("case", list(CASES))
def test_bm25_order(tmp_path: Path, case: str) -> None:
    texts, query, expected = CASES[case]
    with open_store(tmp_path / "rank.db") as st:
        hits = ranked(st, texts, query)
    assert ids(hits) == [aid(n) for n in expected]
    assert all(h.rank < 0 for h in hits)  # bm25 as FTS5 gives it: lower is better


@pytest.mark.parametrize("query", ["nuôi ong", "ong"])
def test_a_word_ranks_as_a_phrase_does(tmp_path: Path, query: str) -> None:
    texts, _, expected = CASES["headline"]
    with open_store(tmp_path / "rank.db") as st:
        assert ids(ranked(st, texts, query)) == [aid(n) for n in expected]


def test_the_rank_is_byte_stable(tmp_path: Path) -> None:
    texts = [(n, "Tin ngắn", "Tin ở xã.", "Nuôi ong. " + PADDING * (n % 3)) for n in range(1, 9)]
    with open_store(tmp_path / "s.db") as st:
        first = [(h.record["articleId"], h.rank) for h in ranked(st, texts, "nuoi ong")]
        again = [(h.record["articleId"], h.rank) for h in search(st, "nuoi ong")]
    assert first == again
    assert [r for _, r in first] == sorted(r for _, r in first)


def test_the_rarest_pair_follows_the_index(tmp_path: Path) -> None:
    """The pair counts are kept an index state: a write to the index counts again."""
    from danvan_crawler.store.search import ranking

    nuoi_ong, ong_mat = pairs_of(["nuoi", "ong", "mat"])
    with open_store(tmp_path / "s.db") as st:
        first = [article(1, "Nuôi ong mật", "Tin.", "Tin."), article(2, "Nuôi ong", "Tin.", "Tin.")]
        st.upsert(first, detect_duplicates=False)
        with st.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert ranking.rarest(raw, [nuoi_ong, ong_mat]) == ong_mat
        more = [article(n, "Tin", "Tin.", "Ong mật ngọt.") for n in range(3, 6)]
        st.upsert(more, detect_duplicates=False)
        with st.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert ranking.rarest(raw, [nuoi_ong, ong_mat]) == nuoi_ong
