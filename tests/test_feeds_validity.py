"""A strict validity check of every produced file, stricter than feedparser: RSS dates
RFC 822, Atom dates RFC 3339, self links present and absolute, ids unique per feed,
every URL absolute, well-formed XML, JSON Feed 1.1 required fields."""

from __future__ import annotations

import json
import re
from email.utils import parsedate_to_datetime
from html import unescape
from urllib.parse import urlsplit

import feedparser
import pytest
from lxml import etree

from danvan_crawler.feeds import SiteOptions, build_site
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories

BASE = "http://127.0.0.1:8123"
PUBLIC = "https://feeds.example.org/nghean/"
ATOM = "http://www.w3.org/2005/Atom"
NS = {"a": ATOM, "atom": ATOM, "content": "http://purl.org/rss/1.0/modules/content/"}

# RFC 822 (with 4-digit years, RFC 1123) date-time, numeric zone.
RFC822 = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URL_ATTRS = {"href", "url", "src", "xmlUrl", "htmlUrl", "domain", "scheme"}


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    categories = synthetic_categories(BASE)
    articles = [synthetic_article(n, categories, BASE) for n in range(30)]
    # relative and protocol-relative URLs in the body must come out absolute
    articles[-1]["articleBodyHtml"] = (  # the newest: in every feed it belongs to
        '<p><a href="../chuyen-muc/x/1-2">rel</a> <a href="//cdn.example/x.png">proto</a>'
        ' <img src="Uploads/a b.jpg"> <a href="?trang=2">q</a></p>'
    )
    latest = {None: sorted(articles, key=lambda a: a["datePublished"], reverse=True)[:20]}
    for cat in categories:
        latest[cat["url"]] = [
            a for a in latest[None] if cat["url"] in {c["url"] for c in a["categories"]}
        ]
    # place and document feeds (sub-folders) are held to the same rules
    place = {"slug": "xa-quynh-luu", "name": "Xã Quỳnh Lưu", "current": True}
    former = {"slug": "huyen-quynh-luu", "name": "Huyện Quỳnh Lưu", "current": False}
    document = {"slug": "nghi-quyet-25-nq-tw", "title": "Nghị quyết số 25-NQ/TW"}
    return build_site(
        categories,
        latest,
        SiteOptions(public_url=PUBLIC),
        places=[(place, latest[None][:5]), (former, latest[None][3:9])],
        documents=[(document, latest[None][::4])],
    )


def test_place_and_document_feeds_are_in_the_checked_files(files) -> None:
    for stem in ("places/xa-quynh-luu", "places/huyen-quynh-luu", "documents/nghi-quyet-25-nq-tw"):
        for ext in (".rss", ".atom", ".json"):
            assert stem + ext in files


def absolute(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def html_urls(html: str) -> list[str]:
    if not html.strip():
        return []
    root = etree.HTML(html)
    return [v for el in root.iter() for k, v in el.attrib.items() if k in ("href", "src")]


def xml_feeds(files: dict[str, bytes], ext: str) -> list[tuple[str, etree._Element]]:
    return [(n, etree.fromstring(d)) for n, d in sorted(files.items()) if n.endswith(ext)]


def test_every_xml_file_is_well_formed_utf8(files) -> None:
    for name, data in files.items():
        if name.endswith((".rss", ".atom", ".opml")):
            assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>"), name
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, recover=False))
        data.decode("utf-8")


def test_rss_strict(files) -> None:
    for name, root in xml_feeds(files, ".rss"):
        assert root.tag == "rss" and root.get("version") == "2.0"
        channel = root.find("channel")
        for required in ("title", "link", "description"):
            assert channel.findtext(required), (name, required)
        assert absolute(channel.findtext("link"))
        selfs = channel.xpath("atom:link[@rel='self']", namespaces=NS)
        assert len(selfs) == 1 and selfs[0].get("href") == PUBLIC + name
        assert channel.findtext("language") == "vi"
        assert RFC822.match(channel.findtext("lastBuildDate")), name
        assert int(channel.findtext("ttl")) == 30
        guids = []
        for item in channel.iter("item"):
            assert item.findtext("title")
            assert absolute(item.findtext("link"))
            date = item.findtext("pubDate")
            assert RFC822.match(date), date
            assert parsedate_to_datetime(date).utcoffset() is not None
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "true" and absolute(guid.text)
            guids.append(guid.text)
            enclosure = item.find("enclosure")
            if enclosure is not None:
                assert absolute(enclosure.get("url"))
                assert enclosure.get("type").startswith("image/")
                assert enclosure.get("length").isdigit()
            for url in html_urls(item.findtext("content:encoded", namespaces=NS) or ""):
                assert absolute(url), (name, url)
            for el in item.iter():
                for attr, value in el.attrib.items():
                    if etree.QName(attr).localname in URL_ATTRS:
                        assert absolute(value), (name, attr, value)
        assert len(guids) == len(set(guids)), name


def test_atom_strict(files) -> None:
    for name, root in xml_feeds(files, ".atom"):
        assert root.tag == f"{{{ATOM}}}feed"
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
        for required in ("id", "title", "updated"):
            assert root.findtext(f"a:{required}", namespaces=NS), (name, required)
        assert RFC3339.match(root.findtext("a:updated", namespaces=NS))
        selfs = root.xpath("a:link[@rel='self']", namespaces=NS)
        assert len(selfs) == 1 and selfs[0].get("href") == PUBLIC + name
        assert root.xpath("a:author/a:name/text()", namespaces=NS)
        ids = []
        for entry in root.iterfind("a:entry", namespaces=NS):
            entry_id = entry.findtext("a:id", namespaces=NS)
            assert entry_id.startswith("tag:nghean.dcs.vn,2026:article/")
            ids.append(entry_id)
            assert entry.findtext("a:title", namespaces=NS)
            for tag in ("published", "updated"):
                assert RFC3339.match(entry.findtext(f"a:{tag}", namespaces=NS)), (name, tag)
            alternates = entry.xpath("a:link[@rel='alternate']", namespaces=NS)
            assert len(alternates) == 1 and absolute(alternates[0].get("href"))
            assert all(link.get("rel") for link in entry.iterfind("a:link", namespaces=NS))
            for enclosure in entry.xpath("a:link[@rel='enclosure']", namespaces=NS):
                assert absolute(enclosure.get("href")) and enclosure.get("type")
            content = entry.find("a:content", namespaces=NS)
            assert content.get("type") == "html"
            for url in html_urls(content.text or ""):
                assert absolute(url), (name, url)
            for el in entry.iter():
                for attr, value in el.attrib.items():
                    if attr in URL_ATTRS:
                        assert absolute(value), (name, attr, value)
        assert len(ids) == len(set(ids)), name


def test_json_feed_strict(files) -> None:
    for name, data in sorted(files.items()):
        if not name.endswith(".json"):
            continue
        doc = json.loads(data)
        assert doc["version"] == "https://jsonfeed.org/version/1.1"
        assert doc["title"] and doc["feed_url"] == PUBLIC + name
        assert absolute(doc["home_page_url"])
        ids = [item["id"] for item in doc["items"]]
        assert len(ids) == len(set(ids))
        for item in doc["items"]:
            assert isinstance(item["id"], str) and item["title"]
            assert "content_html" in item or "content_text" in item
            assert absolute(item["url"]) and absolute(item.get("image", "http://x/"))
            assert RFC3339.match(item["date_published"]) and RFC3339.match(item["date_modified"])
            for url in html_urls(item.get("content_html", "")):
                assert absolute(url), (name, url)
            for attachment in item.get("attachments", []):
                assert absolute(attachment["url"]) and attachment["mime_type"]


def test_opml_urls_are_absolute_and_index_links_relative_or_to_the_portal(files) -> None:
    opml = etree.fromstring(files["index.opml"])
    assert opml.get("version") == "2.0"
    feeds = [o for o in opml.iter("outline") if o.get("type") == "rss"]
    assert feeds
    for outline in feeds:
        assert absolute(outline.get("xmlUrl")) and absolute(outline.get("htmlUrl"))
        assert outline.get("text")
    page = etree.HTML(files["index.html"])
    # The folder's own files by relative name (they work wherever it is served, and
    # after the crawled site is gone); everything else is the portal's, absolute.
    for link in page.xpath("//link[@rel='alternate']"):
        assert link.get("href") in files
    for href in page.xpath("//a/@href"):
        assert href in files or (absolute(href) and urlsplit(href).netloc == urlsplit(BASE).netloc)
    assert "index.opml" in page.xpath("//a/@href")


MEDIA = "http://search.yahoo.com/mrss/"


def test_no_media_group_without_alternatives(files) -> None:
    """The W3C Feed Validator's MediaGroupWithoutAlternatives (an error): a media:group
    holds several renditions of one thing, never a single one."""
    images = 0
    for name, data in files.items():
        if name.endswith((".rss", ".atom")):
            root = etree.fromstring(data)
            for group in root.iter(f"{{{MEDIA}}}group"):
                assert len(group.findall(f"{{{MEDIA}}}content")) >= 2, name
            images += len(list(root.iter(f"{{{MEDIA}}}content")))
    assert images, "no media:content at all: the rule was not exercised"


def test_opml_outlines_with_more_than_text_have_a_type(files) -> None:
    """The W3C Feed Validator's MissingOutlineType: a folder outline carries text only."""
    for outline in etree.fromstring(files["index.opml"]).iter("outline"):
        if set(outline.attrib) - {"text"}:
            assert outline.get("type"), dict(outline.attrib)


def test_rss_and_atom_name_the_published_stylesheet(files) -> None:
    for name, data in files.items():
        if name.endswith((".rss", ".atom")):
            tree = etree.fromstring(data).getroottree()
            instructions = [
                node
                for node in tree.getroot().itersiblings(preceding=True)
                if isinstance(node, etree._ProcessingInstruction)
            ]
            assert [(pi.target, pi.get("type"), pi.get("href")) for pi in instructions] == [
                ("xml-stylesheet", "text/xsl", "feed.xsl")
            ], name
    assert (
        etree.fromstring(files["feed.xsl"]).tag
        == "{http://www.w3.org/1999/XSL/Transform}stylesheet"
    )


def test_ampersand_and_less_than_are_hexadecimal_references() -> None:
    """The RSS profile's rule the W3C validator applies (CharacterData, ContainsHTML on
    "&amp;"): "&" and "<" in text go out as &#x26; and &#x3C;, the same characters."""
    categories = synthetic_categories(BASE)
    article = synthetic_article(0, categories, BASE)
    article["headline"] = "Cuộc thi <<Tìm hiểu>> của B&T"
    article["description"] = "Lead với &amp; và <b"
    files = build_site(categories, {None: [article]}, SiteOptions(public_url=PUBLIC))
    for name in ("all.rss", "all.atom"):
        data = files[name]
        assert b"&amp;" not in data and b"&lt;" not in data, name
        assert b"&#x3C;&#x3C;T" in data and b"B&#x26;T" in data
        parsed = feedparser.parse(data)
        assert parsed.entries[0].title == article["headline"]
        summary = parsed.entries[0].summary  # RSS description is HTML: one level escaped
        assert (unescape(summary) if name.endswith(".rss") else summary) == article["description"]
