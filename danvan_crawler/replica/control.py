"""The replica's control endpoints under ``/_replica/`` (truth, layout facts, stats, publish,
edit, info): what tests and benchmarks read and drive; never touched by faults.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from danvan_crawler.replica import sites as S
from danvan_crawler.replica.layouts import RandomLayout, page_facts
from danvan_crawler.replica.state import Replica
from danvan_crawler.replica.truth import truth


class ControlHandler(BaseHTTPRequestHandler):
    """The ``/_replica/*`` endpoints and the plain responses they send."""

    replica: Replica  # set on the subclass by make_server

    # -- control ----------------------------------------------------------------------------
    def _control(self, method: str, path: str, query: dict[str, list[str]]) -> None:
        rep = self.replica
        w = rep.world
        try:
            n = int(query.get("n", ["1"])[0])
        except ValueError:
            n = -1
        if method == "GET" and path == "/_replica/truth.jsonl":
            self._send_truth()
            return
        if method == "GET" and path == "/_replica/layout.jsonl":
            self._send_facts()
            return
        if method == "GET" and path == "/_replica/stats":
            self._send_json(rep.stats())
            return
        if method == "POST" and path == "/_replica/stats/reset":
            rep.reset()
            self._send_json({"ok": True})
            return
        if method == "POST" and path in ("/_replica/publish", "/_replica/edit"):
            if not 0 <= n <= 10000:
                self._send_plain(
                    400, b"n must be an integer 0..10000\n", "text/plain; charset=utf-8"
                )
                return
            metas = w.publish(n) if path.endswith("publish") else w.edit(n)
            self._send_json([rep.base + w.path(m) for m in metas])
            return
        if method == "GET" and path == "/_replica/info":
            self._send_json(
                {
                    "base": rep.base,
                    "articles": len(w.metas),
                    "seed": w.seed,
                    "layout": rep.layout_name,
                    "layout_spec": (
                        rep.layout.describe() if isinstance(rep.layout, RandomLayout) else None
                    ),
                    "xss": w.xss,
                    "categories": [rep.base + c.path for c in S.CATEGORIES],
                    "faults": rep.faults.info(rep.base) if rep.faults is not None else None,
                }
            )
            return
        self._send_plain(404, b"unknown control endpoint\n", "text/plain; charset=utf-8")

    def _send_truth(self) -> None:
        rep = self.replica
        w = rep.world
        with w.lock:
            metas = list(w.metas)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        buf: list[bytes] = []
        for meta in metas:
            buf.append(json.dumps(truth(w, meta, rep.base), ensure_ascii=False).encode() + b"\n")
            if len(buf) >= 200:
                self.wfile.write(b"".join(buf))
                buf.clear()
        self.wfile.write(b"".join(buf))

    def _send_facts(self) -> None:
        """One line per live article: what its page shows (date as printed and where,
        authors, text that is not the article's), see ``layouts.page_facts``."""
        rep = self.replica
        w = rep.world
        with w.lock:
            metas = list(w.metas)
        ctx = rep.ctx()
        lines = []
        for meta in metas:
            row = page_facts(rep.layout, ctx, w.article(meta))
            row["url"] = rep.base + row.pop("path")
            lines.append(json.dumps(row, ensure_ascii=False).encode() + b"\n")
        self._send_plain(200, b"".join(lines), "application/x-ndjson; charset=utf-8")

    def _send_json(self, data: Any) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self._send_plain(200, body, "application/json; charset=utf-8")

    def _send_plain(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
