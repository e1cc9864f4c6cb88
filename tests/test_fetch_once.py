"""Nothing fetched for nothing: a whole page is fetched once, whatever field the rules
could not find; a date the page does not print comes from its listing entry (then the
response's Last-Modified, then first seen), and every record says so (``fieldSources``).

Real crawls (``danvan crawl`` / ``danvan run`` subprocesses) against a hand-written
mini-site on 127.0.0.1 (``tests/minisite.py``), real SQLite stores, real JSON Lines.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from danvan_crawler.store import open_store
from danvan_crawler.store.core import TRANSIENT_FIELDS
from tests.minisite import CATEGORY, Page, article, article_path, home, listing, serving

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "danvan_crawler/schema/article.schema.json").read_text("utf-8"))
FAST = ("-s", "DANVAN_RETRY_BACKOFF_BASE=0.01", "-s", "DOWNLOAD_TIMEOUT=5")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def danvan(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stats_of(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'([a-z_]+/[^']+)': (\d+),?\n", log)}


def site_pages() -> dict[str, Page]:
    return {
        "/": home((CATEGORY, "Thời sự")),
        CATEGORY: listing(
            [
                (101, "Tin không in ngày", "15/02/2023 09:12", "Lời dẫn của tin một."),
                (102, "Tin không tiêu đề", "16/02/2023 10:00", "Lời dẫn của tin hai."),
                (103, "Tin không giờ danh sách", "", "Lời dẫn của tin ba."),
                (104, "Tin không dấu thời gian", "", "Lời dẫn của tin bốn."),
            ]
        ),
        # whole pages, no date printed anywhere
        article_path(101): article(
            "Tin không in ngày", "Lời dẫn của tin một.", ["Đoạn thứ nhất.", "Đoạn thứ hai."]
        ),
        # whole page, no headline anywhere (no <h1>, empty <title>)
        article_path(102): article(
            None, "Lời dẫn của tin hai.", ["Đoạn thứ ba."], date="16/02/2023 10:00"
        ),
        # no time in the listing either: the response's Last-Modified
        article_path(103): Page(
            article("Tin không giờ danh sách", "Lời dẫn của tin ba.", ["Đoạn bốn."]).body,
            headers={"Last-Modified": "Wed, 15 Feb 2023 02:12:00 GMT"},
        ),
        # nothing at all: when it was first seen
        article_path(104): article(
            "Tin không dấu thời gian", "Lời dẫn của tin bốn.", ["Đoạn năm."]
        ),
    }


@pytest.mark.e2e
def test_whole_pages_are_fetched_once_and_a_missing_date_comes_from_the_listing(
    tmp_path: Path,
) -> None:
    db, jsonl = tmp_path / "danvan.db", tmp_path / "out.jsonl"
    with serving(site_pages()) as site:
        before = datetime.now().astimezone()
        result = danvan(
            "crawl", "--site", site.url, "--db", str(db), "--jsonl", str(jsonl), *FAST, cwd=tmp_path
        )
        hits = dict(site.hits)
    log = result.stderr
    # every article page fetched exactly once: none of them is cut short
    assert {aid: hits.get(article_path(aid)) for aid in (101, 102, 103, 104)} == {
        101: 1,
        102: 1,
        103: 1,
        104: 1,
    }, log[-3000:]
    stats = stats_of(log)
    assert not [k for k in stats if k.startswith("danvan/fault/")], stats
    assert stats["danvan/extract/missing/datePublished"] == 3

    lines = {r["articleId"]: r for r in map(json.loads, jsonl.read_text("utf-8").splitlines())}
    with open_store(db) as store:
        records = {aid: store.get(aid) for aid in ("101", "102", "103", "104")}
    for aid in ("101", "103", "104"):  # stored, the JSON Lines and the store alike
        assert records[aid] is not None, aid
        line = {k: v for k, v in lines[aid].items() if k not in TRANSIENT_FIELDS}
        assert line == records[aid]
        assert records[aid]["datePublishedRaw"] is None  # printed nowhere on the page
        errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(lines[aid]))
        assert not errors, [e.message for e in errors]
    assert records["101"]["datePublished"] == "2023-02-15T09:12:00+07:00"
    assert records["101"]["fieldSources"] == {"datePublished": "listing"}
    assert records["103"]["datePublished"] == "2023-02-15T09:12:00+07:00"
    assert records["103"]["fieldSources"] == {"datePublished": "last-modified"}
    assert records["104"]["fieldSources"] == {"datePublished": "first-seen"}
    first_seen = datetime.fromisoformat(records["104"]["datePublished"])
    assert abs((first_seen - before).total_seconds()) < 300
    assert stats.get("danvan/extract/date_from/listing") == 1
    # the page without a headline: fetched once all the same; if the rules found none, it
    # is a counted drop, never a page fetched again
    if records["102"] is None:
        assert stats.get("danvan/validate/dropped/missing_headline") == 1


def _undated_site(count: int) -> dict[str, Page]:
    entries = [
        (200 + n, f"Tin số {n}", f"1{n}/03/2023 08:00", f"Lời dẫn {n}.") for n in range(count)
    ]
    pages: dict[str, Page] = {"/": home((CATEGORY, "Thời sự")), CATEGORY: listing(entries)}
    for aid, headline, _, lead in entries:
        pages[article_path(aid)] = article(headline, lead, [f"Nội dung của {headline}."])
    return pages


@pytest.mark.e2e
def test_the_layout_alarm_still_fires_when_pages_print_no_date(tmp_path: Path) -> None:
    with serving(_undated_site(4)) as site:
        result = danvan(
            "run",
            "--site",
            site.url,
            "--db",
            str(tmp_path / "danvan.db"),
            "--out",
            str(tmp_path / "feeds"),
            "--quiet",
            *FAST,
            cwd=tmp_path,
        )
        hits = dict(site.hits)
    assert result.returncode == 3, (result.stdout, result.stderr[-3000:])
    assert result.stderr.startswith("layout-change alarm:")
    assert "datePublished" in result.stderr
    assert all(hits[article_path(200 + n)] == 1 for n in range(4)), hits
    with open_store(tmp_path / "danvan.db") as store:  # stored all the same, and saying so
        records: list[Any] = [store.get(str(200 + n)) for n in range(4)]
    assert all(r is not None and r["fieldSources"] == {"datePublished": "listing"} for r in records)
