"""``danvan demo`` end to end: replica, crawl, store, feeds, in a subprocess as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import feedparser
import pytest

from tests.test_serve import serving


@pytest.mark.e2e
def test_demo_crawls_the_replica_and_publishes_feeds(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "danvan_crawler", "demo", "--out", str(out), "--articles", "40"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "replica portal serving at http://127.0.0.1:" in result.stdout
    assert f"JSON Lines: {(out / 'articles.jsonl').resolve()}" in result.stdout

    lines = (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    articles = [json.loads(line) for line in lines]
    assert len(articles) == 40
    assert len({a["articleId"] for a in articles}) == 40
    assert all(a["change"] == "new" for a in articles)

    feeds = out / "feeds"
    assert (feeds / "index.html").exists() and (feeds / "index.opml").exists()
    everything = feedparser.parse((feeds / "all.atom").read_bytes())
    assert not everything.bozo
    originals = [a for a in articles if not a.get("duplicateOf")]
    assert len(everything.entries) == len(originals)
    category_feeds = [p for p in feeds.glob("*.rss") if p.name != "all.rss"]
    assert len(category_feeds) >= 8

    # It ends with the one command that serves what it made, and that command works.
    command = result.stdout.splitlines()[-1].split()
    assert command == ["danvan", "serve", "--dir", str(out / "feeds")]
    with (
        serving(Path(command[3])) as port,
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page,
    ):
        assert page.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Tất cả chuyên mục" in page.read().decode("utf-8")
