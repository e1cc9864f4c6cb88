"""Shared helpers for the benchmark scripts: a replica in a subprocess, measured child runs."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Measurement:
    """What one child process cost."""

    cpu_seconds: float
    wall_seconds: float
    max_rss_mb: float
    returncode: int


def run_measured(
    cmd: Sequence[str], *, cwd: Path | None = None, env: dict | None = None, log: Path | None = None
) -> Measurement:
    """Run ``cmd`` to completion and return its own CPU time, wall time and peak RSS."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    finally:
        if log:
            out.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        wall_seconds=wall,
        max_rss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
    )


@contextlib.contextmanager
def replica(*args: str) -> Iterator[str]:
    """Start ``danvan replica`` on a free loopback port; yield its base URL."""
    with replica_process(*args) as (url, _pid):
        yield url


@contextlib.contextmanager
def replica_process(*args: str) -> Iterator[tuple[str, int]]:
    """Start ``danvan replica`` on a free loopback port; yield (base URL, process id)
    (the id to read its CPU time)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler.replica", "--port", "0", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("serving "):
            raise RuntimeError(f"replica did not start: {line!r}")
        yield line.split(" ", 1)[1], proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get_json(url: str, method: str = "GET") -> object:
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=60) as resp:
        body = resp.read().decode("utf-8")
    if url.endswith(".jsonl"):
        return [json.loads(line) for line in body.splitlines() if line.strip()]
    return json.loads(body)


def figure(
    name: str, value: float, unit: str = "", target: str = "", ok: bool | None = None
) -> None:
    verdict = "" if ok is None else ("  OK" if ok else "  MISSED")
    tgt = f"  (target {target})" if target else ""
    print(f"{name:<48} {value:>12.3f} {unit:<6}{tgt}{verdict}", flush=True)
