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
import itertools
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from danvan_crawler.extract.learn_pages import Page
    from danvan_crawler.polite import PoliteFetcher
    from danvan_crawler.profile import SiteProfile

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
        help="article pages to fetch (12; a third held out for checking; at least 3); up to "
        "as many again while attachments, a lead or breadcrumbs are on too few of them",
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
        articles, listings, more = gather(fetcher, base, args.pages, args.listings)
    except FetchError as exc:
        return _fail(f"could not fetch the pages to learn from: {exc}")
    if len(articles) < 3:
        return _fail(f"found {len(articles)} article page(s) to learn from, need 3")
    sampled = len(articles)
    # (up to as many again, fetched as politely, while an optional field is too rare)
    articles, held, fetched_for = more_pages(articles, more, base, args.pages)
    name = args.name or _default_name(base)
    try:
        result = learn_profile(articles, listings, base, name=name, articles_held=held)
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
    extra = len(articles) - sampled
    for cov in result.coverage:
        if extra and cov.name in fetched_for:
            cov.note = "; ".join(x for x in (cov.note, f"{extra} more pages sampled") if x)
    more_note = f", {extra} more for {', '.join(fetched_for)}" if extra else ""
    print(
        f"learned from {len(articles)} article{more_note} and {len(listings)} listing pages "
        f"of {base} ({fetcher.requests} requests); right/pages, learned and held out:"
    )
    print(result.table())
    print(f"wrote {args.out}; crawl with it: danvan crawl --site {base} --profile {args.out}")
    return EXIT_OK


def gather(
    fetcher: PoliteFetcher, base: str, pages: int, listings: int
) -> tuple[list[Page], list[Page], ArticleStream]:
    """The home page's categories; ``listings`` of their first pages (one per category,
    round the menu); ``pages`` article pages linked from them, taken in turn from each;
    and the further article pages, fetched as asked for."""
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
    tried = 0
    for cat in categories[: listings * 2]:
        if len(listing_pages) >= listings:
            break
        tried += 1
        try:
            html = fetcher.get(cat.url)
        except FetchError:
            continue  # a category failing is no reason to stop
        listing_pages.append(Page(cat.url, html))
        queues.append([e.url for e in ListingPage(html, cat.url, generic).entries])
    if not listing_pages:
        raise FetchError("no category listing could be fetched")
    stream = ArticleStream(fetcher, queues, generic)
    # (further pages, once these listings' articles are all taken, from up to as many
    # other categories: listings short of ``pages`` articles would leave rarer optional
    # fields unseen)
    stream.later = [c.url for c in categories[tried : tried + listings]]
    article_pages = list(itertools.islice(iter(stream.next, None), pages))
    return article_pages, listing_pages, stream


class ArticleStream:
    """The article pages linked from the listings, fetched one at a time as asked for,
    taken in turn from each listing; when none is left, those of the listings at
    ``later`` (each fetched when needed)."""

    def __init__(self, fetcher: PoliteFetcher, queues: list[list[str]], generic: SiteProfile):
        self.fetcher, self.queues, self.generic = fetcher, queues, generic
        self.later: list[str] = []
        self.seen: set[str] = set()

    def next(self) -> Page | None:
        from danvan_crawler.extract.learn_pages import Page
        from danvan_crawler.extract.listing import ListingPage
        from danvan_crawler.polite import FetchError

        while True:
            while not any(self.queues) and self.later:
                url = self.later.pop(0)
                try:
                    html = self.fetcher.get(url)
                except FetchError:
                    continue
                self.queues.append([e.url for e in ListingPage(html, url, self.generic).entries])
            if not any(self.queues):
                return None
            # (in turn: the first listing still holding a link after the last one taken)
            at = next(k for k, q in enumerate(self.queues) if q)
            queue = self.queues.pop(at)
            self.queues.append(queue)
            url = queue.pop(0)
            if url in self.seen:
                continue
            self.seen.add(url)
            try:
                return Page(url, self.fetcher.get(url))
            except FetchError:
                continue


def more_pages(
    articles: list[Page], more: ArticleStream, base: str, budget: int
) -> tuple[list[Page], int, list[str]]:
    """``articles`` with up to ``budget`` more pages fetched from ``more`` while an
    optional field the site prints is on too few of the pages learned from (see
    ``fields_wanting_pages``); the new pages join the pages learned from, the held-out
    ones stay last. Returns the pages, how many are held out, and the fields fetched for."""
    from danvan_crawler.extract.learn import fields_wanting_pages, optional_fields_seen

    held = len(articles) // 3
    learned, kept = articles[: len(articles) - held], articles[len(articles) - held :]
    seen = [optional_fields_seen(page, base) for page in articles]
    seen_learned, seen_held = seen[: len(learned)], seen[len(learned) :]
    wanted = fields_wanting_pages(seen_learned, seen_held)
    fetched_for = list(wanted)
    extra: list[Page] = []
    while wanted and len(extra) < budget:
        page = more.next()
        if page is None:
            break
        extra.append(page)
        seen_learned.append(optional_fields_seen(page, base))
        wanted = fields_wanting_pages(seen_learned, seen_held)
    pages, seen_all = [*learned, *extra, *kept], [*seen_learned, *seen_held]
    cut = len(pages) - held
    for fld in wanted:
        # the site has no more pages printing it: the held-out ones that do are learned
        # from, as many pages printing none of the fields wanted held out instead
        for k in [k for k in range(cut, len(pages)) if fld in seen_all[k]]:
            swap = next((j for j in range(cut - 1, -1, -1) if not seen_all[j] & set(wanted)), None)
            if swap is None:
                break
            pages[k], pages[swap] = pages[swap], pages[k]
            seen_all[k], seen_all[swap] = seen_all[swap], seen_all[k]
    return pages, held, fetched_for if extra or wanted else []


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
