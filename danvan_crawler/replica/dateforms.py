"""Every date form a portal prints, for the random layouts (:func:`format_date`).

``Thứ Hai, 05/09/2022 07:45``, ``Ngày đăng: 05/09/2022 | 07:45``, ``07:45 - 05/09/2022``,
``Cập nhật lúc 07:45 ngày 5/9/2022``, ``5/9/2022, 07:45 (GMT+7)``, ``05-09-2022``, ``05.09.2022``,
``ngày 5 tháng 9 năm 2022``...: a :class:`DateStyle` is a form, a variant of it and its details.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from danvan_crawler.replica import sites as S

# --------------------------------------------------------------------------- dates

#: date forms: name -> number of variants (see :func:`format_date`)
DATE_FORMS: dict[str, int] = {
    "weekday": 4,
    "label": 4,
    "time_first": 5,
    "capnhat": 3,
    "gmt": 3,
    "dash_date": 3,
    "dot_date": 3,
    "words": 4,
    "slash": 4,
    "iso": 3,
    "aspnet": 2,
}
DATE_LABELS = ("Ngày đăng:", "Đăng ngày:", "Ngày xuất bản:", "Ngày:", "Thời gian đăng:")
WEEKDAYS_LOWER = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


@dataclass(frozen=True)
class DateStyle:
    """How a layout prints a date: a form of :data:`DATE_FORMS`, a variant of it,
    zero-padded day and month or not, the label of the ``label`` form, the weekday case."""

    form: str
    variant: int = 0
    pad: bool = True
    label: str = "Ngày đăng:"
    lower_weekday: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"form": self.form, "variant": self.variant, "pad": self.pad}


def _dmy(d: datetime, pad: bool, sep: str = "/") -> str:
    if pad:
        return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"
    return f"{d.day}{sep}{d.month}{sep}{d.year}"


def format_date(dt: datetime, style: DateStyle) -> tuple[str, bool]:
    """``dt`` (local time, UTC+7) as ``style`` prints it, and whether a time is printed."""
    d = dt.astimezone(S.TZ)
    hm = f"{d:%H:%M}"
    date = _dmy(d, style.pad)
    wd = (WEEKDAYS_LOWER if style.lower_weekday else S.WEEKDAYS)[d.weekday()]
    form, v = style.form, style.variant
    if form == "weekday":
        return (
            (f"{wd}, {date} {hm}", True),
            (f"{wd}, {date}, {hm}", True),
            (f"{wd}, ngày {date} - {hm}", True),
            (f"{wd}, {date}", False),
        )[v]
    if form == "label":
        return (
            (f"{style.label} {date} | {hm}", True),
            (f"{style.label} {date} - {hm}", True),
            (f"{style.label} {date} {hm}", True),
            (f"{style.label} {date}", False),
        )[v]
    if form == "time_first":
        return (
            (f"{hm} - {date}", True),
            (f"{hm} | {date}", True),
            (f"{d:%H}h{d:%M} ngày {date}", True),
            (f"{hm} ngày {date}", True),
            (f"{hm}, {date}", True),
        )[v]
    if form == "capnhat":
        return (
            (f"Cập nhật lúc {hm} ngày {_dmy(d, False)}", True),
            (f"Cập nhật: {date} {hm}", True),
            (f"Cập nhật ngày {date} lúc {hm}", True),
        )[v]
    if form == "gmt":
        return (
            (f"{_dmy(d, False)}, {hm} (GMT+7)", True),
            (f"{date} {hm} GMT+7", True),
            (f"{date} {hm} (GMT+07:00)", True),
        )[v]
    if form == "dash_date":
        dash = _dmy(d, style.pad, "-")
        return ((dash, False), (f"{dash} {hm}", True), (f"{hm} {dash}", True))[v]
    if form == "dot_date":
        dot = _dmy(d, style.pad, ".")
        return ((dot, False), (f"{dot} | {hm}", True), (f"{hm} | {dot}", True))[v]
    if form == "words":
        return (
            (f"ngày {d.day} tháng {d.month} năm {d.year}", False),
            (f"{wd}, ngày {d.day} tháng {d.month} năm {d.year}", False),
            (f"Ngày {d.day:02d} tháng {d.month:02d} năm {d.year}", False),
            (f"{hm}, ngày {d.day} tháng {d.month} năm {d.year}", True),
        )[v]
    if form == "slash":
        return (
            (date, False),
            (f"{date} {hm}", True),
            (f"{date} - {hm}", True),
            (f"({date})", False),
        )[v]
    if form == "iso":
        return (
            (f"{d:%Y-%m-%d %H:%M}", True),
            (f"{d:%Y-%m-%d}", False),
            (f"{d:%Y/%m/%d %H:%M}", True),
        )[v]
    if form == "aspnet":
        # what ASP.NET prints with the vi-VN culture: 12-hour clock, SA (a.m.) / CH (p.m.)
        h12 = d.hour % 12 or 12
        ampm = "SA" if d.hour < 12 else "CH"
        return (
            (f"{date} {h12}:{d:%M}:{d:%S} {ampm}", True),
            (f"{_dmy(d, False)} {h12}:{d:%M} {ampm}", True),
        )[v]
    raise ValueError(f"unknown date form {form!r}")


def _date_style(rng: random.Random, forms: tuple[str, ...] | None = None) -> DateStyle:
    form = rng.choice(forms or tuple(DATE_FORMS))
    return DateStyle(
        form=form,
        variant=rng.randrange(DATE_FORMS[form]),
        pad=rng.random() < 0.7,
        label=rng.choice(DATE_LABELS),
        lower_weekday=rng.random() < 0.3,
    )
