"""Store invariants under random sequences of upserts (hypothesis), against a tiny model."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan_crawler.store import open_store
from tests.test_store import BASE, article, body

IDS = ["11", "12", "13"]
CATEGORIES = [
    {"name": f"C{i}", "url": f"{BASE}/vi-vn/chuyen-muc/c{i}/1-{i}", "slug": f"c{i}", "subSite": "S"}
    for i in range(3)
]

operation = st.tuples(
    st.sampled_from(IDS),
    st.integers(0, 2),  # content version
    st.sets(st.integers(0, 2), min_size=1, max_size=3),  # categories shown
    st.booleans(),  # alias URL
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(operation, min_size=1, max_size=4), min_size=1, max_size=4))
def test_upserts_match_the_model(runs: list[list[tuple[str, int, set[int], bool]]]) -> None:
    model: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "p.db"
        for batch in runs:  # one store session per run, one transaction per batch
            with open_store(db) as store:
                docs = []
                expected = []
                for article_id, version, cats, alias in batch:
                    url = f"{BASE}/vi-vn/tin/alias/1-2-{article_id}" if alias else None
                    doc = article(
                        article_id,
                        articleBody=body(int(article_id) * 10 + version),
                        categories=[CATEGORIES[i] for i in sorted(cats)],
                        **({"url": url} if url else {}),
                    )
                    docs.append(doc)
                    state = model.get(article_id)
                    urls = {c["url"] for c in doc["categories"]}
                    if state is None:
                        model[article_id] = {"version": version, "cats": urls, "rev": 1}
                        expected.append("new")
                    elif state["version"] != version:
                        state.update(version=version, rev=state["rev"] + 1)
                        state["cats"] |= urls
                        expected.append("updated")
                    elif urls - state["cats"]:
                        state["cats"] |= urls
                        expected.append("merged")
                    else:
                        expected.append("unchanged")
                changes = store.upsert(docs)
                assert [c.kind for c in changes] == expected
            with open_store(db) as store:
                assert store.count() == len(model)
                assert store.known_ids() == set(model)
                for article_id, state in model.items():
                    stored = store.get(article_id)
                    assert [c["url"] for c in stored["categories"]] == sorted(state["cats"])
                    assert store.record(article_id)["revision"] == state["rev"]
                    assert stored["articleBody"] == body(int(article_id) * 10 + state["version"])
                    assert stored["duplicateOf"] is None


def test_article_dict_is_itemadapter_asdict() -> None:
    from dataclasses import dataclass

    from itemadapter import ItemAdapter

    from danvan_crawler.items import Article
    from danvan_crawler.store.core import article_dict

    @dataclass
    class Nested:
        name: str

    plain = {
        "articleId": "1",
        "images": [{"url": "u", "sizes": (1, 2)}],
        "mainImage": None,
        "n": 1.5,
        "flag": True,
        "tags": {"a"},
        "nested": [Nested("x"), {"inner": Nested("y")}],
    }
    item = Article(**{**article_fields(), "images": [{"url": "u"}], "authors": [{"name": "A"}]})
    for value in (plain, item):
        converted = article_dict(value)
        assert converted == ItemAdapter(value).asdict()
        assert type(converted) is dict
    converted = article_dict(item)
    assert converted["images"] is not item.images  # nested containers are copies
    assert converted["images"][0] is not item.images[0]


def article_fields() -> dict[str, Any]:
    return {
        "articleId": "7",
        "url": "https://nghean.dcs.vn/vi-vn/tin/x/1-2-7",
        "canonicalUrl": "https://nghean.dcs.vn/vi-vn/tin/x/1-2-7",
        "headline": "Tin",
        "description": None,
        "articleBody": "Nội dung.",
        "articleBodyHtml": "<p>Nội dung.</p>",
        "datePublished": "2023-11-27T08:30:00+07:00",
        "datePublishedRaw": "27/11/2023 08:30",
    }
