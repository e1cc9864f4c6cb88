"""The change stream: JSON Lines of what changed, written from the store's change log.

One format for every JSON Lines the product writes (a run's ``--jsonl``, ``danvan
export``): the article as stored (output schema, ``docs/DESIGN.md``) plus

- ``change``: ``new`` or ``updated`` (in a run's file); ``new``, ``updated`` or
  ``merged`` relative to ``--since`` in an export (every article is ``new`` in an export
  without ``--since``);
- ``revision``: the stored revision (1 when new, + 1 at each change of content);
- ``datePublishedHasTime`` / ``dateModifiedHasTime``: False when the page printed the
  date without a time of day: the ISO value is then that day at 00:00 +07:00 and names
  the day, not midnight (None: no such date).

One JSON object per line, UTF-8 without escapes, compact separators.

A run's file (:class:`ChangeStream`) holds the articles stored as new or updated since
the last file written to that path: the store logs each change in the transaction that
stores the article (``Store.upsert``), and a cursor per output path (its absolute path is
the consumer's name) says how far that path has been written. So a run killed after
storing articles leaves them to the next run's file, and no change is written twice:

1. :meth:`ChangeStream.open` (before the crawl) finishes what a killed writer left: a
   file written and marked pending but not renamed into place is deleted (its changes
   are written again); one renamed but not yet acknowledged moves the cursor. A new
   path's cursor starts at the last change logged: it gets the changes from this run.
2. :meth:`ChangeStream.write` (after the crawl) writes every change after the cursor
   (coalesced: one line per article, as stored now) to a temporary file beside the
   output, flushes and fsyncs it, marks it pending in the store, renames it over the
   output (atomic), fsyncs the folder, then moves the cursor.

Each file is whole or absent: a full disk or any write error leaves the previous file
and the cursor as they were (the changes go to the next run's file), never a half line.
A run with nothing new leaves the path alone (no empty file). A consumer takes the file
away (or reads it) before the next run replaces it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from danvan_crawler.dates import has_time
from danvan_crawler.store import Store

logger = logging.getLogger(__name__)

#: Changes older than this are dropped from the log even if a consumer never read them
#: (a ``--jsonl`` path unused that long catches up with ``danvan export --since``).
CHANGE_LOG_DAYS = 90


class StreamError(OSError):
    """The JSON Lines could not be written (the changes stay for the next run)."""


def output_record(
    record: Mapping[str, Any], *, revision: int | None, change: str | None
) -> dict[str, Any]:
    """A stored article as a JSON Lines record (see the module doc)."""
    out = dict(record)
    out["change"] = change
    out["revision"] = revision
    out.update(date_flags(record))
    return out


def date_flags(record: Mapping[str, Any]) -> dict[str, bool | None]:
    """``datePublishedHasTime`` and ``dateModifiedHasTime`` of a record."""
    published = record.get("datePublished")
    modified = record.get("dateModified")
    return {
        "datePublishedHasTime": _has_time(record.get("datePublishedRaw"), published),
        "dateModifiedHasTime": _has_time(record.get("dateModifiedRaw"), modified),
    }


def _has_time(raw: Any, value: Any) -> bool | None:
    if not value:
        return None
    found = has_time(raw) if isinstance(raw, str) else None
    return True if found is None else found  # a raw text we cannot read: the value stands


def dumps_line(record: Mapping[str, Any]) -> str:
    """One JSON Lines line (with its newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


# A top-level member of a stored record's JSON: inside a string every '"' is escaped, so
# a name followed by '":' cannot be found there.
_DATE_MEMBER = re.compile(
    r'"(datePublished|datePublishedRaw|dateModified|dateModifiedRaw)":'
    r'("(?:[^"\\]|\\.)*"|null)'
)


def stored_line(data: str, *, revision: int | None, change: str | None) -> str:
    """``dumps_line(output_record(json.loads(data), ...))`` for a record as the store
    keeps it (``data``: compact JSON, UTF-8, no transient member), without decoding and
    encoding the whole article again: the annotations are appended to its text (half
    of the JSON Lines' cost: ~75 ms of the 5 s CPU of a 1 000-article crawl)."""
    if not data.startswith("{") or not data.endswith("}") or data == "{}":
        return dumps_line(output_record(json.loads(data), revision=revision, change=change))
    dates = {name: json.loads(value) for name, value in _DATE_MEMBER.findall(data)}
    tail = {"change": change, "revision": revision, **date_flags(dates)}
    return data[:-1] + "," + dumps_line(tail)[1:]


def write_text_lines(lines: Iterable[str], out: IO[str]) -> int:
    """Write ready lines (each with its newline); how many."""
    count = 0
    for line in lines:
        out.write(line)
        count += 1
    return count


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_file(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path`` (``.<name>.XXXXXXXX.tmp``): (fd, name)."""
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def temp_pattern(name: str) -> re.Pattern[str]:
    """The names :func:`temp_file` gives to the temporary files of ``name``."""
    return re.compile(rf"^\.{re.escape(name)}\.[A-Za-z0-9_]{{8}}\.tmp$")


def write_atomically(lines: Iterable[str], path: Path) -> int:
    """Write ``lines`` to a temporary file beside ``path``, fsync, rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temp_file(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            count = write_text_lines(lines, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return count


@dataclass
class StreamResult:
    """What :meth:`ChangeStream.write` did."""

    path: Path
    lines: int = 0
    new: int = 0
    updated: int = 0

    @property
    def written(self) -> bool:
        return self.lines > 0


class ChangeStream:
    """The JSON Lines file of a run at ``path`` (see the module doc)."""

    def __init__(self, store: Store, path: str | os.PathLike[str]) -> None:
        self.store = store
        self.path = Path(path).expanduser().resolve()
        self.consumer = str(self.path)

    def open(self) -> int:
        """Settle what an earlier writer left, make sure the cursor exists; its position."""
        cursor = self.store.change_cursor(self.consumer)
        if cursor is not None and cursor.pending_file is not None:
            pending = Path(cursor.pending_file)
            if pending.exists():  # written, never renamed into place: write it again
                pending.unlink()
                self.store.set_change_cursor(self.consumer, cursor.seq)
                logger.info("JSON Lines %s: an unfinished write was discarded", self.path)
            else:  # renamed into place, not acknowledged
                self.store.set_change_cursor(self.consumer, int(cursor.pending_seq or 0))
        self._sweep()
        return self.store.open_change_cursor(self.consumer).seq

    def _sweep(self) -> None:
        """Temporary files of this output left by a writer killed before it marked one
        pending (it never renamed them: their changes are still after the cursor)."""
        folder = self.path.parent
        if not folder.is_dir():
            return
        pattern = temp_pattern(self.path.name)
        for entry in folder.iterdir():
            if pattern.match(entry.name):
                with contextlib.suppress(OSError):
                    entry.unlink()
                    logger.info("removed a stale temporary file %s", entry)

    def _failed(self, exc: OSError) -> str:
        return f"cannot write the JSON Lines {self.path}: {exc.strerror or exc}"

    def lines(self, after: int, upto: int) -> Iterator[tuple[str, str]]:
        """(line, change) of each article changed after ``after`` up to ``upto``."""
        for data, revision, change in self.store.changes_between(after, upto, raw=True):
            yield stored_line(data, revision=revision, change=change), change

    def write(self) -> StreamResult:
        """Write the changes after the cursor (nothing when there are none)."""
        result = StreamResult(self.path)
        after = self.open()
        upto = self.store.last_change()
        if upto <= after:
            return result
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = temp_file(self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                for line, change in self.lines(after, upto):
                    fh.write(line)
                    result.lines += 1
                    if change == "new":
                        result.new += 1
                    else:
                        result.updated += 1
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise StreamError(self._failed(exc)) from exc
            raise
        self.store.set_change_cursor(self.consumer, after, pending_seq=upto, pending_file=tmp)
        try:
            os.replace(tmp, self.path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            self.store.set_change_cursor(self.consumer, after)
            raise StreamError(self._failed(exc)) from exc
        try:
            _fsync_dir(self.path.parent)
        except OSError as exc:  # the file is in place: it counts as written
            logger.warning("could not sync the folder of %s: %s", self.path, exc)
        self.store.set_change_cursor(self.consumer, upto)
        return result


def prune(store: Store, now: datetime | None = None) -> int:
    """Drop from the log what no consumer can still want, and changes older than
    :data:`CHANGE_LOG_DAYS` (``Store.prune_changes``); a crawl does it when it closes
    its store."""
    moment = now or datetime.now(UTC)
    return store.prune_changes(moment - timedelta(days=CHANGE_LOG_DAYS))


def before_crawl(db: str, jsonl: str | os.PathLike[str] | None) -> None:
    """Before a crawl writing ``jsonl``: settle an earlier writer's leftovers and make
    sure the path's cursor exists (so this run's changes are the path's)."""
    if not jsonl:
        return
    from danvan_crawler.store import open_store

    with open_store(db) as store:
        ChangeStream(store, jsonl).open()


def after_crawl(db: str, jsonl: str | os.PathLike[str] | None) -> StreamResult | None:
    """After a crawl: write the JSON Lines of ``jsonl`` (nothing without it: the crawl
    pruned the log when it closed its store, :func:`prune`)."""
    if not jsonl:
        return None
    from danvan_crawler.store import open_store

    with open_store(db) as store:
        return ChangeStream(store, jsonl).write()
