"""`danvan run` end to end against the replica: exit codes, output, lock, alarm, history.

Every run is the real CLI in a subprocess whose stdout and stderr are pipes (not a
terminal), against a replica subprocess on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from danvan_crawler.store import open_store

REPO = Path(__file__).resolve().parents[1]
SUMMARY_RE = re.compile(
    r"^danvan run (?P<outcome>finished|failed|raised the layout-change alarm) in [\d.]+ s: "
    r"(?P<new>\d+) new, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged articles; "
    r".* dropped.*; (?P<pages>\d+) pages? fetched \((?P<n304>\d+) answered 304\); "
    r"(?P<errors>\d+) errors?.*; (?P<fallbacks>\d+) fallbacks? used.*\.$"
)
HOLDER = """
import sys
import threading
import time
from danvan_crawler.locking import RunLock
RunLock(sys.argv[1]).acquire()
print("held", flush=True)
sys.stdin.read()
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return env


def run_args(site: str, folder: Path, *extra: str, name: str = "run") -> list[str]:
    return [
        sys.executable,
        "-m",
        "danvan_crawler",
        "run",
        "--site",
        site,
        "--db",
        str(folder / "danvan.db"),
        "--out",
        str(folder / f"feeds-{name}"),
        "--log-file",
        str(folder / f"{name}.log"),
        *extra,
    ]


def danvan_run(site: str, folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        run_args(site, folder, *extra),
        cwd=folder,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def runs_of(db: Path) -> list[dict[str, Any]]:
    with open_store(db) as store:
        return store.runs(limit=50)


def count_of(db: Path) -> int:
    with open_store(db) as store:
        return store.count()


def test_normal_layout_exits_0_and_prints_only_the_summary(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    replica = replica_factory(articles=20)
    # a public URL configured: without one, run warns about 127.0.0.1 self links
    public = ("--public-url", "https://feeds.example.org/")
    result = danvan_run(replica.url, tmp_path, "--jsonl", str(tmp_path / "new.jsonl"), *public)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    match = SUMMARY_RE.match(lines[0])
    assert match, lines[0]
    assert match["outcome"] == "finished"
    truth = replica.truth()
    assert int(match["new"]) == len(truth) == count_of(tmp_path / "danvan.db")
    assert int(match["errors"]) == 0
    assert int(match["pages"]) > len(truth)
    jsonl = (tmp_path / "new.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(jsonl) == len(truth)  # the run's new articles, one a line

    feed = feedparser.parse((tmp_path / "feeds-run" / "all.atom").read_bytes())
    assert not feed.bozo and feed.entries
    (run,) = runs_of(tmp_path / "danvan.db")
    assert run["status"] == "ok"
    assert run["summary"]["paragraph"] == lines[0]
    assert run["summary"]["new"] == len(truth)
    assert "Spider closed" in (tmp_path / "run.log").read_text(encoding="utf-8")

    # The run history and the store's figures, as `danvan stats` shows them.
    stats = subprocess.run(
        [sys.executable, "-m", "danvan_crawler", "stats", "--db", str(tmp_path / "danvan.db")],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith(f"{len(truth)} articles")
    assert "Ban dân vận" in stats.stdout  # the sub-site's categories are listed
    assert lines[0] in stats.stdout  # the last run's summary


class Gate:
    """A TCP relay to the replica that holds every connection until opened: the run
    that takes the lock cannot finish before the other one has tried it."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.opened = threading.Event()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        self.opened.wait()
        with client, socket.create_connection(self.target) as upstream:
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join()

    def close(self) -> None:
        self.opened.set()
        self.server.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def test_two_runs_started_together_one_exits_75_touching_nothing(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    gate = Gate(replica_factory(articles=20).url)
    try:
        procs = {
            name: subprocess.Popen(
                run_args(gate.url, tmp_path, name=name),
                cwd=tmp_path,
                env=_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name in ("a", "b")
        }
        # The lock holder waits at the gate; the other one must give up on its own.
        # (The bound only keeps a broken lock from hanging the suite: a run that did
        # not give up is then caught by the exit codes below.)
        give_up = time.monotonic() + 120
        while all(p.poll() is None for p in procs.values()) and time.monotonic() < give_up:
            time.sleep(0.05)
        gate.opened.set()
        outputs = {name: proc.communicate() for name, proc in procs.items()}
    finally:
        gate.close()
    codes = {name: proc.returncode for name, proc in procs.items()}
    assert sorted(codes.values()) == [0, 75], (codes, outputs)
    loser = next(name for name, code in codes.items() if code == 75)
    winner = "b" if loser == "a" else "a"
    out, err = outputs[loser]
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "another danvan run holds the lock" in err
    # The loser wrote no feed, no log and no run; the winner did all three.
    assert not (tmp_path / f"feeds-{loser}").exists()
    assert not (tmp_path / f"{loser}.log").exists()
    assert (tmp_path / f"feeds-{winner}" / "index.opml").is_file()
    assert [run["status"] for run in runs_of(tmp_path / "danvan.db")] == ["ok"]
    assert count_of(tmp_path / "danvan.db") == 20


@pytest.mark.e2e
def test_run_while_the_lock_is_held_touches_neither_store_nor_feeds(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path / "danvan.db.lock")],
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        result = danvan_run("http://127.0.0.1:9/", tmp_path)  # never contacted
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 75
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"danvan run: another danvan run holds the lock {tmp_path / 'danvan.db.lock'} "
        f"(pid {holder.pid}); not starting"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["danvan.db.lock"]


def export_of(db: Path) -> list[dict[str, Any]]:
    with open_store(db) as store:
        return sorted(store.export(), key=lambda article: article["articleId"])


def test_changed_layout_raises_the_alarm_keeps_the_store_and_publishes(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    db = tmp_path / "danvan.db"
    classic = replica_factory(articles=20)
    first = danvan_run(classic.url, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    stored = export_of(db)
    assert len(stored) == len(classic.truth())

    # The same portal, same address, same articles: only the markup changed.
    port = urlsplit(classic.url).port
    classic.stop()
    modern = replica_factory(articles=20, layout="modern", port=port)
    assert modern.url == classic.url
    result = danvan_run(modern.url, tmp_path)
    assert result.returncode == 3, (result.stdout, result.stderr[-3000:])
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and SUMMARY_RE.match(lines[0]), result.stdout
    assert lines[0].startswith("danvan run raised the layout-change alarm in ")
    alarm = result.stderr[result.stderr.index("layout-change alarm:") :]
    assert "DANVAN_ALARM_FALLBACK_RATIO=0.2" in alarm  # names the threshold's setting
    # names the fields, counted, and example pages (listings: every article is known,
    # so an incremental run need fetch no article page to see the change)
    assert re.search(r"fields: [^\n]*listing_entries \(\d+\)", alarm)
    assert re.search(re.escape(modern.base) + r"/vi-vn/(tin|chuyen-muc)/\S+", alarm)
    assert "danvan_crawler/profiles/nghean.toml" in alarm

    # Nothing stored thrown away, nothing overwritten by the degraded extraction.
    assert export_of(db) == stored
    # Feeds still published from what is good.
    feed = feedparser.parse((tmp_path / "feeds-run" / "all.rss").read_bytes())
    assert not feed.bozo
    assert {entry.title for entry in feed.entries} <= {a["headline"] for a in stored}
    assert len(feed.entries) == min(50, len(stored))
    runs = runs_of(db)
    assert [run["status"] for run in runs] == ["alarm", "ok"]
    assert any("DANVAN_ALARM_FALLBACK_RATIO" in reason for reason in runs[0]["summary"]["alarm"])


def test_changed_layout_on_a_fresh_store_raises_the_alarm(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    modern = replica_factory(articles=12, layout="modern")
    result = danvan_run(modern.url, tmp_path, "--quiet")
    assert result.returncode == 3, (result.stdout, result.stderr[-3000:])
    assert result.stdout == ""  # --quiet: no summary
    assert result.stderr.startswith("layout-change alarm:")  # --quiet: no warnings either
    assert (tmp_path / "feeds-run" / "index.opml").is_file()


@pytest.mark.e2e
def test_unreachable_site_fails_with_exit_1(tmp_path: Path) -> None:
    # A port nothing listens on: bind one, take its number, close it.
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = danvan_run(f"http://127.0.0.1:{port}/", tmp_path, "-s", "RETRY_TIMES=0")
    assert result.returncode == 1, (result.stdout, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert f"nothing could be crawled from http://127.0.0.1:{port}/" in result.stderr
    assert result.stdout.startswith("danvan run failed in ")
    assert [run["status"] for run in runs_of(tmp_path / "danvan.db")] == ["failed"]


def test_crawl_process_gc_tuning() -> None:
    """``DANVAN_GC_THRESHOLD``: start-up objects frozen out of collections, the youngest
    generation collected less often; 0 leaves Python's defaults."""
    import gc

    from danvan_crawler.commands.crawl import tune_gc

    before = gc.get_threshold()
    try:
        tune_gc(0)
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0
        tune_gc(20000)
        assert gc.get_threshold() == (20000, *before[1:])
        assert gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
