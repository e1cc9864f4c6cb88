"""An XSS payload corpus planted in article HTML and in every text that reaches a feed
(category and sub-site names, headlines, leads, authors, captions, attachment names)
leaves no active content in any published file: RSS, Atom, JSON Feed, OPML, the HTML
index. The checker reads every text of a file as HTML (the laxest reader)."""

from __future__ import annotations

import json

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from danvan_crawler.feeds import SiteOptions, build_site
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories
from danvan_crawler.feeds.sanitize import sanitize_html, xml_safe
from tests.support.safety import XSS_PAYLOADS, find_active_content, kind_of

BASE = "http://127.0.0.1:8123"
OPTIONS = SiteOptions(public_url="https://feeds.example.org/")


def planted_site(payloads: list[str]) -> dict[str, bytes]:
    """A site whose every text carries the payloads: category names, sub-sites (the
    banners' names), headlines, leads, authors, image captions, attachment names."""
    categories = synthetic_categories(BASE)
    for n, category in enumerate(categories):
        payload = payloads[n % len(payloads)]
        category["name"] = f"{category['name']} {payload}"
        category["subSite"] = f"{category['subSite']} {payloads[-1 - n % len(payloads)]}"
    articles = []
    for n, payload in enumerate(payloads):
        caption = f'<table class="image"><tr><td class="image-caption">{payload}</td></tr></table>'
        article = synthetic_article(
            n, categories, BASE, body_html=f"<p>Mở đầu</p>{payload}{caption}<p>Kết</p>"
        )
        article["headline"] = f"Tiêu đề {n} {payload}"[:300]
        article["description"] = f"Sapo {payload}"
        article["authors"] = [{"name": payload[:60], "nameRaw": payload, "role": None}]
        article["subSite"] = f"Ban {payload}"
        article["images"] = [{"url": f"{BASE}/Uploads/a{n}.jpg", "caption": payload}]
        article["attachments"] = [{"url": f"{BASE}/Uploads/files/a{n}.pdf", "name": payload}]
        articles.append(article)
    articles.sort(key=lambda a: a["datePublished"], reverse=True)
    latest: dict[str | None, list] = {None: articles}
    for cat in categories:
        latest[cat["url"]] = [
            a for a in articles if cat["url"] in {c["url"] for c in a["categories"]}
        ]
    return build_site(categories, latest, OPTIONS)


def assert_clean(files: dict[str, bytes]) -> None:
    assert {"all.rss", "all.atom", "all.json", "index.opml", "index.html"} <= set(files)
    for name, data in files.items():
        kind = kind_of(name)
        assert kind is not None, f"{name}: a published file the check does not read"
        assert find_active_content(data, kind) == [], name
        if name.endswith((".rss", ".atom")):
            assert not feedparser.parse(data).bozo, name
        if name.endswith(".json"):
            json.loads(data)


@pytest.mark.parametrize("payload", XSS_PAYLOADS, ids=range(len(XSS_PAYLOADS)))
def test_each_payload_leaves_no_active_content(payload: str) -> None:
    assert_clean(planted_site([payload]))


def test_whole_corpus_in_one_site() -> None:
    files = planted_site(list(XSS_PAYLOADS))
    assert_clean(files)
    content = json.loads(files["all.json"])["items"]
    assert all("Mở đầu" in item["content_html"] for item in content)
    # the harmless relative link survives, made absolute
    assert any(f'href="{BASE}/Uploads/files/ok.pdf"' in i["content_html"] for i in content)


ACTIVE = [
    p
    for p in XSS_PAYLOADS
    if any(
        word in p.lower()
        for word in ("<script", "onerror", "javascript:", "<iframe", "<svg", "<form", "<style")
    )
    and "<!--" not in p
    and "attribute breakout" not in p  # inert even unsanitized: the script is in a value
    and "cdata" not in p.lower()
]


@pytest.mark.parametrize("payload", ACTIVE, ids=range(len(ACTIVE)))
def test_checker_sees_unsanitized_payloads(payload: str) -> None:
    """The checker is not blind: the same payloads, NOT sanitized, are found."""
    document = json.dumps({"items": [{"content_html": payload}]}).encode()
    assert find_active_content(document, "json"), payload


_PIECES = st.sampled_from(
    [
        "<script>", "</script>", "<svg", "<img src=x onerror=alert(1)>", "<a href=",
        '"javascript:alert(1)"', "'data:text/html,x'", " onload=", "<iframe>", "<style>",
        "</", ">", "<", "&#1;", "&#x6A;avascript:", "\x00", "\x0b", "\ufffe", "<p>", "</p>",
        "<math>", "<![CDATA[", "]]>", "<!--", "-->", "<form>", "<object data=x>", " ",
        "đây là chữ", "\u200b", "<b>", "<table><tr><td>", "/Uploads/a b.jpg", "?trang=2",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=30).map("".join))
def test_sanitized_html_is_inert_and_xml_safe(html: str) -> None:
    clean = sanitize_html(html, f"{BASE}/vi-vn/tin/a/1-2-3")
    document = json.dumps({"items": [{"content_html": clean}]}).encode()
    assert find_active_content(document, "json") == []
    element = etree.Element("content")
    element.text = clean  # lxml refuses characters XML 1.0 forbids
    assert xml_safe(clean) == clean
