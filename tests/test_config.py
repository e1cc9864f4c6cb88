"""Configuration: defaults < file < environment < flags, each value with its source."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from danvan_crawler.config import ConfigError, add_config_arguments, load_config


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_config_arguments(parser)
    return parser.parse_args(argv)


def write_toml(folder: Path, text: str, name: str = "danvan.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_env_or_flags(tmp_path: Path) -> None:
    config = load_config(parse([]), env={}, cwd=tmp_path)
    assert config.path is None
    assert config["limit"] == 50
    assert config["out"] == "feeds"
    assert config.source("limit").startswith("default")


def test_precedence_file_then_env_then_flag(tmp_path: Path) -> None:
    write_toml(tmp_path, 'limit = 10\nout = "from-file"\ndb = "file.db"\n')
    env = {"DANVAN_LIMIT": "20", "DANVAN_OUT": "from-env"}

    only_file = load_config(parse([]), env={}, cwd=tmp_path)
    assert only_file["limit"] == 10
    assert only_file.source("limit") == f"file {tmp_path / 'danvan.toml'}"

    file_and_env = load_config(parse([]), env=env, cwd=tmp_path)
    assert file_and_env["limit"] == 20
    assert file_and_env.source("limit") == "env DANVAN_LIMIT"
    assert file_and_env["out"] == "from-env"
    assert file_and_env["db"] == "file.db"  # the file still wins over the default

    all_three = load_config(parse(["--limit", "30"]), env=env, cwd=tmp_path)
    assert all_three["limit"] == 30
    assert all_three.source("limit") == "flag --limit"
    assert all_three["out"] == "from-env"
    assert all_three.source("db").startswith("file ")


def test_config_flag_names_the_file_and_tables_flatten(tmp_path: Path) -> None:
    path = write_toml(
        tmp_path,
        "[alarm]\nfallback_ratio = 0.35\n[scrapy]\nDOWNLOAD_DELAY = 2\nDANVAN_FEED_LIMIT = 7\n",
        name="elsewhere.toml",
    )
    config = load_config(parse(["--config", str(path)]), env={}, cwd=tmp_path)
    assert config.path == path
    assert config["alarm_fallback_ratio"] == 0.35
    assert config["limit"] == 7  # a [scrapy] entry naming a key's setting sets the key
    settings = config.scrapy_settings()
    assert settings["DOWNLOAD_DELAY"] == 2
    assert settings["DANVAN_ALARM_FALLBACK_RATIO"] == 0.35
    assert settings["DANVAN_FEED_LIMIT"] == 7


def test_scrapy_settings_pass_through_and_map_to_keys(tmp_path: Path) -> None:
    args = parse(["-s", "CLOSESPIDER_PAGECOUNT=5", "-s", "DANVAN_SITE_URL=http://127.0.0.1:9/"])
    config = load_config(args, env={}, cwd=tmp_path)
    assert config.scrapy["CLOSESPIDER_PAGECOUNT"].value == "5"
    assert config["site"] == "http://127.0.0.1:9/"
    assert config.source("site") == "flag -s DANVAN_SITE_URL"
    assert config.scrapy_settings()["DANVAN_SITE_URL"] == "http://127.0.0.1:9/"


def test_tracking_params_from_the_file_or_the_environment_reach_the_setting(
    tmp_path: Path,
) -> None:
    assert load_config(parse([]), env={}, cwd=tmp_path)["tracking_params"] == []
    write_toml(tmp_path, 'tracking_params = ["ref"]\n')
    from_file = load_config(parse([]), env={}, cwd=tmp_path)
    assert from_file.scrapy_settings()["DANVAN_TRACKING_PARAMS"] == ["ref"]
    from_env = load_config(parse([]), env={"DANVAN_TRACKING_PARAMS": "ref, src"}, cwd=tmp_path)
    assert from_env["tracking_params"] == ["ref", "src"]
    assert from_env.source("tracking_params") == "env DANVAN_TRACKING_PARAMS"


@pytest.mark.parametrize(
    ("toml", "env", "argv", "needle"),
    [
        ("colour = 'blue'\n", {}, [], "unknown key colour"),
        ("[alarm]\nloudness = 3\n", {}, [], "unknown key alarm_loudness"),
        ("limit = 'many'\n", {}, [], "invalid value for limit"),
        ("", {"DANVAN_LIMIT": "0"}, [], "expected an integer >= 1"),
        ("", {"DANVAN_ALARM_FALLBACK_RATIO": "1.5"}, [], "between 0 and 1"),
        ("", {}, ["--site", "nghean.dcs.vn"], "expected an http(s) URL"),
        ("", {}, ["--public-url", "ftp://x.org/"], "invalid value for public_url"),
        ("", {}, ["-s", "NOEQUALS"], "-s expects NAME=VALUE"),
        ("limit = [\n", {}, [], "not valid TOML"),
        ("tracking_params = [1]\n", {}, [], "expected a list of names"),
    ],
)
def test_bad_configuration_is_one_line_error(
    tmp_path: Path, toml: str, env: dict[str, str], argv: list[str], needle: str
) -> None:
    write_toml(tmp_path, toml)
    with pytest.raises(ConfigError) as info:
        load_config(parse(argv), env=env, cwd=tmp_path)
    message = str(info.value)
    assert needle in message
    assert "\n" not in message


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(parse(["--config", "nope.toml"]), env={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="DANVAN_CONFIG"):
        load_config(parse([]), env={"DANVAN_CONFIG": "nope.toml"}, cwd=tmp_path)


REPO = Path(__file__).resolve().parents[1]


def danvan(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DANVAN_")}
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "danvan_crawler", *args],
        cwd=cwd,
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_danvan_config_prints_values_and_sources(tmp_path: Path) -> None:
    write_toml(tmp_path, 'out = "file-out"\nlimit = 10\ndb = "file.db"\n')
    result = danvan(
        ["config", "--limit", "30", "-s", "DOWNLOAD_DELAY=3"],
        cwd=tmp_path,
        env={"DANVAN_LIMIT": "20", "DANVAN_DB": "env.db"},
    )
    assert result.returncode == 0, result.stderr
    lines = {line.split("=")[0].strip(): line for line in result.stdout.splitlines()}
    assert "file-out" in lines["out"] and "(file " in lines["out"]
    assert "env.db" in lines["db"] and "(env DANVAN_DB)" in lines["db"]
    assert "30" in lines["limit"] and "(flag --limit)" in lines["limit"]
    assert "(flag -s DOWNLOAD_DELAY)" in lines["-s DOWNLOAD_DELAY"]
    assert lines["site"].rstrip().endswith("(default)") or "default" in lines["site"]

    as_json = danvan(["config", "--json"], cwd=tmp_path, env={"DANVAN_LIMIT": "20"})
    data = json.loads(as_json.stdout)
    assert data["values"]["limit"] == {"value": 20, "source": "env DANVAN_LIMIT"}
    assert data["file"] == str(tmp_path / "danvan.toml")


@pytest.mark.e2e
def test_danvan_config_bad_value_exits_2_with_one_line(tmp_path: Path) -> None:
    write_toml(tmp_path, "speed = 3\n")
    result = danvan(["config"], cwd=tmp_path, env={})
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unknown key speed" in result.stderr
    assert "Traceback" not in result.stderr
