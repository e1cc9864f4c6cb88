"""Peak memory of full crawls of 5 000 and 20 000 articles.

For each size, starts a replica of that many articles and runs
``python -m danvan_crawler crawl --site URL --db NEW.db --jsonl OUT.jsonl`` (politeness
lifted: loopback) in a child process; its peak RSS comes from ``wait4`` (``ru_maxrss``).
Targets: at most 200 MB at 20 000 articles, and at most 15 % growth from 5 000 to
20 000 (what grows with the crawl, e.g. per-article bookkeeping, must stay small).
Exit status 1 when one is missed, or when a crawl fails or misses articles.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import REPO, Measurement, figure, replica, run_measured

SIZES = (5_000, 20_000)
TARGET_MB = 200.0
TARGET_GROWTH = 0.15


def crawl(size: int, work: Path, concurrency: int) -> tuple[Measurement, int]:
    """One full crawl of a fresh replica of ``size`` articles; (measurement, lines out)."""
    db, out, log = work / f"m{size}.db", work / f"m{size}.jsonl", work / f"m{size}.log"
    with replica("--articles", str(size)) as base:
        cmd = [sys.executable, "-m", "danvan_crawler", "crawl", "--site", base]
        cmd += ["--db", str(db), "--jsonl", str(out)]
        cmd += ["-s", f"CONCURRENT_REQUESTS={concurrency}"]
        cmd += ["-s", f"DANVAN_LIFTED_CONCURRENCY={concurrency}"]
        m = run_measured(cmd, cwd=REPO, log=log)
    lines = sum(1 for _ in out.open("rb")) if out.exists() else 0
    if m.returncode != 0:
        print(f"crawl of {size} exited {m.returncode}: see {log}", flush=True)
    print(
        f"{size} articles: peak RSS {m.max_rss_mb:.1f} MB, CPU {m.cpu_seconds:.1f} s,"
        f" wall {m.wall_seconds:.1f} s, {lines} articles out",
        flush=True,
    )
    return m, lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=SIZES, metavar=("SMALL", "BIG"))
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--keep", type=Path, help="keep logs and outputs in this folder")
    args = parser.parse_args(argv)
    small, big = args.sizes
    with tempfile.TemporaryDirectory(prefix="danvan-memory-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        m_small, n_small = crawl(small, work, args.concurrency)
        m_big, n_big = crawl(big, work, args.concurrency)
    ok = m_small.returncode == 0 and m_big.returncode == 0
    complete = n_small == small and n_big == big
    growth = m_big.max_rss_mb / m_small.max_rss_mb - 1
    figure(f"peak RSS, {small} articles", m_small.max_rss_mb, "MB")
    figure(
        f"peak RSS, {big} articles",
        m_big.max_rss_mb,
        "MB",
        f"<= {TARGET_MB:.0f}",
        m_big.max_rss_mb <= TARGET_MB,
    )
    figure(
        f"growth {small} -> {big}",
        100 * growth,
        "%",
        f"<= {100 * TARGET_GROWTH:.0f}",
        growth <= TARGET_GROWTH,
    )
    figure("every article in the JSON Lines (1 = yes)", float(complete), "", "1", complete)
    ok = ok and complete and m_big.max_rss_mb <= TARGET_MB and growth <= TARGET_GROWTH
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
