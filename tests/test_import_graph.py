"""The import graph keeps the contracts of pyproject.toml's ``[tool.importlinter]``:
layers with no upward import, the replica importing nothing of the product, no Scrapy
under extract, feeds and store. ``lint-imports`` (in ``.ci/run``) checks the same
contracts; here they are checked with grimp, the graph library under it, because
import-linter's contract classes cannot be built in a process where zope.interface has
already been imported (Twisted, through Scrapy)."""

from __future__ import annotations

import copy
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS: list[dict[str, Any]] = CONFIG["tool"]["importlinter"]["contracts"]


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("danvan_crawler", include_external_packages=True, cache_dir=None)


def layer(spec: str) -> grimp.Layer:
    """A layer of the configuration: ``a | b`` independent siblings, ``a : b`` not."""
    if ":" in spec:
        return grimp.Layer(*(s.strip() for s in spec.split(":")), independent=False)
    return grimp.Layer(*(s.strip() for s in spec.split("|")), independent=True)


def test_the_contracts_cover_layers_replica_and_scrapy_free_modules() -> None:
    layers = next(c for c in CONTRACTS if c["type"] == "layers")
    assert layers["layers"][-1] == "text | urls | vietnamese"
    forbidden = {c["source_modules"][0]: c for c in CONTRACTS if c["type"] == "forbidden"}
    assert "danvan_crawler.replica" in forbidden
    assert "scrapy" in forbidden["danvan_crawler.extract"]["forbidden_modules"]


@pytest.mark.parametrize("contract", CONTRACTS, ids=[c["name"] for c in CONTRACTS])
def test_every_import_keeps_the_contract(contract: dict[str, Any]) -> None:
    g = graph()
    if contract["type"] == "layers":
        illegal = g.find_illegal_dependencies_for_layers(
            layers=[layer(spec) for spec in contract["layers"]],
            containers=set(contract["containers"]),
        )
        assert not illegal, sorted(
            f"{d.importer} -> {d.imported}: {[r.chains for r in d.routes]}" for d in illegal
        )
    else:
        assert contract["type"] == "forbidden"
        chains = [
            (source, target)
            for source in contract["source_modules"]
            for target in contract["forbidden_modules"]
            if g.chain_exists(source, target, as_packages=True)
        ]
        assert not chains, chains


def test_an_upward_import_is_found() -> None:
    """The check itself: text (bottom layer) importing the store (above it) is illegal."""
    g = copy.deepcopy(graph())
    g.add_import(importer="danvan_crawler.text", imported="danvan_crawler.store")
    spec = next(c for c in CONTRACTS if c["type"] == "layers")
    illegal = g.find_illegal_dependencies_for_layers(
        layers=[layer(s) for s in spec["layers"]], containers=set(spec["containers"])
    )
    assert {(d.importer, d.imported) for d in illegal} == {
        ("danvan_crawler.text", "danvan_crawler.store")
    }
