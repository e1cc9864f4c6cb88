"""Cheap paths of the extraction against their definitions (issue 7: same outputs)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler.extract.parse import parse_html
from danvan_crawler.extract.selectors import attribute_names, compiled_xpath, css_xpath, select

_PIECES = [
    "<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "x", " ", "\n",
    "<div class='news-detail x'>", "<p class='news-date'>", "<p id='main'>",
    "<span class=\"a\nb\">", "<img class='banner' alt='Banner A'>", "<div id='header'>",
    "<div id='a b' class='c'>", "<i class='byline-top' id='news-date'>", "<b class=''>",
]  # fmt: skip
_SELECTORS = [
    "div.news-detail p.news-date",
    "#main .news-date",
    "#header img.banner::attr(alt)",
    '[class*="byline"]',
    "div.news-detail div.news-updated",
    ".news-updated, p.news-date",
    "p:not(.absent)",
    ".a",
    ".b",
    "#news-date",
    "[id='a b'] .c",
    "span.a.b",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join))
def test_attribute_names_prune_only_selectors_matching_nothing(html: str) -> None:
    root = parse_html(html, html_elements=False)
    names = attribute_names(root)
    # the class and id values (in another order than the union's)
    union = compiled_xpath("//@class | //@id")(root)
    assert Counter(names.split("\n")) == Counter("\n".join(union).split("\n"))
    for css in _SELECTORS:
        assert select(root, css, names) == css_xpath(css)(root), css


def _clean_html_text_definition(value: str) -> str:
    """clean_html_text as it was written before its fast path (one step after the other)."""
    import re

    from danvan_crawler.extract.article_html import (
        _BLANK_RE,
        _BLOCK_SPACE_AFTER_RE,
        _BLOCK_SPACE_BEFORE_RE,
    )
    from danvan_crawler.text import strip_invisible

    value = strip_invisible(value)
    value = _BLANK_RE.sub(" ", value)
    value = re.sub(r"[ \t\r\n]+", " ", value)
    value = re.sub(r"<p>\s*</p>", "", value)
    value = _BLOCK_SPACE_BEFORE_RE.sub(r"\1", value)
    value = _BLOCK_SPACE_AFTER_RE.sub(r"\1", value)
    return value.strip()


_HTML_PIECES = [
    "<p>", "</p>", "<div class='x'>", "</div>", "<li>", "<b>", "</b>", "<td>", "a", "é",
    " ", "  ", "\n", "\t", "\r", "\u00a0", "&nbsp;", "&NBSP;", "&#160;", "&#xa0;", "&amp;",
    "&nb", "sp;", "\u200b", "\ufeff", "\x07", "\u2003", "\u1680", "e\u0301", "\u0301",
    "\x85", "\u2028",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_HTML_PIECES), max_size=30).map("".join))
def test_clean_html_text_equals_its_definition(value: str) -> None:
    from danvan_crawler.extract.article_html import clean_html_text

    assert clean_html_text(value) == _clean_html_text_definition(value)


@given(
    st.sampled_from([*_SELECTORS, "a, b", ".x .y, #z", "p", ".a.b, .c", "[class*=q] .r"]),
    st.lists(st.sampled_from(["a", "b", "x", "y", "z", "q", "r", "c", "news-date", "main"])),
)
def test_may_match_is_any_alternative_with_all_its_names(css: str, values: list[str]) -> None:
    from danvan_crawler.extract.selectors import _required_names, may_match

    names = "\n".join(values)
    required = _required_names(css)
    expected = required is None or any(all(n in names for n in alt) for alt in required)
    assert may_match(css, names) is expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=30).map("".join))
def test_id_selectors_match_what_parsels_translation_matches(html: str) -> None:
    from lxml import etree
    from parsel.csstranslator import HTMLTranslator

    root = parse_html(html, html_elements=False)
    for css in [
        *_SELECTORS,
        "#header img.banner::attr(alt)",
        "div#header, #main",
        "p:not(#main)",
        "#a\\ b .c",
    ]:
        parsel_query = etree.XPath(HTMLTranslator().css_to_xpath(css), smart_strings=False)
        assert css_xpath(css)(root) == parsel_query(root), css


def test_page_property_computes_once_per_instance_like_cached_property() -> None:
    from danvan_crawler.extract.common import page_property

    calls: list[int] = []

    class Page:
        def __init__(self, n: int) -> None:
            self.n = n

        @page_property
        def double(self) -> int:
            """Twice n."""
            calls.append(self.n)
            return 2 * self.n

    a, b = Page(1), Page(2)
    assert (a.double, a.double, b.double, a.double) == (2, 2, 4, 2)
    assert calls == [1, 2]
    assert Page.double.__doc__ == "Twice n."
    assert a.__dict__["double"] == 2
    del a.__dict__["double"]  # forgotten: computed again at the next access
    assert a.double == 2 and calls == [1, 2, 1]


_SCOPE_PIECES = [
    "<div class='d'>", "<div class='d x'>", "</div>", "<p class='t'>", "</p>", "<p>", "t",
    "<span id='h'>", "</span>", "<img class='b' alt='A'>", "<img alt='B'>", "<a href='u'>",
    "</a>", " ", "<h1 class='t'>", "</h1>", "<!--c-->", "<article class='post'>", "</article>",
]  # fmt: skip
_SCOPED_SELECTORS = [
    "div.d p.t",
    "div.d p",
    "div.d p.t::text",
    "div.d a::attr(href)",
    "#h img.b::attr(alt)",
    "div.d div.d",
    "div.d p a",
    "div.d > p",
    "div.d p > a",
    "div.x span img",
    "article.post h1.t",
    "article.post p::text",
    "div.d *",
    "div.d, p.t",
    "p",
    "div.d h1.t::text",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SCOPE_PIECES), min_size=1, max_size=40).map("".join))
def test_scoped_selectors_match_what_the_whole_query_matches(html: str) -> None:
    from danvan_crawler.extract.selectors import Scope, first_match

    root = parse_html(html, html_elements=False)
    names = attribute_names(root)
    scope = Scope(root)
    for css in _SCOPED_SELECTORS + _SCOPED_SELECTORS[::-1]:  # (the page's matches reused)
        assert select(root, css, names, scope) == css_xpath(css)(root), css
        assert select(root, css, None, scope) == css_xpath(css)(root), css
    assert first_match(root, ["div.x p", "div.d p.t"], names, scope) == (
        css_xpath("div.x p")(root) or css_xpath("div.d p.t")(root)
    )
    # another node than the scope's root: the whole query
    for el in root.iter("div"):
        assert select(el, "div.d p", names, scope) == css_xpath("div.d p")(el)
