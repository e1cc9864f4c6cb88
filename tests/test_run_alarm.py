"""The alarm's decision and the run summary, over stats as a crawl leaves them."""

from __future__ import annotations

from typing import Any

from danvan_crawler.alarm import check_layout
from danvan_crawler.summary import summarize

A = "danvan/alarm/"
URL = "https://nghean.dcs.vn/vi-vn/tin/a/1-2-{}"


def healthy(**extra: Any) -> dict[str, Any]:
    stats: dict[str, Any] = {
        A + "listing_pages": 10,
        A + "listing_empty": 0,
        A + "articles": 40,
        A + "articles_with_fallback": 2,
        A + "article_fallback/description": 2,
        "danvan/extract/fallback/description": 2,
    }
    stats.update(extra)
    return stats


def test_a_healthy_crawl_raises_nothing() -> None:
    assert check_layout(healthy(), {}) is None


def test_a_no_change_run_is_not_judged_on_articles() -> None:
    stats = {A + "articles": 2, A + "articles_with_fallback": 2, A + "listing_pages": 0}
    assert check_layout(stats, {}) is None
    assert check_layout(stats, {"DANVAN_ALARM_MIN_ARTICLES": 2}) is not None


def test_article_fallbacks_name_the_setting_fields_and_examples() -> None:
    stats = healthy(
        **{
            A + "articles_with_fallback": 30,
            A + "article_fallback/headline": 30,
            A + "article_fallback/datePublished": 12,
            A + "examples/fallback/headline": [URL.format(1), URL.format(2)],
            A + "examples/fallback/datePublished": [URL.format(2), URL.format(3)],
        }
    )
    alarm = check_layout(stats, {})
    assert alarm is not None
    (reason,) = alarm.reasons
    assert "30 of 40 articles needed a fallback (DANVAN_ALARM_FALLBACK_RATIO=0.2)" in reason
    assert "datePublished (12), description (2), headline (30)" in reason
    assert reason.endswith(f"e.g. {URL.format(2)} {URL.format(3)} {URL.format(1)}")
    assert check_layout(stats, {"DANVAN_ALARM_FALLBACK_RATIO": 0.8}) is None
    message = alarm.message()
    assert message.startswith("layout-change alarm:")
    assert "danvan_crawler/profiles/nghean.toml" in message
    # the way out: inspect a failing page, learn a profile from the site, configure it
    assert f"danvan inspect {URL.format(2)}" in message
    site = "/".join(URL.split("/")[:3])
    assert f"danvan profile learn --site {site} --out " in message
    assert "DANVAN_PROFILE" in message


def test_empty_listings_and_listing_fallbacks() -> None:
    empty = healthy(**{A + "listing_empty": 6, A + "examples/empty_listing": ["L1", "L2"]})
    alarm = check_layout(empty, {})
    assert alarm is not None
    assert "6 of 10 listing pages linked fewer than 1 article(s)" in alarm.reasons[0]
    assert "DANVAN_ALARM_EMPTY_LISTING_RATIO=0.5" in alarm.reasons[0]
    assert alarm.reasons[0].endswith("e.g. L1 L2")

    changed = healthy(
        **{A + "listings_with_fallback": 10, A + "listing_fallback/listing_entries": 10}
    )
    alarm = check_layout(changed, {})
    assert alarm is not None
    assert "10 of 10 listing pages needed a fallback" in alarm.reasons[0]
    assert "listing_entries (10)" in alarm.reasons[0]


def test_missing_fields_and_drops_count_as_incomplete() -> None:
    stats = healthy(
        **{
            A + "articles_incomplete": 8,
            "danvan/extract/missing/datePublished": 5,
            "danvan/validate/dropped/missing_headline": 3,
            A + "articles_without_item": 1,
            A + "examples/missing/datePublished": [URL.format(7)],
            A + "kept_stored": 4,
        }
    )
    alarm = check_layout(stats, {})
    assert alarm is not None
    missing, kept = alarm.reasons
    assert "8 of 40 articles missed a required field (DANVAN_ALARM_MISSING_RATIO=0.1)" in missing
    assert "fields not found: datePublished (5)" in missing
    assert "dropped as invalid: missing_headline (3)" in missing
    assert "pages that gave no article: 1" in missing
    assert missing.endswith(URL.format(7))
    assert kept.startswith("4 stored article(s) kept as they were")
    assert check_layout(stats, {"DANVAN_ALARM_MISSING_RATIO": 0.25}) is None


def test_summary_from_stats() -> None:
    stats = {
        "danvan/store/new": 3,
        "danvan/store/updated": 1,
        "danvan/store/unchanged": 290,
        "danvan/store/merged": 6,
        "danvan/dedupe/same_id": 4,
        "danvan/dedupe/near_duplicate": 1,
        "danvan/dedupe/same_id_changed": 2,
        "downloader/response_count": 20,
        "downloader/response_status_count/304": 10,
        "log_count/ERROR": 1,
        "retry/count": 2,
        "danvan/extract/fallback/headline": 2,
        "danvan/extract/fallback/description": 1,
        "elapsed_time_seconds": 12.34,
        "finish_reason": "finished",
    }
    summary = summarize(stats)
    assert (summary.new, summary.updated, summary.unchanged) == (3, 1, 296)
    assert summary.duplicates == 5
    assert summary.fallbacks_used == 3
    assert summary.paragraph() == (
        "danvan run finished in 12.3 s: 3 new, 1 updated, 296 unchanged articles; "
        "5 duplicates dropped; 20 pages fetched (10 answered 304); 1 error, 2 retries; "
        "3 fallbacks used (description 1, headline 2)."
    )
    assert summarize({}).paragraph("failed").startswith("danvan run failed in 0.0 s: 0 new")


def _watch_and_stats() -> tuple[Any, Any]:
    from scrapy.utils.test import get_crawler

    from danvan_crawler.middlewares.layout import LayoutWatch
    from danvan_crawler.spiders.portal import PortalSpider

    crawler = get_crawler(PortalSpider, {"ITEM_PIPELINES": {}})
    crawler.stats.open_spider()
    return LayoutWatch.from_crawler(crawler), crawler.stats


def test_an_article_answered_304_is_not_an_article_without_item() -> None:
    from scrapy.http import HtmlResponse

    watch, stats = _watch_and_stats()
    url = "https://nghean.dcs.vn/vi-vn/tin/mot-bai/1-2-3"
    unchanged = HtmlResponse(url, status=304, body=b"")
    assert list(watch.process_spider_output(unchanged, iter(()))) == []
    assert not stats.get_value("danvan/alarm/articles_without_item")
    assert not stats.get_value("danvan/alarm/articles")

    # The same page answered 200 with nothing extracted is counted: the check above can fail.
    broken = HtmlResponse(url, status=200, body=b"<html><body></body></html>")
    assert list(watch.process_spider_output(broken, iter(()))) == []
    assert stats.get_value("danvan/alarm/articles_without_item") == 1


def test_listing_links_are_read_off_the_markup_like_a_parser_would() -> None:
    """The alarm counts a listing page's article links from a scan of its markup: quoted,
    single-quoted, unquoted and upper-case ``href`` values, entities decoded; other tags'
    ``href`` are not links."""
    import html

    from danvan_crawler.middlewares.layout import _A_HREF

    markup = (
        "<a href=\"/a/1.html\">x</a><A class=x HREF='/b'>y</A>"
        '<a data-x="1" href=/c?x=1&amp;y=2>z</a><abbr href="/no"><link href="/css">'
    )
    found = [html.unescape("".join(groups)) for groups in _A_HREF.findall(markup)]
    assert found == ["/a/1.html", "/b", "/c?x=1&y=2"]


def test_listing_link_answers_are_those_of_urljoin_whatever_the_page() -> None:
    """The alarm remembers a root-relative or absolute link's resolution per site; every
    answer, remembered or not, equals ``response.urljoin`` (``<base href>`` included)
    followed by the article pattern, on pages of different paths, hosts and schemes."""
    import html
    import itertools
    from urllib.parse import urlsplit

    from scrapy.http import HtmlResponse
    from scrapy.utils.response import get_base_url

    from danvan_crawler.middlewares.layout import _origin

    watch, _ = _watch_and_stats()
    pages = [
        ("https://nghean.dcs.vn/vi-vn/tin/a/1-2-3", ""),
        ("https://nghean.dcs.vn/danvan/chuyen-muc/x?trang=2", ""),
        ("http://nghean.dcs.vn/vi-vn/tin/", ""),
        ("https://user@nghean.dcs.vn:8443/p/q", ""),
        ("http://127.0.0.1:8080/vi-vn/", ""),
        ("https://nghean.dcs.vn/a/b", '<base href="http://other.example/vi-vn/tin/">'),
        ("https://nghean.dcs.vn/a/b", '<base href="sub/">'),
    ]
    hrefs = [
        "/vi-vn/tin/mot-bai/1-2-3",
        "/vi-vn/tin/mot-bai/1-2-3?x=1#f",
        "/vi-vn/tin/../tin/hai/4-5-6",
        "//cdn.example/vi-vn/tin/a/7-8-9",
        "/&#47;evil.example/vi-vn/tin/a/1-2-3",
        "https://nghean.dcs.vn/vi-vn/tin/b/2-3-4",
        "http://nghean.dcs.vn/vi-vn/tin/b/2-3-4?",
        "HTTPS://nghean.dcs.vn/vi-vn/tin/b/2-3-4",
        "https://nghean.dcs.vn/vi-vn/tin/../tin/b/2-3-4",
        "mot-bai/1-2-3",
        "../tin/mot-bai/1-2-3",
        "?trang=3",
        "#top",
        "",
        "  /vi-vn/tin/c/5-6-7 ",
        "/x\t/vi-vn/tin/c/5-6-7",
        "javascript:void(0)",
    ]
    checked = 0
    for (url, head), href in itertools.product(pages * 2, hrefs):
        body = f"<html><head>{head}</head><body></body></html>".encode()
        response = HtmlResponse(url, body=body)
        base = get_base_url(response)
        expected = response.urljoin(html.unescape(href).strip())
        is_article = watch.article_re.search(urlsplit(expected).path) is not None
        assert watch._link(base, _origin(base), href) == (expected, is_article), (url, href)
        checked += 1
    assert checked == len(pages) * 2 * len(hrefs)
    assert watch._links  # answers were remembered, and the second pass read them
