"""Helpers for tests that kill real processes and watch what they stored."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path


def run_until_killed(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], when: Callable[[], bool]
) -> bool:
    """Start ``args``, SIGKILL it as soon as ``when()``; False when it ended before."""
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while proc.poll() is None:
            if when():
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.01)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def article_count(db: Path) -> int:
    """Articles in the SQLite store ``db`` (read-only; 0 while it is missing or locked)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
