"""Resume (issue 6, section 3): many SIGKILLs at random moments across consecutive runs
(the site changing in between), then one clean run: the store equals an undisturbed
crawl's, nothing lost, nothing duplicated, and the SQLite file is sound after every kill.

(tests/test_incremental.py kills at chosen points of one scenario; this is the
many-random-kills variant, with a mildly faulty replica.)
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from danvan_crawler.store import open_store
from tests.conftest import ReplicaClient
from tests.processes import article_count, run_until_killed
from tests.test_faults import ENV, FAST, stored, truth_of

KILLS = 10


def crawl_args(replica: ReplicaClient, db: Path) -> list[str]:
    args = [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", replica.url]
    args += ["--db", str(db), "--loglevel", "WARNING"]
    for setting in FAST:
        args += ["-s", setting]
    return args


def crawl_killed(replica: ReplicaClient, db: Path, when: Callable[[], bool]) -> bool:
    """Start a crawl, SIGKILL it as soon as ``when()``; False when it ended before."""
    return run_until_killed(crawl_args(replica, db), db.parent, ENV, when)


def random_moment(
    rng: random.Random, replica: ReplicaClient, db: Path
) -> tuple[str, Callable[[], bool]]:
    """A random moment of a run: a time after start (start-up, opening the store), the
    k-th request the replica answers (listing or article phase), or the n-th article
    stored beyond what the store held."""
    kind = rng.choice(["time", "requests", "requests", "stored", "stored"])
    if kind == "time":
        deadline = time.monotonic() + rng.uniform(0.2, 3.0)
        return kind, lambda: time.monotonic() >= deadline
    if kind == "requests":
        replica.reset_stats()
        k = rng.randint(1, 40)
        return f"requests>={k}", lambda: replica.stats()["total"] >= k
    before = article_count(db)
    n = rng.randint(1, 12)
    return f"stored>={before + n}", lambda: article_count(db) >= before + n


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
    replica = replica_factory(articles=120, faults="5xx=0.05,truncate=0.02", seed=11)
    db = tmp_path / "killed.db"
    rng = random.Random(6)
    kills = attempts = 0
    moments: list[str] = []
    while kills < KILLS and attempts < 4 * KILLS:
        attempts += 1
        if attempts % 3 == 0:  # the site moves on between runs: more work to interrupt
            replica.publish(5)
            replica.edit(2)
        moment, when = random_moment(rng, replica, db)
        if crawl_killed(replica, db, when):
            kills += 1
            moments.append(f"{moment}: {article_count(db)} stored")
        assert_sound(db)
    assert kills >= KILLS, moments
    # the kills fell at different stages (before any article, between articles, ...)
    assert len({m.rsplit(": ", 1)[1] for m in moments}) >= 3, moments

    # one clean run; an undisturbed crawl of the same site in parallel, for reference
    reference = tmp_path / "reference.db"
    procs = [
        subprocess.Popen(
            crawl_args(replica, target),
            cwd=tmp_path,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for target in (db, reference)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
    got, want = stored(db), stored(reference)
    truth = truth_of(replica)
    assert sorted(got) == sorted(want) == sorted(truth)  # 0 lost, 0 duplicated
    assert got == want
    assert all(got[aid] == truth[aid] for aid in truth)
