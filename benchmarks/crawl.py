"""A full crawl of a 5 000-article replica: ours against a bare Scrapy spider.

Starts a replica (``--articles 5000``), builds from its ``/_replica/truth.jsonl`` the
list of URLs a full crawl fetches (home, every listing page, every article page), then
runs, each in its own process measured with ``wait4`` (CPU = user + system of the
child, wall clock, peak RSS):

- bare: ``python -m benchmarks.bare_spider URLS`` (Scrapy, requests the URLs, parses
  nothing, robots.txt obeyed), with our ``CONCURRENT_ITEMS`` (16: Scrapy starts that
  many asyncio tasks for every response, even one that yields nothing);
- bare at Scrapy's default ``CONCURRENT_ITEMS`` (100), for information: the baseline of
  the figures published before ours was lowered, about 1 ms of CPU a page more;
- floor: ``bare_spider --floor``, the same crawl plus the least a crawler that keeps
  articles does (each article page parsed with lxml into URL, headline and paragraph
  text, stored in one SQLite table and written to JSON Lines), with our
  ``CONCURRENT_ITEMS``: the cost before any of the product's work (normalization,
  deduplication, incremental bookkeeping, link discovery, dates) starts;
- ours: ``python -m danvan_crawler crawl --site URL --db NEW.db --jsonl OUT.jsonl``
  (extraction, pipelines, SQLite store, JSON Lines), politeness lifted (loopback).

- ours without places, for the cost of tagging places: the same with
  ``-s DANVAN_PLACES=0``. The share of ours' CPU that tagging costs, (ours - ours
  without places) / ours, is printed with its target (<= 5 %), next to the same share
  measured directly in this process (gazetteer build plus ``find_places`` over every
  article of the replica's truth, timed with ``process_time``: free of the noise of two
  crawls' CPU times). ``--places-only`` runs just these two sides.

All at the same concurrency (``--concurrency``, 16). The replica runs in its own
process: its CPU is not counted on either side; its CPU share during each run is printed
(near 100 %: the replica, not the crawler, set the pace of that run; the bare spider's
run is near 60 %, ours near 25 %, on a 2-vCPU machine). The replica's
request counters are compared after each run: both must fetch the same pages.
``--rounds`` (default 2) alternates the order (bare first / ours first) and keeps each
side's best CPU time. Target: CPU ours / floor <= 2.0; exit status 1 when missed. CPU
ours / bare (bare with the same settings as ours) is reported without a target. For
information, the CPU per article of each side and of ours minus floor (the product's
own work: extraction, pipelines, store, output), next to what the target leaves for it
(1 x floor's).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    REPO,
    Measurement,
    figure,
    get_json,
    process_cpu_seconds,
    replica_process,
    run_measured,
)
from danvan_crawler import settings as our_settings

#: CPU ours / floor (the ratio to bare Scrapy is reported, with no target)
TARGET_FLOOR_RATIO = 2.0
#: Most of ours' CPU that tagging places may cost (percent).
TARGET_PLACES_SHARE = 5.0
SIDES = ("bare", "bare-default", "floor", "ours", "ours-noplaces")
PLACES_SIDES = ("ours", "ours-noplaces")


def tagging_seconds(truth: list[dict[str, Any]]) -> float:
    """CPU seconds of building the gazetteer and tagging every article of ``truth``."""
    import time

    from danvan_crawler.gazetteer import gazetteer
    from danvan_crawler.places import find_places

    started = time.process_time()
    gazetteer.cache_clear()
    gazetteer()
    for article in truth:
        find_places(article)
    return time.process_time() - started


def url_list(base: str, truth: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(home, every listing page (10 entries a page) and every live article (primary
    URL); the articles alone)."""
    per_category: Counter[str] = Counter()
    articles: list[str] = []
    for line in truth:
        articles.append(line["url"])
        for cat in line["categories"]:
            per_category[cat["url"]] += 1
    urls = [base]
    for cat_url, count in per_category.items():
        urls.append(cat_url)
        urls.extend(f"{cat_url}?trang={k}" for k in range(2, math.ceil(count / 10) + 1))
    return urls + articles, articles


def measured(
    name: str, cmd: list[str], base: str, pid: int, log: Path
) -> tuple[Measurement, dict[str, Any], float]:
    """Run one crawl; (measurement, replica request counts, replica CPU seconds)."""
    get_json(base + "_replica/stats/reset", method="POST")
    before = process_cpu_seconds(pid)
    m = run_measured(cmd, cwd=REPO, log=log)
    replica_cpu = process_cpu_seconds(pid) - before
    stats = get_json(base + "_replica/stats")
    assert isinstance(stats, dict)
    if m.returncode != 0:
        print(f"{name} crawl exited {m.returncode}: see {log}", flush=True)
    return m, stats, replica_cpu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep logs and outputs in this folder")
    parser.add_argument(
        "--places-only", action="store_true", help="only ours with and without places"
    )
    args = parser.parse_args(argv)
    sides = PLACES_SIDES if args.places_only else SIDES

    with tempfile.TemporaryDirectory(prefix="danvan-crawl-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        with replica_process("--articles", str(args.articles)) as (base, pid):
            truth = get_json(base + "_replica/truth.jsonl")
            assert isinstance(truth, list)
            urls, articles = url_list(base, truth)
            url_file, article_file = work / "urls.txt", work / "articles.txt"
            url_file.write_text("\n".join(urls) + "\n", "utf-8")
            article_file.write_text("\n".join(articles) + "\n", "utf-8")
            print(f"replica {base}: {args.articles} articles, {len(urls)} URLs", flush=True)
            conc = str(args.concurrency)
            bare_cmd = [sys.executable, "-m", "benchmarks.bare_spider", str(url_file)]
            bare_cmd += ["--concurrency", conc]
            # bare and floor run with our CONCURRENT_ITEMS, bare-default with Scrapy's
            # (Scrapy is not imported here: benchmarks/incremental.py would shadow the
            # package Twisted imports)
            ours_items = ["--concurrent-items", str(our_settings.CONCURRENT_ITEMS)]
            results: dict[str, list[tuple[Measurement, dict[str, Any], float]]] = {
                side: [] for side in sides
            }
            lines_out: dict[str, list[int]] = {
                s: [] for s in ("floor", *PLACES_SIDES) if s in sides
            }
            for n in range(args.rounds):
                for side in sides if n % 2 == 0 else sides[::-1]:
                    out = work / f"{side}-{n}.jsonl"
                    if side == "bare-default":
                        cmd = bare_cmd
                    elif side == "bare":
                        cmd = [*bare_cmd, *ours_items]
                    elif side == "floor":
                        cmd = [*bare_cmd, *ours_items, "--floor", str(work / f"floor-{n}.db")]
                        cmd += ["--articles", str(article_file), "--jsonl", str(out)]
                    else:
                        db = work / f"{side}-{n}.db"
                        cmd = [sys.executable, "-m", "danvan_crawler", "crawl", "--site", base]
                        cmd += ["--db", str(db), "--jsonl", str(out)]
                        cmd += ["-s", f"CONCURRENT_REQUESTS={conc}"]
                        cmd += ["-s", f"DANVAN_LIFTED_CONCURRENCY={conc}"]
                        if side == "ours-noplaces":
                            cmd += ["-s", "DANVAN_PLACES=0"]
                    log = work / f"{side}-{n}.log"
                    result = measured(side, cmd, base, pid, log)
                    results[side].append(result)
                    m, stats, rep = result
                    print(
                        f"round {n + 1} {side}: CPU {m.cpu_seconds:.1f} s, wall"
                        f" {m.wall_seconds:.1f} s, {stats['total']} requests"
                        f" {json.dumps(stats['by_kind'])}, replica CPU {rep:.1f} s",
                        flush=True,
                    )
                    if side in lines_out:
                        with out.open("rb") as fh:
                            lines_out[side].append(sum(1 for _ in fh))

            direct = tagging_seconds(truth)

    ok = not any(m.returncode != 0 for side in sides for m, _, _ in results[side])
    best = {side: min(results[side], key=lambda r: r[0].cpu_seconds) for side in sides}
    first = results[sides[0]][0][1]["by_kind"]
    same_pages = all(r[1]["by_kind"] == first for side in sides for r in results[side])
    # the floor's figures mean something only if it stored every article too
    all_articles = {side: all(n == args.articles for n in ns) for side, ns in lines_out.items()}
    for side, (m, stats, rep) in best.items():
        pages = stats["total"]
        figure(f"{side}: CPU", m.cpu_seconds, "s")
        figure(f"{side}: wall", m.wall_seconds, "s")
        figure(f"{side}: pages per CPU second", pages / m.cpu_seconds, "p/s")
        figure(f"{side}: pages per wall second", pages / m.wall_seconds, "p/s")
        figure(f"{side}: replica CPU share of the wall time", 100 * rep / m.wall_seconds, "%")
    figure("same pages fetched by every side (1 = yes)", float(same_pages), "", "1", same_pages)
    for side, counts in lines_out.items():
        wanted, got = str(args.articles), all_articles[side]
        figure(f"{side}: articles in the JSON Lines", min(counts), "", wanted, got)
    ours_cpu = best["ours"][0].cpu_seconds
    share = 100 * (ours_cpu - best["ours-noplaces"][0].cpu_seconds) / ours_cpu
    target = f"<= {TARGET_PLACES_SHARE:g}"
    figure("places: share of ours' CPU (ours vs ours without places)", share, "%", target,
           share <= TARGET_PLACES_SHARE)  # fmt: skip
    figure("places: share of ours' CPU (tagging timed in-process)", 100 * direct / ours_cpu, "%")
    figure("places: tagging CPU per article (in-process)", 1000 * direct / args.articles, "ms")
    ok = ok and same_pages and all(all_articles.values()) and share <= TARGET_PLACES_SHARE
    if args.places_only:
        return 0 if ok else 1
    bare_best, ours_best = best["bare"], best["ours"]
    bare_cpu = bare_best[0].cpu_seconds
    floor_cpu = best["floor"][0].cpu_seconds
    ratio = ours_cpu / floor_cpu
    figure(
        "CPU ratio ours / floor",
        ratio,
        "x",
        f"<= {TARGET_FLOOR_RATIO}",
        ratio <= TARGET_FLOOR_RATIO,
    )
    figure("CPU ratio ours / bare", ours_cpu / bare_cpu, "x")
    figure("wall ratio ours / bare", ours_best[0].wall_seconds / bare_best[0].wall_seconds, "x")
    # the same figures per article, for information: what the product's own work
    # (extraction, pipelines, store, output) costs an article, against what the target
    # leaves for it
    ms_an_article = 1000 / args.articles
    figure("bare: CPU per article", bare_cpu * ms_an_article, "ms")
    figure("floor: CPU per article", floor_cpu * ms_an_article, "ms")
    figure("ours: CPU per article", ours_cpu * ms_an_article, "ms")
    figure("ours minus floor: CPU per article", (ours_cpu - floor_cpu) * ms_an_article, "ms")
    leaves = (TARGET_FLOOR_RATIO - 1) * floor_cpu * ms_an_article
    figure("  what the target leaves for it", leaves, "ms")
    figure("floor minus bare: CPU per article", (floor_cpu - bare_cpu) * ms_an_article, "ms")
    figure("CPU ratio floor / bare", floor_cpu / bare_cpu, "x")
    default_cpu = best["bare-default"][0].cpu_seconds
    figure("CPU ratio ours / bare-default", ours_cpu / default_cpu, "x")
    ok = ok and ratio <= TARGET_FLOOR_RATIO
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
