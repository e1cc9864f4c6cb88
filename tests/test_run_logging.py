"""Console logging of `danvan run`: one line per record, repeats capped."""

from __future__ import annotations

import io
import logging

from danvan_crawler.runlog import OneLineFormatter, RepeatFilter


def make_logger(name: str, filt: RepeatFilter | None = None) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(OneLineFormatter("%(levelname)s: %(message)s"))
    if filt is not None:
        handler.addFilter(filt)
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_repeated_messages_are_capped_and_counted() -> None:
    repeats = RepeatFilter(limit=2)
    logger, stream = make_logger("test.run.repeats", repeats)
    for n in range(5):
        logger.warning("%s: no %s found", f"url{n}", "datePublished")
    logger.warning("something else")
    assert stream.getvalue().splitlines() == [
        "WARNING: url0: no datePublished found",
        "WARNING: url1: no datePublished found",
        "WARNING: something else",
    ]
    assert repeats.suppressed() == [("%s: no %s found", logging.WARNING, 3)]


def test_tracebacks_become_one_line_on_the_console() -> None:
    logger, stream = make_logger("test.run.oneline")
    try:
        raise ConnectionRefusedError("refused\nsecond line")
    except ConnectionRefusedError:
        logger.exception("Error downloading %s", "http://x/")
    assert stream.getvalue() == (
        "ERROR: Error downloading http://x/ (ConnectionRefusedError: refused)\n"
    )
