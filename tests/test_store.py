"""The SQLite store (danvan_crawler.store): real database files in tmp_path."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from danvan_crawler.items import Article
from danvan_crawler.store import SCHEMA_VERSION, Store, StoreError, open_store
from danvan_crawler.store.schema import MIGRATIONS
from tests.words import WORDS as ALL_WORDS

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://nghean.dcs.vn"
WORDS = ALL_WORDS[:57]

CAT_A = {
    "name": "Dân vận khéo",
    "url": f"{BASE}/vi-vn/chuyen-muc/dan-van-kheo/405534-193312",
    "slug": "dan-van-kheo",
    "subSite": "Ban dân vận tỉnh ủy",
}
CAT_B = {
    "name": "Tin tức",
    "url": f"{BASE}/vi-vn/chuyen-muc/tin-tuc/1-2",
    "slug": "tin-tuc",
    "subSite": "Tỉnh ủy Nghệ An",
}


def body(seed: int, n: int = 200) -> str:
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(4):
        paragraphs.append(" ".join(rng.choice(WORDS) for _ in range(n // 4)).capitalize() + ".")
    return "\n".join(paragraphs)


def article(article_id: str, **fields: Any) -> dict[str, Any]:
    """An output-schema article; the body depends on the id unless given."""
    url = f"{BASE}/vi-vn/tin/bai-viet-{article_id}/73410-486108-{article_id}"
    data: dict[str, Any] = {
        "articleId": article_id,
        "url": url,
        "canonicalUrl": url,
        "headline": f"Bài viết {article_id}",
        "description": None,
        "articleBody": body(int(article_id)),
        "articleBodyHtml": "<p>...</p>",
        "datePublished": "2023-11-27T08:30:00+07:00",
        "datePublishedRaw": "27/11/2023 08:30",
        "dateModified": None,
        "dateModifiedRaw": None,
        "authors": [],
        "breadcrumbs": [],
        "inLanguage": "vi",
        "mainImage": None,
        "images": [],
        "categories": [CAT_A],
        "subSite": "Tỉnh ủy Nghệ An",
        "attachments": [],
        "documentRefs": [],
        "duplicateOf": None,
        "crawledAt": "2026-11-27T10:00:00+00:00",
    }
    data.update(fields)
    return data


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "store" / "danvan.db"


@pytest.fixture
def store(db: Path) -> Store:
    st = open_store(db)
    yield st
    st.close()


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["articleId"] for r in records]


# -- opening and migrations ---------------------------------------------------------------


def test_open_creates_folder_file_and_latest_schema(db: Path) -> None:
    st = open_store(db)
    try:
        assert db.exists()
        assert st.schema_version() == SCHEMA_VERSION
        tables = set(sqlite3.connect(db).execute("select name from sqlite_master").fetchall())
        names = {t[0] for t in tables}
        for table in (
            "schema_version",
            "articles",
            "article_urls",
            "categories",
            "article_categories",
            "http_validators",
            "crawl_state",
            "listing_signatures",
            "article_bands",
            "runs",
        ):
            assert table in names
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        st.close()


def test_reopen_is_idempotent_and_keeps_data(db: Path) -> None:
    with open_store(db) as st:
        st.upsert([article("100")])
    for _ in range(2):
        with open_store(db) as st:
            assert st.schema_version() == SCHEMA_VERSION
            assert st.count() == 1
    rows = sqlite3.connect(db).execute("select version from schema_version").fetchall()
    assert rows == [(v,) for v, _ in MIGRATIONS]


def test_version_1_database_is_migrated_with_its_data(db: Path) -> None:
    with open_store(db) as st:
        st.upsert([article("100"), article("200")])
    conn = sqlite3.connect(db)  # back to the version-1 shape
    conn.execute("ALTER TABLE articles DROP COLUMN sketch")
    conn.execute("DELETE FROM schema_version WHERE version > 1")
    conn.commit()
    conn.close()
    with open_store(db) as st:
        assert st.schema_version() == SCHEMA_VERSION
        with st.engine.connect() as c:
            n = c.exec_driver_sql("select count(*) from articles where sketch is not null")
            assert n.scalar() == 2  # backfilled
        copy = article(
            "300",
            headline="Bài viết 100",
            articleBody=body(100),
            datePublished="2024-01-01T00:00:00+07:00",
        )
        (change,) = st.upsert([copy])
        assert change.duplicate_of == "100"
        assert st.count() == 3


def test_version_2_database_gets_sketches_and_band_keys_of_the_current_hashing(db: Path) -> None:
    from danvan_crawler.similarity import (
        SKETCH_SIZE,
        article_tokens,
        band_keys,
        pack_sketch,
        sketch,
    )

    short = article("300", headline="Thông báo", articleBody="Lịch tiếp công dân.")
    with open_store(db) as st:
        st.upsert([article("100"), article("200"), short])
    conn = sqlite3.connect(db)  # back to version 2, with sketches of another hashing
    conn.execute(
        "UPDATE articles SET sketch = ? WHERE sketch IS NOT NULL", (b"\1" * SKETCH_SIZE * 8,)
    )
    conn.execute("DELETE FROM article_bands")
    conn.execute("INSERT INTO article_bands VALUES (7, '100'), (7, '200'), (8, '200')")
    conn.execute("DELETE FROM schema_version WHERE version > 2")
    conn.commit()
    conn.close()
    with open_store(db) as st:
        assert st.schema_version() == SCHEMA_VERSION
        with st.engine.connect() as c:
            sketches = dict(c.exec_driver_sql("select article_id, sketch from articles").all())
            bands = c.exec_driver_sql("select band_key, article_id from article_bands").all()
        expected_bands = set()
        for article_id in ("100", "200"):
            signature = sketch(article_tokens(st.get(article_id)))
            assert sketches[article_id] == pack_sketch(signature)
            expected_bands |= {(k, article_id) for k in band_keys(signature)}
        assert sketches["300"] is None  # too short to compare: still not indexed
        assert set(bands) == expected_bands
        (change,) = st.upsert([_copy_of_100("999")])
        assert change.duplicate_of == "100"


def test_migrations_from_version_1_shape(db: Path) -> None:
    from sqlalchemy import create_engine

    from danvan_crawler.store import schema

    db.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        schema.metadata.create_all(conn, tables=[schema.schema_version])
        schema.MIGRATIONS[0][1](conn)
        conn.execute(schema.schema_version.insert().values(version=1, applied_at=datetime.now()))
    engine.dispose()
    with open_store(db) as st:
        assert st.schema_version() == SCHEMA_VERSION
        assert [c.kind for c in st.upsert([article("1"), article("1")])] == ["new", "unchanged"]


def test_url_forms_open_the_same_database(db: Path) -> None:
    with open_store(db) as st:
        st.upsert([article("100")])
    with open_store(f"sqlite:///{db}") as st:
        assert st.get("100") is not None
    with open_store(str(db)) as st:
        assert st.count() == 1


def test_newer_schema_is_refused(db: Path) -> None:
    open_store(db).close()
    conn = sqlite3.connect(db)
    conn.execute("insert into schema_version values (?, '2026-01-01 00:00:00')", (999,))
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(db)


# -- changes ------------------------------------------------------------------------------


def test_new_then_unchanged_across_runs(db: Path) -> None:
    with open_store(db) as st:
        (change,) = st.upsert([article("100")])
        assert (change.article_id, change.kind, change.revision) == ("100", "new", 1)
    with open_store(db) as st:  # the next run
        (change,) = st.upsert([article("100", crawledAt="2026-11-28T10:00:00+00:00")])
        assert change.kind == "unchanged"
        assert st.count() == 1
        assert st.get("100")["crawledAt"] == "2026-11-27T10:00:00+00:00"


def test_item_dataclass_is_accepted(store: Store) -> None:
    item = Article(**{k: v for k, v in article("100").items()})
    (change,) = store.upsert([item])
    assert change.kind == "new"
    assert store.get("100")["headline"] == "Bài viết 100"


def test_same_id_in_several_categories_and_sub_sites_is_one_record(store: Store) -> None:
    changes = store.upsert([article("100", categories=[CAT_B]), article("100")])
    assert [c.kind for c in changes] == ["new", "merged"]
    assert store.count() == 1
    stored = store.get("100")
    assert stored["categories"] == sorted([CAT_A, CAT_B], key=lambda c: c["url"])
    assert ids(store.latest(CAT_A["url"], 10)) == ["100"]
    assert ids(store.latest(CAT_B["url"], 10)) == ["100"]
    # Seen again in either category: nothing to merge any more.
    (change,) = store.upsert([article("100", categories=[CAT_B])])
    assert change.kind == "unchanged"


def test_same_article_under_different_urls_is_one_record(store: Store) -> None:
    primary = article("559264")
    alias_slug = f"{BASE}/vi-vn/tin/ten-cu-%EF%BF%BD/73410-486108-559264"
    http = primary["url"].replace("https://", "http://")
    store.upsert([primary])
    changes = store.upsert(
        [article("559264", url=alias_slug, canonicalUrl=alias_slug), article("559264", url=http)]
    )
    assert [c.kind for c in changes] == ["unchanged", "unchanged"]
    assert store.count() == 1
    assert store.get("559264")["url"] == primary["url"]
    for url in (primary["url"], alias_slug, http):
        assert store.article_id_for_url(url) == "559264"
    assert store.record("559264")["urls"] == sorted({primary["url"], alias_slug, http})


def test_edited_article_is_updated_never_a_second_record(store: Store) -> None:
    store.upsert([article("100")])
    edited = article(
        "100",
        headline="Bài viết 100 (đã sửa)",
        articleBody=body(100) + "\nĐoạn mới.",
        dateModified="2023-11-28T09:15:00+07:00",
        dateModifiedRaw="Cập nhật lúc 09:15 ngày 28/11/2023",
        categories=[CAT_B],
    )
    (change,) = store.upsert([edited])
    assert (change.kind, change.revision) == ("updated", 2)
    assert store.count() == 1
    stored = store.get("100")
    assert stored["headline"] == "Bài viết 100 (đã sửa)"
    assert stored["dateModified"] == "2023-11-28T09:15:00+07:00"
    assert [c["url"] for c in stored["categories"]] == sorted([CAT_A["url"], CAT_B["url"]])
    assert store.record("100")["revision"] == 2
    (change,) = store.upsert([edited])
    assert (change.kind, change.revision) == ("unchanged", 2)


def test_tone_placement_variant_is_an_edit_of_display_text_not_a_copy(store: Store) -> None:
    store.upsert([article("100", headline="Thái Hòa thực hiện tốt")])
    (change,) = store.upsert([article("100", headline="Thái Hoà thực hiện tốt")])
    assert change.kind == "updated"  # display text keeps what was printed
    assert store.count() == 1


def test_republished_copy_is_kept_marked_and_out_of_latest(store: Store) -> None:
    original = article("100", categories=[CAT_A])
    copy = article(
        "205",
        headline=original["headline"],
        articleBody=original["articleBody"],
        datePublished="2023-12-01T08:00:00+07:00",
        categories=[CAT_A, CAT_B],
    )
    other = article("300", datePublished="2023-11-30T08:00:00+07:00")
    changes = store.upsert([original, copy, other])
    assert [(c.kind, c.duplicate_of) for c in changes] == [
        ("new", None),
        ("new", "100"),
        ("new", None),
    ]
    assert store.count() == 3
    assert store.get("205")["duplicateOf"] == "100"
    assert ids(store.latest(None, 10)) == ["300", "100"]
    assert ids(store.latest(CAT_A["url"], 10)) == ["300", "100"]
    assert ids(store.latest(CAT_B["url"], 10)) == []
    assert {r["articleId"]: r["duplicateOf"] for r in store.export()} == {
        "100": None,
        "205": "100",
        "300": None,
    }


def test_nearly_identical_copy_is_a_duplicate_and_a_different_text_is_not(store: Store) -> None:
    original = article("100")
    words = original["articleBody"].split(" ")
    for i in range(5, len(words), 30):  # about 3% of the words changed
        words[i] = "khác"
    near = article(
        "206",
        headline="Bài viết 100",
        articleBody=" ".join(words),
        datePublished="2023-12-01T08:00:00+07:00",
    )
    far_words = original["articleBody"].split(" ")
    for i in range(0, len(far_words), 4):  # 25% changed: a different article
        far_words[i] = "khác"
    far = article("207", articleBody=" ".join(far_words), datePublished="2023-12-02T08:00:00+07:00")
    changes = store.upsert([original, near, far])
    assert [c.duplicate_of for c in changes] == [None, "100", None]


def test_copy_with_old_tone_placement_is_a_duplicate(store: Store) -> None:
    original = article("100", articleBody=body(100).replace("hòa", "hoà"))
    copy = article(
        "208",
        headline="Bài viết 100",
        articleBody=body(100).replace("hoà", "hòa"),
        datePublished="2023-12-01T08:00:00+07:00",
    )
    assert original["articleBody"] != copy["articleBody"]
    (_, change) = store.upsert([original, copy])
    assert change.duplicate_of == "100"


def test_original_stored_after_its_copy_claims_it(tmp_path: Path) -> None:
    original = article("100")
    copy = article(
        "205",
        headline=original["headline"],
        articleBody=original["articleBody"],
        datePublished="2023-12-01T08:00:00+07:00",
    )
    results = []
    for order in ([original, copy], [copy, original]):
        with open_store(tmp_path / f"{order[0]['articleId']}.db") as st:
            changes = [st.upsert([a])[0] for a in order]  # one batch each
            claimed = {c.article_id: c.claimed for c in changes}
            results.append({r["articleId"]: r["duplicateOf"] for r in st.export()})
            assert ids(st.latest(None, 10)) == ["100"]
            assert claimed["100"] == (() if order[0] is original else ("205",))
            assert claimed["205"] == ()
    assert results[0] == results[1] == {"100": None, "205": "100"}


def test_duplicates_across_runs(db: Path) -> None:
    with open_store(db) as st:
        st.upsert([article("100")])
    with open_store(db) as st:
        (change,) = st.upsert(
            [
                article(
                    "999",
                    headline="Bài viết 100",
                    articleBody=body(100),
                    datePublished="2024-01-01T00:00:00+07:00",
                )
            ]
        )
        assert (change.kind, change.duplicate_of) == ("new", "100")
        assert st.find_original(st.get("999")) == "100"
        assert st.find_original(st.get("100")) is None


def test_no_two_records_for_one_article_whatever_the_input(store: Store) -> None:
    batch = [article("100"), article("100", categories=[CAT_B])]
    batch += [article("100", url=f"{BASE}/vi-vn/tin/x/1-2-100?utm_source=zalo")]
    batch += [article("100", articleBody=body(100) + "\nThêm.")]
    store.upsert(batch)
    store.upsert(batch)
    with store.engine.connect() as conn:
        n = conn.execute(text("select count(*) from articles where article_id='100'")).scalar()
    assert n == 1


# -- reading --------------------------------------------------------------------------------


def test_latest_order_ties_limit_and_categories(store: Store) -> None:
    store.upsert(
        [
            article("99", datePublished="2023-11-27T08:30:00+07:00"),
            article("100", datePublished="2023-11-27T08:30:00+07:00"),  # tie: 100 before 99
            article("7", datePublished="2023-11-27T09:00:00+07:00"),
            article("8", datePublished="2023-11-27T02:00:00+00:00", categories=[CAT_B]),  # 09:00+7
            article("5", datePublished="2022-01-01T00:00:00+07:00", categories=[CAT_B]),
        ]
    )
    assert ids(store.latest(None, 10)) == ["8", "7", "100", "99", "5"]
    assert ids(store.latest(None, 2)) == ["8", "7"]
    assert ids(store.latest(CAT_A["url"], 10)) == ["7", "100", "99"]
    assert ids(store.latest(CAT_B["url"], 10)) == ["8", "5"]
    assert store.latest("https://nowhere/none", 10) == []


def test_latest_follows_an_edit_of_the_publication_date(store: Store) -> None:
    store.upsert([article("1"), article("2", datePublished="2023-11-28T08:30:00+07:00")])
    store.upsert([article("1", datePublished="2023-11-29T08:30:00+07:00")])
    assert ids(store.latest(CAT_A["url"], 10)) == ["1", "2"]


def test_latest_reads_an_index_in_order(store: Store) -> None:
    store.upsert([article("1")])
    for category in (None, CAT_A["url"]):
        stmt = store.latest_statement(category, 50)
        sql = str(stmt.compile(store.engine, compile_kwargs={"literal_binds": True}))
        with store.engine.connect() as conn:
            plan = " | ".join(r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert "TEMP B-TREE" not in plan, plan
        assert "ix_articles_published" in plan or "ix_article_categories_latest" in plan


def test_categories_lists_every_category_ever_seen(store: Store) -> None:
    store.upsert([article("1", categories=[CAT_A, CAT_B])])
    store.upsert([article("1", categories=[CAT_A]), article("2", categories=[CAT_A])])
    assert store.categories() == [
        {"url": c["url"], "slug": c["slug"], "name": c["name"], "subSite": c["subSite"]}
        for c in sorted([CAT_A, CAT_B], key=lambda c: c["url"])
    ]


def test_export_whole_and_since(store: Store) -> None:
    t0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    store.upsert([article("1"), article("2")], now=t0)
    store.upsert([article("3")], now=t0 + timedelta(hours=1))
    store.upsert([article("1", articleBody=body(1) + "\nSửa.")], now=t0 + timedelta(hours=2))
    store.upsert([article("2")], now=t0 + timedelta(hours=3))  # unchanged: not a change
    assert ids(list(store.export())) == ["2", "3", "1"]
    since = t0 + timedelta(minutes=30)
    assert ids(list(store.export(since))) == ["3", "1"]
    assert ids(list(store.export(since.astimezone(UTC).replace(tzinfo=None)))) == ["3", "1"]
    assert list(store.export(t0 + timedelta(hours=5))) == []
    assert all("change" not in r for r in store.export())


# -- incremental-crawl state and runs -------------------------------------------------------


def test_validators_signatures_and_known_ids(store: Store) -> None:
    url = f"{BASE}/vi-vn/chuyen-muc/dan-van-kheo/405534-193312"
    assert store.get_validators(url) is None
    store.set_validators(url, '"abc"', "Mon, 27 Nov 2023 01:30:00 GMT")
    store.set_validators(url, '"def"', None)
    assert store.get_validators(url) == {"etag": '"def"', "last_modified": None}
    store.upsert([article("1"), article("2")])
    assert store.known_ids() == {"1", "2"}
    assert store.known_ids(["2", "3"]) == {"2"}
    store.set_listing_signatures({"1": "27/11/2023 08:30", "2": "x"})
    store.set_listing_signatures({"2": "y"})
    assert store.listing_signatures(["1", "2", "3"]) == {"1": "27/11/2023 08:30", "2": "y"}


def test_runs_history(store: Store) -> None:
    run_id = store.start_run()
    store.finish_run(run_id, "ok", {"new": 3})
    started = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    other = store.record_run(started_at=started, exit_code=3, summary="alarm", stats={"x": 1})
    runs = store.runs()
    assert [r["run_id"] for r in runs] == [other, run_id]
    assert runs[0]["status"] == "alarm" and runs[0]["started_at"] == started
    assert runs[0]["summary"] == {"exit_code": 3, "summary": "alarm", "stats": {"x": 1}}
    assert runs[1]["status"] == "ok" and runs[1]["summary"] == {"new": 3}


# -- crash safety -----------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, {root!r})
    from danvan_crawler.store import open_store
    articles = json.loads(sys.stdin.readline())
    store = open_store({db!r})
    store.upsert(articles[:2])            # committed batch
    print("committed", flush=True)

    def batch():
        for n, a in enumerate(articles[2:]):
            yield a
            if n == 1:
                print("mid-batch", flush=True)
                sys.stdin.readline()      # wait here, inside the transaction, to be killed
    store.upsert(batch())
    print("finished", flush=True)
    """
)


@pytest.mark.e2e
def test_sigkill_mid_batch_leaves_the_previous_state(db: Path) -> None:
    open_store(db).close()
    script = WRITER.format(root=str(ROOT), db=str(db))
    batch = [article(str(i)) for i in range(1, 7)]
    with subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as proc:
        try:
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(batch) + "\n")
            proc.stdin.flush()
            assert proc.stdout.readline().strip() == "committed"
            assert proc.stdout.readline().strip() == "mid-batch"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with open_store(db) as st:
        assert st.known_ids() == {"1", "2"}
        with st.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            orphans = conn.exec_driver_sql(
                "select count(*) from article_urls where article_id not in ('1', '2')"
            ).scalar()
        assert orphans == 0
        # The interrupted batch, written again, lands completely and once.
        changes = st.upsert(batch)
        assert [c.kind for c in changes] == ["unchanged"] * 2 + ["new"] * 4
        assert st.count() == 6


# -- batches ----------------------------------------------------------------------------------


def _copy_of_100(article_id: str = "205", **fields: Any) -> dict[str, Any]:
    return article(
        article_id,
        headline="Bài viết 100",
        articleBody=body(100),
        datePublished="2023-12-01T08:00:00+07:00",
        **fields,
    )


def test_batch_reads_again_what_an_earlier_item_of_it_rewrote(store: Store) -> None:
    store.upsert([_copy_of_100()])  # the copy first: no original known yet
    # one batch: the original claims the copy, then the copy comes again (new category)
    original, again = store.upsert([article("100"), _copy_of_100(categories=[CAT_A, CAT_B])])
    assert original.claimed == ("205",)
    assert (again.kind, again.duplicate_of) == ("merged", "100")
    stored = store.get("205")
    assert stored["duplicateOf"] == "100"
    assert [c["url"] for c in stored["categories"]] == sorted([CAT_A["url"], CAT_B["url"]])
    assert store.record("205")["duplicate_of"] == "100"


def test_one_batch_stores_what_one_article_at_a_time_does(tmp_path: Path) -> None:
    now = datetime(2026, 11, 27, 10, 0)
    runs = [
        [_copy_of_100("300"), article("200"), article("100"), article("100", categories=[CAT_B])],
        [article("200", articleBody=body(200) + "\nThêm."), _copy_of_100("400"), article("500")],
        [article("500"), article("200", articleBody=body(200) + "\nThêm."), _copy_of_100("300")],
    ]
    results = []
    for name, batched in (("batched", True), ("single", False)):
        with open_store(tmp_path / f"{name}.db") as st:
            changes = []
            for run in runs:
                if batched:
                    changes += st.upsert(run, now=now)
                else:
                    changes += [c for a in run for c in st.upsert([a], now=now)]
            rows = {r["articleId"]: (r, st.record(r["articleId"])) for r in st.export()}
            results.append(([(c, c.record, c.claimed) for c in changes], rows))
    assert results[0] == results[1]
    changes = results[0][0]
    assert [(c.article_id, c.kind, c.duplicate_of) for c, _, _ in changes] == [
        ("300", "new", None),
        ("200", "new", None),
        ("100", "new", None),
        ("100", "merged", None),
        ("200", "updated", None),
        ("400", "new", "100"),
        ("500", "new", None),
        ("500", "unchanged", None),
        ("200", "unchanged", None),
        ("300", "unchanged", "100"),
    ]


def test_batch_with_an_article_and_its_edit_keeps_category_order_in_sync(store: Store) -> None:
    first = article("100", categories=[CAT_A])
    other = article("200", categories=[CAT_A], datePublished="2024-01-01T08:00:00+07:00")
    # the edit moves the publication date after 200's, and is listed in CAT_B only
    edit = article(
        "100",
        categories=[CAT_B],
        datePublished="2024-02-01T08:00:00+07:00",
        articleBody=body(100) + "\nSửa.",
    )
    kinds = [c.kind for c in store.upsert([first, other, edit])]
    assert kinds == ["new", "new", "updated"]
    assert ids(store.latest(CAT_A["url"], 10)) == ["100", "200"]
    assert ids(store.latest(CAT_B["url"], 10)) == ["100"]
    with store.engine.connect() as conn:
        dates = conn.exec_driver_sql(
            "select distinct date_published from article_categories where article_id = '100'"
        ).scalars()
        assert [str(d) for d in dates] == ["2024-02-01 01:00:00.000000"]


def test_hot_statements_write_the_values_core_writes(store: Store) -> None:
    # the per-article statements run precompiled on the DBAPI cursor: same text forms
    store.upsert([article("100")], now=datetime(2026, 11, 27, 10, 0, 5, 123))
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "select date_published, first_seen, typeof(sketch), length(sketch), article_num "
            "from articles where article_id = '100'"
        ).one()
        assert tuple(row) == (
            "2023-11-27 01:30:00.000000",
            "2026-11-27 10:00:05.000123",
            "blob",
            768,
            100,
        )
        assert conn.exec_driver_sql(
            "select first_seen from article_urls where article_id = '100'"
        ).scalars().all() == ["2026-11-27 10:00:05.000123"]
        assert (
            conn.exec_driver_sql(
                "select count(*) from article_bands where article_id = '100'"
            ).scalar()
            == 24
        )
    later = datetime(2026, 11, 28, 9, 0)
    store.upsert([article("100", categories=[CAT_B])], now=later)  # merged
    store.upsert([article("100", headline="Sửa")], now=later + timedelta(seconds=1))  # updated
    with store.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "select last_seen, changed_at, revision from articles where article_id = '100'"
        ).one()
        assert tuple(row) == ("2026-11-28 09:00:01.000000", "2026-11-28 09:00:01.000000", 2)
        dates = conn.exec_driver_sql(
            "select distinct date_published from article_categories where article_id = '100'"
        ).scalars()
        assert list(dates) == ["2023-11-27 01:30:00.000000"]


def test_hot_statement_errors_are_sqlalchemy_errors(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="FOREIGN KEY"), store._write() as conn:
        store._p_bands.executemany(conn, [{"band_key": 1, "article_id": "missing"}] * 2)
    assert store.upsert([article("100")])[0].kind == "new"  # rolled back, usable


def test_content_hash_remembered_only_for_an_equal_record(store: Store) -> None:
    from danvan_crawler.store import content_hash

    first = article("100")
    assert store.content_hash(first) == content_hash(first)
    store.upsert([dict(first)])  # equal record: the remembered hash
    assert store.record("100")["content_hash"] == content_hash(first)

    edited = article("200")
    store.content_hash(edited)
    edited["headline"] = "Sửa sau khi băm"  # changed between the pipelines
    retyped = article("300", inLanguage=None)
    store.content_hash(retyped)
    retyped = dict(retyped, inLanguage=0)  # == False, not the same JSON
    store.upsert([edited, retyped])
    assert store.record("200")["content_hash"] == content_hash(edited)
    assert store.record("300")["content_hash"] == content_hash(retyped)
    from danvan_crawler.store.records import _same

    assert _same({"a": [1.5, {"b": "c"}]}, {"a": [1.5, {"b": "c"}]})
    assert not _same({"a": [0.0]}, {"a": [-0.0]})
    assert not _same({"a": 1}, {"a": True})
    assert not _same({"a": 1}, {"a": 1, "b": None})
    changed = dict(article("100"), headline="Khác")
    assert store.upsert([changed])[0].kind == "updated"  # nothing remembered any more


def test_transient_fields_are_no_content() -> None:
    from danvan_crawler.store.core import NON_CONTENT_FIELDS, TRANSIENT_FIELDS

    # a remembered hash of a record holding transient fields is the stored data's hash
    assert TRANSIENT_FIELDS <= NON_CONTENT_FIELDS


@pytest.mark.parametrize("count", [0, 1, 31, 32, 33, 499, 500, 501, 1203])
def test_look_ups_by_many_ids(store: Store, count: int) -> None:
    # precompiled IN lists of fixed sizes: padded, and chunked beyond the largest
    store.upsert([article("7"), article("1100")])
    wanted = [str(i) for i in range(count)] + ["7", "7"]
    signatures = {str(i): f"s{i}" for i in range(0, count, 3)}
    store.set_listing_signatures(signatures)
    assert store.known_ids(wanted) == {"7"} | ({"1100"} if count > 1100 else set())
    assert store.listing_signatures(wanted) == signatures
    assert store.listing_state(iter(wanted)) == (store.known_ids(wanted), signatures)


def test_contents_counts_articles_duplicates_and_dates_per_category_and_sub_site(
    store: Store,
) -> None:
    original = article("100", datePublished="2023-11-27T08:30:00+07:00")
    copy = article(
        "206",
        headline="Bài viết 100",
        articleBody=original["articleBody"],
        datePublished="2023-12-01T08:00:00+07:00",
        categories=[CAT_A, CAT_B],
    )
    other = article("207", datePublished="2024-01-02T07:00:00+07:00", categories=[CAT_B])
    assert [c.duplicate_of for c in store.upsert([original, copy, other])] == [None, "100", None]

    held = store.contents()
    # naive UTC, as stored
    assert (held["articles"], held["duplicates"]) == (3, 1)
    assert (held["oldest"], held["newest"]) == (datetime(2023, 11, 27, 1, 30), datetime(2024, 1, 2))
    by_url = {row["url"]: row for row in held["categories"]}
    assert {k: by_url[CAT_A["url"]][k] for k in ("articles", "duplicates", "newest")} == {
        "articles": 2,
        "duplicates": 1,
        "newest": datetime(2023, 12, 1, 1, 0),
    }
    assert (by_url[CAT_B["url"]]["articles"], by_url[CAT_B["url"]]["oldest"]) == (
        2,
        datetime(2023, 12, 1, 1, 0),
    )
    # an article in categories of both sub-sites counts in each
    assert {row["name"]: row["articles"] for row in held["sub_sites"]} == {
        "Ban dân vận tỉnh ủy": 2,
        "Tỉnh ủy Nghệ An": 2,
    }
