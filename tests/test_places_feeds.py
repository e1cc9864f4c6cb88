"""Place and document feeds published from a real store: contents, validity, safety,
byte stability, and how index.html and index.opml list them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import feedparser
from lxml import etree

from danvan_crawler.feeds import publish
from danvan_crawler.places import find_places
from danvan_crawler.store import open_store
from tests.support.safety import find_active_content, kind_of
from tests.test_store import CAT_A, article

PUBLIC = "https://feeds.example.org/nghean/"
NQ25 = {"kind": "Nghị quyết", "number": "25", "code": "NQ", "issuer": "TW", "raw": "25-NQ/TW"}
QC07 = {"kind": "Quy chế", "number": "7", "code": "QC", "issuer": "TU", "raw": "07-QC/TU"}


def tagged(article_id: str, day: int, headline: str, refs: list[Any]) -> dict[str, Any]:
    data = article(
        article_id,
        headline=headline,
        datePublished=f"2024-01-{day:02d}T08:00:00+07:00",
        documentRefs=refs,
        categories=[CAT_A],
    )
    data["places"] = find_places(data)
    return data


def published(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def links(data: bytes) -> list[str]:
    return [e.link for e in feedparser.parse(data).entries]


def test_place_and_document_feeds(tmp_path: Path) -> None:
    articles = [
        tagged("101", 1, "Dân vận khéo ở huyện Quỳnh Lưu <script>alert(1)</script>", [NQ25]),
        tagged("102", 3, "Xã Quỳnh Lưu sau sáp nhập", [NQ25, QC07]),
        tagged("103", 2, "Thị xã Thái Hoà ra quân", []),
        tagged("104", 4, "Học tập Nghị quyết", [NQ25]),
    ]
    db, out = tmp_path / "s.db", tmp_path / "feeds"
    with open_store(db) as store:
        store.upsert(articles)
        result = publish(store, out, PUBLIC)
    files = published(out)

    # a place feed per place with articles, under its name; the former name too
    for slug in ("huyen-quynh-luu", "xa-quynh-luu", "thi-xa-thai-hoa"):
        for ext in (".rss", ".atom", ".json"):
            assert f"places/{slug}{ext}" in files
    url = {a["articleId"]: a["url"] for a in articles}
    assert links(files["places/huyen-quynh-luu.rss"]) == [url["101"]]
    assert links(files["places/xa-quynh-luu.atom"]) == [url["102"]]
    title = feedparser.parse(files["places/huyen-quynh-luu.rss"]).feed.title
    assert title.startswith("Huyện Quỳnh Lưu (cũ) – ")

    # a document cited twice or more: every article citing it, newest first, only those
    document = feedparser.parse(files["documents/nghi-quyet-25-nq-tw.rss"])
    assert document.feed.title.startswith("Nghị quyết số 25-NQ/TW – ")
    assert [e.link for e in document.entries] == [url["104"], url["102"], url["101"]]
    assert not any(n.startswith("documents/quy-che-7") for n in files)  # cited once

    # valid and clean, wherever they are
    for name, data in files.items():
        kind = kind_of(name)
        assert kind is not None, name
        assert find_active_content(data, kind) == [], name
        if name.endswith((".rss", ".atom")):
            assert not feedparser.parse(data).bozo, name
    assert files["places/feed.xsl"].count(b'href="../style.css"') == 1

    # listed: the page (folded sections) and the OPML (groups after the categories)
    page = etree.HTML(files["index.html"])
    hrefs = set(page.xpath("//section[@id='places']//a/@href"))
    assert "places/huyen-quynh-luu.rss" in hrefs and "places/xa-quynh-luu.json" in hrefs
    assert page.xpath("//section[@id='places']/details")  # collapsed
    assert "documents/nghi-quyet-25-nq-tw.atom" in page.xpath("//section[@id='documents']//a/@href")
    opml = etree.fromstring(files["index.opml"])
    groups = [o.get("text") for o in opml.find("body")]
    assert groups[-2:] == ["Địa phương", "Văn bản"]
    place_urls = [o.get("xmlUrl") for o in opml.find("body")[-2]]
    assert PUBLIC + "places/huyen-quynh-luu.rss" in place_urls
    assert [o.get("xmlUrl") for o in opml.find("body")[-1]] == [
        PUBLIC + "documents/nghi-quyet-25-nq-tw.rss"
    ]
    assert result.feeds == sum(1 for n in files if n.endswith(".rss"))

    # an unchanged store publishes the same bytes and writes nothing
    with open_store(db) as store:
        again = publish(store, out, PUBLIC)
    assert again.written == [] and published(out) == files
