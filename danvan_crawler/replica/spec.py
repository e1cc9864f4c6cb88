"""Every choice of one random layout (:class:`Spec`), drawn from ``random.Random(f"layout:{seed}")``
by :func:`spec_for`, and the furniture texts it picks from (column headings, share bars,
comment forms, tag lists, footers, pager words).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from danvan_crawler.replica.dateforms import DateStyle, _date_style
from danvan_crawler.replica.render import (
    FOOTER_TEXT,
)

FAMILIES = ("table", "portlet", "html5", "div")
NAMINGS = ("meaningful", "random", "absent", "mixed")


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
