"""``danvan serve`` under a burst of connections and under idle half-sent requests,
side by side with Python's ``http.server`` (the threaded stdlib server ``serve`` used
to be built on: one thread a connection, listen backlog 5).

A feeds folder is published from synthetic articles (``all.rss`` of 50 entries with
full content). Each server runs in its own process on a free loopback port; one asyncio
client (this process) measures:

- burst: ``--connections`` (300) connections opened at once, each ``GET /all.rss``
  (``Connection: close``), the time from the connect to the last byte of each; rounds
  interleaved between the two servers (``--rounds``, 3); p50, p99, max, how many took
  over 1 s, how many failed (30 s timeout, reset, refused);
- half-requests: ``--idle`` (1 000) connections that send a request head without its
  end and then nothing (opened within 60 s, or as many as could be), then one ordinary
  ``GET /all.rss``: its time, or its failure.

Targets (ours): burst p99 <= 1 s with no failure; the GET among the half-requests
answered. Exit status 1 when one is missed. The stdlib server's figures are printed
for comparison only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import REPO, figure
from danvan_crawler.feeds import SiteOptions, build_site
from danvan_crawler.feeds.samples import synthetic_article, synthetic_categories

BASE = "https://nghean.dcs.vn"
TIMEOUT = 30.0
TARGET_P99 = 1.0
REQUEST = b"GET /all.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
HALF_REQUEST = b"GET /all.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: half\r\n"


def publish_folder(folder: Path) -> int:
    """Write a feeds folder of synthetic articles; the size of its all.rss."""
    categories = synthetic_categories(BASE, 6)
    articles = [synthetic_article(n, categories, BASE) for n in range(300)]
    articles.sort(key=lambda a: a["datePublished"], reverse=True)
    latest: dict[str | None, list] = {None: articles[:50]}
    for category in categories:
        urls = {category["url"]}
        latest[category["url"]] = [
            a for a in articles if urls & {c["url"] for c in a["categories"]}
        ][:50]
    for name, data in build_site(categories, latest, SiteOptions()).items():
        (folder / name).write_bytes(data)
    return (folder / "all.rss").stat().st_size


SERVERS: dict[str, tuple[list[str], re.Pattern[str]]] = {
    "danvan serve": (
        [sys.executable, "-m", "danvan_crawler", "serve", "--port", "0", "--dir"],
        re.compile(r"serving http://127\.0\.0\.1:(\d+)/"),
    ),
    "http.server": (
        [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"],
        re.compile(r"port (\d+)"),
    ),
}


@contextlib.contextmanager
def server(name: str, folder: Path) -> Iterator[int]:
    cmd, pattern = SERVERS[name]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen(
        [*cmd, str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = pattern.search(line)
        if not match:
            raise RuntimeError(f"{name} did not start: {line!r}")
        yield int(match.group(1))
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def get(port: int, size: int) -> float | None:
    """Seconds from connect to the last byte of ``GET /all.rss``; None on failure."""
    start = time.perf_counter()
    try:
        async with asyncio.timeout(TIMEOUT):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                writer.write(
                    b"GET /all.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                data = await reader.read()
            finally:
                writer.close()
    except (OSError, TimeoutError):
        return None
    if not data.startswith(b"HTTP/1.") or b" 200 " not in data[:16] or len(data) < size:
        return None
    return time.perf_counter() - start


@dataclass
class Burst:
    times: list[float]
    failed: int

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else float("inf")

    @property
    def p99(self) -> float:
        if len(self.times) < 2:
            return float("inf")
        return statistics.quantiles(self.times, n=100, method="inclusive")[98]


async def burst(port: int, connections: int, size: int) -> Burst:
    results = await asyncio.gather(*(get(port, size) for _ in range(connections)))
    times = [t for t in results if t is not None]
    return Burst(times, failed=len(results) - len(times))


async def among_half_requests(port: int, idle: int, size: int) -> tuple[int, float | None]:
    """Open ``idle`` half-requests (within 60 s), then one GET: (opened, its time)."""
    held: list[asyncio.StreamWriter] = []
    deadline = time.monotonic() + 60
    try:
        while len(held) < idle and time.monotonic() < deadline:
            try:
                async with asyncio.timeout(2):
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(HALF_REQUEST)
                held.append(writer)
            except (OSError, TimeoutError):
                continue
        return len(held), await get(port, size)
    finally:
        for writer in held:
            writer.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=300, help="burst size (300)")
    parser.add_argument("--rounds", type=int, default=3, help="bursts per server (3)")
    parser.add_argument("--idle", type=int, default=1000, help="half-requests held (1000)")
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = max(args.connections, args.idle) + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))

    with tempfile.TemporaryDirectory(prefix="danvan-serve-") as tmp:
        folder = Path(tmp)
        size = publish_folder(folder)
        print(f"all.rss: {size / 1024:.0f} KiB; burst of {args.connections}, {args.rounds} rounds")
        bursts: dict[str, Burst] = {name: Burst([], 0) for name in SERVERS}
        for _ in range(args.rounds):
            for name in SERVERS:  # interleaved: load on the machine hits both
                with server(name, folder) as port:
                    result = asyncio.run(burst(port, args.connections, size))
                bursts[name].times += result.times
                bursts[name].failed += result.failed
        halves: dict[str, tuple[int, float | None]] = {}
        for name in SERVERS:
            with server(name, folder) as port:
                halves[name] = asyncio.run(among_half_requests(port, args.idle, size))

    ours, stdlib = bursts["danvan serve"], bursts["http.server"]
    for name, result in bursts.items():
        figure(f"{name}: burst p50", result.p50 * 1000, "ms")
        mine = result is ours
        ok = result.p99 <= TARGET_P99 and result.failed == 0 if mine else None
        target = f"<= {TARGET_P99 * 1000:.0f}" if mine else ""
        figure(f"{name}: burst p99", result.p99 * 1000, "ms", target, ok)
        figure(f"{name}: burst max", max(result.times, default=float("inf")) * 1000, "ms")
        figure(f"{name}: requests over 1 s", sum(t > 1 for t in result.times), "")
        figure(f"{name}: requests failed", result.failed, "", "0" if mine else "")
    figure("burst p99, http.server / danvan serve", stdlib.p99 / ours.p99, "x")
    for name, (opened, took) in halves.items():
        figure(f"{name}: half-requests held open", opened, "")
        answered = took is not None
        figure(
            f"{name}: GET among them ({'answered' if answered else 'FAILED'})",
            (took or TIMEOUT) * 1000,
            "ms",
            "answered" if name == "danvan serve" else "",
            answered if name == "danvan serve" else None,
        )
    met = ours.p99 <= TARGET_P99 and ours.failed == 0 and halves["danvan serve"][1] is not None
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
