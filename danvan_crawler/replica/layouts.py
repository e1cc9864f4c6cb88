"""Random layouts: the same world through a markup generated from a seed (``random:SEED``).

A :class:`Spec` drawn from ``random.Random(f"layout:{seed}")`` decides what a CMS family
would: table layouts, DotNetNuke-style portlets (``dnn_ctr1410_...`` ids, the whole page in
one ``<form>``), semantic HTML5 or div soup; the headline's tag and classes; where and in
which Vietnamese form the date, the byline and the signature are printed; dated link
columns, share bars, comment forms, tag lists; class names meaningful, random or absent.
Articles, URLs and the truth stay the world's. Pages are pure functions of (spec, world
state): the same seed gives the same bytes.

:func:`format_date` prints every date form a portal prints (``Thứ Hai, 05/09/2022 07:45``,
``Ngày đăng: 05/09/2022 | 07:45``, ``07:45 - 05/09/2022``, ``Cập nhật lúc 07:45 ngày
5/9/2022``, ``5/9/2022, 07:45 (GMT+7)``, ``05-09-2022``, ``05.09.2022``, ``ngày 5 tháng 9
năm 2022``...). What each article page shows (date as printed, where, with or without a
time; authors; text that is not the article's) is in :meth:`RandomLayout.facts`.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.generator import Content, Paragraph
from danvan_crawler.replica.pagetext import furniture
from danvan_crawler.replica.render import (
    FOOTER_TEXT,
    LAYOUTS,
    XSS_PAYLOADS,
    Classic,
    Ctx,
    _menu_items,
    _pages,
    _t,
    _text_mode,
    attr,
    esc,
    link_variant,
    page_href,
)
from danvan_crawler.replica.text import NBSP

FAMILIES = ("table", "portlet", "html5", "div")
NAMINGS = ("meaningful", "random", "absent", "mixed")

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
    d = dt.astimezone(Wd.TZ)
    hm = f"{d:%H:%M}"
    date = _dmy(d, style.pad)
    wd = (WEEKDAYS_LOWER if style.lower_weekday else Wd.WEEKDAYS)[d.weekday()]
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


# --------------------------------------------------------------------------- class names

#: meaningful class names per role (none of them the classic layout's: the default
#: profile's selectors must not match by accident)
MEANINGFUL: dict[str, tuple[str, ...]] = {
    "wrapper": ("wrapper", "container", "page-wrap", "site", "khung", "main-wrapper"),
    "header": ("header", "top", "site-header", "banner-top", "dau-trang"),
    "banner": ("logo", "banner-img", "brand", "site-logo", "anh-banner"),
    "menu": ("menu", "nav", "navbar", "main-nav", "topmenu", "menu-chinh"),
    "submenu": ("sub", "dropdown-menu", "submenu", "menu-con"),
    "main": ("main", "content-area", "col-main", "center", "cot-giua", "main-col"),
    "sidebar": ("sidebar", "col-right", "right", "cot-phai", "aside", "col-left"),
    "footer": ("footer", "bottom", "site-footer", "chan-trang", "copyright"),
    "crumbs": ("breadcrumbs", "path", "duong-dan", "crumbs", "nav-path", "location"),
    "module": ("module-title", "box-title", "title-box", "portlet-title", "tieu-de-khoi"),
    "article": ("detail", "article", "post", "news-view", "chi-tiet", "article-detail"),
    "headline": (
        "title", "article-title", "detail-title", "tieu-de", "tieude", "post-title",
        "entry-title", "title-detail", "ArticleTitle", "titleNews", "chitiet-tieude",
    ),
    "date": (
        "date", "post-date", "time", "ngay-dang", "ngaydang", "datetime", "meta-date",
        "publish-date", "detail-time", "article-date", "entry-date", "NewsDate",
    ),
    "modified": ("updated", "modified", "ngay-cap-nhat", "update-time", "last-update"),
    "meta": ("meta", "post-meta", "info", "article-info", "thong-tin", "detail-meta"),
    "sapo": (
        "sapo", "lead", "summary", "description", "tom-tat", "tomtat", "intro",
        "detail-sapo", "abstract", "excerpt",
    ),
    "content": (
        "content", "article-body", "post-content", "entry-content", "noidung", "noi-dung",
        "detail-content", "body-text", "ArticleContent", "news-body", "fulltext",
    ),
    "author": ("author", "tac-gia", "tacgia", "byline", "post-author", "author-name", "nguon"),
    "column": ("box", "block", "widget", "khoi-tin", "panel", "list-box"),
    "column-title": ("box-title", "block-title", "widget-title", "heading", "tieu-de-khoi"),
    "column-list": ("list", "links", "list-links", "ds-tin", "items"),
    "share": ("share", "social", "share-bar", "chia-se", "toolbar", "tools", "article-tools"),
    "tags": ("tags", "tu-khoa", "keywords", "tag-list", "article-tags"),
    "comments": ("comments", "binh-luan", "y-kien", "feedback", "comment-box"),
    "files": ("files", "dinh-kem", "attachments-list", "tai-lieu", "file-attach"),
    "figure": ("img-box", "photo", "image-center", "pic", "hinh-anh"),
    "caption": ("caption", "img-caption", "chu-thich", "photo-caption", "desc"),
    "list": ("list", "news-list", "ds-tin", "list-items", "category-list", "articles"),
    "item": ("item", "list-item", "post-item", "tin", "row-item", "entry"),
    "item-title": ("item-title", "title", "tieu-de", "post-title", "link-title"),
    "item-date": ("item-date", "date", "time", "ngay", "post-date"),
    "item-lead": ("item-lead", "summary", "desc", "tom-tat", "excerpt"),
    "pager": ("pager", "pagination", "phan-trang", "paging", "page-nav"),
    "cat-title": ("cat-title", "category-name", "page-title", "ten-chuyen-muc", "heading"),
    "today": ("today", "current-date", "ngay-hien-tai", "date-now", "clock"),
    "views": ("views", "luot-xem", "view-count", "hits"),
    "inline-related": ("box-related", "tin-lien-quan", "related-inline", "see-also"),
}  # fmt: skip

#: DotNetNuke control names per role (``id="dnn_ctr{module}_{Control}_{name}"``)
DNN_NAMES: dict[str, str] = {
    "headline": "lblTitle",
    "date": "lblDate",
    "modified": "lblModified",
    "sapo": "lblSummary",
    "content": "pnlContent",
    "author": "lblAuthor",
    "meta": "pnlInfo",
    "share": "pnlShare",
    "tags": "pnlTags",
    "comments": "pnlComment",
    "files": "pnlFiles",
    "list": "dlNews",
    "pager": "pnlPager",
    "cat-title": "lblCategory",
    "views": "lblView",
}
DNN_CLASSES: dict[str, str] = {
    "headline": "Title",
    "date": "Normal",
    "modified": "Normal",
    "sapo": "NormalBold",
    "content": "Normal",
    "author": "NormalBold",
    "item-title": "SubHead",
    "item-date": "Normal",
    "cat-title": "Head",
    "column-title": "Head",
}
DNN_MODULES = ("ViewNews", "ArticleDetail", "NewsDetail", "TinTuc", "ChiTietTin")


class Namer:
    """Class (and, in portlets, id) attributes per role, as one layout names things."""

    def __init__(self, rng: random.Random, naming: str, family: str) -> None:
        self.naming = naming
        self.family = family
        self.module_id = rng.randrange(300, 3000)
        self.module = rng.choice(DNN_MODULES)
        self._names: dict[str, str] = {}
        self._rng = random.Random(rng.random())

    def _name(self, role: str) -> str:
        cached = self._names.get(role)
        if cached is not None:
            return cached
        rng = self._rng
        naming = self.naming
        if naming == "mixed":
            naming = rng.choice(("meaningful", "random", "absent"))
        if naming == "meaningful":
            name = rng.choice(MEANINGFUL.get(role, (role,)))
        elif naming == "random":
            prefix = rng.choice(("c", "x", "sc-", "_", "css-", "k"))
            name = prefix + "".join(
                rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6)
            )
        else:
            name = ""
        self._names[role] = name
        return name

    def __call__(self, role: str, extra: str = "") -> str:
        """`` class="..."`` (and ``id``) for an element of ``role``, or ``""``."""
        parts = []
        if self.family == "portlet" and role in DNN_NAMES:
            parts.append(f' id="dnn_ctr{self.module_id}_{self.module}_{DNN_NAMES[role]}"')
            dnn_class = DNN_CLASSES.get(role)
            if dnn_class:
                parts.append(f' class="{dnn_class}"')
                return "".join(parts) + extra
        name = self._name(role)
        if name:
            parts.append(f' class="{name}"')
        return "".join(parts) + extra

    def describe(self) -> dict[str, str]:
        """The class (or DotNetNuke id) of the elements that matter most."""
        return {role: self(role).strip() for role in ("headline", "date", "sapo", "content")}


# --------------------------------------------------------------------------- furniture texts

COLUMN_HEADINGS: dict[str, tuple[str, ...]] = {
    "latest": ("Tin mới nhất", "Tin mới", "Tin mới cập nhật", "Mới nhất", "Tin tức mới"),
    "related": ("Tin cùng chuyên mục", "Tin liên quan", "Bài viết liên quan", "Các tin khác",
                "Xem thêm", "Tin đã đưa", "Đọc thêm", "Các bài viết khác", "Tin khác"),
    "popular": ("Tin đọc nhiều", "Tin xem nhiều", "Đọc nhiều nhất", "Tiêu điểm", "Tin nổi bật"),
}  # fmt: skip
SHARE_LABELS = (
    ("Chia sẻ:", "Facebook", "Zalo", "Twitter"),
    ("Chia sẻ bài viết", "Gửi email", "In bài viết"),
    ("In trang", "Gửi bài viết", "Lưu bài viết", "Quay lại", "Về đầu trang"),
    ("Chia sẻ", "Bản in", "Cỡ chữ: A- A A+"),
    ("Nghe đọc bài viết", "Chia sẻ Facebook", "Chia sẻ Zalo"),
)
COMMENT_HEADINGS = ("Ý kiến bạn đọc", "Gửi ý kiến", "Bình luận", "Gửi bình luận", "Ý kiến của bạn")
COMMENT_TEXTS = (
    "Bài viết rất thiết thực, mong các địa phương nhân rộng mô hình này.",
    "Cảm ơn tác giả đã phản ánh kịp thời, người dân chúng tôi rất đồng tình.",
    "Đề nghị cơ quan chức năng sớm giải quyết dứt điểm kiến nghị của bà con.",
    "Mô hình hay, cách làm sáng tạo, rất đáng học tập và nhân rộng.",
    "Mong ban biên tập có thêm nhiều bài viết về cơ sở như thế này.",
)
COMMENT_NAMES = ("Nguyễn Văn Bình", "Trần Thị Mai", "Lê Quốc Khánh", "Bạn đọc Hà Tĩnh", "Phạm Hoa")
TAG_LABELS = ("Từ khóa:", "Tags:", "Chủ đề:", "Từ khoá:")
TAG_WORDS = (
    "dân vận khéo", "dân chủ cơ sở", "Nghệ An", "nông thôn mới", "đại đoàn kết",
    "Mặt trận Tổ quốc", "cải cách hành chính", "chuyển đổi số", "xây dựng Đảng",
)  # fmt: skip
MODULE_TITLES = ("Chi tiết tin", "Tin tức - Sự kiện", "Tin tức", "Nội dung chi tiết", "Bài viết")
MODIFIED_LABELS = ("Cập nhật lúc", "Cập nhật:", "Sửa lần cuối:", "Chỉnh sửa:")
BYLINE_LABELS = ("Tác giả: ", "", "", "Bài: ", "Người viết: ")
FOOTERS = (
    FOOTER_TEXT,
    "Bản quyền thuộc về Tỉnh ủy Nghệ An. Giấy phép số 12/GP-TTĐT do Sở Thông tin và "
    "Truyền thông cấp. Ghi rõ nguồn khi phát hành lại thông tin từ website này.",
    "Trang thông tin điện tử Đảng bộ tỉnh Nghệ An. Chịu trách nhiệm chính: Trưởng Ban "
    "Tuyên giáo Tỉnh ủy. Điện thoại: 0238 3844 xxx.",
)
PAGER_WORDS = (("Trang đầu", "Trang trước", "Trang sau", "Trang cuối"), ("«", "‹", "›", "»"),
               ("Đầu", "Trước", "Tiếp", "Cuối"), ("|<", "<", ">", ">|"))  # fmt: skip


@dataclass(frozen=True)
class Column:
    """A column of dated links (other articles): heading, which articles, where, how."""

    kind: str  # latest | related | popular
    heading: str
    where: str  # before | after | left | right
    dated: bool
    date_style: DateStyle
    bracket: bool  # date printed "(05/09/2022)" after the link
    count: int
    markup: str  # ul | div | table


@dataclass(frozen=True)
class Spec:
    """Every choice of one random layout (drawn by :func:`spec_for`)."""

    seed: int
    family: str
    naming: str
    title_form: int
    og_title: bool
    header_today: bool
    today_style: DateStyle
    menu_nested: bool
    headline_tag: str
    headline_link: bool
    headline_wrap: bool
    heading_before: str  # "" | module | category | logo
    date_where: (
        str  # before-headline | after-headline | meta-line | after-sapo | after-body | listing
    )
    date_style: DateStyle
    date_tag: str
    date_icon: bool
    time_attr: bool  # <time datetime="...">
    show_modified: bool
    modified_before: bool
    modified_label: str
    views: bool
    sapo: str  # element | in-body-bold | in-body
    sapo_tag: str
    body_tag: str
    body_paragraphs: str  # p | p-justify | p-span | div | br | br1
    body_wrap: bool
    image_style: str  # figure | table | div-center | p-center
    author_where: str  # signature | byline-top | byline-after | author-box
    sig_style: str  # right-2 | right-dash | right-br | align-right | div-right | bold-end
    sig_pad: bool
    byline_label: str
    byline_dash_role: bool
    crumbs: str  # "" | top | after-headline
    crumb_sep: str
    share: str  # "" | top | bottom | both
    share_labels: tuple[str, ...]
    tags: bool
    tag_label: str
    comments: str  # "" | form | form+list
    comment_heading: str
    columns: tuple[Column, ...]
    listing_markup: str  # ul | div | table | article
    listing_title_tag: str
    listing_thumb: bool
    listing_date: bool
    listing_date_style: DateStyle
    listing_date_first: bool
    listing_lead: bool
    pager: str  # numbered | links | prevnext | next | text
    pager_words: tuple[str, ...]
    footer: str
    files_label: str
    inline_related: str  # "" | xem-them | box: links to other articles inside the body
    byline_first: bool  # a byline above the headline (else below it, after the date)

    def describe(self) -> dict[str, Any]:
        """The choices as JSON-able data (``/_replica/info``)."""
        out: dict[str, Any] = {}
        for name, value in self.__dict__.items():
            if isinstance(value, DateStyle):
                out[name] = value.as_dict()
            elif name == "columns":
                out[name] = [
                    {"kind": c.kind, "heading": c.heading, "where": c.where, "dated": c.dated}
                    for c in value
                ]
            else:
                out[name] = value
        return out


DATE_TAGS = {False: ("span", "div", "p", "em", "i"), True: ("span", "div", "p", "em", "time")}
BODY_TAGS = {
    "html5": ("div", "div", "section", "article"),
    "table": ("div", "div", "td"),
    "portlet": ("div",),
    "div": ("div",),
}
PARAGRAPH_STYLES = {"p": 3, "p-justify": 1.5, "p-span": 1, "div": 1.5, "br": 1, "br1": 0.7}
SIGNATURE_STYLES = ("right-2", "right-dash", "right-br", "align-right", "div-right", "bold-end")
LISTING_MARKUPS = {False: ("ul", "div", "table"), True: ("ul", "div", "table", "article")}
LISTING_DATE_FORMS = ("slash", "time_first", "dot_date", "dash_date", "weekday", "label", "gmt")
COLUMN_DATE_FORMS = ("slash", "time_first", "dot_date", "dash_date", "weekday")


def _pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def spec_for(seed: int) -> Spec:
    """The layout of ``random:SEED``."""
    rng = random.Random(f"layout:{seed}")
    family = rng.choice(FAMILIES)
    naming = "mixed" if family == "portlet" else rng.choice(NAMINGS)
    tags = ["h1", "h2", "h3", "div", "span", "p", "strong"]
    if family in ("table", "portlet"):
        tags += ["td", "td", "span"]
    headline_tag = rng.choice(tags)
    date_where = _pick(
        rng,
        {
            "after-headline": 3,
            "meta-line": 2,
            "before-headline": 2,
            "after-sapo": 1,
            "after-body": 1,
            "listing": 0.5,
        },
    )
    date_style = _date_style(rng)
    columns = []
    kinds = rng.sample(("latest", "related", "popular"), rng.choice((0, 1, 1, 2, 2, 3)))
    for kind in kinds:
        columns.append(
            Column(
                kind=kind,
                heading=rng.choice(COLUMN_HEADINGS[kind]),
                where=rng.choice(("before", "after", "after", "left", "right")),
                dated=rng.random() < 0.6,
                date_style=_date_style(
                    rng, ("slash", "time_first", "dot_date", "dash_date", "weekday")
                ),
                bracket=rng.random() < 0.4,
                count=rng.randint(3, 8),
                markup=rng.choice(("ul", "div", "table") if family == "table" else ("ul", "div")),
            )
        )
    author_where = _pick(
        rng, {"signature": 3, "byline-top": 1, "byline-after": 1, "author-box": 0.7}
    )
    listing_date = date_where == "listing" or rng.random() < 0.7
    return Spec(
        seed=seed,
        family=family,
        naming=naming,
        title_form=rng.randrange(6),
        og_title=rng.random() < 0.6,
        header_today=rng.random() < 0.3,
        today_style=DateStyle(
            rng.choice(("weekday", "words")), 3 if rng.random() < 0.5 else 1, pad=rng.random() < 0.5
        ),
        menu_nested=rng.random() < 0.6,
        headline_tag=headline_tag,
        headline_link=rng.random() < 0.15,
        headline_wrap=rng.random() < 0.3,
        heading_before=rng.choice(("", "", "module", "category", "logo")),
        date_where=date_where,
        date_style=date_style,
        date_tag=rng.choice(DATE_TAGS[family == "html5"]),
        date_icon=rng.random() < 0.3,
        time_attr=family == "html5" and rng.random() < 0.4,
        show_modified=rng.random() < 0.5 and date_style.form != "capnhat",
        modified_before=rng.random() < 0.3,
        modified_label=rng.choice(MODIFIED_LABELS),
        views=rng.random() < 0.4,
        sapo=_pick(rng, {"element": 3, "in-body-bold": 1, "in-body": 1}),
        sapo_tag=rng.choice(("div", "p", "h2", "h3", "strong", "div")),
        body_tag=rng.choice(BODY_TAGS[family]),
        body_paragraphs=_pick(rng, PARAGRAPH_STYLES),
        body_wrap=rng.random() < 0.3,
        image_style=rng.choice(("figure", "table", "div-center", "p-center")),
        author_where=author_where,
        sig_style=rng.choice(SIGNATURE_STYLES),
        sig_pad=rng.random() < 0.4,
        byline_label=rng.choice(BYLINE_LABELS),
        byline_dash_role=rng.random() < 0.5,
        crumbs=rng.choice(("", "top", "top", "after-headline")),
        crumb_sep=rng.choice(("»", ">", "/", "›", "|", "")),
        share=rng.choice(("", "top", "bottom", "bottom", "both")),
        share_labels=rng.choice(SHARE_LABELS),
        tags=rng.random() < 0.4,
        tag_label=rng.choice(TAG_LABELS),
        comments=rng.choice(("", "", "form", "form+list")),
        comment_heading=rng.choice(COMMENT_HEADINGS),
        columns=tuple(columns),
        listing_markup=rng.choice(LISTING_MARKUPS[family in ("html5", "div")]),
        listing_title_tag=rng.choice(("h2", "h3", "h4", "a", "strong", "div")),
        listing_thumb=rng.random() < 0.5,
        listing_date=listing_date,
        listing_date_style=_date_style(rng, LISTING_DATE_FORMS),
        listing_date_first=rng.random() < 0.3,
        listing_lead=rng.random() < 0.6,
        pager=rng.choice(("numbered", "links", "prevnext", "next", "text")),
        pager_words=rng.choice(PAGER_WORDS),
        footer=rng.choice(FOOTERS),
        files_label=rng.choice(("Tệp đính kèm:", "File đính kèm", "Tài liệu kèm theo:", "Tải về:")),
        inline_related=_pick(rng, {"": 8, "xem-them": 1, "box": 1}),
        byline_first=rng.random() < 0.5,
    )


# --------------------------------------------------------------------------- the layout


@dataclass
class _Page:
    """What the article renderer printed that is not plain page text (see ``facts``)."""

    date: dict[str, Any] | None = None
    modified: dict[str, Any] | None = None
    authors: dict[str, Any] | None = None
    own: list[str] = field(default_factory=list)


class RandomLayout(Classic):
    """A layout drawn from a seed; the same URLs and data as the others."""

    def __init__(self, seed: int) -> None:
        self.spec = spec_for(seed)
        self.name = f"random:{seed}"
        self.n = Namer(random.Random(f"layout:{seed}:names"), self.spec.naming, self.spec.family)

    # -- frame ----------------------------------------------------------------------------
    def _head(self, ctx: Ctx, title: str, site: Wd.Site, og: str | None, img: str | None) -> str:
        s = self.spec
        name = site.name
        form = s.title_form
        if form == 0:
            full = f"{title} - {name}"
        elif form == 1:
            full = f"{title} | {name}"
        elif form == 2:
            full = f"{title} – {name}"
        elif form == 3:
            full = f"{name} - {title}"
        elif form == 4:
            full = title
        else:
            full = f"{title} :: {name}"
        doctype = "<!DOCTYPE html>"
        if s.family == "table":
            doctype = (
                '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
            )
        parts = [
            doctype,
            '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>{esc(full)}</title>",
        ]
        if og and s.og_title:
            parts.append(f'<meta property="og:title" content="{attr(og)}">')
        if img:
            parts.append(f'<meta property="og:image" content="{attr(img)}">')
        parts.append('<link rel="stylesheet" href="/Uploads/css/site.css"></head>')
        return "\n".join(parts)

    def _menu(self, ctx: Ctx, site: Wd.Site) -> str:
        s, n = self.spec, self.n
        items = []
        for label, href, children in _menu_items(ctx, site):
            sub = ""
            if children and s.menu_nested:
                sub = (
                    f"<ul{n('submenu')}>"
                    + "".join(f'<li><a href="{attr(h)}">{esc(c)}</a></li>' for c, h in children)
                    + "</ul>"
                )
            items.append(f'<li><a href="{attr(href)}">{esc(label)}</a>{sub}</li>')
        ul = f"<ul{n('menu')}>" + "".join(items) + "</ul>"
        return f"<nav>{ul}</nav>" if s.family == "html5" else f"<div{n('menu')}>{ul}</div>"

    def _today(self, ctx: Ctx) -> str:
        if not self.spec.header_today:
            return ""
        text, _ = format_date(ctx.world.now, self.spec.today_style)
        return f"<div{self.n('today')}>{esc(text)}</div>"

    def _banner(self, site: Wd.Site) -> str:
        src = "/Uploads/images/banner/" + ("home" if site is Wd.MAIN else site.key) + ".jpg"
        return (
            f'<a href="{attr(site.home)}"><img{self.n("banner")} src="{src}" '
            f'alt="{attr(site.banner)}"></a>'
        )

    def page(
        self,
        ctx: Ctx,
        site: Wd.Site,
        title: str,
        main: str,
        *,
        left: str = "",
        right: str = "",
        og: str | None = None,
        img: str | None = None,
    ) -> str:
        s, n = self.spec, self.n
        head = self._head(ctx, title, site, og, img)
        top = self._banner(site) + self._today(ctx)
        menu = self._menu(ctx, site)
        foot = f"<p>{esc(s.footer)}</p>"
        script = '<script src="/Uploads/js/site.js"></script>'
        if s.family == "table":
            cols = ""
            if left:
                cols += f'<td width="220" valign="top"{n("sidebar")}>{left}</td>'
            cols += f'<td valign="top"{n("main")}>{main}</td>'
            if right:
                cols += f'<td width="220" valign="top"{n("sidebar")}>{right}</td>'
            span = 1 + bool(left) + bool(right)
            body = (
                f'<table width="100%" cellpadding="0" cellspacing="0" border="0"{n("wrapper")}>'
                f'<tr><td colspan="{span}"{n("header")}>{top}</td></tr>'
                f'<tr><td colspan="{span}">{menu}</td></tr>'
                f"<tr>{cols}</tr>"
                f'<tr><td colspan="{span}"{n("footer")}>{foot}</td></tr></table>'
            )
        elif s.family == "portlet":
            state = quote(f"{s.seed}:{title}".encode())[:40]
            panes = ""
            if left:
                panes += f'<div id="dnn_LeftPane" class="LeftPane">{left}</div>'
            panes += f'<div id="dnn_ContentPane" class="ContentPane">{main}</div>'
            if right:
                panes += f'<div id="dnn_RightPane" class="RightPane">{right}</div>'
            body = (
                '<form method="post" action="" id="Form" enctype="multipart/form-data">'
                f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{attr(state)}">'
                f'<div id="dnn_wrapper"{n("wrapper")}><div id="dnn_HeaderPane">{top}</div>'
                f'<div id="dnn_MenuPane">{menu}</div><div id="dnn_Panes">{panes}</div>'
                f'<div id="dnn_FooterPane"{n("footer")}>{foot}</div></div></form>'
            )
        elif s.family == "html5":
            aside_l = f"<aside{n('sidebar')}>{left}</aside>" if left else ""
            aside_r = f"<aside{n('sidebar')}>{right}</aside>" if right else ""
            body = (
                f"<header{n('header')}>{top}{menu}</header>"
                f"{aside_l}<main{n('main')}>{main}</main>{aside_r}"
                f"<footer{n('footer')}>{foot}</footer>"
            )
        else:
            side = n("sidebar")
            col_l = f"<div{side}>{left}</div>" if left else ""
            col_r = f"<div{side}>{right}</div>" if right else ""
            body = (
                f"<div{n('wrapper')}><div{n('header')}>{top}</div>{menu}"
                f'<div class="row">{col_l}<div{n("main")}>{main}</div>{col_r}</div>'
                f"<div{n('footer')}>{foot}</div></div>"
            )
        return f"{head}\n<body>\n{body}\n{script}\n</body></html>\n"

    # -- dated link columns ---------------------------------------------------------------
    def _column_items(self, ctx: Ctx, col: Column, current: Wd.Meta | None) -> list[Wd.Meta]:
        w = ctx.world
        if col.kind == "latest":
            pool = w.latest(col.count + 1)
        elif col.kind == "related" and current is not None:
            pool = [m for m in w.listing(current.cat) if m.id != current.id][: col.count]
            if len(pool) < col.count:
                pool += [m for m in w.latest(col.count + 1) if m.id != current.id and m not in pool]
        else:
            rng = random.Random(f"{self.spec.seed}:popular:{w.seed}")
            k = min(len(w.metas), col.count + 1)
            pool = [w.metas[i] for i in sorted(rng.sample(range(len(w.metas)), k))]
        return [m for m in pool if current is None or m.id != current.id][: col.count]

    def _column(self, ctx: Ctx, col: Column, current: Wd.Meta | None) -> str:
        n = self.n
        w = ctx.world
        rows = []
        for m in self._column_items(ctx, col, current):
            href = attr(link_variant(ctx, m, "related" if col.kind == "related" else "home"))
            title = esc(w.title_info(m)[0])
            date = ""
            if col.dated:
                text, _ = format_date(m.pub, col.date_style)
                date = f"({text})" if col.bracket and not text.startswith("(") else text
                date = f" <span{n('item-date')}>{esc(date)}</span>"
            link = f'<a href="{href}">{title}</a>'
            if col.markup == "ul":
                rows.append(f"<li>{link}{date}</li>")
            elif col.markup == "table":
                rows.append(f"<tr><td>{link}{date}</td></tr>")
            else:
                rows.append(f"<div{n('item')}>{link}{date}</div>")
        if col.markup == "ul":
            inner = f"<ul{n('column-list')}>" + "".join(rows) + "</ul>"
        elif col.markup == "table":
            inner = f'<table width="100%"{n("column-list")}>' + "".join(rows) + "</table>"
        else:
            inner = f"<div{n('column-list')}>" + "".join(rows) + "</div>"
        heading = f"<h3{n('column-title')}>{esc(col.heading)}</h3>"
        if self.spec.family == "html5":
            return f"<section{n('column')}>{heading}{inner}</section>"
        return f"<div{n('column')}>{heading}{inner}</div>"

    def _columns(self, ctx: Ctx, current: Wd.Meta | None) -> dict[str, str]:
        out = {"before": "", "after": "", "left": "", "right": ""}
        for col in self.spec.columns:
            out[col.where] += self._column(ctx, col, current)
        return out

    # -- listings ---------------------------------------------------------------------------
    def news_item(self, ctx: Ctx, meta: Wd.Meta, where: str = "listing") -> str:
        s, n = self.spec, self.n
        art = ctx.world.article(meta)
        mode = _text_mode(ctx, meta)
        href = attr(link_variant(ctx, meta, where))
        title_text = _t(art.content.title, mode)
        tt = s.listing_title_tag
        if tt == "a":
            title = f'<a{n("item-title")} href="{href}">{title_text}</a>'
        else:
            title = f'<{tt}{n("item-title")}><a href="{href}">{title_text}</a></{tt}>'
        thumb = ""
        if s.listing_thumb and art.content.images:
            src = attr(art.content.images[0][1].src)
            thumb = f'<a href="{href}"><img src="{src}" alt=""></a>'
        date = ""
        if s.listing_date:
            text, _ = format_date(meta.pub, s.listing_date_style)
            date = f"<span{n('item-date')}>{esc(text)}</span>"
        lead = f"<div{n('item-lead')}>{_t(art.content.lead, mode)}</div>" if s.listing_lead else ""
        parts = [thumb, date, title, lead] if s.listing_date_first else [thumb, title, date, lead]
        inner = "".join(parts)
        if s.listing_markup == "ul":
            return f"<li{n('item')}>{inner}</li>"
        if s.listing_markup == "table":
            return f"<tr><td{n('item')}>{inner}</td></tr>"
        if s.listing_markup == "article":
            return f"<article{n('item')}>{inner}</article>"
        return f"<div{n('item')}>{inner}</div>"

    def _items(self, ctx: Ctx, metas: list[Wd.Meta], where: str) -> str:
        n = self.n
        rows = "".join(self.news_item(ctx, m, where) for m in metas)
        markup = self.spec.listing_markup
        if markup == "ul":
            return f"<ul{n('list')}>{rows}</ul>"
        if markup == "table":
            return f'<table width="100%"{n("list")}>{rows}</table>'
        if markup == "article":
            return f"<section{n('list')}>{rows}</section>"
        return f"<div{n('list')}>{rows}</div>"

    def pager(self, path: str, page: int, last: int) -> str:
        s, n = self.spec, self.n
        if last <= 1:
            return ""
        first_w, prev_w, next_w, last_w = s.pager_words

        def link(k: int, text: str) -> str:
            return f'<a href="{attr(page_href(path, k))}">{esc(text)}</a>'

        parts: list[str] = []
        if s.pager in ("numbered", "links"):
            if page > 1 and s.pager == "links":
                parts.append(link(page - 1, prev_w))
            for k in _pages(page, last):
                if k == page and s.pager == "numbered":
                    parts.append(f"<span>{k}</span>")
                else:
                    parts.append(link(k, str(k)))
            if page < last:
                parts.append(link(page + 1, next_w))
        elif s.pager == "prevnext":
            if page > 1:
                parts += [link(1, first_w), link(page - 1, prev_w)]
            parts.append(f"<span>{page}</span>")
            if page < last:
                parts += [link(page + 1, next_w), link(last, last_w)]
        elif s.pager == "next":
            if page > 1:
                parts.append(link(page - 1, prev_w))
            if page < last:
                parts.append(link(page + 1, next_w))
        else:
            parts.append(f"<span>Trang {page}/{last}</span>")
            if page > 1:
                parts.append(link(page - 1, prev_w))
            if page < last:
                parts.append(link(page + 1, next_w))
        return f"<div{n('pager')}>" + " ".join(parts) + "</div>"

    def _side(self, ctx: Ctx, current: Wd.Meta | None) -> tuple[str, str, str, str]:
        cols = self._columns(ctx, current)
        return cols["before"], cols["after"], cols["left"], cols["right"]

    def listing(
        self, ctx: Ctx, cat: Wd.Category, page: int, last: int, items: list[Wd.Meta]
    ) -> str:
        n = self.n
        before, after, left, right = self._side(ctx, None)
        main = (
            f"<h1{n('cat-title')}>{esc(cat.name)}</h1>"
            + self._items(ctx, items, "listing")
            + self.pager(cat.path, page, last)
        )
        return self.page(ctx, cat.site, cat.name, main, left=left + before, right=right + after)

    def home(self, ctx: Ctx, featured: list[Wd.Meta], latest: list[Wd.Meta]) -> str:
        n = self.n
        w = ctx.world
        links = "".join(
            f'<li><a href="{attr(link_variant(ctx, m, "home"))}">{esc(w.title_info(m)[0])}</a></li>'
            for m in featured
        )
        main = (
            f"<div{n('column')}><h2{n('column-title')}>Tin nổi bật</h2><ul>{links}</ul></div>"
            + self._items(ctx, latest, "home-latest")
        )
        return self.page(ctx, Wd.MAIN, "Trang chủ", main)

    def subsite(self, ctx: Ctx, site: Wd.Site, latest: list[Wd.Meta]) -> str:
        main = f"<h1{self.n('cat-title')}>{esc(site.name)}</h1>" + self._items(
            ctx, latest, "sub-latest"
        )
        return self.page(ctx, site, site.name, main)

    def not_found(self, ctx: Ctx) -> str:
        main = "<h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại.</p>"
        return self.page(ctx, Wd.MAIN, "Không tìm thấy trang", main)

    # -- article parts --------------------------------------------------------------------
    def _date_html(self, ctx: Ctx, art: Wd.Article, rec: _Page) -> str:
        s, n = self.spec, self.n
        meta = art.meta
        text, has_time = format_date(meta.pub, s.date_style)
        rec.date = {
            "printed": text,
            "time": has_time,
            "where": s.date_where,
            **s.date_style.as_dict(),
        }
        rec.own.append(text)
        icon = '<i class="fa fa-clock-o"></i> ' if s.date_icon else ""
        tag = s.date_tag
        extra = ""
        if tag == "time" and s.time_attr:
            d = meta.pub.astimezone(Wd.TZ)
            extra = f' datetime="{d.isoformat()}"' if has_time else f' datetime="{d:%Y-%m-%d}"'
        out = f"<{tag}{n('date', extra)}>{icon}{esc(text)}</{tag}>"
        if s.show_modified and meta.mod is not None:
            d = meta.mod.astimezone(Wd.TZ)
            label = s.modified_label
            if label == "Cập nhật lúc":
                printed = f"{label} {d:%H:%M} ngày {_dmy(d, s.date_style.pad)}"
            else:
                printed = f"{label} {_dmy(d, s.date_style.pad)} {d:%H:%M}"
            mod_time = True
            rec.modified = {"printed": printed, "time": mod_time}
            rec.own.append(printed)
            mod_html = f"<{tag}{n('modified')}>{esc(printed)}</{tag}>"
            out = mod_html + " " + out if s.modified_before else out + " " + mod_html
        return out

    def _meta_line(self, ctx: Ctx, art: Wd.Article, rec: _Page) -> str:
        n = self.n
        cat = Wd.CATEGORIES[art.meta.cat]
        bits = [f'<a href="{attr(cat.path)}">{esc(cat.name)}</a>', self._date_html(ctx, art, rec)]
        if self.spec.views:
            bits.append(f"<span{n('views')}>Lượt xem: {self._views(ctx, art.meta)}</span>")
        return f"<div{n('meta')}>" + " | ".join(bits) + "</div>"

    def _views(self, ctx: Ctx, meta: Wd.Meta) -> str:
        count = random.Random(f"{self.spec.seed}:views:{meta.index}").randint(120, 25000)
        return f"{count:,}".replace(",", ".")

    def _byline(self, c: Content, mode: tuple[bool, bool], rec: _Page) -> str:
        """The author printed above or below the body (not in it)."""
        s, n = self.spec, self.n
        if not c.author:
            return ""
        rec.authors = {"where": s.author_where, "style": "byline"}
        name = _t(c.author, mode)
        if s.author_where == "author-box":
            role_html = f" <span>{_t(c.role, mode)}</span>" if c.role else ""
            return f"<div{n('author')}><strong>{name}</strong>{role_html}</div>"
        # the layout's label, unless the author line carries its own credit ("Bài, ảnh: ")
        label = s.byline_label if c.author == c.author_name else ""
        line = label + c.author
        role = ""
        if c.role and s.byline_dash_role:
            line += " - " + c.role
            role = " - " + _t(c.role, mode)
        elif c.role:
            role = f"<br>{_t(c.role, mode)}"
        rec.own.append(line)
        tag = "p" if s.author_where == "byline-after" else "div"
        return f"<{tag}{n('author')}>{esc(label)}{name}{role}</{tag}>"

    def _signature(self, c: Content, mode: tuple[bool, bool], rec: _Page) -> list[str]:
        """The signature at the end of the body, as blocks."""
        s = self.spec
        if not c.author:
            return []
        rec.authors = {"where": "signature", "style": s.sig_style}
        pre = NBSP * 30 + " " if s.sig_pad else ""
        name = esc(pre) + _t(c.author, mode)
        role = _t(c.role, mode) if c.role else ""
        if s.sig_style == "right-dash" and c.role:
            rec.own.append(f"{c.author} - {c.role}")
        style = s.sig_style
        if style == "right-2":
            out = [f'<p style="text-align: right;"><strong>{name}</strong></p>']
            if role:
                out.append(f'<p style="text-align: right;">{role}</p>')
            return out
        if style == "right-dash":
            line = f"{name} - {role}" if role else name
            return [f'<p style="text-align:right"><strong>{line}</strong></p>']
        if style == "right-br":
            tail = f"<br><em>{role}</em>" if role else ""
            return [f'<p style="text-align:right"><b>{name}</b>{tail}</p>']
        if style == "align-right":
            out = [f'<p align="right"><strong>{name}</strong></p>']
            if role:
                out.append(f'<p align="right"><em>{role}</em></p>')
            return out
        if style == "div-right":
            tail = f"<div>{role}</div>" if role else ""
            return [f'<div style="text-align: right;"><b>{name}</b>{tail}</div>']
        out = [f"<p><strong>{name}</strong></p>"]
        if role:
            out.append(f"<p><em>{role}</em></p>")
        return out

    def _image(self, src: str, caption: str | None, mode: tuple[bool, bool]) -> list[str]:
        n = self.n
        style = self.spec.image_style
        cap = _t(caption, mode) if caption else ""
        img = f'<img src="{attr(src)}" alt="">'
        if style == "figure":
            fc = f"<figcaption>{cap}</figcaption>" if cap else ""
            return [f"<figure{n('figure')}>{img}{fc}</figure>"]
        if style == "table":
            row = f"<tr><td{n('caption')}>{cap}</td></tr>" if cap else ""
            return [f'<table align="center"{n("figure")}><tr><td>{img}</td></tr>{row}</table>']
        if style == "div-center":
            fc = f"<p{n('caption')}><em>{cap}</em></p>" if cap else ""
            return [f'<div style="text-align:center"{n("figure")}>{img}{fc}</div>']
        out = [f'<p style="text-align: center;">{img}</p>']
        if cap:
            out.append(f'<p style="text-align: center;"><em>{cap}</em></p>')
        return out

    def _paragraph(self, inner: str) -> str:
        style = self.spec.body_paragraphs
        if style == "p-justify":
            return f'<p style="text-align: justify;">{inner}</p>'
        if style == "p-span":
            return f'<p><span style="font-size:14px;">{inner}</span></p>'
        if style == "div":
            return f"<div>{inner}</div>"
        return f"<p>{inner}</p>"

    def _body(
        self, ctx: Ctx, art: Wd.Article, mode: tuple[bool, bool], rec: _Page, lead_inside: bool
    ) -> str:
        """The content element: (lead), paragraphs, images, payloads, signature."""
        s, n = self.spec, self.n
        c = art.content
        rng = random.Random(f"{ctx.world.seed}:xss:{art.meta.index}:{art.meta.version}")
        # paragraphs as inner HTML, other blocks (images, payloads) marked as such
        pieces: list[tuple[bool, str]] = []
        if lead_inside:
            lead = _t(c.lead, mode)
            pieces.append((True, f"<strong>{lead}</strong>" if s.sapo == "in-body-bold" else lead))
        images = list(c.images)
        for k, p in enumerate(c.paragraphs):
            pieces.append((True, self.paragraph_html(p, mode)))
            while images and images[0][0] == k:
                img = images.pop(0)[1]
                pieces += [(False, block) for block in self._image(img.src, img.caption, mode)]
            if art.meta.xss and rng.random() < 0.6:
                pieces.append((False, rng.choice(XSS_PAYLOADS)))
            if k == min(1, len(c.paragraphs) - 2) and s.inline_related:
                pieces.append((False, self._inline_related(ctx, art)))
        sig = [] if s.author_where != "signature" else self._signature(c, mode, rec)
        if s.body_paragraphs in ("br", "br1"):
            # text runs separated by line breaks, as old editors save them
            sep = "<br><br>" if s.body_paragraphs == "br" else "<br>"
            out: list[str] = []
            after_text = False
            for is_text, piece in pieces:
                if is_text and after_text:
                    out.append(sep)
                out.append(piece)
                after_text = is_text
            html_body = "\n".join(out) + "".join(sig)
        else:
            blocks = [self._paragraph(piece) if is_text else piece for is_text, piece in pieces]
            html_body = "\n".join(blocks + sig)
        if s.body_wrap:
            html_body = f'<div class="{attr(self._wrap_class())}">{html_body}</div>'
        tag = s.body_tag
        if tag == "td":
            return f'<table width="100%"><tr><td{n("content")}>{html_body}</td></tr></table>'
        return f"<{tag}{n('content')}>{html_body}</{tag}>"

    def _inline_related(self, ctx: Ctx, art: Wd.Article) -> str:
        """Links to other articles inside the body, as editors paste them."""
        w = ctx.world
        others = [m for m in w.latest(4) if m.id != art.meta.id][:3]
        if not others:
            return ""

        def link(m: Wd.Meta) -> str:
            href = attr(link_variant(ctx, m, "related"))
            return f'<a href="{href}">{esc(w.title_info(m)[0])}</a>'

        if self.spec.inline_related == "xem-them":
            return f"<p><strong>Xem thêm:</strong> {link(others[0])}</p>"
        items = "".join(f"<li>{link(m)}</li>" for m in others)
        return (
            f"<div{self.n('inline-related')}><strong>Tin liên quan:</strong><ul>{items}</ul></div>"
        )

    def _wrap_class(self) -> str:
        return random.Random(f"layout:{self.spec.seed}:wrap").choice(
            ("inner", "clearfix", "text", "fck-content", "ExternalClass")
        )

    def paragraph_html(self, p: Paragraph, mode: tuple[bool, bool]) -> str:
        return Classic.paragraph_html(self, p, mode)

    def _share(self, ctx: Ctx, art: Wd.Article) -> str:
        n = self.n
        url = quote(ctx.base + art.path, safe="")
        links = []
        for label in self.spec.share_labels:
            if "Facebook" in label:
                href = f"https://www.facebook.com/sharer/sharer.php?u={url}"
            elif "Zalo" in label:
                href = f"https://sp.zalo.me/share_inline?url={url}"
            elif "Twitter" in label:
                href = f"https://twitter.com/intent/tweet?url={url}"
            elif label.endswith(":") or label.startswith("Cỡ chữ"):
                links.append(f"<span>{esc(label)}</span>")
                continue
            else:
                href = "javascript:void(0)"
            links.append(f'<a href="{attr(href)}">{esc(label)}</a>')
        return f"<div{n('share')}>" + " ".join(links) + "</div>"

    def _tags(self, ctx: Ctx, art: Wd.Article) -> str:
        rng = random.Random(f"{self.spec.seed}:tags:{art.meta.index}")
        words = rng.sample(TAG_WORDS, rng.randint(2, 4))
        links = ", ".join(f'<a href="/Search?tag={quote(w)}">{esc(w)}</a>' for w in words)
        return f"<div{self.n('tags')}><span>{esc(self.spec.tag_label)}</span> {links}</div>"

    def _comments(self, ctx: Ctx, art: Wd.Article) -> str:
        s, n = self.spec, self.n
        listed = ""
        if s.comments == "form+list":
            rng = random.Random(f"{s.seed}:comments:{art.meta.index}")
            rows = []
            for k in range(rng.randint(1, 3)):
                when = art.meta.pub + timedelta(hours=rng.randint(2, 200))
                date, _ = format_date(when, DateStyle("slash", 1))
                rows.append(
                    f"<li><strong>{esc(rng.choice(COMMENT_NAMES))}</strong> <span>{date}</span>"
                    f"<p>{esc(rng.choice(COMMENT_TEXTS))}</p></li>"
                )
                del k
            listed = "<ul>" + "".join(rows) + "</ul>"
        form = (
            '<form action="/Comment/Post" method="post">'
            '<label>Họ và tên</label> <input type="text" name="name">'
            '<label>Email</label> <input type="email" name="email">'
            '<label>Nội dung ý kiến</label> <textarea name="body"></textarea>'
            '<button type="submit">Gửi ý kiến</button></form>'
        )
        if s.family == "portlet":
            # the page is already one <form>: ASP.NET pages post the whole page back
            form = form.replace('<form action="/Comment/Post" method="post">', "<div>").replace(
                "</form>", "</div>"
            )
        return f"<div{n('comments')}><h3>{esc(s.comment_heading)}</h3>{listed}{form}</div>"

    def _files(self, art: Wd.Article) -> str:
        if not art.content.attachments:
            return ""
        links = " ".join(f'<a href="{attr(p)}">{esc(nm)}</a>' for p, nm in art.content.attachments)
        return f"<div{self.n('files')}><span>{esc(self.spec.files_label)}</span> {links}</div>"

    def _crumbs(self, ctx: Ctx, art: Wd.Article) -> str:
        s = self.spec
        site = ctx.world.site_of(art.meta)
        cat = Wd.CATEGORIES[art.meta.cat]
        links = ['<a href="/">Trang chủ</a>']
        if site is not Wd.MAIN:
            links.append(f'<a href="{attr(site.home)}">{esc(site.name)}</a>')
        links.append(f'<a href="{attr(cat.path)}">{esc(cat.name)}</a>')
        sep = f" {esc(s.crumb_sep)} " if s.crumb_sep else " "
        return f"<div{self.n('crumbs')}>" + sep.join(links) + "</div>"

    def _headline(self, ctx: Ctx, art: Wd.Article, mode: tuple[bool, bool]) -> str:
        s, n = self.spec, self.n
        text = _t(art.content.title, mode)
        if s.headline_link:
            text = f'<a href="{attr(art.path)}">{text}</a>'
        tag = s.headline_tag
        if tag == "td":
            return f'<table width="100%"><tr><td{n("headline")}>{text}</td></tr></table>'
        out = f"<{tag}{n('headline')}>{text}</{tag}>"
        if s.headline_wrap or tag in ("span", "strong"):
            out = f"<div>{out}</div>"
        return out

    def _heading_before(self, ctx: Ctx, art: Wd.Article) -> str:
        kind = self.spec.heading_before
        n = self.n
        if kind == "module":
            title = random.Random(f"layout:{self.spec.seed}:module").choice(MODULE_TITLES)
            return f"<h2{n('module')}>{esc(title)}</h2>"
        if kind == "category":
            cat = Wd.CATEGORIES[art.meta.cat]
            return f'<h2{n("module")}><a href="{attr(cat.path)}">{esc(cat.name)}</a></h2>'
        if kind == "logo":
            return f"<h1{n('module')}>{esc(ctx.world.site_of(art.meta).name)}</h1>"
        return ""

    def _article(self, ctx: Ctx, art: Wd.Article) -> tuple[str, _Page]:
        s, n = self.spec, self.n
        w = ctx.world
        meta, c = art.meta, art.content
        mode = _text_mode(ctx, meta)
        site = w.site_of(meta)
        rec = _Page()
        parts: list[str] = []
        if s.crumbs == "top":
            parts.append(self._crumbs(ctx, art))
        parts.append(self._heading_before(ctx, art))
        byline_top = s.author_where == "byline-top"
        if s.date_where == "before-headline":
            parts.append(self._date_html(ctx, art, rec))
        if byline_top and s.byline_first:
            parts.append(self._byline(c, mode, rec))
        parts.append(self._headline(ctx, art, mode))
        if s.crumbs == "after-headline":
            parts.append(self._crumbs(ctx, art))
        if s.date_where == "after-headline":
            parts.append(self._date_html(ctx, art, rec))
        elif s.date_where == "meta-line":
            parts.append(self._meta_line(ctx, art, rec))
        if byline_top and not s.byline_first:
            parts.append(self._byline(c, mode, rec))
        if s.share in ("top", "both"):
            parts.append(self._share(ctx, art))
        lead_inside = s.sapo != "element"
        if not lead_inside:
            tag = s.sapo_tag
            parts.append(f"<{tag}{n('sapo')}>{_t(c.lead, mode)}</{tag}>")
        if s.date_where == "after-sapo":
            parts.append(self._date_html(ctx, art, rec))
        parts.append(self._body(ctx, art, mode, rec, lead_inside))
        if s.author_where == "byline-after":
            parts.append(self._byline(c, mode, rec))
        if s.date_where == "after-body":
            parts.append(self._date_html(ctx, art, rec))
        if s.author_where == "author-box":
            parts.append(self._byline(c, mode, rec))
        parts.append(self._files(art))
        if s.tags:
            parts.append(self._tags(ctx, art))
        if s.share in ("bottom", "both"):
            parts.append(self._share(ctx, art))
        before, after, left, right = self._side(ctx, meta)
        if s.comments:
            after += self._comments(ctx, art)
        if s.date_where == "listing":
            rec.date = {"printed": None, "time": None, "where": "listing"}
        if c.author and rec.authors is None:
            rec.authors = {"where": s.author_where}
        inner = "\n".join(p for p in parts if p)
        if s.family == "html5":
            article = f"<article{n('article')}>{inner}</article>"
        elif s.family == "portlet":
            mid = n.module_id
            article = (
                f'<div class="DnnModule DnnModule-{n.module} DnnModule-{mid}"><a name="{mid}"></a>'
                f'<div id="dnn_ctr{mid}_ContentPane"><div id="dnn_ctr{mid}_ModuleContent" '
                f'class="DNNModuleContent Mod{n.module}C">{inner}</div></div></div>'
            )
        else:
            article = f"<div{n('article')}>{inner}</div>"
        main = before + article + after
        og_image = ctx.base + c.images[0][1].src if c.images else None
        head_title = c.title if not mode[0] else unicodedata.normalize("NFD", c.title)
        html = self.page(
            ctx, site, head_title, main, left=left, right=right, og=head_title, img=og_image
        )
        return html, rec

    def article(self, ctx: Ctx, art: Wd.Article) -> str:
        return self._article(ctx, art)[0]

    def describe(self) -> dict[str, Any]:
        """The layout's choices and the attributes of its main elements (``/_replica/info``)."""
        return {**self.spec.describe(), "attributes": self.n.describe()}

    # -- facts ------------------------------------------------------------------------------
    def listing_date(self, meta: Wd.Meta) -> tuple[str, bool] | None:
        if not self.spec.listing_date:
            return None
        return format_date(meta.pub, self.spec.listing_date_style)

    def facts(self, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
        html, rec = self._article(ctx, art)
        date = dict(rec.date or {})
        if date.get("where") == "listing":
            printed = self.listing_date(art.meta)
            assert printed is not None
            date.update(
                printed=printed[0], time=printed[1], **self.spec.listing_date_style.as_dict()
            )
        return _facts(art, html, date, rec.modified, rec.authors, rec.own, self.name)


# --------------------------------------------------------------------------- facts


def own_texts(art: Wd.Article) -> list[str]:
    """The article's own texts (cleaned): what a page prints that is not furniture."""
    c = art.content
    texts = [c.title, c.lead, *(p.text for p in c.paragraphs)]
    texts += [img.caption for _, img in c.images if img.caption]
    texts += [name for _, name in c.attachments]
    if c.author:
        texts.append(c.author)
    if c.role:
        texts.append(c.role)
    return texts


def _facts(
    art: Wd.Article,
    html: str,
    date: dict[str, Any],
    modified: dict[str, Any] | None,
    authors: dict[str, Any] | None,
    printed: list[str],
    layout: str,
) -> dict[str, Any]:
    own = own_texts(art) + printed
    if authors is not None and art.content.author:
        authors = {**authors, "names": [art.content.author_name or art.content.author]}
    return {
        "articleId": str(art.meta.id),
        "path": art.path,
        "layout": layout,
        "date": date,
        "modified": modified,
        "authors": authors,
        "furniture": furniture(html, own),
    }


def classic_facts(layout: Classic, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
    """:meth:`RandomLayout.facts` for the fixed layouts (classic, modern)."""
    meta = art.meta
    printed = Wd.format_published(meta.pub, meta.fmt)
    date = {
        "printed": printed,
        "time": Wd.DATE_FORMATS[meta.fmt] != "date",
        "where": "after-headline",
        "form": Wd.DATE_FORMATS[meta.fmt],
    }
    modified = None
    own = [printed]
    if meta.mod:
        printed_modified = Wd.format_modified(meta.mod)
        modified = {"printed": printed_modified, "time": True}
        own.append(printed_modified)
    authors = {"where": "signature"} if art.content.author else None
    html = layout.article(ctx, art)
    return _facts(art, html, date, modified, authors, own, layout.name)


def page_facts(layout: Classic, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
    """What the article page of ``art`` shows in ``layout`` (``/_replica/layout.jsonl``)."""
    if isinstance(layout, RandomLayout):
        return layout.facts(ctx, art)
    return classic_facts(layout, ctx, art)


def make_layout(name: str) -> Classic:
    """The layout called ``name``: ``classic``, ``modern`` or ``random:SEED``
    (``ValueError`` otherwise)."""
    if name in LAYOUTS:
        return LAYOUTS[name]()
    kind, sep, seed = name.partition(":")
    if kind == "random" and sep and seed.lstrip("-").isdigit():
        return RandomLayout(int(seed))
    raise ValueError(
        f"unknown layout {name!r}: expected classic, modern or random:SEED (SEED an integer)"
    )
