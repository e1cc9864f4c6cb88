"""``python -m benchmarks``: names it does not know are a usage error before anything runs
(an option given to the runner used to be skipped as a missing script, and the run went
on at the defaults)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run_benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the runner in its own process group: a runner that wrongly starts a benchmark
    is killed with everything it started (a crawl, a replica) after 30 s."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"python -m benchmarks {' '.join(args)} was still running after 30 s")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["crawl", "--rounds", "1"], "--rounds 1"),
        (["nope", "crawl"], "nope"),
        (["crawl.txt"], "crawl.txt"),
    ],
)
def test_unknown_names_and_options_exit_2_before_any_benchmark_runs(
    args: list[str], named: str
) -> None:
    done = run_benchmarks(*args)
    assert done.returncode == 2
    assert done.stdout == ""  # no "== crawl.py": nothing started
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"python -m benchmarks: not a benchmark: {named}")
    assert "usage: python -m benchmarks [NAME ...]" in done.stderr


@pytest.mark.e2e
def test_an_option_gets_a_hint_where_options_go() -> None:
    done = run_benchmarks("crawl", "--rounds", "1")
    assert "python benchmarks/NAME.py --help" in done.stderr


@pytest.mark.e2e
def test_help_lists_every_benchmark() -> None:
    done = run_benchmarks("--help")
    assert done.returncode == 0
    for name in (
        "extract",
        "corpora",
        "crawl",
        "memory",
        "incremental",
        "publish",
        "faults",
        "serve",
        "fidelity",
        "search",
    ):
        assert name in done.stdout
        assert (REPO / "benchmarks" / f"{name}.py").is_file()


@pytest.mark.e2e
def test_corpora_without_a_corpus_is_skipped_with_directions(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DANVAN_CORPORA"}
    done = subprocess.run(
        [sys.executable, "benchmarks/corpora.py"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert "skipped: no corpus given" in done.stdout
    assert "github.com/adbar/trafilatura" in done.stdout
    # a folder that is neither corpus: a usage error, nothing run
    done = subprocess.run(
        [sys.executable, "benchmarks/corpora.py", str(tmp_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "neither trafilatura's" in done.stderr
