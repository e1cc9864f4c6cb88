"""Resume (issue 6, section 3): many SIGKILLs at random moments across consecutive runs
(the site changing in between), then one clean run: the store equals an undisturbed
crawl's, nothing lost, nothing duplicated, and the SQLite file is sound after every kill.

(tests/test_incremental.py kills at chosen points of one scenario; this is the
many-random-kills variant, with a mildly faulty replica.)
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from danvan_crawler.store import open_store
from tests.conftest import ReplicaClient
from tests.test_faults import ENV, FAST, crawl, stored, truth_of

KILLS = 10


def crawl_killed_after(replica: ReplicaClient, db: Path, seconds: float) -> bool:
    """Start a crawl, SIGKILL it after ``seconds``; False when it ended before."""
    args = [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", replica.url]
    args += ["--db", str(db), "--loglevel", "WARNING"]
    for setting in FAST:
        args += ["-s", setting]
    proc = subprocess.Popen(
        args, cwd=db.parent, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        try:
            proc.wait(timeout=seconds)
            return False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_sound(db: Path) -> None:
    """The SQLite file passes its integrity check and the store opens and reads."""
    if not db.exists():
        return
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "articles" in tables:
            dup = conn.execute(
                "SELECT article_id FROM articles GROUP BY article_id HAVING count(*) > 1"
            ).fetchall()
            assert dup == []
    finally:
        conn.close()
    with open_store(db) as store:
        for _ in store.export():
            pass


def test_many_sigkills_then_one_clean_run_equals_an_undisturbed_crawl(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=60, faults="5xx=0.05,truncate=0.02", seed=11)
    db = tmp_path / "killed.db"
    rng = random.Random(6)
    kills = attempts = 0
    counts: list[int] = []
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        if attempts % 3 == 0:  # the site moves on between runs: more work to interrupt
            replica.publish(6)
            replica.edit(2)
        killed = crawl_killed_after(replica, db, rng.uniform(0.4, 2.5))
        kills += killed
        assert_sound(db)
        if killed:
            counts.append(len(stored(db)) if db.exists() else 0)
        time.sleep(0.05)
    assert kills >= KILLS
    # the kills fell at different stages: before any article, between articles, ...
    assert len(set(counts)) >= 3, counts

    clean = crawl(replica, db)
    assert clean.returncode == 0, clean.log[-3000:]
    reference = tmp_path / "reference.db"
    assert crawl(replica, reference).returncode == 0
    got, want = stored(db), stored(reference)
    truth = truth_of(replica)
    assert sorted(got) == sorted(want) == sorted(truth)  # 0 lost, 0 duplicated
    assert got == want
    assert all(got[aid] == truth[aid] for aid in truth)
