"""``danvan inspect``: one page's fields, each with the selector or fallback that gave it.

What an operator runs first when the layout alarm fires: ``danvan inspect URL`` fetches
the page politely (robots.txt, the crawler's User-Agent) and extracts it with the site
profile (``--profile NAME|PATH``, default ``nghean``, or ``DANVAN_PROFILE``); a saved
``FILE`` is read from disk (``--url`` names where it came from). An article page lists
every field with ``selector <css>`` (the profile's) or ``fallback <rung>`` (a generic
rule: the profile no longer matches there); a category listing page lists its entries,
title and the fallbacks used. ``--json`` prints the same as one JSON object.
Exit 0, 1 when the page cannot be fetched or read, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: Article fields, and the profile selectors that give each (section, key).
FIELD_SELECTORS: dict[str, tuple[str, str]] = {
    "headline": ("article", "headline"),
    "datePublished": ("article", "date_published"),
    "dateModified": ("article", "date_modified"),
    "description": ("article", "description"),
    "articleBody": ("article", "content"),
    "articleBodyHtml": ("article", "content"),
    "authors": ("article", "byline"),
    "breadcrumbs": ("article", "breadcrumbs"),
    "attachments": ("article", "attachments"),
    "mainImage": ("article", "content"),
    "images": ("article", "content"),
    "subSite": ("banner", "selector"),
}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "inspect",
        help="one page's fields, each with the selector or fallback that gave it",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("page", metavar="URL|FILE", help="a page URL, or a saved HTML file")
    parser.add_argument(
        "--profile", help="site profile name or TOML path (default: DANVAN_PROFILE or nghean)"
    )
    parser.add_argument("--url", help="the URL a FILE was saved from (default: its profile's)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=main)


def _error(message: str, code: int) -> int:
    print(f"danvan inspect: {message}", file=sys.stderr)
    return code


def main(args: argparse.Namespace) -> int:
    from danvan_crawler.profile import DEFAULT_PROFILE, load_profile

    is_url = urlsplit(args.page).scheme in ("http", "https")
    if not is_url and not Path(args.page).is_file():
        return _error(f"error: no such file, and not an http(s) URL: {args.page}", EXIT_USAGE)
    url = args.page if is_url else args.url
    name = args.profile or os.environ.get("DANVAN_PROFILE") or DEFAULT_PROFILE
    try:
        profile = load_profile(name)
        if url:
            profile = profile.with_base_url(url)
    except (OSError, ValueError, KeyError) as exc:
        return _error(f"error: cannot load profile {name!r}: {exc}", EXIT_USAGE)
    if is_url:
        from danvan_crawler.polite import FetchError, PoliteFetcher

        try:
            html = PoliteFetcher(args.page).get(args.page)
        except FetchError as exc:
            return _error(str(exc), EXIT_FAILED)
    else:
        try:
            html = Path(args.page).read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            return _error(f"cannot read {args.page}: {exc}", EXIT_FAILED)
    url = url or profile.home_url
    report = inspect_page(html, url, profile)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render(report))
    return EXIT_OK


def _which(root: Any, selectors: tuple[str, ...]) -> str | None:
    """The first of ``selectors`` that matches anything (the one the extraction used)."""
    from danvan_crawler.extract.selectors import select

    for css in selectors:
        if select(root, css):
            return css
    return None


def inspect_page(html: str, url: str, profile: Any) -> dict[str, Any]:
    """Per field: value and source (``selector``, ``fallback`` or ``missing``)."""
    from danvan_crawler.extract.navigation import classify

    path_kind = classify(url, profile)
    if path_kind == "category":
        return _inspect_listing(html, url, profile)
    return _inspect_article(html, url, profile)


def _inspect_article(html: str, url: str, profile: Any) -> dict[str, Any]:
    from danvan_crawler.extract.article import ArticlePage

    page = ArticlePage(html, url, profile)
    result = page.extract()
    fields: dict[str, Any] = {}
    for name, value in result.fields.items():
        entry: dict[str, Any] = {"value": value}
        if name in result.fallbacks:
            entry["source"] = "fallback"
            entry["rule"] = result.fallbacks[name]
        elif name in FIELD_SELECTORS and value not in (None, "", [], {}):
            section, key = FIELD_SELECTORS[name]
            selectors = (
                profile.banner_selectors
                if section == "banner"
                else tuple(getattr(profile.article, key))
            )
            if name == "datePublished" or name == "dateModified":
                selectors = tuple(
                    getattr(
                        profile.article,
                        "date_published" if name == "datePublished" else "date_modified",
                    )
                )
            css = _which(page.root, selectors)
            if name == "authors" and page._signature_nodes:
                entry["source"] = "selector"
                entry["selector"] = (
                    f"signature paragraphs of {_which(page.root, profile.article.content)}"
                )
            elif css:
                entry["source"] = "selector"
                entry["selector"] = css
            else:
                entry["source"] = "page"  # the URL, <html lang>, or derived from another field
        elif name in result.missing:
            entry["source"] = "missing"
        else:
            entry["source"] = "none" if value in (None, "", [], {}) else "page"
        fields[name] = entry
    return {
        "url": url,
        "kind": "article",
        "profile": profile.source or profile.name,
        "fields": fields,
        "fallbacks": dict(result.fallbacks),
        "missing": list(result.missing),
    }


def _inspect_listing(html: str, url: str, profile: Any) -> dict[str, Any]:
    from danvan_crawler.extract.listing import ListingPage

    page = ListingPage(html, url, profile)
    entries = page.entries
    title = page.title
    site = page.site_name
    lst = profile.listing
    item_css = _which(page.root, lst.item)
    title_css = _which(page.root, lst.title)
    banner_css = _which(page.root, profile.banner_selectors)
    fields = {
        "entries": {
            "value": [
                {"url": e.url, "title": e.title, "time": e.updated_raw, "lead": e.lead}
                for e in entries
            ],
            **_listing_source(page, "listing_entries", item_css),
        },
        "title": {
            "value": title,
            **_listing_source(page, "category_title", title_css),
        },
        "subSite": {
            "value": site,
            **_listing_source(page, "category_subsite", banner_css),
        },
        "pages": {"value": page.page_urls, "source": "page", "rule": "URL pattern"},
    }
    return {
        "url": url,
        "kind": "listing",
        "profile": profile.source or profile.name,
        "fields": fields,
        "fallbacks": dict(page.fallbacks),
        "missing": [],
    }


def _listing_source(page: Any, fallback: str, css: str | None) -> dict[str, Any]:
    if fallback in page.fallbacks:
        return {"source": "fallback", "rule": page.fallbacks[fallback]}
    return {"source": "selector", "selector": css} if css else {"source": "none"}


def _short(value: Any, width: int = 70) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            inner = "; ".join(
                str(v.get("name") or v.get("title") or v.get("url") or "") for v in value[:4]
            )
            more = f" (+{len(value) - 4})" if len(value) > 4 else ""
            return f"[{len(value)}] {inner}{more}"[:width]
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict):
        text = str(value.get("url") or value)
    else:
        text = "" if value is None else str(value)
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= width else text[: width - 1] + "…"


def render(report: dict[str, Any]) -> str:
    lines = [f"{report['kind']} {report['url']} (profile {report['profile']})"]
    rows = []
    for name, entry in report["fields"].items():
        source = entry["source"]
        if source == "selector":
            how = f"selector {entry['selector']}"
        elif source == "fallback":
            how = f"FALLBACK {entry['rule']}"
        else:
            how = source
        rows.append((name, how, _short(entry["value"])))
    wide = [max(len(r[i]) for r in rows) for i in range(2)]
    lines += [f"  {r[0]:<{wide[0]}}  {r[1]:<{wide[1]}}  {r[2]}" for r in rows]
    if report["fallbacks"]:
        lines.append(
            "fields from generic fallbacks: "
            + ", ".join(f"{k} ({v})" for k, v in report["fallbacks"].items())
            + "; the profile's selectors miss there (danvan profile learn --site URL --out FILE)"
        )
    if report["missing"]:
        lines.append("required fields not found: " + ", ".join(report["missing"]))
    return "\n".join(lines)
