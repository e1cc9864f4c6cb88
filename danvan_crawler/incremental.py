"""Incremental crawling: what a run may skip, decided from the store.

:class:`~danvan_crawler.extensions.incremental.IncrementalExtension` asks an
:class:`IncrementalState` (built from the crawl's store) which listing pages to request
conditionally, when to stop paging a category, which article pages to fetch, and records
what a run has safely finished; the ``portal`` spider asks the extension. Modes (settings,
``danvan crawl`` / ``danvan run`` flags):

- default (``DANVAN_INCREMENTAL = True``): each category is walked from page 1, its pages
  requested with ``If-None-Match`` / ``If-Modified-Since`` from the stored validators; a
  304 means "unchanged, stop paging". A page whose entries are not all *settled* (see
  below) makes the run go on to the next page, unless the stop rule says otherwise;
- ``DANVAN_FULL`` (``--full``): every listing page, unconditionally (backfill); settled
  articles are still not fetched;
- ``DANVAN_REFRESH`` (``--refresh``, implies ``--full``): every listed article page is
  fetched again, unconditionally.

An entry of a listing is **settled** when its article is stored, its stored listing
signature (:func:`listing_signature`: the listing's update time) equals what the listing
shows now, and the category is among the stored article's categories. Unsettled entries
are fetched: unknown ids plainly, known ids conditionally with the article page's stored
validators (a 304 means the page did not change: the signature is recorded, categories
merged). A known, unchanged article newly listed in another category is NOT fetched:
the category is merged into the stored record (``Store.merge_categories``).

Stop rule (``DANVAN_STOP_RULE``): ``oldest`` (default) stops paging after a page whose
last (oldest) entry is settled: listings are ordered by last update, newest first, so
everything after it is older than what the store already holds; ``all`` stops only after
a page whose entries are all settled (one more page per changed category).

Crash safety (SIGKILL at any point): the stop rule is only trusted for a category that is
**walked**: a state row in the store saying that, when a run last finished with it, every
article its listing showed was stored. The mark is removed (one transaction, before any
article of the run is fetched) as soon as a page of the category shows an unsettled
entry, and set again at the end of the run (``spider_closed``) only when the walk ended
normally and every article to fetch for it is stored. A category that is not walked is
walked to its last page, unconditionally, like ``--full``. Listing-page validators are
saved together with the mark, so a 304 always refers to a page whose articles are all
stored. Listing signatures and article validators are recorded per article only after its
item went through the store pipeline (``item_scraped`` / ``item_dropped``, the upsert
committed), and written in batches (a few dozen articles a transaction, the rest when the
spider goes idle or closes): an article seen on a listing but not stored is never known,
and a crash loses at most the last batch's skips (those pages are fetched again).

Pages cut short (``ArticleCompleteness``): an article stored from a page that still
looked cut when its retries were spent gets the listing signature ``cut:<n>:<signature>``
(:func:`cut_signature`, ``n`` the runs that fetched it cut), never equal to what a listing
shows: the next run fetches it again, unconditionally (its page's validators are
cleared), and its categories are not marked walked, so the next run sees its entry. When
a page comes whole the plain signature replaces the mark; after ``cut_max_runs`` runs
(``DANVAN_CUT_MAX_RUNS``) the stored version is accepted as it is.

State rows live in the store's crawl state (``Store.crawl_state`` / ``set_crawl_state``):
``walked:<category URL>`` (``"1"`` when walked, unset when not) and ``categories`` (JSON
list of the category URLs of the last finished run, used when the home page answers 304).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from danvan_crawler.extract.listing import ListingEntry
from danvan_crawler.store import Store

logger = logging.getLogger(__name__)

__all__ = [
    "CATEGORIES_KEY",
    "CUT_PREFIX",
    "WALKED_PREFIX",
    "IncrementalState",
    "PageAssessment",
    "StopRule",
    "conditional_headers",
    "cut_runs",
    "cut_signature",
    "listing_signature",
    "next_cut_signature",
    "response_validators",
]

#: keys of the crawl state rows (module doc)
WALKED_PREFIX = "walked:"
CATEGORIES_KEY = "categories"
#: listing signatures of articles stored from a page that looked cut: ``cut:<n>:<sig>``
CUT_PREFIX = "cut:"
#: runs that fetch again an article whose page looked cut (``DANVAN_CUT_MAX_RUNS``)
CUT_MAX_RUNS = 5

StopRule = Literal["oldest", "all"]


def listing_signature(entry: ListingEntry) -> str:
    """What a listing says about an article's version: its last-update time (ISO-8601),
    else the raw time text, else its title."""
    if entry.updated is not None:
        return entry.updated.isoformat()
    if entry.updated_raw:
        return "raw:" + " ".join(entry.updated_raw.split())
    return "title:" + " ".join(entry.title.split())


def cut_signature(runs: int, signature: str) -> str:
    """The listing signature of an article stored from a page that looked cut in
    ``runs`` runs: never what a listing shows, so the next run fetches it again."""
    return f"{CUT_PREFIX}{runs}:{signature}"


def cut_runs(signature: str | None) -> int:
    """How many runs fetched the article's page cut (0: its stored signature is plain)."""
    if not signature or not signature.startswith(CUT_PREFIX):
        return 0
    count, _, _ = signature[len(CUT_PREFIX) :].partition(":")
    return int(count) if count.isdigit() else 1


def next_cut_signature(stored: str | None, seen: str, max_runs: int = CUT_MAX_RUNS) -> str:
    """The signature to store for an article whose page looked cut in this run (listed as
    ``seen``; ``stored``: its signature so far): marked for the next run, or ``seen``
    itself once ``max_runs`` runs fetched it cut (accepted as it is)."""
    runs = cut_runs(stored) + 1
    return seen if runs > max_runs else cut_signature(runs, seen)


def conditional_headers(validators: Mapping[str, str | None] | None) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` from stored validators ({} if none)."""
    headers: dict[str, str] = {}
    if not validators:
        return headers
    if validators.get("etag"):
        headers["If-None-Match"] = str(validators["etag"])
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = str(validators["last_modified"])
    return headers


def response_validators(headers: Any) -> tuple[str | None, str | None]:
    """(ETag, Last-Modified) of a Scrapy response's headers, as text."""

    def text(name: bytes) -> str | None:
        value = headers.get(name)
        if not value:
            return None
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)

    return text(b"ETag"), text(b"Last-Modified")


@dataclass
class PageAssessment:
    """What one listing page says, measured against the store."""

    #: ids to fetch (unknown, or the listing shows another version), in page order
    to_fetch: list[str] = field(default_factory=list)
    #: known, unchanged ids whose stored categories lack this category
    to_merge: list[str] = field(default_factory=list)
    #: known, unchanged ids already listed under this category
    settled: list[str] = field(default_factory=list)
    #: whether the page's last (oldest) entry is settled or only needs a category merge
    last_known: bool = False

    @property
    def all_known(self) -> bool:
        return not self.to_fetch and not self.to_merge

    @property
    def unchanged(self) -> bool:
        """Nothing to fetch and nothing to merge on this page."""
        return self.all_known


class IncrementalState:
    """Incremental-crawl decisions and bookkeeping over one :class:`Store`."""

    def __init__(
        self,
        store: Store,
        *,
        full: bool = False,
        refresh: bool = False,
        stop_rule: StopRule = "oldest",
        batch_size: int = 64,
        cut_max_runs: int = CUT_MAX_RUNS,
    ) -> None:
        if stop_rule not in ("oldest", "all"):
            raise ValueError(f"DANVAN_STOP_RULE must be 'oldest' or 'all', not {stop_rule!r}")
        self.store = store
        self.refresh = refresh
        self.full = full or refresh
        self.stop_rule: StopRule = stop_rule
        self.cut_max_runs = max(0, cut_max_runs)
        self._walked: dict[str, bool] = {}
        #: listing signature seen this run per article id
        self.signatures: dict[str, str] = {}
        #: stored signature per article id, for ids seen on listings this run
        self.stored_signatures: dict[str, str] = {}
        #: ids known to the store among those seen this run
        self.known: set[str] = set()
        #: article bookkeeping not written yet (:meth:`flush`): URL -> validators, and
        #: article id -> listing signature
        self.batch_size = batch_size
        self._validators: dict[str, tuple[str | None, str | None]] = {}
        self._signatures: dict[str, str] = {}

    # -- state rows ---------------------------------------------------------------------
    def is_walked(self, category_url: str) -> bool:
        """Whether the category's stop rule can be trusted (see module doc)."""
        if category_url not in self._walked:
            mark = self.store.crawl_state(WALKED_PREFIX + category_url)
            self._walked[category_url] = bool(mark)
        return self._walked[category_url]

    def set_walked(self, category_url: str, walked: bool) -> None:
        if self.is_walked(category_url) == walked:
            return
        self.store.set_crawl_state(WALKED_PREFIX + category_url, "1" if walked else None)
        self._walked[category_url] = walked

    def saved_categories(self) -> list[str]:
        """Category URLs of the last finished run ([] if none)."""
        saved = self.store.crawl_state(CATEGORIES_KEY)
        if not saved:
            return []
        try:
            urls = json.loads(saved)
        except ValueError:
            return []
        return [str(u) for u in urls] if isinstance(urls, list) else []

    def save_categories(self, urls: Iterable[str]) -> None:
        self.store.set_crawl_state(CATEGORIES_KEY, json.dumps(sorted(set(urls))))

    def category_names(self) -> dict[str, dict[str, Any]]:
        """Stored categories by URL ({url, slug, name, subSite})."""
        return {c["url"]: c for c in self.store.categories()}

    # -- requests -----------------------------------------------------------------------
    def conditional(self, category_url: str | None) -> bool:
        """Whether listing pages (``category_url``) or the home page (None) are requested
        conditionally in this run."""
        if self.full:
            return False
        if category_url is None:
            return True
        return self.is_walked(category_url)

    def validators_headers(self, url: str) -> dict[str, str]:
        return conditional_headers(self.store.get_validators(url))

    # -- listing pages ------------------------------------------------------------------
    def assess(self, entries: list[ListingEntry], category_url: str) -> PageAssessment:
        """Sort a listing page's entries into fetch / merge / settled."""
        result = PageAssessment()
        if not entries:
            return result
        ids = [e.article_id for e in entries]
        fresh = [i for i in ids if i not in self.stored_signatures and i not in self.known]
        if fresh:
            known, signatures = self.store.listing_state(fresh)
            self.known |= known
            self.stored_signatures.update(signatures)
        last_state = ""
        for entry in entries:
            aid = entry.article_id
            sig = listing_signature(entry)
            self.signatures.setdefault(aid, sig)
            if self.refresh or aid not in self.known or self.stored_signatures.get(aid) != sig:
                result.to_fetch.append(aid)
                last_state = "fetch"
            elif category_url not in self._stored_category_urls(aid):
                result.to_merge.append(aid)
                last_state = "merge"
            else:
                result.settled.append(aid)
                last_state = "settled"
        result.last_known = last_state in ("settled", "merge")
        return result

    def _stored_category_urls(self, article_id: str) -> set[str]:
        record = self.store.get(article_id)
        if record is None:
            return set()
        return {c.get("url") for c in record.get("categories") or () if c.get("url")}

    def should_continue(self, page: PageAssessment) -> bool:
        """Whether a walked category's paging goes on after this page."""
        if self.full:
            return True
        if self.stop_rule == "oldest":
            return bool(page.to_fetch or page.to_merge) and not page.last_known
        return not page.all_known

    def should_fetch(self, article_id: str) -> bool:
        """Whether to fetch an article page seen on this run's listings."""
        if self.refresh or article_id not in self.known:
            return True
        return self.stored_signatures.get(article_id) != self.signatures.get(article_id)

    def article_headers(self, article_id: str, url: str) -> dict[str, str]:
        """Conditional headers for a known article's page ({} for new ones, or refresh)."""
        if self.refresh or article_id not in self.known:
            return {}
        if cut_runs(self.stored_signatures.get(article_id)):
            return {}  # stored from a page cut short: its whole page is wanted
        return self.validators_headers(url)

    # -- bookkeeping --------------------------------------------------------------------
    def article_done(
        self, article_id: str, url: str, etag: str | None, last_modified: str | None
    ) -> None:
        """An article page was stored (or answered 304): remember its validators and the
        listing signature seen this run. Written in batches (:meth:`flush`)."""
        if etag or last_modified:
            self._validators[url] = (etag, last_modified)
        signature = self.signatures.pop(article_id, None)
        if signature is not None:
            self._signatures[article_id] = signature
        self.stored_signatures.pop(article_id, None)  # settled: not asked about again
        self.known.add(article_id)
        if len(self._signatures) + len(self._validators) >= 2 * self.batch_size:
            self.flush()

    def article_cut(self, article_id: str, url: str) -> int | None:
        """The article's page still looked cut short when this run gave up on it (the
        article is stored): mark it to be fetched again next run, unconditionally (its
        page's validators cleared). Returns the runs that fetched it cut, or None when that
        reaches past ``cut_max_runs``: then its stored version is accepted as it is."""
        runs = cut_runs(self.stored_signatures.get(article_id)) + 1
        if runs > self.cut_max_runs:
            self.article_done(article_id, url, None, None)
            return None
        signature = self.signatures.pop(article_id, None) or ""
        self._signatures[article_id] = cut_signature(runs, signature)
        self._validators[url] = (None, None)
        self.stored_signatures.pop(article_id, None)
        self.known.add(article_id)
        return runs

    def flush(self) -> None:
        """Write the pending article validators, then the listing signatures (each one
        transaction). Only articles already stored are pending, so a crash before this
        loses nothing but the skip: those pages are fetched again, conditionally."""
        validators, self._validators = self._validators, {}
        signatures, self._signatures = self._signatures, {}
        if validators:
            self.store.set_validators_many(
                (url, etag, last_modified) for url, (etag, last_modified) in validators.items()
            )
        if signatures:
            self.store.set_listing_signatures(signatures)

    def is_stored(self, *article_ids: str) -> bool:
        return bool(self.store.known_ids([i for i in article_ids if i]))
