"""One store, one portal, whatever host served it: after the site's base URL changes
(another replica port here; an http -> https move or a ``www.`` prefix is the same case),
``danvan run`` and ``danvan publish`` keep working, with the same feed names and one
category per category; ``danvan demo`` runs any number of times into one folder."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from danvan_crawler.store import open_store
from tests.support.cli import danvan as run_danvan


def danvan(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_danvan(*args, cwd=cwd, timeout=600)


def site_key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def feed_names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_a_new_base_url_is_the_same_portal(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    first = replica_factory(articles=40, seed=3)
    db, out = tmp_path / "danvan.db", tmp_path / "feeds"
    common = ["--db", str(db), "--out", str(out), "--public-url", "https://feeds.example.org/"]
    done = danvan(tmp_path, "run", "--site", first.url, *common)
    assert done.returncode == 0, done.stderr[-3000:]
    names = feed_names(out)
    with open_store(db) as store:
        before = store.categories()
    assert len(before) == 10

    first.stop()
    moved = replica_factory(articles=40, seed=3)  # the same world on another port
    moved.edit(2)  # and the site moves on: some pages are fetched under the new host
    assert urlsplit(moved.url).port != urlsplit(first.url).port
    for _ in range(2):  # every later run too, not only the first after the move
        again = danvan(tmp_path, "run", "--site", moved.url, *common)
        assert again.returncode == 0, again.stderr[-3000:]
    published = danvan(tmp_path, "publish", *common)
    assert published.returncode == 0, published.stderr[-3000:]
    assert feed_names(out) == names  # the same feed names, no new file

    with open_store(db) as store:
        categories = store.categories()
        records = list(store.export())
    # one category per path, under the host it was seen at last
    assert sorted(site_key(c["url"]) for c in categories) == sorted(
        site_key(c["url"]) for c in before
    )
    assert {urlsplit(c["url"]).netloc for c in categories} == {urlsplit(moved.url).netloc}
    for record in records:  # no article lists a category twice
        keys = Counter(site_key(c["url"]) for c in record["categories"])
        assert max(keys.values()) == 1, record["articleId"]
    # the feeds carry each category once too
    everything = json.loads((out / "all.json").read_bytes())
    for item in everything["items"]:
        assert len(item.get("tags", [])) == len(set(item.get("tags", []))), item["id"]
    opml = (out / "index.opml").read_text("utf-8")
    # the categories' feeds (places/ and documents/ feeds are listed in their own groups)
    category_feeds = [u for u in re.findall(r'type="rss"[^>]*xmlUrl="([^"]+)"', opml)]
    category_feeds = [u for u in category_feeds if "/places/" not in u and "/documents/" not in u]
    assert len(category_feeds) == len(categories)
    for name in names:
        if name.endswith(".atom"):
            assert not feedparser.parse((out / name).read_bytes()).bozo, name


@pytest.mark.e2e
def test_the_demo_runs_twice_into_one_folder(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    for attempt in range(2):
        done = danvan(tmp_path, "demo", "--out", str(out), "--articles", "30")
        assert done.returncode == 0, (attempt, done.stderr[-3000:])
        assert (out / "feeds" / "all.atom").is_file()
    rss = [p for p in (out / "feeds").glob("*.rss") if p.name != "all.rss"]
    assert len(rss) == 10  # one feed per category: the second run added none
