"""`danvan run` on a terminal: a live progress display on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_terminal_shows_live_progress_then_the_summary(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    site = replica_factory(articles=12).url
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        "TERM": "xterm-256color",
        "COLUMNS": "200",
    }
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler", "run", "--site", site, "--db", "s.db"],
        cwd=tmp_path,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    try:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait()
    assert proc.returncode == 0
    raw = b"".join(chunks).decode("utf-8", "replace")
    text = ANSI.sub("", raw)
    assert "\x1b[" in raw  # drawn with terminal control sequences
    progress = re.findall(r"danvan pages (\d+) \(304: \d+\) · articles new (\d+) updated \d+", text)
    assert progress, text[-2000:]
    assert int(progress[-1][1]) == 12  # the last refresh saw every article stored
    assert text.rstrip().splitlines()[-1].startswith("danvan run finished in ")
    assert "Traceback" not in text
