"""A full disk under crawl, run, publish or export: one line "disk full: <path>" on
stderr, no traceback, exit 1, and what was stored before stays whole.

The full disk is real: a tmpfs of a few hundred KB mounted in a private mount
namespace (``unshare --user --map-root-user --mount``; no privilege needed where user
namespaces are allowed) around the one `danvan` process; the test is skipped where
that cannot be done. Real crawls against the replica."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ReplicaClient
from tests.test_store_health import make_store

REPO = Path(__file__).resolve().parents[1]

#: mount a tmpfs of $1 bytes on $2, run the rest, then copy what it holds to $3
SCRIPT = (
    'mount -t tmpfs -o size="$1" tmpfs "$2" || exit 99; full="$2"; out="$3"; shift 3; '
    '"$@"; code=$?; cp -a "$full"/. "$out"/; exit $code'
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env


def on_tiny_disk(
    size: str, full: Path, keep: Path, *args: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run ``danvan ARGS`` with a tmpfs of ``size`` mounted on ``full`` (only this
    process sees it); its contents are copied to ``keep`` afterwards."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare (util-linux) is not installed")
    full.mkdir(parents=True, exist_ok=True)
    keep.mkdir(parents=True, exist_ok=True)
    command = [unshare, "--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT, "sh"]
    command += [size, str(full), str(keep), sys.executable, "-m", "danvan_crawler", *args]
    result = subprocess.run(
        command, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=300, check=False
    )
    if result.returncode == 99 or "unshare failed" in result.stderr:
        pytest.skip(f"cannot mount a private tmpfs here: {result.stderr.strip()[:200]}")
    return result


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = [
        line
        for line in result.stderr.strip().splitlines()
        if not line.startswith("danvan crawl: ") or "error" in line
    ]
    assert len(lines) == 1, lines
    assert result.returncode == 1, (result.returncode, lines)
    return lines[0]


def whole(db: Path) -> int:
    """The articles of the SQLite store ``db``, after checking it is whole."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_crawl_on_a_full_disk(tmp_path: Path, replica: ReplicaClient) -> None:
    full, keep = tmp_path / "full", tmp_path / "keep"
    result = on_tiny_disk(
        "400k",
        full,
        keep,
        "crawl",
        "--loglevel",
        "ERROR",
        "--site",
        replica.url,
        "--db",
        str(full / "danvan.db"),
        cwd=tmp_path,
    )
    line = one_error_line(result)
    assert line.startswith(f"danvan crawl: error: disk full: {full / 'danvan.db'}"), line
    whole(keep / "danvan.db")  # what was committed before the disk filled is intact


@pytest.mark.parametrize("quiet", [True, False])
def test_run_on_a_full_disk(tmp_path: Path, replica: ReplicaClient, quiet: bool) -> None:
    full, keep = tmp_path / "full", tmp_path / "keep"
    result = on_tiny_disk(
        "400k",
        full,
        keep,
        "run",
        *(["-q"] if quiet else []),
        "--site",
        replica.url,
        "--db",
        str(full / "danvan.db"),
        "--out",
        str(tmp_path / "feeds"),  # on a disk with room: the feeds are published
        "--public-url",
        "https://feeds.example.org/",
        cwd=tmp_path,
    )
    line = one_error_line(result)
    assert line.startswith(f"danvan run: error: crawl stopped: disk full: {full / 'danvan.db'}")
    stored = whole(keep / "danvan.db")
    assert (tmp_path / "feeds" / "all.rss").is_file()
    assert (tmp_path / "feeds" / "all.rss").read_text(encoding="utf-8").count("<item>") == min(
        stored, 50
    )


@pytest.mark.e2e
def test_publish_and_export_on_a_full_disk(tmp_path: Path) -> None:
    db = tmp_path / "danvan.db"
    make_store(db, n=200)
    full, keep = tmp_path / "full", tmp_path / "keep"
    published = on_tiny_disk(
        "64k",
        full,
        keep,
        "publish",
        "--db",
        str(db),
        "--out",
        str(full / "feeds"),
        "--public-url",
        "https://feeds.example.org/",
        cwd=tmp_path,
    )
    line = one_error_line(published)
    assert line.startswith(f"danvan publish: error: disk full: {full / 'feeds'}"), line
    assert not [p for p in (keep / "feeds").iterdir() if p.name.endswith(".tmp")]

    exported = on_tiny_disk(
        "64k", full, keep, "export", "--db", str(db), "--out", str(full / "all.jsonl"), cwd=tmp_path
    )
    line = one_error_line(exported)
    assert line.startswith(f"danvan export: error: disk full: {full / 'all.jsonl'}"), line
    assert not (keep / "all.jsonl").exists()  # no half-written file
    assert whole(db) == 200
