"""What the learner takes and gives (pages, coverage, the result), the pages it learns
from as the generic extraction reads them, and the profile dict it fills in.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from lxml import etree

from danvan_crawler.dates import parse_date
from danvan_crawler.extract.article import ArticlePage, ArticleResult
from danvan_crawler.extract.common import node_text
from danvan_crawler.profile import SiteProfile, profile_from_dict
from danvan_crawler.text import clean_text

__all__ = ["ARTICLE_FIELDS", "LISTING_FIELDS", "Coverage", "LearnError", "LearnResult", "Page"]

#: Fields learned from article pages, in table order.
ARTICLE_FIELDS = (
    "headline",
    "datePublished",
    "description",
    "content",
    "authors",
    "attachments",
    "breadcrumbs",
    "subSite",
)

#: Fields learned from listing pages.
LISTING_FIELDS = ("listing items", "listing time", "listing title")

#: Removed from the content before the body is read, whatever the site.
BASE_REMOVE = ("script", "style", "noscript", "iframe", "form", "input", "button")


class LearnError(Exception):
    """Nothing could be learned (one line why)."""


@dataclass(frozen=True)
class Page:
    url: str
    html: str


@dataclass
class Coverage:
    """One field: the selectors learned and on how many pages they give the ladder's value."""

    name: str
    selectors: tuple[str, ...] = ()
    learned: tuple[int, int] = (0, 0)  # (right, pages where the ladder found a value)
    held_out: tuple[int, int] = (0, 0)
    note: str = ""


@dataclass
class LearnResult:
    profile: SiteProfile
    toml: str
    coverage: list[Coverage] = field(default_factory=list)

    def table(self) -> str:
        """The per-field coverage table (learned pages, held-out pages)."""
        rows = [("field", "learned", "held-out", "selector")]
        for cov in self.coverage:
            rows.append(
                (
                    cov.name,
                    _frac(cov.learned),
                    _frac(cov.held_out),
                    (" | ".join(cov.selectors) or "-") + (f"  ({cov.note})" if cov.note else ""),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(
            f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows
        )


def _frac(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]}" if pair[1] else "-"


# --------------------------------------------------------------------------- pages


@dataclass
class _Art:
    """An article page, its tree and what the generic ladder found on it."""

    page: Page
    root: etree._Element
    ladder: ArticleResult


def _keyed(text: str | None) -> str:
    """Text compared without case and whitespace (an element's text joins its text nodes
    with spaces, a body line does not)."""
    return "".join(clean_text(text or "").casefold().split())


def _text_elements(root: etree._Element, want: str, limit: int = 400) -> list[etree._Element]:
    """The elements in ``<body>`` whose text is ``want``, deepest first."""
    key = _keyed(want)
    if not key:
        return []
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "script", "style", "head"):
            continue
        text = "".join(el.itertext())
        if len(text) > len(want) * 3 + limit:
            continue
        if _keyed(node_text(el)) == key:
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _lead_match(text: str, want: str) -> bool:
    """Whether ``text`` is the ladder's lead ``want``, or its start (its end) when the
    ladder read the lead on one line with a short inline block after (before) it: the
    date line."""
    got, key = _keyed(text), _keyed(want)
    if got == key:
        return True
    return (
        len(got) >= 40 and (key.startswith(got) or key.endswith(got)) and len(key) - len(got) <= 40
    )


def _lead_elements(root: etree._Element, want: str) -> list[etree._Element]:
    """The elements whose text is the start of the ladder's lead (:func:`_lead_match`),
    deepest first."""
    out = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("title", "script", "style", "head")
        and _lead_match(node_text(el), want)
    ]
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _head_dates(art: _Art, profile: SiteProfile) -> list[etree._Element]:
    """Where the ladder read no date: the date lines ("Ngày đăng: 21/04/2020") printed
    alone in an element between the headline and the body's first line (the ladder may
    have read one on a line with the lead), deepest first."""
    if art.ladder.fields.get("datePublished"):
        return []
    return _unmarked(_date_lines(art, profile), profile)


def _date_lines(art: _Art, profile: SiteProfile) -> list[etree._Element]:
    """The date lines printed alone in an element between the headline and the body's
    first line, deepest first."""
    from danvan_crawler.dates import find_date
    from danvan_crawler.extract.ladder_signature import date_line

    lines = _body_lines(art.ladder)
    heads = _text_elements(art.root, art.ladder.fields.get("headline") or "")
    starts = _text_elements(art.root, lines[min(1, len(lines) - 1)]) if lines else []
    if not heads or not starts:
        return []
    order = {el: k for k, el in enumerate(art.root.iter())}
    low, high = order[heads[0]], order[starts[0]]
    out = []
    for el in art.root.iter():
        if not isinstance(el.tag, str) or not low < order[el] < high or _in_link(el):
            continue
        if any(e.tag == "li" for e in el.iterancestors()) or starts[0] in el.iterdescendants():
            continue
        text = node_text(el)
        if not text or len(text) > 60:
            continue
        found = find_date(text, profile.date_patterns, profile.timezone)
        if found is not None and date_line(text, found[1]):
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _date_key(value: str | None) -> str | None:
    return value[:16] if value else None


def _date_elements(root: etree._Element, art: _Art, profile: SiteProfile) -> list[etree._Element]:
    want = _date_key(art.ladder.fields.get("datePublished"))
    if not want:
        return []
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "script", "style", "head", "meta"):
            continue
        text = node_text(el)
        if not text or len(text) > 120:
            continue
        parsed = parse_date(text, profile.date_patterns, profile.timezone)
        if parsed is not None and _date_key(parsed.isoformat()) == want:
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    plain = _unmarked(out, profile)
    # only a modified date gives the ladder's: no printed date to point at when the page
    # prints another date line by the headline (the published one)
    if (
        plain is out
        and any(_marked(el, profile) for el in out)
        and any(not _marked(el, profile) for el in _date_lines(art, profile))
    ):
        return []
    return plain


def _marked(el: etree._Element, profile: SiteProfile) -> bool:
    return bool(profile.fallback.modified_marker.search(node_text(el)))


def _unmarked(found: list[etree._Element], profile: SiteProfile) -> list[etree._Element]:
    """``found`` without the date lines saying "Chỉnh sửa" / "Cập nhật" (a modified date),
    unless all are (a site printing its only date so)."""
    plain = [el for el in found if not profile.fallback.modified_marker.search(node_text(el))]
    return plain or found


# --------------------------------------------------------------------------- the learner


def _base_dict(base: str) -> dict[str, Any]:
    """The packaged default profile as a dict (URL rules, date patterns, signature and
    fallback rules are the same for every portal of this URL scheme)."""
    text = resources.files("danvan_crawler").joinpath("profiles", "nghean.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["base_url"] = base
    return data


def _profile(data: dict[str, Any]) -> SiteProfile:
    return profile_from_dict(data, source="learned")


def _empty_selectors(data: dict[str, Any]) -> None:
    art = data["article"]
    for key in (
        "headline",
        "date_published",
        "date_modified",
        "description",
        "content",
        "breadcrumbs",
        "attachments",
        "byline",
        "end_markers",
    ):
        art[key] = []
    art["remove"] = list(BASE_REMOVE)
    art["image_block"] = ["figure"]
    art["image_caption"] = ["figcaption"]
    data["banner"]["selector"] = []
    lst = data["listing"]
    for key in ("title", "item", "item_link", "item_time", "item_lead", "scope", "end_markers"):
        lst[key] = []


def _learned_page(profile: SiteProfile, art: _Art) -> ArticleResult:
    return ArticlePage(art.page.html, art.page.url, profile).extract()


def _body_lines(result: ArticleResult) -> list[str]:
    return [line for line in (result.fields.get("articleBody") or "").split("\n") if line]


def _in_link(el: etree._Element) -> bool:
    return any(a.tag == "a" for a in el.iterancestors())
