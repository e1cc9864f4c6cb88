"""IncrementalState decisions over a real SQLite store (no crawl)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from danvan_crawler.extract.listing import ListingEntry
from danvan_crawler.incremental import (
    IncrementalState,
    conditional_headers,
    listing_signature,
)
from danvan_crawler.store import Store, open_store

TZ = timezone(timedelta(hours=7))
CAT_A = "http://127.0.0.1:1/vi-vn/chuyen-muc/a/1-2"
CAT_B = "http://127.0.0.1:1/vi-vn/chuyen-muc/b/3-4"
T0 = datetime(2025, 10, 1, 8, 30, tzinfo=TZ)


def entry(article_id: str, minutes: int) -> ListingEntry:
    when = T0 + timedelta(minutes=minutes)
    url = f"http://127.0.0.1:1/vi-vn/tin/x/1-2-{article_id}"
    return ListingEntry(url, article_id, f"Tin {article_id}", when, when.strftime("%d/%m/%Y %H:%M"))


def article(article_id: str, category: str) -> dict[str, object]:
    return {
        "articleId": article_id,
        "url": f"http://127.0.0.1:1/vi-vn/tin/x/1-2-{article_id}",
        "headline": f"Tin số {article_id} về công tác dân vận",
        "datePublished": "2025-10-01T08:30:00+07:00",
        "articleBody": f"Nội dung riêng của bài {article_id}.",
        "categories": [{"url": category, "slug": "a", "name": "A", "subSite": None}],
    }


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "s.db") as s:
        yield s


def test_signature_is_the_listing_update_time() -> None:
    assert listing_signature(entry("1", 0)) == T0.isoformat()
    no_time = ListingEntry("u", "9", "  Tiêu   đề ")
    assert listing_signature(no_time) == "title:Tiêu đề"


def test_conditional_headers() -> None:
    assert conditional_headers(None) == {}
    assert conditional_headers({"etag": '"x"', "last_modified": None}) == {"If-None-Match": '"x"'}
    both = conditional_headers({"etag": '"x"', "last_modified": "Sat, 01 Nov 2025 00:00:00 GMT"})
    assert both["If-Modified-Since"] == "Sat, 01 Nov 2025 00:00:00 GMT"


def test_assess_sorts_entries(store: Store) -> None:
    store.upsert([article("10", CAT_A), article("11", CAT_A), article("12", CAT_A)])
    # 10: settled; 11: stored, no signature yet (never known); 12: settled in A, newly in B
    store.set_listing_signatures({"10": listing_signature(entry("10", 0))})
    store.set_listing_signatures({"12": listing_signature(entry("12", 0))})
    state = IncrementalState(store)
    page = state.assess([entry("99", 50), entry("11", 5), entry("10", 0)], CAT_A)
    assert page.to_fetch == ["99", "11"]
    assert page.settled == ["10"]
    assert page.last_known and not page.all_known
    assert state.should_fetch("99") and state.should_fetch("11")
    assert not state.should_fetch("10")
    page_b = state.assess([entry("12", 0)], CAT_B)
    assert page_b.to_merge == ["12"] and not page_b.to_fetch
    # an edit: the listing shows a newer time for a settled article
    edited = IncrementalState(store).assess([entry("10", 60)], CAT_A)
    assert edited.to_fetch == ["10"]


def test_stop_rules(store: Store) -> None:
    store.upsert([article("10", CAT_A)])
    store.set_listing_signatures({"10": listing_signature(entry("10", 0))})
    entries = [entry("98", 90), entry("10", 0)]
    oldest = IncrementalState(store)
    assert not oldest.should_continue(oldest.assess(entries, CAT_A))
    strict = IncrementalState(store, stop_rule="all")
    assert strict.should_continue(strict.assess(entries, CAT_A))
    # the oldest entry new: go on to the next page
    assert oldest.should_continue(oldest.assess([entry("10", 0), entry("97", -5)], CAT_A))
    # --full walks on regardless; --refresh fetches known articles too
    full = IncrementalState(store, full=True)
    assert full.should_continue(full.assess(entries, CAT_A))
    refresh = IncrementalState(store, refresh=True)
    assert refresh.full
    assert refresh.assess([entry("10", 0)], CAT_A).to_fetch == ["10"]
    with pytest.raises(ValueError):
        IncrementalState(store, stop_rule="never")  # type: ignore[arg-type]


def test_walked_marks_and_category_list_persist(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        state = IncrementalState(store)
        assert not state.is_walked(CAT_A) and not state.conditional(CAT_A)
        assert state.conditional(None)  # the home page: when a category list is saved
        assert state.saved_categories() == []
        state.set_walked(CAT_A, True)
        state.save_categories([CAT_B, CAT_A])
        state.article_done("10", "http://x/10", '"e"', None)
        state.flush()
    with open_store(db) as store:
        state = IncrementalState(store)
        assert state.is_walked(CAT_A) and state.conditional(CAT_A)
        assert not IncrementalState(store, full=True).conditional(CAT_A)
        assert state.saved_categories() == [CAT_A, CAT_B]
        assert store.get_validators("http://x/10") == {"etag": '"e"', "last_modified": None}
        state.set_walked(CAT_A, False)
    with open_store(db) as store:
        assert not IncrementalState(store).is_walked(CAT_A)


def test_article_bookkeeping_is_written_in_batches(tmp_path: Path) -> None:
    """Validators and signatures wait in memory until a batch is full or ``flush``: what
    the store holds is always a subset of what was stored (never ahead of it)."""
    with open_store(tmp_path / "s.db") as store:
        state = IncrementalState(store, batch_size=3)
        entries = [entry(str(n), 60 + n) for n in range(10, 14)]
        state.assess(entries, CAT_A)
        state.article_done("10", "http://x/10", '"e10"', None)
        state.article_done("11", "http://x/11", None, None)
        assert store.get_validators("http://x/10") is None  # pending
        assert store.listing_signatures(["10", "11"]) == {}
        assert not state.should_fetch("10")  # decided from memory already
        # pending: 2 signatures + 1 validator; two more articles make 7 >= 2 x 3: written
        state.article_done("12", "http://x/12", '"e12"', None)
        state.article_done("13", "http://x/13", None, "Mon, 01 Jan 2024 00:00:00 GMT")
        assert store.get_validators("http://x/12") == {"etag": '"e12"', "last_modified": None}
        assert set(store.listing_signatures(["10", "11", "12", "13"])) == {"10", "11", "12", "13"}
        state.article_done("14", "http://x/14", '"e14"', None)
        assert store.get_validators("http://x/14") is None
        state.flush()
        assert store.get_validators("http://x/14") == {"etag": '"e14"', "last_modified": None}
        # a later batch overwrites what an earlier one wrote
        state.signatures["12"] = "changed"
        state.article_done("12", "http://x/12", None, "Tue, 02 Jan 2024 00:00:00 GMT")
        state.flush()
        assert store.get_validators("http://x/12") == {
            "etag": None,
            "last_modified": "Tue, 02 Jan 2024 00:00:00 GMT",
        }
        assert store.listing_signatures(["12"]) == {"12": "changed"}
