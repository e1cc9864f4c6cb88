"""``danvan profile learn``: a site profile learned from a few pages of an unseen markup.

Politely (robots.txt, the crawler's User-Agent, ``DOWNLOAD_DELAY`` between requests
unless the site is loopback) fetches the home page, a few category listings and article
pages linked from them, runs the generic extraction ladder on them, derives for each
field a selector that gives the ladder's value (``danvan_crawler/extract/learn.py``),
checks it on pages it did not learn from, writes the profile (TOML, loadable by
``--profile FILE``) and prints a coverage table per field. Exit 0 when written, 1 when
nothing could be learned (one line says why), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from danvan_crawler.extract.learn_pages import Page
    from danvan_crawler.polite import PoliteFetcher

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "profile", help="site profiles: learn one from an unseen markup", description=__doc__
    )
    sub = parser.add_subparsers(dest="profile_command", metavar="ACTION")
    learn = sub.add_parser(
        "learn",
        help="learn a site profile from a few pages (selectors per field, coverage table)",
        description=__doc__.splitlines()[0],
    )
    learn.add_argument("--site", required=True, help="the site's base URL (scheme://host[:port])")
    learn.add_argument("--out", required=True, type=Path, help="where to write the profile TOML")
    learn.add_argument(
        "--pages",
        type=int,
        default=12,
        metavar="N",
        help="article pages to fetch (12; a third held out for checking; at least 3)",
    )
    learn.add_argument(
        "--listings", type=int, default=4, metavar="N", help="category listing pages (4)"
    )
    learn.add_argument("--name", help="the profile's name (default: the site's host name)")
    learn.add_argument(
        "--delay",
        type=float,
        help="seconds between requests (default: DOWNLOAD_DELAY, 0 on loopback as the crawl)",
    )
    learn.set_defaults(func=main_learn)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("danvan profile: error: an action is required (learn)", file=sys.stderr)
    return EXIT_USAGE


def _fail(message: str) -> int:
    print(f"danvan profile learn: {message}", file=sys.stderr)
    return EXIT_FAILED


def main_learn(args: argparse.Namespace) -> int:
    from danvan_crawler.profile import normalize_base_url

    try:
        base = normalize_base_url(args.site)
    except ValueError as exc:
        print(f"danvan profile learn: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.pages < 3 or args.listings < 1:
        print("danvan profile learn: error: --pages must be >= 3, --listings >= 1", file=sys.stderr)
        return EXIT_USAGE
    if args.out.exists() and args.out.is_dir():
        print(f"danvan profile learn: error: {args.out} is a folder", file=sys.stderr)
        return EXIT_USAGE
    from danvan_crawler.extract.learn import learn_profile
    from danvan_crawler.extract.learn_pages import LearnError
    from danvan_crawler.polite import FetchError, PoliteFetcher

    fetcher = PoliteFetcher(base, delay=args.delay)
    try:
        articles, listings = gather(fetcher, base, args.pages, args.listings)
    except FetchError as exc:
        return _fail(f"could not fetch the pages to learn from: {exc}")
    if len(articles) < 3:
        return _fail(f"found {len(articles)} article page(s) to learn from, need 3")
    name = args.name or _default_name(base)
    try:
        result = learn_profile(articles, listings, base, name=name)
    except LearnError as exc:
        return _fail(str(exc))
    missing = [
        c.name for c in result.coverage if c.name in ("headline", "content") and not c.selectors
    ]
    if missing:
        return _fail(f"no selector reproduces the generic rules' {', '.join(missing)}")
    try:
        _write_atomically(args.out, result.toml)
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc}")
    print(
        f"learned from {len(articles)} article and {len(listings)} listing pages of {base} "
        f"({fetcher.requests} requests); right/pages, learned and held out:"
    )
    print(result.table())
    print(f"wrote {args.out}; crawl with it: danvan crawl --site {base} --profile {args.out}")
    return EXIT_OK


def gather(
    fetcher: PoliteFetcher, base: str, pages: int, listings: int
) -> tuple[list[Page], list[Page]]:
    """The home page's categories; ``listings`` of their first pages (one per category,
    round the menu); ``pages`` article pages linked from them, taken in turn from each."""
    from danvan_crawler.extract.learn_pages import Page
    from danvan_crawler.extract.listing import ListingPage
    from danvan_crawler.extract.navigation import find_categories
    from danvan_crawler.extract.parse import parse_html
    from danvan_crawler.polite import FetchError
    from danvan_crawler.profile import load_profile

    generic = load_profile("nghean", base).generic()
    home_url = base + "/"
    home = fetcher.get(home_url)
    categories = find_categories(parse_html(home, html_elements=False), home_url, generic)
    if not categories:
        raise FetchError(f"{home_url}: no category links on the home page")
    listing_pages: list[Page] = []
    queues: list[list[str]] = []
    for cat in categories[: listings * 2]:
        if len(listing_pages) >= listings:
            break
        try:
            html = fetcher.get(cat.url)
        except FetchError:
            continue  # a category failing is no reason to stop
        listing_pages.append(Page(cat.url, html))
        entries = ListingPage(html, cat.url, generic).entries
        queues.append([e.url for e in entries])
    if not listing_pages:
        raise FetchError("no category listing could be fetched")
    article_pages: list[Page] = []
    seen: set[str] = set()
    while len(article_pages) < pages and any(queues):
        for queue in queues:
            if not queue or len(article_pages) >= pages:
                continue
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            try:
                article_pages.append(Page(url, fetcher.get(url)))
            except FetchError:
                continue
    return article_pages, listing_pages


def _default_name(base: str) -> str:
    """The default profile's name for its own site (feeds stay where they are: see
    ``profile.site_output``), else the host name with dashes."""
    from urllib.parse import urlsplit

    from danvan_crawler.profile import DEFAULT_PROFILE, load_profile

    host = (urlsplit(base).hostname or "site").lower()
    if host in {h.lower() for h in load_profile(DEFAULT_PROFILE).hosts}:
        return DEFAULT_PROFILE
    return re.sub(r"[^a-z0-9-]+", "-", host).strip("-") or "site"


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
