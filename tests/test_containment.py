"""Containment (issue 6, section 5): hostile markup is not taken for images or stored as
active HTML; only the portal's host is crawled whatever redirects say; file names
derived from the site stay plain."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler.extract.article_tree import is_web_url
from danvan_crawler.feeds.names import category_stems
from tests.conftest import ReplicaClient
from tests.test_faults import crawl, replica_faults, stored, truth_of, wrong_records

ACTIVE_TAGS = re.compile(r"script|iframe|svg|object|embed|form|style|math|frame|base|link|meta")


def test_web_urls_only() -> None:
    assert is_web_url("http://127.0.0.1:8000/Uploads/a.jpg")
    assert is_web_url("https://nghean.dcs.vn/a.pdf")
    for bad in (
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:image/png;base64,AAAA",
        "vbscript:x",
        "file:///etc/passwd",
        "//host/x",
        "http:///x",
        "",
    ):
        assert not is_web_url(bad), bad


def test_xss_articles_and_offsite_redirect(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=60, xss=True, faults="offsite", seed=1)
    offsite_url = json.loads(replica.text("/_replica/info"))["faults"]["offsite_url"]
    offsite_id = re.findall(r"\d+", offsite_url)[-1]
    truth = truth_of(replica)
    xss_ids = {t["articleId"] for t in replica.truth() if t.get("xss")}
    assert xss_ids
    db = tmp_path / "xss.db"
    run = crawl(replica, db)
    got = stored(db)

    # the redirect to another host (localhost) is not followed, and it is said
    assert replica_faults(replica).get("offsite_served", 0) == 0
    assert replica_faults(replica)["offsite_redirect"] >= 1
    assert run.faults().get("offsite_redirect", 0) >= 1
    assert any("redirect off the site" in w and offsite_id in w for w in run.warnings())
    assert offsite_id not in got
    assert sorted(got) == sorted(set(truth) - {offsite_id})

    # xss articles: no javascript: image, mainImage as the truth says (null when none)
    assert wrong_records(got, truth) == []
    for aid in xss_ids - {offsite_id}:
        assert got[aid]["mainImage"] == truth[aid]["mainImage"]
    host = replica.base
    for record in got.values():
        urls = [i["url"] for i in record["images"]] + [a["url"] for a in record["attachments"]]
        if record["mainImage"]:
            urls.append(record["mainImage"]["url"])
        assert all(u.startswith(host + "/") for u in urls), urls

    # the stored HTML is inert (sanitized before storage)
    from danvan_crawler.store import open_store

    with open_store(db) as store:
        for record in store.export():
            assert inert(record["articleBodyHtml"]), record["articleId"]


def inert(html: str) -> bool:
    """No active element, no event handler, no URL other than http(s) in the markup."""
    if not html.strip():
        return True
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if ACTIVE_TAGS.fullmatch(el.tag):
            return False
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or name.lower() == "style":
                return False
            if name.lower() in ("href", "src") and not is_web_url(value):
                return False
    return True


hostile = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["../../etc/passwd", "..", "/", "a/../../b", "CON", "all", "index", "\x00", "%2e%2e%2f", " "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(hostile, hostile, hostile), min_size=1, max_size=6))
def test_feed_file_names_from_hostile_site_text_stay_plain(
    cats: list[tuple[str, str, str]],
) -> None:
    categories = [
        {
            "url": f"https://nghean.dcs.vn/vi-vn/chuyen-muc/{i}/1-{i}",
            "slug": s,
            "subSite": b,
            "name": n,
        }
        for i, (s, b, n) in enumerate(cats)
    ]
    stems = category_stems(categories)
    assert len(set(stems.values())) == len(stems)
    for stem in stems.values():
        assert re.fullmatch(r"[a-z0-9]+(?:-+[a-z0-9]+)*(?:-[0-9a-f]{8})?", stem), stem
        assert "--" in stem  # never "all" or "index"
        assert len(stem) <= 2 * 60 + 2 + 9
