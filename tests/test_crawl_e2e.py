"""End to end: the replica in a subprocess on 127.0.0.1, ``danvan crawl`` in another, the
JSON Lines checked against the replica's ``/_replica/truth.jsonl`` and the JSON Schema.
Also: the spider's settings decisions (politeness, User-Agent) on a real Crawler."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from danvan_crawler.spiders.portal import PortalSpider, is_loopback_url

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads(
    (ROOT / "danvan_crawler" / "schema" / "article.schema.json").read_text(encoding="utf-8")
)
#: Fields the truth has that the crawl does not produce: none (the pipelines add
#: documentRefs and duplicateOf; originals are fetched before their copies).
NOT_CRAWLED: tuple[str, ...] = ()


class Crawl:
    def __init__(self, proc: subprocess.CompletedProcess[str], jsonl: Path) -> None:
        self.returncode = proc.returncode
        self.log = proc.stderr
        self.raw = jsonl.read_bytes() if jsonl.exists() else b""
        self.records = [json.loads(line) for line in self.raw.decode("utf-8").splitlines()]
        self.stats = {k: int(v) for k, v in re.findall(r"'(danvan/[^']+)': (\d+)", self.log)}


def crawl(site: str, out: Path, *settings: str) -> Crawl:
    jsonl = out / "articles.jsonl"
    args = [sys.executable, "-m", "danvan_crawler.cli", "crawl", "--site", site]
    args += ["--jsonl", str(jsonl)]
    for setting in settings:
        args += ["-s", setting]
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        args, cwd=out, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    return Crawl(proc, jsonl)


def comparable_truth(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        r["articleId"]: {k: v for k, v in r.items() if k not in NOT_CRAWLED}
        for r in records
        if "xss" not in r
    }


@pytest.fixture(scope="module")
def full_crawl(replica: Any, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return crawl(replica.url, tmp_path_factory.mktemp("crawl"))


@pytest.fixture(scope="module")
def truth(replica: Any) -> dict[str, dict[str, Any]]:
    return comparable_truth(replica.truth())


def test_no_remote_code_execution_server_in_a_crawl(full_crawl: Crawl) -> None:
    """Scrapy's remote control (an HTTP server running code sent to it) is not loaded."""
    enabled = full_crawl.log.split("Enabled extensions:", 1)[1].split("]", 1)[0]
    assert "scrapy.extensions.corestats.CoreStats" in enabled
    assert "RemoteControl" not in enabled
    assert "remote control" not in full_crawl.log.lower()  # its "listening on" line


def test_crawl_succeeds_without_warnings(full_crawl: Crawl) -> None:
    assert full_crawl.returncode == 0, full_crawl.log[-3000:]
    noisy = [
        line for line in full_crawl.log.splitlines() if " WARNING: " in line or " ERROR: " in line
    ]
    assert noisy == []


def test_every_article_comes_out_exactly_once(
    full_crawl: Crawl, truth: dict[str, dict[str, Any]]
) -> None:
    counts = Counter(r["articleId"] for r in full_crawl.records)
    assert [aid for aid, n in counts.items() if n > 1] == []
    assert set(counts) == set(truth)


def test_every_field_equals_the_truth(full_crawl: Crawl, truth: dict[str, dict[str, Any]]) -> None:
    got = {r["articleId"]: r for r in full_crawl.records}
    wrong: Counter[str] = Counter()
    example: dict[str, tuple[str, Any, Any]] = {}
    for aid, expected in truth.items():
        for field, value in expected.items():
            if got.get(aid, {}).get(field) != value:
                wrong[field] += 1
                example.setdefault(field, (aid, value, got.get(aid, {}).get(field)))
    assert not wrong, (wrong, example)


def test_article_requests_wait_in_a_bounded_window(
    replica: Any, tmp_path: Path, truth: dict[str, dict[str, Any]]
) -> None:
    """Article requests are built as earlier ones are fetched: with a window of 6, never
    more than 6 wait in the scheduler, and the crawl still gives every article exactly as
    the truth has it (duplicateOf included: originals still come before their copies)."""
    small = crawl(replica.url, tmp_path, "DANVAN_ARTICLE_WINDOW=6")
    assert small.returncode == 0, small.log[-3000:]
    assert 1 <= small.stats["danvan/articles/waiting_max"] <= 6
    got = {r["articleId"]: r for r in small.records}
    assert len(got) == len(small.records) == len(truth)
    for article_id, expected in truth.items():
        record = {k: v for k, v in got[article_id].items() if k in expected}
        assert record == expected, article_id


def test_the_default_window_is_not_the_whole_backlog(full_crawl: Crawl) -> None:
    assert full_crawl.stats["danvan/articles/requested"] == 300
    assert full_crawl.stats["danvan/articles/waiting_max"] <= 128


def test_every_line_validates_against_the_schema(full_crawl: Crawl) -> None:
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    assert full_crawl.records
    for record in full_crawl.records:
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, (record["url"], [e.message for e in errors[:3]])


def test_jsonl_is_utf8_without_escapes(full_crawl: Crawl) -> None:
    text = full_crawl.raw.decode("utf-8")
    assert "\\u" not in text
    assert "Thái Hòa thực hiện tốt Quy chế công tác dân vận" in text
    assert len(text.splitlines()) == len(full_crawl.records)


def test_categories_are_sorted_by_url_and_crawl_time_is_local(full_crawl: Crawl) -> None:
    for record in full_crawl.records:
        urls = [c["url"] for c in record["categories"]]
        assert urls == sorted(urls) and urls
        assert record["crawledAt"].endswith("+07:00")
    assert any(len(r["categories"]) > 1 for r in full_crawl.records)


def test_loopback_lifts_politeness_and_says_so(full_crawl: Crawl) -> None:
    assert "politeness lifted (site URL is loopback)" in full_crawl.log


def test_classic_layout_needs_no_fallback_nor_subsite_home(full_crawl: Crawl) -> None:
    assert not [k for k in full_crawl.stats if k.startswith("danvan/extract/")]
    assert all(record["fieldSources"] == {} for record in full_crawl.records)
    assert "danvan/subsites" not in full_crawl.stats  # the home menu lists their categories
    assert full_crawl.stats["danvan/articles/requested"] == len(full_crawl.records)


def test_layout_change_is_survived_and_counted(replica_factory: Any, tmp_path: Path) -> None:
    modern = replica_factory(articles=40, layout="modern")
    result = crawl(modern.url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]
    truth = comparable_truth(modern.truth())
    got = {r["articleId"]: r for r in result.records}
    assert len(result.records) == len(got) == len(truth)
    for field in ("headline", "articleBody", "datePublished", "subSite", "authors", "images"):
        assert all(got[aid][field] == truth[aid][field] for aid in truth), field
    for field in ("headline", "articleBody", "datePublished", "subSite"):
        assert result.stats[f"danvan/extract/fallback/{field}"] == len(truth)
        # every record says which fallback gave the field
        assert all(field in r["fieldSources"] for r in result.records), field


def test_category_settings_restrict_and_rename(replica_factory: Any, tmp_path: Path) -> None:
    small = replica_factory(articles=40)
    truth = comparable_truth(small.truth())
    slug = "dan-van-kheo"
    listed = {aid for aid, r in truth.items() if slug in [c["slug"] for c in r["categories"]]}
    assert listed
    rename = json.dumps({slug: {"name": "Dân vận khéo (đổi tên)"}}, ensure_ascii=False)
    result = crawl(
        small.url, tmp_path, f"DANVAN_CATEGORIES={slug}", f"DANVAN_CATEGORY_OVERRIDES={rename}"
    )
    assert result.returncode == 0, result.log[-3000:]
    assert {r["articleId"] for r in result.records} == listed
    for record in result.records:
        assert [(c["slug"], c["name"]) for c in record["categories"]] == [
            (slug, "Dân vận khéo (đổi tên)")
        ]
    assert result.stats["danvan/categories"] == 1


# -- settings decisions on a real Crawler ---------------------------------------------------


def _crawler(**settings: Any) -> Crawler:
    """A Crawler as ``danvan crawl`` builds it: project settings, then command-line ones."""
    project = Settings()
    project.setmodule("danvan_crawler.settings", priority="project")
    project.update(settings, priority="cmdline")
    return Crawler(PortalSpider, project)


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a spider built from its crawler opens the default store, danvan.db in the cwd
    monkeypatch.chdir(tmp_path)


def _spider_settings(site: str, **settings: Any) -> Any:
    crawler = _crawler(**settings)
    # as Crawler.crawl does: the spider, then the add-ons adjust the settings
    crawler.spider = PortalSpider.from_crawler(crawler, site=site)
    crawler.addons.load_settings(crawler.settings)
    return crawler.settings


def test_live_portal_is_crawled_politely() -> None:
    settings = _spider_settings("https://nghean.dcs.vn")
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 2
    assert settings.getfloat("DOWNLOAD_DELAY") == 1.0
    assert settings.getbool("ROBOTSTXT_OBEY") is True
    assert settings["USER_AGENT"].startswith("danvan-crawler/")
    assert "(+https://" in settings["USER_AGENT"]


@pytest.mark.parametrize("site", ["http://127.0.0.1:8000", "http://localhost:1", "http://[::1]:80"])
def test_loopback_is_not_throttled(site: str) -> None:
    assert is_loopback_url(site)
    settings = _spider_settings(site)
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") > 2


def test_politeness_setting_wins_over_auto() -> None:
    settings = _spider_settings("http://127.0.0.1:8000", DANVAN_POLITENESS="polite")
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    settings = _spider_settings("https://nghean.dcs.vn", DANVAN_POLITENESS="off")
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False


def test_command_line_settings_and_contact_url_are_respected() -> None:
    settings = _spider_settings(
        "http://127.0.0.1:8000",
        DOWNLOAD_DELAY=3,
        DANVAN_CONTACT_URL="https://example.org/contact",
    )
    assert settings.getfloat("DOWNLOAD_DELAY") == 3
    assert settings["USER_AGENT"].endswith("(+https://example.org/contact)")


def test_allowed_domains_follow_the_site() -> None:
    crawler = _crawler()
    spider = PortalSpider.from_crawler(crawler, site="http://127.0.0.1:8123/")
    assert spider.allowed_domains == ["127.0.0.1"]
    assert spider.profile.base_url == "http://127.0.0.1:8123"


@pytest.mark.e2e
def test_unreachable_site_fails_the_crawl(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = crawl(f"http://127.0.0.1:{port}/", tmp_path, "RETRY_TIMES=0")
    assert result.returncode == 1
    assert "home page failed" in result.log
    assert result.records == []


@pytest.mark.e2e
def test_bad_site_url_is_a_usage_error(tmp_path: Path) -> None:
    result = crawl("ftp://example.org", tmp_path)
    assert result.returncode == 2
    # the configuration's wording, as for `danvan run`
    assert result.log.strip().splitlines() == [
        "danvan crawl: error: invalid value for site ('ftp://example.org' from flag --site): "
        "expected an http(s) URL such as https://nghean.dcs.vn"
    ]


def test_requests_share_one_callback_so_scrapy_reads_its_source_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Scrapy checks a generator callback's source for ``return value`` in a cache keyed by
    # weak references: a fresh bound method per request made it parse the source again
    # whenever the request holding the cached one was gone.
    import gc
    import inspect

    import scrapy.utils.misc

    spider = PortalSpider.from_crawler(_crawler(), site="http://127.0.0.1:8123/")
    reads: list[str] = []  # names only: holding the callback would keep it cached
    real = inspect.getsource

    def counting(obj: Any) -> str:
        reads.append(obj.__name__)
        return real(obj)

    monkeypatch.setattr(inspect, "getsource", counting)
    for n in range(3):
        request = spider.article_request(str(n), f"http://127.0.0.1:8123/a-{n}.html")
        assert inspect.isgeneratorfunction(request.callback)
        scrapy.utils.misc.warn_on_generator_with_return_value(spider, request.callback)
        del request
        gc.collect()
    assert reads == ["parse_article"]
