"""The normalization every stored field is already in: text (NFC, invisible characters,
whitespace) and URLs. Extraction produces it where the page is read (no pipeline applies it
again); tests check extraction's output is a fixed point of :class:`FieldNormalizer`.

Tone-mark placement is kept as printed (keys fold it: :mod:`danvan_crawler.vietnamese`).
Strings under a URL key (``url``, ``canonicalUrl`` and the ``url`` of breadcrumbs,
images, categories, attachments, mainImage) are canonicalized with
:func:`danvan_crawler.urls.canonical_url`; ``articleBody`` keeps one paragraph per
line; ``articleBodyHtml`` only loses invisible characters; every other string is one
line with whitespace collapsed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from danvan_crawler.text import clean_block, clean_text, strip_invisible
from danvan_crawler.urls import DEFAULT_TRACKING_PARAMS, canonical_url

URL_KEYS = frozenset({"url", "canonicalUrl"})
BLOCK_KEYS = frozenset({"articleBody"})
HTML_KEYS = frozenset({"articleBodyHtml"})


@lru_cache(maxsize=2048)
def _canonical(url: str, base_url: str | None, tracking: tuple[str, ...]) -> str:
    """:func:`canonical_url` (pure), cached: breadcrumb, category and image URLs repeat
    from article to article, and an article's ``url`` is its ``canonicalUrl``."""
    return canonical_url(url, base_url, tracking_params=tracking)


class FieldNormalizer:
    """Pure normalization of an output-schema mapping's values."""

    def __init__(
        self,
        base_url: str | None = None,
        tracking_params: Iterable[str] = DEFAULT_TRACKING_PARAMS,
    ) -> None:
        self.base_url = base_url
        self.tracking_params = tuple(tracking_params)

    def url(self, value: str) -> str:
        value = clean_text(value)
        if not value:
            return value
        return _canonical(value, self.base_url, self.tracking_params)

    def value(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            if key in URL_KEYS:
                return self.url(value)
            if key in BLOCK_KEYS:
                return clean_block(value)
            if key in HTML_KEYS:
                return strip_invisible(value)
            return clean_text(value)
        if isinstance(value, list):
            return [self.value(key, v) for v in value]
        if isinstance(value, tuple):
            return [self.value(key, v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(k, v) for k, v in value.items()}
        return value
