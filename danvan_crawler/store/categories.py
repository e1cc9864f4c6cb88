"""Where an article is filed: the URLs it was seen under and its categories (one per
site path, its URL the latest seen), with the article's ordering columns on each link."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _dumps, _Pending, _utcnow
from danvan_crawler.store.executor import _Prepared
from danvan_crawler.store.records import _article_num, _parse_datetime, merge_categories
from danvan_crawler.urls import site_key


class CategoryLinks(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s article URLs and categories."""

    def _prepare_categories(self) -> None:
        """Statements run per article, compiled once."""
        dialect = self.engine.dialect
        ac, c = s.article_categories.c, s.categories.c
        urls = self._insert(s.article_urls)
        self._p_urls = _Prepared(
            urls.on_conflict_do_update(
                index_elements=[s.article_urls.c.url],
                set_={
                    "article_id": urls.excluded.article_id,
                    "last_seen": urls.excluded.last_seen,
                },
            ),
            dialect,
        )
        cats = self._insert(s.categories)
        self._up_category = cats.on_conflict_do_update(
            index_elements=[c.url_key],
            set_={
                "url": cats.excluded.url,
                "slug": func.coalesce(cats.excluded.slug, c.slug),
                "name": func.coalesce(cats.excluded.name, c.name),
                "sub_site": func.coalesce(cats.excluded.sub_site, c.sub_site),
                "last_seen": cats.excluded.last_seen,
            },
        )
        self._q_category_id = select(c.category_id).where(c.url_key == bindparam("b_key"))
        self._p_links = _Prepared(
            self._insert(s.article_categories).on_conflict_do_nothing(), dialect
        )
        self._p_sync_order = _Prepared(
            update(s.article_categories)
            .where(ac.article_id == bindparam("b_aid"))
            .where(
                (ac.date_published != bindparam("b_pub"))
                | ac.date_published.is_(None)
                | (ac.article_num != bindparam("b_num"))
            )
            .values(date_published=bindparam("b_pub"), article_num=bindparam("b_num")),
            dialect,
        )

    def _record_urls(
        self,
        conn: Connection,
        article_id: str,
        data: Mapping[str, Any],
        now: datetime,
        pending: _Pending,
    ) -> None:
        """Point the article's URLs at it (written with the batch: the last one wins)."""
        for url in sorted(
            {u for u in (data.get("url"), data.get("canonicalUrl")) if isinstance(u, str) and u}
        ):
            pending.urls.pop(url, None)  # keep the order of the writes
            pending.urls[url] = {
                "url": url,
                "article_id": article_id,
                "first_seen": now,
                "last_seen": now,
            }

    def _record_categories(
        self,
        conn: Connection,
        article_id: str,
        cats: Iterable[Mapping[str, Any]] | None,
        now: datetime,
        published: datetime | None,
        num: int,
        *,
        sync: bool = True,
        pending: _Pending | None = None,
    ) -> None:
        """Link the article to its categories, with the article's ordering columns.

        ``sync``: also bring its existing links' ordering columns up to date (not
        needed for a new article: it has no other links). ``pending``: the links of a
        new article are written with the batch (a link already there is kept).
        """
        links: list[dict[str, Any]] = []
        for cat in cats or ():
            category_id = self._upsert_category(conn, cat, now)
            if category_id is not None:
                links.append(
                    {
                        "category_id": category_id,
                        "article_id": article_id,
                        "first_seen": now,
                        "date_published": published,
                        "article_num": num,
                    }
                )
        if pending is not None and not sync:
            for link in links:
                pending.links.setdefault((link["category_id"], article_id), link)
            return
        if pending is not None:
            self._write_pending_links(conn, pending)  # the links the sync may have to move
        if links:
            self._p_links.executemany(conn, links)
        if sync:
            self._p_sync_order.execute(
                conn, {"b_aid": article_id, "b_pub": published, "b_num": num}
            )

    def _upsert_category(
        self, conn: Connection, cat: Mapping[str, Any], now: datetime
    ) -> int | None:
        url = cat.get("url")
        if not url:
            return None
        values = {
            "slug": cat.get("slug"),
            "name": cat.get("name"),
            "sub_site": cat.get("subSite"),
        }
        cached = self._category_cache.get(url)
        if cached is not None and cached[1] == values:
            return cached[0]  # already written by this Store (last_seen: once per session)
        key = site_key(url)
        conn.execute(
            self._up_category,
            {"url": url, "url_key": key, "first_seen": now, "last_seen": now, **values},
        )
        category_id = int(conn.execute(self._q_category_id, {"b_key": key}).scalar_one())
        self._category_cache[url] = (category_id, values)
        return category_id

    def merge_categories(self, article_id: str, cats: Iterable[Mapping[str, Any]]) -> bool:
        """Add categories to a stored article; True when its category list grew."""
        now = _utcnow()
        cats = list(cats)
        with self._write() as conn:
            row = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == article_id)
            ).first()
            if row is None:
                return False
            stored = json.loads(row.data)
            merged = merge_categories(stored.get("categories"), cats)
            self._record_categories(
                conn,
                article_id,
                cats,
                now,
                _parse_datetime(stored.get("datePublished")),
                _article_num(article_id),
            )
            if merged == stored.get("categories"):
                return False
            stored["categories"] = merged
            conn.execute(
                update(s.articles)
                .where(s.articles.c.article_id == article_id)
                .values(data=_dumps(stored), changed_at=now, last_seen=now)
            )
            return True

    def categories(self) -> list[dict[str, Any]]:
        """Every category ever seen: {url, slug, name, subSite}, sorted by url."""
        c = s.categories.c
        with self._read() as conn:
            rows = conn.execute(select(c.url, c.slug, c.name, c.sub_site).order_by(c.url)).all()
        return [{"url": r.url, "slug": r.slug, "name": r.name, "subSite": r.sub_site} for r in rows]

    def _write_pending_links(self, conn: Connection, pending: _Pending) -> None:
        if pending.links:
            self._p_links.executemany(conn, list(pending.links.values()))
            pending.links.clear()
