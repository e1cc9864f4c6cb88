"""Every DANVAN_* variable that a `danvan COMMAND --help` names is one the configuration
reads (`danvan config` shows it as the value's source) or one the distributed commands
read themselves; the behaviour per command is tested elsewhere (crawl:
tests/test_crawl_config.py; run: tests/test_config.py)."""

from __future__ import annotations

import re
from contextlib import redirect_stdout
from io import StringIO

import pytest

from danvan_crawler.cli import COMMANDS, build_parser
from danvan_crawler.config import load_config
from danvan_crawler.configkeys import KEYS

#: read by seed and worker themselves (commands/seed.py distributed_settings)
READ_DIRECTLY = {"DANVAN_REDIS_URL", "DANVAN_REDIS_PREFIX"}
SAMPLE = {
    "site": "http://127.0.0.1:9/",
    "db": "/tmp/x.db",
    "create": "true",
    "jsonl": "x.jsonl",
    "out": "somewhere",
    "public_url": "https://feeds.example.org/",
    "limit": "7",
    "profile": "nghean-modern",
    "crawl_interval_minutes": "15",
    "log_file": "x.log",
}


def help_texts() -> dict[str, str]:
    parser = build_parser()
    texts = {}
    for name in COMMANDS:
        out = StringIO()
        with redirect_stdout(out), pytest.raises(SystemExit):
            parser.parse_args([name, "--help"])
        texts[name] = out.getvalue()
    return texts


def named_variables() -> set[tuple[str, str]]:
    return {
        (command, name)
        for command, text in help_texts().items()
        for name in re.findall(r"DANVAN_[A-Z][A-Z_]*[A-Z]", text)
    }


def test_help_texts_name_variables() -> None:
    assert ("crawl", "DANVAN_SITE_URL") in named_variables()


@pytest.mark.parametrize("variable", sorted({name for _, name in named_variables()}))
def test_every_variable_a_help_names_is_read(variable: str) -> None:
    if variable in READ_DIRECTLY:
        return
    keys = [key for key in KEYS if variable in (key.env, key.env_alias)]
    assert keys, f"{variable} is named by a --help but read by nothing"
    (key,) = keys
    config = load_config(env={variable: SAMPLE[key.name]})
    assert config.source(key.name) == f"env {variable}"
