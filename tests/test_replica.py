"""The replica portal: URLs, markup contract, HTTP semantics, control endpoints, truth."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from lxml import html as lxml_html

from tests.conftest import ROOT, ReplicaClient

XSS_TEXT = 'Ví dụ ghi chú: <script>alert("xss-text")</script> & <img src=x onerror=alert(2)>.'

ARTICLE_PATH = re.compile(r"^/vi-vn/tin/[^/?#]+/\d+-\d+-(\d+)$")
CATEGORY_PATH = re.compile(r"^/vi-vn/chuyen-muc/[a-z0-9-]+/\d+-\d+$")
SEED_TITLE = "Thái Hòa thực hiện tốt Quy chế công tác dân vận của hệ thống chính trị"
MAIN_BANNER = "Banner Tỉnh ủy Nghệ An (Home-latest-1)"
SUB_BANNER = "Banner Ban dân vận tỉnh ủy sub-site-1"


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


def doc(replica: ReplicaClient, path: str) -> Any:
    return lxml_html.fromstring(replica.text(path))


def text_of(el: Any) -> str:
    return clean(el.text_content())


@pytest.fixture(scope="module")
def truth(replica: ReplicaClient) -> list[dict[str, Any]]:
    return replica.truth()


def strip_base(client: ReplicaClient, data: str) -> str:
    host = urlsplit(client.base).netloc
    return data.replace(host, "HOST").replace(host.replace(":", "%3A"), "HOST")


# --------------------------------------------------------------------------- site shape


def test_home_has_banner_full_menu_and_featured_block(replica: ReplicaClient) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", replica.url)
    page = doc(replica, "/")
    assert page.xpath('//div[@id="header"]//img[@class="banner"]/@alt') == [MAIN_BANNER]
    menu = page.xpath('//ul[@class="main-menu"]//a/@href')
    categories = [h for h in menu if CATEGORY_PATH.match(h)]
    assert len(categories) >= 8
    assert "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312" in categories
    assert "/vi-vn/ban/ban-dan-van-tinh-uy" in menu
    assert page.xpath('//ul[@class="sub-menu"]//a[text()="Dân vận khéo"]')
    assert page.xpath('//div[@id="footer"]')
    featured = page.xpath('//div[@class="featured"]//a/@href')
    assert any("utm_source=" in h or "fbclid=" in h or "zarsrc=" in h for h in featured)


def test_subsite_home_has_its_banner_and_categories(replica: ReplicaClient) -> None:
    page = doc(replica, "/vi-vn/ban/ban-dan-van-tinh-uy")
    assert page.xpath('//img[@class="banner"]/@alt') == [SUB_BANNER]
    menu = page.xpath('//ul[@class="main-menu"]//a/@href')
    assert "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312" in menu
    assert len([h for h in menu if CATEGORY_PATH.match(h)]) >= 4


def test_robots_txt_disallows_control_paths(replica: ReplicaClient) -> None:
    status, headers, body = replica.get("/robots.txt")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert "Disallow: /_replica/" in lines
    assert "Disallow: /Admin/" in lines


def test_unknown_paths_are_404(replica: ReplicaClient) -> None:
    for path in (
        "/nope",
        "/vi-vn/tin/khong-co/1-2-3",
        "/vi-vn/chuyen-muc/x/1-2",
        "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312?trang=9999",
        "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312?trang=abc",
        "/vi-vn/ban/khong-co",
        "/Uploads/files/x.exe",
    ):
        assert replica.get(path)[0] == 404, path


def test_no_structured_metadata(replica: ReplicaClient, truth: list[dict[str, Any]]) -> None:
    for row in truth[:40]:
        body = replica.text(row["url"])
        assert "application/ld+json" not in body
        assert 'property="article:' not in body
        assert "<time" not in body
        assert 'property="og:title"' in body
        assert ('property="og:image"' in body) == bool(row["images"])


# --------------------------------------------------------------------------- the seed article


def test_seed_article_is_served_with_exact_fields(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    rows = [r for r in truth if r["headline"] == SEED_TITLE]
    assert len(rows) == 1
    row = rows[0]
    assert row["authors"] == [
        {
            "name": "Nguyễn Mạnh Khôi",
            "nameRaw": "Nguyễn Mạnh Khôi",
            "role": "Phó trưởng ban TT Ban Dân vận Tỉnh ủy",
        }
    ]
    assert row["articleBody"].startswith("Công tác dân vận luôn là")
    assert row["articleBody"].endswith("kịp thời./.")
    assert row["articleBody"].split("\n")[0] == row["description"]
    assert "Tin cùng chuyên mục" not in row["articleBody"]
    assert "Banner" not in row["articleBody"]
    assert "Dân vận khéo" in [c["name"] for c in row["categories"]]
    assert [d["raw"] for d in row["documentRefs"]] == [
        "Quyết định số 23-QĐ/TW",
        "Quy chế số 07-QC/TU",
        "Quy chế số 04-QC/ThU",
    ]
    page = doc(replica, row["url"])
    assert text_of(page.xpath('//h1[@class="news-title"]')[0]) == SEED_TITLE
    assert page.xpath('//img[@class="banner"]/@alt') == [SUB_BANNER]
    related = page.xpath('//div[@class="related-news"]')[0]
    assert text_of(related.xpath("h3")[0]) == "Tin cùng chuyên mục"
    # every paragraph of the seed file is printed unchanged
    seed = (ROOT / "danvan_crawler/replica/data/000_4b8b88a6ce4de1e0.txt").read_text("utf-8")
    content = page.xpath('//div[@class="news-content"]')[0]
    printed = [p.text_content() for p in content.xpath("p")]
    for line in seed.split("\n")[6:33]:
        if line:
            assert line in printed


def test_seed_data_file_is_the_shared_seed_unchanged() -> None:
    shared = ROOT.parent / "shared/seed/000_4b8b88a6ce4de1e0.txt"
    if not shared.exists():
        pytest.skip("shared seed folder not present (outside the repository)")
    ours = ROOT / "danvan_crawler/replica/data/000_4b8b88a6ce4de1e0.txt"
    assert ours.read_bytes() == shared.read_bytes()


# --------------------------------------------------------------------------- URLs and truth


def test_truth_urls_follow_the_portal_patterns(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    assert len(truth) == 300
    ids = [r["articleId"] for r in truth]
    assert len(set(ids)) == len(ids)
    for row in truth:
        assert row["url"] == row["canonicalUrl"]
        assert row["url"].startswith(replica.base + "/vi-vn/tin/")
        path = row["url"][len(replica.base) :]
        m = ARTICLE_PATH.match(path)
        assert m and m.group(1) == row["articleId"], path
        escapes = re.findall(r"%[0-9A-Fa-f]{2}", path)
        assert escapes == [e.upper() for e in escapes], path  # upper-case hex
        assert path.isascii()
        assert [c["url"] for c in row["categories"]] == sorted(c["url"] for c in row["categories"])
        for c in row["categories"]:
            assert CATEGORY_PATH.match(c["url"][len(replica.base) :])
            assert c["url"].endswith("/" + c["slug"] + c["url"][c["url"].rfind("/") :])
    urls = " ".join(r["url"] for r in truth)
    assert "%E2%80%9C" in urls and "%E2%80%9D" in urls and "%EF%BF%BD" in urls


def test_truth_fields_match_the_printed_pages(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    """Cross-check the truth against the pages on a sample (truth itself comes from data)."""
    for row in truth[::7]:
        page = doc(replica, row["url"])
        assert text_of(page.xpath('//h1[@class="news-title"]')[0]) == row["headline"]
        assert text_of(page.xpath('//div[@class="news-sapo"]')[0]) == row["description"]
        assert text_of(page.xpath('//div[@class="news-date"]')[0]) == row["datePublishedRaw"]
        updated = page.xpath('//div[@class="news-updated"]')
        assert (text_of(updated[0]) if updated else None) == row["dateModifiedRaw"]
        content = page.xpath('//div[@class="news-content"]')[0]
        paragraphs = [text_of(p) for p in content.xpath("p") if p.get("style") is None]
        assert "\n".join([row["description"], *paragraphs]) == row["articleBody"]
        signature = [text_of(p) for p in content.xpath("p[@style]")]
        expected = [a["nameRaw"] for a in row["authors"]] + [
            a["role"] for a in row["authors"] if a["role"]
        ]
        assert signature == expected
        srcs = [replica.base + s for s in content.xpath('.//table[@class="image"]//img/@src')]
        assert srcs == [i["url"] for i in row["images"]]
        crumbs = page.xpath('//div[@class="breadcrumb"]/a')
        assert [(text_of(a), replica.base + a.get("href")) for a in crumbs] == [
            (b["name"], b["url"]) for b in row["breadcrumbs"]
        ]
        banner = page.xpath('//img[@class="banner"]/@alt')[0]
        assert banner == (MAIN_BANNER if row["subSite"] == "Tỉnh ủy Nghệ An" else SUB_BANNER)
        names = [text_of(a) for a in page.xpath('//div[@class="news-attachments"]/a')]
        assert names == [a["name"] for a in row["attachments"]]
        body_text = clean(page.text_content())
        for ref in row["documentRefs"]:
            assert ref["raw"] in body_text
            assert ref["number"] == str(int(ref["number"]))


def test_truth_schema_values(truth: list[dict[str, Any]]) -> None:
    ids = {r["articleId"]: r for r in truth}
    for row in truth:
        assert row["inLanguage"] == "vi"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+07:00", row["datePublished"])
        if row["dateModified"]:
            assert row["dateModified"] > row["datePublished"]
        assert row["datePublished"] < "2025-11-01"
        for field in ("headline", "description", "articleBody"):
            value = row[field]
            assert unicodedata.is_normalized("NFC", value)
            assert "\u00a0" not in value and "\u200b" not in value and "  " not in value
        keys = [(d["code"], d["number"], d["issuer"]) for d in row["documentRefs"]]
        assert len(keys) == len(set(keys))
        if row["duplicateOf"]:
            original = ids[row["duplicateOf"]]
            assert original["datePublished"] < row["datePublished"]
            assert original["duplicateOf"] is None
    assert 1 <= sum(1 for r in truth if r["duplicateOf"]) <= 20


def test_awkward_features_are_all_present(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    bodies = "\n".join(r["articleBody"] for r in truth)
    assert "hoá" in bodies and "hóa" in bodies and "uỷ" in bodies and "ủy" in bodies
    mixed = [r for r in truth if "hoá" in r["articleBody"] and "hóa" in r["articleBody"]]
    assert mixed, "old and new tone placement inside one article"
    assert "./." in bodies and "“" in bodies
    formats = Counter()
    for r in truth:
        raw = r["datePublishedRaw"]
        formats[
            "weekday"
            if raw.startswith(("Thứ", "Chủ"))
            else "dash"
            if " - " in raw
            else "ngay"
            if "ngày" in raw
            else "date"
        ] += 1
    assert set(formats) == {"weekday", "dash", "ngay", "date"}
    assert any(len(r["categories"]) == 2 for r in truth)
    assert any(len({c["subSite"] for c in r["categories"]}) == 2 for r in truth)
    assert any(r["dateModified"] for r in truth)
    assert any(r["attachments"] for r in truth) and any(r["images"] for r in truth)
    assert any(i["caption"] is None for r in truth for i in r["images"])
    assert any(not r["authors"] for r in truth)
    assert any(r["authors"] and r["authors"][0]["role"] is None for r in truth)
    assert any(
        r["authors"] and r["authors"][0]["name"] != r["authors"][0]["nameRaw"] for r in truth
    )
    # the same document spelled two ways inside one article
    two_spellings = 0
    nfd = nbsp = zw = ncr = 0
    for row in truth[:120]:
        page = replica.text(row["url"])
        nfd += not unicodedata.is_normalized("NFC", page)
        nbsp += "&nbsp;" in page.split('class="news-content"')[1].split("text-align")[0]
        zw += "\u200b" in page or "\ufeff" in page
        ncr += bool(re.search(r"&#\d{4};", page))
        text = clean(lxml_html.fromstring(page).text_content())
        for ref in row["documentRefs"]:
            pattern = rf"{ref['kind']} (?:số )?0*{ref['number']}-{ref['code']}/{ref['issuer']}"
            two_spellings += len(set(re.findall(pattern, text))) > 1
    assert nfd and nbsp and zw and ncr and two_spellings


def test_alternate_links_serve_the_same_article(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    by_id = {r["articleId"]: r for r in truth}
    hrefs: list[str] = []
    for path in ["/", *(r["url"] for r in truth[:60])]:
        hrefs += [
            h
            for h in doc(replica, path).xpath("//a/@href")
            if "/vi-vn/tin/" in h and not h.startswith("https://www.facebook")
        ]
    kinds = Counter()
    for href in set(hrefs):
        split = urlsplit(href)
        article_id = split.path.rstrip("/").rsplit("-", 1)[1]
        primary = by_id[article_id]["url"][len(replica.base) :]
        if split.query:
            kinds["tracking"] += 1
        if split.path.endswith("/"):
            kinds["slash"] += 1
        if re.search(r"%[0-9a-f]{2}", split.path) and re.search(r"%[0-9a-f]*[a-f]", split.path):
            kinds["lower"] += 1
        if "“" in href or "”" in href:
            kinds["raw-quote"] += 1
        if split.scheme == "https":
            kinds["scheme"] += 1
            href = replica.base + split.path + ("?" + split.query if split.query else "")
        if (
            split.path.rstrip("/").rsplit("/", 1)[0] != primary.rsplit("/", 1)[0]
            and "%" not in href
        ):
            kinds["alt-slug"] += 1
        if href.startswith("/"):
            href = replica.base + href
        href = href.replace("“", "%E2%80%9C").replace("”", "%E2%80%9D")
        status, _, body = replica.get(href)
        assert status == 200, href
        assert body == replica.get(by_id[article_id]["url"])[2]
    for kind in ("tracking", "slash", "lower", "alt-slug", "scheme"):
        assert kinds[kind], kind


def test_listing_pagination_and_order(replica: ReplicaClient, truth: list[dict[str, Any]]) -> None:
    path = "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312"
    expected = {
        r["articleId"] for r in truth if any(c["url"].endswith(path) for c in r["categories"])
    }
    seen: list[str] = []
    times: list[str] = []
    page_no = 1
    while True:
        page = doc(replica, path if page_no == 1 else f"{path}?trang={page_no}")
        assert page.xpath('//h1[@class="category-title"]/text()') == ["Dân vận khéo"]
        items = page.xpath('//div[@class="list-news"]/div[@class="news-item"]')
        assert 1 <= len(items) <= 10
        for item in items:
            href = item.xpath('.//a[@class="news-link"]/@href')[0]
            m = ARTICLE_PATH.match(urlsplit(href).path)
            assert m, href
            seen.append(m.group(1))
            t = item.xpath('.//span[@class="news-time"]/text()')[0]
            d, hm = t.split(" ")
            times.append("/".join(reversed(d.split("/"))) + " " + hm)
        nxt = page.xpath('//div[@class="pager"]//a[text()="Trang sau"]/@href')
        if not nxt:
            break
        assert nxt[0] == f"{path}?trang={page_no + 1}"
        page_no += 1
    assert page_no > 1
    assert len(seen) == len(set(seen))
    assert set(seen) == expected
    assert times == sorted(times, reverse=True)


# --------------------------------------------------------------------------- HTTP semantics


def test_etag_last_modified_and_conditional_requests(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    for path in (
        "/",
        "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312",
        truth[3]["url"],
        "/robots.txt",
    ):
        status, headers, body = replica.request(path)
        assert status == 200
        assert int(headers["content-length"]) == len(body)
        assert "charset=utf-8" in headers["content-type"]
        etag = headers["etag"]
        assert re.fullmatch(r'"[0-9a-f]+"', etag)
        assert headers["last-modified"].endswith("GMT")
        assert replica.request(path, {"If-None-Match": etag})[0] == 304
        assert replica.request(path, {"If-None-Match": '"other"'})[0] == 200
        assert replica.request(path, {"If-Modified-Since": headers["last-modified"]})[0] == 304
        assert (
            replica.request(path, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200
        )
        again = replica.request(path)
        assert again[1]["etag"] == etag and again[2] == body


def test_gzip_when_accepted(replica: ReplicaClient, truth: list[dict[str, Any]]) -> None:
    url = truth[5]["url"]
    plain = replica.request(url)
    status, headers, body = replica.request(url, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(body)
    assert gzip.decompress(body) == plain[2]
    assert headers["etag"] != plain[1]["etag"]
    assert (
        replica.request(url, {"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})[0]
        == 304
    )
    assert "content-encoding" not in replica.request(url, {"Accept-Encoding": "gzip;q=0"})[1]


def test_head_request(replica: ReplicaClient) -> None:
    status, headers, body = replica.request("/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.e2e
def test_connections_are_served_with_tcp_nodelay() -> None:
    """Responses go out without waiting for the client's delayed ACK: a keep-alive
    response is written in two sends (headers, then body), and with Nagle's algorithm
    on, the second waits ~40 ms for the ACK of the first (it paced every crawl)."""
    from danvan_crawler.replica.server import Handler

    with (
        socket.create_server(("127.0.0.1", 0)) as listener,
        socket.create_connection(listener.getsockname()[:2]),
    ):
        conn, _ = listener.accept()
        with conn:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            handler = Handler.__new__(Handler)  # as socketserver does, up to handle()
            handler.request = conn
            handler.setup()
            try:
                assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            finally:
                handler.finish()


def test_uploads_are_served_with_content_types(
    replica: ReplicaClient, truth: list[dict[str, Any]]
) -> None:
    image = next(i["url"] for r in truth for i in r["images"])
    status, headers, body = replica.get(image)
    assert status == 200 and headers["content-type"] == "image/jpeg" and body[:2] == b"\xff\xd8"
    types = {}
    for row in truth:
        for a in row["attachments"]:
            status, headers, body = replica.get(a["url"])
            assert status == 200
            types[a["url"].rsplit(".", 1)[1]] = headers["content-type"]
    assert types.get("pdf") == "application/pdf"
    assert types.get("doc") == "application/msword"


# --------------------------------------------------------------------------- control endpoints


def test_publish_edit_and_stats(replica_factory: Callable[..., ReplicaClient]) -> None:
    rep = replica_factory(articles=40)
    before = {r["articleId"]: r for r in rep.truth()}
    assert len(before) == 40
    rep.reset_stats()
    assert rep.stats()["total"] == 0

    new = rep.publish(3)
    assert len(new) == 3
    after = {r["articleId"]: r for r in rep.truth()}
    assert len(after) == 43
    for url in new:
        row = next(r for r in after.values() if r["url"] == url)
        assert row["articleId"] not in before
        assert row["datePublished"] > max(r["datePublished"] for r in before.values())
        for cat in row["categories"]:
            first = doc(rep, cat["url"]).xpath('//a[@class="news-link"]/@href')
            assert any(urlsplit(h).path == urlsplit(url).path for h in first[:3])

    listing_lm = {
        c.path: rep.request(c.path)[1]["last-modified"]
        for c in (urlsplit(u) for u in {c["url"] for r in after.values() for c in r["categories"]})
    }
    edited = rep.edit(2)
    assert len(edited) == 2
    final = {r["url"]: r for r in rep.truth()}
    for url in edited:
        row = final[url]
        old = before.get(row["articleId"]) or after[row["articleId"]]
        assert row["dateModified"] is not None
        assert row["dateModified"] > max(r["datePublished"] for r in after.values())
        assert row["articleBody"] != old["articleBody"]
        assert row["datePublished"] == old["datePublished"]
        page = doc(rep, url)
        assert text_of(page.xpath('//div[@class="news-updated"]')[0]) == row["dateModifiedRaw"]
        cat = row["categories"][0]["url"]
        top = doc(rep, cat).xpath('//a[@class="news-link"]/@href')[:2]
        assert urlsplit(url).path in [urlsplit(h).path for h in top]
        # a listing whose content changed is not "not modified" since its old date
        path = urlsplit(cat).path
        assert rep.request(path, {"If-Modified-Since": listing_lm[path]})[0] == 200

    rep.reset_stats()
    rep.get("/robots.txt")
    rep.get("/vi-vn/chuyen-muc/dan-van-kheo/405534-193312")
    rep.get(edited[0])
    rep.get(edited[1])
    rep.get("/vi-vn/tin/x/1-2-3")
    etag = rep.request(edited[0])[1]["etag"]
    assert rep.request(edited[0], {"If-None-Match": etag})[0] == 304
    stats = rep.stats()
    assert stats["by_kind"] == {"listing": 1, "article": 5, "other": 1}
    assert stats["by_status"] == {"200": 5, "304": 1, "404": 1}
    assert stats["not_modified"] == 1
    rep.reset_stats()
    assert rep.stats()["by_kind"] == {"listing": 0, "article": 0, "other": 0}


def test_same_seed_same_world_other_seed_other_world(
    replica_factory: Callable[..., ReplicaClient],
) -> None:
    a = replica_factory(articles=40, seed=7)
    b = replica_factory(articles=40, seed=7)
    c = replica_factory(articles=40, seed=8)
    ta = strip_base(a, a.text("/_replica/truth.jsonl"))
    assert ta == strip_base(b, b.text("/_replica/truth.jsonl"))
    assert ta != strip_base(c, c.text("/_replica/truth.jsonl"))
    paths = ["/", "/vi-vn/chuyen-muc/tin-hoat-dong/405534-193301", "/vi-vn/ban/ban-dan-van-tinh-uy"]
    paths += [urlsplit(json.loads(line)["url"]).path for line in ta.splitlines()[:10]]
    for path in paths:
        assert strip_base(a, a.text(path)) == strip_base(b, b.text(path)), path
    assert a.publish(2) and b.publish(2)
    assert a.edit(2) and b.edit(2)
    assert strip_base(a, a.text("/_replica/truth.jsonl")) == strip_base(
        b, b.text("/_replica/truth.jsonl")
    )


def test_twenty_thousand_articles_serve_deep_pages(
    replica_factory: Callable[..., ReplicaClient],
) -> None:
    rep = replica_factory(articles=20000)
    status, _, body = rep.get("/vi-vn/chuyen-muc/dan-van-kheo/405534-193312?trang=150")
    assert status == 200
    href = lxml_html.fromstring(body).xpath('//a[@class="news-link"]/@href')[0]
    assert rep.get(href)[0] == 200
    info = json.loads(rep.text("/_replica/info"))
    assert info["articles"] == 20000


# --------------------------------------------------------------------------- options


def test_modern_layout_same_articles_other_markup(
    replica_factory: Callable[..., ReplicaClient],
) -> None:
    classic = replica_factory(articles=30, seed=3)
    modern = replica_factory(articles=30, seed=3, layout="modern")
    tc, tm = classic.truth(), modern.truth()
    assert [strip_base(classic, json.dumps(r)) for r in tc] == [
        strip_base(modern, json.dumps(r)) for r in tm
    ]
    row = tm[4]
    page = modern.text(row["url"])
    assert "news-detail" not in page and "news-title" not in page and "main-menu" not in page
    tree = lxml_html.fromstring(page)
    assert text_of(tree.xpath('//h1[@class="post__title"]')[0]) == row["headline"]
    listing = modern.text("/vi-vn/chuyen-muc/thoi-su/73410-203449")
    assert "news-item" not in listing and "card__title" in listing


def test_xss_payloads_are_planted_and_marked(replica_factory: Callable[..., ReplicaClient]) -> None:
    rep = replica_factory(articles=120, xss=True)
    truth = rep.truth()
    marked = [r for r in truth if r.get("xss")]
    assert marked
    assert all("xss" not in r for r in truth if r not in marked)
    payloads = 0
    for row in marked:
        page = rep.text(row["url"])
        content = page.split('class="news-content"')[1].split('class="related-news"')[0]
        payloads += sum(
            s in content for s in ("<script>", "onerror=", "javascript:", "<svg", "<iframe")
        )
        body = row["articleBody"].replace(XSS_TEXT, "")
        assert "alert" not in body and "<" not in body
        assert XSS_TEXT in row["articleBody"]
        assert XSS_TEXT not in content  # printed escaped
    assert payloads


@pytest.mark.e2e
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_url_first_and_exits_cleanly_on_signal(sig: signal.Signals) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler.cli", "replica", "--port", "0", "--articles", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert re.fullmatch(r"serving http://127\.0\.0\.1:\d+/\n", line)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


@pytest.mark.e2e
def test_cli_usage_error_exits_2() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "danvan_crawler.replica", "--articles", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
