"""Listing pages and navigation on saved replica pages (home, a listing's page 2) and on
hand-made markup that the profile's selectors do not know."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parsel import Selector

from danvan_crawler.extract import ListingPage, find_article_links, find_categories, find_subsites
from danvan_crawler.extract.navigation import page_root
from danvan_crawler.extract.parse import parse_html
from danvan_crawler.profile import load_profile

PAGES = Path(__file__).parent / "fixtures" / "pages"
PROFILE = load_profile("nghean")


def case(name: str) -> tuple[str, str, dict[str, Any]]:
    folder = PAGES / name
    return (
        (folder / "body.html").read_text(encoding="utf-8"),
        (folder / "url.txt").read_text(encoding="utf-8").strip(),
        json.loads((folder / "expected.json").read_text(encoding="utf-8")),
    )


def test_home_lists_every_category_and_the_subsite() -> None:
    html, url, expected = case("home")
    assert sorted(c.url for c in find_categories(html, url, PROFILE)) == expected["categories"]
    subsites = find_subsites(html, url, PROFILE)
    assert [s.url for s in subsites] == expected["subsites"]


def test_home_menu_already_lists_the_subsite_categories() -> None:
    html, url, _ = case("home")
    (subsite,) = find_subsites(html, url, PROFILE)
    assert subsite.category_urls
    assert set(subsite.category_urls) <= {c.url for c in find_categories(html, url, PROFILE)}


def test_listing_entries_are_canonical_in_page_order() -> None:
    html, url, expected = case("listing_page2")
    page = ListingPage(html, url, PROFILE)
    assert [e.url for e in page.entries] == expected["entries"]
    assert all(e.updated is not None and e.updated.utcoffset() for e in page.entries)
    assert page.fallbacks == {}


def test_listing_category_title_banner_and_pages() -> None:
    html, url, expected = case("listing_page2")
    page = ListingPage(html, url, PROFILE)
    assert page.category_url == expected["category"]["url"]
    assert page.category_slug == expected["category"]["slug"]
    assert page.title == expected["category"]["name"]
    assert page.site_name == expected["category"]["subSite"]
    assert page.page_number == 2
    first = expected["category"]["url"]
    assert page.page_urls == [first] + [f"{first}?trang={n}" for n in expected["pages"]]


def test_listing_layout_change_falls_back_to_url_patterns() -> None:
    html = """<html><body><img alt="Banner Tỉnh ủy Nghệ An (Home-latest-1)">
    <section class="cards">
      <a href="/vi-vn/tin/bai-mot/1-2-101?utm_source=x">Bài một</a>
      <a href="https://nghean.dcs.vn/vi-vn/tin/bai-hai/1-2-102/">Bài hai</a>
      <a href="/vi-vn/tin/bai-mot-slug-cu/1-2-101">Bài một (slug cũ)</a>
      <a href="/vi-vn/chuyen-muc/thoi-su/1-2?trang=2&fbclid=z">2</a>
    </section></body></html>"""
    page = ListingPage(html, "https://nghean.dcs.vn/vi-vn/chuyen-muc/thoi-su/1-2", PROFILE)
    assert [(e.article_id, e.url) for e in page.entries] == [
        ("101", "https://nghean.dcs.vn/vi-vn/tin/bai-mot/1-2-101"),
        ("102", "https://nghean.dcs.vn/vi-vn/tin/bai-hai/1-2-102"),
    ]
    assert page.page_urls == ["https://nghean.dcs.vn/vi-vn/chuyen-muc/thoi-su/1-2?trang=2"]
    assert page.site_name == "Tỉnh ủy Nghệ An"
    assert page.fallbacks == {"listing_entries": "page", "category_subsite": "banner-alt"}


def test_navigation_ignores_markup_and_other_hosts() -> None:
    html = """<html><body><nav><div><span>
      <a href="/vi-vn/chuyen-muc/a/1-1">A</a><a href="http://nghean.dcs.vn/vi-vn/chuyen-muc/b/1-2/">B</a>
      <a href="https://example.org/vi-vn/chuyen-muc/c/1-3">C</a>
      <a href="/vi-vn/chuyen-muc/a/1-1?trang=4">4</a></span></div></nav>
      <a href="/vi-vn/ban/ban-to-chuc-tinh-uy">Ban tổ chức</a>
      <a href="/vi-vn/tin/x/1-2-3#top">x</a></body></html>"""
    url = "https://nghean.dcs.vn/"
    assert [(c.url, c.slug, c.name) for c in find_categories(html, url, PROFILE)] == [
        ("https://nghean.dcs.vn/vi-vn/chuyen-muc/a/1-1", "a", "A"),
        ("https://nghean.dcs.vn/vi-vn/chuyen-muc/b/1-2", "b", "B"),
    ]
    (subsite,) = find_subsites(html, url, PROFILE)
    assert subsite.slug == "ban-to-chuc-tinh-uy"
    assert subsite.category_urls == ()  # its categories are not listed with it
    assert [a.article_id for a in find_article_links(html, url, PROFILE)] == ["3"]


def test_a_page_text_is_parsed_once_for_listing_and_navigation() -> None:
    html, url, _ = case("listing_page2")
    listing = ListingPage(html, url, PROFILE)
    assert page_root(html) is listing.root  # the same text object: the same tree
    copy = "".join(list(html))  # an equal text, another object: parsed again
    assert copy is not html
    assert page_root(copy) is not listing.root
    assert find_categories(copy, url, PROFILE) == find_categories(html, url, PROFILE)
    assert listing.categories == find_categories(html, url, PROFILE)
    assert listing.subsites == find_subsites(html, url, PROFILE)


def test_navigation_of_the_last_page_is_never_another_pages() -> None:
    page_a = '<html><body><a href="/vi-vn/chuyen-muc/a/1-1">A</a></body></html>'
    page_b = '<html><body><a href="/vi-vn/chuyen-muc/b/1-2">B</a></body></html>'
    url = "https://nghean.dcs.vn/"
    for html, slug in ((page_a, "a"), (page_b, "b"), (page_a, "a")):
        assert [c.slug for c in find_categories(html, url, PROFILE)] == [slug]
        assert [e.url for e in ListingPage(html, url, PROFILE).entries] == []


def test_article_links_from_a_selector_elements_or_text() -> None:
    html, url, _ = case("listing_page2")
    from_text = find_article_links(html, url, PROFILE)
    assert from_text
    assert find_article_links(Selector(text=html), url, PROFILE) == from_text
    assert find_article_links(parse_html(html), url, PROFILE) == from_text
    items = Selector(text=html).css(PROFILE.listing.item[0])
    assert items
    in_items = find_article_links(items, url, PROFILE)
    assert find_article_links([i.root for i in items], url, PROFILE) == in_items
    assert {a.article_id for a in in_items} <= {a.article_id for a in from_text}
    # text matches hold no link
    assert find_article_links(Selector(text=html).css("a::attr(href)"), url, PROFILE) == []
