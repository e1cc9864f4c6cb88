"""`danvan run` without a public URL warns that the feeds' self links point at
127.0.0.1, in the words `danvan publish` uses; with one, it does not. Real runs
against the replica."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ReplicaClient
from tests.test_crawl_config import danvan

WARNING = "no public URL configured (DANVAN_PUBLIC_URL): self links use http://127.0.0.1:8080/"


def test_run_and_publish_warn_alike_about_self_links(
    tmp_path: Path, replica: ReplicaClient
) -> None:
    common = ["--site", replica.url, "--db", "s.db", "--out", "feeds"]
    quick = ["-s", "CLOSESPIDER_ITEMCOUNT=3"]
    run = danvan("run", *common, *quick, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    warned = [line for line in run.stderr.splitlines() if WARNING in line]
    assert len(warned) == 1, run.stderr
    assert "http://127.0.0.1:8080/all.rss" in (tmp_path / "feeds" / "all.rss").read_text()

    publish = danvan("publish", "--db", "s.db", "--out", "feeds", cwd=tmp_path)
    assert publish.returncode == 0
    assert [line for line in publish.stderr.splitlines() if WARNING in line] == [WARNING]

    public = ["--public-url", "https://feeds.example.org/"]
    run = danvan("run", *common, *quick, *public, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "no public URL" not in run.stderr
    quiet = danvan("run", "-q", *common, *quick, cwd=tmp_path)  # errors only
    assert quiet.returncode == 0 and quiet.stderr == ""
