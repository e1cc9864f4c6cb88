"""The ``danvan`` command run as a user runs it: a subprocess of this checkout, with no
``DANVAN_*`` of the developer's environment leaking in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def danvan(
    *args: str, cwd: Path, timeout: float = 300, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """``danvan ARGS`` in ``cwd``; ``extra_env``: ``DANVAN_*`` the test sets itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
