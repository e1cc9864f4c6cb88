"""Helpers for tests that kill real processes."""

from __future__ import annotations

import signal
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
