"""What an incremental crawl costs: requests per run, marginal requests, no-change time.

Starts the replica (default 10 000 articles), then crawls it four times into one fresh
store, each crawl a child process (``danvan crawl`` in-process: settings, spider,
pipelines, store): a full crawl, a no-change run, a run after
``/_replica/publish?n=20``, a run after ``/_replica/edit?n=5``. Requests per run come
from ``/_replica/stats`` (reset before each run), by kind and status.

Figures, ratios last:

- marginal requests per new article = (requests of the run with 20 new - requests of the
  no-change run) / 20; target <= 1.2;
- the no-change run's time as a fraction of the full crawl's, measured two ways:
  *process* (wall clock of the whole child, Python and Scrapy start-up included) and
  *crawl* (Scrapy's ``elapsed_time_seconds``: ``spider_opened`` to ``spider_closed``,
  in the child). The target (<= 5 %) is checked on the *process* figure, what cron
  sees; start-up (about 1.5-2 s here) is most of a no-change run, so the replica has to
  be large enough for a full crawl to mean something (the live portal's full crawl,
  polite, takes hours). Since issue 7 a full crawl with politeness lifted costs about
  7 ms of CPU an article, so 2 000 articles (the first default) took only ~20 s and the
  figure measured start-up, not the incremental logic: 10 000 articles, a full crawl of
  a minute or two. The crawl figure is printed too.

The replica's politeness is lifted (loopback: ``DANVAN_POLITENESS=auto``). Exit status 1
when a target is missed.

    python benchmarks/incremental.py [--articles 10000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

# This file's name shadows the ``incremental`` package Twisted imports: drop its folder
# from the import path (run as a script, it is sys.path[0]).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks._common import figure, get_json, replica, run_measured  # noqa: E402

NEW = 20
EDITED = 5
TARGET_MARGINAL = 1.2
TARGET_FRACTION = 0.05


def child(site: str, db: str, out: str) -> int:
    """Run one crawl in this process; write its Scrapy stats as JSON to ``out``."""
    from danvan_crawler.commands.crawl import build_settings, exit_code, run_crawl

    settings = build_settings(site, None, {"LOG_LEVEL": "WARNING"}, db=db)
    stats = run_crawl(settings, site)
    Path(out).write_text(json.dumps(stats, default=str), encoding="utf-8")
    return exit_code(stats)


def measured_run(site: str, db: Path, work: Path, name: str) -> dict[str, Any]:
    base = site.rstrip("/")
    get_json(base + "/_replica/stats/reset", method="POST")
    out = work / f"{name}.stats.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", site, str(db), str(out)]
    m = run_measured(cmd, cwd=work, log=work / f"{name}.log")
    if m.returncode != 0:
        raise SystemExit(f"crawl {name} failed (exit {m.returncode}); see {work / name}.log")
    stats = json.loads(out.read_text("utf-8"))
    replica_stats = get_json(base + "/_replica/stats")
    assert isinstance(replica_stats, dict)
    return {
        "name": name,
        "wall": m.wall_seconds,
        "crawl": float(stats.get("elapsed_time_seconds") or 0.0),
        "items": int(stats.get("item_scraped_count", 0)),
        "requests": replica_stats,
    }


def show(run: dict[str, Any]) -> None:
    req = run["requests"]
    kinds = req["by_kind"]
    print(f"-- {run['name']}", flush=True)
    figure("requests total", req["total"])
    for kind in ("listing", "article", "other"):
        figure(f"  {kind}", kinds.get(kind, 0))
    figure("  answered 304", req.get("not_modified", 0))
    figure("articles emitted (new or updated)", run["items"])
    figure("wall time (process, start-up included)", run["wall"], "s")
    figure("crawl time (spider_opened..closed)", run["crawl"], "s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--child", nargs=3, metavar=("SITE", "DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)

    with tempfile.TemporaryDirectory(prefix="danvan-bench-inc-") as tmp:
        work = Path(tmp)
        db = work / "store.db"
        with replica("--articles", str(args.articles)) as site:
            base = site.rstrip("/")
            print(f"replica: {args.articles} articles at {site}", flush=True)
            full = measured_run(site, db, work, "full crawl")
            show(full)
            same = measured_run(site, db, work, "no-change run")
            show(same)
            get_json(f"{base}/_replica/publish?n={NEW}", method="POST")
            new = measured_run(site, db, work, f"after publish?n={NEW}")
            show(new)
            get_json(f"{base}/_replica/edit?n={EDITED}", method="POST")
            edit = measured_run(site, db, work, f"after edit?n={EDITED}")
            show(edit)

    ok = True
    print("-- checks", flush=True)
    checks = [
        ("no-change run: article pages fetched", same["requests"]["by_kind"].get("article", 0), 0),
        (
            f"publish run: article pages fetched (= {NEW})",
            new["requests"]["by_kind"]["article"],
            NEW,
        ),
        (f"publish run: articles emitted (= {NEW})", new["items"], NEW),
        (
            f"edit run: article pages fetched (= {EDITED})",
            edit["requests"]["by_kind"]["article"],
            EDITED,
        ),
    ]
    for name, value, want in checks:
        good = value == want
        ok &= good
        figure(name, value, ok=good)

    print("-- ratios", flush=True)
    marginal = (new["requests"]["total"] - same["requests"]["total"]) / NEW
    good = marginal <= TARGET_MARGINAL
    ok &= good
    figure("marginal requests per new article", marginal, "", f"<= {TARGET_MARGINAL}", good)
    crawl_fraction = same["crawl"] / full["crawl"] if full["crawl"] else float("inf")
    figure("no-change / full, crawl time only (info)", crawl_fraction)
    process_fraction = same["wall"] / full["wall"] if full["wall"] else float("inf")
    good = process_fraction <= TARGET_FRACTION
    ok &= good
    figure(
        "no-change / full, process wall time (the target)",
        process_fraction,
        "",
        f"<= {TARGET_FRACTION}",
        good,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
