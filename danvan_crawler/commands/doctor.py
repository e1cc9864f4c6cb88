"""``danvan doctor``: check the store (and the feeds folder), one line per check with
what to do; ``--repair`` repairs what can be repaired without losing anything.

Exit codes: 0 every check passed (or the repair made the store whole); 1 a check failed
(or the repair could not be done: nothing was changed); 2 usage or configuration error;
75 a run holds the lock (``--repair`` waits for no one).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from danvan_crawler.config import ConfigError, add_config_arguments, load_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75

EPILOG = """\
checks: the file is a danvan store (SQLite, with the store's tables); PRAGMA
integrity_check; the schema version against this program's; a -wal or -journal file
beside it; the run lock; temporary files an interrupted publish left in the feeds
folder (--out).

--repair, holding the run lock: removes the feeds folder's temporary files; rebuilds a
store that failed the integrity check into a new file (VACUUM INTO, or when that fails
a copy of every row SQLite can still read), checks the new file, and only then swaps
it in, keeping the damaged file beside it as <name>.damaged-<time>. Articles lost with
their pages are fetched again by the next `danvan run --full`."""


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "doctor",
        help="check the store and the feeds folder; --repair what can be repaired",
        description="Check the store and the feeds folder, one line per check.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_arguments(parser, names=["db", "out"])
    parser.add_argument(
        "--repair", action="store_true", help="repair what can be repaired (keeps a backup)"
    )
    parser.set_defaults(func=main)


def _say(line: str) -> None:
    print(line, flush=True)


def main(args: argparse.Namespace) -> int:
    from danvan_crawler.feeds.files import temp_files
    from danvan_crawler.locking import LockHeld, RunLock, lock_path_for
    from danvan_crawler.store.health import (
        RepairFailed,
        diagnose,
        repair,
        sqlite_path,
    )

    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan doctor: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = str(config["db"])
    path = sqlite_path(db)
    if path is None:
        print(
            f"danvan doctor: error: {db} is a database server; check it with its own tools "
            "(doctor checks SQLite stores)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    feeds = Path(config["out"])
    lock = lock_path_for(db)
    lock_checked = None if args.repair else lock
    checks = list(diagnose(path, feeds=feeds, lock=lock_checked, leftovers=temp_files(feeds)))
    for check in checks:
        _say(check.line())
    failed = [check for check in checks if not check.ok]
    if not args.repair:
        if failed:
            _say("-> some checks failed; see docs/OPERATIONS.md, 'A damaged store'")
        return EXIT_FAILED if failed else EXIT_OK

    run_lock = RunLock(lock)
    try:
        run_lock.acquire()
    except LockHeld as exc:
        print(f"danvan doctor: {exc}; repair after it", file=sys.stderr)
        return EXIT_LOCKED
    try:
        leftovers = temp_files(feeds)
        if leftovers:
            from danvan_crawler.feeds.files import publish_lock, sweep_temp_files

            with publish_lock(feeds):
                removed = sweep_temp_files(feeds)
            _say(f"repaired feeds: removed {len(removed)} temp files")
        damaged = [check for check in failed if check.name == "integrity"]
        others = [check for check in failed if check.name != "integrity"]
        if damaged:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            try:
                done = repair(path, stamp)
            except (RepairFailed, OSError) as exc:
                print(f"danvan doctor: error: repair failed: {exc}", file=sys.stderr)
                return EXIT_FAILED
            _say(
                f"repaired store: rebuilt by {done.method}, {done.articles} articles kept; "
                f"the damaged file is {done.backup}; run `danvan run --full` to fetch "
                "what was lost"
            )
        if others:
            for check in others:
                _say(f"not repaired: {check.name}: {check.detail}")
            return EXIT_FAILED
        if not damaged and not leftovers:
            _say("nothing to repair")
        return EXIT_OK
    finally:
        run_lock.release()
