"""The logging of ``danvan run``: on the console one line per record (a traceback told
in a parenthesis) with repeats capped and counted; in the log file, everything."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from danvan_crawler.summary import get_console

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """Console format: one line per record; a traceback becomes ``(Type: message)``
    there and stays whole in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            text = super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved
        exc = saved[0][1] if saved[0] else None
        if exc is not None:
            text += f" ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        return text


class RepeatFilter(logging.Filter):
    """Console filter: at most ``limit`` records per (logger, level, message template);
    the rest are counted (the log file keeps them all) and told once at the end."""

    def __init__(self, limit: int = 5) -> None:
        super().__init__()
        self.limit = limit
        self.seen: dict[tuple[str, int, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        self.seen[key] = self.seen.get(key, 0) + 1
        return self.seen[key] <= self.limit

    def suppressed(self) -> list[tuple[str, int, int]]:
        """(template, level, how many were not shown), most frequent first."""
        rows = [(msg, level, n - self.limit) for (_, level, msg), n in self.seen.items()]
        return sorted((row for row in rows if row[2] > 0), key=lambda row: -row[2])


_repeats = RepeatFilter()


def suppressed(console_level: int, log_file: str | None) -> list[str]:
    """What the console did not show (at its level or above), one line per template."""
    where = f" (all in {log_file})" if log_file else ""
    lines = []
    for template, level, count in _repeats.suppressed():
        if level >= console_level:
            kind = logging.getLevelName(level).lower()
            lines.append(f"{count} more {kind}s like {template!r} not shown{where}")
    return lines


def setup_logging(log_file: str | None, console_level: int, tty: bool) -> int:
    """Console handler at ``console_level`` and, with ``log_file``, a file handler at
    INFO. Returns the lowest level."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    console: logging.Handler
    if tty:
        from rich.logging import RichHandler

        console = RichHandler(console=get_console(), show_path=False, markup=False)
        console.setFormatter(OneLineFormatter("[%(name)s] %(message)s"))
    else:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(OneLineFormatter(LOG_FORMAT))
    console.setLevel(console_level)
    _repeats.seen.clear()
    console.addFilter(_repeats)
    root.addHandler(console)
    level = console_level
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.WatchedFileHandler(log_file, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
        file_handler.setLevel(logging.INFO)
        root.addHandler(file_handler)
        level = min(level, logging.INFO)
    root.setLevel(level)
    return level
