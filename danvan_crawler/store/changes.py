"""The change log: what changed, in order, and how far each consumer has written it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _to_utc_naive, _utcnow


@dataclass(frozen=True, slots=True)
class ChangeCursor:
    """How far one consumer of the change log has been written."""

    consumer: str
    #: every change up to this sequence number is written
    seq: int
    #: a file holding the changes up to ``pending_seq`` is about to replace the output
    pending_seq: int | None = None
    pending_file: str | None = None


class ChangeLog(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s change log (``article_changes``, cursors)."""

    def store_id(self) -> str:
        """A random id given to the store when it was created: two processes see the same
        store when they read the same id, however they spelled its URL or path."""
        with self._read() as conn:
            found = conn.execute(
                select(s.store_meta.c.value).where(s.store_meta.c.key == "store_id")
            ).scalar()
        if found is not None:
            return str(found)
        with self._write() as conn:
            return s.ensure_store_id(conn)

    def last_change(self) -> int:
        """The sequence number of the last change logged (0: none yet)."""
        with self._read() as conn:
            return int(conn.execute(select(func.max(s.article_changes.c.seq))).scalar() or 0)

    def change_cursor(self, consumer: str) -> ChangeCursor | None:
        """How far ``consumer`` has been written (None: never opened)."""
        cc = s.change_cursors.c
        with self._read() as conn:
            row = conn.execute(
                select(cc.seq, cc.pending_seq, cc.pending_file).where(cc.consumer == consumer)
            ).first()
        return ChangeCursor(consumer, row.seq, row.pending_seq, row.pending_file) if row else None

    def open_change_cursor(self, consumer: str) -> ChangeCursor:
        """The cursor of ``consumer``, created when missing: a new consumer starts after
        the last change logged now, so it gets what is stored from now on. Its time is
        set to now (a cursor not opened for long is dropped: :meth:`prune_changes`)."""
        cc = s.change_cursors.c
        with self._write() as conn:
            row = conn.execute(
                select(cc.seq, cc.pending_seq, cc.pending_file).where(cc.consumer == consumer)
            ).first()
            if row is not None:
                conn.execute(
                    update(s.change_cursors)
                    .where(cc.consumer == consumer)
                    .values(updated_at=_utcnow())
                )
                return ChangeCursor(consumer, row.seq, row.pending_seq, row.pending_file)
            last = int(conn.execute(select(func.max(s.article_changes.c.seq))).scalar() or 0)
            conn.execute(
                s.change_cursors.insert().values(consumer=consumer, seq=last, updated_at=_utcnow())
            )
            return ChangeCursor(consumer, last)

    def set_change_cursor(
        self,
        consumer: str,
        seq: int,
        *,
        pending_seq: int | None = None,
        pending_file: str | None = None,
    ) -> None:
        """Record how far ``consumer`` was written (and a write about to be renamed into
        place, or none). Once no consumer needs them, changes are dropped from the log."""
        cc = s.change_cursors.c
        with self._write() as conn:
            conn.execute(
                update(s.change_cursors)
                .where(cc.consumer == consumer)
                .values(
                    seq=seq,
                    pending_seq=pending_seq,
                    pending_file=pending_file,
                    updated_at=_utcnow(),
                )
            )
            if pending_seq is None:
                oldest = conn.execute(select(func.min(cc.seq))).scalar()
                if oldest is not None:
                    conn.execute(
                        s.article_changes.delete().where(s.article_changes.c.seq <= oldest)
                    )

    def prune_changes(self, before: datetime | None = None) -> int:
        """Drop the changes no consumer can still want: those every cursor has written
        (all of them while there is no cursor: a new one starts after the last change)
        and, with ``before``, those logged before it (a consumer that has not been
        written since then misses them, and the cursors not opened since then are
        dropped); how many changes."""
        ch, cc = s.article_changes.c, s.change_cursors.c
        with self._write() as conn:
            if before is not None:
                conn.execute(s.change_cursors.delete().where(cc.updated_at < _to_utc_naive(before)))
            oldest = conn.execute(select(func.min(cc.seq))).scalar()
            stale = ch.seq <= oldest if oldest is not None else ch.seq.is_not(None)
            if before is not None:
                stale = stale | (ch.changed_at < _to_utc_naive(before))
            result = conn.execute(s.article_changes.delete().where(stale))
            return int(result.rowcount or 0)

    def changes_between(
        self, after: int, upto: int, *, raw: bool = False
    ) -> Iterator[tuple[Any, int, str]]:
        """The articles changed by the changes logged after ``after`` up to ``upto``: one
        (record, revision, change) each, as stored now, in the order of their first change
        there; ``change`` is ``new`` when the article was new among them, else
        ``updated``. ``raw``: the record as its stored JSON text."""
        ch, a = s.article_changes.c, s.articles.c
        changed = (
            select(
                ch.article_id,
                func.min(ch.seq).label("first"),
                func.max(case((ch.kind == "new", 1), else_=0)).label("is_new"),
            )
            .where(ch.seq > after)
            .where(ch.seq <= upto)
            .group_by(ch.article_id)
            .subquery("changed")
        )
        stmt = (
            select(a.data, a.revision, changed.c.is_new)
            .join(changed, changed.c.article_id == a.article_id)
            .order_by(changed.c.first)
        )
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data, revision, is_new in result:
                record = data if raw else json.loads(data)
                yield record, int(revision), "new" if is_new else "updated"

    def export_changes(
        self, since: datetime | None = None, *, raw: bool = False
    ) -> Iterator[tuple[Any, int, str]]:
        """:meth:`export` with each article's revision and change relative to ``since``:
        ``new`` (first stored then or later; every article when ``since`` is None),
        ``updated`` (its content changed then or later) or ``merged`` (only its
        categories or URL did). ``raw``: the record as its stored JSON text."""
        a = s.articles.c
        stmt = select(a.data, a.revision, a.first_seen, a.revised_at, a.changed_at).order_by(
            a.changed_at, a.article_num, a.article_id
        )
        cut = _to_utc_naive(since) if since is not None else None
        if cut is not None:
            stmt = stmt.where(a.changed_at >= cut)
        with self.engine.connect() as conn, conn.begin():
            result = conn.execution_options(yield_per=500).execute(stmt)
            for data, revision, first_seen, revised_at, changed_at in result:
                if cut is None or first_seen >= cut:
                    change = "new"
                elif (revised_at or changed_at) >= cut:
                    change = "updated"
                else:
                    change = "merged"
                yield data if raw else json.loads(data), int(revision), change
