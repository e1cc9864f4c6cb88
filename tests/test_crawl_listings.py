"""What the listings showed, behind ``spiders.listings.CrawlListings``: the in-process
``Listings`` and the Redis-backed ``SharedListings`` answer the spider alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from danvan_crawler.extract.truncation import ListingHint
from danvan_crawler.spiders.categories import CategoryInfo
from danvan_crawler.spiders.listings import CrawlListings, Listings
from tests.test_distributed import REDIS_URL, redis_prefix  # noqa: F401 - the fixture

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NEWS = CategoryInfo(url="http://site.test/tin", slug="tin", name="Tin")
EVENTS = CategoryInfo(url="http://site.test/su-kien", slug="su-kien", name="Sự kiện")


def slug_of(url: str) -> str:
    return url.rsplit("/", 1)[-1]


@pytest.fixture
def shared_listings(redis_prefix: str) -> Iterator[Any]:  # noqa: F811 - the fixture
    from danvan_crawler.distributed.shared import SharedCrawl, SharedListings

    yield SharedListings(SharedCrawl.from_url(REDIS_URL, redis_prefix), slug_of)


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.e2e)])
def listings(request: pytest.FixtureRequest) -> CrawlListings:
    if request.param == "local":
        return Listings()
    shared: CrawlListings = request.getfixturevalue("shared_listings")
    return shared


def test_an_article_listed_twice_carries_both_categories(listings: CrawlListings) -> None:
    known: dict[str, CategoryInfo] = {}
    for info in (NEWS, EVENTS):
        claimed, new = listings.claim_category(info)
        assert (claimed, new) == (info, True)
        known[info.url] = claimed
    assert listings.note("1", "http://site.test/a-1", NEWS.url) is True
    assert listings.note("1", "http://site.test/a-1", EVENTS.url) is False
    assert listings.note("2", "http://site.test/a-2", NEWS.url) is True
    assert len(listings) == 2
    assert listings.category_items(known, "1") == [EVENTS.as_item(), NEWS.as_item()]
    assert listings.category_items(known, "2") == [NEWS.as_item()]
    assert listings.category_items(known, "unknown") == []


def test_articles_are_handed_out_once_newest_first() -> None:
    listings = Listings()
    for article_id, when in (("10", 1_700_000_000), ("11", None), ("12", 1_700_050_000)):
        listings.note(article_id, f"http://site.test/a-{article_id}", NEWS.url)
        listings.note_hint(article_id, ListingHint(when).pack(), TZ)
    taken = list(listings.take())
    assert [(rank, article_id) for rank, article_id, _, _ in taken] == [
        (0, "12"),
        (1, "10"),
        (2, "11"),
    ]
    assert ListingHint.sort_time(taken[0][3]) == 1_700_050_000
    assert list(listings.take()) == []


@pytest.mark.e2e
def test_a_category_another_worker_claimed_keeps_its_record(shared_listings: Any) -> None:
    from danvan_crawler.distributed.shared import SharedListings

    other = SharedListings(shared_listings.shared, slug_of)  # a second worker
    assert shared_listings.claim_category(NEWS) == (NEWS, True)
    renamed = CategoryInfo(url=NEWS.url, slug="tin", link_text="Tin tức")
    claimed, new = other.claim_category(renamed)
    assert not new
    assert claimed.as_item() == NEWS.as_item()


@pytest.mark.e2e
def test_shared_articles_go_newest_first_each_to_one_worker(shared_listings: Any) -> None:
    from danvan_crawler.distributed.shared import SharedListings

    shared = shared_listings.shared
    for article_id in ("10", "11", "12"):
        shared_listings.note(article_id, f"http://site.test/a-{article_id}", NEWS.url)
    shared.note_signatures({"10": "2025-10-20T08:00:00+07:00", "12": "2025-10-25T19:07:00+07:00"})
    taken = [(rank, article_id) for rank, article_id, _, _ in shared_listings.take()]
    assert taken == [(0, "12"), (1, "10"), (2, "11")]
    assert list(shared_listings.take()) == []
    # what was handed out is per worker (one worker schedules the articles phase)
    assert len(list(SharedListings(shared, slug_of).take())) == 3
