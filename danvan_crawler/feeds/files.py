"""Atomic file writes for the feeds folder.

A reader (or ``danvan serve``) polling while a publish runs must never see half a file:
each file is written to a temporary file in the same folder (same file system), then
moved over the old one with :func:`os.replace`, which is atomic on POSIX and Windows.
A file whose bytes would not change is not touched at all, so its modification time, and
with it HTTP ``Last-Modified``, stays put. Temporary files start with ``.`` (``danvan
serve`` never serves dot-files). There is no fsync: after a crash a feed may be lost or
old, and the next publish rewrites it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

#: Permissions of published files (readable by a web server running as another user).
FILE_MODE = 0o644


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
