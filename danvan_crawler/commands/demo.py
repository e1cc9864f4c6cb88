"""``danvan demo``: the replica portal on a free loopback port, crawled end to end.

    danvan demo [--out DIR] [--articles N] [--loglevel LEVEL]

Starts ``python -m danvan_crawler.replica --port 0`` in a subprocess, crawls it in this
process into ``DIR/articles.jsonl`` and the store ``DIR/danvan.db``, stops the replica,
publishes the feeds into ``DIR/feeds/``, prints where the output went and, last, the
command that serves the feeds.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from danvan_crawler.commands.crawl import build_settings, exit_code, run_crawl
from danvan_crawler.feeds.publish import DEFAULT_PUBLIC_URL

DEFAULT_OUT = "demo-output"
DEFAULT_ARTICLES = 300


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="start the replica portal, crawl it, show where the output went",
        description="Start the offline replica on a free port, crawl it, stop it.",
    )
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--articles",
        metavar="N",
        type=_positive,
        default=DEFAULT_ARTICLES,
        help=f"articles in the replica (default {DEFAULT_ARTICLES})",
    )
    parser.add_argument("--loglevel", "-L", metavar="LEVEL", default="WARNING")
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: ./danvan.toml if present); read as by `danvan "
        "run` (file < DANVAN_* < flags), except where to crawl and write: the demo's "
        "replica, store, JSON Lines and feeds folder",
    )
    parser.set_defaults(func=run)


#: Keys the demo sets itself: it crawls its replica into its own folder, whatever the
#: configuration says about the live portal.
DEMO_OWN = ("site", "db", "jsonl", "out", "public_url", "profile", "create", "log_file")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class Replica:
    """The replica portal in a subprocess; ``url`` once it serves."""

    def __init__(self, articles: int) -> None:
        cmd = [sys.executable, "-m", "danvan_crawler.replica", "--host", "127.0.0.1"]
        cmd += ["--port", "0", "--articles", str(articles)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("serving http"):
            self.stop()
            raise RuntimeError(f"the replica did not start (it said {line!r})")
        self.url = line.split(" ", 1)[1]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def publish_feeds(out: Path, settings: Any, limit: int = 50) -> list[str]:
    """Publish the feeds of the demo's store into ``out/feeds``; lines to print."""
    from danvan_crawler.feeds import publish
    from danvan_crawler.store import open_store

    store = open_store(settings["DANVAN_DB"])
    try:
        result = publish(store, out / "feeds", limit=limit)
    finally:
        store.close()
    return result.describe()


def run(args: argparse.Namespace) -> int:
    from danvan_crawler.config import ConfigError, load_config
    from danvan_crawler.configkeys import KEYS_BY_NAME
    from danvan_crawler.stream import after_crawl, before_crawl

    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan demo: error: {exc}", file=sys.stderr)
        return 2
    own = {KEYS_BY_NAME[name].setting for name in DEMO_OWN} - {None}
    configured = {k: v for k, v in config.scrapy_settings().items() if k not in own}
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"danvan demo: error: cannot create {out}: {exc}", file=sys.stderr)
        return 2
    jsonl = out / "articles.jsonl"
    replica = Replica(args.articles)
    try:
        print(f"replica portal serving at {replica.url}", flush=True)
        # The demo's store (when the store pipeline is enabled) lives with its output.
        overrides = {**configured, "DANVAN_DB": str(out / "danvan.db")}
        settings = build_settings(replica.url, jsonl, overrides, loglevel=args.loglevel)
        before_crawl(settings["DANVAN_DB"], jsonl)
        stats = run_crawl(settings, replica.url)
    finally:
        replica.stop()
    written = after_crawl(settings["DANVAN_DB"], jsonl)
    items = stats.get("item_scraped_count", 0)
    print(f"crawled {items} articles ({stats.get('finish_reason', 'unknown')})")
    if written is not None and written.written:
        print(f"JSON Lines: {jsonl.resolve()}")
    else:
        print(f"JSON Lines: nothing new since the last run ({jsonl.resolve()} left as it was)")
    print(f"store: {Path(settings['DANVAN_DB']).resolve()}")
    for line in publish_feeds(out, settings, config["limit"]):
        print(line)
    print(
        "The feeds' article links point at the replica, stopped now; the feeds, their "
        "index and the OPML work without it."
    )
    print(f"To read them at {DEFAULT_PUBLIC_URL} (in a browser or a feed reader), run:")
    print(f"  danvan serve --dir {shlex.quote(str(out / 'feeds'))}")
    return exit_code(stats)
