"""Place and document indexes of the store: which articles mention a place or cite a
document, kept in the upsert's transaction, so that their feeds read one index range in
order instead of scanning every article.

``article_places`` holds one row per (place, article) from the record's ``places``;
``article_documents`` one per (document, article) from its ``documentRefs``. Both carry
the article's ordering columns (``date_published``, ``article_num``), rewritten when an
article's content changes (its rows are replaced). :class:`PlaceQueries` adds the
reading methods to :class:`~danvan_crawler.store.Store`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, Integer, Table, cast, func, select, update

from danvan_crawler.gazetteer import slugify
from danvan_crawler.places import place_slug
from danvan_crawler.store import schema as s


def document_slug(ref: Mapping[str, Any]) -> str:
    """Feed name of a cited document: ``nghi-quyet-25-nq-tw``."""
    kind, number = str(ref.get("kind") or ""), str(ref.get("number") or "")
    code, issuer = str(ref.get("code") or ""), str(ref.get("issuer") or "")
    return slugify(f"{kind} {number} {code} {issuer}")[:150].strip("-") or "van-ban"


def document_title(ref: Mapping[str, Any]) -> str:
    """``Nghị quyết số 25-NQ/TW``."""
    issuer = f"/{ref['issuer']}" if ref.get("issuer") else ""
    return f"{ref.get('kind')} số {ref.get('number')}-{ref.get('code')}{issuer}"


def _place_rows(
    article_id: str, data: Mapping[str, Any], published: datetime | None, num: int
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for place in data.get("places") or ():
        if not isinstance(place, Mapping) or not place.get("name"):
            continue
        rows.setdefault(
            place_slug(place),
            {
                "article_id": article_id,
                "name": str(place["name"]),
                "code": str(place.get("code") or ""),
                "level": str(place.get("level") or ""),
                "current": bool(place.get("current")),
                "date_published": published,
                "article_num": num,
            },
        )
    return [{"place_slug": slug, **row} for slug, row in rows.items()]


def _document_rows(
    article_id: str, data: Mapping[str, Any], published: datetime | None, num: int
) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for ref in data.get("documentRefs") or ():
        if not isinstance(ref, Mapping) or not ref.get("number"):
            continue
        rows.setdefault(
            document_slug(ref),
            {
                "article_id": article_id,
                "kind": str(ref.get("kind") or ""),
                "number": str(ref["number"]),
                "code": str(ref.get("code") or ""),
                "issuer": str(ref.get("issuer") or ""),
                "date_published": published,
                "article_num": num,
            },
        )
    return [{"document_slug": slug, **row} for slug, row in rows.items()]


_DELETE_PLACES = s.article_places.delete()
_DELETE_DOCUMENTS = s.article_documents.delete()
_PREPARED: dict[str, tuple[Any, Any]] = {}


def _inserts(conn: Connection) -> tuple[Any, Any]:
    """The two INSERTs, compiled once per dialect and run on the DBAPI cursor (the
    store's ``_Prepared``: a third of the cost of ``Connection.execute``)."""
    name = conn.dialect.name
    if name not in _PREPARED:
        from danvan_crawler.store.executor import _Prepared

        _PREPARED[name] = (
            _Prepared(s.article_places.insert(), conn.dialect),
            _Prepared(s.article_documents.insert(), conn.dialect),
        )
    return _PREPARED[name]


def index_article(
    conn: Connection,
    article_id: str,
    data: Mapping[str, Any],
    published: datetime | None,
    num: int,
    *,
    fresh: bool,
    pending: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> None:
    """(Re)write the article's place and document rows. ``fresh``: it has none yet;
    its rows may then wait in ``pending`` (places, documents) for
    :func:`write_pending`, with the rest of the batch."""
    places = _place_rows(article_id, data, published, num)
    documents = _document_rows(article_id, data, published, num)
    if fresh and pending is not None:
        pending[0].extend(places)
        pending[1].extend(documents)
        return
    if not fresh:
        if pending is not None:  # an earlier version of it may wait there
            write_pending(conn, pending)
        conn.execute(_DELETE_PLACES.where(s.article_places.c.article_id == article_id))
        conn.execute(_DELETE_DOCUMENTS.where(s.article_documents.c.article_id == article_id))
    write_pending(conn, (places, documents))


def write_pending(
    conn: Connection, pending: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> None:
    """Write (and empty) the rows :func:`index_article` left pending."""
    insert_places, insert_documents = _inserts(conn)
    if pending[0]:
        insert_places.executemany(conn, pending[0])
        pending[0].clear()
    if pending[1]:
        insert_documents.executemany(conn, pending[1])
        pending[1].clear()


def backfill(conn: Connection) -> None:
    """Migration: tag the stored articles that have no ``places`` (record and content
    hash updated together, so the next crawl of an unchanged page finds it unchanged)
    and index every article's places and documents."""
    from danvan_crawler.places import find_places
    from danvan_crawler.store.records import _parse_datetime, content_hash

    a = s.articles.c
    rows = conn.execute(select(a.article_id, a.data, a.date_published, a.article_num)).all()
    for row in rows:
        data = json.loads(row.data)
        if data.get("places") is None:
            data["places"] = find_places(data)
            conn.execute(
                update(s.articles)
                .where(a.article_id == row.article_id)
                .values(
                    data=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                    content_hash=content_hash(data),
                )
            )
        published = row.date_published or _parse_datetime(data.get("datePublished"))
        index_article(conn, row.article_id, data, published, row.article_num, fresh=True)


class PlaceQueries:
    """Reading the place and document indexes (mixed into the store)."""

    engine: Engine
    dialect: str

    def _feeds_of(self, table: Table, key: str, columns: tuple[str, ...], least: int) -> Any:
        a, t = s.articles.c, table.c
        count = func.count().label("articles")
        # (PostgreSQL has no max() of booleans: as integers)
        values = [
            func.max(cast(t[c], Integer) if isinstance(t[c].type, Boolean) else t[c]).label(c)
            for c in columns
        ]
        return (
            select(t[key], *values, count)
            .join(s.articles, a.article_id == t.article_id)
            .where(a.duplicate_of.is_(None))
            .group_by(t[key])
            .having(count >= least)
            .order_by(t[key])
        )

    def places(self, min_articles: int = 1) -> list[dict[str, Any]]:
        """Places with at least ``min_articles`` articles (copies not counted):
        {slug, name, code, level, current, articles}, by slug."""
        stmt = self._feeds_of(
            s.article_places, "place_slug", ("name", "code", "level", "current"), min_articles
        )
        with self.engine.connect() as conn:
            return [
                {
                    "slug": r.place_slug,
                    "name": r.name,
                    "code": r.code,
                    "level": r.level,
                    "current": bool(r.current),
                    "articles": r.articles,
                }
                for r in conn.execute(stmt)
            ]

    def documents(self, min_articles: int = 2) -> list[dict[str, Any]]:
        """Documents cited by at least ``min_articles`` articles (copies not counted):
        {slug, kind, number, code, issuer, title, articles}, by slug."""
        stmt = self._feeds_of(
            s.article_documents,
            "document_slug",
            ("kind", "number", "code", "issuer"),
            min_articles,
        )
        with self.engine.connect() as conn:
            out = []
            for r in conn.execute(stmt):
                ref = {"kind": r.kind, "number": r.number, "code": r.code, "issuer": r.issuer}
                title = document_title(ref)
                out.append({"slug": r.document_slug, **ref, "title": title, "articles": r.articles})
            return out

    def _latest_in(self, table: Table, key: str, slug: str, limit: int) -> list[dict[str, Any]]:
        a, t = s.articles.c, table.c
        published = t.date_published.desc()
        if self.dialect != "sqlite":  # SQLite sorts NULLs last in DESC already
            published = published.nulls_last()
        stmt = (
            select(a.data)
            .select_from(table)
            .join(s.articles, a.article_id == t.article_id)
            .where(t[key] == slug)
            .where(a.duplicate_of.is_(None))
            .order_by(published, t.article_num.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [json.loads(d) for d in conn.execute(stmt).scalars()]

    def latest_in_place(self, slug: str, limit: int = 50) -> list[dict[str, Any]]:
        """Newest articles mentioning the place ``slug`` (copies left out)."""
        return self._latest_in(s.article_places, "place_slug", slug, limit)

    def latest_citing(self, slug: str, limit: int = 50) -> list[dict[str, Any]]:
        """Newest articles citing the document ``slug`` (copies left out)."""
        return self._latest_in(s.article_documents, "document_slug", slug, limit)
