"""Publishing cost must follow categories x limit, not the size of the store.

Fills one store with 10 000 and one with 100 000 synthetic articles (20 categories,
through ``store.upsert``; not timed), then times ``publish`` on each in the same run
(limit 50, into an empty folder, wall clock, best of 5, the two sizes interleaved so
that load on the machine hits both; CPU times are printed too). Targets: at most 2 s at
100 000 articles, and at most 1.3 x the 10 000 time. Exit status 1 when one is missed.

Filling goes through the store's ordinary upsert and is slow (minutes for 100 000);
filled stores are kept in a cache folder (``DANVAN_BENCH_CACHE``, default
``~/.cache/danvan-crawler/bench``) named after a fingerprint of the generated data and
the size (opening migrates them to the current schema), so later runs skip the filling.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import figure
from danvan_crawler.feeds import (
    publish,
    samples,
)
from danvan_crawler.store import open_store

SIZES = (10_000, 100_000)
CATEGORIES = 20
LIMIT = 50
REPEATS = 5
BASE = "https://nghean.dcs.vn"
PUBLIC = "https://feeds.example.org/"
TARGET_SECONDS = 2.0
TARGET_RATIO = 1.3
BATCH = 2_000


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "danvan-crawler" / "bench"
    path = Path(os.environ.get("DANVAN_BENCH_CACHE") or default)
    path.mkdir(parents=True, exist_ok=True)
    return path


def fingerprint(size: int) -> str:
    """Names the data (a sample of the generated articles), not the generator's source.
    The store's schema is left out: ``open_store`` migrates a cached store."""
    categories = samples.synthetic_categories(BASE, CATEGORIES)
    probe = [samples.synthetic_article(n, categories, BASE) for n in (0, 1, 7, 35, size - 1)]
    key = json.dumps([probe, categories, size], sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def filled_store(size: int, sizes: tuple[int, ...] = SIZES) -> Path:
    """A SQLite store holding ``size`` synthetic articles (from the cache when present)."""
    path = cache_dir() / f"publish-{size}-{fingerprint(size)}.db"
    if path.exists():
        print(f"store of {size} articles: cached at {path}", flush=True)
        return path
    partial = path.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    # The articles of a smaller store are the first ones of a bigger store: start from it.
    first = 0
    for smaller in sorted(s for s in sizes if s < size):
        prefix = cache_dir() / f"publish-{smaller}-{fingerprint(smaller)}.db"
        if prefix.exists():
            with (
                contextlib.closing(sqlite3.connect(prefix)) as source,
                contextlib.closing(sqlite3.connect(partial)) as target,
            ):
                source.backup(target)
            first = smaller
    categories = samples.synthetic_categories(BASE, CATEGORIES)
    store = open_store(partial)
    started = time.perf_counter()
    try:
        for start in range(first, size, BATCH):
            batch = [
                samples.synthetic_article(n, categories, BASE)
                for n in range(start, min(size, start + BATCH))
            ]
            store.upsert(batch, detect_duplicates=False)
            done = start + len(batch)
            rate = (done - first) / (time.perf_counter() - started)
            print(
                f"\rfilling a store of {size}: {done} articles ({rate:.0f}/s)",
                end="",
                flush=True,
            )
    finally:
        store.close()
    print(flush=True)
    for suffix in ("-wal", "-shm"):
        extra = Path(str(partial) + suffix)
        if extra.exists() and extra.stat().st_size == 0:
            extra.unlink()
    os.replace(partial, path)
    return path


def publish_once(store: object) -> tuple[float, float]:
    """(wall, CPU) seconds of one publish into a fresh, empty folder."""
    out = Path(tempfile.mkdtemp(prefix="danvan-bench-feeds-"))
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = publish(store, out, PUBLIC, LIMIT)  # type: ignore[arg-type]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert result.feeds == CATEGORIES + 1, result
        return wall, cpu
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(s) for s in SIZES),
        help="two store sizes, small,large (default %(default)s; others for a smoke run)",
    )
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    if len(sizes) != 2 or not 0 < sizes[0] < sizes[1]:
        parser.error("--sizes wants two increasing sizes, e.g. 10000,100000")
    paths = {size: filled_store(size, sizes) for size in sizes}
    stores = {size: open_store(path) for size, path in paths.items()}
    try:
        for store in stores.values():  # warm up: imports, caches, SQLite pages
            publish_once(store)
        walls: dict[int, list[float]] = {size: [] for size in sizes}
        cpus: dict[int, list[float]] = {size: [] for size in sizes}
        for _ in range(REPEATS):  # interleaved, so that load on the machine hits both
            for size, store in stores.items():
                wall, cpu = publish_once(store)
                walls[size].append(wall)
                cpus[size].append(cpu)
    finally:
        for store in stores.values():
            store.close()
    small, large = (min(walls[size]) for size in sizes)
    ratio = large / small
    ok_time = large <= TARGET_SECONDS
    ok_ratio = ratio <= TARGET_RATIO
    for size in sizes:
        figure(f"publish, {size} articles, CPU (best of {REPEATS})", min(cpus[size]), "s")
    figure(f"publish, {sizes[0]} articles, wall (best of {REPEATS})", small, "s")
    figure(
        f"publish, {sizes[1]} articles, wall (best of {REPEATS})",
        large,
        "s",
        f"<= {TARGET_SECONDS} s",
        ok_time,
    )
    figure(f"ratio {sizes[1]} / {sizes[0]} (wall)", ratio, "x", f"<= {TARGET_RATIO}", ok_ratio)
    return 0 if ok_time and ok_ratio else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
