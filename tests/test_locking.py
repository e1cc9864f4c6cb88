"""The run lock: exclusive, non-blocking, released when its holder dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_crawler.locking import LockHeld, RunLock, lock_path_for

HOLDER = """
import sys
from danvan_crawler.locking import RunLock
lock = RunLock(sys.argv[1])
lock.acquire()
print("held", flush=True)
sys.stdin.read()
"""


def test_lock_path_is_next_to_the_store(tmp_path: Path) -> None:
    assert lock_path_for(str(tmp_path / "x.db")) == tmp_path / "x.db.lock"
    assert lock_path_for(f"sqlite:///{tmp_path}/y.db") == tmp_path / "y.db.lock"
    server = lock_path_for("postgresql://u@h/db")
    assert server.name.startswith("danvan-") and server.suffix == ".lock"
    assert server == lock_path_for("postgresql://u@h/db")


def test_second_holder_fails_at_once_then_succeeds_after_release(tmp_path: Path) -> None:
    path = tmp_path / "store.db.lock"
    first = RunLock(path)
    first.acquire()
    with pytest.raises(LockHeld, match=str(os.getpid())):
        RunLock(path).acquire()
    first.release()
    with RunLock(path) as second:
        assert second.held
    assert not second.held


@pytest.mark.e2e
def test_lock_held_by_another_process_and_freed_by_its_death(tmp_path: Path) -> None:
    path = tmp_path / "store.db.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld, match=f"pid {holder.pid}"):
            RunLock(path).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        with RunLock(path):  # the kernel released it: a stale file is no obstacle
            assert path.read_text().strip() == str(os.getpid())
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdin:
            holder.stdin.close()
        if holder.stdout:
            holder.stdout.close()
