"""The README quick start's first line, run twice in a row in one temporary folder:
both exit 0, and the second finds the first one's output there.

The line is read from README.md (first fenced block, first line, as ``.ci/run`` reads
the second). Its ``python3 -m pip install -e .`` part is replaced by the package this
test runs from (PYTHONPATH), because an editable install here would re-point the
machine's shared installation, and a private one needs the build backend from a package
index (offline tests reach nothing beyond loopback). The rest of the line runs as
written, through ``bash -c``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def quick_start_first_line() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert block is not None, "README.md has no fenced block"
    return block.group(1).splitlines()[0]


@pytest.mark.e2e
def test_the_quick_start_first_line_runs_twice_in_one_folder(tmp_path: Path) -> None:
    line = quick_start_first_line()
    install, sep, rest = line.partition("&&")
    assert sep and "pip install" in install and "-e ." in install, line
    assert "demo" in rest, line
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    # `python3` in the line is this interpreter
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "python3").symlink_to(sys.executable)
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    work = tmp_path / "work"
    work.mkdir()
    outputs = []
    for attempt in range(2):
        done = subprocess.run(
            ["bash", "-c", rest.strip()],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, (attempt, done.stdout[-2000:], done.stderr[-3000:])
        assert "Traceback" not in done.stderr
        outputs.append(done.stdout)
    # the demo's last line is the command serving what it made, the same both times
    last = [output.strip().splitlines()[-1] for output in outputs]
    assert last[0] == last[1] and "danvan serve" in last[0], last
    assert (work / "demo-output" / "feeds" / "all.rss").is_file()
    assert (work / "demo-output" / "feeds" / "index.html").is_file()
