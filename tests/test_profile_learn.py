"""``danvan profile learn`` and ``danvan inspect``: a profile learned from an unseen markup,
and one page's fields with the selector or fallback that gave each.

The learner's pure part over HTML strings (``extract/learn.py``), then the real commands
in subprocesses against replica subprocesses on 127.0.0.1 (classic and random layouts),
real crawls with the learned profile into real SQLite stores.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from danvan_crawler.extract.article import ArticlePage
from danvan_crawler.extract.learn import learn_profile
from danvan_crawler.extract.learn_listing import category_title
from danvan_crawler.extract.learn_pages import LearnError, Page
from danvan_crawler.extract.learn_select import generated_name, selector_candidates
from danvan_crawler.extract.listing import ListingPage
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.profile import SiteProfile, load_profile
from tests.conftest import ReplicaClient
from tests.support.cli import danvan

BASE = "http://portal.test"


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    "name",
    ["dnn_ctr1410_ViewNews_lblTitle", "sc-a81kq2", "css-9vo4c2", "x7f3k2p", "cqzkwrt", "_k29x"],
)
def test_generated_names_are_recognised(name: str) -> None:
    assert generated_name(name)


@pytest.mark.parametrize(
    "name",
    ["tieu-de", "noidung", "ngaydang", "news-title", "ArticleTitle", "NormalBold", "col-md-8"],
)
def test_meaningful_names_are_kept(name: str) -> None:
    assert not generated_name(name)


def test_candidates_never_name_generated_ids_or_classes() -> None:
    root = parse_html(
        '<html><body><div id="dnn_ctr1410_ContentPane" class="sc-a81kq2">'
        '<div class="tieu-de x7f3k2p">Tiêu đề</div></div></body></html>',
        html_elements=False,
    )
    el = root.xpath("//div[contains(@class, 'tieu-de')]")[0]
    found = selector_candidates(el)
    assert "div.tieu-de" in found
    assert not any("dnn_" in css or "sc-a81kq2" in css or "x7f3k2p" in css for css in found)


# --------------------------------------------------------------------------- offline


def _article(n: int, title: str, day: int, paragraphs: list[str], author: str) -> Page:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        f'<html lang="vi"><head><title>{title} | Cổng thông tin</title>'
        f'<meta property="og:title" content="{title}"></head><body>'
        '<div id="dnn_ctr377_Banner"><img src="/b.jpg" alt="Banner Tỉnh ủy Nghệ An"></div>'
        '<ul class="menu"><li><a href="/vi-vn/chuyen-muc/thoi-su/1-2">Thời sự</a></li></ul>'
        f'<div class="chi-tiet"><div class="sc-q81kz3">{title}</div>'
        f'<span class="ngay-dang">Thứ Hai, {day:02d}/09/2022 07:45</span>'
        f'<div class="noi-dung">{body}'
        f'<p style="text-align:right"><b>{author}</b></p></div>'
        '<div class="chia-se">Chia sẻ: Facebook Zalo</div></div></body></html>'
    )
    return Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html)


NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Hồ Thị Dung", "Vi Văn Em", "Lô Thị Gấm"]
PARAS = [
    "Công tác dân vận được đẩy mạnh trên địa bàn toàn huyện trong năm qua với nhiều kết quả.",
    "Nhân dân đồng tình, hưởng ứng và tích cực tham gia các phong trào thi đua yêu nước.",
    "Đây là tiền đề để địa phương thực hiện thắng lợi nhiệm vụ những năm tiếp theo./.",
]


def test_learns_selectors_from_html_strings() -> None:
    pages = [
        _article(n, f"Tin số {n} về công tác dân vận ở cơ sở", n, PARAS[n % 2 :], name)
        for n, name in enumerate(NAMES, 1)
    ]
    result = learn_profile(pages, [], BASE)
    art = result.profile.article
    assert art.headline and "sc-q81kz3" not in art.headline[0]
    assert art.date_published == ("span.ngay-dang",)
    assert art.content == ("div.noi-dung",)
    assert not re.search(r"dnn_|\d{3,}", result.toml)
    assert_no_generated_names(result.profile)
    # every page, held-out ones included, extracted by the profile alone: no fallback
    for page in pages:
        extracted = ArticlePage(page.html, page.url, result.profile).extract()
        fields = extracted.fields
        assert fields["headline"].startswith("Tin số")
        assert fields["datePublished"].startswith("2022-09-")
        assert fields["articleBody"].split("\n")[-1] == PARAS[-1]
        assert fields["authors"][0]["name"] in NAMES
        for name in ("headline", "datePublished", "articleBody", "authors"):
            assert name not in extracted.fallbacks
    table = result.table()
    assert re.search(r"headline\s+4/4\s+2/2\s+", table)


def test_date_on_page_false_takes_no_date_from_the_page() -> None:
    page = _article(1, "Tin số 1 về công tác dân vận ở cơ sở", 5, PARAS, NAMES[0])
    profile = load_profile("nghean", BASE)
    learned = dataclasses.replace(
        profile,
        article=dataclasses.replace(profile.article, date_published=(), date_on_page=False),
    )
    guessed = ArticlePage(page.html, page.url, profile.generic()).extract()
    assert guessed.fields["datePublished"] and "datePublished" in guessed.fallbacks
    result = ArticlePage(page.html, page.url, learned).extract()
    assert result.fields["datePublished"] is None
    assert "datePublished" not in result.fallbacks and "datePublished" not in result.missing


def test_an_empty_list_the_profile_knows_is_no_fallback() -> None:
    html = (
        "<html><body><h1>Thời sự</h1><ul class='ds-tin'></ul><div class='side'>"
        "<a href='/vi-vn/tin/bai/1-2-3'>Tin mới</a></div></body></html>"
    )
    url = BASE + "/vi-vn/chuyen-muc/thoi-su/1-2"
    profile = load_profile("nghean", BASE)
    listing = dataclasses.replace(profile.listing, item=("ul.ds-tin li",), scope=("ul.ds-tin",))
    page = ListingPage(html, url, dataclasses.replace(profile, listing=listing))
    assert page.entries == [] and page.fallbacks == {}
    # without the scope, the page's links are the fallback's, and said so
    bare = dataclasses.replace(listing, scope=())
    page = ListingPage(html, url, dataclasses.replace(profile, listing=bare))
    assert [e.article_id for e in page.entries] == ["3"]
    assert page.fallbacks == {"listing_entries": "page"}


def test_too_few_pages_is_a_learn_error() -> None:
    with pytest.raises(LearnError):
        learn_profile([_article(1, "Tin", 1, PARAS, "A")], [], BASE)


# --------------------------------------------------------------------------- end to end


def assert_no_generated_names(profile: SiteProfile) -> None:
    art, lst = profile.article, profile.listing
    selectors = [
        *art.headline, *art.date_published, *art.date_modified, *art.description,
        *art.content, *art.breadcrumbs, *art.attachments, *art.remove, *art.byline,
        *lst.title, *lst.item, *lst.item_link, *lst.item_time, *lst.item_lead,
        *profile.banner_selectors,
    ]  # fmt: skip
    for css in selectors:
        names = re.findall(r"[.#]([A-Za-z_][\w-]*)", css.split("::")[0])
        assert not any(generated_name(name) for name in names), css
        assert not re.search(r"dnn_ctr\d", css), css


def _stats(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'(danvan/[^']+)': (\d+)", log)}


def _records(path: Path) -> dict[str, dict[str, Any]]:
    lines = path.read_text("utf-8").splitlines() if path.exists() else []
    return {r["articleId"]: r for r in map(json.loads, lines)}


@pytest.mark.parametrize(
    "layout", ["classic", "random:3", "random:6", "random:1027", "random:1025"]
)
def test_learn_then_crawl_with_the_profile(
    layout: str, tmp_path: Path, replica_factory: Callable[..., ReplicaClient]
) -> None:
    seed = int(layout.split(":")[1]) if ":" in layout else 1
    rep = replica_factory(articles=20, seed=seed, layout=layout)
    out = tmp_path / "learned.toml"
    done = danvan("profile", "learn", "--site", rep.base, "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^headline\s+\d+/\d+\s+\d+/\d+\s+\S", done.stdout, re.M)
    assert f"--profile {out}" in done.stdout
    # politely bounded: the home page, listings, 12 article pages and up to 12 more (from
    # up to 4 more listings) while an optional field is on too few of them (random:1025,
    # random:1027: attachments on the held-out pages only)
    requests = int(re.search(r"\((\d+) requests\)", done.stdout).group(1))  # type: ignore[union-attr]
    assert requests <= 1 + 8 + 4 + 24
    if layout in ("random:1025", "random:1027"):
        assert "more for attachments" in done.stdout
        assert re.search(r"^attachments\s+[1-9]\d*/\d+ .*more pages sampled", done.stdout, re.M)
    profile = load_profile(str(out))
    assert_no_generated_names(profile)
    assert profile.article.headline and profile.article.content and profile.listing.item

    crawl = danvan(
        "crawl", "--site", rep.base, "--profile", str(out), "--db", str(tmp_path / "s.db"),
        "--jsonl", str(tmp_path / "out.jsonl"), cwd=tmp_path,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    stats = _stats(crawl.stderr)
    records = _records(tmp_path / "out.jsonl")
    truth = {row["articleId"]: row for row in rep.truth()}
    assert set(records) == set(truth)
    for aid, row in truth.items():
        assert records[aid]["headline"] == row["headline"]
        assert records[aid]["datePublished"][:16] == row["datePublished"][:16]
    used = {k: v for k, v in stats.items() if k.startswith("danvan/extract/fallback/")}
    assert used == {}, used
    assert stats.get("danvan/articles/requested") == len(truth)  # each page fetched once


def test_inspect_names_the_selector_or_the_fallback(
    tmp_path: Path, replica_factory: Callable[..., ReplicaClient]
) -> None:
    rep = replica_factory(articles=20, seed=6, layout="random:6")
    url = rep.truth()[0]["url"]
    # the default profile on an unseen markup: the fallbacks, named
    plain = danvan("inspect", url, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert re.search(r"^  headline\s+FALLBACK ", plain.stdout, re.M)
    assert "danvan profile learn" in plain.stdout
    # with the learned profile: the selectors, named
    out = tmp_path / "p.toml"
    assert (
        danvan("profile", "learn", "--site", rep.base, "--out", str(out), cwd=tmp_path).returncode
        == 0
    )
    done = danvan("inspect", url, "--profile", str(out), "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    profile = load_profile(str(out))
    assert report["kind"] == "article"
    assert report["fields"]["headline"] == {
        "value": rep.truth()[0]["headline"],
        "source": "selector",
        "selector": profile.article.headline[0],
    }
    assert report["fields"]["datePublished"]["selector"] == profile.article.date_published[0]
    assert report["fallbacks"] == {}
    # a saved file, and a listing page
    saved = tmp_path / "page.html"
    saved.write_text(rep.text(url), "utf-8")
    from_file = danvan("inspect", str(saved), "--url", url, "--profile", str(out), cwd=tmp_path)
    assert from_file.returncode == 0 and "selector " in from_file.stdout
    category = json.loads(rep.text("/_replica/info"))["categories"][0]
    listing = danvan("inspect", category, "--profile", str(out), "--json", cwd=tmp_path)
    assert json.loads(listing.stdout)["fields"]["entries"]["source"] == "selector"


@pytest.mark.e2e
def test_usage_and_failure_exit_codes(tmp_path: Path) -> None:
    bad = danvan("profile", "learn", "--site", "not a url", "--out", "x.toml", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    closed = danvan(
        "profile", "learn", "--site", "http://127.0.0.1:9", "--out", "x.toml", cwd=tmp_path
    )
    assert closed.returncode == 1 and closed.stderr.count("\n") == 1, closed.stderr
    assert not (tmp_path / "x.toml").exists()
    missing = danvan("inspect", str(tmp_path / "nothing.html"), cwd=tmp_path)
    assert missing.returncode == 2


# --------------------------------------------------------------------------- markups


def _plain_article(n: int, title: str, inner: str, before: str = "") -> Page:
    """An article of unnamed blocks: headline, ``before`` (a byline that comes and goes),
    the date line, the content ``inner``, a share bar."""
    html = (
        f'<html lang="vi"><head><title>{title} | Cổng thông tin</title></head><body>'
        f"<article><div><p>{title}</p></div>{before}"
        "<div><a href='#'>Chia sẻ Facebook</a> <a href='#'>Chia sẻ Zalo</a></div>"
        f'<time datetime="2022-09-{n:02d}">Ngày đăng: {n:02d}/09/2022</time>'
        f"<div>{inner}</div>"
        "<div><a href='#'>Chia sẻ Facebook</a> <a href='#'>Chia sẻ Zalo</a></div>"
        "</article></body></html>"
    )
    return Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html)


def _extract_all(pages: list[Page], profile: SiteProfile) -> list[Any]:
    return [ArticlePage(p.html, p.url, profile).extract() for p in pages]


def test_a_name_in_bold_ending_the_body_is_learned_as_the_signature() -> None:
    pages = []
    for n, name in enumerate(NAMES, 1):
        role = "<p><em>Chuyên viên Ban Dân vận Tỉnh ủy</em></p>" if n % 2 else ""
        inner = "".join(f"<p>{p}</p>" for p in PARAS) + f"<p><strong>{name}</strong></p>{role}"
        pages.append(_plain_article(n, f"Tin số {n} về công tác dân vận", inner))
    result = learn_profile(pages, [], BASE)
    assert result.profile.signature.bold
    for page, name, got in zip(pages, NAMES, _extract_all(pages, result.profile), strict=True):
        assert [a["name"] for a in got.fields["authors"]] == [name], page.url
        assert got.fields["articleBody"].split("\n") == PARAS
        assert not got.fallbacks.keys() & {"authors", "articleBody"}


def test_the_body_after_the_date_line_where_a_byline_comes_and_goes() -> None:
    pages = []
    for n, name in enumerate(NAMES, 1):
        byline = f"<div>Bài: {name}</div>" if n % 3 else ""
        inner = "".join(f"<p>{p}</p>" for p in PARAS)
        pages.append(_plain_article(n, f"Tin số {n} về công tác dân vận", inner, byline))
    result = learn_profile(pages, [], BASE)
    art = result.profile.article
    assert "nth-of-type" not in art.content[0]
    # (named by the headline's block before it: its label may change on other pages)
    assert len(art.byline) == 1 and "Bài" not in art.byline[0]
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        assert got.fields["articleBody"].split("\n") == PARAS
        want = [NAMES[n - 1]] if n % 3 else []
        assert [a["name"] for a in got.fields["authors"]] == want
        assert not got.fallbacks.keys() & {"authors", "articleBody"}


def test_an_image_and_its_caption_in_a_div_are_an_image_block() -> None:
    pages = []
    for n in range(1, 7):
        image = (
            f'<div style="text-align:center" class="kx{n}z"><img src="/Uploads/{n}.jpg">'
            f'<p class="chu-thich"><em>Quang cảnh hội nghị số {n}</em></p></div>'
        )
        paras = [f"<p>{p}</p>" for p in PARAS]
        paras.insert(n % 3, image)
        pages.append(_article(n, f"Tin số {n} về dân vận", n, [], NAMES[n - 1]))
        start = '<div class="noi-dung">'
        html = pages[-1].html.replace(start, start + "".join(paras))
        pages[-1] = Page(pages[-1].url, html)
    result = learn_profile(pages, [], BASE)
    art = result.profile.article
    assert "div:has(> img)" in art.image_block
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        assert got.fields["mainImage"] == {"url": f"{BASE}/Uploads/{n}.jpg"}
        assert got.fields["articleBody"].split("\n") == PARAS
        assert "mainImage" not in got.fallbacks


def test_a_lead_and_date_line_read_as_one_line_by_the_ladder() -> None:
    # inline lead and date one after the other: the ladder reads "lead.Ngày đăng: ..." as
    # the lead and takes the day from htmldate; the profile names both elements
    pages = []
    for n in range(1, 7):
        lead = f"Theo đồng chí số {n}, bí thư Đảng ủy xã: “Đối thoại thẳng thắn giúp tháo gỡ”."
        html = (
            f'<html lang="vi"><head><title>Tin số {n} | Cổng</title></head><body>'
            '<div id="dnn_ctr2937_ModuleContent">'
            f'<h3 id="dnn_ctr2937_TinTuc_lblTitle">Tin số {n} về công tác dân vận</h3>\n'
            f'<strong id="dnn_ctr2937_TinTuc_lblSummary">{lead}</strong>\n'
            f'<span id="dnn_ctr2937_TinTuc_lblDate">Ngày đăng: {n:02d}/09/2022</span>\n'
            '<div id="dnn_ctr2937_TinTuc_pnlContent"><div class="fck-content">'
            + "".join(f"<div>{p}</div>\n" for p in PARAS)
            + "</div></div></div></body></html>"
        )
        pages.append(Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html))
    result = learn_profile(pages, [], BASE)
    art = result.profile.article
    assert art.description == ('strong[id$="_lblSummary"]',)
    assert art.date_published == ('span[id$="_lblDate"]',)
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        assert got.fields["datePublished"].startswith(f"2022-09-{n:02d}")
        assert got.fields["articleBody"].split("\n")[1:] == PARAS
        assert got.fields["articleBody"].startswith(f"Theo đồng chí số {n},")
        assert not got.fallbacks.keys() & {"datePublished", "description", "articleBody"}


def test_a_block_after_a_heading_is_named_by_it() -> None:
    # the article wrapper's class changes from page to page; the body follows the headline
    root = parse_html(
        "<html><body><div class='cb3ki3b'><h3>Tin</h3><div class='km3y2i7'>x</div></div>"
        "</body></html>",
        html_elements=False,
    )
    assert "h3 + div" in selector_candidates(root.xpath("//div[@class='km3y2i7']")[0])


def test_a_category_title_printed_after_the_site_name() -> None:
    # "Site - Category": the site's suffix rule cuts the category off as if it were the
    # site's name; the heading printing it is the title
    root = parse_html(
        "<html><head><title>Tỉnh ủy Nghệ An - Thời sự</title></head><body>"
        "<ul><li><a href='/c'>Thời sự</a></li></ul><h3>Tin tức mới</h3><h1>Thời sự</h1>"
        "</body></html>",
        html_elements=False,
    )
    assert category_title(root, "Tỉnh ủy Nghệ An") == "Thời sự"


def test_a_date_labelled_updated_when_the_page_prints_no_other() -> None:
    # "Cập nhật:" marks a modified date beside a published one; alone, it is the date
    pages = []
    for n, name in enumerate(NAMES, 1):
        html = _article(n, f"Tin số {n} về công tác dân vận", n, PARAS, name).html
        html = html.replace(
            f'<span class="ngay-dang">Thứ Hai, {n:02d}/09/2022 07:45</span>',
            f'<p class="info">Cập nhật: {n:02d}/09/2022 07:45</p>',
        )
        pages.append(Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html))
    result = learn_profile(pages, [], BASE)
    assert result.profile.article.date_published == ("p.info",)
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        assert got.fields["datePublished"].startswith(f"2022-09-{n:02d}T07:45")
        assert "datePublished" not in got.fallbacks


def test_a_byline_with_no_name_of_its_own_that_comes_and_goes_above_the_headline() -> None:
    # "Name - Role" in a block with only a generated class, on two pages of three, right
    # before the headline, an unnamed block right before the body: no position holds
    names = [*NAMES, "Hồ Văn Hải", "Đinh Thị Lan", "Cao Văn Minh"]
    pages = []
    for n, name in enumerate(names, 1):
        byline = f'<div class="xk8zhwk">{name} - Chuyên viên Ban Dân vận</div>' if n % 3 else ""
        title = f"Tin số {n} về công tác dân vận ở cơ sở"
        html = (
            f"<html><head><title>{title} | Cổng thông tin</title></head><body>"
            '<div class="post"><div class="path"><a href="/">Trang chủ</a></div>'
            f'<h2 class="sc-n07yf0">Nội dung chi tiết</h2>{byline}<div>{title}</div>'
            '<div class="noidung">' + "".join(f"<p>{p}</p>" for p in PARAS) + "</div>"
            f"<div>Ngày đăng: {n:02d}/09/2022 07:45</div></div></body></html>"
        )
        pages.append(Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html))
    result = learn_profile(pages, [], BASE)
    assert_no_generated_names(result.profile)
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        assert got.fields["headline"] == f"Tin số {n} về công tác dân vận ở cơ sở"
        want = [names[n - 1]] if n % 3 else []
        assert [a["name"] for a in got.fields["authors"]] == want, n
        assert not got.fallbacks.keys() & {"authors", "headline"}


def test_a_byline_after_the_body_whose_label_changes_on_pages_not_learned_from() -> None:
    # the held-out pages (the last third) print "Tin, ảnh:" where the others print "Bài:"
    names = [*NAMES, "Hồ Văn Hải", "Đinh Thị Lan", "Cao Văn Minh"]
    pages = []
    for n, name in enumerate(names, 1):
        label = "Bài" if n <= 6 else "Tin, ảnh"
        byline = f"<p>{label}: {name} - Chuyên viên Ban Dân vận</p>" if n % 4 else ""
        title = f"Tin số {n} về công tác dân vận ở cơ sở"
        html = (
            f"<html><head><title>{title} | Cổng thông tin</title></head><body><article>"
            f"<h1>{title}</h1><span>Ngày đăng: {n:02d}/09/2022 07:45</span><h3>Nội dung</h3>"
            "<div>" + "".join(f"<p>{p}</p>" for p in PARAS) + f"</div>{byline}"
            "<div><a href='#'>Chia sẻ Facebook</a> <a href='#'>Chia sẻ Zalo</a></div>"
            "</article></body></html>"
        )
        pages.append(Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html))
    result = learn_profile(pages, [], BASE)
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        want = [names[n - 1]] if n % 4 else []
        assert [a["name"] for a in got.fields["authors"]] == want, n
        assert "authors" not in got.fallbacks, n


@pytest.mark.parametrize("layout", ["random:29", "random:17", "random:30"])
def test_learned_headline_and_authors_hold_on_pages_not_learned_from(
    layout: str, replica_factory: Callable[..., ReplicaClient]
) -> None:
    # random:29: a byline above the headline with only a generated class, on some pages;
    # random:17: a byline after the body, its label ("Bài:", "Tin, ảnh:") page by page;
    # random:30: a byline after the date line, the headline's link there when it is not
    seed = int(layout.split(":")[1])
    rep = replica_factory(articles=20, seed=seed, layout=layout)
    truth = rep.truth()
    pages = [Page(row["url"], rep.text(row["url"])) for row in truth]
    result = learn_profile(pages[:8], [], rep.base, hold_out=0)
    for page, row in zip(pages, truth, strict=True):
        got = ArticlePage(page.html, page.url, result.profile).extract()
        assert got.fields["headline"] == row["headline"], page.url
        names = sorted(a["name"] for a in got.fields["authors"])
        assert names == sorted(a["name"] for a in row["authors"]), page.url
        assert not got.fallbacks.keys() & {"authors", "headline"}, page.url


def test_no_byline_in_the_body_where_the_signature_rules_read_the_name() -> None:
    # a name in bold and its role ending the body on the pages learned from; the pages
    # held out (the last third) have no signature: nothing there is an author
    names = [*NAMES, "Hồ Văn Hải", "Đinh Thị Lan", "Cao Văn Minh"]
    pages = []
    for n, name in enumerate(names, 1):
        sign = f"<p><strong>{name}</strong></p><p><em>Chuyên viên Ban Dân vận</em></p>"
        inner = "".join(f"<p>{p}</p>" for p in PARAS) + (sign if n <= 6 else "")
        pages.append(_plain_article(n, f"Tin số {n} về công tác dân vận", inner))
    result = learn_profile(pages, [], BASE)
    assert result.profile.article.byline == ()
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        want = [names[n - 1]] if n <= 6 else []
        assert [a["name"] for a in got.fields["authors"]] == want, n
        assert got.fields["articleBody"].split("\n") == PARAS


def test_a_byline_label_printed_on_one_page_at_the_place_of_another_label() -> None:
    # "Người viết: Name<br>Role" above the headline, "Bài, ảnh:" on one page only; the
    # date block's class is generated, the byline's block has no name of its own, a
    # block of attachments comes and goes after the body
    names = [*NAMES, "Hồ Văn Hải", "Đinh Thị Lan", "Cao Văn Minh"]
    pages = []
    for n, name in enumerate(names, 1):
        label = "Bài, ảnh" if n == 3 else "Người viết"
        byline = f"<div>{label}: {name}<br>Trưởng ban Dân vận Huyện ủy</div>" if n % 5 else ""
        title = f"Tin số {n} về công tác dân vận ở cơ sở"
        html = (
            f"<html><head><title>{title} | Cổng thông tin</title></head><body><main><article>"
            '<div><a href="/">Trang chủ</a> / <a href="/c">Thời sự</a></div>'
            f"{byline}<div><strong>{title}</strong></div>"
            f'<div class="x6tlk49">Thứ Tư, {n:02d}/09/2022 07:45</div>'
            "<div>"
            + "".join(f"<div>{p}</div>" for p in PARAS)
            + "</div>"
            + (
                '<div>Tài liệu kèm theo: <a href="/f.pdf">Báo cáo.pdf</a></div>'
                if n % 2 == 0
                else ""
            )
            + "</article></main></body></html>"
        )
        pages.append(Page(f"{BASE}/vi-vn/tin/bai-{n}/1-2-{n}", html))
    result = learn_profile(pages, [], BASE)
    assert_no_generated_names(result.profile)
    for n, got in enumerate(_extract_all(pages, result.profile), 1):
        want = [names[n - 1]] if n % 5 else []
        assert [a["name"] for a in got.fields["authors"]] == want, n
        assert "authors" not in got.fallbacks, n
