"""Exit 1 when nothing of the site could be crawled, whatever the reason: the home page
answering 5xx after every retry, every category page failing, a refused connection
(``tests/test_run.py``). ``danvan crawl`` and ``danvan run``, real subprocesses against a
real HTTP server on 127.0.0.1 (``tests/minisite.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from danvan_crawler.store import open_store
from tests.minisite import CATEGORY, Page, home, serving
from tests.test_fetch_once import danvan

#: few, quick retries: the outcome is the same with the defaults, only slower
QUICK = (
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "DANVAN_RETRY_ROUNDS=1",
    "-s",
    "DANVAN_RETRY_BACKOFF_BASE=0.01",
)
DOWN = Page("<html><body><h1>503 Service Unavailable</h1></body></html>", 503)


@pytest.mark.e2e
def test_crawl_exits_1_when_the_home_page_answers_503_after_every_retry(tmp_path: Path) -> None:
    with serving({}, default=DOWN) as site:
        # whatever the log level: the exit status does not hang on error lines logged
        result = danvan(
            "crawl",
            "--site",
            site.url,
            "--db",
            str(tmp_path / "danvan.db"),
            "--loglevel",
            "CRITICAL",
            *QUICK,
            cwd=tmp_path,
        )
        home_hits = site.hits["/"]
    assert result.returncode == 1, result.stderr[-2000:]
    assert f"nothing could be crawled from {site.url.rstrip('/')}" in result.stderr
    assert "the home page could not be fetched (HTTP 503)" in result.stderr
    assert "Traceback" not in result.stderr
    assert home_hits == 4  # (1 + RETRY_TIMES) in each of the (1 + DANVAN_RETRY_ROUNDS) rounds


@pytest.mark.e2e
def test_run_exits_1_when_the_home_page_answers_503_after_every_retry(tmp_path: Path) -> None:
    with serving({}, default=DOWN) as site:
        result = danvan(
            "run",
            "--site",
            site.url,
            "--db",
            str(tmp_path / "danvan.db"),
            "--out",
            str(tmp_path / "feeds"),
            *QUICK,
            cwd=tmp_path,
        )
    assert result.returncode == 1, (result.stdout, result.stderr[-2000:])
    assert "error: nothing could be crawled from" in result.stderr
    assert "(HTTP 503)" in result.stderr
    assert result.stdout.startswith("danvan run failed in ")
    with open_store(tmp_path / "danvan.db") as store:
        assert [run["status"] for run in store.runs()] == ["failed"]


@pytest.mark.e2e
def test_crawl_exits_1_when_every_category_page_fails(tmp_path: Path) -> None:
    pages = {"/": home((CATEGORY, "Thời sự")), CATEGORY: DOWN}
    with serving(pages) as site:
        result = danvan(
            "crawl", "--site", site.url, "--db", str(tmp_path / "danvan.db"), *QUICK, cwd=tmp_path
        )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "nothing could be crawled from" in result.stderr
    assert "no category page could be fetched" in result.stderr
