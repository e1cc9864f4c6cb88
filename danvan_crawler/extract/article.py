"""Article pages: every output field the page itself gives.

``ArticlePage(html, url, profile).extract()`` returns an :class:`ArticleResult`: the fields
(output schema names) and, per field, the generic fallback used when the profile's
selectors found nothing. Categories, crawl time and document references are not the
page's business (the spider and the pipelines add them).
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import nh3
from lxml import etree
from parsel import Selector

from danvan_crawler.dates import ParsedDate, parse_date
from danvan_crawler.extract.bounds import bound_for_sanitizer
from danvan_crawler.extract.common import (
    Scope,
    attribute_names,
    banner_site_name,
    canon,
    compiled_xpath,
    first_match,
    json_ld,
    json_ld_value,
    may_match,
    meta,
    node_attr,
    node_text,
    page_property,
    parse_html,
    select,
    string_content,
)
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_block, clean_text, strip_invisible_spaced
from danvan_crawler.urls import article_id

logger = logging.getLogger(__name__)

__all__ = ["ARTICLE_FIELDS", "ArticlePage", "ArticleResult"]

#: The fields an article page gives, in output order.
ARTICLE_FIELDS: tuple[str, ...] = (
    "articleId",
    "url",
    "canonicalUrl",
    "headline",
    "description",
    "articleBody",
    "articleBodyHtml",
    "datePublished",
    "datePublishedRaw",
    "dateModified",
    "dateModifiedRaw",
    "authors",
    "breadcrumbs",
    "inLanguage",
    "mainImage",
    "images",
    "subSite",
    "attachments",
)

#: Elements that hold one paragraph of text (when they hold no other block).
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "blockquote",
        "pre",
        "td",
        "th",
        "dd",
        "dt",
        "section",
        "article",
    ]
)
#: Tags kept in articleBodyHtml.
HTML_TAGS = frozenset(
    [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "sub",
        "sup",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "div",
        "span",
    ]
)
HTML_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


@dataclass
class ArticleResult:
    """What one article page gives: output fields, and the fallbacks used per field."""

    fields: dict[str, Any]
    fallbacks: dict[str, str] = field(default_factory=dict)
    #: Required fields that neither the selectors nor the fallbacks found.
    missing: list[str] = field(default_factory=list)
    #: How the body's HTML was bounded before sanitizing (``extract.bounds``).
    bounds: list[str] = field(default_factory=list)


_BLOCK_TAG_LIST = sorted(BLOCK_TAGS)


def _is_block(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS


def _raw_text(el: etree._Element, top: bool = True) -> str:
    """Text of ``el`` with ``<br>`` as a newline (not cleaned); comments skipped."""
    if top and isinstance(el.tag, str) and el.tag != "br" and next(el.iter("br"), None) is None:
        # no <br> (the parser writes tag names in lower case): the element's text and its
        # descendants' text and tails in document order, comments' content left out
        return "".join(el.itertext())
    parts: list[str] = []
    tag = el.tag.lower() if isinstance(el.tag, str) else None
    if tag == "br":
        parts.append("\n")
    elif tag is not None and el.text:
        parts.append(el.text)
    for child in el:
        parts.append(_raw_text(child, top=False))
    if not top and el.tail:
        parts.append(el.tail)
    return "".join(parts)


def _leaf_blocks(root: etree._Element) -> list[etree._Element]:
    """Block elements under ``root`` holding no other block, in document order."""
    # the tag filter runs in lxml (no element object for the others); the parser writes
    # tag names in lower case, so this is ``_is_block`` over every descendant
    blocks = list(root.iterdescendants(*_BLOCK_TAG_LIST))
    # one walk up from each block marks the elements holding a block (instead of a walk
    # down every block's subtree)
    holders: set[etree._Element] = set()
    for el in blocks:
        for ancestor in el.iterancestors():
            if ancestor in holders:
                break
            holders.add(ancestor)
    return [el for el in blocks if el not in holders]


def _drop_matches(
    root: etree._Element, selectors: tuple[str, ...], names: str | None = None
) -> None:
    """Remove from ``root``'s tree (``root`` itself excepted) what the CSS ``selectors``
    match, one selector after the other. Selectors without sibling combinators or
    pseudo-classes match the same elements whether or not the earlier ones removed
    theirs, so they are evaluated together, in one pass over the tree. ``names``: the
    class and id values of a tree holding ``root``'s (see :func:`select`); selectors
    requiring others match nothing at any step and are left out."""
    if names is not None:
        selectors = tuple(css for css in selectors if may_match(css, names))
    for group in _selector_groups(selectors):
        for bad in select(root, group):
            if bad is not root and isinstance(bad, etree._Element):
                _drop(bad)


@lru_cache(maxsize=256)
def _selector_groups(selectors: tuple[str, ...]) -> tuple[str, ...]:
    """The selectors :func:`_drop_matches` evaluates: all of them as one group when none
    has a sibling combinator or a pseudo-class, else one after the other."""
    simple = not any(ch in css for css in selectors for ch in "+~:")
    return (", ".join(selectors),) if simple and selectors else selectors


def _drop(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


class ArticlePage:
    """Extraction from one article page. One method or property per output field."""

    def __init__(self, html: str | bytes, url: str, profile: SiteProfile) -> None:
        self.html = html
        self.response_url = url
        self.profile = profile
        self.fallbacks: dict[str, str] = {}
        self.bounds: list[str] = []
        self._image_block_cache: dict[int, tuple[etree._Element, list[etree._Element]]] = {}
        self._inside_image_cache: dict[int, tuple[etree._Element, set[etree._Element]]] = {}
        self._raw_text_cache: dict[etree._Element, str] = {}

    # -- plumbing -----------------------------------------------------------------------
    @page_property
    def root(self) -> etree._Element:
        """The page's parsed tree (queried with compiled XPath, no selector objects)."""
        return parse_html(self.html, html_elements=False)

    @page_property
    def sel(self) -> Selector:
        """A parsel selector over :attr:`root`."""
        return Selector(root=self.root, type="html")

    @page_property
    def _names(self) -> str:
        """The page's class and id values: selectors requiring others are not evaluated."""
        return attribute_names(self.root)

    @page_property
    def _scope(self) -> Scope:
        """The page's descendant selectors' leftmost parts, each matched once."""
        return Scope(self.root)

    @page_property
    def _json_ld(self) -> list[dict[str, Any]]:
        """The page's JSON-LD objects, parsed once for every field that reads them."""
        return list(json_ld(self.root))

    def _fallback(self, field_name: str, source: str) -> None:
        self.fallbacks.setdefault(field_name, source)

    def _abs(self, href: str) -> str:
        return canon(self.profile, href, self.response_url)

    @page_property
    def _content_node(self) -> etree._Element | None:
        """A working copy of the content block, unwanted parts removed (site selectors, or
        the generic main-content extractor as a fallback)."""
        found = first_match(self.root, self.profile.article.content, self._names, self._scope)
        if found and isinstance(found[0], etree._Element):
            node = copy.deepcopy(found[0])
        else:
            node = self._generic_content()
            if node is None:
                return None
            self._fallback("articleBody", "main-content")
        _drop_matches(node, self.profile.article.remove, self._names)
        return node

    def _generic_content(self) -> etree._Element | None:
        """The element whose direct ``<p>`` children hold the most text."""
        doc = copy.deepcopy(self._page_without_chrome)
        best, best_len = None, 0
        for el in doc.iter("div", "article", "section", "td", "main", "body"):
            size = sum(len(clean_text(string_content(p))) for p in el.findall("p"))
            if size > best_len:
                best, best_len = el, size
        return best if best_len else None

    @page_property
    def _content_blocks(self) -> list[etree._Element]:
        """The leaf blocks of the content node (read for the signature and the body)."""
        node = self._content_node
        return [] if node is None else _leaf_blocks(node)

    @page_property
    def _signature_nodes(self) -> list[etree._Element]:
        """The trailing right-aligned / NBSP-indented paragraphs of the content."""
        node = self._content_node
        if node is None:
            return []
        rules = self.profile.signature
        tags = {t.lower() for t in rules.paragraph}
        blocks = [b for b in self._content_blocks if not self._in_image_block(b, node)]
        sig: list[etree._Element] = []
        for block in reversed(blocks):
            raw = self._block_text(block)
            if not clean_text(raw):
                continue
            if len(sig) >= rules.max_lines or block.tag.lower() not in tags:
                break
            right = False
            for el in (block, *block.iterancestors()):  # the block, up to the content node
                align = str(el.get("align", "")).lower()
                if align == "right" or rules.align_right.search(str(el.get("style", ""))):
                    right = True
                    break
                if el is node:
                    break
            if right or rules.nbsp_indent.match(raw):
                sig.append(block)
            else:
                break
        sig.reverse()
        return sig

    def _block_text(self, block: etree._Element) -> str:
        """``_raw_text(block)`` of a content block, read once (the signature, the body and
        the authors read the trailing blocks; the content node is not changed)."""
        raw = self._raw_text_cache.get(block)
        if raw is None:
            raw = self._raw_text_cache[block] = _raw_text(block)
        return raw

    def _image_blocks(self, node: etree._Element) -> list[etree._Element]:
        """The image blocks (image + caption) under ``node``."""
        cached = self._image_block_cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        out: list[etree._Element] = []
        for css in self.profile.article.image_block:
            out.extend(select(node, css, self._names))
        self._image_block_cache[id(node)] = (node, out)
        return out

    def _in_image_block(self, el: etree._Element, node: etree._Element) -> bool:
        """Whether ``el`` is an image block of ``node`` or inside one."""
        cached = self._inside_image_cache.get(id(node))
        if cached is None or cached[0] is not node:
            inside = {d for block in self._image_blocks(node) for d in block.iter()}
            cached = self._inside_image_cache[id(node)] = (node, inside)
        return el in cached[1]

    # -- fields -------------------------------------------------------------------------
    @page_property
    def canonical_url(self) -> str:
        url = self._abs(self.response_url)
        for href in _CANONICAL_XPATH(self.root):
            candidate = self._abs(href)
            if article_id(candidate, self.profile.article_id_re) == article_id(
                url, self.profile.article_id_re
            ):
                return candidate
        return url

    @page_property
    def article_id(self) -> str | None:
        return article_id(self.canonical_url, self.profile.article_id_re)

    @page_property
    def headline(self) -> str | None:
        found = first_match(self.root, self.profile.article.headline, self._names, self._scope)
        if found and node_text(found[0]):
            return node_text(found[0])
        h1 = select(self.root, "h1")
        for source, value in (
            ("og:title", meta(self.root, "og:title")),
            ("json-ld", json_ld_value(self._json_ld, "headline")),
            ("title", self._title_text()),
            ("h1", node_text(h1[0]) if h1 else None),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("headline", source)
                return clean_text(value)
        return None

    @page_property
    def description(self) -> str | None:
        found = first_match(self.root, self.profile.article.description, self._names, self._scope)
        if found:
            return node_text(found[0]) or None
        generic = first_match(
            self.root, self.profile.fallback.description, self._names, self._scope
        )
        for source, value in (
            ("class", node_text(generic[0]) if generic else None),
            ("og:description", meta(self.root, "og:description")),
            ("meta:description", meta(self.root, "description")),
            ("json-ld", json_ld_value(self._json_ld, "description")),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("description", source)
                return clean_text(value)
        return None

    @page_property
    def body_paragraphs(self) -> list[str]:
        """Body paragraphs (lead excluded): no captions, signature, attachments, related."""
        node = self._content_node
        if node is None:
            return []
        skip = set(self._signature_nodes)
        paragraphs: list[str] = []
        blocks = self._content_blocks
        if not blocks:
            return [line for line in clean_block(_raw_text(node)).split("\n") if line]
        for block in blocks:
            if block in skip or self._in_image_block(block, node):
                continue
            text = clean_block(self._block_text(block))
            if text:
                paragraphs.extend(text.split("\n"))
        return paragraphs

    @page_property
    def article_body(self) -> str:
        lead = [self.description] if self.description else []
        body = self.body_paragraphs
        if lead and body and body[0] == lead[0]:
            lead = []
        return "\n".join([*lead, *body])

    @page_property
    def article_body_html(self) -> str:
        node = self._content_node
        parts: list[str] = []
        if self.description:
            parts.append("<p>" + _escape(self.description) + "</p>")
        if node is not None:
            body = copy.deepcopy(node)
            for sig in self._signature_nodes_in(body, node):
                _drop(sig)
            for el in body.iter("a", "img"):
                attr = "href" if el.tag == "a" else "src"
                if el.get(attr):
                    el.set(attr, self._abs(el.get(attr, "")))
            parts.append(_inner_html(body))
        html, self.bounds = bound_for_sanitizer("".join(parts))
        return clean_html_text(_sanitize(html))

    def _signature_nodes_in(
        self, body: etree._Element, original: etree._Element
    ) -> list[etree._Element]:
        """The signature nodes of ``original`` located in its copy ``body``."""
        out = []
        for sig in self._signature_nodes:
            el = body
            for index in _relative_path(original, sig):
                el = el[index]
            out.append(el)
        return out

    @page_property
    def dates(self) -> tuple[ParsedDate | None, ParsedDate | None]:
        """(published, modified)."""
        return self._date("datePublished", self.profile.article.date_published), self._date(
            "dateModified", self.profile.article.date_modified
        )

    def _date(self, field_name: str, selectors: tuple[str, ...]) -> ParsedDate | None:
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        found = first_match(self.root, selectors, self._names, self._scope)
        if found:
            parsed = parse_date(node_text(found[0]), patterns, tz)
            if parsed:
                return parsed
        published = field_name == "datePublished"
        candidates = [
            ("meta", meta(self.root, f"article:{'published' if published else 'modified'}_time")),
            ("json-ld", json_ld_value(self._json_ld, field_name)),
        ]
        if published:
            datetimes = select(self.root, "time::attr(datetime)")
            candidates.append(("time", datetimes[0] if datetimes else None))
            times = select(self.root, "time")
            candidates.append(("time-text", node_text(times[0]) if times else None))
        for source, value in candidates:
            if isinstance(value, str) and value.strip():
                parsed = parse_date(value, patterns, tz)
                if parsed:
                    self._fallback(field_name, source)
                    return parsed
        parsed = self._date_near_headline(modified=not published)
        if parsed:
            self._fallback(field_name, "text-near-headline")
        return parsed

    @page_property
    def _texts_after_headline(self) -> list[str] | None:
        """The first non-blank text nodes after the headline ``<h1>``, cleaned (None: no
        ``<h1>``); searched for both dates."""
        # ``//h1[1]``'s first result: the first <h1> in document order
        h1 = next(self.root.iter("h1"), None)
        if h1 is None:
            return None
        limit = self.profile.fallback.date_search_nodes
        return [clean_text(text) for text in _following_texts(h1, limit)]

    def _date_near_headline(self, modified: bool) -> ParsedDate | None:
        """The first date printed in the text nodes after the headline ``<h1>``: the
        published date, or (``modified``) a date on a line with the modified marker."""
        texts = self._texts_after_headline
        if texts is None:
            return None
        marker = self.profile.fallback.modified_marker
        for text in texts:
            if bool(marker.search(text)) != modified:
                continue
            parsed = parse_date(text, self.profile.date_patterns, self.profile.timezone)
            if parsed:
                return parsed
        return None

    @page_property
    def authors(self) -> list[dict[str, str | None]]:
        lines: list[str] = []
        for node in self._signature_nodes:
            lines.extend(clean_block(self._block_text(node)).split("\n"))
        lines = [line for line in lines if line]
        if lines:
            return [self._author(lines)]
        block = first_match(
            self.root, self.profile.article.byline, self._names, self._scope
        )  # the profile's byline
        if block:
            parts = [node_text(n) for n in _text_parents(block[0])]
            lines = [p for p in dict.fromkeys(parts) if p]
            if lines:
                return [self._author(lines)]
        byline = first_match(self.root, self.profile.fallback.byline, self._names, self._scope)
        if byline:
            parts = [node_text(n) for n in _text_parents(byline[0])]
            lines = [p for p in dict.fromkeys(parts) if p] or [node_text(byline[0])]
            lines = [line for line in lines if line]
            if lines:
                self._fallback("authors", "byline")
                return [self._author(lines)]
        for source, value in (
            ("meta:author", meta(self.root, "author", "article:author")),
            ("json-ld", _json_ld_author(json_ld_value(self._json_ld, "author"))),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("authors", source)
                name = clean_text(value)
                return [{"name": name, "nameRaw": name, "role": None}]
        return []

    def _author(self, lines: list[str]) -> dict[str, str | None]:
        rules = self.profile.signature
        name_raw = lines[0]
        role = " ".join(lines[1:]) or None
        name = rules.name_prefix.sub("", name_raw).strip()
        if role is None and rules.name_role_separator is not None:
            parts = rules.name_role_separator.split(name, maxsplit=1)
            if len(parts) == 2 and parts[0] and parts[1]:
                name, role = parts[0].strip(), parts[1].strip()
        return {"name": name or name_raw, "nameRaw": name_raw, "role": role}

    @page_property
    def breadcrumbs(self) -> list[dict[str, str]]:
        out = []
        links = first_match(self.root, self.profile.article.breadcrumbs, self._names, self._scope)
        if not links:
            links = first_match(
                self.root, self.profile.fallback.breadcrumbs, self._names, self._scope
            )
            if links:
                self._fallback("breadcrumbs", "class")
        for a in links:
            href = node_attr(a, "href")
            name = node_text(a)
            if name:
                out.append({"name": name, "url": (self._abs(href) or None) if href else None})
        return out

    @page_property
    def in_language(self) -> str:
        langs = compiled_xpath("/html/@lang")(self.root)
        lang = (langs[0] if langs else "").strip().lower()
        return lang.split("-")[0] if lang else self.profile.language

    @page_property
    def images(self) -> list[dict[str, str | None]]:
        node = self._content_node
        if node is None:
            return []
        blocks = self._image_blocks(node)
        out: list[dict[str, str | None]] = []
        seen: set[str] = set()
        for img in node.iter("img"):
            src = (img.get("src") or img.get("data-src") or "").strip()
            if not src or src.startswith("data:") or "banner" in (img.get("class") or ""):
                continue
            url = self._abs(src)
            if url in seen or not is_web_url(url):
                continue
            seen.add(url)
            caption = None
            for block in blocks:
                if img in block.iterdescendants():
                    cap = first_match(block, self.profile.article.image_caption, self._names)
                    caption = (node_text(cap[0]) or None) if cap else None
                    break
            out.append({"url": url, "caption": caption})
        return out

    @page_property
    def main_image(self) -> dict[str, str] | None:
        if self.images:
            return {"url": str(self.images[0]["url"])}
        og = meta(self.root, "og:image")
        if og and is_web_url(self._abs(og)):
            self._fallback("mainImage", "og:image")
            return {"url": self._abs(og)}
        return None

    @page_property
    def attachments(self) -> list[dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        found = first_match(self.root, self.profile.article.attachments, self._names, self._scope)
        for a in found:
            url = self._abs(node_attr(a, "href") or "")
            if not is_web_url(url):
                continue
            out.setdefault(url, {"url": url, "name": node_text(a) or url.rsplit("/", 1)[-1]})
        if found:
            return list(out.values())
        if not any(self._attachment_href(href) for href in _HREFS_XPATH(self.root)):
            return []  # no attachment link on the whole page: none without its chrome
        for a in self._page_without_chrome.iter("a"):
            href = (a.get("href") or "").strip()
            if href and self.profile.attachment_re.search(href.split("?")[0].split("#")[0]):
                url = self._abs(href)
                if not is_web_url(url):
                    continue
                name = clean_text(string_content(a)) or url.rsplit("/", 1)[-1]
                out.setdefault(url, {"url": url, "name": name})
        if out:
            self._fallback("attachments", "links")
        return list(out.values())

    def _attachment_href(self, href: str) -> bool:
        """Whether a link to ``href`` looks like an attachment (the links fallback's test)."""
        href = href.strip()
        return bool(href) and bool(
            self.profile.attachment_re.search(href.split("?")[0].split("#")[0])
        )

    @page_property
    def _page_without_chrome(self) -> etree._Element:
        """A copy of the page without what the profile removes (menus, related, share)."""
        doc = copy.deepcopy(self.root)
        _drop_matches(doc, self.profile.article.remove, self._names)
        return doc

    @page_property
    def sub_site(self) -> str | None:
        name = banner_site_name(self.root, self.profile, scope=self._scope)
        if name:
            return name
        name = banner_site_name(self.root, self.profile, anywhere=True)
        if name:
            self._fallback("subSite", "banner-alt")
            return name
        for source, value in (
            ("og:site_name", meta(self.root, "og:site_name")),
            ("json-ld", _json_ld_author(json_ld_value(self._json_ld, "publisher"))),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("subSite", source)
                return clean_text(value)
        return None

    def _title_text(self) -> str | None:
        """``<title>`` without the site-name suffix (``listing.text_of_title``)."""
        title = compiled_xpath("//title")(self.root)
        if not title:
            return None
        text = self.profile.article.title_suffix.sub("", node_text(title[0]))
        return text or None

    # -- all together -------------------------------------------------------------------
    def extract(self) -> ArticleResult:
        published, modified = self.dates
        fields: dict[str, Any] = {
            "articleId": self.article_id,
            "url": self.canonical_url,
            "canonicalUrl": self.canonical_url,
            "headline": self.headline,
            "description": self.description,
            "articleBody": self.article_body,
            "articleBodyHtml": self.article_body_html,
            "datePublished": published.isoformat() if published else None,
            "datePublishedRaw": published.raw if published else None,
            "dateModified": modified.isoformat() if modified else None,
            "dateModifiedRaw": modified.raw if modified else None,
            "authors": self.authors,
            "breadcrumbs": self.breadcrumbs,
            "inLanguage": self.in_language,
            "mainImage": self.main_image,
            "images": self.images,
            "subSite": self.sub_site,
            "attachments": self.attachments,
        }
        required = ("articleId", "headline", "articleBody", "datePublished", "subSite")
        missing = [name for name in required if not fields[name]]
        return ArticleResult(fields, dict(self.fallbacks), missing, list(self.bounds))


def is_web_url(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host (images and attachments
    must be: ``javascript:``, ``data:``, ``vbscript:``, ``file:`` and the like are not)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _inner_html(el: etree._Element) -> str:
    """``el``'s text escaped, then each child serialized as HTML with its tail: ``el`` is
    serialized once, as a bare ``<div>`` (its text, attributes and tag changed: ``el`` is
    a working copy), instead of a serialization call per child. The text is left out of
    the serialization and escaped here; a ``<div>`` prints its children and their tails
    as any element other than the raw-text ones (``<script>``, ``<style>``) does."""
    text = el.text if isinstance(el.text, str) else ""
    el.text = None
    el.attrib.clear()
    el.tag = "div"
    markup = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    return _escape(text) + markup[len("<div>") : -len("</div>")]


def _sanitize(html: str) -> str:
    """``html`` through nh3 with the articleBodyHtml allow-list (one :class:`nh3.Cleaner`
    built once where nh3 has it: the options are not converted at every call)."""
    if _CLEANER is not None:
        return _CLEANER.clean(html)
    return nh3.clean(html, **_NH3_OPTIONS)


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(HTML_TAGS),
    "attributes": HTML_ATTRIBUTES,
    "link_rel": None,
    "strip_comments": True,
}
_CLEANER = nh3.Cleaner(**_NH3_OPTIONS) if hasattr(nh3, "Cleaner") else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _relative_path(root: etree._Element, el: etree._Element) -> list[int]:
    path: list[int] = []
    while el is not root:
        parent = el.getparent()
        if parent is None:
            raise ValueError("element not under root")
        path.append(parent.index(el))
        el = parent
    path.reverse()
    return path


#: the href of every <a> (``a.get("href")`` over ``iter("a")``, without element objects)
_HREFS_XPATH = etree.XPath("//a/@href", smart_strings=False)
_CANONICAL_XPATH = etree.XPath('//link[@rel="canonical"]/@href', smart_strings=False)


def _following_texts(el: etree._Element, limit: int) -> list[str]:
    """``following::text()[normalize-space()][position() <= limit]`` of ``el``: the first
    ``limit`` text nodes after ``el``'s subtree, in document order, holding something
    other than XML whitespace; walked (stopping at ``limit``) instead of evaluated over the
    whole rest of the document. Text nodes are elements' ``text`` (not comments' or
    processing instructions') and every node's ``tail``."""
    out: list[str] = []
    if limit <= 0:
        return out

    def add(text: str | None) -> bool:
        if text and text.strip(" \t\r\n"):
            out.append(text)
        return len(out) >= limit

    node: etree._Element | None = el
    while node is not None:
        if add(node.tail):
            return out
        sibling = node.getnext()
        while sibling is not None:
            if isinstance(sibling.tag, str):  # a comment or processing instruction: its tail
                # the text nodes of the subtree in document order: elements' text and every
                # descendant's tail (comments' and processing instructions' content left out)
                for text in sibling.itertext():
                    if add(text):
                        return out
            if add(sibling.tail):
                return out
            sibling = sibling.getnext()
        node = node.getparent()
    return out


def _text_parents(node: Any) -> list[Any]:
    """``.//text()/..`` of a result: the elements holding its text nodes (none for a
    string result)."""
    if not isinstance(node, etree._Element):
        return []
    return compiled_xpath(".//text()/..")(node)


def _json_ld_author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


_BLANK_RE = re.compile(r"(?:[\u00a0]|&nbsp;|&#160;|&#xa0;)+", re.IGNORECASE)
_BLANK_ENTITY_RE = re.compile(r"&(?:nbsp|#160|#xa0);", re.IGNORECASE)
_EMPTY_P_RE = re.compile(r"<p>\s*</p>")


def clean_html_text(value: str) -> str:
    """Normalize the text of cleaned HTML: NFC, zero-width characters removed, NBSP runs
    to one space, empty paragraphs dropped, whitespace between tags collapsed."""
    # (the same as ``strip_invisible``, then ``_BLANK_RE.sub(" ", value)`` then
    # ``[ \t\r\n]+`` -> one space, with str.replace: a regex scanning every character
    # costs a tenth of a page's extraction; the NBSP entities hold no whitespace, so
    # replacing them after the tabs and newlines is the same)
    value = strip_invisible_spaced(value)
    if "&" in value:
        value = _BLANK_ENTITY_RE.sub(" ", value)
    while "  " in value:
        value = value.replace("  ", " ")
    value = _EMPTY_P_RE.sub("", value)
    # the same markup with or without optional end tags (``</p>``, ``</li>``) gives the
    # same string: no space just inside a closing block tag or between block tags
    value = _strip_space_before_blocks(value)
    value = _BLOCK_SPACE_AFTER_RE.sub(_first_group, value)
    return value.strip()


def _strip_space_before_blocks(value: str) -> str:
    """``_BLOCK_SPACE_BEFORE_RE.sub(r"\\1", value)``: whitespace runs before a block tag
    removed. The regex starts with ``\\s+`` and so is tried at every space between words;
    here the tags are found (their ``<`` is a literal prefix the regex engine skips to) and
    the whitespace before each taken back, not before the end of the previous removal (the
    regex's matches do not overlap; a tag not preceded by whitespace is no match, and the
    whitespace ending it may still start the next one). ``\\s`` is ``str.isspace``."""
    parts: list[str] = []
    done = 0  # end of the last match: value[:done] is in parts
    for match in _BLOCK_TAG_BEFORE_RE.finditer(value):
        start = match.start()
        space = start
        while space > done and value[space - 1].isspace():
            space -= 1
        if space < start:
            parts.append(value[done:space])
            parts.append(match.group(0))
            done = match.end()
    if not parts:
        return value
    parts.append(value[done:])
    return "".join(parts)


def _first_group(match: re.Match[str]) -> str:
    """``\\1`` as a function (cheaper than a template expanded at every match)."""
    return match.group(1)


_BLOCKS = r"(?:p|div|li|ul|ol|table|thead|tbody|tr|td|th|h[1-6]|blockquote|figure|figcaption)"
_BLOCK_SPACE_BEFORE_RE = re.compile(rf"\s+(</{_BLOCKS}>|<{_BLOCKS}[\s>])")
_BLOCK_TAG_BEFORE_RE = re.compile(rf"</{_BLOCKS}>|<{_BLOCKS}[\s>]")
_BLOCK_SPACE_AFTER_RE = re.compile(rf"(</{_BLOCKS}>|<{_BLOCKS}(?:\s[^>]*)?>)\s+")
