"""`crawl`, `seed` and `worker` read the configuration as `run` does: danvan.toml (or
--config) < DANVAN_* environment < flags, DANVAN_SITE_URL (the name their --help gave)
included; a store in a folder that does not exist is a usage error unless --create.
Real crawls of the replica in subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from danvan_crawler.store import open_store
from tests.conftest import ReplicaClient
from tests.support.cli import danvan


def stored(db: Path) -> int:
    with open_store(db) as store:
        return store.count()


def test_crawl_reads_the_file_then_the_environment_then_flags(
    tmp_path: Path, replica: ReplicaClient
) -> None:
    (tmp_path / "danvan.toml").write_text(
        f'site = "{replica.url}"\n'
        'db = "from-file.db"\n'
        'jsonl = "from-file.jsonl"\n'
        "[scrapy]\nCLOSESPIDER_ITEMCOUNT = 5\n",
        encoding="utf-8",
    )
    # the environment beats the file (db); the file's site, jsonl and [scrapy] hold
    result = danvan("crawl", "--loglevel", "INFO", cwd=tmp_path, DANVAN_DB="from-env.db")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (tmp_path / "from-file.db").exists()
    count = stored(tmp_path / "from-env.db")
    # CLOSESPIDER_ITEMCOUNT from the file stopped it early (how many were in flight then
    # depends on the machine's load: the finish reason is what says the setting was read)
    assert "'finish_reason': 'closespider_itemcount'" in result.stderr, result.stderr[-2000:]
    assert 5 <= count < len(replica.truth())
    lines = (tmp_path / "from-file.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == count
    assert all(json.loads(line)["url"].startswith(replica.base) for line in lines)

    # a flag beats the environment
    result = danvan(
        "crawl", "--loglevel", "WARNING", "--db", "from-flag.db", cwd=tmp_path,
        DANVAN_DB="from-env.db",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert stored(tmp_path / "from-flag.db") >= 5


def test_crawl_honours_danvan_site_url_and_danvan_site(
    tmp_path: Path, replica: ReplicaClient
) -> None:
    for name in ("DANVAN_SITE_URL", "DANVAN_SITE"):
        db = tmp_path / f"{name}.db"
        result = danvan(
            "crawl", "--loglevel", "WARNING", "--db", str(db), "-s", "CLOSESPIDER_ITEMCOUNT=3",
            cwd=tmp_path, **{name: replica.url},
        )  # fmt: skip
        assert result.returncode == 0, (name, result.stderr[-2000:])
        assert stored(db) >= 3, name
    config = danvan(
        "config", cwd=tmp_path, DANVAN_SITE_URL="http://a.example/", DANVAN_SITE="http://b.example/"
    )
    assert (
        "site " in config.stdout and "http://b.example/" in config.stdout
    )  # the key's own name wins


@pytest.mark.e2e
def test_a_store_in_a_missing_folder_is_a_usage_error_unless_create(tmp_path: Path) -> None:
    db = tmp_path / "typo" / "danvan.db"
    for command in (["crawl"], ["run", "--out", str(tmp_path / "feeds")]):
        result = danvan(*command, "--db", str(db), "--site", "http://127.0.0.1:9/", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "does not exist" in lines[0] and "--create" in lines[0]
        assert not (tmp_path / "typo").exists()  # nothing created
    worker = danvan("worker", "--db", str(db), "--redis", "redis://127.0.0.1:1/0", cwd=tmp_path)
    assert worker.returncode == 2 and "does not exist" in worker.stderr
    assert not (tmp_path / "typo").exists()

    # --create, or the configuration's create = true: the folder and the store are made
    created = danvan(
        "crawl", "--create", "--db", str(db), "--site", "http://127.0.0.1:9/",
        "-s", "RETRY_TIMES=0", "-s", "DANVAN_RETRY_ROUNDS=0", "--loglevel", "CRITICAL",
        cwd=tmp_path,
    )  # fmt: skip
    assert created.returncode == 1, created.stderr  # nothing to crawl there, but it ran
    assert db.is_file()
    other = tmp_path / "typo2" / "danvan.db"
    (tmp_path / "danvan.toml").write_text("create = true\n", encoding="utf-8")
    by_file = danvan(
        "crawl", "--db", str(other), "--site", "http://127.0.0.1:9/",
        "-s", "RETRY_TIMES=0", "-s", "DANVAN_RETRY_ROUNDS=0", "--loglevel", "CRITICAL",
        cwd=tmp_path,
    )  # fmt: skip
    assert by_file.returncode == 1, by_file.stderr
    assert other.is_file()


@pytest.mark.e2e
def test_demo_reads_the_configuration_but_crawls_its_own_replica(tmp_path: Path) -> None:
    (tmp_path / "danvan.toml").write_text(
        'site = "https://nghean.dcs.vn"\ndb = "/nonexistent/live.db"\n'
        "[scrapy]\nCLOSESPIDER_ITEMCOUNT = 5\n",
        encoding="utf-8",
    )
    result = danvan(
        "demo", "--out", "demo", "--articles", "120", cwd=tmp_path, DANVAN_FEED_LIMIT="3"
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(closespider_itemcount)" in result.stdout  # the file's [scrapy] table
    assert stored(tmp_path / "demo" / "danvan.db") < 120  # stopped early, in its own store
    rss = (tmp_path / "demo" / "feeds" / "all.rss").read_text(encoding="utf-8")
    assert rss.count("<item>") == 3  # DANVAN_FEED_LIMIT from the environment
    assert "nghean.dcs.vn" not in rss  # the replica was crawled, not the file's site
