"""Crawl state: HTTP validators of listing pages and what listings showed per article."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Connection, select

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _utcnow
from danvan_crawler.store.executor import _Prepared, _rows_in


class CrawlState(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s incremental crawling state."""

    _p_validators: _Prepared
    _p_set_signatures: _Prepared
    _p_signatures: dict[int, _Prepared]

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
