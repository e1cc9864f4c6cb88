"""Pure parsing of Vietnamese dates as printed on the portal.

``parse_date("Thứ Hai, 27/11/2023 08:30")`` -> ``ParsedDate(value=2023-11-27 08:30+07:00,
raw="Thứ Hai, 27/11/2023 08:30")``. Forms understood by default: ``Thứ Hai, 27/11/2023
08:30``, ``27/11/2023 - 08:30``, ``Ngày đăng: 27/11/2023 | 08:30``, ``27/11/2023, 08:30
(GMT+7)``, ``27-11-2023`` and ``27.11.2023`` (no time: 00:00), ``08:30 - 27/11/2023``,
``Cập nhật lúc 08:30 ngày 27/11/2023``, ``ngày 27 tháng 11 năm 2023`` (with a time before
or after), ``27/11/2023 8:30:00 CH`` (``SA``/``CH``, ``AM``/``PM``: 12-hour clock), ISO
8601. Times without an offset are local (Asia/Ho_Chi_Minh); ISO strings with an offset
keep it. :func:`find_date` also says where in the text the date is.
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
    "find_date",
    "has_time",
    "parse_date",
    "parse_iso",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_TIME = r"(?P<hour>\d{1,2})\s*[:hg]\s*(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
_AMPM = r"(?:\s*(?P<ampm>SA|CH|AM|PM|sáng|chiều|tối)\b)?"
_DMY = r"(?P<day>\d{1,2})\s*[/.-]\s*(?P<month>\d{1,2})\s*[/.-]\s*(?P<year>\d{4})"
_WORDS_DMY = r"ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})"

#: The generic Vietnamese forms (profiles carry their own list, tried in order).
DEFAULT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # 08:30 - 27/11/2023, 08:30 ngày 27/11/2023, 8:30 SA, 27/11/2023
        _TIME + _AMPM + r"\s*(?:[,|-]\s*)?(?:ngày\s+)?" + _DMY,
        # 27/11/2023 08:30, 27/11/2023 - 08:30, 27/11/2023 | 08:30, 27/11/2023 lúc 08:30
        _DMY + r"(?:\s*(?:[,|-]|lúc)?\s*" + _TIME + _AMPM + ")?",
        # 08:30 ngày 27 tháng 11 năm 2023
        _TIME + _AMPM + r"\s*(?:[,|-]\s*)?" + _WORDS_DMY,
        # ngày 27 tháng 11 năm 2023, ngày 27 tháng 11 năm 2023 lúc 08:30
        _WORDS_DMY + r"(?:\s*(?:[,|-]|lúc)?\s*" + _TIME + _AMPM + ")?",
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
    hour = int(groups.get("hour") or 0)
    ampm = (groups.get("ampm") or "").casefold()
    if ampm and not 1 <= hour <= 12:
        return None  # "13:00 CH" is no 12-hour time
    if ampm in ("ch", "pm", "chiều", "tối") and hour < 12:
        hour += 12
    elif ampm in ("sa", "am", "sáng") and hour == 12:
        hour = 0
    try:
        return datetime(
            int(groups["year"] or 0),
            int(groups["month"] or 0),
            int(groups["day"] or 0),
            hour,
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
    found = find_date(raw, patterns, tz)
    return found[0] if found else None


def find_date(
    raw: str | None,
    patterns: Sequence[re.Pattern[str]] = DEFAULT_PATTERNS,
    tz: ZoneInfo | str = LOCAL_TZ,
) -> tuple[ParsedDate, tuple[int, int]] | None:
    """:func:`parse_date`, and where the date is in the cleaned text (start, end)."""
    text = clean_text(raw)
    if not text:
        return None
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    iso = parse_iso(text, zone)
    if iso is not None:
        return ParsedDate(iso, text), (0, len(text))
    for pattern in patterns:
        for match in pattern.finditer(text):
            value = _build(match.groupdict(), zone)
            if value is not None:
                return ParsedDate(value, text), match.span()
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
