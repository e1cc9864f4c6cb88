"""Feed building as pure functions over article dicts: feeds parse, entries carry what
readers need, order and counts follow the input, names are safe, output is stable."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import pytest
from lxml import etree

from danvan_crawler.feeds import SiteOptions, build_site
from danvan_crawler.feeds.model import entry_from_article
from danvan_crawler.feeds.names import category_stems, slugify
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories

BASE = "http://127.0.0.1:8123"
PUBLIC = "https://feeds.example.org/nghean/"
OPTIONS = SiteOptions(public_url=PUBLIC, ttl_minutes=45)


def newest(articles: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    return sorted(articles, key=lambda a: a["datePublished"], reverse=True)[:limit]


def site_inputs(count: int = 40, limit: int = 10) -> tuple[list[dict], dict]:
    categories = synthetic_categories(BASE)
    articles = [synthetic_article(n, categories, BASE) for n in range(count)]
    latest: dict[str | None, list[dict]] = {None: newest(articles, limit)}
    for cat in categories:
        mine = [a for a in articles if cat["url"] in {c["url"] for c in a["categories"]}]
        latest[cat["url"]] = newest(mine, limit)
    return categories, latest


@pytest.fixture(scope="module")
def site() -> tuple[list[dict], dict, dict[str, bytes]]:
    categories, latest = site_inputs()
    return categories, latest, build_site(categories, latest, OPTIONS)


def feed_names(files: dict[str, bytes], ext: str) -> list[str]:
    return sorted(name for name in files if name.endswith(ext))


def test_one_feed_per_category_and_all_in_three_formats(site) -> None:
    categories, _, files = site
    stems = category_stems(categories)
    for ext in (".rss", ".atom", ".json"):
        assert feed_names(files, ext) == sorted([f"all{ext}"] + [s + ext for s in stems.values()])
    assert "index.opml" in files and "index.html" in files


@pytest.mark.parametrize("ext", [".rss", ".atom"])
def test_feeds_parse_and_entries_follow_the_store(site, ext: str) -> None:
    categories, latest, files = site
    stems = category_stems(categories)
    by_name = {"all" + ext: latest[None]} | {
        stems[c["url"]] + ext: latest[c["url"]] for c in categories
    }
    for name, articles in by_name.items():
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert parsed.feed.language == "vi"
        assert len(parsed.entries) == len(articles), name
        for entry, article in zip(parsed.entries, articles, strict=True):
            assert entry.title == article["headline"]
            assert entry.link == article["canonicalUrl"].replace("”", "%E2%80%9D")
            assert entry.id
            assert entry.published_parsed is not None
            if ext == ".atom":
                assert dict.get(entry, "updated_parsed") is not None
            assert entry.author == "Nguyễn Mạnh Khôi"
            assert entry.summary == article["description"]
            assert {t.term for t in entry.tags} == {c["name"] for c in article["categories"]}


def test_json_feeds_follow_the_store(site) -> None:
    categories, latest, files = site
    stems = category_stems(categories)
    for cat in categories:
        doc = json.loads(files[stems[cat["url"]] + ".json"])
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["feed_url"] == PUBLIC + stems[cat["url"]] + ".json"
        assert doc["language"] == "vi"
        assert [i["url"] for i in doc["items"]] == [
            a["canonicalUrl"].replace("”", "%E2%80%9D") for a in latest[cat["url"]]
        ]
        for item, article in zip(doc["items"], latest[cat["url"]], strict=True):
            assert item["id"] == f"tag:nghean.dcs.vn,2026:article/{article['articleId']}"
            assert datetime.fromisoformat(item["date_published"]) == datetime.fromisoformat(
                article["datePublished"]
            )
            assert item["image"] == article["mainImage"]["url"]


def test_rss_guid_is_the_canonical_permalink_and_atom_id_a_tag_uri(site) -> None:
    _, latest, files = site
    rss = etree.fromstring(files["all.rss"])
    atom = etree.fromstring(files["all.atom"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for item, _article in zip(rss.iter("item"), latest[None], strict=True):
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true"
        assert guid.text == item.findtext("link")
    ids = atom.xpath("//a:entry/a:id/text()", namespaces=ns)
    assert ids == [f"tag:nghean.dcs.vn,2026:article/{a['articleId']}" for a in latest[None]]


def test_atom_id_survives_url_and_host_changes() -> None:
    cats = synthetic_categories(BASE)
    before = synthetic_article(3, cats, BASE)
    after = synthetic_article(
        3, synthetic_categories("https://nghean.dcs.vn"), "https://nghean.dcs.vn"
    )
    after["canonicalUrl"] = after["canonicalUrl"].replace("bai-3", "bai-3-da-sua")
    one, two = entry_from_article(before), entry_from_article(after)
    assert one is not None and two is not None
    assert one.link != two.link
    assert one.id == two.id


def test_curly_quote_in_slug_is_percent_encoded(site) -> None:
    _, _, files = site
    for name, data in files.items():
        text = data.decode("utf-8")
        if name.endswith((".rss", ".atom", ".json", ".html")):
            assert "xu-nghe%E2%80%9D-trong" in text or "xu-nghe" not in text
            assert "nghe”" not in text, name


def test_dates_carry_the_portal_offset(site) -> None:
    _, latest, files = site
    rss = etree.fromstring(files["all.rss"])
    first = latest[None][0]
    published = datetime.fromisoformat(first["datePublished"])
    assert rss.find("channel/item/pubDate").text == published.strftime(
        "%a, %d %b %Y %H:%M:%S +0700"
    )
    atom = files["all.atom"].decode()
    assert f"<published>{published.isoformat()}</published>" in atom
    assert published.isoformat().endswith("+07:00")


def test_feed_level_fields(site) -> None:
    categories, latest, files = site
    stems = category_stems(categories)
    cat = categories[0]
    stem = stems[cat["url"]]
    rss = feedparser.parse(files[stem + ".rss"])
    assert cat["name"] in rss.feed.title and cat["subSite"] in rss.feed.title
    assert cat["name"] in rss.feed.subtitle and cat["subSite"] in rss.feed.subtitle
    assert rss.feed.link == cat["url"]
    channel = etree.fromstring(files[stem + ".rss"]).find("channel")
    assert channel.findtext("ttl") == "45"
    assert channel.findtext("generator") == "danvan-crawler"
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == PUBLIC + stem + ".rss"
    newest_time = max(
        datetime.fromisoformat(a["dateModified"] or a["datePublished"]) for a in latest[cat["url"]]
    )
    assert channel.findtext("lastBuildDate") == newest_time.strftime("%a, %d %b %Y %H:%M:%S +0700")
    atom = feedparser.parse(files[stem + ".atom"])
    assert datetime(*atom.feed.updated_parsed[:6], tzinfo=UTC) == newest_time
    assert any(x.rel == "self" and x.href == PUBLIC + stem + ".atom" for x in atom.feed.links)


def test_lead_image_is_an_enclosure_with_its_type(site) -> None:
    _, latest, files = site
    article = latest[None][0]
    item = etree.fromstring(files["all.rss"]).find("channel/item")
    enclosure = item.find("enclosure")
    assert enclosure.get("url") == article["mainImage"]["url"]
    assert enclosure.get("type") == "image/jpeg"
    media = item.find(".//{http://search.yahoo.com/mrss/}content")
    assert media.get("type") == "image/jpeg" and media.get("medium") == "image"
    entry = feedparser.parse(files["all.atom"]).entries[0]
    assert [(e.href, e.type) for e in entry.enclosures] == [
        (article["mainImage"]["url"], "image/jpeg")
    ]
    assert entry.link == article["canonicalUrl"].replace("”", "%E2%80%9D")


def test_content_is_full_html_with_absolute_urls(site) -> None:
    _, latest, files = site
    article = latest[None][0]
    item = etree.fromstring(files["all.rss"]).find("channel/item")
    html = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
    assert f'src="{BASE}/Uploads/images/{article["articleId"]}.jpg"' in html
    assert article["articleBody"].splitlines()[-1] in html  # the full text, not the lead
    atom = feedparser.parse(files["all.atom"]).entries[0]
    assert atom.content[0].type == "text/html"


def test_duplicates_never_appear() -> None:
    categories = synthetic_categories(BASE)
    articles = [synthetic_article(n, categories, BASE) for n in range(6)]
    articles[2]["duplicateOf"] = articles[1]["articleId"]
    files = build_site(categories, {None: newest(articles, 10)}, OPTIONS)
    ids = [e.link for e in feedparser.parse(files["all.rss"]).entries]
    assert len(ids) == 5
    assert articles[2]["canonicalUrl"] not in ids


def test_empty_store_gives_valid_empty_feeds() -> None:
    files = build_site([], {None: []}, OPTIONS)
    assert set(files) == {"all.rss", "all.atom", "all.json", "index.opml", "index.html"} | {
        "feed.xsl",
        "style.css",
        "index.js",
    }
    for name in ("all.rss", "all.atom"):
        parsed = feedparser.parse(files[name])
        assert not parsed.bozo and parsed.entries == []
    assert build_site([], {None: []}, OPTIONS) == files


def test_building_twice_gives_identical_bytes() -> None:
    categories, latest = site_inputs()
    assert build_site(categories, latest, OPTIONS) == build_site(categories, latest, OPTIONS)


def test_no_now_anywhere() -> None:
    """Feed dates come from the articles: a build of 2023 articles says 2023 only."""
    categories, latest = site_inputs(count=12)
    this_year = str(datetime.now().year)
    for name, data in build_site(categories, latest, OPTIONS).items():
        assert this_year not in data.decode("utf-8").replace("nghean.dcs.vn,2026", ""), name


def test_naive_and_odd_dates_are_handled() -> None:
    categories = synthetic_categories(BASE)
    article = synthetic_article(1, categories, BASE)
    article["datePublished"] = "2023-11-27T08:30:00"  # naive: portal time
    article["dateModified"] = "2023-11-28T01:15:00Z"
    entry = entry_from_article(article)
    assert entry is not None
    assert entry.published.utcoffset() == timedelta(hours=7)
    assert entry.updated == datetime(2023, 11, 28, 1, 15, tzinfo=UTC)
    article["datePublished"] = None
    assert entry_from_article(article) is None


def test_xml_forbidden_characters_are_removed() -> None:
    categories = synthetic_categories(BASE)
    article = synthetic_article(1, categories, BASE)
    article["headline"] = "Tiêu đề\x00 có\x0b ký tự\x1f lạ\ufffe"
    article["description"] = "Sapo\x08 \ud800lỗi"
    article["articleBodyHtml"] = "<p>Thân\x01 bài &#1; &#xB; &#x1F;</p>"
    article["authors"] = [{"name": "Tác\x0c giả", "nameRaw": "x", "role": None}]
    files = build_site(categories, {None: [article]}, OPTIONS)
    for name, data in files.items():
        text = data.decode("utf-8")
        for bad in ("\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "&#1;", "&#11;"):
            assert bad not in text, (name, bad)
        if name.endswith((".rss", ".atom", ".opml")):
            etree.fromstring(data)
    parsed = feedparser.parse(files["all.rss"])
    assert not parsed.bozo
    assert parsed.entries[0].title == "Tiêu đề có ký tự lạ"


def test_slugify_and_names_are_safe() -> None:
    assert slugify("Dân vận khéo") == "dan-van-kheo"
    assert slugify("%E2%80%9Choc-tap%E2%80%9D-va-lam-theo") == "hoc-tap-va-lam-theo"
    assert slugify("Đảng bộ") == "dang-bo"
    hostile = [
        {
            "url": f"{BASE}/vi-vn/chuyen-muc/a/1-1",
            "slug": "../../etc/passwd",
            "name": "x",
            "subSite": "../..",
        },
        {
            "url": f"{BASE}/vi-vn/chuyen-muc/b/1-2",
            "slug": "..%2F..%2Fx",
            "name": "y",
            "subSite": "/",
        },
        {"url": f"{BASE}/vi-vn/chuyen-muc/c/1-3", "slug": "", "name": "", "subSite": None},
        {"url": f"{BASE}/vi-vn/chuyen-muc/c/1-4", "slug": "C", "name": "", "subSite": ""},
        {"url": f"{BASE}/vi-vn/chuyen-muc/all/1-5", "slug": "all", "name": "all", "subSite": ""},
        {"url": f"{BASE}/vi-vn/chuyen-muc/index/1-6", "slug": "index", "name": "i", "subSite": "x"},
    ]
    stems = category_stems(hostile)
    assert len(set(stems.values())) == len(hostile)
    for stem in stems.values():
        assert stem.replace("-", "").isalnum() and "--" in stem
        assert stem not in ("all", "index") and ".." not in stem and "/" not in stem
    files = build_site(hostile, {None: []}, OPTIONS)
    assert all("/" not in name and not name.startswith(".") for name in files)


def test_same_slug_in_two_categories_gets_distinct_stable_names() -> None:
    one = {
        "url": f"{BASE}/vi-vn/chuyen-muc/tin-tuc/1-2",
        "slug": "tin-tuc",
        "name": "Tin tức",
        "subSite": "A",
    }
    two = {
        "url": f"{BASE}/vi-vn/chuyen-muc/tin-tuc/3-4",
        "slug": "tin-tuc",
        "name": "Tin tức",
        "subSite": "A",
    }
    stems = category_stems([one, two])
    assert stems[one["url"]] != stems[two["url"]]
    moved = {**one, "url": one["url"].replace("127.0.0.1:8123", "nghean.dcs.vn")}
    moved2 = {**two, "url": two["url"].replace("127.0.0.1:8123", "nghean.dcs.vn")}
    assert list(category_stems([moved, moved2]).values()) == list(stems.values())


def test_opml_lists_category_feeds_by_sub_site_without_all(site) -> None:
    categories, _, files = site
    stems = category_stems(categories)
    root = etree.fromstring(files["index.opml"])
    groups = root.findall("body/outline")
    assert sorted(g.get("text") for g in groups) == sorted({c["subSite"] for c in categories})
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert sorted(urls) == sorted(PUBLIC + s + ".rss" for s in stems.values())
    assert PUBLIC + "all.rss" not in urls
    for group in groups:
        for outline in group:
            cat = next(c for c in categories if c["url"] == outline.get("htmlUrl"))
            assert cat["subSite"] == group.get("text")


def test_index_html_lists_feeds_headlines_and_autodiscovery(site) -> None:
    categories, latest, files = site
    stems = category_stems(categories)
    page = etree.HTML(files["index.html"])
    alternates = page.xpath('//head/link[@rel="alternate"]')
    hrefs = {(link.get("type"), link.get("href")) for link in alternates}
    for stem in ["all", *stems.values()]:  # relative: right wherever the folder is served
        assert ("application/rss+xml", stem + ".rss") in hrefs
        assert ("application/atom+xml", stem + ".atom") in hrefs
        assert ("application/feed+json", stem + ".json") in hrefs
    body_links = page.xpath("//body//a/@href")
    assert latest[None][0]["headline"] in files["index.html"].decode()
    for cat in categories:
        assert cat["name"] in files["index.html"].decode()
        assert cat["url"] in body_links
