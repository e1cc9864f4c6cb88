"""Helpers shared by the page objects: reading nodes, canonical URLs, banner, metadata,
JSON-LD (selector lookup is :mod:`selectors`, parsing :mod:`parse`)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from danvan_crawler.extract.selectors import Scope, compiled_xpath, select
from danvan_crawler.profile import SiteProfile
from danvan_crawler.text import clean_text
from danvan_crawler.urls import canonical_url, is_plain_absolute, join_plain

logger = logging.getLogger(__name__)


_T = TypeVar("_T")


class page_property(Generic[_T]):
    """:class:`functools.cached_property` without its lock: computed at the first access,
    stored in the instance's ``__dict__``, where every later look-up finds it (the class
    attribute is not a data descriptor). Python 3.11's version takes a lock at every
    first access, about half a microsecond each, twenty a page; a page object is used by
    one thread."""

    def __init__(self, func: Callable[[Any], _T]) -> None:
        self.func = func
        self.attrname = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.attrname = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> page_property[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


def node_text(node: Any) -> str:
    """All text under an lxml result (an element, or a text or attribute string), cleaned
    to one line."""
    if isinstance(node, str):
        return clean_text(node)
    if isinstance(node, etree._Element) and isinstance(node.tag, str):
        return clean_text(" ".join(t for t in node.itertext() if t))
    return clean_text(" ".join(compiled_xpath(".//text()")(node)))


def string_content(el: etree._Element) -> str:
    """``HtmlElement.text_content()`` of any element: the XPath string value."""
    return str(_STRING_XPATH(el))


_STRING_XPATH = etree.XPath("string()", smart_strings=False)


def node_attr(node: Any, name: str) -> str | None:
    """Attribute ``name`` of an element result (None for a string result)."""
    return node.get(name) if isinstance(node, etree._Element) else None


def canon(profile: SiteProfile, url: str, base: str | None = None) -> str:
    """Canonical URL of ``url`` (resolved against ``base`` or the site base) on this site;
    ``""`` for a URL that cannot be parsed (``http://[::1``, a port ``:1:2``...), which
    matches no pattern and is no http(s) URL, so it is skipped like any foreign link."""
    return _canon(url, base, profile.base_url, profile.tracking_params, profile.hosts)


@lru_cache(maxsize=4096)
def _canon(
    url: str, base: str | None, base_url: str, tracking: tuple[str, ...], hosts: tuple[str, ...]
) -> str:
    """:func:`canon` (pure), cached: a page names the same URL more than once (images in
    the body and the image list, the canonical link and the page's own URL)."""
    try:
        if base:
            url = url.strip()
            if not is_plain_absolute(url):  # (joined, a plain absolute URL is itself)
                url = join_plain(base, url) or urljoin(base, url)
        return _canonical(url, base_url, tracking, hosts)
    except ValueError:
        logger.debug("unparsable URL skipped: %r", url)
        return ""


@lru_cache(maxsize=4096)
def _canonical(url: str, base_url: str, tracking: tuple[str, ...], hosts: tuple[str, ...]) -> str:
    return canonical_url(url, base_url, tracking_params=tracking, same_site_hosts=hosts)


def banner_site_name(
    sel: Selector | etree._Element,
    profile: SiteProfile,
    anywhere: bool = False,
    scope: Scope | None = None,
) -> str | None:
    """The (sub-)site named by the banner's alt text, or ``None``. ``anywhere``: any image
    whose alt text matches the profile's banner regex (the generic fallback). ``scope``:
    see :func:`select`."""
    root = _root(sel)
    for css in ("img::attr(alt)",) if anywhere else profile.banner_selectors:
        for alt in select(root, css, scope=scope):
            match = profile.banner_site_name_re.match(_string(alt))
            if match and clean_text(match.group("name")):
                return clean_text(match.group("name"))
    return None


def _root(sel: Selector | etree._Element) -> etree._Element:
    return sel.root if isinstance(sel, Selector) else sel


def _string(value: Any) -> str:
    """A result as ``SelectorList.getall()`` gives it, cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    return clean_text(etree.tostring(value, encoding="unicode", method="html", with_tail=False))


_META_XPATH = etree.XPath("//meta[@property=$n or @name=$n]/@content", smart_strings=False)


def meta(sel: Selector | etree._Element, *names: str) -> str | None:
    """Content of the first non-empty ``<meta property|name=...>`` among ``names``."""
    root = _root(sel)
    for name in names:
        for value in _META_XPATH(root, n=name):
            if clean_text(value):
                return clean_text(value)
    return None


_JSON_LD_XPATH = etree.XPath('//script[@type="application/ld+json"]/text()', smart_strings=False)


def json_ld(sel: Selector | etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` members included)."""
    for raw in _JSON_LD_XPATH(_root(sel)):
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


def json_ld_value(sel: Selector | etree._Element | list[dict[str, Any]], key: str) -> Any:
    """The first value of ``key`` in an Article-like JSON-LD object (``sel``: the page, or
    its objects as :func:`json_ld` gives them)."""
    for obj in sel if isinstance(sel, list) else json_ld(sel):
        kind = obj.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(str(k).endswith("Article") for k in kinds) and obj.get(key):
            return obj[key]
    return None
