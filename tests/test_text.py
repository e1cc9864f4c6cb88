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


# -- fast paths: the same results as the plain definition ---------------------------------
def _reference_clean_text(value: str | None) -> str:
    """clean_text as defined: NFC, invisible characters dropped, newlines to spaces, every
    whitespace run to one space, trimmed (four substitutions, no shortcut)."""
    import re

    if not value:
        return ""
    from danvan_crawler.text import ZERO_WIDTH

    value = unicodedata.normalize("NFC", value)
    value = re.sub(f"[{ZERO_WIDTH}]", "", value)
    value = re.sub(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", "", value)
    value = re.sub(r"[\n\u2028\u2029\x85]", " ", value)
    hspace = r" \t\u00a0\u2000-\u200a\u2007\u202f\u205f\u3000\x0b\x0c\r"
    return re.sub(f"[{hspace}]+", " ", value).strip()


def _reference_clean_block(value: str) -> str:
    import re

    from danvan_crawler.text import ZERO_WIDTH

    value = unicodedata.normalize("NFC", value)
    value = re.sub(f"[{ZERO_WIDTH}\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f]", "", value)
    lines = (_reference_clean_text(part) for part in re.split(r"[\n\u2028\u2029\x85]", value))
    return "\n".join(line for line in lines if line)


_TRICKY = st.lists(
    st.sampled_from(
        [
            *"ab é ",
            *("e\u0301", "a\u0323\u0302", "\u0301", "\u00a0", "\u2003", "\u202f", "\u3000"),
            *("\u1680", "\t", "\r", "\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x00"),
            *("\x07", "\x9f", "\u200b", "\ufeff", "\u00ad", "\u200d", "  ", "   "),
            *("\x1c", "\x1f", "\u180e", "\u2060", " \u1680 ", "\u00a0 \u00a0"),
        ]
    ),
    max_size=24,
).map("".join)


@given(_TRICKY)
def test_clean_text_and_block_equal_their_definition(value: str) -> None:
    assert clean_text(value) == _reference_clean_text(value)
    assert clean_block(value) == _reference_clean_block(value)
    assert strip_invisible(value) == _reference_clean_block_invisible(value)


def _reference_clean_block_invisible(value: str) -> str:
    import re

    from danvan_crawler.text import ZERO_WIDTH

    value = unicodedata.normalize("NFC", value)
    return re.sub(f"[{ZERO_WIDTH}\\x00-\\x08\\x0e-\\x1f\\x7f-\\x9f]", "", value)


def test_normalization_comes_before_dropping_invisible_characters() -> None:
    # "e", ZWSP, combining acute: NFC keeps them apart, then the ZWSP is dropped (the
    # documented order); clean_block normalizes each paragraph once more, so there they
    # compose (the fast path for text without invisible characters keeps both behaviours)
    assert clean_text("e\u200b\u0301") == "e\u0301" == _reference_clean_text("e\u200b\u0301")
    assert clean_block("e\u200b\u0301\nx  y") == "\u00e9\nx y"
    assert clean_block("e\u200b\u0301\nx  y") == _reference_clean_block("e\u200b\u0301\nx  y")


def test_fast_path_premises_hold_over_all_of_unicode() -> None:
    import sys

    from danvan_crawler.text import _SPACE_CHARS, _SPACE_RUN_RE, _SPECIAL_RE

    every = [chr(code) for code in range(sys.maxunicode + 1)]
    # a printable text holds none of the characters clean_text changes (str.isprintable
    # is then a sufficient check that it has nothing to do besides NFC and the strip)
    assert [c for c in every if _SPECIAL_RE.match(c) and c.isprintable()] == []
    # the characters replaced by a space are exactly the whitespace runs' class
    assert {c for c in every if _SPACE_RUN_RE.fullmatch(c + c)} == {*_SPACE_CHARS, " "}


_LINES = st.lists(
    st.one_of(
        _TRICKY,
        st.sampled_from(["Đoạn một", " x  y ", "a\u00a0b", "a\u2028b", "e\u200b\u0301", ""]),
    ),
    max_size=6,
).map("\n".join)


@given(_LINES)
def test_clean_block_of_many_lines_equals_its_definition(value: str) -> None:
    # the per-line fast path (printable lines, lines without invisible characters) and
    # the whole-text path (some invisible character) give the definition's lines
    assert clean_block(value) == _reference_clean_block(value)
    assert strip_invisible(value) == _reference_clean_block_invisible(value)


def test_printable_characters_are_neither_invisible_nor_newlines() -> None:
    import sys

    from danvan_crawler.text import _INVISIBLE_RE, _NEWLINES_RE

    every = [chr(code) for code in range(sys.maxunicode + 1)]
    printable = [c for c in every if c.isprintable()]
    assert [c for c in printable if _INVISIBLE_RE.match(c) or _NEWLINES_RE.match(c)] == []
    # a printable text holds no whitespace of the class but " " (the common ones replaced,
    # a printable text needs nothing more)
    from danvan_crawler.text import _COMMON_SPACES, _RARE_SPACES, _SPACE_CHARS

    assert [c for c in _SPACE_CHARS if c.isprintable()] == []
    assert _COMMON_SPACES + _RARE_SPACES == _SPACE_CHARS


@given(_LINES)
def test_clean_text_of_many_lines_equals_its_definition(value: str) -> None:
    assert clean_text(value) == _reference_clean_text(value)


@given(_LINES)
def test_strip_invisible_spaced_is_strip_invisible_then_the_common_spaces(value: str) -> None:
    from danvan_crawler.text import strip_invisible_spaced

    expected = _reference_clean_block_invisible(value)
    for char in "\u00a0\n\t\r":
        expected = expected.replace(char, " ")
    assert strip_invisible_spaced(value) == expected
