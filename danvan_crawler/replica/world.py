"""The replica's world: light per-article metadata, listings, publishing and editing
(the sites and categories are :mod:`sites`; what a crawl should extract, :mod:`truth`).

Only light metadata is kept per article (:class:`Meta`); text is generated on demand by
:mod:`danvan_crawler.replica.generator` and cached in a small LRU.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from danvan_crawler.replica import generator as G
from danvan_crawler.replica.sites import (
    CATEGORIES,
    DATE_FORMATS,
    TZ,
    Site,
)
from danvan_crawler.replica.style import printed, style_for
from danvan_crawler.replica.text import clean, slugify

WORLD_START = datetime(2019, 1, 2, 7, 0, tzinfo=TZ)
#: "now" of the world: every generated date is before it; publish/edit tick after it.
WORLD_NOW = datetime(2025, 10, 31, 17, 0, tzinfo=TZ)
TICK = 7 * 60  # seconds between two publish/edit events

#: A sentence of an --xss article that looks like markup but is text (escaped in HTML).
XSS_TEXT = 'Ví dụ ghi chú: <script>alert("xss-text")</script> & <img src=x onerror=alert(2)>.'
#: Markup-looking text an --xss article also carries in its headline, its author's name
#: and its first image caption (all printed escaped: text, which must stay inert in every
#: file that shows it).
XSS_TITLE = '<img src=x onerror=alert("xss-title")>'
XSS_AUTHOR = '<script>alert("xss-author")</script>'
XSS_CAPTION = "<svg onload=alert('xss-caption')>"

TRACKING = (
    "utm_source=facebook&utm_medium=social",
    "utm_source=zalo&utm_medium=chat&utm_campaign=tin-moi",
    "fbclid=IwAR0dQx7T3kQ2",
    "zarsrc=30&utm_source=zalo",
    "gidzl=8Kx2Qm",
)


SEED_CATEGORY = 6
SEED_EXTRA = 1
SEED_DATE = datetime(2023, 2, 15, 9, 12, tzinfo=TZ)


class Meta:
    """Light metadata of one article."""

    __slots__ = (
        "cat",
        "copy_of",
        "extra",
        "fmt",
        "id",
        "index",
        "mod",
        "nfd",
        "pub",
        "slug_kind",
        "version",
        "xss",
    )

    def __init__(self, index: int, article_id: int, cat: int, pub: datetime, fmt: int) -> None:
        self.index = index
        self.id = article_id
        self.cat = cat
        self.extra: tuple[int, ...] = ()
        self.pub = pub
        self.mod: datetime | None = None
        self.fmt = fmt
        self.version = 0
        self.copy_of: int | None = None  # index of the original
        self.nfd = False
        self.xss = False
        self.slug_kind = 0  # 0 plain, 1 keep curly quotes, 2 mojibake

    @property
    def updated(self) -> datetime:
        return self.mod or self.pub

    @property
    def categories(self) -> tuple[int, ...]:
        return (self.cat, *self.extra)


@dataclass
class Article:
    """Everything needed to render or describe one article."""

    meta: Meta
    content: G.Content  # printed (NFC)
    refs: list[G.DocRef]
    path: str
    alt_path: str


class World:
    def __init__(self, *, articles: int = 300, seed: int = 1, xss: bool = False) -> None:
        if articles < 1:
            raise ValueError("articles must be >= 1")
        self.seed = seed
        self.xss = xss
        self.lock = threading.RLock()
        self.metas: list[Meta] = []
        self.by_id: dict[int, Meta] = {}
        self._titles: dict[int, tuple[str, str, str]] = {}
        self._cache: OrderedDict[tuple[int, int], Article] = OrderedDict()
        self.now = WORLD_NOW
        self.publish_count = 0
        self.edit_count = 0
        #: bumped by every mutation (publish/edit): listing pages cached under it
        self.generation = 0
        self._generate(articles)
        self.listings: dict[int, list[Meta]] = {}
        self._sort_all()

    # -- generation -------------------------------------------------------------------
    def _generate(self, n: int) -> None:
        rng = random.Random(f"world:{self.seed}")
        ids = rng.sample(range(100000, 1000000), n)
        span = (WORLD_NOW - WORLD_START).total_seconds() - 86400
        for i in range(n):
            frac = (i + rng.random() * 0.9) / n
            day = WORLD_START + timedelta(seconds=int(span * frac))
            minute = rng.randrange(6 * 60, 21 * 60 + 45)
            pub = day.replace(hour=minute // 60, minute=minute % 60, second=0)
            fmt = i % 4
            if i == 0:
                pub, fmt = SEED_DATE, 0
            if DATE_FORMATS[fmt] == "date":
                pub = pub.replace(hour=0, minute=0)
            meta = Meta(i, ids[i], rng.randrange(len(CATEGORIES)), pub, fmt)
            r = rng.random()
            if r < 0.09:
                other = rng.randrange(len(CATEGORIES))
                if other != meta.cat:
                    meta.extra = (other,)
            if rng.random() < 0.1:
                meta.mod = min(
                    pub + timedelta(minutes=rng.randint(45, 60 * 24 * 9)),
                    WORLD_NOW - timedelta(hours=1),
                )
            meta.nfd = rng.random() < 0.07
            meta.xss = self.xss and rng.random() < 0.06
            s = rng.random()
            meta.slug_kind = 2 if s < 0.04 else (1 if s < 0.75 else 0)
            if i >= 40 and rng.random() < 0.02:
                original = rng.randrange(1, i - 20)
                if self.metas[original].copy_of is None and self.metas[original].extra == ():
                    meta.copy_of = original
                    meta.cat = self.metas[original].cat
                    meta.mod = None
            if i == 0:
                meta.cat, meta.extra, meta.mod = SEED_CATEGORY, (SEED_EXTRA,), None
                meta.nfd = meta.xss = False
            self.metas.append(meta)
            self.by_id[meta.id] = meta
        # originals of copies are never edited (their copy must stay a near-duplicate)
        self._dup_originals = {m.copy_of for m in self.metas if m.copy_of is not None}

    def _sort(self, cat: int) -> None:
        items = [m for m in self.metas if cat in m.categories]
        items.sort(key=lambda m: (m.updated, m.id), reverse=True)
        self.listings[cat] = items

    def _sort_all(self) -> None:
        buckets: dict[int, list[Meta]] = {c.key: [] for c in CATEGORIES}
        for m in self.metas:
            for c in m.categories:
                buckets[c].append(m)
        for items in buckets.values():
            items.sort(key=lambda m: (m.updated, m.id), reverse=True)
        self.listings = buckets

    # -- titles and paths -------------------------------------------------------------
    def _base(self, meta: Meta) -> int:
        return meta.copy_of if meta.copy_of is not None else meta.index

    def title_info(self, meta: Meta) -> tuple[str, str, str]:
        """(printed title NFC, primary slug, alternate slug)."""
        cached = self._titles.get(meta.index)
        if cached is not None:
            return cached
        if meta.index == 0:
            title = G.seed_content().title
        else:
            base = self._base(meta)
            raw, citations = G.title_for(self.seed, base, self.metas[base].pub.year)
            content = G.Content(title=raw, lead="", paragraphs=[])
            content.citations = citations
            style = style_for(self.seed, base)
            title = printed(content, style, self.seed, base).title
        ctitle = clean(title)
        rng = random.Random(f"{self.seed}:slug:{meta.index}")
        slug = slugify(
            ctitle,
            keep_quotes=meta.slug_kind >= 1,
            mojibake_at=rng.randrange(3) if meta.slug_kind == 2 else None,
        )
        words = ctitle.split(" ")
        alt = slugify(
            " ".join(words[: max(3, len(words) - 2)]) + " " + rng.choice(("moi", "cu", "1"))
        )
        info = (title, slug, alt)
        self._titles[meta.index] = info
        return info

    def numbers(self, meta: Meta) -> str:
        cat = CATEGORIES[meta.cat]
        return f"{cat.site.article_n1}-{cat.article_n2}-{meta.id}"

    def path(self, meta: Meta) -> str:
        return f"/vi-vn/tin/{self.title_info(meta)[1]}/{self.numbers(meta)}"

    def alt_path(self, meta: Meta) -> str:
        return f"/vi-vn/tin/{self.title_info(meta)[2]}/{self.numbers(meta)}"

    def site_of(self, meta: Meta) -> Site:
        return CATEGORIES[meta.cat].site

    # -- content ------------------------------------------------------------------------
    def article(self, meta: Meta) -> Article:
        key = (meta.index, meta.version)
        with self.lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        if meta.index == 0:
            content = G.seed_content()
            refs = list(G.SEED_REFS)
            shown = content
        else:
            base = self._base(meta)
            base_meta = self.metas[base]
            date_path = f"{base_meta.pub:%Y/%m}"
            raw = G.build(
                self.seed,
                meta.index,
                base,
                base_meta.pub.year,
                date_path,
                base_meta.id,
                meta.version,
                meta.copy_of,
            )
            refs = raw.doc_refs()
            style = style_for(self.seed, base)
            shown = printed(raw, style, self.seed, base)
            shown.title = self.title_info(meta)[0]
            if meta.xss:
                # markup-looking TEXT (escaped in the page): must stay text downstream
                shown.paragraphs[0].sentences.append(XSS_TEXT)
                shown.title = f"{shown.title} {XSS_TITLE}"
                if shown.author and shown.author_name:
                    shown.author = f"{shown.author} {XSS_AUTHOR}"
                    shown.author_name = f"{shown.author_name} {XSS_AUTHOR}"
                for k, (pos, img) in enumerate(shown.images):
                    if img.caption:
                        caption = f"{img.caption} {XSS_CAPTION}"
                        shown.images[k] = (pos, G.Image(img.src, caption))
                        break
        art = Article(meta, shown, refs, self.path(meta), self.alt_path(meta))
        with self.lock:
            self._cache[key] = art
            while len(self._cache) > 4096:
                self._cache.popitem(last=False)
        return art

    # -- listings -----------------------------------------------------------------------
    def listing(self, cat: int) -> list[Meta]:
        return self.listings[cat]

    def latest(self, n: int, site: Site | None = None) -> list[Meta]:
        cats = [c.key for c in CATEGORIES if site is None or c.site is site]
        seen: dict[int, Meta] = {}
        for c in cats:
            for m in self.listings[c][:n]:
                seen[m.id] = m
        return sorted(seen.values(), key=lambda m: (m.updated, m.id), reverse=True)[:n]

    def last_modified(self) -> datetime:
        return max(
            (items[0].updated for items in self.listings.values() if items), default=self.now
        )

    # -- mutations ----------------------------------------------------------------------
    def _tick(self) -> datetime:
        self.now = self.now + timedelta(seconds=TICK)
        return self.now

    def publish(self, n: int) -> list[Meta]:
        with self.lock:
            self.publish_count += 1
            rng = random.Random(f"{self.seed}:publish:{self.publish_count}")
            out: list[Meta] = []
            for _ in range(n):
                article_id = rng.randrange(100000, 1000000)
                while article_id in self.by_id:
                    article_id = rng.randrange(100000, 1000000)
                index = len(self.metas)
                fmt = index % 4
                if DATE_FORMATS[fmt] == "date":
                    fmt = 0
                meta = Meta(index, article_id, rng.randrange(len(CATEGORIES)), self._tick(), fmt)
                meta.nfd = rng.random() < 0.07
                meta.xss = self.xss and rng.random() < 0.06
                s = rng.random()
                meta.slug_kind = 2 if s < 0.04 else (1 if s < 0.75 else 0)
                self.metas.append(meta)
                self.by_id[meta.id] = meta
                out.append(meta)
            for c in {c for m in out for c in m.categories}:
                self._sort(c)
            self.generation += 1
            return out

    def edit(self, n: int) -> list[Meta]:
        with self.lock:
            self.edit_count += 1
            rng = random.Random(f"{self.seed}:edit:{self.edit_count}")
            eligible = [
                m
                for m in self.metas
                if m.index != 0 and m.copy_of is None and m.index not in self._dup_originals
            ]
            chosen = rng.sample(eligible, min(n, len(eligible)))
            for meta in chosen:
                meta.version += 1
                meta.mod = self._tick()
            for c in {c for m in chosen for c in m.categories}:
                self._sort(c)
            self.generation += 1
            return chosen
