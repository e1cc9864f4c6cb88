"""The learned profile checked field by field (the coverage table), and written as TOML."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from typing import Any

from danvan_crawler.extract.article import ArticleResult
from danvan_crawler.extract.learn_body import _authors_key
from danvan_crawler.extract.learn_listing import category_title
from danvan_crawler.extract.learn_pages import (
    BASE_REMOVE,
    Coverage,
    Page,
    _Art,
    _body_lines,
    _date_key,
    _keyed,
    _lead_match,
    _learned_page,
)
from danvan_crawler.extract.listing import ListingPage
from danvan_crawler.profile import SiteProfile

__all__ = ["dump_profile"]

# --------------------------------------------------------------------------- coverage


def _field_value(fld: str, result: ArticleResult) -> Any:
    f = result.fields
    if fld == "content":
        return _body_lines(result)
    if fld == "datePublished":
        return _date_key(f.get("datePublished"))
    if fld == "authors":
        return _authors_key(result)
    if fld in ("attachments",):
        return sorted(x.get("url") for x in f.get(fld) or [])
    if fld == "breadcrumbs":
        return [x.get("name") for x in f.get(fld) or []]
    return f.get(fld)


def _same(fld: str, got: Any, want: Any) -> bool:
    """Whether the learned profile's value is the ladder's. A body may leave out what the
    ladder kept and the learner removed (labelled link blocks, repeated lines): none of
    its text outside the ladder's, at least nine tenths of the ladder's."""
    if fld == "description" and isinstance(got, str) and isinstance(want, str):
        return _lead_match(got, want)
    if fld != "content":
        return bool(got == want)
    theirs = sorted({_keyed(line) for line in want if line}, key=len, reverse=True)
    mine = [_keyed(line) for line in got]
    held = sum(map(len, mine)) >= 0.9 * sum(len(_keyed(line)) for line in want)
    return held and all(_composed(line, theirs) for line in mine)


def _composed(line: str, parts: list[str]) -> bool:
    """Whether ``line`` is a run of ``parts`` (lines merge where a block between them was
    removed)."""
    at = 0
    while at < len(line):
        step = next((len(p) for p in parts if line.startswith(p, at)), 0)
        if not step:
            return False
        at += step
    return True


_FALLBACK_NAMES = {
    "content": ("articleBody", "articleBodyHtml"),
    "headline": ("headline",),
    "datePublished": ("datePublished",),
    "description": ("description",),
    "authors": ("authors",),
    "attachments": ("attachments",),
    "breadcrumbs": ("breadcrumbs",),
    "subSite": ("subSite",),
}
_SELECTOR_KEYS = {
    "headline": ("article", "headline"),
    "datePublished": ("article", "date_published"),
    "description": ("article", "description"),
    "content": ("article", "content"),
    "authors": ("article", "byline"),
    "attachments": ("article", "attachments"),
    "breadcrumbs": ("article", "breadcrumbs"),
    "subSite": ("banner", "selector"),
}


def _article_coverage(
    fld: str,
    data: dict[str, Any],
    profile: SiteProfile,
    learned: list[_Art],
    held: list[_Art],
) -> Coverage:
    """Pages where the learned profile gives the ladder's value without a fallback, of
    the pages where the ladder found one (or used a fallback)."""

    def count(arts: list[_Art]) -> tuple[int, int]:
        good = total = 0
        if fld == "datePublished" and not profile.article.date_on_page:
            return good, total
        for art in arts:
            want = _field_value(fld, art.ladder)
            if not want and not any(n in art.ladder.fallbacks for n in _FALLBACK_NAMES[fld]):
                continue
            total += 1
            result = _learned_page(profile, art)
            if _same(fld, _field_value(fld, result), want) and not any(
                n in result.fallbacks for n in _FALLBACK_NAMES[fld]
            ):
                good += 1
        return good, total

    section, key = _SELECTOR_KEYS[fld]
    selectors = tuple(data[section][key])
    note = ""
    if fld == "content" and len(data["article"]["remove"]) > len(BASE_REMOVE):
        note = "remove: " + ", ".join(data["article"]["remove"][len(BASE_REMOVE) :])
    if fld == "datePublished" and not profile.article.date_on_page:
        note = "printed on no page: the listing's date (date_on_page = false)"
    if fld == "authors" and not selectors:
        note = "signature paragraphs of the content"
    return Coverage(fld, selectors, count(learned), count(held), note)


def _listing_coverage(
    fld: str,
    data: dict[str, Any],
    profile: SiteProfile,
    learned: Sequence[Page],
    held: Sequence[Page],
) -> Coverage:
    generic = profile.generic()

    def count(pages: Sequence[Page]) -> tuple[int, int]:
        good = total = 0
        for page in pages:
            ladder = ListingPage(page.html, page.url, generic)
            mine = ListingPage(page.html, page.url, profile)
            if fld == "listing items":
                if not ladder.entries:
                    continue
                total += 1
                ids = {e.article_id for e in mine.entries}
                good += (
                    bool(ids)
                    and ids <= {e.article_id for e in ladder.entries}
                    and ("listing_entries" not in mine.fallbacks)
                )
            elif fld == "listing time":
                entries = mine.entries
                if not entries or not profile.listing.item_time:
                    continue
                total += 1
                good += all(e.updated is not None for e in entries)
            else:
                want = category_title(ladder.root, ladder.title)
                if not want:
                    continue
                total += 1
                good += mine.title == want and "category_title" not in mine.fallbacks
        return good, total

    keys = {"listing items": "item", "listing time": "item_time", "listing title": "title"}
    selectors = tuple(data["listing"][keys[fld]])
    note = ""
    if fld == "listing items" and data["listing"]["item_link"]:
        note = "link: " + data["listing"]["item_link"][0]
    return Coverage(fld, selectors, count(learned), count(held), note)


# --------------------------------------------------------------------------- TOML


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "'" not in value and "\n" not in value:
            return "'" + value + "'"
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + escaped + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_profile(data: dict[str, Any]) -> str:
    """``data`` (a profile as :func:`profile_from_dict` reads it) as TOML text."""
    lines = [
        "# Site profile learned by `danvan profile learn` from the generic rules' values on a",
        "# few pages (selectors checked on pages it did not learn from). Edit freely.",
        "",
    ]
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write what cannot be read back
    return text
