"""End to end: ``danvan run`` (crawl + publish) of the replica in a subprocess makes the
place and document feeds, and the JSON Lines carry ``places``.

The expectations come from the replica's own truth (``/_replica/truth.jsonl``): its
texts name districts and communes ("huyện Quỳnh Lưu", "xã Nghi Phong") and its
``documentRefs`` list the documents it cited, whatever the crawler's code says."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import jsonschema

from tests.support.cli import danvan
from tests.support.safety import find_active_content, kind_of

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "danvan_crawler/schema/article.schema.json").read_text("utf-8"))
PUBLIC = "https://feeds.example.org/nghean/"
#: Former districts the replica's texts name, and their feed names.
DISTRICTS = {
    "Quỳnh Lưu": "quynh-luu",
    "Diễn Châu": "dien-chau",
    "Yên Thành": "yen-thanh",
    "Nam Đàn": "nam-dan",
}


def feed_links(path: Path) -> set[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, path
    return {e.link for e in parsed.entries}


def ref_slug(ref: dict[str, str]) -> str:
    """The replica's ref as the feed file names it (written out here, not imported)."""
    text = f"{ref['kind']} {ref['number']} {ref['code']} {ref['issuer']}".lower()
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d"))
    folded = "".join(c for c in folded if c.isascii())
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


def test_replica_run_publishes_place_and_document_feeds(
    replica_factory: Callable[..., Any], tmp_path: Path
) -> None:
    replica = replica_factory(articles=60)
    truth = [r for r in replica.truth() if not r.get("duplicateOf")]
    db, out, jsonl = tmp_path / "danvan.db", tmp_path / "feeds", tmp_path / "a.jsonl"
    run = danvan(
        "run",
        "--site",
        replica.url,
        "--db",
        str(db),
        "--out",
        str(out),
        "--public-url",
        PUBLIC,
        "--jsonl",
        str(jsonl),
        "--limit",
        "200",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]

    # the JSON Lines carry places, valid by the schema
    lines = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert len(lines) >= len(truth)
    for line in lines:
        jsonschema.validate(line, SCHEMA)
        assert isinstance(line["places"], list)
    tagged = [line for line in lines if line["places"]]
    assert len(tagged) > len(lines) // 2, "the replica's texts name places"

    # every article whose text names a former district is in that district's feed
    by_district: dict[str, set[str]] = {}
    for row in truth:
        text = " ".join(str(row.get(k) or "") for k in ("headline", "description", "articleBody"))
        for district in set(re.findall(rf"huyện ({'|'.join(DISTRICTS)})\b", text)):
            by_district.setdefault(district, set()).add(row["url"])
    assert by_district, "the replica names no district"
    for district, urls in by_district.items():
        slug = "huyen-" + DISTRICTS[district]
        assert urls <= feed_links(out / "places" / f"{slug}.rss"), district

    # a document feed for each document the replica cites in two articles or more,
    # holding exactly those articles
    citing: dict[str, set[str]] = {}
    for row in truth:
        for ref in row.get("documentRefs") or ():
            citing.setdefault(ref_slug(ref), set()).add(row["url"])
    wanted = {slug: urls for slug, urls in citing.items() if len(urls) >= 2}
    assert wanted, "the replica cites no document twice"
    made = {p.stem for p in (out / "documents").glob("*.rss")}
    assert made == set(wanted)
    for slug, urls in wanted.items():
        assert feed_links(out / "documents" / f"{slug}.rss") == urls, slug

    # every published file is clean, the page and the OPML list the new feeds
    for path in out.rglob("*"):
        if path.is_file():
            name = str(path.relative_to(out))
            assert find_active_content(path.read_bytes(), kind_of(name) or "?") == [], name
    page = (out / "index.html").read_text("utf-8")
    places = {p.stem for p in (out / "places").glob("*.rss")}
    assert {"huyen-" + DISTRICTS[d] for d in by_district} <= places
    assert all(f'href="places/{slug}.rss"' in page for slug in places)
    assert all(f'href="documents/{slug}.rss"' in page for slug in wanted)
    opml = (out / "index.opml").read_text("utf-8")
    assert all(f"{PUBLIC}documents/{slug}.rss" in opml for slug in wanted)

    # and publishing again changes no byte
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = danvan("publish", "--db", str(db), "--out", str(out), "--public-url", PUBLIC,
                   "--limit", "200", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
