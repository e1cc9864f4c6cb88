"""The offline replica of the Nghệ An party portal (nghean.dcs.vn) and its Ban Dân vận sub-site.

A deterministic, lazily generated "world" served over HTTP by the standard library, with
ground truth and control endpoints under ``/_replica/``. It never imports crawler code:
only the standard library and ``danvan_crawler.replica.*``. See README.md in this folder.
"""

from __future__ import annotations

__all__ = ["add_arguments", "main", "serve"]

from danvan_crawler.replica.app import add_arguments, main, serve
