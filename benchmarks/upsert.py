"""The store's upsert alone: the records of a crawl's JSON Lines written into a fresh
store, a batch a transaction, as a crawl writes them.

``python benchmarks/upsert.py OUT.jsonl`` (the ``--jsonl`` of ``danvan crawl``): each
record without the fields the stream adds (``change``, ``revision``, ``crawledAt``) and
without ``duplicateOf`` (the store decides it again), its content hash taken first as
the dedupe pipeline does, then ``Store.upsert`` in batches of ``--batch`` (27: the
average batch of a crawl of a 5 000-article replica at concurrency 16, the store
extension's 0.25 s delay filling it before its 50). Printed: CPU (``process_time``:
user + system) an article of each round, its best, and, for information, the CPU an
article of :func:`~danvan_crawler.store.search.sqlite.index_values` (the index's words
and pair tokens, best of 3). No target.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import figure
from danvan_crawler.store import open_store
from danvan_crawler.store.search.sqlite import index_values

#: Fields of a JSON Lines record that the store does not take from an item.
STREAM_FIELDS = ("change", "revision", "crawledAt")


def records(path: Path, limit: int | None) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            for name in STREAM_FIELDS:
                record.pop(name, None)
            record["duplicateOf"] = None
            out.append(record)
            if limit is not None and len(out) >= limit:
                break
    return out


def upsert_seconds(batch_records: list[dict[str, Any]], batch: int, folder: Path) -> float:
    with open_store(folder / "upsert.db") as store:
        started = time.process_time()
        for start in range(0, len(batch_records), batch):
            part = batch_records[start : start + batch]
            for record in part:
                store.content_hash(record)
            store.upsert(part)
        return time.process_time() - started


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jsonl", type=Path)
    parser.add_argument("--articles", type=int, help="the first N records only")
    parser.add_argument("--batch", type=int, default=27)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    recs = records(args.jsonl, args.articles)
    per_article = []
    for n in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="danvan-upsert-") as tmp:
            seconds = upsert_seconds(recs, args.batch, Path(tmp))
        per_article.append(1000 * seconds / len(recs))
        print(f"round {n + 1}: {per_article[-1]:.3f} ms an article", flush=True)
    figure(f"upsert, {len(recs)} articles, batches of {args.batch}", min(per_article), "ms")
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for record in recs:
            index_values(record)
        best = min(best, time.process_time() - started)
    figure("index_values", 1e6 * best / len(recs), "us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
