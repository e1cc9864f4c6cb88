"""The portal's map, fixed: its two sites (:data:`MAIN`, :data:`SUB`), its ten categories, the
time zone, and the date formats the fixed layouts print (:func:`format_published`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

TZ = timezone(timedelta(hours=7))


WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


@dataclass(frozen=True)
class Site:
    key: str
    name: str
    banner: str
    home: str  # path
    article_n1: int


@dataclass(frozen=True)
class Category:
    key: int
    name: str
    slug: str
    numbers: str
    site: Site
    article_n2: int

    @property
    def path(self) -> str:
        return f"/vi-vn/chuyen-muc/{self.slug}/{self.numbers}"


MAIN = Site("main", "Tỉnh ủy Nghệ An", "Banner Tỉnh ủy Nghệ An (Home-latest-1)", "/", 73410)
SUB = Site(
    "ban-dan-van-tinh-uy",
    "Ban dân vận tỉnh ủy",
    "Banner Ban dân vận tỉnh ủy sub-site-1",
    "/vi-vn/ban/ban-dan-van-tinh-uy",
    783534,
)
SITES = (MAIN, SUB)

CATEGORIES: tuple[Category, ...] = (
    Category(0, "Thời sự", "thoi-su", "73410-203449", MAIN, 486108),
    Category(1, "Xây dựng Đảng", "xay-dung-dang", "231047-16570", MAIN, 16570),
    Category(2, "Chính quyền", "chinh-quyen", "156332-697469", MAIN, 697469),
    Category(3, "Kinh tế - Xã hội", "kinh-te-xa-hoi", "506432-11873", MAIN, 11873),
    Category(4, "Quốc phòng - An ninh", "quoc-phong-an-ninh", "73410-552301", MAIN, 552301),
    Category(5, "Mặt trận - Đoàn thể", "mat-tran-doan-the", "231047-340915", MAIN, 340915),
    Category(6, "Dân vận khéo", "dan-van-kheo", "405534-193312", SUB, 193312),
    Category(7, "Tin hoạt động", "tin-hoat-dong", "405534-193301", SUB, 193301),
    Category(8, "Dân chủ ở cơ sở", "dan-chu-o-co-so", "405534-193327", SUB, 193327),
    Category(
        9, "Công tác tôn giáo - dân tộc", "cong-tac-ton-giao-dan-toc", "405534-193340", SUB, 193340
    ),
)


#: Date formats (index into this tuple is Meta.fmt)
DATE_FORMATS = ("weekday", "dash", "date", "ngay")


def format_published(dt: datetime, fmt: int) -> str:
    d = dt.astimezone(TZ)
    if DATE_FORMATS[fmt] == "weekday":
        return f"{WEEKDAYS[d.weekday()]}, {d:%d/%m/%Y %H:%M}"
    if DATE_FORMATS[fmt] == "dash":
        return f"{d:%d/%m/%Y - %H:%M}"
    if DATE_FORMATS[fmt] == "date":
        return f"{d:%d-%m-%Y}"
    return f"{d:%H:%M} ngày {d:%d/%m/%Y}"


def format_modified(dt: datetime) -> str:
    return f"Cập nhật lúc {dt.astimezone(TZ):%H:%M ngày %d/%m/%Y}"


def iso(dt: datetime) -> str:
    return dt.astimezone(TZ).isoformat()
