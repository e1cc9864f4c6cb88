"""The store's near-duplicate candidate check: the sketch prefilter on raw rows gives
what the plain definition gives (estimated_jaccard of the unpacked sketches)."""

from __future__ import annotations

import random
import struct
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text as sql

from danvan_crawler.similarity import (
    MIN_ESTIMATED_JACCARD,
    MIN_SHARED_BANDS,
    SKETCH_SIZE,
    article_tokens,
    band_keys,
    estimated_jaccard,
    pack_sketch,
    similarity,
    sketch,
    unpack_sketch,
)
from danvan_crawler.store import Store, near, open_store
from danvan_crawler.store.near import _Candidate, _SketchEstimate
from tests.test_store import article
from tests.words import WORDS

bins = st.integers(0, 2**64 - 1)


@given(
    st.lists(bins, min_size=SKETCH_SIZE, max_size=SKETCH_SIZE),
    st.lists(st.one_of(st.none(), bins), min_size=SKETCH_SIZE, max_size=SKETCH_SIZE),
)
def test_estimate_equals_estimated_jaccard(signature: list[int], other: list[int | None]) -> None:
    # None: the bin equals the signature's (shares of 0 to 100 % equal bins)
    theirs = [s if o is None else o for s, o in zip(signature, other, strict=True)]
    packed = pack_sketch(theirs)
    expected = estimated_jaccard(signature, unpack_sketch(packed))
    assert _SketchEstimate(signature)(packed) == expected
    assert _SketchEstimate(signature)(memoryview(packed)) == expected


# a bin differing from the signature's in one byte only (XOR words with 7 zero bytes:
# runs of zero bytes crossing word boundaries), equal, or unrelated
bin_change = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 7), st.integers(1, 255)),
    st.integers(0, 2**64 - 1),
)


@given(
    st.lists(bins, min_size=SKETCH_SIZE, max_size=SKETCH_SIZE),
    st.lists(bin_change, min_size=SKETCH_SIZE, max_size=SKETCH_SIZE),
    st.sampled_from([MIN_ESTIMATED_JACCARD, 0.0, 0.25, 0.75, 1.0, 0.1 + 1 / SKETCH_SIZE]),
)
def test_below_equals_the_estimate_comparison(
    signature: list[int], changes: list[Any], threshold: float
) -> None:
    theirs = []
    for value, change in zip(signature, changes, strict=True):
        if change is None:
            theirs.append(value)
        elif isinstance(change, tuple):
            theirs.append(value ^ (change[1] << (8 * change[0])))
        else:
            theirs.append(change)
    packed = pack_sketch(theirs)
    expected = estimated_jaccard(signature, unpack_sketch(packed)) < threshold
    assert _SketchEstimate(signature).below(packed, threshold) == expected


def test_below_with_zero_runs_across_words() -> None:
    signature = list(range(1, SKETCH_SIZE + 1))
    # every other bin equal; the others differ in their first byte only, so the XOR's
    # zero runs are 15 bytes long and span two words: 48 equal bins
    theirs = [v if i % 2 else v ^ (0x5A << 56) for i, v in enumerate(signature)]
    packed = pack_sketch(theirs)
    assert estimated_jaccard(signature, unpack_sketch(packed)) == 0.5
    estimate = _SketchEstimate(signature)
    assert not estimate.below(packed, 0.5)
    assert estimate.below(packed, 0.5 + 1 / SKETCH_SIZE)
    # 47 equal bins, 8-zero runs still found in most words: decided by the exact count
    theirs[1] ^= 1
    assert estimate.below(pack_sketch(theirs), 0.5)


def test_estimate_of_sketches_of_another_size_is_the_definitions() -> None:
    signature = list(range(SKETCH_SIZE))
    estimate = _SketchEstimate(signature)
    assert estimate(pack_sketch(signature)) == 1.0
    assert estimate(pack_sketch(signature[:10])) == 0.0  # other length: no estimate
    assert estimate.below(pack_sketch(signature[:10]), 0.5)
    assert not estimate.below(pack_sketch(signature), 1.0)
    assert estimate(b"") == 0.0
    with pytest.raises(struct.error):  # as unpack_sketch of a truncated sketch
        estimate(pack_sketch(signature)[:-3])
    assert _SketchEstimate([])(b"") == estimated_jaccard([], ()) == 0.0


def reference_near_matches(
    store: Store, conn: Any, article_id: str, tokens: list[str], signature: list[int]
) -> tuple[list[_Candidate], list[_Candidate]]:
    """Store._near_matches as defined, in plain Python over the whole band table:
    (the candidates, those found similar). For each band key of the text, its first
    MAX_BAND_SHARERS other articles by id; those sharing at least MIN_SHARED_BANDS of
    them, the MAX_CANDIDATES sharing most (then by id); every candidate row processed,
    its sketch unpacked and compared bin by bin, then verified on the text."""
    limit, most = near.MAX_BAND_SHARERS, near.MAX_CANDIDATES
    keys = set(band_keys(signature))
    by_key: dict[int, list[str]] = {}
    for key, other in conn.execute(sql("SELECT band_key, article_id FROM article_bands")):
        if key in keys and other != article_id:
            by_key.setdefault(key, []).append(other)
    shared: Counter[str] = Counter()
    for others in by_key.values():
        shared.update(sorted(others)[:limit])
    kept = sorted(
        (o for o, n in shared.items() if n >= MIN_SHARED_BANDS), key=lambda o: (-shared[o], o)
    )
    candidates = []
    for other in kept[:most]:
        row = conn.execute(
            sql(
                "SELECT article_id, article_num, content_hash, sketch, duplicate_of,"
                " date_published FROM articles WHERE article_id = :a"
            ),
            {"a": other},
        ).one()
        published = row[5] if row[5] is None else datetime.fromisoformat(row[5])
        candidates.append(_Candidate(*row[:5], published))
    found = []
    for row in candidates:
        if (
            row.sketch is not None
            and estimated_jaccard(signature, unpack_sketch(row.sketch)) < MIN_ESTIMATED_JACCARD
        ):
            continue
        other_tokens = store._stored_tokens(conn, row.article_id, row.content_hash)
        if similarity(tokens, other_tokens, store.duplicate_threshold) >= store.duplicate_threshold:
            found.append(row)
    return candidates, found


def formulaic(rng: random.Random, sentences: list[str], n: int) -> str:
    return " ".join(rng.choice(sentences) for _ in range(n))


@pytest.mark.parametrize("sharers", [near.MAX_BAND_SHARERS, 4])
def test_near_matches_equal_the_definition_on_formulaic_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sharers: int
) -> None:
    # 4: most band keys of these formulaic texts have more sharers than are read
    monkeypatch.setattr(near, "MAX_BAND_SHARERS", sharers)
    rng = random.Random(7)
    # a few shared sentences: articles share band keys with many others (candidates
    # that the prefilter rejects), some are edited copies (candidates it lets through)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(12)) + "." for _ in range(25)]
    docs: list[dict[str, Any]] = []
    for i in range(120):
        if i % 6 == 5:  # an edited copy of an earlier article
            source = rng.choice(docs)
            words = source["articleBody"].split(" ")
            for k in range(rng.randrange(3), len(words), rng.choice([8, 20, 40])):
                words[k] = "khác"
            text = " ".join(words)
        else:
            text = formulaic(rng, sentences, 12)
        docs.append(article(str(1000 + i), articleBody=text, headline=f"Tin {i % 9}"))
    with open_store(tmp_path / "near.db") as store:
        store.upsert(docs[:60])
        kinds = {"rejected": 0, "verified": 0, "found": 0, "cut": 0}
        with store._read() as conn:
            band_sharers = Counter(
                key for (key,) in conn.execute(sql("SELECT band_key FROM article_bands"))
            )
            for doc in docs:
                tokens = article_tokens(doc)
                signature = sketch(tokens)
                keys = sorted(set(band_keys(signature)))
                got = store._near_matches(conn, doc["articleId"], tokens, signature, keys)
                candidates, expected = reference_near_matches(
                    store, conn, doc["articleId"], tokens, signature
                )
                assert got == expected
                rows = store._candidate_rows(conn, doc["articleId"], keys)
                assert [_Candidate(*store._p_candidates.process(r)) for r in rows] == candidates
                assert [c.date_published for c in got] == [c.date_published for c in expected]
                kinds["found"] += bool(got)
                kinds["cut"] += sum(band_sharers[k] > sharers + 1 for k in keys)
                estimate = _SketchEstimate(signature)
                for row in candidates:
                    assert row.sketch is not None
                    passed = not estimate.below(row.sketch, MIN_ESTIMATED_JACCARD)
                    assert passed == (estimate(row.sketch) >= MIN_ESTIMATED_JACCARD)
                    kinds["verified" if passed else "rejected"] += 1
        # the corpus exercises both branches of the prefilter, and finds copies; with 4
        # sharers read a key, keys with more sharers are cut short
        assert kinds["rejected"] > 50 and kinds["verified"] > 10 and kinds["found"] > 5
        assert (kinds["cut"] > 100) == (sharers == 4)
        changes = store.upsert(docs[60:])
        assert any(c.duplicate_of for c in changes)
