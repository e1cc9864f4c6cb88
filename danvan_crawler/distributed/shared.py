"""The per-run state of a distributed crawl in Redis: phases, categories, listed articles
and their listing signatures."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from danvan_crawler.extract.truncation import ListingHint
from danvan_crawler.spiders.categories import CategoryInfo

LISTING, ARTICLES, DONE, SCHEDULING = "listing", "articles", "done", "scheduling:"

# Compare-and-set of the crawl's phase.
_CAS = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


class SharedCrawl:
    """The per-run state of a distributed crawl, in Redis under ``prefix``."""

    def __init__(self, server: Any, prefix: str) -> None:
        self.server = server
        self.prefix = prefix
        self._cas = server.register_script(_CAS)

    @classmethod
    def from_url(cls, redis_url: str, prefix: str) -> SharedCrawl:
        import redis

        return cls(redis.Redis.from_url(redis_url, decode_responses=True), prefix)

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # -- phase ----------------------------------------------------------------------------
    def phase(self) -> str | None:
        value = self.server.get(self.key("phase"))
        return str(value) if value is not None else None

    def cas_phase(self, old: str, new: str) -> bool:
        return bool(self._cas(keys=[self.key("phase")], args=[old, new]))

    def reset(self) -> int:
        """Forget everything about the crawl under this prefix (queue, dupefilter, state,
        leases) but the workers waiting for it; the number of keys deleted."""
        workers = (self.key("workers"), self.key("worker:"))
        keys = [
            k
            for k in self.server.scan_iter(match=f"{self.prefix}:*", count=1000)
            if not k.startswith(workers)
        ]
        for start in range(0, len(keys), 500):
            self.server.delete(*keys[start : start + 500])
        return len(keys)

    def live_workers(self) -> list[str]:
        return sorted(
            w
            for w in self.server.smembers(self.key("workers"))
            if self.server.exists(self.key(f"worker:{w}"))
        )

    # -- which store the workers write to ---------------------------------------------------
    def worker_stores(self) -> dict[str, str]:
        """The store identity of each live worker, and of each worker about to start
        (:meth:`claim_store`); ``"1"`` for a worker that does not say."""
        found: dict[str, str] = {}
        for worker in self.server.smembers(self.key("workers")):
            value = self.server.get(self.key(f"worker:{worker}"))
            if value is not None:
                found[str(worker)] = str(value)
        for key in self.server.scan_iter(match=self.key("starting:*"), count=100):
            value = self.server.get(key)
            if value is not None:
                found[str(key).removeprefix(self.key("starting:"))] = str(value)
        return found

    def claim_store(self, token: str, identity: str, seconds: float) -> None:
        """Say that a worker about to start will write to ``identity`` (for ``seconds``,
        until its heartbeat says it)."""
        self.server.set(self.key(f"starting:{token}"), identity, px=int(seconds * 1000))

    def release_claim(self, token: str) -> None:
        self.server.delete(self.key(f"starting:{token}"))

    # -- categories and listings ----------------------------------------------------------
    def claim_category(self, info: CategoryInfo) -> bool:
        """Record a category; False when another worker (or page) already did."""
        return bool(self.server.hsetnx(self.key("categories"), info.url, _dump(info)))

    def save_category(self, info: CategoryInfo) -> None:
        self.server.hset(self.key("categories"), info.url, _dump(info))

    def category(self, url: str) -> CategoryInfo | None:
        raw = self.server.hget(self.key("categories"), url)
        return _load(raw) if raw else None

    def categories(self, urls: list[str]) -> dict[str, CategoryInfo]:
        if not urls:
            return {}
        raws = self.server.hmget(self.key("categories"), urls)
        return {u: _load(r) for u, r in zip(urls, raws, strict=True) if r}

    def note_listed(self, article_id: str, url: str, category_url: str) -> bool:
        """Record that a category listed an article; True the first time it is listed."""
        pipe = self.server.pipeline()
        pipe.sadd(self.key(f"listed:{article_id}"), category_url)
        pipe.hsetnx(self.key("article_urls"), article_id, url)
        return bool(pipe.execute()[1])

    def note_signatures(self, signatures: dict[str, str]) -> None:
        """The first listing signature seen this crawl per article (as one process keeps)."""
        if signatures:
            pipe = self.server.pipeline()
            for article_id, signature in signatures.items():
                pipe.hsetnx(self.key("signatures"), article_id, signature)
            pipe.execute()

    def signature(self, article_id: str) -> str | None:
        value = self.server.hget(self.key("signatures"), article_id)
        return str(value) if value is not None else None

    def signatures(self, article_ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for start in range(0, len(article_ids), 1000):
            chunk = article_ids[start : start + 1000]
            values = self.server.hmget(self.key("signatures"), chunk)
            out.update({a: v for a, v in zip(chunk, values, strict=True) if v is not None})
        return out

    def listed_in(self, article_id: str) -> set[str]:
        return set(self.server.smembers(self.key(f"listed:{article_id}")))

    def article_urls(self) -> Iterator[tuple[str, str]]:
        yield from self.server.hscan_iter(self.key("article_urls"), count=1000)


class SharedListings:
    """What the listings showed, shared by the workers (``spiders.listings.CrawlListings``
    on :class:`SharedCrawl`): the order of fetching is by the listing signatures the
    workers noted, so listing hints are not kept."""

    def __init__(self, shared: SharedCrawl, slug_of: Callable[[str], str]) -> None:
        self.shared = shared
        self.slug_of = slug_of
        #: ids whose article request this worker built
        self.requested: set[str] = set()

    def __len__(self) -> int:
        return int(self.shared.server.hlen(self.shared.key("article_urls")))

    def claim_category(self, info: CategoryInfo) -> tuple[CategoryInfo, bool]:
        """The first worker records the category (True); every worker that meets it asks
        for its first page (the shared dupefilter keeps one): a worker killed right after
        recording it cannot lose the category, the page that linked it is parsed again."""
        if self.shared.claim_category(info):
            return info, True
        return self.shared.category(info.url) or info, False

    def category(self, url: str) -> CategoryInfo | None:
        """A category another worker followed."""
        return self.shared.category(url)

    def save_category(self, info: CategoryInfo) -> None:
        """What a listing page said of its category (name, sub-site), for every worker."""
        self.shared.save_category(info)

    def note(self, article_id: str, url: str, category_url: str) -> bool:
        return self.shared.note_listed(article_id, url, category_url)

    def note_hint(self, article_id: str, hint: int, tz: ZoneInfo) -> None:
        pass

    def category_items(
        self, known: dict[str, CategoryInfo], *article_ids: str
    ) -> list[dict[str, Any]]:
        """``Article.categories``: categories other workers found are read back."""
        urls: set[str] = set()
        for article_id in article_ids:
            urls |= self.shared.listed_in(article_id)
        infos = self.shared.categories(sorted(urls))
        return [
            (infos.get(u) or CategoryInfo(url=u, slug=self.slug_of(u))).as_item()
            for u in sorted(urls)
        ]

    def forget(self, article_id: str) -> None:
        pass  # the state lives until the next ``danvan seed``

    def take(self) -> Iterator[tuple[int, str, str, int | None]]:
        """``(rank, id, URL, hint)`` of each article not handed out by this worker yet,
        newest first by listing time (as a single process orders them: a backfill
        stopped early holds the latest news)."""
        listed = [(a, u) for a, u in self.shared.article_urls() if a not in self.requested]
        self.requested.update(a for a, _ in listed)
        times = self.shared.signatures(sorted(a for a, _ in listed))

        def newest_first(pair: tuple[str, str]) -> tuple[bool, float, int, str]:
            when = listing_time(times.get(pair[0]))
            undated = when == float("inf")
            return (undated, 0.0 if undated else -when, -id_number(pair[0]), pair[0])

        listed.sort(key=newest_first)
        for rank, (article_id, url) in enumerate(listed):
            when = listing_time(times.get(article_id))
            hint = ListingHint(int(when)).pack() if when != float("inf") else None
            yield rank, article_id, url, hint


def listing_time(signature: str | None) -> float:
    """POSIX time of a listing signature that is an ISO time (others: last)."""
    if signature:
        try:
            return datetime.fromisoformat(signature).timestamp()
        except ValueError:
            pass
    return float("inf")


def id_number(article_id: str) -> int:
    return int(article_id) if article_id.isdigit() else 0


def _dump(info: CategoryInfo) -> str:
    return json.dumps(
        {
            "url": info.url,
            "slug": info.slug,
            "name": info.name,
            "sub_site": info.sub_site,
            "link_text": info.link_text,
        },
        ensure_ascii=False,
    )


def _load(raw: str) -> CategoryInfo:
    return CategoryInfo(**json.loads(raw))


def shared_crawl(settings: BaseSettings) -> SharedCrawl:
    url = settings.get("DANVAN_REDIS_URL") or settings.get("REDIS_URL")
    if not url:
        raise NotConfigured("distributed crawl: set DANVAN_REDIS_URL (--redis URL)")
    return SharedCrawl.from_url(url, settings.get("DANVAN_REDIS_PREFIX") or "danvan")
