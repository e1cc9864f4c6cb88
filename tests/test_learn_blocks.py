"""The learner on markups whose blocks come and go from page to page: a profile learned
from pages without a block (a modified date, a lead) still reads the pages that print it;
and the generic ladder's reading of the modified date's labels and leads after a date.
Pure functions over HTML strings.
"""

from __future__ import annotations

import pytest

from danvan_crawler.extract.article import ArticlePage, ArticleResult
from danvan_crawler.extract.learn import learn_profile
from danvan_crawler.extract.learn_pages import Page
from danvan_crawler.extract.listing import ListingPage
from danvan_crawler.profile import SiteProfile, load_profile

BASE = "http://portal.test"
PARAS = [
    "Khối dân vận huyện Nghi Lộc tuyên truyền, vận động nhân dân tham gia công tác hoà giải.",
    "Hội Cựu chiến binh tiếp tục đẩy mạnh quy chế dân chủ ở cơ sở bảo đảm đúng quy định.",
    "Đội ngũ cán bộ làm công tác dân vận nâng cao chất lượng chăm sóc sức khoẻ nhân dân.",
    "Lực lượng vũ trang địa phương thường xuyên kiểm tra, giám sát quy chế dân chủ ở cơ sở.",
]
NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Thị Dung",
    "Hoàng Văn Em",
    "Đặng Thị Hoa",
    "Vũ Văn Giang",
    "Bùi Thị Hạnh",
]


def _url(n: int) -> str:
    return f"{BASE}/vi-vn/tin/bai-so-{n}/1-2-{100 + n}"


def _page(n: int, html: str) -> Page:
    return Page(_url(n), f'<html lang="vi"><head><title>Tin {n} | Cổng</title></head>{html}')


def _paras(n: int) -> str:
    return "".join(f"<p>{p} Bài số {n}.</p>" for p in PARAS)


def _extract(page: Page, profile: SiteProfile | None = None) -> ArticleResult:
    profile = profile or load_profile("nghean", BASE).generic()
    return ArticlePage(page.html, page.url, profile).extract()


# --------------------------------------------------------------------------- ladder


def test_last_edited_label_marks_the_modified_date_on_the_date_line() -> None:
    # "Sửa lần cuối" (last edited) after the published date on one line: the published
    # date is the one before the label, whatever pattern reads the other first
    html = (
        "<body><article><h1>Tin số 1 về công tác dân vận</h1><section><div class='text'>"
        + _paras(1)
        + "</div></section><em>ngày 17 tháng 3 năm 2021</em> "
        "<em>Sửa lần cuối: 22/03/2021 21:50</em></article></body>"
    )
    got = _extract(_page(1, html))
    assert got.fields["datePublished"].startswith("2021-03-17")


def test_a_published_date_after_the_modified_one_on_the_date_line() -> None:
    # the modified date first, the published one after it, inline on one line
    html = (
        "<body><div><h1>Tỉnh ủy Nghệ An</h1><em>Cập nhật: 27/06/2023 02:27</em> "
        "<em>Thứ Bảy, 24/06/2023, 12:41</em><p>Tin số 1 về công tác dân vận ở cơ sở</p>"
        f"<div>{_paras(1)}</div></div></body>"
    )
    got = _extract(_page(1, html))
    assert got.fields["datePublished"].startswith("2023-06-24T12:41")


# --------------------------------------------------------------------------- articles


def _after_body(n: int, modified: bool) -> Page:
    """Unnamed blocks: headline, breadcrumbs, the content, a byline, a modified date on
    some pages only, the date line, the tags."""
    edited = f"<div>Chỉnh sửa: {n + 2:02d}/10/2022 03:26</div> " if modified else ""
    return _page(
        n,
        "<body><div class='row'><div><div>"
        f"<div><p><a href='{_url(n)}'>Tin số {n} về công tác dân vận ở cơ sở</a></p></div>"
        "<div><a href='/'>Trang chủ</a> » <a href='/vi-vn/chuyen-muc/thoi-su/1-2'>Thời sự</a>"
        f"</div><div><div class='fck-content'>{_paras(n)}</div></div>"
        f"<p>Bài: {NAMES[n % 8]}</p>{edited}<div>07:{n:02d} - {n:02d}/09/2022</div>"
        "<div><span>Chủ đề:</span> <a href='/Search?tag=x'>Nghệ An</a></div>"
        "</div></div></div></body>",
    )


def test_a_date_after_the_body_where_a_modified_date_comes_and_goes() -> None:
    # learned from pages printing no modified date: the date's position among the blocks
    # after the body moves on the pages that print one before it
    learn = [_after_body(n, modified=False) for n in range(1, 7)]
    result = learn_profile(learn, [], BASE)
    for n in range(7, 11):
        got = _extract(_after_body(n, modified=True), result.profile)
        assert got.fields["datePublished"].startswith(f"2022-09-{n:02d}T07:{n:02d}")
        assert "datePublished" not in got.fallbacks


def _content_after_date(n: int, modified: bool) -> Page:
    """Unnamed blocks: breadcrumbs, headline, the date line, a modified date on some
    pages only, the content, a byline."""
    edited = f"<div>Chỉnh sửa: {n + 2:02d}/10/2022 01:15</div> " if modified else ""
    return _page(
        n,
        "<body><table><tr><td><a href='/'>Trang chủ</a></td></tr><tr><td><div>"
        "<div><a href='/'>Trang chủ</a> / <a href='/vi-vn/chuyen-muc/thoi-su/1-2'>Thời sự</a>"
        f"</div><div><span><a href='{_url(n)}'>Tin số {n} về công tác dân vận</a></span></div>"
        f"<div>{n}-9-2022</div> {edited}<div>{_paras(n)}</div>"
        f"<p>Bài: {NAMES[n % 8]}</p></div></td></tr></table></body>",
    )


def test_the_content_after_a_modified_date_that_comes_and_goes() -> None:
    learn = [_content_after_date(n, modified=False) for n in range(1, 7)]
    result = learn_profile(learn, [], BASE)
    assert "nth-of-type" not in result.profile.article.content[0]
    for n in range(7, 11):
        got = _extract(_content_after_date(n, modified=True), result.profile)
        assert got.fields["articleBody"].split("\n") == [f"{p} Bài số {n}." for p in PARAS]
        assert not got.fallbacks.keys() & {"articleBody", "datePublished"}


def test_a_lead_printed_after_the_date_on_one_line() -> None:
    # inline date and lead: the ladder reads "2023-02-15 lead..." as the lead; the
    # element printing the lead alone is the description
    pages = []
    for n in range(1, 7):
        lead = f"Theo đồng chí số {n}, bí thư Đảng ủy xã: “Đối thoại thẳng thắn giúp tháo gỡ”."
        pages.append(
            _page(
                n,
                "<body><table class='site'><tr><td class='main'><div class='chi-tiet'>"
                "<div><a href='/'>Trang chủ</a></div> "
                f"<h3 class='post-title'>Tin số {n} về công tác dân vận</h3> "
                f"<em class='post-date'>2023-02-{n:02d}</em> <strong>{lead}</strong>"
                f"<div class='detail-content'>{_paras(n)}</div></div></td></tr></table></body>",
            )
        )
    result = learn_profile(pages, [], BASE)
    assert result.profile.article.description
    for n, page in enumerate(pages, 1):
        got = _extract(page, result.profile)
        assert got.fields["description"].startswith(f"Theo đồng chí số {n},")
        assert "description" not in got.fallbacks


# --------------------------------------------------------------------------- listings


def _listing(k: int, ids: list[int], column: list[int], own: str) -> Page:
    """A category page: a "latest news" column, then the category's own list; ``own``:
    ``"named"`` (items in a named list, their links at the column's tag path) or
    ``"unnamed"`` (unnamed items after the heading)."""
    latest = "".join(
        f"<div><div><a href='{_url(i)}'>Tin mới số {i}</a></div></div>" for i in column
    )
    if own == "named":
        items = "".join(
            f"<div><span>Thứ Hai, {i:02d}/05/2024, 17:19</span><div class='link-title'>"
            f"<a href='{_url(i)}'>Tin số {i} của chuyên mục</a></div></div>"
            for i in ids
        )
        main = f"<div id='dnn_ctr474_View_dlNews'>{items}</div>"
    else:
        items = "".join(
            f"<div><span>11h25 ngày {i:02d}/03/2020</span><h3><a href='{_url(i)}'>Tin số {i}"
            "</a></h3><div>Thực hiện Chỉ thị về công tác dân vận trong tình hình mới ở cơ sở."
            "</div></div>"
            for i in ids
        )
        main = f"<div>{items}</div>"
    return Page(
        f"{BASE}/vi-vn/chuyen-muc/muc-{k}/1-{k}",
        f'<html lang="vi"><head><title>Mục {k}</title></head><body><div class="wrap">'
        f"<div><div class='widget'><h3>Tin mới cập nhật</h3>{latest}</div></div>"
        f"<div><h1>Mục {k}</h1>{main}</div></div></body></html>",
    )


@pytest.mark.parametrize("own", ["named", "unnamed"])
def test_a_listing_whose_items_share_a_tag_path_with_a_column(own: str) -> None:
    articles = [_after_body(n, modified=False) for n in range(1, 7)]
    listings = [
        _listing(k, [10 * k + j for j in range(1, 3 + k % 2)], [60 + k, 70 + k], own)
        for k in range(1, 5)
    ]
    result = learn_profile(articles, listings, BASE)
    assert result.profile.listing.item
    for page in listings:
        got = ListingPage(page.html, page.url, result.profile)
        want = [k for k in range(10, 50) if _url(k) in page.html]
        assert [e.url for e in got.entries] == [_url(k) for k in want]
        assert not got.fallbacks


# --------------------------------------------------------------------------- content


def _lines_signed(n: int, signed: bool) -> Page:
    """Unnamed blocks: breadcrumbs, headline, the date line, the content: body lines
    between ``<br>``s, and on some pages only a signature in ``<p>``s after them."""
    sign = (
        f"<p align='right'><strong>Bài, ảnh: {NAMES[n % 8]}</strong></p>"
        "<p align='right'><em>Ban Dân vận Tỉnh ủy</em></p>"
        if signed
        else ""
    )
    lines = "<br>\n".join(f"{p} Bài số {n}." for p in PARAS)
    return _page(
        n,
        "<body><div class='row'><div><div>"
        "<div><a href='/'>Trang chủ</a> » <a href='/vi-vn/chuyen-muc/thoi-su/1-2'>Thời sự</a>"
        f"</div><h2><a href='{_url(n)}'>Tin số {n} về công tác dân vận ở cơ sở</a></h2>"
        f"<div>{n}/11/2020 10:52 SA</div><div>{lines}{sign}</div>"
        "<div><a href='javascript:void(0)'>In trang</a></div>"
        "</div></div></div></body>",
    )


def test_a_content_of_lines_named_by_its_breaks_not_by_a_signature() -> None:
    # learned from signed pages: the content's only ``<p>``s are the signature's, so
    # naming it by them misses on the unsigned pages
    learn = [_lines_signed(n, signed=True) for n in range(1, 7)]
    result = learn_profile(learn, [], BASE)
    for n in range(7, 11):
        got = _extract(_lines_signed(n, signed=False), result.profile)
        assert got.fields["articleBody"].split("\n") == [f"{p} Bài số {n}." for p in PARAS]
        assert "articleBody" not in got.fallbacks


def _listing_beside_most_read(k: int, ids: list[int], most_read: list[int]) -> Page:
    """A category page whose every article is also in a "most read" column, the same on
    every page (so each is shown by other listing pages too, in the column)."""
    items = "".join(
        f"<div><span>{i:02d}-5-2024 17:19</span><h3><a href='{_url(i)}'>Tin số {i} của "
        "chuyên mục</a></h3><div>Thực hiện Chỉ thị về công tác dân vận ở cơ sở.</div></div>"
        for i in ids
    )
    column = "".join(f"<li><a href='{_url(i)}'>Tin đọc nhiều số {i}</a></li>" for i in most_read)
    return Page(
        f"{BASE}/vi-vn/chuyen-muc/muc-{k}/1-{k}",
        f'<html lang="vi"><head><title>Mục {k}</title></head><body>'
        f"<main><h1>Mục {k}</h1><div>{items}</div></main>"
        f"<aside><section><h3>Đọc nhiều nhất</h3><ul>{column}</ul></section></aside>"
        "</body></html>",
    )


def test_a_listing_whose_articles_a_column_shows_on_the_other_pages() -> None:
    articles = [_after_body(n, modified=False) for n in range(1, 7)]
    ids = {k: [10 * k + j for j in range(1, 2 + k % 3)] for k in range(1, 5)}
    most_read = [i for k in ids for i in ids[k]]
    listings = [_listing_beside_most_read(k, ids[k], most_read) for k in ids]
    result = learn_profile(articles, listings, BASE)
    assert result.profile.listing.item
    for k, page in zip(ids, listings, strict=True):
        got = ListingPage(page.html, page.url, result.profile)
        assert [e.url for e in got.entries] == [_url(i) for i in ids[k]]
        assert not got.fallbacks


# --------------------------------------------------------------------------- attachments


def _with_files(n: int, author: bool, files: bool) -> Page:
    """An article whose blocks are unnamed siblings: a byline that comes and goes before
    the body, then the attachments block, the tags and the share bar, always last."""
    byline = f"<div>Tác giả: {NAMES[n % len(NAMES)]}</div>" if author else ""
    attached = (
        f"<div>Tệp đính kèm: <a href='/Uploads/files/2024/{n}-1.pdf'>Kế hoạch số {n}</a> "
        f"<a href='/Uploads/files/2024/{n}-2.doc'>Phụ lục số {n}</a></div>"
        if files
        else ""
    )
    return _page(
        n,
        "<body><div class='container'><div class='row'><div class='content-area'><div>"
        "<div><a href='/'>Trang chủ</a> &gt; <a href='/vi-vn/chuyen-muc/thoi-su/1-2'>Thời sự"
        f"</a></div><div>03/0{n % 9 + 1}/2024 08:15</div><h3>Tin số {n} về công tác dân vận</h3>"
        f"{byline}<strong>Theo đồng chí số {n}, công tác dân vận có nhiều chuyển biến.</strong>"
        f"<div>{_paras(n)}</div>{attached}<div>Từ khóa: dân vận, cơ sở</div>"
        "<div>Chia sẻ Facebook Zalo</div></div></div></div></div></body>",
    )


def test_attachments_placed_from_the_end_of_blocks_that_come_and_go() -> None:
    pages = [_with_files(n, author=n % 2 == 0, files=n in (1, 2, 7)) for n in range(1, 10)]
    result = learn_profile(pages, [], BASE)
    assert result.profile.article.attachments
    for n, page in enumerate(pages, 1):
        got = _extract(page, result.profile)
        names = [x["name"] for x in got.fields.get("attachments") or []]
        assert names == ([f"Kế hoạch số {n}", f"Phụ lục số {n}"] if n in (1, 2, 7) else [])
        assert "attachments" not in got.fallbacks


def _related_inside(n: int, nested: bool) -> Page:
    """The content: body lines between ``<br>``s (or ``<p>``s, most in a wrapper) with a "Tin
    liên quan:" block of links among them, a bold signature last."""
    links = "".join(
        f"<li><a href='{_url(k)}'>Tin số {k} về công tác dân vận ở cơ sở</a></li>"
        for k in (n + 20, n + 21, 40)
    )
    related = f"<div><strong>Tin liên quan:</strong><ul>{links}</ul></div>"
    lines = [f"{p} Bài số {n}." for p in PARAS]
    if nested:
        # (the first line outside the wrapper: the content is the element above it)
        rest = "".join(f"<p>{line}</p>" for line in lines[2:])
        body = f"<p>{lines[0]}</p><div><p>{lines[1]}</p>{related}{rest}</div>"
    else:
        body = "<br><br>".join(lines[:2]) + related + "<br>" + "<br><br>".join(lines[2:])
    sign = f"<p><strong>{NAMES[n % 8]}</strong></p><p>Ban Dân vận Tỉnh ủy</p>"
    return _page(
        n,
        f"<body><main><h2>Tin số {n} về công tác dân vận</h2>"
        f"<p class='time'>Cập nhật: {n}/11/2020 10:52</p>"
        f"<article class='entry'>{body}{sign}</article></main></body>",
    )


@pytest.mark.parametrize("nested", [False, True])
def test_a_related_block_inside_the_content_is_removed_on_its_own(nested: bool) -> None:
    # the block is learned for removal whether or not a byline is learned, and the
    # signature after a body of loose lines is still read once it goes
    learn = [_related_inside(n, nested) for n in range(1, 7)]
    result = learn_profile(learn, [], BASE)
    for n in range(7, 11):
        got = _extract(_related_inside(n, nested), result.profile)
        assert got.fields["articleBody"].split("\n") == [f"{p} Bài số {n}." for p in PARAS]
        assert [a["name"] for a in got.fields["authors"]] == [NAMES[n % 8]]
