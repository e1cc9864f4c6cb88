"""comparison_tokens (cached per whitespace chunk) equals its definition: the tokens of
fold_key(whole text) (danvan_crawler.similarity._reference_tokens)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler import similarity as sim
from danvan_crawler.similarity import _reference_tokens, article_tokens, comparison_tokens

#: Letters and marks where folding chunk by chunk could go wrong: decomposed tone and
#: quality marks (not \w on their own), letters whose case folding changes length or
#: word-ness (ß, ẞ, İ, ﬁ, ŉ), final sigma, compatibility characters NFC changes (Å, Ω),
#: Unicode whitespace that str.split() and \s treat alike, and punctuation.
_ALPHABET = [
    *"hoaeuyiqgđntHOAEUYĐ áàảãạăâêôơưỦÝỳ",
    *"\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b",
    *"ßẞİıΣσςﬁŉǅÅΩ\u0385\u0344\u212b\u2126",
    *"\u00a0\u2000\u2028\t\n\x1c\x85\u1680\ufeff\u200b",
    *",.-_“”!?%1239",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=30), max_size=3))
def test_tokens_equal_the_whole_text_definition(texts: list[str]) -> None:
    expected = _reference_tokens(texts)
    assert comparison_tokens(texts) == expected  # chunks cached now (or before)
    assert comparison_tokens(texts) == expected  # from the cache
    for form in ("NFC", "NFD"):
        normalized = [unicodedata.normalize(form, t) for t in texts]
        assert comparison_tokens(normalized) == _reference_tokens(normalized)


@given(st.text(max_size=40))
def test_tokens_equal_the_definition_on_any_text(text: str) -> None:
    assert comparison_tokens(text) == _reference_tokens(text)


def test_vietnamese_sentence_tokens() -> None:
    text = "Thường trực HĐND huyện Thái Hòa: “dân biết, dân bàn” — Thái Hoà, KHỎE!"
    nfd = unicodedata.normalize("NFD", text)
    expected = [
        *("thường", "trực", "hđnd", "huyện", "thái", "hoà", "dân", "biết", "dân", "bàn"),
        *("thái", "hoà", "khoẻ"),
    ]
    assert comparison_tokens(text) == comparison_tokens(nfd) == expected
    assert _reference_tokens(text) == expected
    assert article_tokens({"headline": "Thái Hòa", "articleBody": "dân biết"}) == [
        "thái",
        "hoà",
        "dân",
        "biết",
    ]


def test_chunk_cache_is_bounded_and_gives_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sim, "CHUNK_CACHE_SIZE", 20)
    monkeypatch.setattr(sim, "_chunk_cache", {})
    text = " ".join(f"Từ{i}, hóa{i % 7}." for i in range(60))
    expected = _reference_tokens(text)
    assert len(expected) == 120
    for _ in range(3):
        assert comparison_tokens(text) == expected
        assert len(sim._chunk_cache) <= 20 + 120
    # tokens are shared strings (the cached token lists of the store hold no copies)
    first, second = comparison_tokens("hóa hóa"), comparison_tokens("Hoá")
    assert first[0] is first[1] is second[0]
