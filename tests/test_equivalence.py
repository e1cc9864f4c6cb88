"""scripts/equivalence.py: the proof that a refactor changed no output."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "equivalence.py"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("equivalence", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_only_run_timestamps_are_normalised(tmp_path: Path) -> None:
    eq = script()
    now = datetime.now(UTC)
    span = (now - timedelta(seconds=5), now + timedelta(seconds=5))
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, when in ((old, "2026-01-01T10:00:00+07:00"), (new, "2026-01-01T10:00:09+07:00")):
        (folder / "feeds").mkdir(parents=True)
        (folder / "articles.jsonl").write_text(
            f'{{"articleId":"1","crawledAt":"{when}","headline":"A"}}\n', encoding="utf-8"
        )
        stamp = now.astimezone().isoformat(timespec="seconds")
        (folder / "feeds" / "index.html").write_text(
            f'<time datetime="{stamp}">x</time><time datetime="2019-01-01T00:00:00+07:00">y</time>',
            encoding="utf-8",
        )
    assert eq.compare(old, new, (span, span)) == []

    # an article's own date is output, not a run timestamp
    (new / "feeds" / "index.html").write_text(
        '<time datetime="2019-01-02T00:00:00+07:00">y</time>', encoding="utf-8"
    )
    (new / "articles.jsonl").write_text(
        '{"articleId":"1","crawledAt":"x","headline":"B"}\n', encoding="utf-8"
    )
    (new / "extra.json").write_text("{}", encoding="utf-8")
    problems = eq.compare(old, new, (span, span))
    assert problems[0] == "only in NEW: extra.json"
    assert any('"headline":"B"' in p for p in problems)
    assert any("2019-01-02" in p for p in problems)


@pytest.mark.e2e
def test_head_against_itself_is_equivalent() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "HEAD", "HEAD", "--articles", "20"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "files identical" in done.stdout
