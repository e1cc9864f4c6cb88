"""benchmarks/fidelity.py's judgement: a record equal to the truth is right on every
layout; furniture in the body, a wrong minute where a time is printed, a wrong author
are wrong. The harness itself runs end to end on a few layouts."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from typing import Any

import pytest

from benchmarks.fidelity import FIELDS, judge, same_date
from danvan_crawler.replica import render as R
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.layouts import make_layout, page_facts
from danvan_crawler.replica.truth import truth as truth_of
from tests.conftest import ROOT

BASE = "http://127.0.0.1:8080"


@pytest.fixture(scope="module")
def world() -> Wd.World:
    return Wd.World(articles=20, seed=3)


def cases(world: Wd.World, name: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    layout = make_layout(name)
    ctx = R.Ctx(world, BASE, layout.name)
    return [
        (truth_of(world, m, BASE), page_facts(layout, ctx, world.article(m))) for m in world.metas
    ]


def perfect(truth: dict[str, Any]) -> dict[str, Any]:
    return {k: truth[k] for k in ("headline", "articleBody", "datePublished", "authors")}


@pytest.mark.parametrize("name", ["classic", "modern", *(f"random:{s}" for s in range(50))])
def test_the_truth_itself_is_judged_right(world: Wd.World, name: str) -> None:
    for truth, facts in cases(world, name):
        verdict = judge(truth, facts, perfect(truth))
        assert all(verdict[f] for f in ("stored", *FIELDS, "body_exact")), (name, verdict)
        assert not any(judge(truth, facts, None).values())


def test_furniture_in_the_body_or_a_missing_end_is_wrong(world: Wd.World) -> None:
    seen = 0
    for seed in range(20):
        for truth, facts in cases(world, f"random:{seed}"):
            extra = [f for f in facts["furniture"] if f not in truth["articleBody"]]
            if not extra:
                continue
            record = perfect(truth)
            record["articleBody"] = truth["articleBody"] + "\n" + extra[-1]
            assert not judge(truth, facts, record)["body"]
            record["articleBody"] = truth["articleBody"].rsplit("\n", 1)[0]
            assert not judge(truth, facts, record)["body"]
            seen += 1
    assert seen > 100


def test_dates_are_judged_to_the_minute_only_where_a_time_is_printed() -> None:
    truth = "2022-09-05T07:45:00+07:00"
    assert same_date("2022-09-05T07:45:00+07:00", truth, True)
    assert same_date("2022-09-05T00:45:00+00:00", truth, True)
    assert not same_date("2022-09-05T07:46:00+07:00", truth, True)
    assert not same_date("2022-09-05T00:00:00+07:00", truth, True)
    assert same_date("2022-09-05T00:00:00+07:00", truth, False)
    assert not same_date("2022-09-04T23:59:00+07:00", truth, False)
    assert not same_date("2022-09-05T07:45:00", truth, True)  # no zone: not a datetime we know
    assert not same_date(None, truth, True) and not same_date("05/09/2022", truth, False)


def test_authors_and_headline_must_be_the_truth_s(world: Wd.World) -> None:
    truth, facts = next((t, f) for t, f in cases(world, "random:4") if t["authors"])
    record = perfect(truth)
    name = truth["authors"][0]["name"]
    record["authors"] = [{"name": f"{name} - {truth['authors'][0]['role']}"}]
    assert not judge(truth, facts, record)["authors"]
    record["authors"] = []
    assert not judge(truth, facts, record)["authors"]
    record["headline"] = truth["headline"] + " - Tỉnh ủy Nghệ An"
    assert not judge(truth, facts, record)["headline"]
    published = datetime.fromisoformat(truth["datePublished"]) + timedelta(days=1)
    record["datePublished"] = published.isoformat()
    assert not judge(truth, facts, record)["datePublished"]


@pytest.mark.e2e
def test_the_benchmark_runs_end_to_end_and_classic_and_modern_are_perfect() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/fidelity.py", "--layouts", "2", "--fixed", "1", "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = done.stdout
    assert "-- random: 2 layouts, 40 articles" in out, done.stderr
    for group in ("classic", "modern"):
        for what in ("articles stored", *(f"{f} right" for f in FIELDS)):
            line = next(x for x in out.splitlines() if x.startswith(f"{group}: {what} "))
            assert line.endswith("OK"), line
    assert done.returncode in (0, 1)
    assert (done.returncode == 0) == ("MISSED" not in out)
