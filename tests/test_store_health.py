"""A store file that is not a danvan store, or is damaged: every command says so in one
line (no traceback, with or without --quiet) and points at `danvan doctor`; `doctor`
checks and `--repair` rebuilds what can be read, keeping the damaged file. Real files:
a text file, another program's SQLite database, a real store whose pages are
overwritten with random bytes. Real subprocesses."""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from danvan_crawler.store import open_store
from tests.conftest import ReplicaClient
from tests.support.cli import danvan
from tests.test_store import article

#: nothing listens there: a command that got as far as fetching would fail otherwise
DEAD_SITE = "http://127.0.0.1:9/"


def make_store(path: Path, n: int = 300) -> None:
    with open_store(path) as store:
        store.upsert([article(str(1000 + i)) for i in range(n)])
    with sqlite3.connect(path) as conn:  # everything in the main file, as after a clean close
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def damage(path: Path, share: float = 0.1, seed: int = 7) -> None:
    """Overwrite ``share`` of the pages after the first few with random bytes."""
    page = 4096
    pages = path.stat().st_size // page
    rng = random.Random(seed)
    chosen = rng.sample(range(pages // 3, pages), max(1, int(pages * share)))
    with path.open("r+b") as handle:
        for number in chosen:
            handle.seek(number * page)
            handle.write(rng.randbytes(page))


def commands(db: Path, tmp: Path) -> dict[str, list[str]]:
    out = str(tmp / "feeds")
    return {
        "stats": ["stats", "--db", str(db)],
        "export": ["export", "--db", str(db), "--out", str(tmp / "x.jsonl")],
        "publish": ["publish", "--db", str(db), "--out", out, "--public-url", "https://x.org/"],
        "run": ["run", "--db", str(db), "--out", out, "--site", DEAD_SITE],
        "run -q": ["run", "-q", "--db", str(db), "--out", out, "--site", DEAD_SITE],
        # crawl prints Scrapy's log at INFO unless told otherwise
        "crawl": ["crawl", "--loglevel", "ERROR", "--db", str(db), "--site", DEAD_SITE],
    }


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    # crawl's closing summary ("danvan crawl: 0 articles (store_failed)") is no error
    summary = re.compile(r"^danvan crawl: \d+ articles \(")
    lines = [line for line in result.stderr.strip().splitlines() if not summary.match(line)]
    assert len(lines) == 1, lines
    assert result.returncode == 1, (result.returncode, lines)
    return lines[0]


@pytest.mark.e2e
@pytest.mark.parametrize("command", sorted(commands(Path("x"), Path("y"))))
def test_a_file_that_is_not_sqlite_is_not_a_danvan_store(tmp_path: Path, command: str) -> None:
    db = tmp_path / "danvan.db"
    db.write_text("id,headline\n1,not a database\n", encoding="utf-8")
    before = db.read_bytes()
    line = one_error_line(danvan(*commands(db, tmp_path)[command], cwd=tmp_path))
    assert f"not a danvan store: {db}" in line and "not an SQLite database" in line
    assert db.read_bytes() == before  # nothing written into it


@pytest.mark.e2e
def test_another_programs_sqlite_database_is_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "danvan.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    before = db.read_bytes()
    line = one_error_line(danvan(*commands(db, tmp_path)["run -q"], cwd=tmp_path))
    assert "another program's SQLite database (tables: moz_places)" in line
    assert db.read_bytes() == before  # not migrated into a danvan store


@pytest.mark.parametrize("command", ["stats", "export", "publish", "run -q", "run", "crawl"])
def test_a_damaged_store_is_named_with_what_to_do(
    tmp_path: Path, command: str, replica: ReplicaClient
) -> None:
    db = tmp_path / "danvan.db"
    make_store(db)
    damage(db)
    args = [replica.url if arg == DEAD_SITE else arg for arg in commands(db, tmp_path)[command]]
    line = one_error_line(danvan(*args, cwd=tmp_path))
    assert f"store damaged: {db}" in line
    assert f"danvan doctor --db {db}" in line


@pytest.mark.e2e
def test_doctor_on_a_whole_store_says_ok(tmp_path: Path) -> None:
    db = tmp_path / "danvan.db"
    make_store(db, n=20)
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / ".all.rss.abcd1234.tmp").write_text("half")
    result = danvan("doctor", "--db", str(db), "--out", str(tmp_path / "feeds"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == [
        "store:", "integrity:", "schema:", "lock:", "feeds:"
    ]  # fmt: skip
    assert all(line.startswith("ok") for line in lines), lines
    assert "1 temp files of an interrupted publish" in lines[-1]
    repaired = danvan(
        "doctor", "--repair", "--db", str(db), "--out", str(tmp_path / "feeds"), cwd=tmp_path
    )
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "removed 1 temp files" in repaired.stdout
    assert not list((tmp_path / "feeds").iterdir())


@pytest.mark.e2e
def test_doctor_on_files_that_are_not_stores(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("hello")
    result = danvan("doctor", "--db", str(text), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("FAIL store: not a danvan store")
    repair = danvan("doctor", "--repair", "--db", str(text), cwd=tmp_path)
    assert repair.returncode == 1
    assert text.read_text() == "hello"  # a file that is not ours is never touched


@pytest.mark.e2e
def test_doctor_repairs_a_damaged_store_and_keeps_the_damaged_file(tmp_path: Path) -> None:
    db = tmp_path / "danvan.db"
    make_store(db)
    damage(db)
    damaged_bytes = db.read_bytes()

    check = danvan("doctor", "--db", str(db), cwd=tmp_path)
    assert check.returncode == 1
    assert any(line.startswith("FAIL integrity") for line in check.stdout.splitlines())
    assert "danvan doctor --repair" in check.stdout

    repair = danvan("doctor", "--repair", "--db", str(db), cwd=tmp_path)
    assert repair.returncode == 0, repair.stdout + repair.stderr
    backups = list(tmp_path.glob("danvan.db.damaged-*"))
    backup = next(p for p in backups if not p.name.endswith(("-wal", "-shm")))
    assert backup.read_bytes() == damaged_bytes  # nothing lost without a copy

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(db) as store:
        kept = store.count()
        assert 0 < kept < 300  # what the damaged pages held is gone, the rest is here
        assert f"{kept} articles kept" in repair.stdout
        exported = list(store.export())
    assert len(exported) == kept
    assert all(record["headline"].startswith("Bài viết") for record in exported)

    again = danvan("doctor", "--db", str(db), cwd=tmp_path)
    assert again.returncode == 0, again.stdout
    stats = danvan("stats", "--db", str(db), cwd=tmp_path)
    assert stats.returncode == 0 and f"{kept} articles" in stats.stdout


@pytest.mark.e2e
def test_what_the_system_refuses_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "danvan.db"
    make_store(db, n=5)
    (tmp_path / "a-file").write_text("x")
    cases = {
        "publish into a file": (
            ["publish", "--db", str(db), "--out", str(tmp_path / "a-file")],
            "File exists",
        ),
        "export under a file": (
            ["export", "--db", str(db), "--out", str(tmp_path / "a-file" / "x.jsonl")],
            "File exists",
        ),
    }
    for name, (args, words) in cases.items():
        line = one_error_line(danvan(*args, cwd=tmp_path))
        assert words in line and str(tmp_path) in line, (name, line)
