"""Site profiles: the replica's "modern" layout is crawled correctly by switching the
profile (``--profile nghean-modern``), nothing else; profiles are data files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from danvan_crawler.profile import DEFAULT_PROFILE, load_profile, site_key, site_output

ROOT = Path(__file__).resolve().parent.parent


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def stats_of(log: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"'(danvan/[^']+)': (\d+)", log)}


def test_every_packaged_profile_loads() -> None:
    names = sorted(
        p.name.removesuffix(".toml")
        for p in resources.files("danvan_crawler").joinpath("profiles").iterdir()
        if p.name.endswith(".toml")
    )
    assert {"nghean", "nghean-modern"} <= set(names)
    for name in names:
        profile = load_profile(name)
        assert profile.name == name
        assert profile.article.headline and profile.listing.item


def test_modern_profile_is_the_same_site_with_another_layout() -> None:
    classic, modern = load_profile("nghean"), load_profile("nghean-modern")
    assert modern.layout == "modern" and classic.layout == "classic"
    assert modern.base_url == classic.base_url
    assert modern.article_re.pattern == classic.article_re.pattern
    assert modern.article.headline != classic.article.headline


def test_site_output_keeps_the_default_layout_and_namespaces_others(tmp_path: Path) -> None:
    assert site_output(tmp_path, None, DEFAULT_PROFILE) == (tmp_path, None)
    out, url = site_output(tmp_path, "https://feeds.example/", "nghean-modern")
    assert out == tmp_path / "nghean-modern"
    assert url == "https://feeds.example/nghean-modern/"
    custom = tmp_path / "custom.toml"
    text = resources.files("danvan_crawler").joinpath("profiles", "nghean.toml").read_text("utf-8")
    custom.write_text(text.replace('name = "nghean"', 'name = "other-site"', 1), "utf-8")
    assert site_key(str(custom)) == "other-site"
    assert site_output(tmp_path, None, str(custom))[0] == tmp_path / "other-site"


@pytest.mark.e2e
def test_unknown_profile_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "crawl", "--site", "http://127.0.0.1:9", "--profile", "no-such")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no-such" in proc.stderr


@pytest.fixture(scope="module")
def modern_replica(request: pytest.FixtureRequest) -> Any:
    from tests.conftest import ReplicaClient

    client = ReplicaClient(articles=40, layout="modern", seed=3)
    request.addfinalizer(client.stop)
    return client


@pytest.mark.e2e
def test_switching_the_profile_is_all_it_takes(modern_replica: Any, tmp_path: Path) -> None:
    jsonl = tmp_path / "modern.jsonl"
    proc = run_cli(
        tmp_path,
        "crawl",
        "--site",
        modern_replica.url,
        "--profile",
        "nghean-modern",
        "--jsonl",
        str(jsonl),
        "--db",
        str(tmp_path / "modern.db"),
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = stats_of(proc.stderr)
    assert [k for k in stats if k.startswith("danvan/extract/")] == []  # no fallback, no miss
    got = {r["articleId"]: r for r in map(json.loads, jsonl.read_text("utf-8").splitlines())}
    truth = {r["articleId"]: r for r in modern_replica.truth()}
    assert sorted(got) == sorted(truth)
    for article_id, expected in truth.items():
        record = got[article_id]
        assert {k: record.get(k) for k in expected} == expected, article_id


@pytest.mark.e2e
def test_the_classic_profile_on_the_modern_layout_needs_fallbacks(
    modern_replica: Any, tmp_path: Path
) -> None:
    """The control: without the right profile the same crawl leans on fallbacks."""
    proc = run_cli(
        tmp_path,
        "crawl",
        "--site",
        modern_replica.url,
        "--db",
        str(tmp_path / "classic.db"),
        "-s",
        "CLOSESPIDER_ITEMCOUNT=5",
    )
    stats = stats_of(proc.stderr)
    assert any(k.startswith("danvan/extract/fallback/") for k in stats), proc.stderr[-3000:]
