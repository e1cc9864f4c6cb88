"""``danvan search``: find stored articles by words, without caring for tone marks or case.

Exit codes: 0 searched (found or not); 1 the store could not be read; 2 usage or
configuration error, or a query with no word to look for.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from danvan_crawler.config import ConfigError, add_config_arguments, load_config

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

#: A --since without an offset is portal time (what the portal prints).
PORTAL_TZ = timezone(timedelta(hours=7))

EPILOG = """\
QUERY: words (every one must be there), "a phrase", word* (a prefix), -word (must not
be there). Tone marks, đ and case do not matter: dan van kheo, "Dân vận khéo" and
DÂN VẬN KHÉO find the same articles; Tỉnh uỷ and Tỉnh ủy are one word. Other
characters only separate words. Best match first (headline before lead before body),
copies (duplicateOf) left out. --json prints one object per line: articleId, url,
headline, datePublished, rank (lower is better), snippet and title with the matched
words in [brackets], snippetHtml with <mark>."""


def _since(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=PORTAL_TZ)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "search",
        help="find stored articles by words (tone marks and case do not matter)",
        description=__doc__.splitlines()[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("query", metavar="QUERY", nargs="+", help="words to look for")
    add_config_arguments(parser, names=["db"])
    parser.add_argument(
        "--since",
        metavar="ISO-8601",
        type=_since,
        help="only articles published at or after (no offset: Vietnam time)",
    )
    parser.add_argument("--category", metavar="SLUG|URL|NAME", help="only this category")
    parser.add_argument(
        "--limit", type=_positive, default=20, metavar="N", help="at most N (default 20)"
    )
    parser.add_argument(
        "--newest", action="store_true", help="newest first instead of best match first"
    )
    parser.add_argument("--json", action="store_true", help="JSON Lines instead of text")
    parser.set_defaults(func=main)


def hit_json(hit: Any) -> dict[str, Any]:
    from danvan_crawler.store.search import mark_html, mark_plain

    record = hit.record
    return {
        "articleId": record.get("articleId"),
        "url": record.get("canonicalUrl") or record.get("url"),
        "headline": record.get("headline"),
        "datePublished": record.get("datePublished"),
        "rank": round(hit.rank, 6),
        "title": mark_plain(hit.title),
        "snippet": mark_plain(hit.snippet),
        "snippetHtml": mark_html(hit.snippet),
    }


def main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args)
    except ConfigError as exc:
        print(f"danvan search: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    db = config["db"]
    if "://" not in db and not Path(db).is_file():
        print(f"danvan search: error: no store at {db} (see --db)", file=sys.stderr)
        return EXIT_USAGE
    from danvan_crawler.store import StoreError, open_store
    from danvan_crawler.store.search import QueryError, parse_query, search

    try:
        query = parse_query(" ".join(args.query))
    except QueryError as exc:
        print(f"danvan search: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with open_store(db) as store:
            hits = search(
                store,
                query,
                since=args.since,
                category=args.category,
                limit=args.limit,
                order="date" if args.newest else "rank",
            )
    except (StoreError, OSError) as exc:
        print(f"danvan search: error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    out = sys.stdout
    for hit in hits:
        row = hit_json(hit)
        if args.json:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            continue
        date = (row["datePublished"] or "")[:16].replace("T", " ")
        out.write(f"{date}  {row['title'] or row['headline']}\n")
        out.write(f"    {row['url']}\n")
        if row["snippet"]:
            out.write(f"    {row['snippet']}\n")
    if not args.json:
        print(f"{len(hits)} found", file=sys.stderr)
    return EXIT_OK
