"""Storing articles: the upsert (new, updated, unchanged or merged; near duplicates
decided on the way) and the content hash it compares."""

from __future__ import annotations

import json
from collections import OrderedDict, namedtuple
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, bindparam, select, update

from danvan_crawler.similarity import article_tokens, band_keys, pack_sketch
from danvan_crawler.store import schema as s
from danvan_crawler.store import search
from danvan_crawler.store.base import _dumps, _Pending, _to_utc_naive, _utcnow
from danvan_crawler.store.categories import CategoryLinks
from danvan_crawler.store.executor import _Prepared, _rows_in, _slots
from danvan_crawler.store.near import NearDuplicates
from danvan_crawler.store.places import index_article
from danvan_crawler.store.places import write_pending as write_index
from danvan_crawler.store.records import (
    TRANSIENT_FIELDS,
    Change,
    ChangeKind,
    _article_num,
    _moved_urls,
    _parse_datetime,
    _same,
    article_dict,
    content_hash,
    merge_categories,
)

#: Content hashes remembered by :meth:`Store.content_hash` for the article's upsert.
HASH_MEMO_SIZE = 1024

#: Sizes of the precompiled ``IN`` lists of a batch's article ids (50 by default).
_BATCH_IN_SIZES = (1, 8, 64, 500)

#: A row of ``articles`` read by :meth:`Store._prefetch` (attributes by column name).
#: typed Any: its fields are the table's columns, known only at import
_ArticleRow: Any = cast(Any, namedtuple("_ArticleRow", list(s.articles.columns.keys())))


class ArticleWrites(NearDuplicates, CategoryLinks):
    """:class:`~danvan_crawler.store.Store`'s upsert."""

    _hash_memo: OrderedDict[str, tuple[dict[str, Any], str]]

    def _prepare_articles(self) -> None:
        """The statements run per article, built once with bind parameters."""
        a, ab = s.articles.c, s.article_bands.c
        dialect = self.engine.dialect
        self._q_article = select(s.articles).where(a.article_id == bindparam("b_aid"))
        self._d_bands = s.article_bands.delete().where(ab.article_id == bindparam("b_aid"))
        self._u_article = update(s.articles).where(a.article_id == bindparam("b_aid"))
        self._p_article = _Prepared(s.articles.insert(), dialect)
        self._p_bands = _Prepared(s.article_bands.insert(), dialect)
        self._p_changes = _Prepared(
            s.article_changes.insert().values(
                {name: bindparam(name) for name in ("article_id", "kind", "revision", "changed_at")}
            ),
            dialect,
        )
        self._p_updates: dict[tuple[str, ...], _Prepared] = {}  # by the columns set
        # a batch's stored rows (precompiled IN lists, padded by repeating an id)
        self._p_articles_in = {
            size: _Prepared(select(s.articles).where(a.article_id.in_(_slots(size))), dialect)
            for size in _BATCH_IN_SIZES
        }

    # -- articles ----------------------------------------------------------------------

    def content_hash(self, article: Any) -> str:
        """:func:`content_hash` of an article (mapping or item), remembered for its next
        upsert: when the record upserted then equals the article now (compared with a
        private copy, so any change made in between is seen), it is not hashed again."""
        data = article_dict(article)
        digest = content_hash(data)
        article_id = data.get("articleId")
        if isinstance(article_id, str):
            memo = self._hash_memo
            memo[article_id] = (data, digest)
            memo.move_to_end(article_id)
            if len(memo) > HASH_MEMO_SIZE:
                memo.popitem(last=False)
        return digest

    def _content_hash(self, record: dict[str, Any], data: dict[str, Any], article_id: str) -> str:
        """The content hash of ``data`` (``record`` without transient fields), reusing the
        one :meth:`content_hash` computed for an equal record."""
        memo = self._hash_memo.pop(article_id, None) if self._hash_memo else None
        if memo is not None and record.get("articleId") == article_id and _same(memo[0], record):
            return memo[1]  # the same values, hence the same hash
        return content_hash(data)

    def upsert(
        self,
        articles: Iterable[Any],
        *,
        detect_duplicates: bool = True,
        now: datetime | None = None,
    ) -> list[Change]:
        """Store ``articles`` (output-schema mappings or items) in one transaction.

        ``detect_duplicates``: decide ``duplicateOf`` here (near-duplicate search);
        False keeps the value the article carries (the dedupe pipeline's decision).
        """
        when = _to_utc_naive(now) if now else _utcnow()
        records = [article_dict(article) for article in articles]
        changes: list[Change] = []
        with self._write() as conn:
            prefetched = self._prefetch(conn, records)
            pending = _Pending()
            for data in records:
                changes.append(
                    self._upsert_one(conn, data, when, detect_duplicates, prefetched, pending)
                )
            self._write_pending(conn, pending)
        return changes

    def _write_pending(self, conn: Connection, pending: _Pending) -> None:
        if pending.changes:
            self._p_changes.executemany(conn, pending.changes)
            pending.changes.clear()
        if pending.urls:
            self._p_urls.executemany(conn, list(pending.urls.values()))
            pending.urls.clear()
        self._write_pending_links(conn, pending)
        write_index(conn, pending.index)

    def _prefetch(self, conn: Connection, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """The stored rows of a batch's article ids, read at once: id -> row or None."""
        ids = sorted({str(r.get("articleId") or "").strip() for r in records} - {""})
        found: dict[str, Any] = dict.fromkeys(ids)
        for values in _rows_in(conn, self._p_articles_in, ids):
            row = _ArticleRow(*values)
            found[row.article_id] = row
        return found

    def _upsert_one(
        self,
        conn: Connection,
        data: dict[str, Any],
        now: datetime,
        detect: bool,
        prefetched: dict[str, Any],
        pending: _Pending,
    ) -> Change:
        article_id = str(data.get("articleId") or "").strip()
        if not article_id:
            raise ValueError("article without articleId")
        record = data
        data = {k: v for k, v in data.items() if k not in TRANSIENT_FIELDS}
        data["articleId"] = article_id
        url = data.get("url") or data.get("canonicalUrl") or ""
        if article_id in prefetched:  # first time in this batch: as read before it
            row = prefetched.pop(article_id)
        else:  # again in this batch: as written by the earlier one
            row = conn.execute(self._q_article, {"b_aid": article_id}).first()
        digest = self._content_hash(record, data, article_id)
        published = _parse_datetime(data.get("datePublished"))
        num = _article_num(article_id)

        if row is not None and row.content_hash == digest:
            stored = json.loads(row.data)
            cats = merge_categories(stored.get("categories"), data.get("categories"))
            values: dict[str, Any] = {"last_seen": now}
            kind: ChangeKind = "unchanged"
            moved = _moved_urls(stored, data)
            if cats != stored.get("categories") or moved:
                stored["categories"] = cats
                stored.update(moved)
                values.update(data=_dumps(stored), changed_at=now)
                if "url" in moved:
                    values["url"] = moved["url"]
                kind = "merged"
            self._update_article(conn, article_id, values)
            self._record_urls(conn, article_id, data, now, pending)
            self._record_categories(
                conn,
                article_id,
                data.get("categories"),
                now,
                row.date_published,
                row.article_num,
                pending=pending,
            )
            return Change(article_id, kind, row.revision, row.duplicate_of, stored)

        tokens = article_tokens(data)
        signature = self._sketch(tokens)
        keys = sorted(set(band_keys(signature))) if signature else []
        matches = self._near_matches(conn, article_id, tokens, signature, keys) if detect else []
        packed = pack_sketch(signature) if signature else None
        if detect:
            duplicate_of = self._original_among(matches, article_id, published, num)
        else:
            duplicate_of = data.get("duplicateOf") or None
        data["duplicateOf"] = duplicate_of
        if row is None:
            data["categories"] = merge_categories(data.get("categories"))
            self._p_article.execute(
                conn,
                {
                    "article_id": article_id,
                    "article_num": num,
                    "url": url,
                    "data": _dumps(data),
                    "content_hash": digest,
                    "revision": 1,
                    "duplicate_of": duplicate_of,
                    "date_published": published,
                    "first_seen": now,
                    "last_seen": now,
                    "changed_at": now,
                    "sketch": packed,
                    "revised_at": now,
                },
            )
            kind, revision = "new", 1
            search.index_article(conn, article_id, data, None, new=True)
        else:
            stored = json.loads(row.data)
            data["categories"] = merge_categories(stored.get("categories"), data.get("categories"))
            revision = row.revision + 1
            self._update_article(
                conn,
                article_id,
                {
                    "url": url or row.url,
                    "data": _dumps(data),
                    "content_hash": digest,
                    "revision": revision,
                    "duplicate_of": duplicate_of,
                    "date_published": published,
                    "last_seen": now,
                    "changed_at": now,
                    "sketch": packed,
                    "revised_at": now,
                },
            )
            conn.execute(self._d_bands, {"b_aid": article_id})
            kind = "updated"
            search.index_article(conn, article_id, data, stored, new=False)
        if keys:
            self._p_bands.executemany(
                conn, [{"band_key": k, "article_id": article_id} for k in keys]
            )
        self._record_urls(conn, article_id, data, now, pending)
        self._record_categories(
            conn,
            article_id,
            data.get("categories"),
            now,
            published,
            num,
            sync=kind != "new",
            pending=pending,
        )
        index_article(
            conn, article_id, data, published, num, fresh=kind == "new", pending=pending.index
        )
        pending.changes.append(
            {"article_id": article_id, "kind": kind, "revision": revision, "changed_at": now}
        )
        claimed: tuple[str, ...] = ()
        if duplicate_of is None:
            claimed = self._claim_copies(conn, article_id, published, num, matches, now)
            for copy_id in claimed:  # rewritten: read again when later in this batch
                prefetched.pop(copy_id, None)
        return Change(article_id, kind, revision, duplicate_of, data, claimed)

    def find_original(self, article: Any) -> str | None:
        """The id ``article`` would be a copy of (None: it is no near duplicate)."""
        data = article_dict(article)
        article_id = str(data.get("articleId") or "")
        tokens = article_tokens(data)
        signature = self._sketch(tokens)
        keys = sorted(set(band_keys(signature))) if signature else []
        with self._read() as conn:
            matches = self._near_matches(conn, article_id, tokens, signature, keys)
        return self._original_among(
            matches,
            article_id,
            _parse_datetime(data.get("datePublished")),
            _article_num(article_id),
        )

    def _update_article(self, conn: Connection, article_id: str, values: dict[str, Any]) -> None:
        """UPDATE the article's row: ``values`` by column (one precompiled statement per
        set of columns)."""
        columns = tuple(values)
        prepared = self._p_updates.get(columns)
        if prepared is None:
            statement = self._u_article.values({c: bindparam(f"v_{c}") for c in columns})
            prepared = self._p_updates[columns] = _Prepared(statement, self.engine.dialect)
        params = {f"v_{c}": v for c, v in values.items()}
        params["b_aid"] = article_id
        prepared.execute(conn, params)
