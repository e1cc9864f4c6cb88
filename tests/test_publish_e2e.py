"""End to end: the replica with ``--xss`` payloads (bodies, headlines, authors, captions)
and hostile category and sub-site names, ``danvan run`` (crawl + publish) in a
subprocess, then every published file checked: parses, follows the store, carries no
active content; and ``danvan publish`` afterwards changes no byte."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser

from danvan_crawler.feeds.names import category_stems
from danvan_crawler.store import open_store
from tests.support.cli import danvan
from tests.support.safety import find_active_content, kind_of


def test_crawled_xss_replica_publishes_clean_feeds(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    replica = replica_factory(articles=40, xss=True)
    truth = replica.truth()
    planted = {r["articleId"] for r in truth if r.get("xss")}
    assert planted, "the replica planted no payload"
    db, out = tmp_path / "danvan.db", tmp_path / "feeds"
    public = "https://feeds.example.org/nghean/"
    common = ["--db", str(db), "--out", str(out), "--public-url", public]
    # hostile category and sub-site names too, through the operator's renaming setting
    # (the replica plants headlines, authors, captions and bodies)
    overrides = {
        "dan-van-kheo": {
            "name": "Dân vận <script>alert('xss-category')</script>",
            "subSite": "Ban <img src=x onerror=alert('xss-banner')>",
        },
        "thoi-su": {"name": "Thời sự <svg onload=alert(1)>"},
    }
    planting = ["-s", f"DANVAN_CATEGORY_OVERRIDES={json.dumps(overrides)}"]
    run = danvan("run", "--site", replica.url, *common, *planting, cwd=tmp_path)
    assert run.returncode in (0, 3), run.stderr[-3000:]

    files = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert "index.opml" in files and "index.html" in files
    for name, data in files.items():
        kind = kind_of(name)
        assert kind is not None, f"{name}: a published file the check does not read"
        assert find_active_content(data, kind) == [], name
        if name.endswith((".rss", ".atom")):
            assert not feedparser.parse(data).bozo, name
    with open_store(db) as store:
        names = " ".join(str(c["name"]) + str(c["subSite"]) for c in store.categories())
    assert "xss-category" in names and "xss-banner" in names  # planted, and stored so

    with open_store(db) as store:
        categories = store.categories()
        stems = category_stems(categories)
        wanted = {"all": store.latest(None, 50)}
        wanted |= {stems[c["url"]]: store.latest(c["url"], 50) for c in categories}
    assert len(categories) > 1
    for stem, articles in wanted.items():
        doc = json.loads(files[f"{stem}.json"])
        assert [i["id"].rsplit("/", 1)[1] for i in doc["items"]] == [
            a["articleId"] for a in articles
        ], stem
        atom = feedparser.parse(files[f"{stem}.atom"])
        assert [e.link for e in atom.entries] == [i["url"] for i in doc["items"]]
    published = {i["id"].rsplit("/", 1)[1] for i in json.loads(files["all.json"])["items"]}
    assert planted & published, "no planted article reached the feeds"

    again = danvan("publish", *common, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert ": 0 files written" in again.stdout
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == files
