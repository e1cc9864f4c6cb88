"""Unit tests of danvan_crawler.dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from danvan_crawler.dates import LOCAL_TZ, parse_date, parse_iso
from danvan_crawler.profile import load_profile


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Thứ Hai, 27/11/2023 08:30", "2023-11-27T08:30:00+07:00"),
        ("Chủ nhật, 3/9/2023 7:05", "2023-09-03T07:05:00+07:00"),
        ("27/11/2023 - 08:30", "2023-11-27T08:30:00+07:00"),
        ("27-11-2023", "2023-11-27T00:00:00+07:00"),
        ("08:30 ngày 27/11/2023", "2023-11-27T08:30:00+07:00"),
        ("Cập nhật lúc 09:15 ngày 28/11/2023", "2023-11-28T09:15:00+07:00"),
        ("ngày 3 tháng 6 năm 2013", "2013-06-03T00:00:00+07:00"),
        ("08h30, 27/11/2023", "2023-11-27T08:30:00+07:00"),
        ("\u00a0Thứ\u00a0Hai,\u00a027/11/2023\u00a0 08:30 ", "2023-11-27T08:30:00+07:00"),
        ("2023-11-27T08:30:00+07:00", "2023-11-27T08:30:00+07:00"),
        ("2023-11-27", "2023-11-27T00:00:00+07:00"),
    ],
)
def test_formats(raw: str, iso: str) -> None:
    parsed = parse_date(raw)
    assert parsed is not None
    assert parsed.isoformat() == iso
    assert parsed.value.utcoffset() is not None


def test_profile_patterns_give_the_same_results() -> None:
    profile = load_profile()
    for raw in ("Thứ Hai, 27/11/2023 08:30", "27-11-2023", "08:30 ngày 27/11/2023"):
        assert parse_date(raw, profile.date_patterns, profile.timezone) == parse_date(raw)


def test_raw_is_kept_cleaned() -> None:
    parsed = parse_date("  Cập nhật lúc\u00a008:30   ngày 27/11/2023 ")
    assert parsed is not None
    assert parsed.raw == "Cập nhật lúc 08:30 ngày 27/11/2023"


def test_local_time_is_asia_ho_chi_minh() -> None:
    parsed = parse_date("01/01/2024 00:00")
    assert parsed is not None
    assert parsed.value.tzinfo == LOCAL_TZ
    assert parsed.value.astimezone(UTC) == datetime(2023, 12, 31, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw", ["", None, "không có ngày", "31/02/2023", "27/13/2023", "25:00 ngày 1/1/2023"]
)
def test_invalid_dates(raw: str | None) -> None:
    parsed = parse_date(raw)
    if raw == "25:00 ngày 1/1/2023":  # the time is invalid: the date alone is still found
        assert parsed is not None and parsed.isoformat() == "2023-01-01T00:00:00+07:00"
    else:
        assert parsed is None


def test_iso_offsets() -> None:
    assert parse_iso("2023-11-27T01:30:00Z") == datetime(2023, 11, 27, 1, 30, tzinfo=UTC)
    value = parse_iso("2023-11-27T08:30:00+0700")
    assert value is not None and value.isoformat() == "2023-11-27T08:30:00+07:00"
    assert parse_iso("27/11/2023") is None
