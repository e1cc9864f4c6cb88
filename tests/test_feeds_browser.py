"""What a person sees: ``index.html`` (structure always; rendered in headless Chromium
when it is installed), feeds turned into pages by ``feed.xsl`` (lxml's XSLT always;
Chromium through ``danvan serve`` when installed), the folder's own stylesheet and script.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from danvan_crawler.feeds import SiteOptions, build_site
from danvan_crawler.feeds.names import category_stems
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories
from danvan_crawler.feeds.sanitize import plain_text
from tests.test_serve import serving

BASE = "http://127.0.0.1:8123"
PUBLIC = "https://feeds.example.org/nghean/"
OPTIONS = SiteOptions(public_url=PUBLIC)
VN = timezone(timedelta(hours=7))
CHROMIUM = "/usr/bin/chromium"


def site_inputs(count: int = 40, limit: int = 10) -> tuple[list[dict], dict]:
    categories = synthetic_categories(BASE)
    articles = [synthetic_article(n, categories, BASE) for n in range(count)]
    articles[-1]["headline"] = "Bảo vệ <môi trường> & “phát triển”"
    articles[-1]["description"] = "Sapo có ký tự đặc biệt: A & B <c> &amp; “d”"
    newest = sorted(articles, key=lambda a: a["datePublished"], reverse=True)
    latest: dict[str | None, list[dict]] = {None: newest[:limit]}
    for cat in categories:
        latest[cat["url"]] = [
            a for a in newest if cat["url"] in {c["url"] for c in a["categories"]}
        ][:limit]
    return categories, latest


@pytest.fixture(scope="module")
def site() -> tuple[list[dict], dict, dict[str, bytes]]:
    categories, latest = site_inputs()
    return categories, latest, build_site(categories, latest, OPTIONS)


def page_of(files: dict[str, bytes]) -> etree._Element:
    return etree.HTML(files["index.html"])


def visible_text(element: etree._Element) -> str:
    body = element.find("body")
    return " ".join("".join(body.itertext()).split())


def test_index_is_one_page_with_its_own_stylesheet_and_script(site) -> None:
    _, _, files = site
    page = page_of(files)
    assert page.findtext("head/title") == page.findtext("body//h1")
    assert len(page.findall(".//h1")) == 1
    assert page.xpath("//head/link[@rel='stylesheet']/@href") == ["style.css"]
    assert page.xpath("//head/script/@src") == ["index.js"]
    assert not page.xpath("//script[normalize-space(text())]"), "no inline script"
    assert not page.xpath("//style | //*[@style]"), "no inline style"
    assert page.xpath("//meta[@name='viewport']/@content") == [
        "width=device-width, initial-scale=1"
    ]
    # "Tất cả chuyên mục" names the all feed once (it used to be two headings)
    assert visible_text(page).count("Tất cả chuyên mục") == 1
    assert len(page.xpath("//h2[normalize-space()='Tất cả chuyên mục']")) == 1
    assert not page.xpath("//h3[normalize-space()='Tất cả chuyên mục']")


def test_stylesheet_is_self_contained_light_and_dark(site) -> None:
    _, _, files = site
    css = files["style.css"].decode()
    assert "prefers-color-scheme: dark" in css and "color-scheme: light dark" in css
    assert "@media (max-width:" in css  # a narrower layout for phones
    assert "@import" not in css and not re.search(r"url\(", css), "nothing fetched"
    script = files["index.js"].decode()
    assert "fetch(" not in script and "XMLHttpRequest" not in script and "http" not in script


def test_every_feed_has_name_count_update_formats_copy_and_headlines(site) -> None:
    categories, latest, files = site
    page = page_of(files)
    stems = category_stems(categories)
    wanted = {"all": latest[None]} | {stems[c["url"]]: latest[c["url"]] for c in categories}
    names = {"all": "Tất cả chuyên mục"} | {stems[c["url"]]: c["name"] for c in categories}
    for stem, articles in wanted.items():
        (section,) = page.xpath(f"//section[@id='{stem}']")
        assert section[0].tag in ("h2", "h3") and section[0].text == names[stem]
        meta = "".join(section.find("p[@class='meta']").itertext())
        assert meta.startswith(f"{len(articles)} bài · cập nhật ")
        newest_change = max(
            datetime.fromisoformat(a["dateModified"] or a["datePublished"]) for a in articles
        )
        assert section.xpath("p[@class='meta']/time/@datetime") == [newest_change.isoformat()]
        formats = section.xpath("ul[@class='formats']/li")
        assert [li.xpath("a[1]/@href")[0] for li in formats] == [
            f"{stem}.rss",
            f"{stem}.atom",
            f"{stem}.json",
        ]
        assert [li.xpath("a[@class='copy']/@href")[0] for li in formats] == [
            f"{stem}.rss",
            f"{stem}.atom",
            f"{stem}.json",
        ]
        items = section.xpath("ol[@class='headlines']/li")
        assert 0 < len(items) <= 10
        for li, article in zip(items, articles, strict=False):
            assert li.find("a").text == article["headline"]
            assert li.find("a").get("href") == article["canonicalUrl"].replace("”", "%E2%80%9D")
            day = datetime.fromisoformat(article["datePublished"]).strftime("%d/%m/%Y")
            assert li.find("time").text == day


def test_the_page_explains_opml_articles_and_time_of_the_last_crawl(site) -> None:
    _, latest, files = site
    page = page_of(files)
    text = visible_text(page)
    opml = page.xpath("//a[@href='index.opml']")
    assert opml and "OPML" in opml[0].text
    assert "nhập (import)" in text and PUBLIC in text  # what the OPML is, where it points
    assert "trang gốc" in text and BASE in text  # article links go to the portal
    newest_crawl = max(
        datetime.fromisoformat(a["crawledAt"]) for arts in latest.values() for a in arts
    )
    assert page.xpath("//header//time/@datetime") == [newest_crawl.isoformat()]
    assert newest_crawl.astimezone(VN).strftime("%H:%M, %d/%m/%Y") in text


def test_the_time_of_the_last_run_comes_from_the_store() -> None:
    categories, latest = site_inputs(count=12)
    run = datetime(2024, 3, 1, 1, 30, tzinfo=UTC)
    page = etree.HTML(build_site(categories, latest, OPTIONS, last_run=run)["index.html"])
    assert page.xpath("//header//time/@datetime") == [run.isoformat()]
    assert "08:30, 01/03/2024" in visible_text(page)  # portal time


def test_a_store_with_runs_publishes_its_last_run(tmp_path: Path) -> None:
    from danvan_crawler.feeds import publish
    from danvan_crawler.store import open_store

    categories = synthetic_categories(BASE)
    started = datetime(2024, 5, 6, 7, 8, tzinfo=UTC)
    with open_store(tmp_path / "danvan.db") as store:
        store.upsert([synthetic_article(1, categories, BASE)])
        store.record_run(started_at=started, exit_code=0)
        publish(store, tmp_path / "feeds")
        again = publish(store, tmp_path / "feeds")
    page = etree.HTML((tmp_path / "feeds" / "index.html").read_bytes())
    assert page.xpath("//header//time/@datetime") == [started.isoformat()]
    assert again.written == []  # the page is byte-stable while the store is unchanged


def test_empty_site_still_has_a_page() -> None:
    files = build_site([], {None: []}, OPTIONS)
    page = etree.HTML(files["index.html"])
    assert "Chưa có bài viết." in visible_text(page)
    assert not page.xpath("//header//time")  # no time without data: never "now"


# --- feeds through feed.xsl -----------------------------------------------------------


def transform(files: dict[str, bytes], name: str) -> etree._Element:
    xslt = etree.XSLT(etree.fromstring(files["feed.xsl"]))
    return etree.HTML(str(xslt(etree.fromstring(files[name]))).encode())


@pytest.mark.parametrize("ext", [".rss", ".atom"])
def test_a_feed_becomes_a_page_of_title_explanation_subscription_and_items(site, ext: str) -> None:
    categories, latest, files = site
    stems = category_stems(categories)
    wanted = {"all": latest[None]} | {stems[c["url"]]: latest[c["url"]] for c in categories}
    for stem, articles in wanted.items():
        feed = etree.fromstring(files[stem + ext])
        title = feed.findtext(".//{*}title")
        page = transform(files, stem + ext)
        assert page.findtext(".//h1") == title
        assert page.findtext("head/title").startswith(title)
        assert page.xpath("//head/link[@rel='stylesheet']/@href") == ["style.css"]
        text = visible_text(page)
        assert "Đây là một nguồn tin" in text and "trình đọc tin" in text
        assert page.xpath("//code[@class='url']/text()") == [PUBLIC + stem + ext]
        assert page.xpath("//a[@class='copy']")
        assert page.xpath("//a[@href='index.html']")
        items = page.xpath("//ol[@class='headlines']/li")
        assert [li.findtext("a") for li in items] == [a["headline"] for a in articles]
        for li, article in zip(items, articles, strict=True):
            published = datetime.fromisoformat(article["datePublished"])
            assert li.findtext("time") == published.strftime("%d/%m/%Y %H:%M")
            assert li.findtext("p") == article["description"]  # text, unescaped once


def test_feed_page_carries_no_markup_from_the_feed() -> None:
    categories = synthetic_categories(BASE)
    article = synthetic_article(0, categories, BASE)
    article["headline"] = '<script>alert("t")</script>'
    article["description"] = '&lt;img src=x onerror=alert(1)&gt; <b onclick="x">'
    files = build_site(categories, {None: [article]}, OPTIONS)
    for name in ("all.rss", "all.atom"):
        page = transform(files, name)
        assert page.xpath("//script/@src") == ["index.js"]
        assert not page.xpath("//img | //b | //*[@onerror] | //*[@onclick]"), name
        # markup that could run is taken out of text where it enters the feed model
        assert page.findtext(".//ol/li/a") == plain_text(article["headline"]) == 'alert("t")'
        assert page.findtext(".//ol/li/p") == plain_text(article["description"])


# --- a real browser -------------------------------------------------------------------


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, timeout=120, check=False)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    categories, latest = site_inputs()
    root = tmp_path / "feeds"
    root.mkdir()
    for name, data in build_site(categories, latest, OPTIONS).items():
        (root / name).write_bytes(data)
    return root


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
@pytest.mark.parametrize(
    ("path", "title_of"),
    [
        ("/", lambda files: page_of(files).findtext("head/title")),
        ("/all.rss", lambda files: etree.fromstring(files["all.rss"]).findtext(".//title")),
        ("/all.atom", lambda files: etree.fromstring(files["all.atom"]).findtext(".//{*}title")),
    ],
)
def test_chromium_renders_the_index_and_feeds_served_by_danvan_serve(
    published: Path, tmp_path: Path, path: str, title_of: Any
) -> None:
    files = {p.name: p.read_bytes() for p in published.iterdir()}
    title = title_of(files)
    shot = tmp_path / f"{path.strip('/') or 'index'}.png"
    with serving(published) as port:
        url = f"http://127.0.0.1:{port}{path}"
        dom = chromium(tmp_path / "profile", "--dump-dom", url)
        taken = chromium(tmp_path / "profile", "--window-size=412,900", f"--screenshot={shot}", url)
    assert dom.returncode == 0, dom.stderr.decode(errors="replace")[-2000:]
    html = dom.stdout.decode()
    rendered = etree.HTML(dom.stdout)
    assert unescape(rendered.findtext("head/title") or "").startswith(title), html[:2000]
    assert rendered.findtext(".//h1") == title
    assert "js" in (rendered.get("class") or "").split(), "the page's script did not run"
    assert "Ã" not in html  # UTF-8 read as Latin-1 (the mojibake of a missing charset)
    assert taken.returncode == 0 and shot.read_bytes().startswith(b"\x89PNG"), taken.stderr[-2000:]


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}")
def test_chromium_shows_index_html_opened_from_disk(published: Path, tmp_path: Path) -> None:
    """The folder works without a server too (relative links, nothing fetched)."""
    dom = chromium(tmp_path / "profile", "--dump-dom", (published / "index.html").as_uri())
    rendered = etree.HTML(dom.stdout)
    page = etree.HTML((published / "index.html").read_bytes())
    assert rendered.findtext(".//h1") == page.findtext(".//h1")
    assert "js" in (rendered.get("class") or "").split()
