"""documentRefs extraction (danvan_crawler.documents) on the seed article and variants."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_crawler.documents import document_refs_for, extract_document_refs

SEED = Path("/work/shared/seed/000_4b8b88a6ce4de1e0.txt")
SEED_BODY_START = "Công tác dân vận luôn là"


def _seed_body() -> str:
    if SEED.exists():
        text = SEED.read_text(encoding="utf-8")
        body = text[text.index(SEED_BODY_START) : text.index("Tin cùng chuyên mục")]
        return body
    pytest.skip("seed article not available")


def test_seed_article_cites_three_documents_in_order() -> None:
    refs = extract_document_refs(_seed_body())
    assert refs == [
        {
            "kind": "Quyết định",
            "number": "23",
            "code": "QĐ",
            "issuer": "TW",
            "raw": "Quyết định số 23-QĐ/TW",
        },
        {
            "kind": "Quy chế",
            "number": "7",
            "code": "QC",
            "issuer": "TU",
            "raw": "Quy chế số 07-QC/TU",
        },
        {
            "kind": "Quy chế",
            "number": "4",
            "code": "QC",
            "issuer": "ThU",
            "raw": "Quy chế số 04-QC/ThU",
        },
    ]


def test_seed_mentions_without_number_are_not_references() -> None:
    body = _seed_body()
    assert "Chỉ thị về tăng cường" in body and "Nghị quyết Đại hội" in body
    kinds = [r["kind"] for r in extract_document_refs(body)]
    assert "Chỉ thị" not in kinds and "Nghị quyết" not in kinds


@pytest.mark.parametrize(
    "spelling",
    [
        "Quy chế số 07-QC/TU",
        "Quy chế 7-QC/TU",
        "quy chế số 007 - QC / TU",
        "Quy chế\u00a0số\u00a007-QC/TU",
        "Quy chế số 07\u2013QC/tu",
        "07-QC/TU",
    ],
)
def test_every_spelling_of_one_document_gives_one_key(spelling: str) -> None:
    (ref,) = extract_document_refs(spelling)
    assert (ref["kind"], ref["number"], ref["code"], ref["issuer"]) == ("Quy chế", "7", "QC", "TU")
    assert "\u00a0" not in ref["raw"] and "  " not in ref["raw"]


def test_code_and_issuer_casing_are_canonical() -> None:
    refs = extract_document_refs(
        "Quyết định số 23-QD/TW; Quy định số 2683-QĐI/TU; Quy chế số 04-QC/THU; "
        "Hướng dẫn số 12-HD/BDVTU; Thông báo 5-TB/TU; Kết luận số 65-KL/TW"
    )
    assert [(r["kind"], r["code"], r["issuer"]) for r in refs] == [
        ("Quyết định", "QĐ", "TW"),
        ("Quy định", "QĐi", "TU"),
        ("Quy chế", "QC", "ThU"),
        ("Hướng dẫn", "HD", "BDVTU"),
        ("Thông báo", "TB", "TU"),
        ("Kết luận", "KL", "TW"),
    ]


def test_unique_by_key_and_raw_is_the_first_spelling() -> None:
    refs = extract_document_refs(
        ["Thực hiện Nghị quyết 25-NQ/TW", "theo Nghị quyết số 25-NQ/TW và Chỉ thị số 05-CT/TU"]
    )
    assert [(r["code"], r["number"], r["raw"]) for r in refs] == [
        ("NQ", "25", "Nghị quyết 25-NQ/TW"),
        ("CT", "5", "Chỉ thị số 05-CT/TU"),
    ]


def test_state_document_numbering() -> None:
    (ref,) = extract_document_refs("Quyết định số 1234/QĐ-UBND ngày 30/7/2021")
    assert ref == {
        "kind": "Quyết định",
        "number": "1234",
        "code": "QĐ",
        "issuer": "UBND",
        "raw": "Quyết định số 1234/QĐ-UBND",
    }


def test_dates_ranges_and_unknown_codes_are_not_references() -> None:
    assert extract_document_refs("ngày 30/7/2021, giai đoạn 2021-2025, Kế hoạch số 12-KH/TU") == []


def test_headline_first_then_body() -> None:
    refs = document_refs_for(
        {
            "headline": "Kết quả 05 năm thực hiện Chỉ thị số 21-CT/TW",
            "articleBody": "Quy chế số 07-QC/TU",
        }
    )
    assert [r["code"] for r in refs] == ["CT", "QC"]


def _reference_refs(text: str) -> list[tuple[str, str, str, str]]:
    """(code, number, issuer, raw) of every citation ``_REF_RE.finditer`` finds, in order,
    unique by (code, number, issuer): the definition the fast scan must equal."""
    import re
    import unicodedata

    from danvan_crawler.documents import _CODE_SPELLINGS, _ISSUER_CASING, _REF_RE

    text = unicodedata.normalize("NFC", text)
    out: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for m in _REF_RE.finditer(text):
        party = m.group("p_num") is not None
        code = _CODE_SPELLINGS.get((m.group("p_code") if party else m.group("s_code")).upper())
        if code is None:
            continue
        issuer = (m.group("p_iss") if party else m.group("s_iss")).upper()
        issuer = _ISSUER_CASING.get(issuer, issuer)
        number = str(int(m.group("p_num") if party else m.group("s_num")))
        if (code, number, issuer) not in seen:
            seen.add((code, number, issuer))
            out.append((code, number, issuer, re.sub(r"\s+", " ", m.group(0)).strip()))
    return out


_PIECES = [
    "Quyết định", "quyết ĐỊNH", "Quy định", "Quy", " định", "Nghị quyết", "Chỉ thị",
    "Hướng dẫn", "Thông báo", "Quy chế", " ", "  ", "\u00a0", "\t", "số", "SỐ", "so", ":",
    "1", "23", "07", "2683", "123456", "1234567", "-", "\u2013", "/", ".", "QĐ", "qđ", "QD",
    "QĐi", "QDI", "HĐ", "TB", "TW", "TU", "ThU", "UBND", "HU-BTV", "x", "_", "\n", "2023",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_fast_scan_finds_what_the_full_regex_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    refs = extract_document_refs(text)
    assert [(r["code"], r["number"], r["issuer"], r["raw"]) for r in refs] == _reference_refs(text)


def test_kind_word_far_before_the_number() -> None:
    text = "Quyết định" + " " * 60 + "số" + "\u00a0" * 30 + ": 12-QĐ/TW"
    (ref,) = extract_document_refs(text)
    assert ref["raw"].startswith("Quyết định số")
    assert [(r["code"], r["raw"]) for r in [ref]] == [
        (c, raw) for c, _, _, raw in _reference_refs(text)
    ]


_LINE_PIECES = ["\n", "a", "1", "12-QĐ/TU", "/", "Quyết định số ", "3/2023/QĐ-UBND", "x/", " "]


@given(st.lists(st.sampled_from(_LINE_PIECES + _PIECES), max_size=40))
def test_core_matches_equal_the_whole_text_scan(pieces: list[str]) -> None:
    # the scan of the lines holding a "/" finds what the scan of the whole text finds
    from danvan_crawler.documents import _CORE_RE, _core_matches

    text = "".join(pieces)
    got = [(m.span(), m.groupdict()) for m in _core_matches(text)]
    assert got == [(m.span(), m.groupdict()) for m in _CORE_RE.finditer(text)]


def test_core_matches_of_several_lines() -> None:
    from danvan_crawler.documents import _CORE_RE, _core_matches

    text = "ngày 1/2\nkhông\nQuy định 12-QĐi/TU, 7-QC/TU\nx/y\nsố 3/2023/QĐ-UBND"
    expected = [m.span() for m in _CORE_RE.finditer(text)]
    assert len(expected) == 3
    assert [m.span() for m in _core_matches(text)] == expected
