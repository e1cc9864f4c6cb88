"""Selector lookup for the page objects: the profile's CSS selectors compiled once to XPath
(:func:`css_xpath`), tried in order inside a scope (:func:`select`, :func:`first_match`),
and skipped without a query when the page has none of the class or id names a selector
needs (:func:`attribute_names`, :func:`may_match`).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import cssselect
import cssselect.parser
import cssselect.xpath
from lxml import etree
from parsel.csstranslator import HTMLTranslator


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


class _Translator(HTMLTranslator):
    """parsel's translation, an id written ``@id and @id = 'x'``: the same condition
    (an element without the attribute is no match either way), tested without a string
    comparison, whose node-set-to-string conversion costs an allocation per element, on
    elements without an id (``#header img.banner`` evaluates ``*[...]`` on every one)."""

    def xpath_hash(self, id_selector: cssselect.parser.Hash) -> cssselect.xpath.XPathExpr:
        xpath = self.xpath(id_selector.selector)
        return xpath.add_condition(f"@id and @id = {self.xpath_literal(id_selector.id)}")


_CSS_TRANSLATOR = _Translator()
