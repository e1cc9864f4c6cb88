"""Pure parsing of Vietnamese dates as printed on the portal.

``parse_date("Thứ Hai, 27/11/2023 08:30")`` -> ``ParsedDate(value=2023-11-27 08:30+07:00,
raw="Thứ Hai, 27/11/2023 08:30")``. Forms understood by default: ``Thứ Hai, 27/11/2023
08:30``, ``27/11/2023 - 08:30``, ``27-11-2023`` (no time: 00:00), ``08:30 ngày 27/11/2023``,
``Cập nhật lúc 08:30 ngày 27/11/2023``, ``ngày 27 tháng 11 năm 2023``, ISO 8601. Times
without an offset are local (Asia/Ho_Chi_Minh); ISO strings with an offset keep it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from danvan_crawler.text import clean_text

__all__ = [
    "DEFAULT_PATTERNS",
    "LOCAL_TZ",
    "ParsedDate",
    "has_time",
    "parse_date",
    "parse_iso",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?P<hour>\d{1,2})\s*[:hg]\s*(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?:[,-]\s*)?"
        r"(?:ngày\s+)?(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})",
        r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})"
        r"(?:\s*(?:[,-]|lúc)?\s*(?P<hour>\d{1,2})\s*[:hg]\s*(?P<minute>\d{2})"
        r"(?::(?P<second>\d{2}))?)?",
        r"ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})",
    )
)

_ISO_RE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


@dataclass(frozen=True)
class ParsedDate:
    value: datetime  # timezone-aware
    raw: str  # as printed: NFC, whitespace collapsed

    def isoformat(self) -> str:
        return self.value.isoformat()


def _build(groups: dict[str, str | None], tz: ZoneInfo) -> datetime | None:
    try:
        return datetime(
            int(groups["year"] or 0),
            int(groups["month"] or 0),
            int(groups["day"] or 0),
            int(groups.get("hour") or 0),
            int(groups.get("minute") or 0),
            int(groups.get("second") or 0),
            tzinfo=tz,
        )
    except ValueError:  # 31/02, 25:00...
        return None


def parse_date(
    raw: str | None,
    patterns: Sequence[re.Pattern[str]] = DEFAULT_PATTERNS,
    tz: ZoneInfo | str = LOCAL_TZ,
) -> ParsedDate | None:
    """Find the first date in ``raw`` that one of ``patterns`` (tried in order) matches.

    Returns the aware datetime and the cleaned raw string, or ``None`` when no pattern
    gives a valid date. ISO 8601 strings are understood too (see :func:`parse_iso`).
    """
    text = clean_text(raw)
    if not text:
        return None
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    iso = parse_iso(text, zone)
    if iso is not None:
        return ParsedDate(iso, text)
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = _build(match.groupdict(), zone)
            if value is not None:
                return ParsedDate(value, text)
    return None


def parse_iso(text: str, tz: ZoneInfo = LOCAL_TZ) -> datetime | None:
    """ISO 8601 (``2023-11-27``, ``2023-11-27T08:30:00+07:00``, ``...Z``) -> aware datetime;
    without an offset the time is local to ``tz``."""
    match = _ISO_RE.match(text)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    except ValueError:
        return None
    if not offset:
        return value.replace(tzinfo=tz)
    if offset == "Z":
        return value.replace(tzinfo=ZoneInfo("UTC"))
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=timezone(sign * delta))


def has_time(
    raw: str | None, patterns: Sequence[re.Pattern[str]] = DEFAULT_PATTERNS
) -> bool | None:
    """Whether the date printed in ``raw`` gives a time of day: False for a date alone
    (``27-11-2023``: :func:`parse_date` reads it as 00:00, which then names the day, not
    midnight), None when ``raw`` holds no date :func:`parse_date` understands."""
    text = clean_text(raw)
    if not text:
        return None
    iso = _ISO_RE.match(text)
    if iso is not None:
        return iso.group(4) is not None
    for pattern in patterns:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            if _build(groups, LOCAL_TZ) is not None:
                return bool(groups.get("hour"))
    return None
