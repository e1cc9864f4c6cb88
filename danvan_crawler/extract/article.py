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
from typing import Any

from lxml import etree

from danvan_crawler.extract.article_authors import _AuthorFields, _json_ld_author
from danvan_crawler.extract.article_body import _BodyFields
from danvan_crawler.extract.article_dates import _DateFields
from danvan_crawler.extract.article_headline import _HeadlineFields
from danvan_crawler.extract.article_html import _escape, _inner_html, _sanitize, clean_html_text
from danvan_crawler.extract.article_tree import (
    _CANONICAL_XPATH,
    _HREFS_XPATH,
    _drop_matches,
    _relative_path,
    is_web_url,
)
from danvan_crawler.extract.bounds import bound_for_sanitizer
from danvan_crawler.extract.common import (
    banner_site_name,
    canon,
    json_ld,
    json_ld_value,
    meta,
    node_attr,
    node_text,
    page_property,
    string_content,
)
from danvan_crawler.extract.ladder_body import drop_element
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.extract.selectors import Scope, attribute_names, compiled_xpath, first_match
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_text
from danvan_crawler.urls import article_id

_LANGUAGE_RE = re.compile(r"([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*\Z")

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


@dataclass
class ArticleResult:
    """What one article page gives: output fields, and the fallbacks used per field."""

    fields: dict[str, Any]
    fallbacks: dict[str, str] = field(default_factory=dict)
    #: Required fields that neither the selectors nor the fallbacks found.
    missing: list[str] = field(default_factory=list)
    #: How the body's HTML was bounded before sanitizing (``extract.bounds``).
    bounds: list[str] = field(default_factory=list)


class ArticlePage(_HeadlineFields, _BodyFields, _DateFields, _AuthorFields):
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
        self._source = ""

    # -- plumbing -----------------------------------------------------------------------
    @page_property
    def root(self) -> etree._Element:
        """The page's parsed tree (queried with compiled XPath, no selector objects)."""
        return parse_html(self.html, html_elements=False)

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
    def article_body_html(self) -> str:
        node = self._content_node
        parts: list[str] = []
        for line in self._lead:
            parts.append("<p>" + _escape(line) + "</p>")
        if node is not None:
            body = copy.deepcopy(node)
            for sig in self._signature_nodes_in(body, node):
                drop_element(sig)
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
    def breadcrumbs(self) -> list[dict[str, str | None]]:
        out: list[dict[str, str | None]] = []
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
        # Only a language subtag (vi, vi-VN, vi_VN): a broken attribute is no language.
        primary = _LANGUAGE_RE.match((langs[0] if langs else "").strip().lower())
        return primary.group(1) if primary else self.profile.language

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
                    cap = first_match(
                        block, self.profile.article.image_caption or ("figcaption",), self._names
                    )
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

    def _title_raw(self) -> str | None:
        """``<title>``'s text, as printed."""
        title = compiled_xpath("//title")(self.root)
        return node_text(title[0]) if title else None

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
        required: tuple[str, ...] = (
            "articleId",
            "headline",
            "articleBody",
            "datePublished",
            "subSite",
        )
        if not self.profile.article.date_on_page:
            # the site prints the date in its listings only: the listing's is the date
            required = tuple(name for name in required if name != "datePublished")
        missing = [name for name in required if not fields[name]]
        return ArticleResult(fields, dict(self.fallbacks), missing, list(self.bounds))
