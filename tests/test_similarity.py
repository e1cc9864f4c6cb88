"""Near-duplicate detection primitives (danvan_crawler.similarity)."""

from __future__ import annotations

import random

import pytest

from danvan_crawler.similarity import (
    band_keys,
    comparison_tokens,
    similarity,
    sketch,
)
from tests.support.similarity import NearDuplicateIndex
from tests.words import WORDS as ALL_WORDS

WORDS = ALL_WORDS[:40]


def text(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) for _ in range(n))


def test_tokens_fold_tone_placement_case_and_punctuation() -> None:
    assert comparison_tokens("Thái Hòa, KHỎE!") == comparison_tokens("thái hoà khoẻ")


def test_similarity_is_exact_token_ratio() -> None:
    a = comparison_tokens(text(1))
    b = list(a)
    for i in range(0, len(b), 20):  # 5% of tokens changed
        b[i] = "khác"
    assert 0.94 < similarity(a, b) < 0.96
    assert similarity(a, a) == 1.0
    assert similarity(a, comparison_tokens(text(2))) < 0.9


def test_similarity_lower_bound_shortcut_never_claims_a_match() -> None:
    a = comparison_tokens(text(1))
    c = comparison_tokens(text(2))
    assert similarity(a, c, at_least=0.9) < 0.9


def test_sketch_and_band_keys_are_deterministic() -> None:
    tokens = comparison_tokens(text(3))
    assert band_keys(sketch(tokens)) == band_keys(sketch(list(tokens)))
    assert all(0 <= k < 2**63 for k in band_keys(sketch(tokens)))


def test_index_finds_near_copies_and_rejects_different_texts() -> None:
    index = NearDuplicateIndex(threshold=0.9)
    originals = {str(i): comparison_tokens(text(i)) for i in range(50)}
    for key, tokens in originals.items():
        index.add(key, tokens)
    copy = list(originals["7"])
    for i in range(3, len(copy), 25):
        copy[i] = "sửa"
    assert [k for k, _ in index.matches(copy)] == ["7"]
    assert index.matches(comparison_tokens(text(999))) == []
    assert index.matches(originals["7"], exclude="7") == []


def test_short_texts_are_not_compared() -> None:
    index = NearDuplicateIndex(min_tokens=20)
    index.add("1", comparison_tokens("Thông báo lịch tiếp công dân"))
    assert index.matches(comparison_tokens("Thông báo lịch tiếp công dân")) == []


def test_cached_word_hashes_equal_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    from danvan_crawler import similarity as sim

    monkeypatch.setattr(sim, "WORD_CACHE_SIZE", 50)
    words = [f"từ{i}" for i in range(120)] + ["một", "từ0", "một"]
    for word_hash in (sim._first, sim._second):
        expected = [word_hash(w) for w in words]
        assert word_hash.many(words) == expected  # filling (and emptying) the cache
        assert word_hash.many(words) == expected  # from the cache
        assert len(word_hash._cache) <= 50 + len(words)
    assert word_hash.many([]) == []
    assert sim.shingle_hashes(["một"]) == {sim._first("một")}
    assert sim.shingle_hashes(["a", "b", "c"]) == {
        sim._first("a") ^ sim._second("b"),
        sim._first("b") ^ sim._second("c"),
    }
