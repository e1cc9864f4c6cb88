"""Unit tests of danvan_crawler.text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from danvan_crawler.text import clean_block, clean_text, strip_invisible, tone_key


def test_nfd_becomes_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Thái Hòa thực hiện")
    assert nfd != "Thái Hòa thực hiện"
    assert clean_text(nfd) == "Thái Hòa thực hiện"


def test_nbsp_and_whitespace_runs_collapse() -> None:
    assert clean_text("\u00a0\u00a0 Nguyễn\u00a0\u00a0Mạnh \t\n Khôi \u202f") == "Nguyễn Mạnh Khôi"


def test_zero_width_and_control_characters_are_removed() -> None:
    assert clean_text("dân\u200b vận\ufeff\u200c khéo\x07\x00") == "dân vận khéo"
    assert clean_text("công\u00adtác") == "côngtác"
    assert strip_invisible("a\u200db\n") == "ab\n"


def test_empty_and_none() -> None:
    assert clean_text(None) == ""
    assert clean_text(" \u00a0\u200b ") == ""
    assert clean_block(None) == ""
    assert clean_block(["", " \u00a0 "]) == ""


def test_block_keeps_paragraphs() -> None:
    text = "Đoạn  một\n\n\u00a0\nĐoạn\u00a0hai \r\n Đoạn ba"
    assert clean_block(text) == "Đoạn một\nĐoạn hai\nĐoạn ba"
    assert clean_block(["  a  b ", "", "c"]) == "a b\nc"


def test_tone_mark_placement_is_kept_as_printed() -> None:
    assert clean_text("hoá hóa uỷ ủy") == "hoá hóa uỷ ủy"


def test_tone_key_equates_old_and_new_placement() -> None:
    assert tone_key("hoá") == tone_key("hóa")
    assert tone_key("Tỉnh uỷ") == tone_key("Tỉnh ủy")
    assert tone_key("thuỷ") == tone_key("thủy")
    assert tone_key("hóa") != tone_key("hòa")
    assert tone_key("hoa") != tone_key("hóa")


@given(st.text())
def test_clean_text_is_idempotent_and_clean(value: str) -> None:
    once = clean_text(value)
    assert clean_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\n" not in once and "  " not in once and once == once.strip()


@given(st.lists(st.text()))
def test_clean_block_lines_are_clean(values: list[str]) -> None:
    block = clean_block(values)
    for line in block.split("\n") if block else []:
        assert line and line == clean_text(line)
