"""Helpers shared by the page objects: selector lookup, banner, metadata, JSON-LD."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any, Generic, TypeVar, overload
from urllib.parse import urljoin

import cssselect
import cssselect.parser
import cssselect.xpath
from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from w3lib.encoding import html_to_unicode

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


def parse_html(
    html: str | bytes, encoding: str | None = None, *, html_elements: bool = True
) -> etree._Element:
    """The root element of ``html`` (the tree a ``parsel.Selector(text=..., type="html")``
    holds), without the selector; bytes are decoded by BOM, ``<meta charset>`` or
    ``encoding`` (windows-1258 pages included), NCR entities resolved by the parser.
    ``html_elements=False``: the same tree of plain ``lxml.etree`` elements (no
    ``lxml.html`` element classes, whose lookup is a Python call per element touched)."""
    if isinstance(html, bytes):
        content_type = f"text/html; charset={encoding}" if encoding else None
        _, html = html_to_unicode(content_type, html)
    # libxml2 stops at a stray ``</html>``/``</body>`` in the middle of a page (tag soup
    # CMSs print them): drop those end tags, the parser closes the document at its end
    if html:
        html = _END_OF_DOCUMENT_RE.sub("", html)
    # what parsel's create_root_node does with a text: strip, drop NULs, UTF-8, lxml.html
    # parser in recovery mode (huge trees allowed), an empty <html> when nothing is left
    body = _xml_safe_utf8(html) if html else b"<html></html>"
    parser_class = lxml_html.HTMLParser if html_elements else etree.HTMLParser
    parser = parser_class(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root


@lru_cache(maxsize=1024)
def css_xpath(css: str) -> etree.XPath:
    """The compiled XPath of a CSS selector (parsel's translation: ``::text`` and
    ``::attr(name)`` understood), relative to the node it is evaluated on."""
    return etree.XPath(_CSS_TRANSLATOR.css_to_xpath(css), smart_strings=False)


@lru_cache(maxsize=256)
def compiled_xpath(query: str) -> etree.XPath:
    """A compiled XPath query (plain strings for text and attribute results)."""
    return etree.XPath(query, smart_strings=False)


class Scope:
    """A page's matches of the leftmost parts of its descendant selectors, each searched
    once: ``div.news-detail div.news-date``, ``div.news-detail h1.news-title``... look for
    ``div.news-detail`` in the whole page once; each selector then searches the one match
    found (see :func:`select`)."""

    __slots__ = ("matches", "root")

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.matches: dict[str, list[Any]] = {}


def select(
    node: etree._Element, css: str, names: str | None = None, scope: Scope | None = None
) -> list[Any]:
    """What ``Selector(root=node).css(css)`` matches, as lxml results (elements, or
    strings for ``::text``/``::attr()``). ``names``: the page's class and id attribute
    values (:func:`attribute_names` of a tree ``node`` belongs to): when a class or id the
    selector requires is in none of them, nothing can match and the tree is not searched.
    ``scope`` (of ``node``): a selector ``A B`` (its query ``P/Q``: ``P`` the matches of
    ``A``, ``Q`` what is searched under each) is evaluated as ``Q`` from the one match of
    ``A`` when there is one (the same nodes, in document order), ``P`` searched once per
    page; with no match, nothing; with several, the whole query."""
    if names is not None and not may_match(css, names):
        return []
    if scope is not None and scope.root is node:
        split = _descendant_split(css)
        if split is not None:
            head, tail = split
            heads = scope.matches.get(head.path)
            if heads is None:
                heads = scope.matches[head.path] = head(node)
            if not heads:
                return []
            if len(heads) == 1:
                result = tail(heads[0])
                return result if isinstance(result, list) else [result]
    result = css_xpath(css)(node)
    return result if isinstance(result, list) else [result]


@lru_cache(maxsize=1024)
def _descendant_split(css: str) -> tuple[etree.XPath, etree.XPath] | None:
    """``(P, Q)`` for a selector ``A B...`` (one alternative, its leftmost compound ``A``
    joined to the rest by a descendant combinator) whose query is exactly ``P + "/" + Q``
    (``P``: ``A``'s query from the context node, ``Q``: the rest from each ``A`` match);
    None for any other selector."""
    try:
        selectors = cssselect.parse(css)
    except cssselect.SelectorError:
        return None
    if len(selectors) != 1:
        return None
    tree = selectors[0].parsed_tree
    if not isinstance(tree, cssselect.parser.CombinedSelector):
        return None
    outer: list[cssselect.parser.CombinedSelector] = []
    leftmost = tree
    while isinstance(leftmost.selector, cssselect.parser.CombinedSelector):
        outer.append(leftmost)
        leftmost = leftmost.selector
    if leftmost.combinator != " ":
        return None
    rest: Any = leftmost.subselector
    for combined in reversed(outer):
        rest = cssselect.parser.CombinedSelector(rest, combined.combinator, combined.subselector)
    head = _CSS_TRANSLATOR.selector_to_xpath(
        cssselect.parser.Selector(leftmost.selector), prefix="descendant-or-self::"
    )
    tail = _CSS_TRANSLATOR.selector_to_xpath(
        cssselect.parser.Selector(rest, selectors[0].pseudo_element),
        prefix="descendant::",
        translate_pseudo_elements=True,
    )
    if _CSS_TRANSLATOR.css_to_xpath(css) != f"{head}/{tail}":
        return None
    return etree.XPath(head, smart_strings=False), etree.XPath(tail, smart_strings=False)


def first_match(
    node: etree._Element,
    selectors: Iterable[str],
    names: str | None = None,
    scope: Scope | None = None,
) -> list[Any]:
    """The matches (lxml results) of the first CSS selector in ``selectors`` matching
    anything under ``node``: :func:`first` without selectors (``names``, ``scope``: see
    :func:`select`)."""
    for css in selectors:
        found = select(node, css, names, scope)
        if found:
            return found
    return []


_CLASS_XPATH = etree.XPath("//@class", smart_strings=False)
_ID_XPATH = etree.XPath("//@id", smart_strings=False)


def attribute_names(root: etree._Element) -> str:
    """Every class and id attribute value of ``root``'s tree, joined (for :func:`may_match`):
    the class values, then the id values. Two queries, not the union ``//@class | //@id``,
    whose document-order sort of attribute nodes costs more than both; the order is no
    matter to :func:`may_match`: a string is in the join when some value holds it."""
    return "\n".join([*_CLASS_XPATH(root), *_ID_XPATH(root)])


def may_match(css: str, names: str) -> bool:
    """False when ``css`` cannot match in a tree whose class and id values, joined, are
    ``names``: every alternative of the selector requires a class, id or class/id
    attribute substring found nowhere in ``names`` (a necessary condition only: True
    says nothing)."""
    required = _required_names(css)
    if required is None:
        return True
    # any(all(name in names for name in alternative) for alternative in required), as
    # loops (no generator per call: this runs for every selector of every page)
    for alternative in required:
        for name in alternative:
            if name not in names:
                break
        else:
            return True
    return False


@lru_cache(maxsize=1024)
def _required_names(css: str) -> tuple[tuple[str, ...], ...] | None:
    """Per alternative of ``css``, the strings its class, id and ``[class|id op value]``
    parts require in the tree's class/id values (negations excepted); None when some
    alternative requires none, or the selector does not parse (the query then says why)."""
    try:
        alternatives = cssselect.parse(css)
    except cssselect.SelectorError:
        return None
    out: list[tuple[str, ...]] = []
    for alternative in alternatives:
        names: list[str] = []
        if not _collect_names(alternative.parsed_tree, names) or not names:
            return None
        out.append(tuple(names))
    return tuple(out)


def _collect_names(tree: Any, names: list[str]) -> bool:
    """Add to ``names`` what the parsed selector ``tree`` requires; False for a node type
    not understood here (then nothing is assumed)."""
    parser = cssselect.parser
    if isinstance(tree, parser.Element):
        return True
    if isinstance(tree, parser.Class):
        names.append(tree.class_name)
        return _collect_names(tree.selector, names)
    if isinstance(tree, parser.Hash):
        names.append(tree.id)
        return _collect_names(tree.selector, names)
    if isinstance(tree, parser.Attrib):
        if (
            tree.namespace is None
            and tree.attrib.lower() in ("class", "id")
            and tree.operator in ("=", "~=", "|=", "^=", "$=", "*=")
            and tree.value is not None
            and isinstance(tree.value.value, str)
        ):
            names.append(tree.value.value)
        return _collect_names(tree.selector, names)
    if isinstance(tree, parser.CombinedSelector):
        return _collect_names(tree.selector, names) and _collect_names(tree.subselector, names)
    if isinstance(
        tree,
        parser.Negation
        | parser.Pseudo
        | parser.Function
        | parser.Matching
        | parser.SpecificityAdjustment
        | parser.Relation,
    ):
        return _collect_names(tree.selector, names)
    return False


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


class _Translator(HTMLTranslator):
    """parsel's translation, an id written ``@id and @id = 'x'``: the same condition
    (an element without the attribute is no match either way), tested without a string
    comparison, whose node-set-to-string conversion costs an allocation per element, on
    elements without an id (``#header img.banner`` evaluates ``*[...]`` on every one)."""

    def xpath_hash(self, id_selector: cssselect.parser.Hash) -> cssselect.xpath.XPathExpr:
        xpath = self.xpath(id_selector.selector)
        return xpath.add_condition(f"@id and @id = {self.xpath_literal(id_selector.id)}")


_CSS_TRANSLATOR = _Translator()
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


def _xml_safe_utf8(html: str) -> bytes:
    """``(xml_safe_markup(html) or "<html></html>").strip().replace("\\x00", "")`` in
    UTF-8 (``b"<html/>"`` when empty), as parsel's ``create_root_node`` prepares a text;
    cheaper when no character needs removing (most pages): the characters XML forbids are
    looked for in the UTF-8 bytes (one byte each; U+FFFE and U+FFFF in the text; a
    surrogate does not encode). Stripping first is the same: of those characters, only
    whitespace ones can be stripped away, and those are removed anyway."""
    try:
        body = html.strip().encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        if (
            body
            and b"&#" not in body  # NCRs: the slow path resolves the forbidden ones
            and len(body.translate(None, _XML_BAD_BYTES)) == len(body)
            and "\ufffe" not in html  # (one-character searches are the fastest)
            and "\uffff" not in html
        ):
            return body
    if "&#" in html:
        html = _NCR_RE.sub(_ncr, html)
    html = _XML_BAD_RE.sub("", html) or "<html></html>"
    return html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"


_XML_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def xml_safe_markup(html: str) -> str:
    """``html`` without the characters (raw or as NCRs like ``&#8;``) that XML 1.0
    forbids: the parser would put them in text nodes lxml then refuses to handle."""
    if "&#" in html:
        html = _NCR_RE.sub(_ncr, html)
    return _XML_BAD_RE.sub("", html)


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
