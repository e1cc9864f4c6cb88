"""A first crawl (a backfill) fetches articles newest first: interrupted with Ctrl-C
(SIGINT) after a few articles, the store holds the latest news, not the oldest. Real
`danvan crawl` subprocess against the replica; the order is judged against the
replica's own truth (its articles' last-update times, which its listings sort by)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ReplicaClient
from tests.processes import article_count

REPO = Path(__file__).resolve().parents[1]
#: articles stored before the interruption (at least); the crawl is slowed down so that
#: it is still far from done then
STOP_AFTER = 20


def test_an_interrupted_first_crawl_holds_the_newest_articles(
    tmp_path: Path, replica: ReplicaClient
) -> None:
    db = tmp_path / "danvan.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "danvan_crawler", "crawl", "--site", replica.url,
            "--db", str(db), "--loglevel", "WARNING",
            "-s", "DOWNLOAD_DELAY=0.02", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            "-s", "DANVAN_STORE_BATCH=1",
        ],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while article_count(db) < STOP_AFTER and proc.poll() is None:
            assert time.monotonic() < deadline, "no article stored in time"
            time.sleep(0.01)
        proc.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops gracefully
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    truth = replica.truth()
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT article_id FROM articles")}
    assert STOP_AFTER <= len(stored) < len(truth) // 2, (len(stored), stderr[-2000:])

    # the replica's listings are sorted by last update, newest first
    def updated(record: dict[str, str]) -> str:
        return max(filter(None, [record.get("datePublished"), record.get("dateModified")]))

    ranking = [r["articleId"] for r in sorted(truth, key=updated, reverse=True)]
    rank = {article_id: n for n, article_id in enumerate(ranking)}
    worst = max(rank[article_id] for article_id in stored)
    # every stored article is among the newest, give or take the requests in flight
    assert worst < len(stored) + 16, (worst, len(stored))
    newest = set(ranking[: len(stored) // 2])
    assert newest <= stored  # and the very newest are all there
