"""Helpers shared by the page objects: selector lookup, banner, metadata, JSON-LD."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector, SelectorList
from w3lib.encoding import html_to_unicode

from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_text
from danvan_crawler.urls import canonical_url

logger = logging.getLogger(__name__)


def make_selector(html: str | bytes, encoding: str | None = None) -> Selector:
    """A parsel selector over ``html``; bytes are decoded by BOM, ``<meta charset>`` or
    ``encoding`` (windows-1258 pages included), NCR entities resolved by the parser."""
    if isinstance(html, bytes):
        content_type = f"text/html; charset={encoding}" if encoding else None
        _, html = html_to_unicode(content_type, html)
    # libxml2 stops at a stray ``</html>``/``</body>`` in the middle of a page (tag soup
    # CMSs print them): drop those end tags, the parser closes the document at its end
    html = _END_OF_DOCUMENT_RE.sub("", html) if html else html
    if html:
        html = xml_safe_markup(html)
    return Selector(text=html or "<html></html>", type="html")


_END_OF_DOCUMENT_RE = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)
#: characters XML 1.0 forbids (lxml refuses them in text it is given back: ValueError)
_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NCR_RE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _ncr(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    try:
        code = int(hex_digits, 16) if hex_digits else int(digits)
    except ValueError:
        return ""
    if code > 0x10FFFF or _XML_BAD_RE.match(chr(code)):
        return ""  # an NCR to a control character, a surrogate or beyond Unicode
    return match.group(0)


def xml_safe_markup(html: str) -> str:
    """``html`` without the characters (raw or as NCRs like ``&#8;``) that XML 1.0
    forbids: the parser would put them in text nodes lxml then refuses to handle."""
    if "&#" in html:
        html = _NCR_RE.sub(_ncr, html)
    return _XML_BAD_RE.sub("", html)


def first(sel: Selector | SelectorList[Any], selectors: Iterable[str]) -> SelectorList[Any]:
    """The matches of the first CSS selector in ``selectors`` that matches anything."""
    for css in selectors:
        found = sel.css(css)
        if found:
            return found
    return SelectorList([])


def text_of(node: Selector) -> str:
    """All text under ``node``, cleaned to one line (a ``::text`` match: that text)."""
    root = node.root
    if isinstance(root, str):
        return clean_text(root)
    if isinstance(root, etree._Element) and isinstance(root.tag, str):
        # the text nodes of ``.//text()`` (comments and processing instructions left
        # out, descendants' tails in), without an XPath evaluation per call
        return clean_text(" ".join(t for t in root.itertext() if t))
    return clean_text(" ".join(node.xpath(".//text()").getall()))


def canon(profile: SiteProfile, url: str, base: str | None = None) -> str:
    """Canonical URL of ``url`` (resolved against ``base`` or the site base) on this site;
    ``""`` for a URL that cannot be parsed (``http://[::1``, a port ``:1:2``...), which
    matches no pattern and is no http(s) URL, so it is skipped like any foreign link."""
    try:
        if base:
            url = urljoin(base, url.strip())
        return _canonical(url, profile.base_url, profile.tracking_params, profile.hosts)
    except ValueError:
        logger.debug("unparsable URL skipped: %r", url)
        return ""


@lru_cache(maxsize=65536)
def _canonical(url: str, base_url: str, tracking: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    return canonical_url(url, base_url, tracking_params=tracking, same_site_hosts=hosts)


def banner_site_name(sel: Selector, profile: SiteProfile, anywhere: bool = False) -> str | None:
    """The (sub-)site named by the banner's alt text, or ``None``. ``anywhere``: any image
    whose alt text matches the profile's banner regex (the generic fallback)."""
    for css in ("img::attr(alt)",) if anywhere else profile.banner_selectors:
        for alt in sel.css(css).getall():
            match = profile.banner_site_name_re.match(clean_text(alt))
            if match and clean_text(match.group("name")):
                return clean_text(match.group("name"))
    return None


def meta(sel: Selector, *names: str) -> str | None:
    """Content of the first non-empty ``<meta property|name=...>`` among ``names``."""
    for name in names:
        for value in sel.xpath("//meta[@property=$n or @name=$n]/@content", n=name).getall():
            if clean_text(value):
                return clean_text(value)
    return None


def json_ld(sel: Selector) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` members included)."""
    for raw in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            logger.debug("unparsable JSON-LD block skipped")
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if isinstance(obj, dict):
                yield obj
                graph = obj.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)


def json_ld_value(sel: Selector, key: str) -> Any:
    """The first value of ``key`` in an Article-like JSON-LD object."""
    for obj in json_ld(sel):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(str(k).endswith("Article") for k in kinds) and obj.get(key):
            return obj[key]
    return None
