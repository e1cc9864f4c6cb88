"""sketch() and the cached word hashes give what the plain definitions give (the sketches
and band keys stored in databases must not change)."""

from __future__ import annotations

import difflib
import operator
from collections.abc import Sequence
from itertools import repeat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler import similarity as sim
from tests.words import WORDS


def reference_sketch(tokens: Sequence[str]) -> list[int]:
    """The sketch as defined (before the smallest shingle per bin was divided last)."""
    size = sim.SKETCH_SIZE
    if not tokens:
        return [sim._EMPTY] * size
    first = [sim._first(t) for t in tokens]
    if len(first) < 2:
        shingles = set(first)
    else:
        shingles = {a ^ sim._second(b) for a, b in zip(first, tokens[1:], strict=False)}
    ordered = sorted(shingles, reverse=True)
    smallest = dict(
        zip(
            map(operator.mod, ordered, repeat(size)),
            map(operator.floordiv, ordered, repeat(size)),
            strict=True,
        )
    )
    bins = [smallest.get(b, sim._EMPTY) for b in range(size)]
    if len(smallest) == size:
        return bins
    filled = list(bins)
    for b in range(size):
        if bins[b] == sim._EMPTY:
            d = 1
            while bins[(b + d) % size] == sim._EMPTY:
                d += 1
            filled[b] = sim._mix64(bins[(b + d) % size] + d * 0x9E3779B97F4A7C15) >> 8
    return filled


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS[:60]), max_size=400))
def test_sketch_equals_the_definition(tokens: list[str]) -> None:
    # short lists leave bins empty (densification); long ones fill all of them
    assert sim.sketch(tokens) == reference_sketch(tokens)


@given(st.lists(st.text(min_size=1, max_size=6), max_size=30))
def test_sketch_of_new_words_equals_the_definition(tokens: list[str]) -> None:
    assert sim.sketch(tokens) == reference_sketch(tokens)


def test_sketch_with_every_bin_filled() -> None:
    tokens = [f"chữ{i}" for i in range(2000)]
    signature = sim.sketch(tokens)
    assert sim._EMPTY not in signature
    assert signature == reference_sketch(tokens)
    assert sim.sketch([]) == reference_sketch([]) == [sim._EMPTY] * sim.SKETCH_SIZE
    assert sim.sketch(["một"]) == reference_sketch(["một"])


def test_word_hashes_with_some_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim, "WORD_CACHE_SIZE", 10)
    word_hash = sim._WordHash(b"danvan-test")
    words = ["a", "b", "a", "c"]
    assert word_hash.many(words) == [word_hash(w) for w in words]  # all missing
    more = ["a", "x", "b", "x", "y"]
    assert word_hash.many(more) == [word_hash(w) for w in more]  # some cached
    assert word_hash.many(more) == [word_hash(w) for w in more]  # all cached
    many = [f"w{i}" for i in range(30)]
    assert word_hash.many(many) == [word_hash(w) for w in many]
    assert word_hash.many(["a", *many]) == [word_hash(w) for w in ["a", *many]]  # emptied
    assert len(word_hash._cache) <= 10 + 31


def reference_similarity(a: Sequence[str], b: Sequence[str], at_least: float = 0.0) -> float:
    """similarity() as defined: difflib's bounds, then its ratio."""
    if not a and not b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for bound in (matcher.real_quick_ratio, matcher.quick_ratio):
        upper = bound()
        if upper < at_least:
            return upper
    return matcher.ratio()


tokens = st.lists(st.sampled_from(WORDS[:12]), max_size=60)


@settings(max_examples=400, deadline=None)
@given(tokens, tokens, st.sampled_from([0.0, 0.3, 0.5, 0.8, 0.9, 0.95, 1.0]))
def test_similarity_equals_difflib(a: list[str], b: list[str], at_least: float) -> None:
    assert sim.similarity(a, b, at_least) == reference_similarity(a, b, at_least)


def test_similarity_bounds_at_their_exact_values() -> None:
    a = ["một", "hai", "ba", "một"]
    b = ["một", "ba", "bốn", "năm", "sáu", "bảy"]
    real_quick = 2.0 * 4 / 10
    quick = 2.0 * 2 / 10
    for at_least in (real_quick, real_quick + 1e-9, quick, quick + 1e-9, 0.0, 1.0):
        assert sim.similarity(a, b, at_least) == reference_similarity(a, b, at_least)
    assert sim.similarity(a, b, 1.0) == real_quick  # the first bound decides
    assert sim.similarity(a, b, 0.5) == quick  # the second one
    assert sim.similarity([], []) == 1.0 and sim.similarity(a, []) == 0.0
