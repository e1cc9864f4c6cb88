"""The crawler's extraction, default profile, on 60 random replica layouts.

Each article page is rendered in-process by the replica (its own rendering), extracted
with ``ArticlePage(html, url, default profile)`` (no HTTP, no Scrapy) and judged against
the replica's truth the way ``benchmarks/fidelity.py`` judges a crawl. Where the page
prints no date (the layout shows it on the listing only), the extraction must find none,
so that the crawler keeps the listing's date. Layout seeds 2000-2059: apart from those the
rules were tuned on (0-199) and those the benchmark reports (1000-1499).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from benchmarks.fidelity import FIELDS, judge
from danvan_crawler.extract.article import ArticlePage
from danvan_crawler.profile import SiteProfile, load_profile
from danvan_crawler.replica import render as R
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.layouts import make_layout, page_facts
from danvan_crawler.replica.truth import truth as truth_of

BASE = "http://127.0.0.1:8080"
SEEDS = range(2000, 2060)
ARTICLES = 8
#: The share of articles (%) each field must be right on: the benchmark's target is 97 %
#: over 10 000 articles; 480 articles vary more.
TARGET = 95.0


@pytest.fixture(scope="module")
def profile() -> SiteProfile:
    return load_profile(base_url=BASE)


def extract_layout(seed: int, profile: SiteProfile) -> list[dict[str, Any]]:
    """Per article of world ``seed`` in layout ``random:seed``: the judgement, the page's
    facts and the extracted fields."""
    world = Wd.World(articles=ARTICLES, seed=seed)
    layout = make_layout(f"random:{seed}")
    ctx = R.Ctx(world, BASE, layout.name)
    rows = []
    for meta in world.metas:
        art = world.article(meta)
        facts = page_facts(layout, ctx, art)
        fields = dict(
            ArticlePage(layout.article(ctx, art), BASE + art.path, profile).extract().fields
        )
        truth = truth_of(world, meta, BASE)
        record = dict(fields)
        listing_only = facts["date"]["where"] == "listing"
        if listing_only and not record.get("datePublished"):
            record["datePublished"] = truth["datePublished"]  # what the crawler keeps
        rows.append({**judge(truth, facts, record), "facts": facts, "fields": fields})
    return rows


@pytest.fixture(scope="module")
def results(profile: SiteProfile) -> dict[int, list[dict[str, Any]]]:
    return {seed: extract_layout(seed, profile) for seed in SEEDS}


def test_every_field_is_right_on_nearly_every_article(
    results: dict[int, list[dict[str, Any]]],
) -> None:
    rows = [row for seed_rows in results.values() for row in seed_rows]
    assert len(rows) == len(SEEDS) * ARTICLES
    right = Counter(f for row in rows for f in FIELDS if row[f])
    shares = {f: 100.0 * right[f] / len(rows) for f in FIELDS}
    assert all(share >= TARGET for share in shares.values()), shares


def test_few_layouts_lose_a_field_on_most_of_their_articles(
    results: dict[int, list[dict[str, Any]]],
) -> None:
    """A markup the rules do not read loses a field on all its articles: at most 3 of 60
    such (layout, field) pairs (each is 1.7 % of the articles)."""
    lost = [
        (seed, f)
        for seed, rows in results.items()
        for f in FIELDS
        if sum(row[f] for row in rows) * 2 < len(rows)
    ]
    assert len(lost) <= 3, lost


def test_a_page_printing_no_date_gives_none(results: dict[int, list[dict[str, Any]]]) -> None:
    """A layout printing the date on its listing only: no date read from the article
    page (a dated column's or a comment's date would be another's), so the crawler keeps
    the listing's."""
    pages = [
        row
        for rows in results.values()
        for row in rows
        if row["facts"]["date"]["where"] == "listing"
    ]
    assert len(pages) >= 8
    found = [row["fields"].get("datePublished") for row in pages]
    # (the rest: a date htmldate found elsewhere on the page, not refused yet)
    assert sum(value is None for value in found) * 100 >= 75 * len(pages), found


def test_the_authors_come_from_the_page(results: dict[int, list[dict[str, Any]]]) -> None:
    """Signatures and bylines, each place a layout prints them, are read; a page with no
    author gives none."""
    by_place: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for rows in results.values():
        for row in rows:
            authors = row["facts"]["authors"]
            place = "none" if not authors else str(authors.get("where"))
            by_place[place] += 1
            right[place] += row["authors"]
    assert {"signature", "none"} <= set(by_place), by_place
    for place, total in by_place.items():
        assert right[place] * 100 >= 85 * total, (place, right[place], total)
