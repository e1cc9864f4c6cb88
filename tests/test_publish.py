"""``publish`` from a real SQLite store, and the ``danvan publish`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from danvan_crawler.feeds import publish
from danvan_crawler.feeds.names import category_stems
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories
from danvan_crawler.store import open_store
from tests.support.safety import XSS_PAYLOADS, find_active_content

REPO = Path(__file__).resolve().parents[1]
BASE = "http://127.0.0.1:8123"
PUBLIC = "https://feeds.example.org/nghean/"
LIMIT = 8


@pytest.fixture
def store(tmp_path: Path):
    store = open_store(tmp_path / "danvan.db")
    categories = synthetic_categories(BASE)
    store.upsert(
        [synthetic_article(n, categories, BASE) for n in range(40)], detect_duplicates=False
    )
    yield store
    store.close()


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_feeds_follow_the_store(store, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    result = publish(store, out, PUBLIC, LIMIT)
    categories = store.categories()
    stems = category_stems(categories)
    assert result.feeds == len(categories) + 1
    expected = {"all": store.latest(None, LIMIT)}
    expected |= {stems[c["url"]]: store.latest(c["url"], LIMIT) for c in categories}
    for stem, articles in expected.items():
        assert articles, stem
        for ext in (".rss", ".atom"):
            parsed = feedparser.parse((out / f"{stem}{ext}").read_bytes())
            assert not parsed.bozo, (stem, ext)
            assert [e.title for e in parsed.entries] == [a["headline"] for a in articles]
            for entry in parsed.entries:
                assert entry.id and entry.link and entry.title and entry.published_parsed
        doc = json.loads((out / f"{stem}.json").read_bytes())
        assert [i["id"].rsplit("/", 1)[1] for i in doc["items"]] == [
            a["articleId"] for a in articles
        ]
    assert sorted(result.written) == sorted(files_of(out))
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_publishing_twice_gives_identical_bytes_and_touches_nothing(store, tmp_path) -> None:
    out = tmp_path / "feeds"
    publish(store, out, PUBLIC, LIMIT)
    before = files_of(out)
    stats = {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.iterdir()}
    again = publish(store, out, PUBLIC, LIMIT)
    assert again.written == []
    assert sorted(again.unchanged) == sorted(before)
    assert files_of(out) == before
    assert {p.name: (p.stat().st_mtime_ns, p.stat().st_ino) for p in out.iterdir()} == stats
    # a fresh folder from the same store: the same bytes
    other = tmp_path / "other"
    publish(store, other, PUBLIC, LIMIT)
    assert files_of(other) == before


def test_a_change_rewrites_only_the_feeds_it_is_in_atomically(store, tmp_path) -> None:
    out = tmp_path / "feeds"
    publish(store, out, PUBLIC, LIMIT)
    newest = store.latest(None, 1)[0]
    inode = (out / "all.rss").stat().st_ino
    edited = dict(newest, headline=newest["headline"] + " (đã sửa)")
    edited["dateModified"] = "2030-01-01T10:00:00+07:00"
    store.upsert([edited], detect_duplicates=False)
    result = publish(store, out, PUBLIC, LIMIT)
    stems = category_stems(store.categories())
    touched = {"all"} | {stems[c["url"]] for c in newest["categories"]}
    expected = {f"{s}{e}" for s in touched for e in (".rss", ".atom", ".json")} | {"index.html"}
    assert set(result.written) == expected
    assert (out / "all.rss").stat().st_ino != inode  # replaced by rename, not rewritten
    assert "(đã sửa)" in feedparser.parse((out / "all.atom").read_bytes()).entries[0].title
    channel = etree.fromstring((out / "all.rss").read_bytes()).find("channel")
    assert channel.findtext("lastBuildDate") == "Tue, 01 Jan 2030 10:00:00 +0700"


def test_vanished_category_feeds_are_kept(store, tmp_path) -> None:
    out = tmp_path / "feeds"
    publish(store, out, PUBLIC, LIMIT)
    (out / "hand-made.txt").write_text("kept")
    stems = category_stems(store.categories())
    gone = store.categories()[0]
    # new articles never mention the first category again
    remaining = [c for c in synthetic_categories(BASE) if c["url"] != gone["url"]]
    store.upsert(
        [synthetic_article(n, remaining, BASE) for n in range(100, 120)], detect_duplicates=False
    )
    publish(store, out, PUBLIC, LIMIT)
    feed = feedparser.parse((out / f"{stems[gone['url']]}.rss").read_bytes())
    assert [e.title for e in feed.entries] == [
        a["headline"] for a in store.latest(gone["url"], LIMIT)
    ]
    assert (out / "hand-made.txt").read_text() == "kept"
    assert stems[gone["url"]] + ".rss" in (out / "index.opml").read_text()


def test_duplicates_never_appear(store, tmp_path) -> None:
    categories = synthetic_categories(BASE)
    original = store.latest(None, 1)[0]
    copy = synthetic_article(500, categories, BASE)
    copy["duplicateOf"] = original["articleId"]
    store.upsert([copy], detect_duplicates=False)
    out = tmp_path / "feeds"
    publish(store, out, PUBLIC, LIMIT)
    for path in out.iterdir():
        assert copy["articleId"] not in path.read_text(encoding="utf-8"), path.name


def test_xss_corpus_through_the_store(tmp_path) -> None:
    store = open_store(tmp_path / "xss.db")
    categories = synthetic_categories(BASE)
    store.upsert(
        [
            synthetic_article(n, categories, BASE, body_html=f"<p>Bài</p>{payload}")
            for n, payload in enumerate(XSS_PAYLOADS)
        ],
        detect_duplicates=False,
    )
    out = tmp_path / "feeds"
    publish(store, out, PUBLIC, 100)
    store.close()
    kinds = {".rss": "rss", ".atom": "atom", ".json": "json", ".html": "html"}
    for path in out.iterdir():
        if path.suffix in kinds:
            assert find_active_content(path.read_bytes(), kinds[path.suffix]) == [], path.name


def danvan(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_publish_command(store, tmp_path) -> None:
    db = str(tmp_path / "danvan.db")
    done = danvan(
        ["publish", "--db", db, "--out", "public", "--limit", "3"],
        tmp_path,
        DANVAN_PUBLIC_URL="https://feeds.example.org/x/",
        DANVAN_CRAWL_INTERVAL_MINUTES="15",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("published 7 feeds")
    channel = etree.fromstring((tmp_path / "public" / "all.rss").read_bytes()).find("channel")
    assert channel.findtext("ttl") == "15"
    assert len(channel.findall("item")) == 3
    self_link = channel.find("{http://www.w3.org/2005/Atom}link").get("href")
    assert self_link == "https://feeds.example.org/x/all.rss"
    flag = danvan(
        ["publish", "--db", db, "--out", "public", "--public-url", "https://other.example/"],
        tmp_path,
        DANVAN_PUBLIC_URL="https://feeds.example.org/x/",
    )
    assert flag.returncode == 0, flag.stderr
    assert b"https://other.example/all.rss" in (tmp_path / "public" / "all.rss").read_bytes()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--public-url", "javascript:alert(1)"], 2, "public_url"),
        (["--limit", "0"], 2, "limit"),
        (["--db", "missing.db"], 1, "no store at missing.db"),
    ],
)
def test_publish_command_errors(tmp_path, args: list[str], code: int, message: str) -> None:
    done = danvan(["publish", "--out", "public", *args], tmp_path)
    assert done.returncode == code
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "public").exists()
