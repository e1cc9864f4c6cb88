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
from danvan_crawler.store.search import search
from tests.test_search import aid, article, ids

#: Words that make none of the phrases searched below.
PADDING = (
    "Các đồng chí cán bộ đảng viên tham dự hội nghị sơ kết công tác tháng này"
    " và thảo luận kế hoạch năm tới của địa phương."
)
FILLER = [
    (100 + n, f"Hội nghị sơ kết quý {n}", f"Tổng kết công tác quý {n}.", PADDING) for n in range(24)
]


def searched(tmp_path: Path, texts: list[tuple[int, str, str, str]], query: str) -> list[str]:
    with open_store(tmp_path / "rank.db") as st:
        st.upsert([article(*t) for t in [*FILLER, *texts]], detect_duplicates=False)
        hits = search(st, query, limit=10)
    assert all(h.rank < 0 for h in hits)  # bm25 as FTS5 gives it: lower is better
    return ids(hits)


def test_a_short_article_ranks_above_a_long_one_with_the_phrase_as_often(
    tmp_path: Path,
) -> None:
    texts = [
        (1, "Tin ngắn", "Tin ở xã.", "Xã có mô hình nuôi ong."),
        (2, "Tin ngắn", "Tin ở xã.", "Xã có mô hình nuôi ong. " + PADDING * 4),
    ]
    assert searched(tmp_path, texts, "nuôi ong") == [aid(1), aid(2)]


def test_term_frequency_counts(tmp_path: Path) -> None:
    # three words: the phrase's frequency is its rarest pair token's
    often = "Nuôi ong mật giỏi. Nhà nhà nuôi ong mật. Hợp tác xã nuôi ong mật."
    once = "Nuôi ong mật giỏi. Nhà nhà trồng lúa tốt. Hợp tác xã trồng cây ăn quả."
    texts = [(1, "Tin ngắn", "Tin ở xã.", often), (2, "Tin ngắn", "Tin ở xã.", once)]
    assert searched(tmp_path, texts, "nuoi ong mat") == [aid(1), aid(2)]


def test_a_rarer_phrase_counts_more_than_a_common_one(tmp_path: Path) -> None:
    # "cá giống" in a third of the articles, "lúa nước" in two: 1 has the rare phrase
    # three times and the common one once, 2 the other way round (the same length)
    common = [(200 + n, f"Tin số {n}", "Thả cá giống.", PADDING) for n in range(10)]
    texts = [
        (1, "Tin ngắn", "Tin ở xã.", "Lúa nước tốt, lúa nước xanh, lúa nước nhiều, cá giống."),
        (2, "Tin ngắn", "Tin ở xã.", "Cá giống tốt, cá giống xanh, cá giống nhiều, lúa nước."),
    ]
    assert searched(tmp_path, [*common, *texts], "lúa nước, cá giống") == [aid(1), aid(2)]


@pytest.mark.parametrize("query", ["nuôi ong", "NUOI ONG", "ong"])
def test_a_phrase_in_a_short_headline_ranks_above_it_in_a_long_body(
    tmp_path: Path, query: str
) -> None:
    texts = [
        (1, "Nuôi ong", "Tin ở xã.", PADDING),
        (2, "Tin ngắn", "Tin ở xã.", "Xã nuôi ong. " + PADDING * 3 + " Nhà nhà nuôi ong."),
        (3, "Tin ngắn", "Xã nuôi ong.", PADDING),
    ]
    assert searched(tmp_path, texts, query) == [aid(1), aid(3), aid(2)]


def test_the_rank_is_byte_stable(tmp_path: Path) -> None:
    texts = [(n, "Tin ngắn", "Tin ở xã.", "Nuôi ong. " + PADDING * (n % 3)) for n in range(1, 9)]
    with open_store(tmp_path / "s.db") as st:
        st.upsert([article(*t) for t in [*FILLER, *texts]], detect_duplicates=False)
        first: list[Any] = [(h.record["articleId"], h.rank) for h in search(st, "nuoi ong")]
        again = [(h.record["articleId"], h.rank) for h in search(st, "nuoi ong")]
    assert first == again
    assert [r for _, r in first] == sorted(r for _, r in first)
