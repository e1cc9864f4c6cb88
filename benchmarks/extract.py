"""Extraction cost per article page, ours against trafilatura, in one process.

Starts a replica (``--articles 1200`` by default), saves every article page once into a
temporary folder (the URLs come from ``/_replica/truth.jsonl``), then times, over the
saved pages and in this process, with ``time.process_time``:

- ours: ``ArticlePage(html, url, profile).extract()`` (every output field the page gives,
  from the HTML text: parsing included);
- trafilatura: ``bare_extraction(html, url=url, with_metadata=True)`` (text plus title,
  date and author: the closest to what ours returns).

The two are interleaved page by page (ours, theirs, next page...) over ``--rounds``
rounds, and the best round of each is kept, so load on the machine hits both alike.
Target: ours <= 0.25 x trafilatura's CPU time per page. Exit status 1 when missed.

trafilatura (and lxml_html_clean) are runtime dependencies: the extraction ladder's last rung.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import figure, get_json, replica
from danvan_crawler.extract import ArticlePage
from danvan_crawler.profile import load_profile

TARGET_RATIO = 0.25


def save_pages(base: str, folder: Path) -> list[tuple[str, Path]]:
    """Fetch every live article page of the replica once; (url, file) pairs."""
    truth = get_json(base + "_replica/truth.jsonl")
    assert isinstance(truth, list)
    pages: list[tuple[str, Path]] = []
    for n, line in enumerate(truth):
        url = line["url"]
        with urllib.request.urlopen(url, timeout=60) as resp:
            body = resp.read()
        path = folder / f"{n:05d}.html"
        path.write_bytes(body)
        pages.append((url, path))
    (folder / "index.json").write_text(json.dumps([[u, p.name] for u, p in pages]), "utf-8")
    return pages


def timed(fn: Callable[[], Any]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1200, help="replica size (>= 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (best kept)")
    args = parser.parse_args(argv)
    try:
        from trafilatura import bare_extraction
    except ImportError as exc:
        print(f"extract.py: trafilatura missing ({exc}): pip install -e .")
        return 1

    with tempfile.TemporaryDirectory(prefix="danvan-extract-") as tmp:
        folder = Path(tmp)
        with replica("--articles", str(args.articles)) as base:
            pages = save_pages(base, folder)
            profile = load_profile("nghean", base_url=base.rstrip("/"))
        docs = [(url, path.read_text("utf-8")) for url, path in pages]
        print(
            f"{len(docs)} article pages saved ({sum(len(h) for _, h in docs) / len(docs):.0f}"
            " characters on average)",
            flush=True,
        )

        # warm-up (imports, caches, compiled regexes) on a few pages, not timed
        for url, html in docs[:20]:
            ArticlePage(html, url, profile).extract()
            bare_extraction(html, url=url, with_metadata=True)

        ours_rounds: list[float] = []
        theirs_rounds: list[float] = []
        for _ in range(args.rounds):
            ours = theirs = 0.0
            for url, html in docs:
                ours += timed(lambda u=url, h=html: ArticlePage(h, u, profile).extract())
                theirs += timed(lambda u=url, h=html: bare_extraction(h, url=u, with_metadata=True))
            ours_rounds.append(ours)
            theirs_rounds.append(theirs)

    n = len(docs)
    ours_ms = min(ours_rounds) / n * 1000
    theirs_ms = min(theirs_rounds) / n * 1000
    ratio = ours_ms / theirs_ms
    ok_pages = n >= 1000
    figure("article pages", n, "pages", ">= 1000", ok_pages)
    figure("ours: CPU per article page", ours_ms, "ms")
    figure("trafilatura bare_extraction: CPU per page", theirs_ms, "ms")
    figure("ratio ours / trafilatura", ratio, "x", f"<= {TARGET_RATIO}", ratio <= TARGET_RATIO)
    return 0 if ok_pages and ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
