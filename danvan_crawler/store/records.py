"""Article records as the store keeps them: plain functions over mappings (no database),
used by the upsert, the dedupe pipeline and the migrations."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Literal

from itemadapter import ItemAdapter

from danvan_crawler.store.base import _to_utc_naive
from danvan_crawler.urls import site_key

ChangeKind = Literal["new", "updated", "unchanged", "merged"]

#: Fields never stored: annotations of an output line (:mod:`danvan_crawler.stream`).
TRANSIENT_FIELDS = frozenset({"change", "revision", "datePublishedHasTime", "dateModifiedHasTime"})
#: Fields that do not make an article's content: a change in them alone is no revision.
NON_CONTENT_FIELDS = frozenset(
    {"url", "canonicalUrl", "categories", "crawledAt", "duplicateOf", *TRANSIENT_FIELDS}
)


@dataclass(frozen=True, slots=True)
class Change:
    """What an upsert did to one article."""

    article_id: str
    kind: ChangeKind
    revision: int
    duplicate_of: str | None = None
    #: The stored record after the change (output-schema fields).
    record: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: Stored articles this (older) original just marked as its copies.
    claimed: tuple[str, ...] = ()


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return _to_utc_naive(datetime.fromisoformat(value))
    except ValueError:
        return None


_DIGITS_RE = re.compile(r"\d+")


def _article_num(article_id: str) -> int:
    digits = _DIGITS_RE.findall(article_id)
    return int(digits[-1]) if digits else 0


def content_hash(data: Mapping[str, Any]) -> str:
    """SHA-256 of the content fields of an article (see :data:`NON_CONTENT_FIELDS`)."""
    content = {k: v for k, v in data.items() if k not in NON_CONTENT_FIELDS}
    blob = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _same(a: Any, b: Any) -> bool:
    """``a == b`` with equal types throughout (``1 == 1.0 == True`` but their JSON
    differs): values of :func:`article_dict` records, whose leaves are usually the very
    same objects."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind is dict:
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if kind is list or kind is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    if kind is float:  # 0.0 == -0.0
        return repr(a) == repr(b)
    return bool(a == b)


def _plain(value: Any) -> Any:
    """``ItemAdapter._asdict(value)``, with fast paths for JSON-like values."""
    kind = type(value)
    if kind is str or value is None or kind is int or kind is float or kind is bool:
        return value
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    if kind is list:
        return [_plain(v) for v in value]
    return ItemAdapter._asdict(value)


@lru_cache(maxsize=64)
def _dataclass_fields(cls: type) -> tuple[str, ...] | None:
    if dataclasses.is_dataclass(cls):
        return tuple(f.name for f in dataclasses.fields(cls))
    return None


def article_dict(article: Any) -> dict[str, Any]:
    """``ItemAdapter(article).asdict()`` (a dict, nested items and containers copied),
    several times faster for dicts and dataclass items holding JSON-like values."""
    if type(article) is dict:
        return {k: _plain(v) for k, v in article.items()}
    names = _dataclass_fields(type(article))  # type: ignore[arg-type]  # a class is hashable
    if names is not None:
        return {n: _plain(getattr(article, n)) for n in names if hasattr(article, n)}
    return ItemAdapter(article).asdict()


def _moved_urls(stored: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, str]:
    """The new ``url`` and ``canonicalUrl`` of an article whose canonical URL moved to
    another scheme, host or port (same path: the portal moved), else {}."""
    new, old = data.get("canonicalUrl"), stored.get("canonicalUrl")
    if not (isinstance(new, str) and isinstance(old, str)) or new == old:
        return {}
    if site_key(new) != site_key(old):
        return {}  # another URL of the article (an alias): the stored one stays
    return {name: data[name] for name in ("url", "canonicalUrl") if isinstance(data.get(name), str)}


def merge_categories(*lists: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Union of category lists by site path (:func:`~danvan_crawler.urls.site_key`: a
    category seen under another scheme, host or port is the same one), later lists
    updating names and URL; sorted by url."""
    by_key: dict[str, dict[str, Any]] = {}
    for cats in lists:
        for cat in cats or ():
            url = cat.get("url")
            if not url:
                continue
            key = site_key(url)
            merged = dict(by_key.get(key, {}))
            merged.update({k: v for k, v in cat.items() if v is not None or k not in merged})
            by_key[key] = merged
    return sorted(by_key.values(), key=itemgetter("url"))
