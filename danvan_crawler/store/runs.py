"""Run history: one row a run, its status and summary."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _to_utc_naive, _utcnow


class RunHistory(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s runs (``start_run`` ... ``runs``)."""

    def start_run(self, started_at: datetime | None = None) -> int:
        with self._write() as conn:
            result = conn.execute(
                s.runs.insert().values(
                    started_at=_to_utc_naive(started_at) if started_at else _utcnow(),
                    status="running",
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted

    def finish_run(
        self,
        run_id: int,
        status: str,
        summary: Mapping[str, Any] | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                update(s.runs)
                .where(s.runs.c.run_id == run_id)
                .values(
                    status=status,
                    finished_at=_to_utc_naive(finished_at) if finished_at else _utcnow(),
                    summary=json.dumps(summary, ensure_ascii=False, default=str)
                    if summary is not None
                    else None,
                )
            )

    def record_run(
        self,
        *,
        started_at: datetime,
        finished_at: datetime | None = None,
        exit_code: int | None = None,
        status: str | None = None,
        summary: str | None = None,
        stats: Mapping[str, Any] | None = None,
    ) -> int:
        """Record a finished run in one call (what ``danvan run`` does); its run_id.

        ``status`` defaults from ``exit_code``: 0 ``ok``, 3 ``alarm``, else ``failed``.
        The summary JSON holds ``{"exit_code", "summary", "stats"}``.
        """
        if status is None:
            status = {0: "ok", 3: "alarm", None: "ok"}.get(exit_code, "failed")
        payload = {"exit_code": exit_code, "summary": summary, "stats": dict(stats or {})}
        with self._write() as conn:
            result = conn.execute(
                s.runs.insert().values(
                    started_at=_to_utc_naive(started_at),
                    finished_at=_to_utc_naive(finished_at) if finished_at else _utcnow(),
                    status=status,
                    summary=json.dumps(payload, ensure_ascii=False, default=str),
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]  # one row inserted

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Most recent runs first: {run_id, started_at, finished_at, status, summary}."""
        r = s.runs.c
        with self._read() as conn:
            rows = conn.execute(select(s.runs).order_by(r.run_id.desc()).limit(limit)).all()
        return [
            {
                "run_id": row.run_id,
                "started_at": row.started_at.replace(tzinfo=UTC),
                "finished_at": row.finished_at.replace(tzinfo=UTC) if row.finished_at else None,
                "status": row.status,
                "summary": json.loads(row.summary) if row.summary else None,
            }
            for row in rows
        ]
