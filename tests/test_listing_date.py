"""A page printing no date keeps the date its listing entry shows: end to end against
random replica layouts whose article pages print no date (only the category listing
does), crawled with the default profile, which matches neither their listing items nor
their article markup (the generic rules read both).

Layouts chosen for what defeated the crawl: the listing's entries printed in a form the
generic listing reader did not read (``random:1015``, a lower-case weekday;
``random:1034``, day-month-year with dashes), and pages where htmldate guessed a day from
an image's ``/Uploads/images/2019/05/`` path (``random:1017``), or the date lines were
read from the comments under the body (``random:1004``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from danvan_crawler.replica.sites import TZ
from danvan_crawler.replica.spec import spec_for
from tests.conftest import ReplicaClient

ROOT = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def _minute(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(TZ).replace(second=0, microsecond=0)


@pytest.mark.parametrize("seed", [1004, 1015, 1017, 1034])
def test_a_page_without_a_date_keeps_its_listing_date(
    seed: int, tmp_path: Path, replica_factory: Callable[..., ReplicaClient]
) -> None:
    assert spec_for(seed).date_where == "listing"  # the layout prints no date on its pages
    rep = replica_factory(articles=8, seed=seed, layout=f"random:{seed}")
    facts: dict[str, Any] = {
        f["articleId"]: f for f in map(json.loads, rep.text("/_replica/layout.jsonl").splitlines())
    }
    out = tmp_path / "out.jsonl"
    crawl = subprocess.run(
        [sys.executable, "-m", "danvan_crawler", "crawl", "--site", rep.base,
         "--db", str(tmp_path / "s.db"), "--jsonl", str(out),
         "-s", "DANVAN_RETRY_BACKOFF_BASE=0.01"],
        cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    records = {r["articleId"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    truth = {row["articleId"]: row for row in rep.truth()}
    assert set(records) == set(truth)
    for aid, row in truth.items():
        date = facts[aid]["date"]
        assert date["where"] == "listing" and date["printed"], date
        record = records[aid]
        assert record["fieldSources"].get("datePublished") == "listing", (aid, record)
        got, want = _minute(record["datePublished"]), _minute(row["datePublished"])
        if date["time"]:  # the listing printed the minute
            assert got == want, (aid, date["printed"], record["datePublished"])
        else:
            assert got.date() == want.date(), (aid, date["printed"], record["datePublished"])
        assert record.get("datePublishedRaw") is None  # printed nowhere on the page
