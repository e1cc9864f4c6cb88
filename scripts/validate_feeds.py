"""Run the W3C Feed Validator over a published feeds folder, as served by ``danvan serve``.

    python scripts/validate_feeds.py FEEDVALIDATOR_DIR FEEDS_DIR

``FEEDVALIDATOR_DIR`` is a checkout of https://github.com/w3c/feedvalidator (plain
Python 3; it needs ``html5lib`` and ``rdflib``: ``pip install html5lib rdflib``, in a
virtual environment if you like). It is used from its folder, never copied here.

Every ``*.rss``, ``*.atom`` and ``*.opml`` of the folder and its subfolders is fetched from ``danvan
serve`` (started here on a free loopback port, as a feed reader asks: the response's
Content-Type is checked too) and validated with the document's own ``self`` link as its
address, as if fetched where it is published (otherwise every feed published for
another URL would get SelfDoesntMatchLocation). Errors and warnings are what the online
validator reports (its "AA" level); informational notes are counted apart. Exit status
1 when any file has an error or a warning, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
READER_ACCEPT = "application/rss+xml, application/atom+xml, text/x-opml, application/xml;q=0.9"
SUFFIXES = (".rss", ".atom", ".opml")


@contextmanager
def danvan_serve(folder: Path) -> Iterator[int]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "danvan_crawler", "serve", "--dir", str(folder), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line.startswith("serving http://"):
            raise RuntimeError(f"danvan serve did not start: {line!r}")
        yield int(line.rsplit(":", 1)[1].rstrip("/"))
    finally:
        proc.terminate()
        proc.wait(10)


def fetch(port: int, name: str) -> tuple[str, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/" + name, headers={"Accept": READER_ACCEPT})
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"{name}: HTTP {response.status}")
        return response.getheader("Content-Type") or "", body
    finally:
        conn.close()


def self_link(body: bytes, fallback: str) -> str:
    root = etree.fromstring(body)
    links = root.xpath("//*[local-name()='link'][@rel='self']/@href")
    return str(links[0]) if links else fallback


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("feedvalidator", type=Path, help="a checkout of w3c/feedvalidator")
    parser.add_argument("feeds", type=Path, help="a published feeds folder")
    args = parser.parse_args(argv)
    source = args.feedvalidator / "src"
    if not (source / "feedvalidator" / "__init__.py").is_file():
        parser.error(f"no feedvalidator package under {source}")
    # the category feeds at the top, place and document feeds in their folders
    names = sorted(
        p.relative_to(args.feeds).as_posix()
        for p in args.feeds.rglob("*")
        if p.suffix in SUFFIXES and p.is_file()
    )
    if not names:
        parser.error(f"no .rss, .atom or .opml file in {args.feeds}")
    sys.path.insert(0, str(source))
    try:
        import feedvalidator  # type: ignore[import-not-found]
        from feedvalidator import compatibility  # type: ignore[import-not-found]
        from feedvalidator.formatter.text_plain import (  # type: ignore[import-not-found]
            Formatter,
        )
        from feedvalidator.logging import Info  # type: ignore[import-not-found]
    except ImportError as exc:
        print(f"cannot import the validator ({exc}): pip install html5lib rdflib", file=sys.stderr)
        return 2

    errors = warnings = notes = 0
    with danvan_serve(args.feeds) as port:
        for name in names:
            content_type, body = fetch(port, name)
            base = self_link(body, f"http://127.0.0.1:{port}/{name}")
            result: dict[str, Any] = feedvalidator.validateStream(
                io.BytesIO(body), firstOccurrenceOnly=0, contentType=content_type, base=base
            )
            events = result["loggedEvents"]
            reported = compatibility.AA(events)
            notes += sum(isinstance(e, Info) for e in events)
            found = Formatter(reported)
            errors += len(found.getErrors())
            warnings += len(found.getWarnings())
            print(f"{name}: {'OK' if not reported else f'{len(reported)} finding(s)'}")
            for line in found:
                print(f"  {line}")
    print(
        f"{len(names)} files: {errors} errors, {warnings} warnings "
        f"({notes} informational notes, not counted)"
    )
    return 1 if errors or warnings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
