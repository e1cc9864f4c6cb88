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


def _canonical_without_shortcut(url: str, base_url: str | None, hosts: tuple[str, ...]) -> str:
    """canonical_url as defined: join, query cleaning, w3lib canonicalization, same-site
    scheme and host, no trailing slash (no plain-URL shortcut)."""
    from urllib.parse import urljoin, urlsplit, urlunsplit

    from w3lib.url import canonicalize_url, url_query_cleaner

    url = url.strip()
    if base_url:
        url = urljoin(base_url + "/", url)
    url = url_query_cleaner(url, ("utm_source",), remove=True, keep_fragments=False)
    parts = urlsplit(canonicalize_url(url, keep_fragments=False))
    scheme, netloc = parts.scheme, parts.netloc
    if base_url:
        base = urlsplit(base_url)
        if (parts.hostname or "").lower() in {(base.hostname or "").lower(), *hosts}:
            scheme, netloc = base.scheme, base.netloc
    path = parts.path
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme.lower(), netloc.lower(), path or "/", parts.query, ""))


_URL_SEGMENT = st.sampled_from(
    [
        *("x", "vi-vn", "a-b", "1-2-3", "a.b", "X", "~u", "_", ".", "..", "", "%41", "é"),
        *("a;b", "a--b", "%E2%80%9C", "a%E2%80%9Db", "%e2%80%9c", "%C3", "%FF.x", "%7F"),
        *("%80", "%2F", "%2f", "%25", "%25E2", "%2E", "%2E%2E", "%E2%8", "%G0", "%9Z", "%"),
        *("x.%E1%BB%87", "\u201c", "%20", "%3F", "%23"),
    ]
)
_URL = st.builds(
    lambda scheme, host, port, segments, slash, tail: (
        f"{scheme}{host}{port}" + "".join("/" + s for s in segments) + slash + tail
    ),
    st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "//"]),
    st.sampled_from(["a.b", "nghean.dcs.vn", "127.0.0.1", "A.b", "a--b.c", "xn--80ak6aa92e.com"]),
    st.sampled_from(["", ":80", ":0080", ":8000", ":65535", ":65536", ":99999"]),
    st.lists(_URL_SEGMENT, max_size=5),
    st.sampled_from(["", "/"]),
    st.sampled_from(["", "?a=1", "?utm_source=x", "#f"]),
)


@given(_URL, st.sampled_from([None, "https://nghean.dcs.vn", "http://127.0.0.1:41234"]))
def test_plain_url_shortcut_gives_the_defined_result(url: str, base: str | None) -> None:
    hosts = ("nghean.dcs.vn",)
    try:
        expected: str | None = _canonical_without_shortcut(url, base, hosts)
    except ValueError:
        expected = None
    try:
        got: str | None = canonical_url(
            url, base, tracking_params=("utm_source",), same_site_hosts=hosts
        )
    except ValueError:
        got = None
    assert got == expected


@given(
    st.lists(st.sampled_from(["x", "a-b", "1-2-3", "y.jpg", "~u", ".", "..", "", "a b", "?q"])),
    st.sampled_from(
        [
            "http://a.b",
            "https://a.b/x/y?q=1#f",
            "http://127.0.0.1:8000/vi-vn/tin/a/1-2-3",
            "ftp://x/y",
            "http://A.b/x",
            "http://a.b:0080/",
            "http://a.b/x?trang=2",
            "http://a.b/x/?a=1&b=%2F/../y#f",
            "http://a.b/x#f?q",
            "http://a.b?x=1",
            "http://a.b:99999/x?y",
            "http://a.b/x?q=\n\t1#\r",
            "http://a.b/x?",
            "http://a.b/%41?q",
            "http://127.0.0.1:8000/vi-vn/tin/%E2%80%9Cx%E2%80%9D/1-2-3",
            "http://a.b/x y/\u00e9?q#f",
            "http://a.b/x\\y/../z",
            "http://a.b\\x/y",
            "http://a.b/x;p=1/y",
            "http://a.b/\tx/\ny",
            "http://a.b\t/x",
            "http://a.b#f",
            "http://a.b ",
            " http://a.b/x",
            "http://a.b/x%zz",
            "http://u@a.b/x",
        ]
    ),
)
def test_join_plain_is_urljoin(segments: list[str], base: str) -> None:
    from urllib.parse import urljoin

    from danvan_crawler.urls import join_plain

    url = "/" + "/".join(segments)
    joined = join_plain(base, url)
    assert joined is None or joined == urljoin(base, url)
    plain = all(s in ("x", "a-b", "1-2-3", "y.jpg", "~u") for s in segments)
    if base == "http://127.0.0.1:8000/vi-vn/tin/a/1-2-3" and plain:
        assert joined == "http://127.0.0.1:8000" + url  # the shortcut is taken where it applies
    if base == "http://a.b/x?trang=2" and plain:
        assert joined == "http://a.b" + url  # a base's query does not take it away
    if base == "http://127.0.0.1:8000/vi-vn/tin/%E2%80%9Cx%E2%80%9D/1-2-3" and plain:
        assert joined == "http://127.0.0.1:8000" + url  # nor does a percent-encoded path


@given(
    st.lists(st.sampled_from(["http://a.b", "/x", "/1-2-3", "/12", "/", "?q=4", "#5", "%2F7"])),
    st.sampled_from([r"(\d+)/?$", r"-(\d+)$"]),
)
def test_article_id_equals_its_uncached_definition(parts: list[str], pattern: str) -> None:
    import re
    from urllib.parse import urlsplit

    url = "".join(parts)
    compiled = re.compile(pattern)
    match = compiled.search(urlsplit(url).path)
    expected = match.group(1) if match else None
    assert article_id(url, compiled) == expected
    assert article_id(url, compiled) == expected  # asked again (cached)


def test_plain_path_segments_are_runs_of_units() -> None:
    # the possessive runs accept exactly the paths made of unreserved characters and
    # upper-case percent-encoded non-ASCII bytes (one unit after the other)
    import itertools
    import re

    from danvan_crawler.urls import _PLAIN_PATH_RE

    unit = r"(?:[A-Za-z0-9_~-]|%[89A-F][0-9A-F])"
    definition = re.compile(rf"(?:/{unit}+(?:\.{unit}+)*)+/?|/")
    alphabet = ["a", "-", "%E2", "%e2", "%41", ".", "/", "%", "!"]
    for size in range(6):
        for parts in itertools.product(alphabet, repeat=size):
            path = "/" + "".join(parts)
            assert bool(_PLAIN_PATH_RE.fullmatch(path)) == bool(definition.fullmatch(path)), path
    assert _PLAIN_PATH_RE.fullmatch("/" + "a" * 5000 + "%E2" * 2000 + "!") is None
