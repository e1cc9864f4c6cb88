"""Expected failures told in one line: what went wrong, where, and what to do.

Every command reports a failure it expects (a full disk, a file that is not a danvan
store, a damaged store, a store newer than the program) with :func:`describe`; the
``danvan`` entry point (:mod:`danvan_crawler.cli`) catches what a command let through
and does the same, so no expected failure ends in a traceback. Anything else keeps its
traceback: it is a bug.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

#: The stat naming why the store stopped a crawl (disk full, store damaged), and the
#: crawl's finish reason then.
STORE_FAILURE_STAT = "danvan/store/failure"
STORE_FAILED = "store_failed"

#: errno values meaning "no room left where this was written"
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what caused it (``__cause__``, SQLAlchemy's ``orig``), each once;
    not ``__context__``: an error raised while handling another is not caused by it."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "orig", None), current.__cause__]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def expected(
    exc: BaseException, store: str | None = None, target: str | os.PathLike[str] | None = None
) -> str | None:
    """The one-line message of an expected failure, or None when ``exc`` is not one.
    ``store`` (the store's location) names the store when an SQLite error does not;
    ``target`` (the file or folder being written) names where a failed write went
    when the error does not (default: the store)."""
    from danvan_crawler.store.core import StoreError
    from danvan_crawler.store.health import StoreProblem, doctor_hint, is_damage, sqlite_path

    path = sqlite_path(store) if store else None
    where = str(path.resolve()) if path is not None else (store or "the store")
    for cause in _chain(exc):
        if isinstance(cause, StoreProblem):
            return str(cause)
        if isinstance(cause, OSError) and cause.errno in DISK_FULL_ERRNOS:
            place = cause.filename or (Path(target).resolve() if target else where)
            return f"disk full: {place} ({cause.strerror}); free space there and run again"
        if isinstance(cause, sqlite3.Error):
            text = str(cause).lower()
            if "disk is full" in text or ("disk i/o error" in text and _disk_full(path)):
                return f"disk full: {where} ({cause}); free space there and run again"
            if is_damage(cause):
                return f"store damaged: {where}: {cause}; {doctor_hint(where)}"
            if "unable to open database file" in text:
                return (
                    f"cannot open the store {where}: check that its folder exists and is writable"
                )
            if "readonly database" in text:
                return f"the store {where} is read-only for this user"
        if isinstance(cause, StoreError):
            return f"store {where}: {_first_line(cause)}"
    for cause in _chain(exc):
        # a file or folder the system refused (permissions, missing, not a folder...):
        # the machine's state, not a bug
        if isinstance(cause, OSError) and cause.filename and cause.strerror:
            return f"{cause.strerror}: {cause.filename}"
    return None


def store_stopper(exc: BaseException, store: str | None = None) -> str | None:
    """The message when ``exc`` means every later write to the store fails too (a full
    disk, a damaged store): a crawl stops at the first one."""
    message = expected(exc, store)
    if message is not None and message.startswith(("disk full", "store damaged")):
        return message
    return None


def _disk_full(path: object) -> bool:
    """Whether the filesystem of ``path`` has (almost) no room left."""
    if not isinstance(path, Path):
        return False
    try:
        stat = os.statvfs(path.resolve().parent)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < 64 * 1024


def describe(
    exc: BaseException, store: str | None = None, target: str | os.PathLike[str] | None = None
) -> str:
    """One line for ``exc``: :func:`expected`'s message, else ``Type: first line``."""
    return expected(exc, store, target) or f"{type(exc).__name__}: {_first_line(exc)}"
