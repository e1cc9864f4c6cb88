"""The public libraries at the foot of the ladder: htmldate for the publication date,
trafilatura for the body. Each is imported at its first use: a page the profile (or the
ladder's own rules) covers never loads nor runs them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

__all__ = ["htmldate_day", "trafilatura_body"]


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """A library's own log records below CRITICAL held back while it runs: finding
    nothing on a page ("discarding data", "empty HTML tree") is an answer at the foot of
    the ladder, not a warning or an error of the crawl (counted in its summary)."""
    library = logging.getLogger(name)
    level = library.level
    library.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        library.setLevel(level)


def htmldate_day(html: str | bytes) -> str | None:
    """The page's publication day (``YYYY-MM-DD``) as htmldate finds it (original date,
    extensive search: the settings of htmldate's own evaluation), or None."""
    try:
        from htmldate import find_date
    except ImportError:  # pragma: no cover - a runtime dependency
        logger.warning("htmldate is not installed: no date fallback")
        return None
    try:
        with _quiet("htmldate"):
            found = find_date(html, original_date=True, extensive_search=True)
    except Exception as exc:  # a library's failure on one page is no crash of ours
        logger.debug("htmldate failed: %s: %s", type(exc).__name__, exc)
        return None
    return found if isinstance(found, str) else None


def trafilatura_body(html: str | bytes) -> etree._Element | None:
    """The page's main text as trafilatura extracts it (no comments; tables and
    bold/italic kept: with images and links kept, it keeps less of the text), as an HTML
    ``<body>`` element of a tree of its own, or None when it finds none."""
    try:
        from trafilatura import bare_extraction
        from trafilatura.htmlprocessing import convert_to_html
    except ImportError:  # pragma: no cover - a runtime dependency
        logger.warning("trafilatura is not installed: no body fallback")
        return None
    try:
        with _quiet("trafilatura"):
            document: Any = bare_extraction(
                html,
                fast=False,
                include_comments=False,
                include_tables=True,
                include_formatting=True,
                with_metadata=False,
            )
        if document is None or getattr(document, "body", None) is None:
            return None
        tree = convert_to_html(document.body)
    except Exception as exc:  # a library's failure on one page is no crash of ours
        logger.debug("trafilatura failed: %s: %s", type(exc).__name__, exc)
        return None
    body = tree.find("body")
    return body if body is not None else tree
