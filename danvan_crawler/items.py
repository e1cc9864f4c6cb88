"""The Article item: one record per article; field names = the output schema
(``schema/article.schema.json``, documented in docs/DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["ARTICLE_FIELD_NAMES", "Article"]


@dataclass
class Article:
    articleId: str
    url: str
    canonicalUrl: str
    headline: str
    description: str | None
    articleBody: str
    articleBodyHtml: str
    datePublished: str | None
    datePublishedRaw: str | None
    dateModified: str | None = None
    dateModifiedRaw: str | None = None
    authors: list[dict[str, Any]] = field(default_factory=list)
    breadcrumbs: list[dict[str, Any]] = field(default_factory=list)
    inLanguage: str = "vi"
    mainImage: dict[str, str] | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    categories: list[dict[str, Any]] = field(default_factory=list)
    subSite: str | None = None
    attachments: list[dict[str, str]] = field(default_factory=list)
    #: Documents cited; ``None`` until the enrich step has run.
    documentRefs: list[dict[str, Any]] | None = None
    #: Places of Nghệ An mentioned ({name, code, level, current}); ``None`` until the
    #: enrich step has run (or with ``DANVAN_PLACES`` off).
    places: list[dict[str, Any]] | None = None
    #: Id of the original when this is a re-published copy.
    duplicateOf: str | None = None
    crawledAt: str | None = None
    #: Fields a generic fallback gave instead of the profile's selectors, and which one
    #: (``{"datePublished": "listing"}``); empty: every field as the profile reads it.
    fieldSources: dict[str, str] = field(default_factory=dict)
    #: Set by the store: ``new`` or ``updated``; ``None`` when not known.
    change: str | None = None
    #: Set by the store: the stored revision (1 when new, + 1 at each content change).
    revision: int | None = None
    #: Set with ``revision``: False when the date was printed without a time of day
    #: (``datePublished`` is then that day at 00:00 local time); see ``dates.has_time``.
    datePublishedHasTime: bool | None = None
    dateModifiedHasTime: bool | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """An Article from a dict with schema keys (unknown keys are an error)."""
        return cls(**data)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


ARTICLE_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Article))
