"""Is a file a danvan store, and is it whole? Checks that read the file as SQLite itself
(``sqlite3``, read-only), before the store's engine opens and migrates it.

:func:`check_file` runs at every :func:`~danvan_crawler.store.open_store` of a SQLite
file and costs a header read and one query of ``sqlite_master``; :func:`diagnose` is
what ``danvan doctor`` prints (integrity check, schema version, lock, temp files).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables every danvan store has, whatever its schema version.
STORE_TABLES = frozenset({"schema_version", "articles"})


class StoreProblem(RuntimeError):
    """The file at the store's place is not a usable danvan store (message: one line);
    ``damaged``: it is SQLite, but its pages are not what SQLite wrote."""

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.damaged = damaged


def sqlite_path(url_or_path: str | os.PathLike[str]) -> Path | None:
    """The SQLite file of a store location, or None for a server database URL."""
    text = os.fspath(url_or_path)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    elif "://" in text:
        return None
    if text in ("", ":memory:"):
        return None
    return Path(text).expanduser()


def doctor_hint(path: Path | str) -> str:
    return f"run `danvan doctor --db {path}`"


def _read_only(path: Path) -> sqlite3.Connection:
    # a URI: '?', '#' and '%' in the path must be quoted
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=5)


def is_damage(exc: BaseException) -> bool:
    """An SQLite error that means the file's pages are not what SQLite wrote."""
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def check_file(url_or_path: str | os.PathLike[str]) -> None:
    """Raise :class:`StoreProblem` when the store's SQLite file exists and is not a
    danvan store (another format, another program's database) or cannot be read as
    SQLite at all. A missing or empty file is fine (the store creates it)."""
    path = sqlite_path(url_or_path)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return
    path = path.resolve()
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreProblem(f"cannot read the store {path}: {exc.strerror}") from None
    if head != SQLITE_MAGIC:
        raise StoreProblem(
            f"not a danvan store: {path} is not an SQLite database; "
            "point --db at the store (or move this file away to start a new one)"
        )
    try:
        with closing(_read_only(path)) as conn:
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise StoreProblem(
                f"store damaged: {path}: {exc}; {doctor_hint(path)}", damaged=True
            ) from None
        return  # locked, busy...: the store's own open says it better
    if names and not names >= STORE_TABLES:
        shown = ", ".join(sorted(names)[:5])
        raise StoreProblem(
            f"not a danvan store: {path} is another program's SQLite database "
            f"(tables: {shown}); point --db at the store"
        )


# --- danvan doctor -----------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of ``danvan doctor``: a check, its outcome, what to do."""

    name: str
    ok: bool
    detail: str
    todo: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        tail = f" -> {self.todo}" if self.todo else ""
        return f"{mark} {self.name}: {self.detail}{tail}"


def _integrity_and_schema(path: Path) -> Iterator[Check]:
    from danvan_crawler.store.schema import SCHEMA_VERSION

    try:
        with closing(_read_only(path)) as conn:
            rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
            version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        yield Check("integrity", False, str(exc), "danvan doctor --repair")
        return
    # one row may hold several lines ("*** in database main ***\nPage 4: ...")
    problems = [
        line for row in rows for line in row.splitlines() if line and not line.startswith("***")
    ]
    if problems == ["ok"]:
        yield Check("integrity", True, "PRAGMA integrity_check: ok")
    else:
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        yield Check("integrity", False, "; ".join(problems[:3]) + more, "danvan doctor --repair")
    if version == SCHEMA_VERSION:
        yield Check("schema", True, f"version {version} (this program's)")
    elif version is not None and version < SCHEMA_VERSION:
        yield Check(
            "schema", True, f"version {version}; the next run migrates it to {SCHEMA_VERSION}"
        )
    else:
        yield Check(
            "schema",
            False,
            f"version {version}, newer than this program's {SCHEMA_VERSION}",
            "upgrade danvan-crawler",
        )


def diagnose(
    path: Path,
    feeds: Path | None = None,
    lock: Path | None = None,
    leftovers: list[Path] | None = None,
) -> Iterator[Check]:
    """The checks of ``danvan doctor`` on the SQLite store ``path``, in order; after a
    failed check that makes the rest meaningless, nothing more is yielded.
    ``leftovers``: the temp files of an interrupted publish found in ``feeds``."""
    path = path.resolve()
    if not path.exists():
        yield Check("store", False, f"{path} does not exist", "check --db (or DANVAN_DB)")
        return
    try:
        check_file(path)
    except StoreProblem as exc:
        if not exc.damaged:
            yield Check("store", False, str(exc).split(";")[0], "check --db (or DANVAN_DB)")
            return
        yield Check("store", True, f"{path} is an SQLite file ({path.stat().st_size} bytes)")
        yield Check("integrity", False, str(exc).split(";")[0], "danvan doctor --repair")
    else:
        yield Check(
            "store", True, f"{path} is a danvan store (SQLite, {path.stat().st_size} bytes)"
        )
        yield from _integrity_and_schema(path)
    for suffix in ("-wal", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists() and side.stat().st_size:
            yield Check(
                suffix[1:],
                True,
                f"{side.name} holds {side.stat().st_size} bytes not yet in the main file",
                "keep it next to the store (copy both when backing up)",
            )
    if lock is not None:
        from danvan_crawler.locking import LockHeld, RunLock

        probe = RunLock(lock)
        try:
            probe.acquire()
        except LockHeld as exc:
            yield Check("lock", True, f"held: {exc}", "a run is going on; check again after it")
        except OSError as exc:
            yield Check("lock", False, f"{lock}: {exc.strerror}", "check the folder's permissions")
        else:
            probe.release()
            yield Check("lock", True, f"free ({lock})")
    if feeds is not None:
        if leftovers:
            yield Check(
                "feeds",
                True,
                f"{len(leftovers)} temp files of an interrupted publish in {feeds}",
                "the next publish removes them (or --repair)",
            )
        else:
            yield Check("feeds", True, f"no leftover temp files in {feeds}")


# --- danvan doctor --repair ----------------------------------------------------------


class RepairFailed(RuntimeError):
    """The store could not be rebuilt (message: one line); nothing was changed."""


@dataclass(frozen=True)
class Repair:
    """What ``--repair`` did: the method, the backup of the damaged file, the rows kept."""

    method: str
    backup: Path
    articles: int


def _integrity_ok(path: Path) -> bool:
    try:
        with closing(sqlite3.connect(path)) as conn:
            return [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
    except sqlite3.DatabaseError:
        return False


def _vacuum_into(source: Path, target: Path) -> None:
    with closing(_read_only(source)) as conn:
        conn.execute("VACUUM INTO ?", (str(target),))


def _rows(source: sqlite3.Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of ``table`` SQLite can still read, in rowid order: a read that hits a
    damaged page skips ahead (1, 2, 4... rowids) to the next page it can read."""
    shown = ", ".join(f'"{name}"' for name in columns)
    query = f'SELECT rowid, {shown} FROM "{table}" WHERE rowid > ? ORDER BY rowid'
    after, step = -(2**63), 1
    while True:
        try:
            for row in source.execute(query, (after,)):
                after, step = row[0], 1
                yield row[1:]
            return
        except sqlite3.DatabaseError:
            if after + step >= 2**63 - 1:
                return
            after, step = after + step, step * 2


def _salvage(source: Path, target: Path) -> None:
    """Copy every row SQLite can still read from ``source`` into a new store at
    ``target`` (this program's schema), then drop what points at rows lost with their
    pages, and the crawl state that could hide a lost article from the next crawl."""
    from danvan_crawler.store import core
    from danvan_crawler.store import schema as s

    core.open_store(target).close()  # the schema, at this program's version
    with closing(_read_only(source)) as old, closing(sqlite3.connect(target)) as new:
        for table in s.metadata.sorted_tables:
            columns = [column.name for column in table.columns]
            marks = ", ".join("?" for _ in columns)
            names = ", ".join(f'"{name}"' for name in columns)
            insert = f'INSERT OR REPLACE INTO "{table.name}" ({names}) VALUES ({marks})'
            try:
                new.executemany(insert, _rows(old, table.name, columns))
            except sqlite3.OperationalError:
                continue  # the table (or a column) is unreadable: its rows are in the backup
        for table in s.metadata.sorted_tables:
            if table.name != "articles" and "article_id" in table.columns:
                new.execute(
                    f'DELETE FROM "{table.name}"'
                    " WHERE article_id NOT IN (SELECT article_id FROM articles)"
                )
        new.execute(
            "UPDATE articles SET duplicate_of = NULL"
            " WHERE duplicate_of NOT IN (SELECT article_id FROM articles)"
        )
        # a 304 could stand for a page whose articles went with the damaged pages
        new.execute("DELETE FROM http_validators")
        new.commit()


def repair(path: Path, now: str) -> Repair:
    """Rebuild the store at ``path`` into a new file (``VACUUM INTO``; when that fails,
    a copy of every row still readable: :func:`_salvage`), check the new file, then
    swap it in; the damaged file (and its ``-wal``) is kept beside it as
    ``<name>.damaged-<now>``. Raises
    :class:`RepairFailed`, changing nothing, when no whole store could be built. The
    caller holds the run lock."""
    from danvan_crawler.store import core

    path = path.resolve()
    target = path.with_name(f".{path.name}.repair-{now}")
    backup = path.with_name(f"{path.name}.damaged-{now}")
    for stale in (target, target.with_name(target.name + "-journal")):
        stale.unlink(missing_ok=True)
    method = "VACUUM INTO"
    try:
        _vacuum_into(path, target)
        if not _integrity_ok(target):
            raise sqlite3.DatabaseError("the copy is not whole")
    except sqlite3.DatabaseError:
        target.unlink(missing_ok=True)
        method = "copying every readable row"
        try:
            _salvage(path, target)
        except (RepairFailed, sqlite3.DatabaseError, OSError):
            target.unlink(missing_ok=True)
            raise
    try:
        if not _integrity_ok(target):
            raise RepairFailed("the rebuilt store is not whole either; the store is unchanged")
        check_file(target)
        with core.open_store(target) as store:  # migrations apply, the API reads it
            articles = store.count()
        with closing(sqlite3.connect(target)) as conn:  # folds the WAL into the file
            conn.execute("PRAGMA journal_mode=DELETE")
    except (StoreProblem, sqlite3.DatabaseError, core.StoreError) as exc:
        target.unlink(missing_ok=True)
        raise RepairFailed(f"the rebuilt store does not open: {exc}") from None
    except Exception as exc:
        target.unlink(missing_ok=True)
        raise RepairFailed(
            f"the rebuilt store does not open: {type(exc).__name__}: {exc}"
        ) from None
    os.replace(path, backup)
    for suffix in ("-wal", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, backup.with_name(backup.name + suffix))
    path.with_name(path.name + "-shm").unlink(missing_ok=True)
    os.replace(target, path)
    return Repair(method, backup, articles)
