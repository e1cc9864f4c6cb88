"""The store's change log and the JSON Lines written from it (``danvan_crawler.stream``):
what is logged, how a path's cursor moves, what a killed writer leaves and how the next
one settles it, a write that fails half-way (a real file-size limit) leaving nothing
half-written, ``danvan export`` in the same format, dates without a time, the temporary
files of an interrupted publish, and the schema-4 migration of a store whose categories
a change of host duplicated."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler.cli import main
from danvan_crawler.dates import has_time
from danvan_crawler.feeds import publish
from danvan_crawler.store import SCHEMA_VERSION, open_store
from danvan_crawler.stream import ChangeStream, dumps_line, output_record, stored_line
from tests.test_pipelines import SCHEMA
from tests.test_store import BASE, CAT_A, CAT_B, article, body

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def edited(article_id: str, n: int) -> dict[str, Any]:
    return article(article_id, articleBody=body(int(article_id)) + f"\nSửa lần {n}.")


# -- the log and the cursor ------------------------------------------------------------


def test_only_new_and_updated_are_logged_and_coalesced_per_article(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        assert store.last_change() == 0
        store.upsert([article("1"), article("2")])
        store.upsert([article("1")])  # unchanged
        store.upsert([article("2", categories=[CAT_A, CAT_B])])  # merged
        assert store.last_change() == 2
        store.upsert([edited("1", 1)])
        store.upsert([edited("1", 2), article("3")])
        assert store.last_change() == 5
        got = [(r["articleId"], rev, change) for r, rev, change in store.changes_between(0, 5)]
        # one line per article, as stored now, in the order of its first change
        assert got == [("1", 3, "new"), ("2", 1, "new"), ("3", 1, "new")]
        got = [(r["articleId"], rev, change) for r, rev, change in store.changes_between(2, 5)]
        assert got == [("1", 3, "updated"), ("3", 1, "new")]
        assert [r["categories"] for r, _, _ in store.changes_between(1, 2)] == [
            sorted([CAT_A, CAT_B], key=lambda c: c["url"])
        ]


def test_a_path_gets_the_changes_stored_after_it_was_opened(tmp_path: Path) -> None:
    out = tmp_path / "out" / "changes.jsonl"
    with open_store(tmp_path / "s.db") as store:
        store.upsert([article("1")])  # before the path existed: not its business
        stream = ChangeStream(store, out)
        stream.open()
        store.upsert([article("2"), edited("1", 1)])
        result = stream.write()
        assert (result.lines, result.new, result.updated) == (2, 1, 1)
        lines = read(out)
        assert [(x["articleId"], x["change"], x["revision"]) for x in lines] == [
            ("2", "new", 1),
            ("1", "updated", 2),
        ]
        for line in lines:
            jsonschema.validate(line, SCHEMA)
        out.write_text("taken by the consumer\n", encoding="utf-8")
        assert not stream.write().written  # nothing new: the file is left alone
        assert out.read_text("utf-8") == "taken by the consumer\n"
        store.upsert([article("3")])
        assert stream.write().lines == 1
        assert [x["articleId"] for x in read(out)] == ["3"]
        assert sorted(p.name for p in out.parent.iterdir()) == ["changes.jsonl"]


def test_sequence_numbers_are_not_reused_once_the_log_is_emptied(tmp_path: Path) -> None:
    out = tmp_path / "changes.jsonl"
    with open_store(tmp_path / "s.db") as store:
        stream = ChangeStream(store, out)
        stream.open()
        store.upsert([article("1"), article("2")])
        assert stream.write().lines == 2
        assert list(store.changes_between(0, 10**9)) == []  # every consumer has them
    with open_store(tmp_path / "s.db") as store:  # SQLite would restart at 1 otherwise
        store.upsert([article("3")])
        assert store.last_change() == 3
        assert ChangeStream(store, out).write().lines == 1
        assert [x["articleId"] for x in read(out)] == ["3"]


def test_the_log_keeps_only_what_a_consumer_may_want(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    with open_store(tmp_path / "s.db") as store:
        store.upsert([article("1")])
        assert store.prune_changes() == 1  # no consumer: nobody will ever read it
        stream = ChangeStream(store, tmp_path / "a.jsonl")
        stream.open()
        store.upsert([article("2")], now=now - timedelta(days=100))
        store.upsert([article("3")], now=now)
        assert store.prune_changes() == 0  # the consumer has not read them yet
        # a change older than the age limit goes, whoever did not read it
        assert store.prune_changes(now - timedelta(days=90)) == 1
        assert [r["articleId"] for r, _, _ in store.changes_between(0, 10)] == ["3"]
        assert stream.write().lines == 1
        assert list(store.changes_between(0, 10)) == []
        # a consumer not opened since the limit is forgotten (it pins nothing any more)
        store.upsert([article("4")])
        future = datetime.now(UTC) + timedelta(days=1)
        assert store.prune_changes(future) == 1
        assert store.change_cursor(stream.consumer) is None


def test_a_killed_writer_is_settled_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "changes.jsonl"
    with open_store(tmp_path / "s.db") as store:
        stream = ChangeStream(store, out)
        stream.open()
        store.upsert([article("1")])
        # killed after marking a written file pending, before renaming it into place
        tmp = tmp_path / ".changes.jsonl.abcd1234.tmp"
        tmp.write_text('{"articleId":"1"}\n', encoding="utf-8")
        store.set_change_cursor(stream.consumer, 0, pending_seq=1, pending_file=str(tmp))
        # ... and a temporary file of a writer killed before it marked anything
        stale = tmp_path / ".changes.jsonl.zzzz9999.tmp"
        stale.write_text('{"articleId":', encoding="utf-8")
        assert stream.write().lines == 1  # written again, whole
        assert [x["articleId"] for x in read(out)] == ["1"]
        assert not tmp.exists() and not stale.exists()

        # killed after renaming into place, before moving the cursor: not written again
        out.unlink()
        store.upsert([article("2")])
        last = store.last_change()
        out.write_text('{"articleId":"2"}\n', encoding="utf-8")  # what the rename put there
        gone = tmp_path / ".changes.jsonl.gone0000.tmp"
        store.set_change_cursor(stream.consumer, 1, pending_seq=last, pending_file=str(gone))
        out.unlink()  # the consumer took it
        assert not stream.write().written
        assert store.change_cursor(stream.consumer).seq == last


LIMITED_WRITE = """
import resource, signal, sys
from danvan_crawler.store import open_store
from danvan_crawler.stream import ChangeStream, StreamError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
with open_store(sys.argv[1]) as store:
    try:
        ChangeStream(store, sys.argv[2]).write()
    except StreamError as exc:
        print(f"StreamError: {exc}")
        sys.exit(1)
"""


@pytest.mark.e2e
def test_a_write_that_fails_half_way_leaves_no_half_line(tmp_path: Path) -> None:
    """The file system refuses the JSON Lines after 64 KB (RLIMIT_FSIZE: the kernel's
    EFBIG, as ENOSPC on a full disk): no partial file, the previous one intact, the
    cursor where it was; the next write gives every line, whole."""
    db, out = tmp_path / "s.db", tmp_path / "changes.jsonl"
    with open_store(db) as store:
        ChangeStream(store, out).open()
        store.upsert([article(str(n), articleBody=body(n, 2000)) for n in range(1, 41)])
    out.write_text("the previous run's file\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-c", LIMITED_WRITE, str(db), str(out), str(64 * 1024)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.startswith("StreamError: cannot write the JSON Lines"), done.stdout
    assert out.read_text("utf-8") == "the previous run's file\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    with open_store(db) as store:
        assert store.change_cursor(str(out.resolve())).seq == 0
        assert ChangeStream(store, out).write().lines == 40
    text = out.read_text("utf-8")
    assert text.endswith("\n") and len(read(out)) == 40


# -- one format: export and the run's file ---------------------------------------------


def test_export_has_the_same_format_and_a_change_relative_to_since(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DANVAN_DB", "DANVAN_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "s.db"
    with open_store(db) as store:
        store.upsert([article("1"), article("2"), article("3")], now=T0)
        store.upsert([edited("1", 1)], now=T0 + timedelta(hours=1))
        store.upsert([article("2", categories=[CAT_A, CAT_B])], now=T0 + timedelta(hours=1))
        store.upsert([article("4")], now=T0 + timedelta(hours=2))
        stream = ChangeStream(store, tmp_path / "run.jsonl")
        stream.open()
        store.upsert([article("5")], now=T0 + timedelta(hours=3))
        stream.write()
    run_line = read(tmp_path / "run.jsonl")[0]

    since = (T0 + timedelta(minutes=30)).isoformat()
    assert main(["export", "--db", str(db), "--since", since]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(x["articleId"], x["change"], x["revision"]) for x in lines] == [
        ("1", "updated", 2),
        ("2", "merged", 1),
        ("4", "new", 1),
        ("5", "new", 1),
    ]
    assert list(lines[-1]) == list(run_line)  # the same fields, in the same order
    assert lines[-1] == run_line
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    assert main(["export", "--db", str(db)]) == 0
    whole = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {x["change"] for x in whole} == {"new"} and len(whole) == 5


def test_a_date_printed_without_a_time_says_so() -> None:
    assert has_time("Thứ Hai, 27/11/2023 08:30") is True
    assert has_time("08:30 ngày 27/11/2023") is True
    assert has_time("27/11/2023 - 08:30") is True
    assert has_time("Cập nhật lúc 09:15 ngày 28/11/2023") is True
    assert has_time("27-11-2023") is False
    assert has_time("ngày 27 tháng 11 năm 2023") is False
    assert has_time("2023-11-27") is False
    assert has_time("2023-11-27T08:30:00+07:00") is True
    assert has_time("không có ngày") is None
    date_only = article(
        "7", datePublished="2023-11-27T00:00:00+07:00", datePublishedRaw="27-11-2023"
    )
    line = output_record(date_only, revision=1, change="new")
    assert line["datePublishedHasTime"] is False and line["dateModifiedHasTime"] is None
    line = output_record(article("8"), revision=1, change="new")
    assert line["datePublishedHasTime"] is True


_TRICKY = st.sampled_from(
    ['"datePublishedRaw":"08:30 27/11/2023"', '\\"dateModified\\":null', "\\", '"', "\n",
     "Cập nhật lúc 09:15 ngày 28/11/2023", "27-11-2023", "\u2028", "}", "{", ",", "ô"]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_TRICKY, st.text(max_size=6)), max_size=8).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    headline=_TEXT,
    body=_TEXT,
    raw=st.one_of(st.none(), _TEXT, st.sampled_from(["27-11-2023", "08:30 ngày 27/11/2023"])),
    modified=st.booleans(),
    change=st.sampled_from(["new", "updated", "merged"]),
    revision=st.integers(1, 10**6),
)
def test_the_fast_line_equals_its_plain_definition(
    headline: str, body: str, raw: str | None, modified: bool, change: str, revision: int
) -> None:
    """``stored_line`` (the stored JSON text, annotations appended) gives the bytes of
    ``dumps_line(output_record(...))`` of the decoded record, whatever the text holds."""
    from danvan_crawler.store.base import _dumps

    record = article("1", headline=headline or "x", articleBody=body or "y")
    record["datePublishedRaw"] = raw
    if modified:
        record["dateModified"] = "2023-11-28T09:15:00+07:00"
        record["dateModifiedRaw"] = raw
    data = _dumps(record)
    assert stored_line(data, revision=revision, change=change) == dumps_line(
        output_record(json.loads(data), revision=revision, change=change)
    )


def test_the_store_gives_the_same_lines_raw_or_decoded(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        store.upsert([article("1"), article("2", dateModified="2023-11-28T09:15:00+07:00")])
        store.upsert([edited("1", 1)])
        decoded = [dumps_line(output_record(r, revision=v, change=c))
                   for r, v, c in store.changes_between(0, 10)]  # fmt: skip
        raw = [
            stored_line(r, revision=v, change=c)
            for r, v, c in store.changes_between(0, 10, raw=True)
        ]
        assert raw == decoded and len(raw) == 2
        decoded = [dumps_line(output_record(r, revision=v, change=c))
                   for r, v, c in store.export_changes()]  # fmt: skip
        raw = [stored_line(r, revision=v, change=c) for r, v, c in store.export_changes(raw=True)]
        assert raw == decoded and len(raw) == 2


# -- feeds folder ------------------------------------------------------------------------


def test_a_publish_removes_what_an_interrupted_publish_left(tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    out.mkdir()
    left = [".all.rss.k2j4h6g8.tmp", ".index.html.a1b2c3d4.tmp", ".site--x.json.____0000.tmp"]
    kept = [".keep", "notes.tmp", ".all.rss.tmp", ".other.txt.abcdefgh.tmp", "README"]
    for name in left + kept:
        (out / name).write_text("x", encoding="utf-8")
    with open_store(tmp_path / "s.db") as store:
        store.upsert([article("1")])
        result = publish(store, out)
    assert result.swept == sorted(left)
    names = {p.name for p in out.iterdir()}
    assert not names & set(left) and set(kept) <= names


# -- schema 4 --------------------------------------------------------------------------


def test_migration_4_merges_the_categories_a_new_host_duplicated(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    moved = {**CAT_A, "url": CAT_A["url"].replace(BASE, "http://127.0.0.1:8123")}
    with open_store(db) as store:
        store.upsert([article("1"), article("2", categories=[CAT_A, CAT_B])], now=T0)
    conn = sqlite3.connect(db)  # back to version 3, with what the old code did on a move
    conn.executescript(
        """
        DROP INDEX ux_categories_url_key;
        ALTER TABLE categories DROP COLUMN url_key;
        ALTER TABLE articles DROP COLUMN revised_at;
        DROP TABLE article_changes; DROP TABLE change_cursors; DROP TABLE store_meta;
        DELETE FROM schema_version WHERE version > 3;
        """
    )
    conn.execute(
        "INSERT INTO categories (url, slug, name, sub_site, first_seen, last_seen)"
        " VALUES (?, ?, ?, ?, '2026-12-01 00:00:00', '2026-12-01 00:00:00')",
        (moved["url"], moved["slug"], moved["name"], moved["subSite"]),
    )
    new_id = conn.execute("SELECT category_id FROM categories WHERE url = ?", (moved["url"],))
    new_id = new_id.fetchone()[0]
    conn.execute(
        "INSERT INTO article_categories SELECT ?, article_id, first_seen, date_published,"
        " article_num FROM article_categories WHERE article_id = '1'",
        (new_id,),
    )
    data = json.loads(
        conn.execute("SELECT data FROM articles WHERE article_id = '1'").fetchone()[0]
    )
    data["categories"] = sorted([CAT_A, moved], key=lambda c: c["url"])
    conn.execute(
        "UPDATE articles SET data = ? WHERE article_id = '1'",
        (json.dumps(data, ensure_ascii=False),),
    )
    conn.commit()
    conn.close()

    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        categories = store.categories()
        assert sorted(c["url"] for c in categories) == sorted([moved["url"], CAT_B["url"]])
        assert store.get("1")["categories"] == [moved]  # one entry, the URL seen last
        assert {c["url"] for c in store.get("2")["categories"]} == {moved["url"], CAT_B["url"]}
        # both articles are in the one category, whichever URL asks for it
        for url in (moved["url"], CAT_A["url"]):
            assert sorted(a["articleId"] for a in store.latest(url, 10)) == ["1", "2"]
        assert len(store.store_id()) == 32
        assert store.record("1")["revision"] == 1
        store.upsert([article("3", categories=[moved])])
        assert store.last_change() == 1
    with open_store(db) as store:
        assert store.categories() == categories
