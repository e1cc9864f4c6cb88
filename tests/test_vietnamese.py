"""Tone-mark placement folding (danvan_crawler.vietnamese)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_crawler.vietnamese import fold_key, strip_tone_marks, tone_normalize

OLD_NEW = [
    ("hóa", "hoá"),
    ("ủy", "uỷ"),
    ("thủy", "thuỷ"),
    ("khỏe", "khoẻ"),
    ("òa", "oà"),
    ("Hòa Bình", "Hoà Bình"),
    ("Tỉnh ủy", "Tỉnh uỷ"),
    ("tùy", "tuỳ"),
    ("THỦY", "THUỶ"),
    ("ngòai", "ngoài"),  # three-vowel nucleus: the middle vowel
    ("khủyu", "khuỷu"),
]


@pytest.mark.parametrize(("old", "new"), OLD_NEW)
def test_old_and_new_placement_give_one_key(old: str, new: str) -> None:
    assert old != new
    assert tone_normalize(old) == tone_normalize(new)
    assert fold_key(old) == fold_key(new)


@pytest.mark.parametrize(
    "word",
    ["người", "giữa", "quý", "quả", "cừu", "thuở", "việt", "huỳnh", "xoáy", "mùa", "kìa", "gì"],
)
def test_words_with_one_placement_are_kept(word: str) -> None:
    assert tone_normalize(word) == word


def test_rule_puts_the_tone_on_the_quality_vowel_not_a_list() -> None:
    # ươ takes the tone on ơ, whatever vowel the input put it on.
    misplaced = unicodedata.normalize("NFC", "ngu\u031b\u0300o\u031bi")  # ừ then ơ
    assert tone_normalize(misplaced) == "người"


def test_different_tones_stay_different() -> None:
    assert fold_key("hóa") != fold_key("hòa")
    assert fold_key("quỷ") != fold_key("quỹ")


def test_nfd_input_and_case_fold_into_the_key() -> None:
    nfd = unicodedata.normalize("NFD", "Thái Hòa  thực hiện")
    assert fold_key(nfd) == fold_key("THÁI HOÀ thực hiện") == "thái hoà thực hiện"


def test_non_vietnamese_tokens_untouched() -> None:
    text = "ANQG, CCCD 100% Smast café naïve"
    assert tone_normalize(text) == unicodedata.normalize("NFC", text)


def test_strip_tone_marks_keeps_quality_marks() -> None:
    assert strip_tone_marks("Nguyễn Mạnh Khôi, đảng") == "Nguyên Manh Khôi, đang"


@given(st.text(alphabet="aăâeêioôơuưyqgđhnt àáảãạ\u0300\u0301\u0303\u0309\u0323", max_size=30))
def test_tone_normalize_is_idempotent_and_nfc(text: str) -> None:
    once = tone_normalize(text)
    assert tone_normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert strip_tone_marks(once) == strip_tone_marks(text)


@given(
    st.text(
        alphabet=st.sampled_from(
            [
                *"hoaéuyHÓAỦY ,.-1",
                *("ó", "á", "\u0301", "\u0300", "\u0323", "\u0309", "\u0303", "\u0302"),
                *("\u031b", "\u00a0", "\u2000", "\u2028", "\t", "\n", "\x1c", "\x85"),
                *("\u1680", "ẞ", "ß", "İ", "Σ", "ς", "ﬁ", "Å", "\u0385", "\u0344", "\u212b"),
                *("\ufeff", "\u200b"),
            ]
        ),
        max_size=20,
    )
)
def test_fold_key_by_chunks_equals_the_whole_text_computation(text: str) -> None:
    from danvan_crawler.vietnamese import _SPACE_RE

    whole = tone_normalize(text).casefold()
    expected = unicodedata.normalize("NFC", _SPACE_RE.sub(" ", whole).strip())
    assert fold_key(text) == expected
