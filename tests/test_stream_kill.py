"""The change stream, exactly once, through SIGKILLs: ``danvan run --jsonl`` killed at
chosen moments (just after a store batch commits, mid-crawl, while the JSON Lines or the
feeds are written), the site changing in between, then one clean run. Every stored
article reaches the JSON Lines of some run at its stored revision, no article is ``new``
in two runs, no change of an article is written twice, no line is partial, and no
temporary file is left in the JSON Lines or feeds folder after the next run.

The consumer is the one the docs describe: after each run (killed or not) it takes the
file away if there is one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from danvan_crawler.store import open_store
from tests.conftest import ReplicaClient
from tests.processes import article_count
from tests.test_faults_kill import assert_sound

ROOT = Path(__file__).resolve().parent.parent
KILLS = 15


def env() -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    base["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    return base


def temp_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


class Scene:
    def __init__(self, replica: ReplicaClient, root: Path) -> None:
        self.replica = replica
        self.db = root / "store" / "danvan.db"
        self.jsonl = root / "stream" / "changes.jsonl"
        self.feeds = root / "feeds"
        self.root = root
        #: per run: the records of its JSON Lines (empty when it wrote none)
        self.files: list[list[dict[str, Any]]] = []

    def args(self) -> list[str]:
        args = [sys.executable, "-m", "danvan_crawler", "run", "--site", self.replica.url]
        args += ["--db", str(self.db), "--create", "--jsonl", str(self.jsonl)]
        args += ["--out", str(self.feeds)]
        # small batches: many commits to kill just after; short timeouts (no faults here)
        args += ["-s", "DANVAN_STORE_BATCH=4", "-s", "DOWNLOAD_TIMEOUT=5", "--quiet"]
        return args

    def run(self, when: Callable[[], bool] | None, poll: float = 0.005) -> bool:
        """One run, SIGKILLed as soon as ``when()`` (None: to the end); whether killed."""
        proc = subprocess.Popen(
            self.args(),
            cwd=self.root,
            env=env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        killed = False
        try:
            while proc.poll() is None:
                if when is not None and when():
                    proc.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(poll)
            _, err = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if not killed:
            assert proc.returncode == 0, err[-3000:]
        self.collect()
        return killed

    def collect(self) -> None:
        """The consumer: read the run's file (whole lines only), then take it away."""
        if not self.jsonl.exists():
            self.files.append([])
            return
        raw = self.jsonl.read_bytes()
        assert raw.endswith(b"\n") or not raw, "a partial last line"
        records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
        assert all(records), "an empty line"
        self.files.append(records)
        self.jsonl.unlink()


def moments(scene: Scene, rng: random.Random) -> tuple[str, Callable[[], bool], float]:
    """(name, condition, poll interval) of a moment to kill the next run at."""
    kind = rng.choice(["commit", "commit", "requests", "stream", "publish"])
    if kind == "commit":  # a store batch has just committed: the count moved
        before = article_count(scene.db)
        n = rng.randint(1, 12)
        return f"commit>={before + n}", lambda: article_count(scene.db) >= before + n, 0.002
    if kind == "requests":
        scene.replica.reset_stats()
        k = rng.randint(2, 60)
        return f"requests>={k}", lambda: scene.replica.stats()["total"] >= k, 0.005
    # a temporary file that was not there before (a killed run's are still there)
    if kind == "stream":  # the JSON Lines being written (or just renamed into place)
        folder, old = scene.jsonl.parent, set(temp_files(scene.jsonl.parent))
        return "stream", lambda: bool(set(temp_files(folder)) - old) or scene.jsonl.exists(), 0.0005
    folder, old = scene.feeds, set(temp_files(scene.feeds))
    return "publish", lambda: bool(set(temp_files(folder)) - old), 0.0002


def test_sigkills_lose_no_change_and_write_none_twice(
    replica_factory: Callable[..., ReplicaClient], tmp_path: Path
) -> None:
    replica = replica_factory(articles=150, seed=21)
    scene = Scene(replica, tmp_path)
    rng = random.Random(17)
    kills: list[str] = []
    attempts = 0
    while len(kills) < KILLS and attempts < 5 * KILLS:
        attempts += 1
        if attempts > 1:  # the site moves on: new articles and edits to store
            replica.publish(rng.randint(6, 16))
            replica.edit(rng.randint(1, 4))
        name, when, poll = moments(scene, rng)
        if scene.run(when, poll):
            kills.append(f"{name}: {article_count(scene.db)} stored")
        assert_sound(scene.db)
    assert len(kills) >= KILLS, kills
    kinds = Counter(k.split(">=")[0].split(":")[0] for k in kills)
    # the kills fell at every stage: after commits, mid-crawl, writing the files
    assert kinds["commit"] >= 3 and kinds["requests"] >= 2, kinds
    assert kinds["stream"] >= 1 and kinds["publish"] >= 1, kinds

    scene.run(None)  # one clean run: it writes what the last kill left

    with open_store(scene.db) as store:
        revisions = {
            r["articleId"]: store.record(r["articleId"])["revision"] for r in store.export()
        }
    assert set(revisions) == {r["articleId"] for r in replica.truth()}  # all stored

    seen: dict[str, list[tuple[int, int | None, str]]] = defaultdict(list)  # run, rev, change
    for run, records in enumerate(scene.files):
        ids = [r["articleId"] for r in records]
        assert len(ids) == len(set(ids)), f"run {run}: an article twice in one file"
        for r in records:
            assert r["change"] in ("new", "updated"), r["change"]
            seen[r["articleId"]].append((run, r.get("revision"), r["change"]))
    missing = sorted(set(revisions) - set(seen))
    assert missing == [], f"{len(missing)} stored articles in no run's JSON Lines; {kills}"
    for article_id, lines in seen.items():
        changes = [change for _, _, change in lines]
        assert changes.count("new") == 1 and changes[0] == "new", (article_id, lines)
        revs = [rev for _, rev, _ in lines]
        assert revs == sorted(set(revs)), (article_id, lines)  # each change written once
        assert revs[-1] == revisions[article_id], (article_id, lines)  # the stored one
    assert temp_files(scene.jsonl.parent) == [], "a temporary JSON Lines file left"
    assert temp_files(scene.feeds) == [], "a temporary feed file left"
