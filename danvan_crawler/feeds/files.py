"""Atomic file writes for the feeds folder.

A reader (or ``danvan serve``) polling while a publish runs must never see half a file:
each file is written to a temporary file in the same folder (same file system), then
moved over the old one with :func:`os.replace`, which is atomic on POSIX and Windows.
A file whose bytes would not change is not touched at all, so its modification time, and
with it HTTP ``Last-Modified``, stays put. Temporary files start with ``.`` (``danvan
serve`` never serves dot-files). There is no fsync: after a crash a feed may be lost or
old, and the next publish rewrites it.

A publisher holds :func:`publish_lock` (an ``flock`` on the folder itself: no lock file)
while it writes, so publishes of one folder take turns, and a publisher holding
it knows that every temporary file of ours in the folder is a leftover of a publisher
that was killed: :func:`sweep_temp_files` removes them (only names of our pattern,
``.<feed file>.XXXXXXXX.tmp``; nothing else in the folder is touched).
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

#: Permissions of published files (readable by a web server running as another user).
FILE_MODE = 0o644
#: Temporary files of :func:`write_if_changed` (``tempfile.mkstemp``: 8 random characters).
TEMP_RE = re.compile(
    r"^\.[A-Za-z0-9._-]+\.(?:rss|atom|json|opml|html|xsl|css|js)\.[A-Za-z0-9_]{8}\.tmp$"
)


def temp_files(folder: Path) -> list[Path]:
    """Leftovers of an interrupted publish (``.name.xxxx.tmp``) in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if TEMP_RE.match(p.name) and p.is_file())


@contextlib.contextmanager
def publish_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's publish lock (waiting for another publisher to finish)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def sweep_temp_files(folder: Path) -> list[str]:
    """Remove the temporary files a killed publisher left in ``folder`` (call it holding
    :func:`publish_lock`); the names removed."""
    removed = []
    for entry in folder.iterdir():
        if TEMP_RE.match(entry.name) and entry.is_file():
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed.append(entry.name)
    if removed:
        logger.info("removed %d temporary file(s) left by an interrupted publish", len(removed))
    return sorted(removed)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically make ``path`` hold ``data``; return False when it already did."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp_name, FILE_MODE)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return True
