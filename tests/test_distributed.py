"""Distributed crawling against a real Redis and PostgreSQL: three ``danvan worker``
processes share one crawl of the replica (each article fetched once, the PostgreSQL
store equal to a single-process SQLite crawl); a worker killed mid-crawl loses nothing.

Redis from ``DANVAN_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``), each test
under its own key prefix (deleted after it); PostgreSQL as in ``test_postgres``. Absent:
the tests skip, saying so; with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_postgres import pg_url, service_missing  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("DANVAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ARTICLES = 40


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the test Redis; its keys are deleted after."""
    try:
        import redis
        import scrapy_redis  # noqa: F401
    except ImportError as exc:
        service_missing("Redis client (pip install 'danvan-crawler[scale]')", exc)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_missing(f"Redis at {REDIS_URL}", exc)
    prefix = f"danvan-test:{uuid.uuid4().hex[:10]}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler.cli", *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def start_worker(cwd: Path, log: Path, site: str, prefix: str, db: str, *extra: str) -> Any:
    args = [sys.executable, "-m", "danvan_crawler.cli", "worker", "--redis", REDIS_URL]
    args += ["--prefix", prefix, "--site", site, "--db", db, *extra]
    handle = log.open("w", encoding="utf-8")
    proc = subprocess.Popen(args, cwd=cwd, env=env(), stdout=handle, stderr=subprocess.STDOUT)
    handle.close()
    return proc


def items_of(log: str) -> int:
    found = re.findall(r"'item_scraped_count': (\d+)", log)
    return int(found[-1]) if found else 0


def comparable(store_url: str) -> dict[str, dict[str, Any]]:
    from danvan_crawler.store import open_store

    with open_store(store_url) as store:
        return {
            r["articleId"]: {k: v for k, v in r.items() if k != "crawledAt"} for r in store.export()
        }


def wait_for(predicate: Callable[[], bool], what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def test_the_switch_is_settings_only(redis_prefix: str) -> None:
    from argparse import Namespace

    from danvan_crawler.commands.seed import distributed_settings

    args = Namespace(redis=REDIS_URL, prefix=redis_prefix, site=None, profile=None, settings=[])
    settings = distributed_settings(args)
    assert settings["SCHEDULER"] == "danvan_crawler.distributed.RedisScheduler"
    assert settings["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert settings["SCHEDULER_QUEUE_KEY"] == f"{redis_prefix}:requests"
    assert settings.getbool("SCHEDULER_PERSIST")


@pytest.mark.e2e
def test_seed_refuses_to_reset_a_crawl_in_progress(redis_prefix: str, tmp_path: Path) -> None:
    from argparse import Namespace

    import redis

    from danvan_crawler.commands.seed import distributed_settings, seed

    client = redis.Redis.from_url(REDIS_URL)
    site = "http://127.0.0.1:9"
    args = Namespace(redis=REDIS_URL, prefix=redis_prefix, site=site, profile=None, settings=[])
    assert seed(distributed_settings(args), site) == 1
    assert client.zcard(f"{redis_prefix}:requests") == 1  # the home page
    assert client.get(f"{redis_prefix}:phase") == b"listing"
    again = cli(tmp_path, "seed", "--redis", REDIS_URL, "--prefix", redis_prefix, "--site", site)
    assert again.returncode == 75 and "in progress" in again.stderr
    assert seed(distributed_settings(args), site, force=True) == 1


def without_base(records: dict[str, dict[str, Any]], base: str) -> dict[str, Any]:
    """Records with the site's base URL (scheme, host, port) cut out of every string."""
    import json

    return {k: json.loads(json.dumps(v).replace(base, "")) for k, v in records.items()}


def test_three_workers_share_one_crawl(
    redis_prefix: str,
    pg_url: str,  # noqa: F811 - the fixture
    replica_factory: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """Three workers on one replica, a single-process SQLite crawl of the same world on
    another (at the same time): same store contents, every page fetched once."""
    replica = replica_factory(articles=ARTICLES, seed=5)
    twin = replica_factory(articles=ARTICLES, seed=5)
    single = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", twin.url, "--db", "s.db"],
        cwd=tmp_path,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    logs = [tmp_path / f"worker{i}.log" for i in range(3)]
    publish = ("--publish", "--out", "feeds")
    workers = [
        start_worker(tmp_path, log, replica.url, redis_prefix, pg_url, *publish) for log in logs
    ]  # started before the seed: they wait for it
    seed = cli(
        tmp_path, "seed", "--redis", REDIS_URL, "--prefix", redis_prefix, "--site", replica.url
    )
    assert seed.returncode == 0, seed.stderr
    codes = [w.wait(timeout=300) for w in workers]
    texts = [log.read_text("utf-8") for log in logs]
    assert codes == [0, 0, 0], [t[-2000:] for t in texts]
    _, single_log = single.communicate(timeout=300)
    assert single.returncode == 0, single_log[-3000:]

    stats, twin_stats = replica.stats(), twin.stats()
    assert stats["by_kind_status"].get("article/200") == ARTICLES
    assert stats["by_kind"]["article"] == ARTICLES  # every article fetched once, in all
    assert stats["by_kind"]["listing"] == twin_stats["by_kind"]["listing"]  # listings once
    assert sum(items_of(t) for t in texts) == ARTICLES
    # exactly one worker closed the crawl, and it alone published
    assert sum("(closed the crawl)" in t for t in texts) == 1
    assert sum("feeds published to" in t for t in texts) == 1
    assert (tmp_path / "feeds" / "all.atom").is_file()
    distributed = without_base(comparable(pg_url), replica.base)
    assert len(distributed) == ARTICLES
    assert distributed == without_base(comparable(str(tmp_path / "s.db")), twin.base)

    # The next crawl of the same store fetches only the new and the edited article.
    changed = {url.rstrip("/").rsplit("-", 1)[-1] for url in replica.edit(1) + replica.publish(1)}
    replica.reset_stats()
    again = cli(
        tmp_path, "seed", "--redis", REDIS_URL, "--prefix", redis_prefix, "--site", replica.url
    )
    assert again.returncode == 0, again.stderr
    log = tmp_path / "next.log"
    assert start_worker(tmp_path, log, replica.url, redis_prefix, pg_url).wait(timeout=300) == 0
    assert replica.stats()["by_kind"]["article"] == len(changed) == 2
    truth = {r["articleId"]: r for r in replica.truth()}
    stored = comparable(pg_url)
    assert set(stored) == set(truth)
    for article_id in changed:
        assert {k: stored[article_id].get(k) for k in truth[article_id]} == truth[article_id]


def test_a_killed_worker_loses_nothing(
    redis_prefix: str,
    pg_url: str,  # noqa: F811 - the fixture
    replica_factory: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """The victim fetches slowly (DOWNLOAD_DELAY) and alone until it holds leased article
    requests; it is killed (SIGKILL) there, and the survivors, started then, put its
    requests back and finish the crawl. (Started together, the survivors could drain the
    queue before the slow victim held anything: the race this order removes.)"""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    replica = replica_factory(articles=ARTICLES, seed=6)
    seed = cli(
        tmp_path, "seed", "--redis", REDIS_URL, "--prefix", redis_prefix, "--site", replica.url
    )
    assert seed.returncode == 0, seed.stderr
    fast = ("-s", "DANVAN_WORKER_TIMEOUT=2")
    victim = start_worker(
        tmp_path, tmp_path / "victim.log", replica.url, redis_prefix, pg_url, *fast,
        "-s", "DOWNLOAD_DELAY=0.5", "-s", "RANDOMIZE_DOWNLOAD_DELAY=False",
    )  # fmt: skip
    survivors: list[Any] = []
    try:

        def victim_leases() -> int:
            keys = client.keys(f"{redis_prefix}:inflight:*-{victim.pid}-*")
            return sum(client.zcard(k) for k in keys)

        def articles_phase_with_victim_leases() -> bool:
            return replica.stats()["by_kind"]["article"] >= 5 and victim_leases() > 0

        wait_for(articles_phase_with_victim_leases, "the victim to hold article leases")
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        held = victim_leases()  # read once it is dead: nothing can change them but a survivor
        survivors = [
            start_worker(tmp_path, tmp_path / f"w{i}.log", replica.url, redis_prefix, pg_url, *fast)
            for i in range(2)
        ]
        codes = [w.wait(timeout=300) for w in survivors]
    finally:
        for proc in [victim, *survivors]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    texts = [(tmp_path / f"w{i}.log").read_text("utf-8") for i in range(2)]
    assert codes == [0, 0], [t[-2000:] for t in texts]
    requeued = [
        int(n) for t in texts for n in re.findall(r"stopped answering: (\d+) of its requests", t)
    ]
    assert sum(requeued) >= held > 0
    truth = {r["articleId"] for r in replica.truth()}
    stored = comparable(pg_url)
    assert set(stored) == truth
    assert client.zcard(f"{redis_prefix}:requests") == 0


def lease_checked_crawl(
    redis_prefix: str, replica: Any, tmp_path: Path
) -> tuple[str, subprocess.Popen[bytes]]:
    """Seed, then one worker whose pipelines end, after the store, with a slow check
    (``tests/support/leasecheck.py``); its log and process, once it exited."""
    import json

    from danvan_crawler.settings import ITEM_PIPELINES

    seed = cli(
        tmp_path, "seed", "--redis", REDIS_URL, "--prefix", redis_prefix, "--site", replica.url
    )
    assert seed.returncode == 0, seed.stderr
    pipelines = json.dumps({**ITEM_PIPELINES, "tests.support.leasecheck.LeaseCheck": 900})
    log = tmp_path / "worker.log"
    worker = start_worker(
        tmp_path, log, replica.url, redis_prefix, "w.db", "-s", f"ITEM_PIPELINES={pipelines}"
    )
    try:
        worker.wait(timeout=120)
    except subprocess.TimeoutExpired:  # a lease never settled: the crawl never ends
        worker.kill()
        worker.wait()
    return log.read_text("utf-8"), worker


def nothing_left(redis_prefix: str) -> bool:
    """No request queued, none leased by any worker."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    leased = [k for k in client.keys(f"{redis_prefix}:inflight:*") if client.zcard(k)]
    return not leased and client.zcard(f"{redis_prefix}:requests") == 0


def test_a_request_is_acknowledged_once_its_item_is_stored(
    redis_prefix: str, replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Each article's request is still leased when its item has been through the store;
    the crawl ends with nothing leased and nothing queued."""
    text, worker = lease_checked_crawl(redis_prefix, replica_factory(articles=8, seed=7), tmp_path)
    assert worker.returncode == 0, text[-3000:]
    assert "lease lost" not in text, text[-3000:]
    assert len(re.findall(r"lease held: ", text)) == 8
    assert nothing_left(redis_prefix)


def test_every_way_a_request_ends_acknowledges_it(
    redis_prefix: str, replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Retries (5xx, pages cut short), redirects, a redirect loop and an offsite redirect
    (failures whose errback yields requests, or nothing): the crawl ends, so every lease
    was settled, and none before its item was stored."""
    replica = replica_factory(articles=12, seed=8, faults="5xx=0.15,truncate=0.1,loop,offsite")
    text, worker = lease_checked_crawl(redis_prefix, replica, tmp_path)
    assert worker.returncode == 0, text[-3000:]
    assert "lease lost" not in text, text[-3000:]
    assert re.search(r"lease held: ", text)
    assert "redirect loop" in text and "retry" in text.lower()
    assert nothing_left(redis_prefix)
