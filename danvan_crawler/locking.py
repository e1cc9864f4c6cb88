"""One run at a time: an exclusive, non-blocking ``flock`` on a file next to the store.

``danvan run`` takes the lock before it opens the store or writes a feed; a second run
started meanwhile fails at once with :class:`LockHeld` (exit code 75, ``EX_TEMPFAIL``)
and touches nothing. The lock belongs to the open file description, so the kernel
releases it when the holder exits, however it exits (SIGKILL included): a stale lock
file is harmless and is reused by the next run.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)


class LockHeld(RuntimeError):
    """Another process holds the run lock."""


def lock_path_for(db: str) -> Path:
    """The lock file of a store: ``<db>.lock`` next to a SQLite file (a path or a
    ``sqlite:///`` URL); for a server database URL, a file in the temporary folder
    named after a hash of the URL."""
    if db.startswith("sqlite:///"):
        db = db[len("sqlite:///") :]
    elif "://" in db:
        digest = hashlib.sha256(db.encode("utf-8")).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"danvan-{digest}.lock"
    return Path(db + ".lock")


class RunLock:
    """``with RunLock(path): ...`` holds an exclusive lock on ``path`` or raises
    :class:`LockHeld` immediately."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            who = f" (pid {holder})" if holder else ""
            raise LockHeld(f"another danvan run holds the lock {self.path}{who}") from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        logger.debug("holding run lock %s", self.path)

    def release(self) -> None:
        if self._fd is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
