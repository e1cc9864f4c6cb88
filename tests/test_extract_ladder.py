"""The generic ladder (``extract/ladder.py``) on markup the default profile does not know:
headline whatever its tag, dates in every Vietnamese form a portal prints (never from a
list of links nor from a sentence of the body), signatures, and the libraries at the foot
of the ladder called only for what the profile and the ladder's own rules miss."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from danvan_crawler.extract import ArticlePage, ArticleResult
from danvan_crawler.extract.article_agree import _agree
from danvan_crawler.extract.ladder import title_keys
from danvan_crawler.extract.ladder_signature import date_line, name_like, split_name_role
from danvan_crawler.profile import SiteProfile, load_profile

URL = "https://nghean.dcs.vn/vi-vn/tin/hoi-nghi/1-2-345"
SITE = "Tỉnh ủy Nghệ An"
HEADLINE = "Ban Dân vận Tỉnh ủy sơ kết công tác dân vận sáu tháng đầu năm 2022"
PARAGRAPHS = [
    "Sáng nay, Ban Dân vận Tỉnh ủy tổ chức hội nghị sơ kết công tác dân vận sáu tháng đầu năm,"
    " đánh giá kết quả thực hiện phong trào thi đua Dân vận khéo ở các địa phương trong tỉnh.",
    "Các đại biểu đã thảo luận, đề xuất nhiều giải pháp nâng cao hiệu quả công tác dân vận của"
    " hệ thống chính trị, gắn với xây dựng nông thôn mới và đô thị văn minh.",
    "Phát biểu kết luận, đồng chí Trưởng ban Dân vận Tỉnh ủy đề nghị các cấp ủy tiếp tục quán"
    " triệt, thực hiện nghiêm Quy chế công tác dân vận của hệ thống chính trị./.",
]
#: A dated "latest news" column, as portals print beside (or inside) the article.
LATEST = (
    '<div class="box-tinmoi"><div class="tieu-de-box">Tin mới</div><ul>'
    + "".join(
        f'<li><a href="/vi-vn/tin/tin-{n}/1-2-{n}">Hội nghị triển khai nhiệm vụ công tác dân vận'
        f" tại huyện số {n}</a> <span>({n:02d}/08/2022 08:{n:02d})</span></li>"
        for n in range(1, 6)
    )
    + "</ul></div>"
)


@cache
def profile() -> SiteProfile:
    return load_profile("nghean")


def page(
    *,
    headline: str = f'<div class="tieude"><span>{HEADLINE}</span></div>',
    before: str = "",
    after: str = "",
    body: str = "".join(f"<p>{p}</p>" for p in PARAGRAPHS),
    end: str = "",
    head: str = f'<meta property="og:title" content="{HEADLINE}">',
    title: str = f"{HEADLINE} - {SITE}",
) -> str:
    """An article page in a markup nobody wrote a profile for: a portlet table layout, a
    menu, the headline in a <div>, a body without class names."""
    return f"""<html lang="vi"><head><title>{title}</title>{head}</head><body>
    <table class="layout"><tr>
    <td class="menu"><a href="/">Trang chủ</a><br><a href="/vi-vn/chuyen-muc/a/1-2">Thời sự</a>
    <br><a href="/vi-vn/chuyen-muc/b/1-3">Xây dựng Đảng</a></td>
    <td class="main"><div class="portlet" id="dnn_ctr1410_ModuleContent">
    {before}{headline}{after}<div class="noidung">{body}</div>{end}
    </div></td></tr></table>
    <div class="chan-trang">Cơ quan chủ quản: {SITE}. Địa chỉ: số 2 đường Trường Thi, TP Vinh.</div>
    </body></html>"""


def extract(html: str) -> ArticleResult:
    return ArticlePage(html, URL, profile()).extract()


# -- dates: every Vietnamese form, above or below the headline ------------------------------

FORMS = [
    ("Thứ Hai, 05/09/2022 07:45", "2022-09-05T07:45:00+07:00"),
    ("Ngày đăng: 05/09/2022 | 07:45", "2022-09-05T07:45:00+07:00"),
    ("07:45 - 05/09/2022", "2022-09-05T07:45:00+07:00"),
    ("Cập nhật lúc 07:45 ngày 5/9/2022", "2022-09-05T07:45:00+07:00"),
    ("5/9/2022, 07:45 (GMT+7)", "2022-09-05T07:45:00+07:00"),
    ("05-09-2022", "2022-09-05T00:00:00+07:00"),
    ("05.09.2022", "2022-09-05T00:00:00+07:00"),
    ("ngày 5 tháng 9 năm 2022", "2022-09-05T00:00:00+07:00"),
    ("07:45 ngày 5 tháng 9 năm 2022", "2022-09-05T07:45:00+07:00"),
    ("Thứ hai, ngày 5 tháng 9 năm 2022 lúc 07:45", "2022-09-05T07:45:00+07:00"),
    ("05/09/2022 7:45:00 CH", "2022-09-05T19:45:00+07:00"),
    ("5/9/2022 12:05:00 SA", "2022-09-05T00:05:00+07:00"),
    ("Đăng lúc: 07h45, 05/09/2022 | Lượt xem: 1.234", "2022-09-05T07:45:00+07:00"),
]


@pytest.mark.parametrize(("printed", "iso"), FORMS)
@pytest.mark.parametrize("where", ["before", "after"])
def test_every_vietnamese_date_form_is_read_near_a_headline_of_any_tag(
    printed: str, iso: str, where: str
) -> None:
    line = f'<div class="ngay"><i>{printed}</i></div>'
    result = extract(page(**{where: line}))
    assert result.fields["headline"] == HEADLINE
    assert result.fields["datePublished"] == iso
    assert result.fields["datePublishedRaw"] == printed
    assert result.fallbacks["datePublished"] == "region-text"
    assert printed not in result.fields["articleBody"]


def test_published_and_modified_on_one_line() -> None:
    line = "<p>05/09/2022 07:45 <em>Cập nhật lúc 09:10 ngày 06/09/2022</em></p>"
    result = extract(page(after=line))
    assert result.fields["datePublished"] == "2022-09-05T07:45:00+07:00"
    assert result.fields["datePublishedRaw"] == "05/09/2022 07:45"
    assert result.fields["dateModified"] == "2022-09-06T09:10:00+07:00"
    assert result.fallbacks["dateModified"] == "region-text"


def test_a_dated_link_column_nearer_the_headline_is_not_the_date() -> None:
    result = extract(
        page(after=LATEST, end='<p class="ngay-dang">Ngày đăng: 05/09/2022 | 07:45</p>')
    )
    assert result.fields["datePublished"] == "2022-09-05T07:45:00+07:00"
    assert "Tin mới" not in result.fields["articleBody"]


COMMENTS = (
    "<div><h3>Gửi ý kiến</h3><ul>"
    "<li><strong>Bạn đọc Hà Tĩnh</strong> <span>14/10/2019 00:00</span>"
    "<p>Mong ban biên tập có thêm nhiều bài viết về cơ sở như thế này.</p></li>"
    "<li><strong>Bạn đọc Vinh</strong> <span>12/10/2019 04:00</span>"
    "<p>Đề nghị cơ quan chức năng sớm giải quyết kiến nghị của bà con.</p></li>"
    "<li><strong>Trần Thị Mai</strong> <span>08/10/2019 10:15</span>"
    "<p>Bài viết rất thiết thực.</p></li></ul></div>"
)


def test_the_dates_of_a_comment_list_are_not_the_date() -> None:
    # each comment prints its own date: none of them dates the article
    result = extract(page(end=COMMENTS))
    assert result.fallbacks.get("datePublished") != "region-text"
    assert result.fields["datePublishedRaw"] not in ("14/10/2019 00:00", "12/10/2019 04:00")
    # the article's own date line is read all the same
    # nor is a single comment's
    one = COMMENTS.split("<li><strong>Bạn đọc Vinh")[0] + "</ul></div>"
    assert extract(page(end=one)).fallbacks.get("datePublished") != "region-text"
    dated = extract(page(after="<p>Ngày đăng: 05/09/2022 | 07:45</p>", end=COMMENTS))
    assert dated.fields["datePublished"] == "2022-09-05T07:45:00+07:00"


def test_a_date_in_a_sentence_of_the_body_is_not_the_date() -> None:
    body = "".join(
        f"<p>{p}</p>"
        for p in [
            "Ngày 10/08/2022, Ban Thường vụ Tỉnh ủy đã tổ chức hội nghị quán triệt, triển khai"
            " Quy chế công tác dân vận đến toàn thể cán bộ, đảng viên trong tỉnh.",
            *PARAGRAPHS,
        ]
    )
    result = extract(page(body=body, end="<div>Cập nhật: 05/09/2022 07:45</div>"))
    assert result.fields["datePublished"] == "2022-09-05T07:45:00+07:00"
    assert result.fields["articleBody"].startswith("Ngày 10/08/2022, Ban Thường vụ")


def test_date_lines_and_sentences() -> None:
    line = "Thứ Hai, 05/09/2022 07:45 | Tác giả: Nguyễn Văn An | Lượt xem: 123"
    assert date_line(line, (9, 25))
    sentence = (
        "Ngày 10/08/2022, Ban Thường vụ Tỉnh ủy đã tổ chức hội nghị quán triệt Quy chế công"
        " tác dân vận đến toàn thể cán bộ."
    )
    assert not date_line(sentence, (5, 15))


def test_a_period_and_an_implausible_year_are_not_the_date() -> None:
    result = extract(
        page(
            after="<p>Thời gian: 21/10/2019 - 27/10/2019</p><p>Mã số: 18.10.1921</p>",
            end="<p>Ngày đăng: 05/09/2022</p>",
        )
    )
    assert result.fields["datePublished"] == "2022-09-05T00:00:00+07:00"


def test_htmldate_when_no_vietnamese_form_is_printed() -> None:
    result = extract(page(after="<p>Published on September 5, 2022 by the editors</p>"))
    assert result.fields["datePublished"] == "2022-09-05T00:00:00+07:00"
    assert result.fields["datePublishedRaw"] == "2022-09-05"
    assert result.fallbacks["datePublished"] == "htmldate"


def test_markup_that_contradicts_itself_is_settled_by_htmldate() -> None:
    from htmldate import find_date

    head = (  # (htmldate reads the first date meta of the page)
        '<meta name="pubdate" content="2022-09-05">'
        '<meta property="article:published_time" content="2022-08-01T07:00:00+07:00">'
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2022-09-05T07:45:00+07:00"}</script>'
    )
    html = (
        f"<html><head>{head}</head><body><h1>{HEADLINE}</h1><p>Ngày đăng: 05/09/2022</p>"
        f"<p>{PARAGRAPHS[0]}</p></body></html>"
    )
    assert find_date(html, original_date=True, extensive_search=True) == "2022-09-05"
    # of the two values the page's markup gives, the one on htmldate's day, with its time
    result = extract(html)
    assert result.fields["datePublished"] == "2022-09-05T07:45:00+07:00"
    assert result.fallbacks["datePublished"] == "json-ld"
    # no contradiction: the first markup read
    result = extract(html.replace("2022-08-01T07:00", "2022-09-05T07:40"))
    assert result.fields["datePublished"] == "2022-09-05T07:40:00+07:00"
    assert result.fallbacks["datePublished"] == "meta"


# -- headline -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headline", "head", "title", "expected"),
    [
        (  # a <div> whose text is og:title, an <h1> holding the site name
            f'<h1 class="logo">{SITE}</h1><div class="tieude"><span>{HEADLINE}</span></div>',
            f'<meta property="og:title" content="{HEADLINE}">',
            f"{HEADLINE} - {SITE}",
            HEADLINE,
        ),
        (  # <title> with the site name first, no og:title, the headline in a table cell
            f"<table><tr><td><b>{HEADLINE}</b></td></tr></table>",
            "",
            f"{SITE} | {HEADLINE}",
            HEADLINE,
        ),
        (  # printed in capitals: the page's text, not the metadata's
            f'<p class="title">{HEADLINE.upper()}</p>',
            f'<meta property="og:title" content="{HEADLINE}">',
            SITE,
            HEADLINE.upper(),
        ),
    ],
)
def test_headline_is_the_element_whose_text_is_the_title_whatever_its_tag(
    headline: str, head: str, title: str, expected: str
) -> None:
    result = extract(page(headline=headline, head=head, title=title))
    assert result.fields["headline"] == expected
    assert result.fallbacks["headline"] == "title-match"
    assert expected not in result.fields["articleBody"]


def test_headline_is_the_most_prominent_heading_before_the_body() -> None:
    # the same <title> on every page (the site's name), and the logo says it too
    result = extract(
        page(
            headline=f'<h1 class="logo">{SITE}</h1><h3 class="tieude">{HEADLINE}</h3>',
            head="",
            title=SITE,
        )
    )
    assert result.fields["headline"] == HEADLINE
    assert result.fallbacks["headline"] == "heading"


def test_title_keys_leave_out_the_site_name_and_domains() -> None:
    keys = title_keys([f"{HEADLINE} | {SITE} | nghean.dcs.vn"], None, [SITE])
    assert keys[0].startswith("ban dân vận")
    assert "tỉnh ủy nghệ an" not in keys
    assert "nghean.dcs.vn" not in keys


# -- authors --------------------------------------------------------------------------------

SIGNATURES = [
    (  # bold name, the role on the next line
        "<p><b>Nguyễn Văn Bình</b></p><p>Ban Dân vận Huyện ủy</p>",
        {"name": "Nguyễn Văn Bình", "nameRaw": "Nguyễn Văn Bình", "role": "Ban Dân vận Huyện ủy"},
    ),
    (  # bold "Name - Role" on one line
        "<p><strong>Trần Thị Hoa - Phóng viên</strong></p>",
        {"name": "Trần Thị Hoa", "nameRaw": "Trần Thị Hoa - Phóng viên", "role": "Phóng viên"},
    ),
    (  # two authors joined by a dash stay one name
        "<p><strong>Lê An - Hồ Bình</strong></p>",
        {"name": "Lê An - Hồ Bình", "nameRaw": "Lê An - Hồ Bình", "role": None},
    ),
    (  # right-aligned, with a prefix
        '<p style="text-align: right">Bài và ảnh: Hồ Thị Lan</p>',
        {"name": "Hồ Thị Lan", "nameRaw": "Bài và ảnh: Hồ Thị Lan", "role": None},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("signature", "author"), SIGNATURES)
def test_signature_at_the_end_of_a_body_the_ladder_found(
    signature: str, author: dict[str, str | None]
) -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + signature
    result = extract(page(body=body))
    assert result.fields["authors"] == [author]
    assert result.fallbacks["authors"] == "signature"
    assert result.fields["articleBody"].endswith("thống chính trị./.")
    assert author["nameRaw"] not in result.fields["articleBodyHtml"]


def test_a_bold_subheading_before_the_last_paragraphs_is_no_signature() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:1]) + "<p><b>Kết Quả Nổi Bật</b></p>"
    body += "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    result = extract(page(body=body))
    assert result.fields["authors"] == []
    assert "Kết Quả Nổi Bật" in result.fields["articleBody"]


def test_byline_printed_above_the_body() -> None:
    result = extract(page(after="<p><i>Bài và ảnh: Phạm Quang Huy</i></p>"))
    assert result.fields["authors"] == [
        {"name": "Phạm Quang Huy", "nameRaw": "Bài và ảnh: Phạm Quang Huy", "role": None}
    ]
    assert result.fallbacks["authors"] == "byline-text"


def test_author_box_after_the_body_with_the_credit_in_bold() -> None:
    """``**Bài và ảnh: Name** Role`` in a box of its own: the bold run bounds the name."""
    box = (
        "<div><strong>Bài và ảnh: Cao Xuân Lan</strong> <span>Chuyên viên Ban Dân vận</span></div>"
    )
    result = extract(page(end=box))
    assert result.fields["authors"] == [
        {
            "name": "Cao Xuân Lan",
            "nameRaw": "Bài và ảnh: Cao Xuân Lan",
            "role": "Chuyên viên Ban Dân vận",
        }
    ]


@pytest.mark.parametrize(
    ("where", "byline", "role"),
    [
        ("before", "<div>Nguyễn Mạnh Khôi<br>Phó trưởng ban Ban Dân vận Tỉnh ủy</div>",
         "Phó trưởng ban Ban Dân vận Tỉnh ủy"),
        ("after", "<div>Nguyễn Mạnh Khôi</div>", None),
    ],
)  # fmt: skip
def test_a_name_by_the_headline_without_label(where: str, byline: str, role: str | None) -> None:
    """A bare name in a block of its own next to the headline (the role on the line after
    it, when printed) is the byline."""
    result = extract(page(**{where: byline}))
    assert [(a["name"], a["role"]) for a in result.fields["authors"]] == [
        ("Nguyễn Mạnh Khôi", role)
    ]
    assert result.fallbacks["authors"] == "byline-text"


def test_a_title_cased_label_by_the_headline_is_no_byline() -> None:
    result = extract(page(before="<div>Quốc Phòng - An Ninh</div>"))
    assert result.fields["authors"] == []


def test_signature_read_on_the_page_when_the_body_runs_past_it() -> None:
    """The body found goes on into the readers' comments: the right-aligned ``Name -
    Role`` in one bold run that ends the article's block is the signature all the same."""
    signature = (
        '<p style="text-align:right"><strong>Lương Kim Phong - Bí thư Đảng uỷ xã</strong></p>'
    )
    comments = (
        "<div><h3>Ý kiến bạn đọc</h3>"
        + "".join(
            f"<p>Bạn đọc số {n} cho rằng bài viết rất thiết thực, mong các địa phương nhân rộng"
            " mô hình này trong thời gian tới.</p>"
            for n in range(3)
        )
        + "</div>"
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + signature
    result = extract(page(body=body, end=comments))
    assert result.fields["authors"] == [
        {"name": "Lương Kim Phong", "nameRaw": "Lương Kim Phong - Bí thư Đảng uỷ xã",
         "role": "Bí thư Đảng uỷ xã"}
    ]  # fmt: skip
    assert result.fallbacks["authors"] == "signature"


def test_an_attachment_list_or_share_bar_after_the_signature_is_no_role() -> None:
    """The signature's block ends the article; what follows it in the same article
    element (an attachment list, a share bar) is no role line of the signature."""
    body = (
        "<div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
        "<div><span>Tin, ảnh: Thái Đình Nga</span></div>"
        '<ul><li><a href="/Uploads/files/2022/08/1.docx" download>Hướng dẫn thực hiện 1.docx</a>'
        '</li></ul><aside><a href="https://www.facebook.com/sharer/sharer.php">f</a>'
        '<a href="https://sp.zalo.me/share_inline">z</a></aside>'
    )
    result = extract(page(body=body))
    assert result.fields["authors"] == [
        {"name": "Thái Đình Nga", "nameRaw": "Tin, ảnh: Thái Đình Nga", "role": None}
    ]


COMMENTERS = ["Nguyễn Văn Tư", "Lê Thị Hồng", "Trần Văn Năm"]
COMMENT_TEXTS = [
    "Bài viết rất thiết thực, mong các địa phương nhân rộng mô hình này trong thời gian tới.",
    "Đề nghị cơ quan chức năng sớm giải quyết dứt điểm kiến nghị của bà con.",
    "Rất đồng tình",
]


@pytest.mark.parametrize("heading", ["<h3>Ý kiến bạn đọc</h3>", "<p>Ý kiến bạn đọc</p>", ""])
@pytest.mark.parametrize(
    "item",
    [
        "<div><b>{name}</b><p>{text}</p></div>",
        "<div><b>{name}</b> - 05/09/2022 10:15<p>{text}</p></div>",
        "<li><b>{name}</b><p>{text}</p></li>",
    ],
)
def test_a_commenter_is_never_the_author(heading: str, item: str) -> None:
    """A page without a byline or signature, readers' comments under the body (a name in
    bold, perhaps a date, what they say): no author."""
    items = "".join(
        item.format(name=n, text=t) for n, t in zip(COMMENTERS, COMMENT_TEXTS, strict=True)
    )
    tag = "ul" if item.startswith("<li>") else "div"
    result = extract(page(end=f"<div>{heading}<{tag}>{items}</{tag}></div>"))
    assert result.fields["authors"] == []


def test_names_and_roles() -> None:
    assert name_like("Nguyễn Văn Bình") and name_like("Lê An và Hồ Bình")
    assert not name_like("Phó trưởng ban Dân vận") and not name_like("Kết quả 2022")
    assert split_name_role("Nguyễn Văn Bình - Phó trưởng ban") == (
        "Nguyễn Văn Bình",
        "Phó trưởng ban",
    )


# -- the body ---------------------------------------------------------------------------------


def test_body_and_lead_without_class_names_chrome_left_out() -> None:
    lead = "Hội nghị diễn ra trong không khí dân chủ, cởi mở, với sự tham dự của hơn 200 đại biểu."
    share = '<div class="chia-se"><a href="https://facebook.com/sharer">Chia sẻ</a></div>'
    result = extract(
        page(after=f"<p><b>{lead}</b></p>", end=share + LATEST + "<form><input></form>")
    )
    assert result.fields["articleBody"] == "\n".join([lead, *PARAGRAPHS])
    assert result.fields["description"] == lead
    assert result.fallbacks["description"] == "region-text"
    assert result.fallbacks["articleBody"] == "main-content"
    for chrome in ("Chia sẻ", "Tin mới", "Trang chủ", "Cơ quan chủ quản", "Hội nghị triển khai"):
        assert chrome not in result.fields["articleBody"]
        assert chrome not in result.fields["articleBodyHtml"]


def test_the_role_under_a_labelled_byline_is_no_lead() -> None:
    # "Tác giả: Name<br>Role" between the headline and the body, a role of 40 characters
    # or more, no lead printed
    role = "Phòng Dân tộc - Tôn giáo, Ban Dân vận Tỉnh uỷ"
    after = f"<i>14/05/2024 - 09:34</i><div>Tác giả: Bùi Xuân Sơn<br>{role}</div>"
    result = extract(page(after=after))
    assert result.fields["description"] != role
    assert result.fallbacks.get("description") != "region-text"


def test_body_cut_by_pictures_and_ads_is_joined() -> None:
    body = (
        f'<div class="doan">{"".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2])}</div>'
        '<div class="quang-cao"><a href="https://ads.example/x">Quảng cáo</a></div>'
        f'<div class="doan"><p>{PARAGRAPHS[2]}</p></div>'
    )
    result = extract(page(body=body))
    assert result.fields["articleBody"] == "\n".join(PARAGRAPHS)


def test_a_body_in_br_runs_is_the_body_without_the_furniture_around_it() -> None:
    """Paragraphs parted by <br> in one block, the category link and the date above it,
    the attachments and keywords under it, all in one container without class names."""
    info = (
        '<div><a href="/vi-vn/chuyen-muc/thoi-su/1-2">Thời sự</a> | <p>Thứ Ba, 29/06/2021</p></div>'
    )
    runs = "<div>" + "<br><br>".join(PARAGRAPHS) + "</div>"
    files = '<div><span>File đính kèm</span> <a href="/Uploads/phu-luc.doc">Phụ lục.doc</a></div>'
    tags = (
        "<div><span>Từ khóa:</span> "
        + ", ".join(f'<a href="/Search?tag={t}">{t}</a>' for t in ("dân vận", "Nghệ An"))
        + "</div>"
    )
    headline = f"<div><div>{HEADLINE}</div></div>"
    for sep in ("<br><br>", "<br>"):
        body = runs.replace("<br><br>", sep)
        result = extract(page(headline=headline, after=info + body + files + tags, body=""))
        assert result.fields["articleBody"] == "\n".join(PARAGRAPHS), sep
        assert result.fallbacks["articleBody"] == "main-content"


def test_trafilatura_running_past_the_article_does_not_overrule_the_region() -> None:
    """Trafilatura's extraction holding the body and the page's furniture (a related
    column, a footer, a "see also" link) and one paragraph less: the region rule's body
    is kept."""
    related = [
        "Hội nghị triển khai nhiệm vụ công tác dân vận tại huyện Quỳ Hợp năm 2022",
        "Tổng kết phong trào thi đua Dân vận khéo giai đoạn 2020 - 2025 ở Tương Dương",
    ]
    footer = f"Cơ quan chủ quản: {SITE}. Địa chỉ: số 2 đường Trường Thi, TP Vinh, Nghệ An."
    extra = "Đây là đoạn văn thứ tư của bài viết, có đủ dài để được so sánh như một đoạn văn xuôi."
    ours = lxml.html.fromstring(
        "<div>" + "".join(f"<p>{p}</p>" for p in [*PARAGRAPHS, extra]) + "</div>"
    )
    joined = PARAGRAPHS[1] + PARAGRAPHS[2]  # (no space: an inline element's text joined)
    theirs = lxml.html.fromstring(
        f"<div><p>{PARAGRAPHS[0]}</p><p>{footer}</p><p>{joined}</p>"
        f"<p>Xem thêm: {related[0]}</p>"
        + "".join(f"<p>{r} (12/05/2023 08:30)</p>" for r in related)
        + "</div>"
    )
    furniture = {"".join(t.split()) for t in [*related, footer]}
    assert not _agree(ours, theirs, headline=HEADLINE)
    assert _agree(ours, theirs, headline=HEADLINE, furniture=furniture)


def test_paragraphs_trafilatura_drops_from_a_block_of_br_runs_keep_the_region() -> None:
    """The region rule's body, one block of <br>-parted paragraphs, and trafilatura's
    holding only some of them: they agree (the region's body is kept)."""
    extra = [
        "Hội Nông dân huyện Yên Thành thường xuyên kiểm tra, giám sát công tác thanh niên.",
        "Nhân dân đã hiến 260 m² đất, đóng góp 828 triệu đồng để làm đường giao thông.",
    ]
    ours = lxml.html.fromstring("<div>" + "<br><br>".join([*PARAGRAPHS, *extra]) + "</div>")
    theirs = lxml.html.fromstring(f"<div><p>{PARAGRAPHS[0]}</p><p>{PARAGRAPHS[2]}</p></div>")
    assert _agree(ours, theirs, headline=HEADLINE)
    apart = lxml.html.fromstring(
        "<div>" + "".join(f"<p>{p}</p>" for p in [*PARAGRAPHS, *extra]) + "</div>"
    )
    assert not _agree(apart, theirs, headline=HEADLINE)  # (blocks of their own: not held)


def test_trafilatura_when_the_region_rule_finds_no_paragraph() -> None:
    verses = ["Quê hương chùm khế ngọt", "Cho con trèo hái", "Quê hương đường đi học"] * 6
    result = extract(page(body="".join(f"<p>{v}</p>" for v in verses)))
    assert result.fallbacks["articleBody"] == result.fallbacks["articleBodyHtml"] == "trafilatura"
    assert "\n".join(verses) in result.fields["articleBody"]


# -- the libraries run only for what the profile misses -------------------------------------

PAGES = Path(__file__).parent / "fixtures" / "pages"


@pytest.mark.e2e
def test_a_page_the_profile_covers_never_loads_the_libraries() -> None:
    """Every classic fixture, extracted with the default profile in a fresh interpreter:
    neither trafilatura nor htmldate is even imported."""
    cases = [
        p.name
        for p in sorted(PAGES.iterdir())
        if (p / "expected.json").is_file()
        and "articleId" in json.loads((p / "expected.json").read_text("utf-8"))
        and p.name != "modern_layout_fallbacks"
    ]
    assert len(cases) >= 15
    script = f"""
import json, sys
from pathlib import Path
from danvan_crawler.extract import ArticlePage
from danvan_crawler.profile import load_profile
profile = load_profile("nghean")
fallbacks = []
for name in {cases!r}:
    folder = Path({str(PAGES)!r}) / name
    html = (folder / "body.html").read_text("utf-8")
    url = (folder / "url.txt").read_text("utf-8").strip()
    fallbacks.append(ArticlePage(html, url, profile).extract().fallbacks)
print(json.dumps([fallbacks, [m for m in ("trafilatura", "htmldate") if m in sys.modules]]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    fallbacks, loaded = json.loads(done.stdout)
    assert fallbacks == [{}] * len(cases)
    assert loaded == []


def test_a_page_the_profile_misses_says_which_field_came_from_which_rung() -> None:
    html = (PAGES / "modern_layout_fallbacks" / "body.html").read_text("utf-8")
    url = (PAGES / "modern_layout_fallbacks" / "url.txt").read_text("utf-8").strip()
    result = ArticlePage(html, url, profile()).extract()
    assert result.fallbacks["headline"] == "title-match"
    assert result.fallbacks["datePublished"] == "region-text"
    assert result.fallbacks["articleBody"] == "main-content"
    assert result.fallbacks["authors"] == "byline"


def test_libraries_finding_nothing_log_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    """trafilatura's "empty HTML tree" / "discarding data" on a page without text are an
    answer of the ladder's last rung, not errors of the crawl (its summary counts them)."""
    import logging

    with caplog.at_level(logging.DEBUG):
        result = extract("")
    assert result.fields["articleBody"] == ""
    assert "articleBody" in result.missing
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noisy == [], [r.getMessage() for r in noisy]
