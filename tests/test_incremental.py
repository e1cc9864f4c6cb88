"""Incremental crawling against the replica over HTTP (issue 3, sections 6 and 8).

Every crawl is a real ``python -m danvan_crawler.cli crawl`` subprocess with its own
SQLite store in ``tmp_path``; request counts come from the replica's ``/_replica/stats``.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from danvan_crawler.store import open_store
from tests.conftest import ROOT, ReplicaClient
from tests.processes import article_count, run_until_killed

ARTICLES = 40
#: enough for listings of two or three pages (10 articles a page, 10 categories)
PAGED_ARTICLES = 120
PAGE_SIZE = 10
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def crawl_args(replica: ReplicaClient, db: Path, jsonl: Path | None, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", replica.url]
    args += ["--db", str(db), "--loglevel", "WARNING", *extra]
    if jsonl is not None:
        args += ["--jsonl", str(jsonl)]
    return args


def crawl(replica: ReplicaClient, db: Path, jsonl: Path | None = None, *extra: str) -> None:
    """One crawl to the end; it must exit 0."""
    proc = subprocess.run(
        crawl_args(replica, db, jsonl, *extra),
        cwd=db.parent,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def article_id(url: str) -> str:
    return re.findall(r"\d+", url.split("?")[0].rstrip("/"))[-1]


def category_count(replica: ReplicaClient) -> int:
    info = json.loads(replica.text("/_replica/info"))
    return len(info["categories"])


def stored(db: Path) -> dict[str, dict[str, Any]]:
    """Every stored article (without its crawl time), by id."""
    with open_store(db) as store:
        records = {}
        for record in store.export():
            record.pop("crawledAt", None)
            records[record["articleId"]] = record
        return records


def test_no_change_full_publish_edit_refresh(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=PAGED_ARTICLES)
    categories = category_count(replica)
    truth = replica.truth()
    per_category = Counter(c["url"] for t in truth for c in t["categories"])
    listing_pages = sum(math.ceil(n / PAGE_SIZE) for n in per_category.values())
    assert listing_pages > categories  # some listings have several pages
    shared = next(t for t in truth if len(t["categories"]) > 1)
    category = shared["categories"][0]["url"]
    in_category = {t["articleId"] for t in truth if category in {c["url"] for c in t["categories"]}}
    db = tmp_path / "store.db"

    # A first run restricted to one category: shared articles are stored with it only.
    crawl(replica, db, None, "-s", f"DANVAN_CATEGORIES={category}")
    with open_store(db) as store:
        assert store.known_ids() == in_category
        assert len(store.get(shared["articleId"])["categories"]) == 1

    # The whole site: known articles met in their other categories get them merged
    # without a fetch; all the others are fetched.
    replica.reset_stats()
    crawl(replica, db, tmp_path / "run1.jsonl")
    first = replica.stats()
    assert first["by_kind"]["article"] == PAGED_ARTICLES - len(in_category), first
    assert len(read_jsonl(tmp_path / "run1.jsonl")) == PAGED_ARTICLES - len(in_category)
    got = stored(db)
    assert sorted(got) == sorted(t["articleId"] for t in truth)
    for t in truth:
        want = {c["url"] for c in t["categories"]}
        assert {c["url"] for c in got[t["articleId"]]["categories"]} == want, t["articleId"]
    before = len(got)

    # A second run against the unchanged replica: no article page, listings answered 304.
    replica.reset_stats()
    crawl(replica, db, tmp_path / "run2.jsonl")
    stats = replica.stats()
    assert stats["by_kind"]["article"] == 0, stats
    assert stats["total"] <= categories + 2, stats
    assert stats["by_kind"]["listing"] > 0
    assert stats["by_kind_status"].get("listing/304") == stats["by_kind"]["listing"], stats
    assert read_jsonl(tmp_path / "run2.jsonl") == []

    # --full after the no-change run: every listing page, no known article page.
    replica.reset_stats()
    crawl(replica, db, tmp_path / "full.jsonl", "--full")
    stats = replica.stats()
    assert stats["by_kind"]["article"] == 0, stats
    assert stats["by_kind_status"].get("listing/200") == listing_pages, stats
    assert read_jsonl(tmp_path / "full.jsonl") == []

    # Three new articles and one edit: exactly those four article pages are fetched.
    published = {article_id(u) for u in replica.publish(3)}
    edited = {article_id(u) for u in replica.edit(1)}
    replica.reset_stats()
    crawl(replica, db, tmp_path / "run3.jsonl")
    stats = replica.stats()
    assert stats["by_kind"]["article"] == 4, stats
    assert stats["by_kind_status"].get("article/200") == 4, stats
    lines = read_jsonl(tmp_path / "run3.jsonl")
    changes = {line["articleId"]: line["change"] for line in lines}
    assert len(lines) == 4
    assert changes == {**dict.fromkeys(published, "new"), **dict.fromkeys(edited, "updated")}
    with open_store(db) as store:
        assert store.count() == before + 3
        # Categories stay complete: every category the replica lists them under.
        truth = {t["articleId"]: t for t in replica.truth()}
        for aid in published | edited:
            got = {c["url"] for c in store.get(aid)["categories"]}
            want = {c["url"] for c in truth[aid]["categories"]}
            assert got == want, aid

    # --refresh (one category, to keep the test short): every article page it lists is
    # fetched again, unconditionally; nothing changed, so nothing is emitted.
    category = json.loads(replica.text("/_replica/info"))["categories"][0]
    listed = [t for t in replica.truth() if category in {c["url"] for c in t["categories"]}]
    assert len(listed) > 10
    replica.reset_stats()
    refresh = ("--refresh", "-s", f"DANVAN_CATEGORIES={category}")
    crawl(replica, db, tmp_path / "refresh.jsonl", *refresh)
    stats = replica.stats()
    assert stats["by_kind_status"].get("article/200") == len(listed), stats
    assert stats["by_kind"]["article"] == len(listed), stats
    assert read_jsonl(tmp_path / "refresh.jsonl") == []

    # A run restricted to one category leaves the next run's category list whole.
    replica.reset_stats()
    crawl(replica, db)
    stats = replica.stats()
    assert stats["by_kind"]["article"] == 0, stats
    assert stats["by_kind_status"].get("listing/304") == categories, stats


def crawl_killed(replica: ReplicaClient, db: Path, when: Callable[[], bool]) -> bool:
    """Start a crawl and SIGKILL it as soon as ``when()``; False if it ended first."""
    return run_until_killed(crawl_args(replica, db, None), db.parent, ENV, when)


def test_sigkill_at_several_points_then_resume(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=ARTICLES)
    db = tmp_path / "killed.db"
    reference = tmp_path / "reference.db"

    # 1. During the listing phase (a few listing pages answered, no article yet).
    replica.reset_stats()
    killed = crawl_killed(replica, db, lambda: replica.stats()["by_kind"]["listing"] >= 3)
    assert killed
    # 2. After a few articles were stored, 3. after many more.
    for k in (3, ARTICLES // 2):
        assert crawl_killed(replica, db, lambda k=k: article_count(db) >= k)
    assert article_count(db) > 0
    crawl(replica, db)  # resumes to the end
    assert article_count(db) == ARTICLES

    # 4. An incremental run (25 new articles) killed midway.
    replica.publish(25)
    assert crawl_killed(replica, db, lambda: article_count(db) >= ARTICLES + 5)
    # The undisturbed crawl of the same world runs meanwhile (the world does not change).
    undisturbed = subprocess.Popen(
        crawl_args(replica, reference, None),
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    crawl(replica, db)
    _, err = undisturbed.communicate(timeout=600)
    assert undisturbed.returncode == 0, err[-3000:]
    got, want = stored(db), stored(reference)
    assert sorted(got) == sorted(want)
    assert got == want

    # Nothing is left over: the next run fetches no article page.
    replica.reset_stats()
    crawl(replica, db)
    assert replica.stats()["by_kind"]["article"] == 0
