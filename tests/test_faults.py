"""Faults (issue 6): the replica injects them (``--faults``), the crawler comes through.

Every crawl is a real ``python -m danvan_crawler.cli crawl`` subprocess against a replica
subprocess on 127.0.0.1, with its own SQLite store in ``tmp_path``; what is stored is
compared with the replica's ``/_replica/truth.jsonl``. Timeouts are short (the replica
hangs 2 s, the crawler waits 1 s) and backoff small, so the suite stays fast; nothing
asserts on time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from danvan_crawler.extract import ArticlePage, ListingPage
from danvan_crawler.profile import load_profile
from danvan_crawler.replica.faults import (
    Faults,
    FaultSpec,
    encode_cp1258,
    encode_ncr,
    parse_spec,
)
from danvan_crawler.resilience import backoff_delay, retry_after_seconds
from danvan_crawler.store import open_store
from tests.conftest import ROOT, ReplicaClient

ARTICLES = 60
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
#: fast settings for tests: short timeout, small backoff, Retry-After capped low
FAST = (
    "DOWNLOAD_TIMEOUT=1",
    "DANVAN_RETRY_BACKOFF_BASE=0.05",
    "DANVAN_RETRY_BACKOFF_MAX=0.5",
    "DANVAN_RETRY_AFTER_MAX=0.2",
)
NOT_STORED = ("crawledAt", "articleBodyHtml", "change", "fieldSources", "places")


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.returncode = proc.returncode
        self.log = proc.stderr
        self.stats = {k: int(v) for k, v in re.findall(r"'([a-z_]+/[^']+)': (\d+),?\n", self.log)}

    def faults(self) -> dict[str, int]:
        return {
            k.removeprefix("danvan/fault/"): v
            for k, v in self.stats.items()
            if k.startswith("danvan/fault/")
        }

    def warnings(self) -> list[str]:
        return [line for line in self.log.splitlines() if " WARNING: " in line]


def crawl(replica: ReplicaClient, db: Path, *settings: str, fast: bool = True) -> Run:
    args = [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", replica.url]
    args += ["--db", str(db), "--loglevel", "INFO"]
    for setting in (*(FAST if fast else ()), *settings):
        args += ["-s", setting]
    proc = subprocess.run(
        args, cwd=db.parent, env=ENV, capture_output=True, text=True, timeout=600, check=False
    )
    return Run(proc)


def stored(db: Path) -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        out = {}
        for record in store.export():
            for key in NOT_STORED:
                record.pop(key, None)
            out[record["articleId"]] = record
        return out


def truth_of(replica: ReplicaClient) -> dict[str, dict[str, Any]]:
    return {t["articleId"]: {k: v for k, v in t.items() if k != "xss"} for t in replica.truth()}


def wrong_records(got: dict[str, dict[str, Any]], truth: dict[str, dict[str, Any]]) -> list[str]:
    """Ids stored with a value that differs from the truth (or not in the truth)."""
    return sorted(aid for aid, rec in got.items() if truth.get(aid) != rec)


def replica_faults(replica: ReplicaClient) -> dict[str, int]:
    return dict(replica.stats()["faults"])


# --- the spec and the injector, pure --------------------------------------------------------


def test_parse_spec_reads_probabilities_switches_and_parameters() -> None:
    spec = parse_spec("5xx=0.1,timeout=0.05,truncate=0.02,reset=0.02,429=0.05,trap,charset,hang=3")
    assert spec.transient == {
        "5xx": 0.1,
        "timeout": 0.05,
        "truncate": 0.02,
        "reset": 0.02,
        "429": 0.05,
    }
    assert spec.trap and not spec.loop
    assert spec.content == {"cp1258": 0.25}
    assert spec.hang == 3
    for bad in ("5xx", "5xx=2", "nope=1", "timeout=x", "5xx=0.6,timeout=0.6"):
        with pytest.raises(ValueError):
            parse_spec(bad)


def test_faults_are_deterministic_per_path_and_attempt_and_retries_can_succeed() -> None:
    spec = parse_spec("5xx=0.3,timeout=0.2")
    one, two = Faults(spec, seed=7), Faults(spec, seed=7)
    paths = [f"/vi-vn/tin/x/1-2-{i}" for i in range(200)]
    first = [one.transient(p) for p in paths]
    assert first == [two.transient(p) for p in paths]
    assert 0 < sum(f is not None for f in first) < len(paths)
    # every path eventually answers: attempts draw again
    for path in paths:
        assert any(one.transient(path) is None for _ in range(30))
    other = Faults(spec, seed=8)
    assert [other.transient(p) for p in paths] != first


def test_cp1258_and_ncr_encodings_round_trip_to_the_same_text() -> None:
    text = "Thứ Hai, Nghệ An: công tác dân vận khéo – “hoá/hóa” ạ ỹ Đảng ủy\u200b"
    raw = encode_cp1258(text)
    decoded = raw.decode("cp1258")
    # windows-1258 writes tone marks as combining characters: the same text after NFC
    assert decoded != text
    import unicodedata

    from danvan_crawler.text import clean_text

    assert unicodedata.normalize("NFC", decoded.replace("&#8203;", "\u200b")) == text
    assert clean_text(decoded.replace("&#8203;", "")) == clean_text(text)
    assert b"&#7841;" in encode_ncr("ạ")


def test_backoff_and_retry_after() -> None:
    assert [backoff_delay(n, 1.0, 10.0) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]
    assert backoff_delay(3, 0, 10) == 0
    assert retry_after_seconds(b"7") == 7
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30


# --- encodings and malformed markup: the same text as the UTF-8 twin -----------------------


def _fetch(url: str) -> HtmlResponse:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url) as resp:
        return HtmlResponse(
            url, body=resp.read(), headers={"Content-Type": resp.headers["Content-Type"]}
        )


@pytest.mark.parametrize("spec", ["cp1258=1", "ncr=1", "malformed=1"])
def test_encoded_and_malformed_pages_extract_like_their_utf8_twins(
    replica_factory: Callable[..., ReplicaClient], spec: str
) -> None:
    plain = replica_factory(articles=20)
    faulty = replica_factory(articles=20, faults=spec)
    truth = plain.truth()
    checked = 0
    for record in truth:
        path = record["url"][len(plain.base) :]
        results = []
        for rep in (plain, faulty):
            response = _fetch(rep.base + path)
            if spec.startswith("cp1258"):
                assert rep is plain or "windows-1258" in (
                    response.headers.get("Content-Type", b"").decode() + response.text[:300]
                )
            profile = load_profile("nghean", base_url=rep.base)
            fields = ArticlePage(response.text, response.url, profile).extract().fields
            results.append(json.loads(json.dumps(fields, ensure_ascii=False).replace(rep.base, "")))
        assert results[0] == results[1], path
        assert results[1]["articleBody"] == record["articleBody"]
        checked += 1
    # listing pages too (entries and pager)
    for category in json.loads(plain.text("/_replica/info"))["categories"]:
        path = category[len(plain.base) :]
        pages = []
        for rep in (plain, faulty):
            response = _fetch(rep.base + path)
            listing = ListingPage(
                response.text, response.url, load_profile("nghean", base_url=rep.base)
            )
            pages.append(([(e.article_id, e.title) for e in listing.entries], listing.title))
        assert pages[0] == pages[1]
    assert checked == 20
    counted = replica_faults(faulty)
    assert counted.get(spec.split("=")[0], 0) > 0


# --- end to end ------------------------------------------------------------------------------


def test_transient_faults_all_articles_stored_correctly_within_two_runs(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(
        articles=ARTICLES, faults="5xx=0.1,timeout=0.05,truncate=0.02,hang=2", seed=3
    )
    truth = truth_of(replica)
    db = tmp_path / "faulty.db"
    runs = [crawl(replica, db)]
    if set(stored(db)) != set(truth):
        runs.append(crawl(replica, db))
    got = stored(db)
    assert sorted(got) == sorted(truth), runs[-1].log[-3000:]
    assert wrong_records(got, truth) == []
    injected = replica_faults(replica)
    assert injected.get("5xx", 0) > 0 and injected.get("timeout", 0) > 0
    counted: dict[str, int] = {}
    for run in runs:
        for kind, n in run.faults().items():
            counted[kind] = counted.get(kind, 0) + n
    # every injected fault the crawler saw is counted by kind
    assert counted.get("http_5xx", 0) == injected["5xx"]
    assert counted.get("timeout", 0) >= injected["timeout"]


def test_truncated_pages_are_retried_and_never_stored(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    # a third of the answers cut short (data loss, a plausible Content-Length, empty)
    replica = replica_factory(articles=ARTICLES, faults="truncate=0.35", seed=5)
    truth = truth_of(replica)
    db = tmp_path / "truncated.db"
    # few retries, no later round: some pages are given up
    first = crawl(replica, db, "RETRY_TIMES=1", "DANVAN_RETRY_ROUNDS=0")
    got = stored(db)
    # what is stored is whole; its categories may lack one whose listing page was lost
    for aid, record in got.items():
        want = truth[aid]
        assert {k: v for k, v in record.items() if k != "categories"} == {
            k: v for k, v in want.items() if k != "categories"
        }
        assert all(c in want["categories"] for c in record["categories"])
    assert replica_faults(replica)["truncate"] > 10
    faults = first.faults()
    assert faults.get("truncated", 0) > 0 and faults.get("empty", 0) > 0
    assert faults.get("gave_up", 0) > 0 and len(got) < len(truth)
    # what failed is not marked known: the next runs pick it up
    for _ in range(3):
        if set(stored(db)) == set(truth):
            break
        crawl(replica, db)
    got = stored(db)
    assert sorted(got) == sorted(truth)
    assert wrong_records(got, truth) == []


def test_resets_and_429_with_retry_after(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=ARTICLES, faults="reset=0.1,429=0.15,retry_after=1", seed=2)
    truth = truth_of(replica)
    db = tmp_path / "throttled.db"
    run = crawl(replica, db)
    got = stored(db)
    assert sorted(got) == sorted(truth) and wrong_records(got, truth) == []
    injected = replica_faults(replica)
    assert run.faults().get("http_429") == injected["429"] > 0
    # Twisted retries a GET once by itself when a reused connection is reset, so the
    # crawler sees some of the resets only (or none): surviving them is what counts
    assert injected["reset"] > 0
    assert run.faults().get("connection", 0) <= injected["reset"]


def test_trap_loop_encodings_tag_soup_duplicates_end_to_end(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    # with wrong encodings, tag soup and duplicate entries on the way
    replica = replica_factory(
        articles=ARTICLES,
        faults="trap,loop,cp1258=0.35,ncr=0.35,malformed=0.4,duplicates=0.6",
        seed=4,
    )
    info = json.loads(replica.text("/_replica/info"))
    loop_url = info["faults"]["loop_url"]
    truth = truth_of(replica)
    db = tmp_path / "trap.db"
    run = crawl(replica, db)
    got = stored(db)
    assert sorted(got) == sorted(truth) and wrong_records(got, truth) == []
    stats = replica.stats()
    categories = len(info["categories"])
    listed = [
        sum(1 for t in truth.values() if c in {x["url"] for x in t["categories"]})
        for c in info["categories"]
    ]
    real_pages = sum(max(1, -(-n // 10)) for n in listed)
    # each trapped category costs at most a couple of pages past its last one
    assert stats["by_kind"]["listing"] <= real_pages + 2 * categories + 1
    assert replica_faults(replica)["trap"] <= 2 * categories
    traps = [w for w in run.warnings() if "pagination trap" in w]
    assert traps and all("trang=" in w for w in traps)
    # the loop: a handful of hops, a warning naming the looping URL
    assert replica_faults(replica)["redirect_loop"] <= 6
    assert any("redirect loop" in w and loop_url in w for w in run.warnings())
    assert run.faults().get("redirect_loop") == 1
    assert run.faults().get("pagination_trap", 0) >= 1
    injected = replica_faults(replica)
    assert all(injected.get(k, 0) > 0 for k in ("cp1258", "ncr", "malformed", "duplicates"))


def test_page_limit_per_category(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=ARTICLES, faults="trap", seed=1)
    db = tmp_path / "limit.db"
    run = crawl(replica, db, "DANVAN_MAX_PAGES_PER_CATEGORY=1")
    categories = len(json.loads(replica.text("/_replica/info"))["categories"])
    assert replica.stats()["by_kind"]["listing"] == categories
    limited = [w for w in run.warnings() if "DANVAN_MAX_PAGES_PER_CATEGORY" in w]
    assert limited and all("trang=" in w for w in limited)
    assert run.faults().get("page_limit", 0) >= len(limited)


def test_huge_page_is_dropped_not_stored(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=20, faults="huge=20", seed=1)
    huge_url = json.loads(replica.text("/_replica/info"))["faults"]["huge_url"]
    huge_id = re.findall(r"\d+", huge_url)[-1]
    truth = truth_of(replica)
    db = tmp_path / "huge.db"
    run = crawl(replica, db)
    got = stored(db)
    assert sorted(got) == sorted(set(truth) - {huge_id})
    assert wrong_records(got, truth) == []
    assert run.faults().get("too_large", 0) >= 1
    assert any(huge_id in w for w in run.warnings() if "too large" in w)


def test_spec_object_defaults_are_inactive() -> None:
    assert not FaultSpec().active
    assert parse_spec("").describe() == ""


def test_callback_errors_are_counted_drops_and_faults_reach_the_summary() -> None:
    from scrapy.utils.test import get_crawler

    from danvan_crawler.middlewares.spider import CallbackErrors
    from danvan_crawler.spiders.portal import PortalSpider
    from danvan_crawler.summary import summarize

    crawler = get_crawler(PortalSpider, {"DANVAN_SITE_URL": "http://127.0.0.1:9"})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    middleware = CallbackErrors.from_crawler(crawler)
    response = HtmlResponse("http://127.0.0.1:9/vi-vn/tin/x/1-2-3", body=b"<html></html>")
    assert middleware.process_spider_exception(response, ValueError("bad page")) == []
    stats = crawler.stats.get_stats()
    assert stats["danvan/fault/parse_error"] == 1
    assert stats["danvan/validate/dropped/parse_error"] == 1
    summary = summarize({**stats, "danvan/fault/timeout": 3})
    assert summary.faults == {"parse_error": 1, "timeout": 3}
    assert "faults met: parse_error 1, timeout 3" in summary.paragraph()
    assert summary.invalid_by_reason == {"parse_error": 1}


@pytest.mark.e2e
def test_bad_faults_spec_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "danvan_crawler.replica", "--faults", "5xx=2,bogus"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--faults" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_pagination_guard_uses_the_ids_the_spider_read() -> None:
    """A listing page's ids come from the spider's callback (``LISTING_IDS_META``), not a
    second parse: a page whose ids were all listed before is a trap even though its body
    (empty here) lists nothing."""
    from scrapy.http import Request
    from scrapy.utils.test import get_crawler

    from danvan_crawler.middlewares.spider import PaginationGuard
    from danvan_crawler.resilience import CATEGORY_META, LISTING_IDS_META
    from danvan_crawler.spiders.portal import PortalSpider

    def parse_listing(response: Any, category_url: str) -> None:
        return None

    cat = "http://127.0.0.1:9/vi-vn/chuyen-muc/a/1-2"
    guard = PaginationGuard(get_crawler(PortalSpider, {"DANVAN_SITE_URL": "http://127.0.0.1:9"}))

    def outputs(page: int, ids: list[str]) -> list[Any]:
        request = Request(f"{cat}?trang={page}", callback=parse_listing)
        request.cb_kwargs["category_url"] = cat
        request.meta[CATEGORY_META] = cat
        request.meta[LISTING_IDS_META] = ids
        response = HtmlResponse(request.url, body=b"", request=request)
        following = Request(f"{cat}?trang={page + 1}", callback=parse_listing)
        following.cb_kwargs["category_url"] = cat
        following.meta[CATEGORY_META] = cat
        return list(guard.process_spider_output(response, [following, {"x": page}]))

    assert len(outputs(1, ["1", "2"])) == 2
    assert len(outputs(2, ["3"])) == 2
    trapped = outputs(3, ["1", "3"])
    assert trapped == [{"x": 3}]  # the next page link is not followed
    assert guard.crawler.stats is not None
    assert guard.crawler.stats.get_value("danvan/fault/pagination_trap") == 1
