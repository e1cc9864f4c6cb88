"""Batches of every size read their stored rows right (precompiled IN lists of 1, 8, 64
and 500 ids, padded; larger batches in chunks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_crawler.store import open_store
from tests.test_store import article, body


@pytest.mark.parametrize("size", [1, 2, 8, 9, 64, 65, 501])
def test_batch_of_known_and_new_articles(tmp_path: Path, size: int) -> None:
    ids = [str(10_000 + i) for i in range(size)]
    with open_store(tmp_path / "b.db") as store:
        first = store.upsert([article(i, articleBody=body(int(i), 40)) for i in ids[::2]])
        assert {c.kind for c in first} == {"new"}
        batch = [
            # every stored one again: the first of each three changed, the others not
            article(i, articleBody=body(int(i) + (k % 3 == 0), 40))
            for k, i in enumerate(ids)
            if k % 2 == 0
        ] + [article(i, articleBody=body(int(i), 40)) for i in ids[1::2]]
        changes = store.upsert(batch)
        expected = [
            "updated" if k % 3 == 0 else "unchanged" for k in range(len(ids)) if k % 2 == 0
        ] + ["new"] * len(ids[1::2])
        assert [c.kind for c in changes] == expected
        assert [c.revision for c in changes] == [2 if k == "updated" else 1 for k in expected]
        assert store.count() == size
        # the same id twice in one batch: the second one sees the first one's write
        twice = store.upsert([article(ids[0], articleBody=body(1, 40))] * 2)
        assert [c.kind for c in twice] == ["updated", "unchanged"]
