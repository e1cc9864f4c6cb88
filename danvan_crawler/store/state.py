"""Crawl state: which articles and URLs are stored, HTTP validators of pages, what
listings showed per article, and the crawl's own state rows by key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, select

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _utcnow
from danvan_crawler.store.executor import _IN_SIZES, _Prepared, _rows_in, _slots


class CrawlState(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s incremental crawling state."""

    def _prepare_state(self) -> None:
        """Statements run per listing page and per batch of articles, compiled once. The
        look-ups by a list of article ids use ``IN`` lists of fixed sizes, padded by
        repeating an id."""
        dialect = self.engine.dialect
        a, ls = s.articles.c, s.listing_signatures.c
        self._p_validators = _Prepared(
            self._upsert_excluded(s.http_validators, "url", ("etag", "last_modified")), dialect
        )
        self._p_set_signatures = _Prepared(
            self._upsert_excluded(s.listing_signatures, "article_id", ("signature",)), dialect
        )
        self._p_set_state = _Prepared(
            self._upsert_excluded(s.crawl_state, "key", ("value",)), dialect
        )
        self._p_known_ids = {
            size: _Prepared(select(a.article_id).where(a.article_id.in_(_slots(size))), dialect)
            for size in _IN_SIZES
        }
        self._p_signatures = {
            size: _Prepared(
                select(ls.article_id, ls.signature).where(ls.article_id.in_(_slots(size))),
                dialect,
            )
            for size in _IN_SIZES
        }

    def known_ids(self, ids: Iterable[str] | None = None) -> set[str]:
        """Stored article ids (all of them, or those among ``ids``)."""
        stmt = select(s.articles.c.article_id)
        with self._read() as conn:
            if ids is None:
                return set(conn.execute(stmt).scalars())
            return self._known_among(conn, ids)

    def _known_among(self, conn: Connection, ids: Iterable[str]) -> set[str]:
        return {row[0] for row in _rows_in(conn, self._p_known_ids, ids)}

    def listing_state(self, article_ids: Iterable[str]) -> tuple[set[str], dict[str, str]]:
        """(the stored ids among ``article_ids``, their stored listing signatures), read
        in one transaction."""
        ids = list(article_ids)
        with self._read() as conn:
            return self._known_among(conn, ids), self._signatures_of(conn, ids)

    def article_id_for_url(self, url: str) -> str | None:
        with self._read() as conn:
            return conn.execute(
                select(s.article_urls.c.article_id).where(s.article_urls.c.url == url)
            ).scalar()

    def get_validators(self, url: str) -> dict[str, str | None] | None:
        """{etag, last_modified} last stored for ``url``, or None."""
        v = s.http_validators.c
        with self._read() as conn:
            row = conn.execute(select(v.etag, v.last_modified).where(v.url == url)).first()
        return {"etag": row.etag, "last_modified": row.last_modified} if row else None

    def set_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.set_validators_many([(url, etag, last_modified)])

    def set_validators_many(self, rows: Iterable[tuple[str, str | None, str | None]]) -> None:
        """(url, etag, last_modified) rows, in one transaction."""
        now = _utcnow()
        params = [
            {"url": url, "etag": etag, "last_modified": last_modified, "updated_at": now}
            for url, etag, last_modified in rows
        ]
        if not params:
            return
        with self._write() as conn:
            self._p_validators.executemany(conn, params)

    def listing_signatures(self, article_ids: Iterable[str]) -> dict[str, str]:
        """Stored listing signature per article id (ids without one are absent)."""
        with self._read() as conn:
            return self._signatures_of(conn, article_ids)

    def _signatures_of(self, conn: Connection, article_ids: Iterable[str]) -> dict[str, str]:
        return dict(_rows_in(conn, self._p_signatures, article_ids))

    def set_listing_signatures(self, signatures: Mapping[str, str]) -> None:
        """Remember what listings showed; call only once those articles are stored."""
        now = _utcnow()
        params = [
            {"article_id": str(article_id), "signature": signature, "updated_at": now}
            for article_id, signature in signatures.items()
        ]
        if not params:
            return
        with self._write() as conn:
            self._p_set_signatures.executemany(conn, params)

    def crawl_state(self, key: str) -> str | None:
        """The crawl's state row ``key`` (None: unset)."""
        c = s.crawl_state.c
        with self._read() as conn:
            return conn.execute(select(c.value).where(c.key == key)).scalar()

    def set_crawl_state(self, key: str, value: str | None) -> None:
        """Set (or, with None, unset) the crawl's state row ``key``, in one transaction."""
        self.set_crawl_states({key: value})

    def set_crawl_states(self, values: Mapping[str, str | None]) -> None:
        """Set (None: unset) several state rows, in one transaction."""
        if not values:
            return
        now = _utcnow()
        kept = [
            {"key": key, "value": value, "updated_at": now}
            for key, value in values.items()
            if value is not None
        ]
        dropped = [key for key, value in values.items() if value is None]
        with self._write() as conn:
            if kept:
                self._p_set_state.executemany(conn, kept)
            if dropped:
                conn.execute(s.crawl_state.delete().where(s.crawl_state.c.key.in_(dropped)))
