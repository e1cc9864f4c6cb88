"""Item pipelines (danvan_crawler.pipelines): directly and inside real Scrapy crawls."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import pytest_twisted
import scrapy
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from danvan_crawler.extensions import EXTENSIONS
from danvan_crawler.items import Article
from danvan_crawler.pipelines import (
    ITEM_PIPELINES,
    EnrichPipeline,
    ValidatePipeline,
)
from danvan_crawler.store import open_store
from tests.support.normalize import FieldNormalizer
from tests.test_store import BASE, CAT_A, CAT_B, article, body

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "danvan_crawler/schema/article.schema.json").read_text(
        encoding="utf-8"
    )
)


class ItemsSpider(scrapy.Spider):
    """Yields the items it is given, as a spider's callbacks would."""

    name = "items"
    items: list[Any]

    async def start(self) -> AsyncIterator[Any]:
        for item in self.items:
            yield item


def crawl_settings(tmp_path: Path, feed: Path) -> dict[str, Any]:
    return {
        "ITEM_PIPELINES": ITEM_PIPELINES,
        "EXTENSIONS": EXTENSIONS,
        "DANVAN_DB": str(tmp_path / "danvan.db"),
        "FEEDS": {str(feed): {"format": "jsonlines", "overwrite": True, "store_empty": False}},
        "FEED_STORE_EMPTY": False,
        "LOG_LEVEL": "INFO",
    }


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stats_of(crawler: Any) -> dict[str, Any]:
    return dict(crawler.stats.get_stats())


# -- validate --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"headline": "  "}, "missing_headline"),
        ({"articleId": None}, "missing_articleId"),
        ({"datePublished": None}, "missing_datePublished"),
        ({"articleId": "12a"}, "bad_articleId"),
        ({"url": "/vi-vn/tin/x/1-2-100"}, "bad_url"),
        ({"articleId": "101"}, "id_url_mismatch"),
        ({"datePublished": "27/11/2023 08:30"}, "bad_datePublished"),
        ({"datePublished": "2023-11-27T08:30:00"}, "bad_datePublished"),  # no offset
        ({"dateModified": "hôm qua"}, "bad_dateModified"),
    ],
)
def test_validate_drops_with_a_counted_reason(change: dict[str, Any], reason: str) -> None:
    crawler = get_crawler(ItemsSpider)
    pipeline = ValidatePipeline.from_crawler(crawler)
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(article("100", **change))
    assert crawler.stats.get_value(f"danvan/validate/dropped/{reason}") == 1
    assert crawler.stats.get_value("danvan/validate/ok") is None


def test_validate_passes_a_sane_article_and_respects_required_fields_setting() -> None:
    crawler = get_crawler(ItemsSpider, {"DANVAN_REQUIRED_FIELDS": ["articleId", "url"]})
    pipeline = ValidatePipeline.from_crawler(crawler)
    item = article("100", headline="")
    assert pipeline.process_item(item) is item
    assert crawler.stats.get_value("danvan/validate/ok") == 1


# -- normalization: done where the page is read ---------------------------------------------


def test_the_normalizer_extraction_is_checked_against_is_not_the_identity() -> None:
    """tests.support.normalize.FieldNormalizer: what extraction's output must be a fixed
    point of (tests/test_fuzz.py), so what no pipeline does again."""
    normalizer = FieldNormalizer()
    nfd_headline = unicodedata.normalize("NFD", "Thái Hòa\u00a0 thực\u200b hiện  tốt ")
    item = article(
        "100",
        headline=nfd_headline,
        description="\u00a0Lead\u00a0\u00a0text\x07 ",
        articleBody=" Đoạn\u00a0một\u00a0\u00a0dài. \n\n\u200b\n  Đoạn   hai\t. \r\n",
        url="http://NGHEAN.dcs.vn/vi-vn/tin/slug-%e2%80%9d/1-2-100/?utm_source=zalo&fbclid=x",
        authors=[{"name": "Nguyễn\u00a0Mạnh  Khôi", "nameRaw": " Nguyễn Mạnh Khôi ", "role": None}],
        images=[{"url": f"{BASE}/Uploads/a.jpg?gidzl=1", "caption": "Ảnh\u00a0\u00a01"}],
        categories=[dict(CAT_A, url=CAT_A["url"] + "/")],
    )
    out = {k: normalizer.value(k, v) for k, v in item.items()}
    assert out["headline"] == "Thái Hòa thực hiện tốt"  # tone placement kept, NFC
    assert unicodedata.is_normalized("NFC", out["headline"])
    assert out["description"] == "Lead text"
    assert out["articleBody"] == "Đoạn một dài.\nĐoạn hai ."
    assert out["url"] == "http://nghean.dcs.vn/vi-vn/tin/slug-%E2%80%9D/1-2-100"
    assert out["authors"] == [
        {"name": "Nguyễn Mạnh Khôi", "nameRaw": "Nguyễn Mạnh Khôi", "role": None}
    ]
    assert out["images"] == [{"url": f"{BASE}/Uploads/a.jpg", "caption": "Ảnh 1"}]
    assert out["categories"][0]["url"] == CAT_A["url"]


def test_no_pipeline_normalizes_again() -> None:
    from danvan_crawler import settings

    assert settings.ITEM_PIPELINES == ITEM_PIPELINES
    assert not [name for name in ITEM_PIPELINES if "ormaliz" in name]


def test_category_overrides_are_cleaned_where_read() -> None:
    from scrapy.settings import Settings

    from danvan_crawler.extract.navigation import CategoryLink
    from danvan_crawler.profile import load_profile
    from danvan_crawler.spiders.categories import CategoryRules

    overrides = {"tin-tuc": {"name": " Tin\u00a0 tức\u200b ", "subSite": "Ban\u00a0Dân vận "}}
    rules = CategoryRules(load_profile(), Settings({"DANVAN_CATEGORY_OVERRIDES": overrides}))
    info = rules.info(CategoryLink(CAT_A["url"], "tin-tuc", ""))
    assert (info.name, info.sub_site) == ("Tin tức", "Ban Dân vận")


# -- enrich ----------------------------------------------------------------------------------


def test_enrich_sets_document_refs() -> None:
    crawler = get_crawler(ItemsSpider)
    pipeline = EnrichPipeline.from_crawler(crawler)
    item = article(
        "100",
        headline="Kết quả thực hiện Nghị quyết số 25-NQ/TW",
        articleBody="Ban hành Quy chế số 07-QC/TU, ngày 08/12/2021; Nghị quyết 25-NQ/TW.",
    )
    out = pipeline.process_item(item)
    assert [(r["code"], r["number"], r["issuer"]) for r in out["documentRefs"]] == [
        ("NQ", "25", "TW"),
        ("QC", "7", "TU"),
    ]
    assert crawler.stats.get_value("danvan/enrich/documentRefs") == 2
    assert crawler.stats.get_value("danvan/enrich/with_documentRefs") == 1


# -- the whole chain in real crawls -------------------------------------------------------------


def _first_run_items() -> list[Any]:
    # (clean, as extraction gives them: no pipeline cleans text or URLs)
    first = article(
        "100",
        headline="Thái Hòa thực hiện tốt Quy chế",
        articleBody=body(100) + "\nThực hiện Quy chế số 07-QC/TU.",
        categories=[CAT_B],
    )
    same_other_category = dict(first, categories=[CAT_A])
    other = Article(**article("200", datePublished="2023-11-28T08:30:00+07:00"))
    invalid = article("300", headline="")
    copy = article(
        "400",
        headline="Thái Hòa thực hiện tốt Quy chế",
        articleBody=body(100) + "\nThực hiện Quy chế số 07-QC/TU.",
        datePublished="2023-12-01T08:30:00+07:00",
    )
    return [first, same_other_category, other, invalid, copy]


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_crawls_emit_only_changes_and_store_one_record_per_article(tmp_path: Path):
    # Run 1: everything is new.
    feed1 = tmp_path / "run1.jsonl"
    crawler = get_crawler(ItemsSpider, crawl_settings(tmp_path, feed1))
    yield crawler.crawl(items=_first_run_items())
    lines = read_lines(feed1)
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    assert [(x["articleId"], x["change"], x["duplicateOf"]) for x in lines] == [
        ("100", "new", None),
        ("200", "new", None),
        ("400", "new", "100"),
    ]
    first = lines[0]
    assert first["url"] == f"{BASE}/vi-vn/tin/bai-viet-100/73410-486108-100"
    assert first["headline"] == "Thái Hòa thực hiện tốt Quy chế"
    assert first["documentRefs"] == [
        {
            "kind": "Quy chế",
            "number": "7",
            "code": "QC",
            "issuer": "TU",
            "raw": "Quy chế số 07-QC/TU",
        }
    ]
    stats = stats_of(crawler)
    assert stats["danvan/validate/dropped/missing_headline"] == 1
    assert stats["danvan/dedupe/same_id"] == 1
    assert stats["danvan/dedupe/near_duplicate"] == 1
    assert stats["danvan/store/new"] == 3
    with open_store(tmp_path / "danvan.db") as st:
        assert st.count() == 3
        cats = [c["url"] for c in st.get("100")["categories"]]
        assert cats == sorted([CAT_A["url"], CAT_B["url"]])
        assert [r["articleId"] for r in st.latest(None, 10)] == ["200", "100"]

    # Run 2: nothing changed, so no feed file at all.
    feed2 = tmp_path / "run2.jsonl"
    crawler = get_crawler(ItemsSpider, crawl_settings(tmp_path, feed2))
    yield crawler.crawl(items=_first_run_items())
    assert not feed2.exists()
    stats = stats_of(crawler)
    assert stats["danvan/store/unchanged"] == 3
    assert "danvan/store/new" not in stats and "danvan/store/updated" not in stats

    # Run 3: one article edited, one seen under an alias URL, one new.
    edited = article(
        "200",
        datePublished="2023-11-28T08:30:00+07:00",
        articleBody=body(200) + "\nĐoạn bổ sung.",
        dateModified="2023-11-29T10:00:00+07:00",
        dateModifiedRaw="Cập nhật lúc 10:00 ngày 29/11/2023",
    )
    alias = dict(_first_run_items()[0], url="http://nghean.dcs.vn/vi-vn/tin/cu/1-2-100")
    feed3 = tmp_path / "run3.jsonl"
    crawler = get_crawler(ItemsSpider, crawl_settings(tmp_path, feed3))
    yield crawler.crawl(items=[edited, alias, article("500")])
    lines = read_lines(feed3)
    assert [(x["articleId"], x["change"]) for x in lines] == [("200", "updated"), ("500", "new")]
    assert lines[0]["dateModified"] == "2023-11-29T10:00:00+07:00"
    with open_store(tmp_path / "danvan.db") as st:
        assert st.count() == 4
        assert st.record("200")["revision"] == 2
        assert st.article_id_for_url("http://nghean.dcs.vn/vi-vn/tin/cu/1-2-100") == "100"


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_same_id_with_other_content_in_one_run_is_an_update_and_copies_are_claimed(
    tmp_path: Path,
):
    copy = article(
        "900",
        headline="Bài viết 100",
        articleBody=body(100),
        datePublished="2024-01-01T08:30:00+07:00",
    )
    first = article("100")
    second = article("100", articleBody=body(100) + "\nCâu sửa.")
    feed = tmp_path / "run.jsonl"
    crawler = get_crawler(ItemsSpider, crawl_settings(tmp_path, feed))
    yield crawler.crawl(items=[copy, first, second])
    lines = read_lines(feed)
    assert [(x["articleId"], x["change"]) for x in lines] == [
        ("900", "new"),
        ("100", "new"),
        ("100", "updated"),
    ]
    stats = stats_of(crawler)
    assert stats["danvan/dedupe/same_id_changed"] == 1
    assert stats["danvan/dedupe/claimed_copies"] == 1
    with open_store(tmp_path / "danvan.db") as st:
        assert st.count() == 2
        assert st.get("900")["duplicateOf"] == "100"
        assert [r["articleId"] for r in st.latest(None, 10)] == ["100"]


# -- batched store writes ---------------------------------------------------------------------


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_items_go_on_only_once_their_batch_is_committed(tmp_path: Path):
    from scrapy import signals

    feed = tmp_path / "run.jsonl"
    items = [article(str(n)) for n in range(100, 107)]
    settings = crawl_settings(tmp_path, feed)
    settings.update({"DANVAN_STORE_BATCH": 50, "DANVAN_STORE_BATCH_DELAY": 0.2})
    crawler = get_crawler(ItemsSpider, settings)
    stored_when_scraped: list[set[str]] = []

    def scraped(item: Any) -> None:
        with open_store(tmp_path / "danvan.db") as st:  # another connection: committed
            stored_when_scraped.append(st.known_ids())

    crawler.signals.connect(scraped, signal=signals.item_scraped)
    # fewer items than a batch: the delay releases them, and the crawl ends
    yield crawler.crawl(items=items)
    assert [x["articleId"] for x in read_lines(feed)] == [a["articleId"] for a in items]
    # one transaction for the whole batch: every item was committed before the first went on
    assert stored_when_scraped == [{a["articleId"] for a in items}] * len(items)
    assert stats_of(crawler)["danvan/store/new"] == 7


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_a_faulty_item_fails_alone_and_its_batch_is_stored(tmp_path: Path):
    from scrapy import signals

    feed = tmp_path / "run.jsonl"
    settings = crawl_settings(tmp_path, feed)
    settings["ITEM_PIPELINES"] = {"danvan_crawler.pipelines.StorePipeline": 500}
    settings["DANVAN_STORE_BATCH"] = 3
    crawler = get_crawler(ItemsSpider, settings)
    errors: list[str] = []

    def item_error(item: Any, failure: Any) -> None:
        errors.append(f"{item['articleId']!r}: {failure.value}")

    crawler.signals.connect(item_error, signal=signals.item_error)
    items = [article("100"), article("200", articleId=""), article("300"), article("400")]
    yield crawler.crawl(items=items)
    assert errors == ["'': article without articleId"]
    assert [x["articleId"] for x in read_lines(feed)] == ["100", "300", "400"]
    with open_store(tmp_path / "danvan.db") as st:
        assert st.known_ids() == {"100", "300", "400"}


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_batch_size_one_writes_each_item_alone(tmp_path: Path):
    feed = tmp_path / "run.jsonl"
    settings = crawl_settings(tmp_path, feed)
    settings["DANVAN_STORE_BATCH"] = 1
    crawler = get_crawler(ItemsSpider, settings)
    yield crawler.crawl(items=_first_run_items())
    assert [(x["articleId"], x["change"], x["duplicateOf"]) for x in read_lines(feed)] == [
        ("100", "new", None),
        ("200", "new", None),
        ("400", "new", "100"),
    ]
    assert stats_of(crawler)["danvan/dedupe/same_id"] == 1


# -- tracking parameters: dropped where the page is read, before any pipeline --------------


@pytest.mark.e2e
@pytest_twisted.inlineCallbacks
def test_a_configured_tracking_param_is_stripped_from_stored_urls(tmp_path: Path):
    from scrapy.http import HtmlResponse, Request

    from danvan_crawler.spiders.portal import PortalSpider

    page = Path(__file__).parent / "fixtures" / "pages" / "images_captions"
    url = (page / "url.txt").read_text(encoding="utf-8").strip()
    html = (page / "body.html").read_text(encoding="utf-8")
    html = html.replace('.jpg"', '.jpg?ref=feed&utm_source=z"')
    assert "?ref=feed" in html
    reader = get_crawler(PortalSpider, {"DANVAN_TRACKING_PARAMS": ["ref"]})
    spider = PortalSpider.from_crawler(reader)
    assert "ref" in spider.profile.tracking_params
    assert "utm_source" in spider.profile.tracking_params  # the profile's list is kept
    fetched = url + "?ref=feed"
    response = HtmlResponse(fetched, body=html, encoding="utf-8", request=Request(fetched))
    item = spider.reader.read(response, url.rsplit("-", 1)[1], lambda *ids: [], lambda _: None)
    assert item.images and all("?" not in image["url"] for image in item.images)

    feed = tmp_path / "run.jsonl"
    crawler = get_crawler(ItemsSpider, crawl_settings(tmp_path, feed))
    yield crawler.crawl(items=[item])
    with open_store(tmp_path / "danvan.db") as st:
        stored = st.get(item.articleId)
    assert stored is not None
    assert stored["url"] == url
    assert [i["url"] for i in stored["images"]] == [i["url"] for i in item.images]
    assert "ref=" not in json.dumps(stored)
