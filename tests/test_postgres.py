"""The store on a real PostgreSQL (one throw-away schema per test): same schema and
answers as SQLite, concurrent writers from several processes leave one record per
article, concurrent first opens migrate once, publishing reads it.

PostgreSQL is taken from ``DANVAN_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). Absent: the tests skip, saying so;
with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "DANVAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def service_missing(what: str, why: object) -> None:
    """Skip (locally) or fail (``CI=true``) a test whose service is absent."""
    message = f"{what} not available: {why}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: the service must run, tests never skip)")
    pytest.skip(message)


def schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote('-csearch_path=' + schema, safe='')}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A store URL on a fresh schema of its own, dropped after the test."""
    try:
        import psycopg  # noqa: F401
        from sqlalchemy import create_engine, text

        from danvan_crawler.store.postgres import _driver_url
    except ImportError as exc:
        service_missing("PostgreSQL driver (pip install 'danvan-crawler[scale]')", exc)
    schema = "t_" + uuid.uuid4().hex[:12]
    engine = create_engine(_driver_url(POSTGRES_URL))
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # any connection error means "absent"
        engine.dispose()
        service_missing(f"PostgreSQL at {POSTGRES_URL}", exc)
    try:
        yield schema_url(POSTGRES_URL, schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def articles_from(replica: Any, n: int) -> list[dict[str, Any]]:
    out = []
    for record in replica.truth()[:n]:
        record = {k: v for k, v in record.items() if k != "xss"}
        record["crawledAt"] = "2026-01-01T08:00:00+07:00"
        out.append(record)
    return out


def test_open_creates_the_current_schema(pg_url: str) -> None:
    from danvan_crawler.store import SCHEMA_VERSION, open_store

    with open_store(pg_url) as store:
        assert store.dialect == "postgresql"
        assert store.schema_version() == SCHEMA_VERSION
    with open_store(pg_url) as store:  # reopening migrates nothing
        assert store.schema_version() == SCHEMA_VERSION


def test_same_answers_as_sqlite(pg_url: str, replica: Any, tmp_path: Path) -> None:
    from danvan_crawler.store import open_store

    articles = articles_from(replica, 60)
    edited = dict(articles[3], headline=articles[3]["headline"] + " (sửa)")
    with open_store(pg_url) as pg, open_store(tmp_path / "s.db") as lite:
        kinds_pg = [(c.article_id, c.kind, c.duplicate_of) for c in pg.upsert(articles)]
        kinds_lite = [(c.article_id, c.kind, c.duplicate_of) for c in lite.upsert(articles)]
        assert kinds_pg == kinds_lite
        assert [c.kind for c in pg.upsert([edited])] == ["updated"]
        assert [c.kind for c in lite.upsert([edited])] == ["updated"]
        key = lambda r: r["articleId"]  # noqa: E731
        assert sorted(pg.export(), key=key) == sorted(lite.export(), key=key)
        assert pg.categories() == lite.categories()
        assert pg.latest(limit=30) == lite.latest(limit=30)
        for cat in pg.categories():
            assert pg.latest(cat["url"], 10) == lite.latest(cat["url"], 10)
        assert pg.known_ids() == lite.known_ids()
        assert pg.record(articles[3]["articleId"])["revision"] == 2


WRITER = r"""
import json, sys
from danvan_crawler.store import open_store
url, articles = sys.argv[1], json.loads(sys.stdin.readline())
store = open_store(url)
print("ready", flush=True)
sys.stdin.readline()  # go
kinds = [c.kind for c in store.upsert(articles)]
print(json.dumps(kinds), flush=True)
"""


def run_together(url: str, batches: list[list[dict[str, Any]]]) -> list[list[str]]:
    """Start one process per batch, let them all open the store, then release them at
    once; the change kinds each reported."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in batches
    ]
    for proc, batch in zip(procs, batches, strict=True):
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(batch) + "\n")
        proc.stdin.flush()
    for proc in procs:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def test_concurrent_writers_leave_one_record_per_article(pg_url: str, replica: Any) -> None:
    """Three processes open a fresh schema at once (migrations run once), then, released
    together, upsert the same ten articles (each listing them under another category)
    and each its own version of an eleventh: one record per article, ``new`` exactly
    once, categories merged, the eleventh's three versions counted as revisions 1-3."""
    from sqlalchemy import text

    from danvan_crawler.store import open_store
    from danvan_crawler.store.schema import MIGRATIONS

    articles = articles_from(replica, 11)
    shared, edited = articles[:10], articles[10]
    batches = []
    for worker in range(3):
        cat = {
            "name": f"Chuyên mục {worker}",
            "url": f"{replica.base}/vi-vn/chuyen-muc/cm-{worker}/9-{worker}",
            "slug": f"cm-{worker}",
            "subSite": "Tỉnh ủy Nghệ An",
        }
        batch = [dict(a, categories=[*a["categories"], cat]) for a in shared]
        batch.append(dict(edited, headline=f"{edited['headline']} v{worker}"))
        batches.append(batch)
    results = run_together(pg_url, batches)
    for i in range(len(shared)):
        kinds = sorted(r[i] for r in results)
        assert kinds.count("new") == 1, kinds
        assert set(kinds) <= {"new", "merged"}, kinds
    assert sorted(r[-1] for r in results) == ["new", "updated", "updated"]
    with open_store(pg_url) as store:
        assert store.count() == len(articles)
        for article in shared:
            stored = store.get(article["articleId"])
            assert stored is not None
            urls = {c["url"] for c in stored["categories"]}
            assert {b[0]["categories"][-1]["url"] for b in batches} <= urls
            assert store.record(article["articleId"])["revision"] == 1
        assert store.record(edited["articleId"])["revision"] == 3
        with store.engine.connect() as conn:
            versions = conn.execute(text("SELECT version FROM schema_version")).scalars()
            assert sorted(versions) == [v for v, _ in MIGRATIONS]


def test_publish_reads_a_postgres_store(pg_url: str, replica: Any, tmp_path: Path) -> None:
    import feedparser

    from danvan_crawler.store import open_store

    articles = articles_from(replica, 30)
    with open_store(pg_url) as store:
        store.upsert(articles)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-m", "danvan_crawler.cli", "publish", "--db", pg_url, "--out", "feeds"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    feed = feedparser.parse((tmp_path / "feeds" / "all.atom").read_bytes())
    ids = {e.id.rsplit("/", 1)[-1] for e in feed.entries}
    assert ids and ids <= {a["articleId"] for a in articles}


def test_exclusive_is_held_by_one_store_at_a_time(pg_url: str, tmp_path: Path) -> None:
    from danvan_crawler.store import open_store

    with open_store(pg_url) as first, open_store(pg_url) as second:
        with first.exclusive("publish") as held:
            assert held
            with second.exclusive("publish") as other, second.exclusive("other") as free:
                assert not other and free
        with second.exclusive("publish") as held:
            assert held  # released with the first's context
    with open_store(tmp_path / "s.db") as store, store.exclusive("publish") as held:
        assert held  # SQLite: one machine's runs take the run lock instead
