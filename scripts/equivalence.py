"""Prove that two revisions give the same output: ``scripts/equivalence.py OLD NEW``.

OLD and NEW are git revisions of this repository (each checked out with ``git worktree``
into a temporary folder, removed afterwards) or paths to checkouts. In each, with that
revision's own code (``PYTHONPATH`` set to the checkout):

1. the replica portal (``--articles``, ``--seed``) on one loopback port shared by both
   sides, so URLs are the same bytes;
2. ``danvan crawl`` into a new store with ``CONCURRENT_REQUESTS=1`` (the order of the
   JSON Lines follows the order of responses), then ``danvan publish`` and
   ``danvan export``;
3. every saved page of the fixtures corpus (``tests/fixtures/pages/*/body.html``, taken
   from NEW for both sides) through ``ArticlePage(...).extract()`` and ``ListingPage``.

Then every file is compared byte for byte; differences are printed as unified diffs and
the exit status is 1. The code has no injectable clock, so the run's own timestamps are
normalised, and only these:

- ``"crawledAt"`` in ``articles.jsonl`` and ``export.jsonl`` (the crawl's wall clock);
- in ``feeds/index.html``, a ``<time datetime="...">...</time>`` element whose datetime
  lies within that side's run (the time of the last crawl, read from the store).

``export.jsonl`` is compared with its lines sorted: the export is ordered by the time each
article last changed (a clock value) and ties break differently between runs.
Nothing else is rewritten. The store file itself is not compared (SQLite pages carry
timestamps and free space); what it holds is, through the export and the feeds.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://feeds.example.org/"
RUN_TIME = "<run time>"

# Runs inside each checkout: prints one JSON line per saved page and kind of page object.
_EXTRACT = r"""
import dataclasses, json, sys
from pathlib import Path
from danvan_crawler.extract import ArticlePage, ListingPage
from danvan_crawler.profile import load_profile

profile = load_profile("nghean")

def plain(value):
    if dataclasses.is_dataclass(value):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)

for folder in sorted(p for p in Path(sys.argv[1]).iterdir() if (p / "body.html").is_file()):
    html = (folder / "body.html").read_text(encoding="utf-8")
    url = (folder / "url.txt").read_text(encoding="utf-8").strip()
    article = ArticlePage(html, url, profile).extract()
    print(json.dumps({"page": folder.name, "article": plain(article)}, ensure_ascii=False,
                     sort_keys=True))
    listing = ListingPage(html, url, profile)
    seen = {"entries": plain(listing.entries), "pages": plain(listing.page_urls),
            "title": listing.title, "categories": plain(listing.categories),
            "subsites": plain(listing.subsites)}
    print(json.dumps({"page": folder.name, "listing": seen}, ensure_ascii=False,
                     sort_keys=True))
"""

_CRAWLED_AT = re.compile(r'"crawledAt":\s*"[^"]*"')
_TIME_ELEMENT = re.compile(r'<time datetime="([^"]+)">[^<]*</time>')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def checkout(spec: str, tmp: Path, name: str) -> Iterator[Path]:
    """A folder holding ``spec``: the path itself, or a git worktree of the revision."""
    path = Path(spec)
    if path.is_dir():
        yield path.resolve()
        return
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{spec}^{{commit}}"],
        capture_output=True, text=True,
    )  # fmt: skip
    if commit.returncode != 0:
        raise SystemExit(f"equivalence: {spec!r} is neither a folder nor a git revision")
    target = tmp / name
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(target),
         commit.stdout.strip()],
        check=True,
    )  # fmt: skip
    try:
        yield target
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(target)], check=False
        )


def clean_env(code: Path) -> dict[str, str]:
    """The environment of one side: its code first, no DANVAN_* setting from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = str(code)
    env["DANVAN_PUBLIC_URL"] = PUBLIC_URL
    env["PYTHONHASHSEED"] = "0"
    return env


def run(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write("$ " + " ".join(args) + "\n")
        out.flush()
        done = subprocess.run(args, env=env, cwd=cwd, stdout=out, stderr=out)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8").splitlines()[-15:]
        raise SystemExit(
            f"equivalence: {' '.join(args[2:5])} exited {done.returncode} in {cwd}\n"
            + "\n".join(tail)
        )


def produce(
    code: Path, out: Path, port: int, articles: int, seed: int, pages: Path
) -> tuple[datetime, datetime]:
    """Crawl, publish, export and extract with the code in ``code``; the run's time span."""
    out.mkdir(parents=True)
    env = clean_env(code)
    log = out.parent / f"{out.name}.log"
    py = sys.executable
    replica = subprocess.Popen(
        [py, "-m", "danvan_crawler.replica", "--host", "127.0.0.1", "--port", str(port),
         "--articles", str(articles), "--seed", str(seed)],
        env=env, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    started = datetime.now(UTC)
    try:
        assert replica.stdout is not None
        line = replica.stdout.readline().strip()
        if not line.startswith("serving http://"):
            raise SystemExit(f"equivalence: the replica of {code} did not start: {line!r}")
        site = line.split(" ", 1)[1]
        run(
            [py, "-m", "danvan_crawler", "crawl", "--site", site, "--jsonl", "articles.jsonl",
             "--db", "store.db", "-s", "CONCURRENT_REQUESTS=1", "--loglevel", "WARNING"],
            env, out, log,
        )  # fmt: skip
    finally:
        replica.terminate()
        replica.wait(timeout=30)
        if replica.stdout:
            replica.stdout.close()
    run([py, "-m", "danvan_crawler", "publish", "--db", "store.db", "--out", "feeds", "-q"],
        env, out, log)  # fmt: skip
    run([py, "-m", "danvan_crawler", "export", "--db", "store.db", "--out", "export.jsonl"],
        env, out, log)  # fmt: skip
    with (out / "extract.jsonl").open("w", encoding="utf-8") as sink:
        done = subprocess.run([py, "-c", _EXTRACT, str(pages)], env=env, cwd=out, stdout=sink)
    if done.returncode != 0:
        raise SystemExit(f"equivalence: extracting the saved pages failed with {code}")
    (out / "store.db").unlink()
    for leftover in out.glob("store.db-*"):
        leftover.unlink()
    return started, datetime.now(UTC)


def normalise(rel: str, text: str, span: tuple[datetime, datetime]) -> str:
    if rel in ("articles.jsonl", "export.jsonl"):
        text = _CRAWLED_AT.sub(f'"crawledAt":"{RUN_TIME}"', text)
    if rel == "export.jsonl":
        text = "".join(sorted(text.splitlines(keepends=True)))
    if rel == "feeds/index.html":
        low, high = span[0] - timedelta(seconds=1), span[1] + timedelta(seconds=1)

        def during_run(match: re.Match[str]) -> str:
            try:
                when = datetime.fromisoformat(match.group(1))
            except ValueError:
                return match.group(0)
            if when.tzinfo is not None and low <= when <= high:
                return f'<time datetime="{RUN_TIME}">{RUN_TIME}</time>'
            return match.group(0)

        text = _TIME_ELEMENT.sub(during_run, text)
    return text


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def compare(
    old: Path, new: Path, spans: tuple[tuple[datetime, datetime], tuple[datetime, datetime]]
) -> list[str]:
    """Every difference between the two output folders, as printable text."""
    problems: list[str] = []
    old_files, new_files = files(old), files(new)
    for rel in sorted(old_files - new_files):
        problems.append(f"only in OLD: {rel}")
    for rel in sorted(new_files - old_files):
        problems.append(f"only in NEW: {rel}")
    for rel in sorted(old_files & new_files):
        a, b = (old / rel).read_bytes(), (new / rel).read_bytes()
        if a == b:
            continue
        try:
            ta = normalise(rel, a.decode("utf-8"), spans[0])
            tb = normalise(rel, b.decode("utf-8"), spans[1])
        except UnicodeDecodeError:
            problems.append(f"{rel}: binary files differ")
            continue
        if ta == tb:
            continue
        diff = difflib.unified_diff(
            ta.splitlines(), tb.splitlines(), f"OLD/{rel}", f"NEW/{rel}", lineterm="", n=0
        )
        lines = [line if len(line) <= 400 else line[:400] + " ..." for line in diff]
        if len(lines) > 60:
            lines = [*lines[:60], f"... ({len(lines) - 60} more diff lines)"]
        problems.append("\n".join(lines))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/equivalence.py",
        description="Crawl, publish and extract with two revisions; exit 1 on any "
        "difference in JSON Lines, feeds or extracted fields.",
    )
    parser.add_argument("old", help="git revision or checkout folder")
    parser.add_argument("new", help="git revision or checkout folder")
    parser.add_argument("--articles", type=int, default=60, help="replica articles (60)")
    parser.add_argument("--seed", type=int, default=1, help="replica world seed (1)")
    parser.add_argument("--keep", metavar="DIR", help="keep both outputs in DIR")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="danvan-equivalence-"))
    try:
        port = free_port()
        with (
            checkout(args.old, tmp, "old-code") as old_code,
            checkout(args.new, tmp, "new-code") as new_code,
        ):
            pages = new_code / "tests" / "fixtures" / "pages"
            spans = []
            for code, name in ((old_code, "old"), (new_code, "new")):
                t0 = time.monotonic()
                spans.append(produce(code, tmp / name, port, args.articles, args.seed, pages))
                print(f"{name}: {code} ({time.monotonic() - t0:.1f} s)")
        problems = compare(tmp / "old", tmp / "new", (spans[0], spans[1]))
        if args.keep:
            keep = Path(args.keep)
            for name in ("old", "new"):
                shutil.copytree(tmp / name, keep / name, dirs_exist_ok=True)
        count = len(files(tmp / "new"))
        if problems:
            print("\n".join(problems))
            print(f"equivalence: {len(problems)} of {count} files differ")
            return 1
        print(f"equivalence: {count} files identical (run timestamps normalised)")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
