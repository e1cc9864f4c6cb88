"""File names of the published feeds.

A category feed is named ``<sub-site key>--<category slug>`` (e.g.
``ban-dan-van-tinh-uy--dan-van-kheo``), both parts reduced to ``[a-z0-9-]`` (accents
folded, percent-escapes decoded first, so a slug keeping ``%E2%80%9D`` or a raw curly
quote gives the same name). Such a name can never be ``all`` or ``index`` (it always
holds ``--``), never contains a path separator or ``..``, and is at most about 100
characters. When two categories would get the same name, each of them gets a suffix of
8 hex digits of a hash of its URL path (the host is left out, so the name does not
depend on where the portal, or the replica, is served).
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

#: Name of the feed of every category.
ALL_STEM = "all"
_MAX_PART = 60
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str | None, max_length: int = _MAX_PART) -> str:
    """``text`` as lower-case ASCII words joined by ``-`` (``""`` when nothing is left)."""
    if not text:
        return ""
    text = unquote(text)
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    slug = _NON_ALNUM.sub("-", text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _category_slug(category: Mapping[str, object]) -> str:
    slug = slugify(str(category.get("slug") or ""))
    if slug:
        return slug
    # No slug recorded: the path segment before the numbers, then the name.
    segments = [s for s in urlsplit(str(category.get("url") or "")).path.split("/") if s]
    for segment in reversed(segments):
        slug = slugify(segment)
        if slug and not slug.replace("-", "").isdigit():
            return slug
    return slugify(str(category.get("name") or "")) or "chuyen-muc"


def short_hash(url: str) -> str:
    """8 hex digits naming ``url``'s path and query (host and scheme left out)."""
    return hashlib.sha256(_path_of(url).encode("utf-8")).hexdigest()[:8]


def category_stems(categories: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Map each category URL to its feed file stem (no extension), collision-free.

    URLs with the same path (the same category served from another scheme, host or
    port) get the same stem; the name depends on neither."""
    wanted: dict[str, str] = {}
    for category in categories:
        url = str(category["url"])
        if url in wanted:
            continue
        site = slugify(str(category.get("subSite") or "")) or "site"
        wanted[url] = f"{site}--{_category_slug(category)}"
    by_stem: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for url, stem in wanted.items():
        by_stem[stem].setdefault(_path_of(url), []).append(url)
    stems: dict[str, str] = {}
    for stem, paths in by_stem.items():
        if len(paths) == 1:
            for url in next(iter(paths.values())):
                stems[url] = stem
            continue
        logger.info("feed name %s shared by %d categories: adding hashes", stem, len(paths))
        for urls in paths.values():
            for url in urls:
                stems[url] = f"{stem}-{short_hash(url)}"
    # A hash suffix could, in theory, meet another category's plain name: that one
    # gets its own hash too (both names still depend on the paths only).
    plain = {stem for stem in by_stem if len(by_stem[stem]) == 1}
    hashed = {value for value in stems.values() if value not in plain}
    for url, value in stems.items():
        if value in plain and value in hashed:
            stems[url] = f"{value}-{short_hash(url)}"
    return stems
