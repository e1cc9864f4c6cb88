"""First contact with unseen markups: the default profile on random replica layouts.

For each of ``--layouts`` random layouts (``danvan replica --layout random:SEED``, world
seed = SEED, ``--articles`` articles) a replica is served and ``danvan crawl`` (the
default profile, a fresh store, a real crawl over HTTP) runs against it; then the same
for the ``classic`` and ``modern`` layouts on ``--fixed`` worlds. Each stored record is
judged against the replica's truth (``/_replica/truth.jsonl``) and what the page shows
(``/_replica/layout.jsonl``: the date as printed and whether it has a time, the text on
the page that is not the article's):

- stored: the article is in the JSON Lines output;
- headline: equal to the truth's (text cleaned as DESIGN.md says);
- datePublished: the truth's to the minute where the page (or, when the page shows no
  date, the listing) prints a time, the same day otherwise;
- authors: the same names as the truth (none when the truth has none);
- body: the first sentence of the truth's body and its last sentence are in
  ``articleBody``, and no furniture text (menus, related and latest columns, share bars,
  comments, tags, footer: visible text of the page that is none of the article's own)
  that the truth's body does not hold;
- requests: article pages fetched (the replica's counters) per article in the world;
  "every complete page fetched once" is 1.000.

A field not stored counts as wrong. Targets (random layouts): stored >= 99.5 %, each
field >= 97 %, article requests per article = 1.000; classic and modern: 100 % of
everything. Exit status 1 when a target is missed. Printed for diagnosis: each field by
the markup choice that matters to it (date by form and place, headline by tag, authors
by place, body by paragraph markup), crawl exit codes, records extracted with a generic
fallback, and the layouts that lost most (reproduce one with
``danvan replica --layout random:SEED --seed SEED --articles N``).

``--profile-from-learn``: for each layout, ``danvan profile learn --site URL --out
FILE.toml`` first, then the crawl with ``--profile FILE.toml``; targets: 100 % of every
field and no generic fallback used (the crawl's ``danvan/extract/fallback/*`` stats).

The crawls run with the default profile and settings, but for the retry backoff
(``--backoff``, ``DANVAN_RETRY_BACKOFF_BASE``, 0.05 s instead of 1 s): a page fetched again
is fetched again all the same, and counted, without waiting seconds for it.
Replicas are served from this process (one server thread per layout being crawled,
stopped after its crawl); ``--jobs`` crawls run at a time, each in its own process.

    python benchmarks/fidelity.py [--layouts 500|50] [--articles 20] [--fixed 5] [--jobs N]
                                  [--first-seed 1] [--backoff 0.05] [--keep DIR]
                                  [--profile-from-learn]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import REPO, figure
from danvan_crawler.replica.server import make_server
from danvan_crawler.replica.sites import TZ
from danvan_crawler.replica.text import clean

FIELDS = ("headline", "datePublished", "authors", "body")
TARGET_STORED = 99.5
TARGET_FIELD = 97.0
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_STAT = re.compile(r"'(danvan/[^']+)': (\d+)")


# --------------------------------------------------------------------------- judging


def first_sentence(line: str) -> str:
    return _SENTENCE_END.split(line, maxsplit=1)[0]


def last_sentence(line: str) -> str:
    return _SENTENCE_END.split(line)[-1]


def same_date(got: str | None, truth: str, has_time: bool) -> bool:
    """``got`` (ISO 8601) names the truth's minute (``has_time``) or day, in UTC+7."""
    if not got:
        return False
    try:
        value = datetime.fromisoformat(got)
    except ValueError:
        return False
    if value.tzinfo is None:
        return False
    want = datetime.fromisoformat(truth).astimezone(TZ)
    value = value.astimezone(TZ)
    if has_time:
        return value.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0)
    return value.date() == want.date()


def judge(
    truth: dict[str, Any], facts: dict[str, Any], record: dict[str, Any] | None
) -> dict[str, bool]:
    """Per field, whether ``record`` (None: not stored) is right."""
    if record is None:
        return {"stored": False, **dict.fromkeys(FIELDS, False), "body_exact": False}
    lines = truth["articleBody"].split("\n")
    body = clean(record.get("articleBody") or "")
    own = truth["articleBody"] + "\n" + truth["headline"]
    furniture = [f for f in facts["furniture"] if f not in own]
    got_names = sorted(clean(a.get("name") or "") for a in record.get("authors") or [])
    return {
        "stored": True,
        "headline": clean(record.get("headline") or "") == truth["headline"],
        "datePublished": same_date(
            record.get("datePublished"), truth["datePublished"], bool(facts["date"]["time"])
        ),
        "authors": got_names == sorted(a["name"] for a in truth["authors"]),
        "body": first_sentence(lines[0]) in body
        and last_sentence(lines[-1]) in body
        and not any(f in body for f in furniture),
        "body_exact": [clean(x) for x in (record.get("articleBody") or "").split("\n") if clean(x)]
        == lines,
    }


# --------------------------------------------------------------------------- one layout


@dataclass
class Result:
    """One layout crawled and judged."""

    layout: str
    seed: int
    articles: int
    rows: list[dict[str, Any]] = field(default_factory=list)  # per article: judgement + facts
    article_requests: int = 0
    exit_code: int = 0
    stats: dict[str, int] = field(default_factory=dict)
    spec: dict[str, Any] | None = None
    error: str | None = None

    @property
    def group(self) -> str:
        return "random" if self.layout.startswith("random:") else self.layout


def http_get(url: str, method: str = "GET") -> bytes:
    req = urllib.request.Request(url, method=method)
    with _OPENER.open(req, timeout=120) as resp:
        return resp.read()


def jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


@contextmanager
def served(layout: str, seed: int, articles: int) -> Iterator[str]:
    """A replica of ``layout`` served from a thread of this process; its base URL."""
    server, replica = make_server("127.0.0.1", 0, articles=articles, seed=seed, layout=layout)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield replica.base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def danvan(*args: str, log: Path) -> int:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(log, "ab") as out:
        return subprocess.call(
            [sys.executable, "-m", "danvan_crawler", *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def run_layout(
    layout: str, seed: int, articles: int, work: Path, learn: bool, backoff: float
) -> Result:
    result = Result(layout, seed, articles)
    here = work / layout.replace(":", "-") / f"world-{seed}"
    here.mkdir(parents=True, exist_ok=True)
    log = here / "crawl.log"
    try:
        with served(layout, seed, articles) as base:
            truth = jsonl(http_get(base + "/_replica/truth.jsonl"))
            facts = {f["articleId"]: f for f in jsonl(http_get(base + "/_replica/layout.jsonl"))}
            result.spec = json.loads(http_get(base + "/_replica/info"))["layout_spec"]
            crawl = ["crawl", "--site", base, "--db", str(here / "store.db")]
            crawl += ["--jsonl", str(here / "out.jsonl")]
            crawl += ["-s", f"DANVAN_RETRY_BACKOFF_BASE={backoff}"]
            if learn:
                profile = here / "learned.toml"
                code = danvan("profile", "learn", "--site", base, "--out", str(profile), log=log)
                if code != 0:
                    result.error = f"profile learn exited {code}"
                crawl += ["--profile", str(profile)]
            http_get(base + "/_replica/stats/reset", method="POST")
            if result.error is None:
                result.exit_code = danvan(*crawl, log=log)
            stats = json.loads(http_get(base + "/_replica/stats"))
            result.article_requests = stats["by_kind"]["article"]
        out = here / "out.jsonl"
        records = {r["articleId"]: r for r in jsonl(out.read_bytes())} if out.exists() else {}
        for row in truth:
            fact = facts[row["articleId"]]
            verdict = judge(row, fact, records.get(row["articleId"]))
            result.rows.append({**verdict, "facts": fact, "id": row["articleId"]})
        # the last stats dump of the log (Scrapy prints it at the end of a crawl)
        text = log.read_text("utf-8", errors="replace") if log.exists() else ""
        result.stats = {k: int(v) for k, v in _STAT.findall(text)}
    except Exception as exc:  # a replica or harness failure: counted, shown, never hidden
        result.error = f"{type(exc).__name__}: {exc}"
    return result


# --------------------------------------------------------------------------- report


def pct(good: int, total: int) -> float:
    return 100.0 * good / total if total else 0.0


def breakdown(results: list[Result], name: str, key: Any, fld: str) -> None:
    """``fld`` right (%) by the value of ``key(result, row)``."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for res in results:
        for row in res.rows:
            value = key(res, row)
            counts[value][1] += 1
            counts[value][0] += row[fld]
    parts = [
        f"{value} {pct(good, total):.0f}% ({total})"
        for value, (good, total) in sorted(counts.items(), key=lambda kv: pct(*kv[1]))
    ]
    print(f"  {fld} by {name}: " + ", ".join(parts), flush=True)


def author_place(authors: dict[str, Any] | None) -> str:
    """Where the page prints the author: ``signature/STYLE``, ``byline-top``... or none."""
    if not authors:
        return "none"
    if authors.get("where") == "signature":
        return f"signature/{authors.get('style')}"
    return str(authors.get("where"))


def report(results: list[Result], learn: bool) -> bool:
    ok = True
    for group in ("random", "classic", "modern"):
        mine = [r for r in results if r.group == group]
        if not mine:
            continue
        rows = [row for r in mine for row in r.rows]
        n = len(rows)
        layouts = len(mine)
        print(f"-- {group}: {layouts} layouts, {n} articles", flush=True)
        perfect = learn or group != "random"
        stored = pct(sum(r["stored"] for r in rows), n)
        want = 100.0 if perfect else TARGET_STORED
        figure(f"{group}: articles stored", stored, "%", f">= {want:g}", stored >= want)
        ok &= stored >= want
        for fld in FIELDS:
            value = pct(sum(r[fld] for r in rows), n)
            want = 100.0 if perfect else TARGET_FIELD
            figure(f"{group}: {fld} right", value, "%", f">= {want:g}", value >= want)
            ok &= value >= want
        figure(
            f"{group}: body exactly the truth's (information)",
            pct(sum(r["body_exact"] for r in rows), n),
            "%",
        )
        requests = sum(r.article_requests for r in mine)
        ratio = requests / n if n else 0.0
        figure(
            f"{group}: article requests per article", ratio, "", "= 1.000", abs(ratio - 1) < 1e-9
        )
        ok &= abs(ratio - 1) < 1e-9
        refetching = sum(1 for r in mine if r.article_requests > r.articles)
        figure(f"{group}: layouts with an article fetched again", refetching, "")
        with_fallback = sum(r.stats.get("danvan/alarm/articles_with_fallback", 0) for r in mine)
        parsed = sum(r.stats.get("danvan/articles/parsed", 0) for r in mine)
        figure(
            f"{group}: article pages parsed with a generic fallback",
            pct(with_fallback, parsed),
            "%",
        )
        if learn:
            used = sum(
                v
                for r in mine
                for k, v in r.stats.items()
                if k.startswith("danvan/extract/fallback/")
            )
            figure(f"{group}: generic fallbacks used", used, "", "= 0", used == 0)
            ok &= used == 0
        codes = Counter(r.exit_code for r in mine)
        errors = [r for r in mine if r.error]
        print(f"  crawl exit codes: {dict(sorted(codes.items()))}; harness errors: {len(errors)}")
        for r in errors[:5]:
            print(f"    {r.layout} world {r.seed}: {r.error}")
        ok &= not errors
        if group == "random":
            breakdown(
                mine, "date place", lambda _r, row: row["facts"]["date"]["where"], "datePublished"
            )
            breakdown(
                mine,
                "date form",
                lambda _r, row: row["facts"]["date"].get("form", "?"),
                "datePublished",
            )
            breakdown(
                mine, "headline tag", lambda r, _row: (r.spec or {}).get("headline_tag"), "headline"
            )
            breakdown(
                mine,
                "author place",
                lambda _r, row: author_place(row["facts"]["authors"]),
                "authors",
            )
            breakdown(
                mine, "paragraphs", lambda r, _row: (r.spec or {}).get("body_paragraphs"), "body"
            )
            breakdown(mine, "family", lambda r, _row: (r.spec or {}).get("family"), "stored")
            worst = sorted(mine, key=lambda r: sum(sum(row[f] for f in FIELDS) for row in r.rows))[
                :5
            ]
            print("  layouts that lost most (fields right of 4 x articles):")
            for r in worst:
                right = sum(sum(row[f] for f in FIELDS) for row in r.rows)
                print(
                    f"    {r.layout} world {r.seed}: {right}/{4 * len(r.rows)}, exit {r.exit_code}"
                )
    return ok


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--layouts",
        type=int,
        default=None,
        help="random layouts (default 500; 50 with --profile-from-learn)",
    )
    parser.add_argument("--first-seed", type=int, default=1, help="seed of the first layout")
    parser.add_argument("--articles", type=int, default=20, help="articles a world (default 20)")
    parser.add_argument("--fixed", type=int, default=5, help="worlds crawled in classic and modern")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="crawls at a time")
    parser.add_argument(
        "--backoff",
        type=float,
        default=0.05,
        help="the crawls' DANVAN_RETRY_BACKOFF_BASE in seconds (default 0.05: retries wait"
        " less, and fetch and store the same)",
    )
    parser.add_argument("--keep", type=Path, help="keep stores, outputs, logs, results here")
    parser.add_argument(
        "--profile-from-learn",
        action="store_true",
        help="learn a profile per layout (danvan profile learn) and crawl with it",
    )
    args = parser.parse_args(argv)
    if args.layouts is None:
        args.layouts = 50 if args.profile_from_learn else 500
    seeds = range(args.first_seed, args.first_seed + args.layouts)
    jobs = [(f"random:{s}", s) for s in seeds]
    if not args.profile_from_learn:
        jobs += [(name, s) for name in ("classic", "modern") for s in range(1, args.fixed + 1)]
    work = args.keep or Path(tempfile.mkdtemp(prefix="danvan-fidelity-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"{len(jobs)} crawls ({args.layouts} random layouts"
        + (
            ", each with a learned profile"
            if args.profile_from_learn
            else f", classic and modern x {args.fixed} worlds"
        )
        + f"), {args.articles} articles each, {args.jobs} at a time",
        flush=True,
    )
    started = time.perf_counter()
    results: list[Result] = []
    try:
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futures = [
                pool.submit(
                    run_layout, name, s, args.articles, work, args.profile_from_learn, args.backoff
                )
                for name, s in jobs
            ]
            for k, future in enumerate(as_completed(futures), 1):
                results.append(future.result())
                if k % 50 == 0 or k == len(futures):
                    elapsed = time.perf_counter() - started
                    print(f"  {k}/{len(futures)} crawled, {elapsed:.0f} s", flush=True)
        results.sort(key=lambda r: (r.group, r.seed))
        if args.keep:
            with (work / "results.jsonl").open("w", encoding="utf-8") as fh:
                for r in results:
                    fh.write(json.dumps(r.__dict__, ensure_ascii=False, default=str) + "\n")
        ok = report(results, args.profile_from_learn)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"wall time {time.perf_counter() - started:.0f} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
