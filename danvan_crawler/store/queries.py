"""Reading stored articles: one by id, the newest (all or per category), the export and
what the store holds in all (``danvan stats``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _to_utc_naive
from danvan_crawler.urls import site_key


class ArticleQueries(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s reading side of articles."""

    def get(self, article_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            data = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == str(article_id))
            ).scalar()
        return json.loads(data) if data is not None else None

    def record(self, article_id: str) -> dict[str, Any] | None:
        """Bookkeeping of one article: revision, hash, duplicate_of, times, urls."""
        with self._read() as conn:
            row = conn.execute(
                select(s.articles).where(s.articles.c.article_id == str(article_id))
            ).first()
            if row is None:
                return None
            urls = conn.execute(
                select(s.article_urls.c.url)
                .where(s.article_urls.c.article_id == row.article_id)
                .order_by(s.article_urls.c.url)
            ).scalars()
            return {
                "article_id": row.article_id,
                "url": row.url,
                "revision": row.revision,
                "content_hash": row.content_hash,
                "duplicate_of": row.duplicate_of,
                "date_published": row.date_published,
                "first_seen": row.first_seen,
                "last_seen": row.last_seen,
                "changed_at": row.changed_at,
                "urls": list(urls),
            }

    def count(self, *, include_duplicates: bool = True) -> int:
        stmt = select(func.count()).select_from(s.articles)
        if not include_duplicates:
            stmt = stmt.where(s.articles.c.duplicate_of.is_(None))
        with self._read() as conn:
            return int(conn.execute(stmt).scalar_one())

    def latest(self, category_url: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Newest first by datePublished (ties: id desc), duplicates excluded.

        Reads one index in order (``ix_articles_published`` or, per category,
        ``ix_article_categories_latest``) and stops after ``limit`` rows.
        """
        stmt = self.latest_statement(category_url, limit)
        with self._read() as conn:
            return [json.loads(d) for d in conn.execute(stmt).scalars()]

    def latest_statement(self, category_url: str | None, limit: int) -> Any:
        """The SELECT behind :meth:`latest` (for query-plan checks)."""
        a = s.articles.c
        if category_url is None:
            order: Any = (a.date_published, a.article_num)
            stmt = select(a.data).where(a.duplicate_of.is_(None))
        else:
            ac = s.article_categories.c
            category_id = (
                select(s.categories.c.category_id)
                .where(s.categories.c.url_key == site_key(category_url))
                .scalar_subquery()
            )
            order = (ac.date_published, ac.article_num)
            stmt = (
                select(a.data)
                .select_from(s.article_categories)
                .join(s.articles, a.article_id == ac.article_id)
                .where(ac.category_id == category_id)
                .where(a.duplicate_of.is_(None))
            )
        published = order[0].desc()
        if self.dialect != "sqlite":  # SQLite sorts NULLs last in DESC already
            published = published.nulls_last()
        return stmt.order_by(published, order[1].desc()).limit(limit)

    def export(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """Every stored article (duplicates included, marked), or those changed since.

        ``since``: articles that were new, updated or merged at or after that time
        (aware datetimes are converted to UTC; naive ones are taken as UTC). Ordered by
        that change time, then id.
        """
        a = s.articles.c
        stmt = select(a.data).order_by(a.changed_at, a.article_num, a.article_id)
        if since is not None:
            stmt = stmt.where(a.changed_at >= _to_utc_naive(since))
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data in result.scalars():
                yield json.loads(data)

    def contents(self) -> dict[str, Any]:
        """What the store holds (``danvan stats``): articles, those marked duplicates and
        the published dates' range (naive UTC, as stored) in all (``articles``,
        ``duplicates``, ``oldest``, ``newest``), per category (``categories``: name, url,
        sub_site and the same figures; every category, by sub-site and name) and per
        sub-site (``sub_sites``: name, articles)."""
        a, ac, c = s.articles.c, s.article_categories.c, s.categories.c
        with self._read() as conn:
            total, duplicates, oldest, newest = conn.execute(
                select(
                    func.count(),
                    func.count(a.duplicate_of),
                    func.min(a.date_published),
                    func.max(a.date_published),
                )
            ).one()
            per_category = conn.execute(
                select(
                    c.name,
                    c.url,
                    c.sub_site,
                    func.count(ac.article_id),
                    func.count(a.duplicate_of),
                    func.min(a.date_published),
                    func.max(a.date_published),
                )
                .select_from(
                    s.categories.outerjoin(
                        s.article_categories, ac.category_id == c.category_id
                    ).outerjoin(s.articles, a.article_id == ac.article_id)
                )
                .group_by(c.category_id, c.name, c.url, c.sub_site)
                .order_by(c.sub_site, c.name)
            ).all()
            per_sub_site = conn.execute(
                select(c.sub_site, func.count(distinct(ac.article_id)))
                .select_from(
                    s.categories.join(s.article_categories, ac.category_id == c.category_id)
                )
                .group_by(c.sub_site)
                .order_by(c.sub_site)
            ).all()
        return {
            "articles": total,
            "duplicates": duplicates,
            "oldest": oldest,
            "newest": newest,
            "sub_sites": [{"name": name, "articles": n} for name, n in per_sub_site],
            "categories": [
                {
                    "name": name,
                    "url": url,
                    "sub_site": sub_site,
                    "articles": n,
                    "duplicates": dupes,
                    "oldest": old,
                    "newest": new,
                }
                for name, url, sub_site, n, dupes, old, new in per_category
            ],
        }
