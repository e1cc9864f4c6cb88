"""``danvan export``: the store as JSON Lines, whole or since a time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from danvan_crawler.cli import main
from danvan_crawler.store import open_store
from tests.test_pipelines import SCHEMA
from tests.test_store import article, body

T0 = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no danvan.toml from elsewhere
    for name in ("DANVAN_DB", "DANVAN_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "danvan.db"
    with open_store(path) as st:
        st.upsert([article("1"), article("2")], now=T0)
        st.upsert([article("3")], now=T0 + timedelta(hours=1))
        st.upsert([article("1", articleBody=body(1) + "\nSửa.")], now=T0 + timedelta(hours=2))
    return path


def test_export_whole_store_to_a_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "all.jsonl"
    assert main(["export", "--db", str(db), "--out", str(out)]) == 0
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["articleId"] for x in lines] == ["2", "3", "1"]
    for line in lines:
        jsonschema.validate(line, SCHEMA)
    assert sorted(p.name for p in out.parent.iterdir()) == ["all.jsonl"]  # no temp file left


def test_export_since_to_stdout(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    since = (T0 + timedelta(minutes=90)).astimezone().isoformat()
    assert main(["export", "--db", str(db), "--since", since, "--out", "-"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["articleId"] for x in lines] == ["1"]
    assert lines[0]["articleBody"].endswith("Sửa.")


def test_export_since_naive_time_is_utc(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(db), "--since", "2026-11-27T10:30:00"]) == 0
    assert [json.loads(x)["articleId"] for x in capsys.readouterr().out.splitlines()] == ["3", "1"]


def test_export_replaces_an_existing_file(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("old\n", encoding="utf-8")
    assert main(["export", "--db", str(db), "--out", str(out), "--since", "2030-01-01"]) == 0
    assert out.read_text(encoding="utf-8") == ""


def test_export_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--db", str(tmp_path / "missing.db")]) == 1
    assert "no store at" in capsys.readouterr().err
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(SystemExit) as exc:
        main(["export", "--db", str(db), "--since", "yesterday"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--since" in err and len(err.strip().splitlines()) == 1
