"""`stats`, `config` and `export` writing into a pipe whose reader went away
(`danvan export | head -1`): a quiet exit (141, as a process killed by SIGPIPE), no
BrokenPipeError. Real subprocesses, a real pipe closed before anything is read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_crawler.cli import EXIT_CLOSED_PIPE
from tests.test_store_health import make_store

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["stats", "--json"],
        ["config"],
        ["config", "--json"],
        ["export"],
        ["export", "--out", "-"],
    ],
    ids=" ".join,
)
@pytest.mark.e2e
def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path, args: list[str]) -> None:
    make_store(tmp_path / "danvan.db", n=50)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first byte
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == EXIT_CLOSED_PIPE, stderr
    assert stderr == ""
