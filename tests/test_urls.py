"""Unit tests of danvan_crawler.urls."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan_crawler.urls import article_id, canonical_url, set_query

BASE = "https://nghean.dcs.vn"
PRIMARY = (
    "https://nghean.dcs.vn/vi-vn/tin/dan-van-kheo-%E2%80%9Cxu-nghe%E2%80%9D/73410-486108-559264"
)


@pytest.mark.parametrize(
    "url",
    [
        PRIMARY,
        PRIMARY + "/",
        PRIMARY + "?utm_source=zalo&utm_medium=chat&utm_campaign=x",
        PRIMARY + "?fbclid=IwAR0&zarsrc=30&gidzl=abc#comments",
        PRIMARY.replace("https:", "http:"),
        PRIMARY.lower().replace("%e2%80%9c", "%e2%80%9c"),
        "https://nghean.dcs.vn/vi-vn/tin/dan-van-kheo-“xu-nghe”/73410-486108-559264",
        "/vi-vn/tin/dan-van-kheo-%e2%80%9cxu-nghe%e2%80%9d/73410-486108-559264/",
        "HTTPS://NGHEAN.DCS.VN/vi-vn/tin/dan-van-kheo-%E2%80%9Cxu-nghe%E2%80%9D/73410-486108-559264",
    ],
)
def test_spellings_of_one_url_canonicalize_alike(url: str) -> None:
    assert canonical_url(url, BASE) == PRIMARY


def test_raw_replacement_character_is_encoded() -> None:
    url = "https://nghean.dcs.vn/vi-vn/tin/xa-thuy-s\ufffdn/73410-552301-200835"
    assert canonical_url(url, BASE) == (
        "https://nghean.dcs.vn/vi-vn/tin/xa-thuy-s%EF%BF%BDn/73410-552301-200835"
    )


def test_other_query_arguments_are_kept_sorted() -> None:
    url = "/vi-vn/chuyen-muc/dan-van-kheo/405534-193312?utm_source=x&trang=2&a=1"
    assert canonical_url(url, BASE) == (
        "https://nghean.dcs.vn/vi-vn/chuyen-muc/dan-van-kheo/405534-193312?a=1&trang=2"
    )


def test_scheme_and_host_follow_the_site_base() -> None:
    replica = "http://127.0.0.1:8123"
    assert canonical_url("https://127.0.0.1:8123/vi-vn/tin/a/1-2-3/", replica) == (
        "http://127.0.0.1:8123/vi-vn/tin/a/1-2-3"
    )
    assert (
        canonical_url(
            "https://nghean.dcs.vn/vi-vn/tin/a/1-2-3", replica, same_site_hosts=["nghean.dcs.vn"]
        )
        == "http://127.0.0.1:8123/vi-vn/tin/a/1-2-3"
    )


def test_other_hosts_keep_theirs() -> None:
    assert canonical_url("https://www.facebook.com/share/?u=1#x", BASE) == (
        "https://www.facebook.com/share?u=1"
    )


def test_root_keeps_its_slash() -> None:
    assert canonical_url("https://nghean.dcs.vn", BASE) == "https://nghean.dcs.vn/"
    assert canonical_url("/", BASE) == "https://nghean.dcs.vn/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (PRIMARY, "559264"),
        (PRIMARY + "/", "559264"),
        ("https://nghean.dcs.vn/vi-vn/tin/x/506432-16570-573701?utm_source=a", "573701"),
        ("https://nghean.dcs.vn/vi-vn/tin/khong-so", None),
    ],
)
def test_article_id_is_the_numeric_tail(url: str, expected: str | None) -> None:
    assert article_id(url) == expected


def test_set_query() -> None:
    url = "https://nghean.dcs.vn/c/1-2?trang=3"
    assert set_query(url, trang=None) == "https://nghean.dcs.vn/c/1-2"
    assert set_query(url, trang="4") == "https://nghean.dcs.vn/c/1-2?trang=4"


_SEGMENT = st.text(
    alphabet=st.sampled_from("abcxyz019-_.~%”“\ufffdđâ "), min_size=1, max_size=12
).filter(lambda s: s not in {".", ".."})


@given(st.lists(_SEGMENT, min_size=1, max_size=4), st.sampled_from(["", "/", "?utm_source=x"]))
def test_canonical_url_is_idempotent(segments: list[str], tail: str) -> None:
    url = "http://nghean.dcs.vn/" + "/".join(segments) + tail
    once = canonical_url(url, BASE)
    assert canonical_url(once, BASE) == once
    assert once.startswith(BASE + "/")
    assert all(ord(ch) < 128 for ch in once) and " " not in once
    assert "utm_source" not in once
