"""Places of Nghệ An (danvan_crawler.places): the gazetteer from the two packages, the
matcher's rules, and the enrich pipeline setting ``places``."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from danvan_crawler.gazetteer import gazetteer
from danvan_crawler.items import Article
from danvan_crawler.pipelines import EnrichPipeline
from danvan_crawler.places import find_places, place_slug


def names(article: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(p["name"], p["current"]) for p in find_places(article)]


def art(headline: str = "", body: str = "", **extra: Any) -> dict[str, Any]:
    return {"headline": headline, "articleBody": body, **extra}


def test_the_gazetteer_holds_todays_130_units_and_the_former_ones() -> None:
    gaz = gazetteer()
    current = [p for p in gaz.places.values() if p.current and p.level != "province"]
    assert len(current) == 130  # vietnam-provinces, after the 2025 reorganisation
    districts = [p for p in gaz.places.values() if p.level == "district"]
    assert len(districts) == 20 and not any(p.current for p in districts)
    assert {"Huyện Quỳnh Lưu", "Thị xã Thái Hòa", "Thành phố Vinh"} <= {p.name for p in districts}
    former = [p for p in gaz.places.values() if not p.current and p.level != "district"]
    assert len(former) > 250 and all(p.successor in gaz.places for p in former)
    slugs = [p.slug for p in gaz.places.values()]
    assert len(slugs) == len(set(slugs)) and all(s and s.isascii() for s in slugs)


def test_a_former_commune_tags_itself_and_todays_unit_and_both_find_the_article() -> None:
    found = names(art("Dân vận khéo ở xã Nghĩa Tiến, thị xã Thái Hoà"))
    assert ("Xã Nghĩa Tiến", False) in found
    assert ("Thị xã Thái Hòa", False) in found
    successor = gazetteer().places[
        next(p.successor for p in gazetteer().places.values() if p.name == "Xã Nghĩa Tiến")
    ]
    assert (successor.name, True) in found  # the article is in today's unit's feed too
    # today's name alone finds it as well
    assert (successor.name, True) in names(art(f"Hội nghị tại {successor.name.lower()}"))


def test_old_and_new_name_of_quynh_luu() -> None:
    assert names(art("Huyện Quỳnh Lưu ra quân")) == [("Huyện Quỳnh Lưu", False)]
    assert names(art("xã Quỳnh Lưu ra quân")) == [("Xã Quỳnh Lưu", True)]
    # a bare name of both: the unit of the article's time
    before = art("Quỳnh Lưu ra quân", datePublished="2024-03-01T08:00:00+07:00")
    after = art("Quỳnh Lưu ra quân", datePublished="2025-09-01T08:00:00+07:00")
    assert names(before) == [("Huyện Quỳnh Lưu", False)]
    assert names(after) == [("Xã Quỳnh Lưu", True)]


def test_tone_marks_their_placement_and_case_do_not_matter() -> None:
    expected = [("Thị xã Thái Hòa", False)]
    for text in ("thị xã Thái Hòa", "thị xã Thái Hoà", "THỊ XÃ THÁI HOÀ", "thi xa Thai Hoa"):
        assert names(art(text)) == expected, text


def test_marks_printed_must_be_the_names_marks() -> None:
    # Thanh Sơn is not Thành Sơn (two former communes); without marks, either
    assert ("Xã Thành Sơn", False) not in names(art("xã Thanh Sơn, huyện Anh Sơn"))
    assert ("Xã Thành Sơn", False) in names(art("xã Thành Sơn, huyện Anh Sơn"))
    assert ("Xã Thành Sơn", False) in names(art("xa Thanh Son, huyen Anh Son"))


def test_whole_words_only() -> None:
    assert names(art("Đồng chí Quỳnh Lưuxx và xã Nghĩa Tiếnhai")) == []
    assert names(art("Nhà văn Hoàng Maiphương")) == []
    # nor across punctuation
    assert names(art("huyện Quỳnh. Lưu")) == []


def test_bare_names_need_capitals_and_two_words() -> None:
    assert names(art("người dân quỳnh lưu")) == []
    assert names(art("lễ vinh danh ở Vinh")) == []  # one word: only with its kind
    assert names(art("thành phố Vinh")) == [("Thành phố Vinh", False)]
    assert names(art("TP. Vinh")) == [("Thành phố Vinh", False)]


def test_not_the_site_banner_nor_a_signature() -> None:
    body = "Cổng thông tin điện tử Đảng bộ tỉnh Nghệ An\nNội dung bài viết.\nHoàng Mai"
    article = art("Tin hoạt động", body, authors=[{"name": "Hoàng Mai", "nameRaw": "Hoàng Mai"}])
    assert names(article) == []
    # the signature's role line is the writer's, not the article's
    signed = art(
        "Tin hoạt động",
        "Nội dung bài viết.\nBài, ảnh: Nguyễn Văn An\nPhó Chủ tịch Ủy ban MTTQ huyện Quỳnh Lưu",
        authors=[{"name": "Nguyễn Văn An"}],
    )
    assert names(signed) == []
    sub_site = art("Tin hoạt động", "Banner Tỉnh ủy Nghệ An\nNội dung.", subSite="Tỉnh ủy Nghệ An")
    assert names(sub_site) == []
    # the same words in the text are places
    article = art("Tin hoạt động", "Nghệ An và Hoàng Mai.\nHoàng Mai")
    article["datePublished"] = "2025-09-01T08:00:00+07:00"
    article["authors"] = [{"name": "Hoàng Mai"}]
    assert names(article) == [("Nghệ An", True), ("Phường Hoàng Mai", True)]


def test_a_former_commune_of_one_name_in_two_districts_needs_its_district() -> None:
    gaz = gazetteer()
    twins = [p for p in gaz.places.values() if p.name == "Xã Bình Sơn" and not p.current]
    assert len(twins) == 2 and twins[0].district != twins[1].district
    assert names(art("xã Bình Sơn")) == []
    found = find_places(art(f"xã Bình Sơn, huyện {twins[0].district}"))
    assert [p["code"] for p in found if p["name"] == "Xã Bình Sơn"] == [twins[0].code]


def test_place_slugs_are_the_feed_names() -> None:
    found = find_places(art("huyện Quỳnh Lưu"))
    assert [place_slug(p) for p in found] == ["huyen-quynh-luu"]
    gone = {"name": "Xã Không Có", "code": "99999", "level": "commune", "current": False}
    assert place_slug(gone) == "xa-khong-co-99999"


@pytest.mark.parametrize("setting", [True, False])
def test_enrich_sets_places_unless_turned_off(setting: bool) -> None:
    crawler = get_crawler(settings_dict={"DANVAN_PLACES": setting})
    pipeline = EnrichPipeline.from_crawler(crawler)
    item = Article(
        articleId="1",
        url="https://nghean.dcs.vn/a",
        canonicalUrl="https://nghean.dcs.vn/a",
        headline="Dân vận khéo ở huyện Quỳnh Lưu",
        description=None,
        articleBody="Nội dung.",
        articleBodyHtml="<p>Nội dung.</p>",
        datePublished=None,
        datePublishedRaw=None,
    )
    out = pipeline.process_item(item)
    if setting:
        assert out.places == [
            {"name": "Huyện Quỳnh Lưu", "code": "421", "level": "district", "current": False}
        ]
        assert crawler.stats.get_value("danvan/enrich/with_places") == 1
    else:
        assert out.places is None
        assert out.documentRefs == []  # documents still looked for
