"""Cheap paths of the extraction against their definitions (issue 7: same outputs)."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler.extract.common import (
    attribute_names,
    compiled_xpath,
    css_xpath,
    parse_html,
    select,
)

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
