"""Usage errors of `danvan run` and `danvan config`: exit 2, one line, no traceback,
nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def danvan(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def not_a_folder(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_text("not a folder")
    return str(tmp_path / "a-file" / "feeds")


CASES = {
    "unknown flag": (["run", "--colour", "blue"], "unrecognized arguments: --colour"),
    "bad site URL": (["run", "--site", "nghean.dcs.vn"], "expected an http(s) URL"),
    "bad public URL": (["run", "--public-url", "javascript:alert(1)"], "public_url"),
    "bad limit": (["run", "--limit", "none"], "invalid value for limit"),
    "unwritable output folder": (["run", "--out", "{not_a_folder}"], "is not a folder"),
    "unwritable store folder": (["run", "--db", "{not_a_folder}/x.db"], "is not a folder"),
    "missing config file": (["run", "--config", "missing.toml"], "configuration file not found"),
    "unknown subcommand": (["fly"], "invalid choice"),
    "config with bad URL": (["config", "--site", "ftp://x"], "http(s) URL"),
    "stats without a store": (["stats", "--db", "missing.db"], "no store at missing.db"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_error_exits_2_with_one_line(tmp_path: Path, case: str) -> None:
    template, needle = CASES[case]
    args = [arg.format(not_a_folder=not_a_folder(tmp_path)) for arg in template]
    if args[0] == "run" and "--db" not in args:
        args += ["--db", str(tmp_path / "store.db")]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = danvan(args, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "error" in lines[0]
    assert needle in lines[0]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no store, no lock, no feeds
