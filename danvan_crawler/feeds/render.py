"""Rendering prepared feeds (:class:`~danvan_crawler.feeds.model.Feed`) to bytes.

RSS 2.0 and Atom 1.0 go through feedgen, with its surprises handled here:
``add_entry`` prepends unless ``order="append"``; ``FeedEntry.id`` and ``guid`` overwrite
each other (so RSS and Atom use one generator each); every date defaults to "now" unless
set (all are set: the feed's to its newest entry, so an unchanged store renders the same
bytes); the generator and docs tags are fixed here; RSS and Atom name ``feed.xsl`` for
browsers. JSON Feed 1.1 and OPML 2.0 are written directly (the HTML index is
:mod:`danvan_crawler.feeds.browser`'s). Every function is pure: same input, same bytes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from danvan_crawler.feeds.model import Entry, Feed

logger = logging.getLogger(__name__)

GENERATOR = "danvan-crawler"
RSS_DOCS = "https://www.rssboard.org/rss-specification"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
LANGUAGE = "vi"

#: The stylesheet that browsers apply to RSS and Atom (readers ignore it), published
#: next to the feeds, and the processing instruction naming it.
FEED_XSL = "feed.xsl"
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"
_STYLESHEET_PI = f'<?xml-stylesheet type="text/xsl" href="{FEED_XSL}"?>\n'.encode()

#: Extension of each feed format's file, and its media type.
FORMATS: dict[str, tuple[str, str]] = {
    "rss": (".rss", "application/rss+xml"),
    "atom": (".atom", "application/atom+xml"),
    "json": (".json", "application/feed+json"),
}


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat()


def _new_generator(feed: Feed, kind: str, ttl_minutes: int) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("media", atom=True, rss=True)
    if kind == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(feed.id)
    fg.title(feed.title)
    # RSS description is HTML by convention (as an item's): the plain text goes in
    # escaped; Atom's subtitle is text.
    fg.description(escape(feed.description, quote=False) if kind == "rss" else feed.description)
    fg.author({"name": feed.author})
    # RSS <link> is the LAST link given: self first, then the page.
    fg.link(href=feed.self_urls[kind], rel="self", type=FORMATS[kind][1])
    fg.link(href=feed.home_url, rel="alternate", type="text/html")
    fg.language(LANGUAGE)
    fg.generator(GENERATOR)
    fg.docs(RSS_DOCS)
    fg.updated(feed.updated)  # both atom:updated and rss lastBuildDate
    if kind == "rss":
        fg.ttl(ttl_minutes)
    return fg


class _AtomLinks(BaseEntryExtension):
    """Entry links for Atom: feedgen 1.0's ``atom_entry`` drops ``rel`` and ``type`` of
    entry links (a shadowed loop variable), which would turn an enclosure into a
    second alternate link."""

    def __init__(self) -> None:
        self.links: list[dict[str, str]] = []

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for attributes in self.links:
            etree.SubElement(entry, "link", attributes)
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        return item


def _add_entry(fg: FeedGenerator, entry: Entry, kind: str) -> None:
    fe = fg.add_entry(order="append")
    fe.title(entry.title)
    if kind == "rss":
        fe.guid(entry.link, permalink=True)
        fe.link(href=entry.link, rel="alternate")
    else:
        fe.id(entry.id)
        fe.register_extension("danvan_links", _AtomLinks, atom=True, rss=False)
        fe.danvan_links.links.append({"href": entry.link, "rel": "alternate", "type": "text/html"})
    fe.published(entry.published)
    fe.updated(entry.updated)
    if kind == "rss":
        # RSS description is HTML by convention: the plain-text lead goes in escaped.
        if entry.summary:
            fe.description(escape(entry.summary, quote=False))
        if entry.content_html:
            fe.content(entry.content_html)  # content:encoded, escaped
        elif not entry.summary:
            fe.description(escape(entry.title, quote=False))
        if entry.authors:
            fe.dc.dc_creator(list(entry.authors))
    else:
        if entry.summary:
            fe.summary(entry.summary)
        # Always a content element (feedgen insists on content or an alternate link of
        # its own, and ours are added by _AtomLinks).
        fe.content(
            entry.content_html or f"<p>{escape(entry.summary or entry.title)}</p>", type="html"
        )
        for name in entry.authors:
            fe.author({"name": name})
    for category in entry.categories:
        fe.category(term=category.name, scheme=category.url, label=category.name)
    if entry.image_url:
        # RSS: <enclosure length="0"> (size unknown); Atom: <link rel="enclosure">.
        if kind == "rss":
            fe.link(href=entry.image_url, rel="enclosure", type=entry.image_type)
        else:
            fe.danvan_links.links.append(
                {"href": entry.image_url, "rel": "enclosure", "type": entry.image_type or ""}
            )
        # Straight under the item: a media:group of one is an error to the W3C validator.
        fe.media.content(url=entry.image_url, type=entry.image_type, medium="image", group=None)


def _for_browsers_and_old_readers(document: bytes) -> bytes:
    """``document`` (from feedgen) with the ``xml-stylesheet`` instruction after the XML
    declaration, so that browsers show it through ``feed.xsl``, and with ``&`` and ``<``
    written as hexadecimal character references, as the RSS Advisory Board's profile
    asks (readers that treat text as HTML then still show "<<Tên>>" or "A&B" as text;
    the W3C validator warns otherwise). Same XML: lxml writes no CDATA, so every
    ``&amp;`` and ``&lt;`` in its output is an escaped character."""
    if not document.startswith(_XML_DECLARATION):
        raise ValueError("unexpected XML declaration from feedgen")
    body = document[len(_XML_DECLARATION) :].replace(b"&amp;", b"&#x26;")
    return _XML_DECLARATION + _STYLESHEET_PI + body.replace(b"&lt;", b"&#x3C;")


def render_rss(feed: Feed, ttl_minutes: int) -> bytes:
    """RSS 2.0 with content:encoded, dc:creator, media:content and atom:link self."""
    fg = _new_generator(feed, "rss", ttl_minutes)
    for entry in feed.entries:
        _add_entry(fg, entry, "rss")
    return _for_browsers_and_old_readers(
        fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    )


def render_atom(feed: Feed) -> bytes:
    """Atom 1.0 with content type="html" and rel="enclosure" links."""
    fg = _new_generator(feed, "atom", 0)
    for entry in feed.entries:
        _add_entry(fg, entry, "atom")
    return _for_browsers_and_old_readers(
        fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    )


def render_json(feed: Feed) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    items = []
    for entry in feed.entries:
        item: dict[str, object] = {
            "id": entry.id,
            "url": entry.link,
            "title": entry.title,
        }
        if entry.content_html:
            item["content_html"] = entry.content_html
        else:
            item["content_text"] = entry.summary or entry.title
        if entry.summary:
            item["summary"] = entry.summary
        if entry.image_url:
            item["image"] = entry.image_url
        item["date_published"] = _rfc3339(entry.published)
        item["date_modified"] = _rfc3339(entry.updated)
        if entry.authors:
            item["authors"] = [{"name": name} for name in entry.authors]
        if entry.categories:
            item["tags"] = [c.name for c in entry.categories]
        item["language"] = LANGUAGE
        if entry.attachments:
            item["attachments"] = [
                {"url": url, "mime_type": mime, "title": name}
                for url, name, mime in entry.attachments
            ]
        items.append(item)
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_urls["json"],
        "description": feed.description,
        "language": LANGUAGE,
        "authors": [{"name": feed.author}],
        "items": items,
    }
    # No indent: the C encoder is ten times faster than the indenting one.
    return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")


def _group_by_sub_site(feeds: Iterable[Feed]) -> list[tuple[str, list[Feed]]]:
    groups: dict[str, list[Feed]] = {}
    for feed in sorted(feeds, key=lambda f: (f.sub_site, f.category_name, f.stem)):
        groups.setdefault(feed.sub_site, []).append(feed)
    return list(groups.items())


def render_opml(
    title: str,
    category_feeds: Sequence[Feed],
    groups: Sequence[tuple[str, Sequence[Feed]]] = (),
) -> bytes:
    """OPML 2.0 listing the category feeds (RSS), one outline per sub-site, then one
    outline per group of ``groups`` (places, documents). The ``all`` feed is left out on
    purpose: readers that key items by guid across feeds (newsboat) would file every
    article under it and leave the category feeds empty."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for sub_site, feeds in [*_group_by_sub_site(category_feeds), *groups]:
        # A folder: text only (with any other attribute the W3C validator wants a type).
        group = etree.SubElement(body, "outline", text=sub_site or "Khác")
        for feed in feeds:
            etree.SubElement(
                group,
                "outline",
                type="rss",
                text=feed.category_name,
                title=feed.title,
                xmlUrl=feed.self_urls["rss"],
                htmlUrl=feed.home_url,
                language=LANGUAGE,
            )
    return etree.tostring(root, pretty_print=True, encoding="UTF-8", xml_declaration=True)
