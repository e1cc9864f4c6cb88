"""Configuration for ``danvan``: a TOML file, ``DANVAN_*`` environment variables, flags.

Precedence, lowest first: built-in defaults (the value in ``danvan_crawler/settings.py``
when that module defines the key's Scrapy setting), the TOML file, the environment, the
command-line flags. Every value remembers where it came from, which ``danvan config``
prints.

The file is ``danvan.toml`` in the working folder, or the one named by ``--config PATH``
(or by ``DANVAN_CONFIG``). Its keys are the names of :data:`configkeys.KEYS`, at top level or
grouped in a table named after their prefix (``[alarm] fallback_ratio = 0.3`` is
``alarm_fallback_ratio = 0.3``). A ``[scrapy]`` table passes Scrapy settings through
verbatim, like ``-s NAME=VALUE`` on the command line does::

    site = "https://nghean.dcs.vn"
    db = "/var/lib/danvan/danvan.db"
    out = "/srv/www/feeds"
    public_url = "https://feeds.example.org/"

    [alarm]
    fallback_ratio = 0.3

    [scrapy]
    DOWNLOAD_DELAY = 2

The environment variable of key ``k`` is ``DANVAN_`` + ``k`` upper-cased
(``DANVAN_PUBLIC_URL``); a key's Scrapy setting named ``DANVAN_*`` is read from the
environment too, below it (``DANVAN_SITE_URL`` < ``DANVAN_SITE``). Unknown keys in
the file and values that do not parse raise :class:`ConfigError`, whose message is
one line; commands turn it into exit code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from danvan_crawler.configkeys import KEYS, KEYS_BY_NAME, KEYS_BY_SETTING, Key, _bool

logger = logging.getLogger(__name__)

#: The file looked for in the working folder when ``--config`` is not given.
DEFAULT_CONFIG_NAME = "danvan.toml"
#: Environment variable naming the configuration file (below ``--config``).
CONFIG_ENV = "DANVAN_CONFIG"
#: The Scrapy settings module the defaults are read from.
SETTINGS_MODULE = "danvan_crawler.settings"


class ConfigError(ValueError):
    """A configuration problem, told in one line (exit code 2)."""


@dataclass(frozen=True)
class Value:
    """A configuration value and where it came from (``default``, ``file ...``,
    ``env DANVAN_X``, ``flag --x``)."""

    value: Any
    source: str


@dataclass(frozen=True)
class Config:
    """The effective configuration."""

    values: Mapping[str, Value]
    #: Scrapy settings passed through (``[scrapy]`` table, ``-s NAME=VALUE``).
    scrapy: Mapping[str, Value]
    #: The file read, if any.
    path: Path | None = None

    def __getitem__(self, name: str) -> Any:
        return self.values[name].value

    def source(self, name: str) -> str:
        return self.values[name].source

    def scrapy_settings(self) -> dict[str, Any]:
        """Settings to lay over ``danvan_crawler.settings`` for a crawl."""
        settings: dict[str, Any] = {}
        for key in KEYS:
            if key.setting and self.values[key.name].value is not None:
                settings[key.setting] = self.values[key.name].value
        for name, value in self.scrapy.items():
            settings[name] = value.value
        return settings

    def describe(self) -> str:
        """The effective configuration, one key a line, with sources."""
        rows = [(name, _show(value.value), value.source) for name, value in self.values.items()]
        rows += [
            (f"-s {name}", _show(value.value), value.source) for name, value in self.scrapy.items()
        ]
        width = max(len(row[0]) for row in rows)
        vwidth = min(max(len(row[1]) for row in rows), 50)
        header = f"# configuration file: {self.path if self.path else 'none'}"
        lines = [header]
        lines += [
            f"{name:<{width}} = {shown:<{vwidth}}  ({source})" for name, shown, source in rows
        ]
        return "\n".join(lines)


def _show(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, str):
        return value
    return repr(value) if not isinstance(value, (int, float)) else str(value)


def add_config_arguments(
    parser: argparse.ArgumentParser, names: Iterable[str] | None = None
) -> None:
    """Add ``--config``, ``-s`` and the flags of the keys ``names`` (default: all that
    have a flag). Absent flags stay absent from the namespace (``SUPPRESS``), so that
    :func:`load_config` can tell a flag given from a default."""
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"configuration file (default: ./{DEFAULT_CONFIG_NAME} if present)",
    )
    wanted = set(names) if names is not None else None
    for key in KEYS:
        if key.flag is None or (wanted is not None and key.name not in wanted):
            continue
        envs = " or ".join(filter(None, [key.env, key.env_alias]))
        if key.parse is _bool:
            parser.add_argument(
                key.flag,
                dest=key.name,
                action="store_const",
                const=True,
                default=argparse.SUPPRESS,
                help=f"{key.help} ({envs})",
            )
            continue
        parser.add_argument(
            key.flag,
            dest=key.name,
            metavar=key.metavar,
            default=argparse.SUPPRESS,
            help=f"{key.help} ({envs})",
        )
    parser.add_argument(
        "-s",
        "--set",
        dest="scrapy_settings",
        metavar="NAME=VALUE",
        action="append",
        default=argparse.SUPPRESS,
        help="set a Scrapy setting (may be repeated)",
    )


def _parse(key: Key, raw: Any, source: str) -> Value:
    try:
        return Value(key.parse(raw), source)
    except ValueError as exc:
        raise ConfigError(f"invalid value for {key.name} ({raw!r} from {source}): {exc}") from None


def _find_file(args: argparse.Namespace | None, env: Mapping[str, str], cwd: Path) -> Path | None:
    explicit = getattr(args, "config", None) if args is not None else None
    source = "--config"
    if explicit is None and env.get(CONFIG_ENV):
        explicit, source = env[CONFIG_ENV], CONFIG_ENV
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_absolute():
            path = cwd / path
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {explicit} (from {source})")
        return path
    default = cwd / DEFAULT_CONFIG_NAME
    return default if default.is_file() else None


def _read_file(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The file's keys (flattened) and its ``[scrapy]`` table."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    scrapy = data.pop("scrapy", {})
    if not isinstance(scrapy, dict):
        raise ConfigError(f"{path}: 'scrapy' must be a table of Scrapy settings")
    flat: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                flat[f"{name}_{sub}"] = subvalue
        else:
            flat[name] = value
    unknown = sorted(name for name in flat if name not in KEYS_BY_NAME)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
            f"(known: {', '.join(KEYS_BY_NAME)})"
        )
    return flat, scrapy


def _settings_defaults() -> dict[str, Any]:
    """Defaults that ``danvan_crawler/settings.py`` defines for our keys' settings."""
    try:
        from scrapy.settings import Settings

        settings = Settings()
        settings.setmodule(SETTINGS_MODULE, priority="project")
    except ImportError:
        return {}
    return {
        key.name: settings[key.setting]
        for key in KEYS
        if key.setting and settings.get(key.setting) is not None
    }


def _split_setting(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"-s expects NAME=VALUE, got {text!r}")
    return name.strip(), value


def load_config(
    args: argparse.Namespace | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Config:
    """The effective configuration: defaults < file < environment < flags."""
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    values: dict[str, Value] = {key.name: Value(key.default, "default") for key in KEYS}
    for name, raw in _settings_defaults().items():
        values[name] = _parse(KEYS_BY_NAME[name], raw, "default, settings.py")
    scrapy: dict[str, Value] = {}

    path = _find_file(args, env, cwd)
    if path is not None:
        flat, table = _read_file(path)
        for name, raw in flat.items():
            values[name] = _parse(KEYS_BY_NAME[name], raw, f"file {path}")
        for name, raw in table.items():
            key = KEYS_BY_SETTING.get(name)
            if key is not None:
                values[key.name] = _parse(key, raw, f"file {path} [scrapy]")
            else:
                scrapy[name] = Value(raw, f"file {path} [scrapy]")

    for key in KEYS:  # DANVAN_SITE_URL < DANVAN_SITE: the key's own name wins
        for env_name in (key.env_alias, key.env):
            if env_name and env_name in env:
                values[key.name] = _parse(key, env[env_name], f"env {env_name}")

    if args is not None:
        for key in KEYS:
            if key.name in vars(args):
                values[key.name] = _parse(key, getattr(args, key.name), f"flag {key.flag}")
        for item in getattr(args, "scrapy_settings", None) or ():
            name, raw = _split_setting(item)
            key = KEYS_BY_SETTING.get(name)
            if key is not None:
                values[key.name] = _parse(key, raw, f"flag -s {name}")
            else:
                scrapy[name] = Value(raw, f"flag -s {name}")
    return Config(values=values, scrapy=scrapy, path=path)


def store_location(
    db: str | None = None,
    settings: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Value:
    """Where a command's store is, and why: ``--db`` (``db``), else ``-s DANVAN_DB=...``
    (``settings``), else ``DANVAN_DB``, else the configuration file's ``db`` (the file of
    ``DANVAN_CONFIG``, or ``./danvan.toml``), else the default ``danvan.db``: the same
    rule for every command that opens a store."""
    args = argparse.Namespace(scrapy_settings=list(settings))
    if db:
        args.db = db
    return load_config(args, env=env, cwd=cwd).values["db"]


def check_store_folder(config: Config) -> None:
    """ConfigError when the store is an SQLite file in a folder that does not exist and
    ``create`` is not set: a mistyped ``--db`` would otherwise start a new, empty store
    and a full backfill of the portal."""
    db = str(config["db"])
    if "://" in db and not db.startswith("sqlite:///"):
        return
    folder = Path(db.removeprefix("sqlite:///")).expanduser().absolute().parent
    if folder.is_dir() or config["create"]:
        return
    raise ConfigError(
        f"the store's folder {folder} does not exist (db from {config.source('db')}); "
        "check the path, or pass --create (config: create = true) to start a new store there"
    )


def describe_store(location: Value) -> str:
    """``location`` for people: what kind of store, where, from which setting."""
    value = str(location.value)
    if "://" in value and not value.startswith("sqlite:///"):
        parts = urlsplit(value)
        host = parts.hostname or "localhost"
        shown = f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"
        return f"database {shown} ({location.source})"
    path = Path(value.removeprefix("sqlite:///")).expanduser().resolve()
    return f"SQLite file {path} ({location.source})"
