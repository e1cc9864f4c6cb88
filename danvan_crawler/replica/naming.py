"""Class (and DotNetNuke id) attributes of a random layout: meaningful, random or absent
names per role (:class:`Namer`).
"""

from __future__ import annotations

import random

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
