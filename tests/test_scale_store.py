"""The scale-out of docs/SCALE.md uses one store: workers configured by the environment
alone (``DANVAN_DB``, ``DANVAN_REDIS_URL``) fill the one PostgreSQL store, and a worker
whose store is not the other workers' refuses to start instead of splitting the crawl.
Every command takes its store from the same place (flag, ``DANVAN_DB``, config file).

PostgreSQL and Redis as in ``test_postgres`` / ``test_distributed`` (skipped when absent,
failed when ``CI=true``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.test_distributed import (  # noqa: F401 - the fixture
    ARTICLES,
    REDIS_URL,
    redis_prefix,
    wait_for,
)
from tests.test_postgres import pg_url  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent


def scale_env(**values: str) -> dict[str, str]:
    """The environment of a systemd unit of docs/SCALE.md (nothing else of ours)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")
    env.update(values)
    return env


def danvan(cwd: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 300) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def test_two_workers_configured_by_the_environment_fill_the_one_postgresql_store(
    redis_prefix: str,  # noqa: F811 - the fixture
    pg_url: str,  # noqa: F811 - the fixture
    replica_factory: Callable[..., Any],
    tmp_path: Path,
) -> None:
    from danvan_crawler.store import open_store

    replica = replica_factory(articles=ARTICLES, seed=8)
    env = scale_env(DANVAN_DB=pg_url, DANVAN_REDIS_URL=REDIS_URL, DANVAN_REDIS_PREFIX=redis_prefix)
    folders = [tmp_path / "host1", tmp_path / "host2"]
    for folder in folders:
        folder.mkdir()
    seed = danvan(tmp_path, env, "seed", "--site", replica.url)
    assert finish(seed)[0] == 0
    workers = [danvan(folder, env, "worker", "--site", replica.url) for folder in folders]
    results = [finish(worker) for worker in workers]
    assert [code for code, _ in results] == [0, 0], [out[-2000:] for _, out in results]
    with open_store(pg_url) as store:
        assert store.count() == ARTICLES
    assert sorted(p.name for folder in folders for p in folder.iterdir()) == []  # no SQLite
    assert replica.stats()["by_kind"]["article"] == ARTICLES  # each fetched once, in all
    for _, out in results:  # and each said where it writes
        assert "danvan worker: store: database postgresql://127.0.0.1" in out
        assert "(env DANVAN_DB)" in out


@pytest.mark.e2e
def test_a_worker_on_another_store_refuses_to_start(
    redis_prefix: str,  # noqa: F811 - the fixture
    pg_url: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    env = scale_env(DANVAN_REDIS_URL=REDIS_URL, DANVAN_REDIS_PREFIX=redis_prefix)
    site = ("--site", "http://127.0.0.1:9")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = danvan(tmp_path / "a", env, "worker", *site)  # SQLite a/danvan.db; waits for a seed
    others: list[subprocess.Popen[str]] = []
    try:
        wait_for(lambda: bool(client.keys(f"{redis_prefix}:worker:*")), "the first worker")
        # another machine's SQLite file (here: another folder), then the PostgreSQL store
        second = danvan(tmp_path / "b", env, "worker", *site)
        third = danvan(tmp_path / "b", {**env, "DANVAN_DB": pg_url}, "worker", *site)
        others = [second, third]
        for proc in others:
            code, out = finish(proc, 120)
            assert code == 2, out[-2000:]
            assert "write to another store than this worker's" in out, out[-2000:]
        assert "store: SQLite file" in out or "store: database" in out
        # the same SQLite file: one store, allowed (and told)
        same = danvan(tmp_path / "a", env, "worker", *site)
        others.append(same)
        wait_for(lambda: len(client.keys(f"{redis_prefix}:worker:*")) == 2, "the second worker")
        assert same.poll() is None
    finally:
        for proc in [first, *others]:
            if proc.poll() is None:
                proc.terminate()
            proc.communicate(timeout=60)
    assert not (tmp_path / "b" / "danvan.db").exists()


@pytest.mark.e2e
def test_every_command_takes_the_store_from_the_same_place(tmp_path: Path) -> None:
    """crawl, run, publish, export and stats all read DANVAN_DB and the config file's
    db (the flag wins over both)."""
    from danvan_crawler.config import store_location

    env = {"DANVAN_DB": str(tmp_path / "env.db")}
    (tmp_path / "danvan.toml").write_text(f'db = "{tmp_path / "file.db"}"\n', encoding="utf-8")
    assert store_location(env=env, cwd=tmp_path).value == str(tmp_path / "env.db")
    assert store_location(env={}, cwd=tmp_path).value == str(tmp_path / "file.db")
    assert store_location("flag.db", env=env, cwd=tmp_path).value == "flag.db"
    assert store_location(None, ["DANVAN_DB=s.db"], env=env, cwd=tmp_path).value == "s.db"

    (tmp_path / "danvan.toml").unlink()
    from danvan_crawler.store import open_store
    from tests.test_store import article

    with open_store(tmp_path / "env.db") as store:
        store.upsert([article("1")])
    run_env = scale_env(DANVAN_DB=str(tmp_path / "env.db"))
    for args in (["export"], ["stats", "--json"], ["publish", "--out", "feeds"]):
        code, out = finish(danvan(tmp_path, run_env, *args), 120)
        assert code == 0, (args, out[-2000:])
    # crawl: a site that refuses connections, but the store is the environment's
    code, out = finish(
        danvan(tmp_path, run_env, "crawl", "--site", "http://127.0.0.1:9", "-s", "RETRY_TIMES=0"),
        120,
    )
    assert not (tmp_path / "danvan.db").exists(), out[-2000:]
