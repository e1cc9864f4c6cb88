"""Fuzzing extraction (output already normalized) + validation (issue 6, section 4).

Seed corpus: the saved replica pages in ``tests/fixtures/pages/*/body.html`` (articles,
listings, home; classic and modern layouts, NCR, NFD, XSS...). Each example takes a seed
page and applies a random list of mutations (truncation, byte flips, tag soup, random
Unicode, deleted elements, huge attributes, deep nesting, NUL bytes, charset lies,
re-encoding in windows-1258), or is a page generated from nothing; then it goes the way a
response goes in the crawler: Scrapy's ``HtmlResponse`` decoding, ``ArticlePage`` and
``ListingPage`` extraction, navigation discovery and the validate pipeline's check; the
extracted fields must already be normalized (``tests.support.normalize``). Any exception
fails the test; a bad page must come out as a record or as a drop with a reason.

CI runs ``DANVAN_FUZZ_EXAMPLES`` examples in all (default 1000, split over the tests);
the full run::

    DANVAN_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse

from danvan_crawler.extract import ArticlePage, ListingPage, find_categories, find_subsites
from danvan_crawler.feeds.sanitize import sanitize_with_nh3, serialized_safe
from danvan_crawler.items import Article
from danvan_crawler.pipelines.validate import ValidatePipeline
from danvan_crawler.profile import load_profile
from tests.support.normalize import FieldNormalizer

PAGES = Path(__file__).parent / "fixtures" / "pages"
CORPUS: list[tuple[str, bytes]] = sorted(
    ((d / "url.txt").read_text("utf-8").strip(), (d / "body.html").read_bytes())
    for d in PAGES.iterdir()
    if (d / "body.html").exists()
)
TOTAL = int(os.environ.get("DANVAN_FUZZ_EXAMPLES", "1000"))
#: share of the examples per test
SHARES = {"mutated": 0.75, "generated": 0.15, "text": 0.10}
PROFILE = load_profile("nghean", base_url="https://nghean.dcs.vn")
NORMALIZER = FieldNormalizer("https://nghean.dcs.vn")
REQUIRED = ("articleId", "url", "headline", "datePublished")
OUTCOMES: Counter[str] = Counter()
TRUSTED: Counter[str] = Counter()
# hypothesis' pytest plugin warns (DeprecationWarning) while reporting a failure: keep
# the failure readable under filterwarnings=error
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def examples(name: str) -> int:
    return max(10, int(TOTAL * SHARES[name]))


def fuzz_settings(name: str) -> Any:
    return settings(
        max_examples=examples(name),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


# --- the pipeline under test ----------------------------------------------------------------


def process(body: bytes, url: str, content_type: str = "text/html; charset=utf-8") -> str:
    """One response through decoding, extraction (checked normalized) and validation: "stored"
    or "dropped/<reason>". Raises only on a bug."""
    response = HtmlResponse(url, body=body, headers={"Content-Type": content_type})
    text = response.text
    listing = ListingPage(text, url, PROFILE)
    for entry in listing.entries:
        assert entry.article_id and entry.url.startswith("https://")
    assert all(isinstance(u, str) for u in listing.page_urls)
    _ = listing.category_url
    # what becomes an article's categories entry (name, subSite, url) is clean as read
    names = [listing.title, listing.site_name]
    links = [*find_categories(text, url, PROFILE), *find_subsites(text, url, PROFILE)]
    for link in links:
        names.append(link.name)
        assert NORMALIZER.url(link.url) == link.url
    for name in names:
        assert name is None or NORMALIZER.value("name", name) == name
    result = ArticlePage(text, url, PROFILE).extract()
    fields: dict[str, Any] = dict(result.fields)
    fields["categories"] = []
    fields["crawledAt"] = "2026-11-27T23:00:00+07:00"
    for key, value in fields.items():  # cleaned where the page is read: no pipeline cleans
        assert NORMALIZER.value(key, value) == value, key
    html = fields.get("articleBodyHtml")
    if html:  # publishing trusts the extraction's sanitizing only to give nh3's bytes
        trusted = serialized_safe(html)
        assert trusted is None or trusted == sanitize_with_nh3(html, url)
        TRUSTED["yes" if trusted is not None else "no"] += 1
    item = Article(**fields)
    for key in ("headline", "articleBody", "description"):
        value = getattr(item, key)
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value)
            assert "\x00" not in value
    for image in item.images:
        assert str(image["url"]).startswith(("http://", "https://"))
    if item.mainImage:
        assert str(item.mainImage["url"]).startswith(("http://", "https://"))
    reason = ValidatePipeline(None, REQUIRED).problem(ItemAdapter(item))  # type: ignore[arg-type]
    outcome = "stored" if reason is None else f"dropped/{reason}"
    OUTCOMES[outcome] += 1
    return outcome


def test_the_corpus_itself_goes_through() -> None:
    assert len(CORPUS) >= 15
    TRUSTED.clear()
    outcomes = Counter(process(body, url) for url, body in CORPUS)
    assert outcomes["stored"] >= 10
    assert TRUSTED["yes"] >= 15  # the saved pages mostly need no second parse


@pytest.mark.parametrize(
    "body",
    [
        b'<a href="&#8<img class=banner>220;">x</a>',  # NCR to a control character
        b"<p>a&#0;b&#x1;c&#xD800;d&#99999999;e\x0bf</p>",
        b'<a href="http://[::1">x</a><img src="http://[::1">',  # urljoin: Invalid IPv6 URL
        b'<a href="http://a:1:1/vi-vn/tin/x/1-2-3">x</a>',  # port not an integer
        b'<div class="breadcrumb"><a href="http://[::1">z</a></div>',
    ],
)
def test_regressions_found_by_fuzzing(body: bytes) -> None:
    for url in (CORPUS[0][0], "https://nghean.dcs.vn/vi-vn/chuyen-muc/x/1-2?trang=2"):
        process(body, url)


# --- mutations ------------------------------------------------------------------------------

TAGS = ["div", "p", "span", "table", "tr", "td", "a", "img", "script", "style", "h1", "ul", "li"]
SOUP = [
    "</html>",
    "</body>",
    "<html>",
    "<body>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE html>",
    "</div></div></div>",
    '<div class="news-detail">',
    '<h1 class="news-title">',
    '<div class="news-date">',
    '<div class="news-content">',
    '<img class="banner" alt="Banner Tỉnh ủy Nghệ An (Home-latest-1)">',
    '<a href="javascript:alert(1)">',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/png;base64,AAAA">',
    '<meta charset="windows-1258">',
    '<meta http-equiv="Content-Type" content="text/html; charset=shift_jis">',
    "&#7841;",
    "&#0;",
    "&#xD800;",
    "&#99999999;",
    "&nbsp;",
    "&",
    "<",
    ">",
    "\x00",
    "\ufeff",
    "\u200b",
    "\u0301\u0301\u0301",
    '<a href="/vi-vn/tin/x/1-2-">',
    '<a href="/vi-vn/chuyen-muc/x/1-2?trang=999999999999999999999">',
    '<a href="http://[::1">',
    '<a href="https://nghean.dcs.vn:99999/x">',
    '<span class="news-time">99/99/9999 99:99</span>',
    '<div class="news-date">Thứ Hai, 31/02/2023 25:61</div>',
]


def _apply(data: bytes, mutation: tuple[Any, ...]) -> bytes:
    kind = mutation[0]
    n = len(data)
    pos = int(mutation[1] * n) if n else 0
    if kind == "truncate":
        return data[:pos]
    if kind == "flip":
        if not n:
            return data
        i = min(pos, n - 1)
        return data[:i] + bytes([mutation[2]]) + data[i + 1 :]
    if kind == "insert":
        return data[:pos] + mutation[2].encode("utf-8", "surrogatepass") + data[pos:]
    if kind == "delete":
        return data[:pos] + data[pos + mutation[2] :]
    if kind == "drop_element":
        text = data.decode("utf-8", "replace")
        tag = mutation[2]
        return re.sub(
            rf"<{tag}\b[^>]*>.*?</{tag}>", "", text, count=mutation[3], flags=re.S
        ).encode()
    if kind == "huge_attr":
        blob = (mutation[2] * mutation[3]).encode("utf-8", "surrogatepass")
        return (
            data.replace(b"<img ", b'<img data-x="' + blob + b'" ', 1)
            + b'<p title="'
            + blob
            + b'">'
        )
    if kind == "nest":
        return data[:pos] + b"<div><b>" * mutation[2] + data[pos:]
    if kind == "duplicate":
        return data[:pos] + data[pos : pos + mutation[2]] * 3 + data[pos:]
    if kind == "recode":
        text = data.decode("utf-8", "replace")
        return text.encode(mutation[2], "xmlcharrefreplace")
    raise AssertionError(kind)


unit = st.floats(min_value=0, max_value=1)
MUTATION = st.one_of(
    st.tuples(st.just("truncate"), unit),
    st.tuples(st.just("flip"), unit, st.integers(0, 255)),
    st.tuples(st.just("insert"), unit, st.sampled_from(SOUP)),
    st.tuples(st.just("insert"), unit, st.text(max_size=40)),
    st.tuples(st.just("delete"), unit, st.integers(1, 4000)),
    st.tuples(st.just("drop_element"), unit, st.sampled_from(TAGS), st.integers(1, 5)),
    st.tuples(
        st.just("huge_attr"),
        unit,
        st.sampled_from(["A", "ạ", '"', "<>", " "]),
        st.integers(1, 50_000),
    ),
    st.tuples(st.just("nest"), unit, st.integers(1, 1000)),
    st.tuples(st.just("duplicate"), unit, st.integers(1, 3000)),
    st.tuples(st.just("recode"), unit, st.sampled_from(["cp1258", "latin-1", "ascii", "utf-16"])),
)
CONTENT_TYPES = st.sampled_from(
    [
        "text/html; charset=utf-8",
        "text/html",
        "text/html; charset=windows-1258",
        "text/html; charset=iso-8859-1",
        "text/html; charset=bogus-charset",
        "text/html; charset=utf-16",
        "text/plain",
    ]
)


@fuzz_settings("mutated")
@given(
    seed=st.sampled_from(CORPUS),
    mutations=st.lists(MUTATION, min_size=1, max_size=6),
    content_type=CONTENT_TYPES,
)
def test_mutated_pages_never_raise(
    seed: tuple[str, bytes], mutations: list[tuple[Any, ...]], content_type: str
) -> None:
    url, body = seed
    for mutation in mutations:
        body = _apply(body, mutation)
    process(body, url, content_type)


# --- pages from nothing ---------------------------------------------------------------------

ATTRS = st.dictionaries(
    st.sampled_from(["class", "id", "href", "src", "alt", "style", "onclick", "data-src", "lang"]),
    st.one_of(
        st.sampled_from(
            [
                "news-title",
                "news-date",
                "news-content",
                "news-sapo",
                "banner",
                "news-item",
                "news-link",
                "pager",
                "/vi-vn/tin/a/1-2-3",
                "/vi-vn/chuyen-muc/b/4-5",
                "javascript:x",
                "http://evil.example/x.jpg",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=3,
)


def _element(children: list[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda tag, attrs, text, closed: (
            f"<{tag}"
            + "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in attrs.items())
            + ">"
            + text
            + "".join(children)
            + (f"</{tag}>" if closed else "")
        ),
        st.sampled_from(TAGS),
        ATTRS,
        st.text(max_size=30),
        st.booleans(),
    )


HTML = st.recursive(
    st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4).flatmap(_element),
    max_leaves=40,
)


@fuzz_settings("generated")
@given(html=st.lists(HTML, max_size=8).map("".join), content_type=CONTENT_TYPES)
def test_generated_tag_soup_never_raises(html: str, content_type: str) -> None:
    url = "https://nghean.dcs.vn/vi-vn/tin/x/1-2-3"
    process(html.encode("utf-8", "surrogatepass"), url, content_type)


@fuzz_settings("text")
@given(data=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_random_bytes_never_raise(data: bytes) -> None:
    process(data, "https://nghean.dcs.vn/vi-vn/chuyen-muc/x/1-2?trang=2")


@pytest.fixture(scope="module", autouse=True)
def report_outcomes() -> Any:
    yield
    if OUTCOMES:
        print("\nfuzz outcomes:", dict(OUTCOMES.most_common()))
