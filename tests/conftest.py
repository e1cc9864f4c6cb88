"""Shared fixtures: the replica portal running in a subprocess on 127.0.0.1.

``replica`` (session scope) is one default world (300 articles, seed 1) that tests must
not mutate; ``replica_factory(**opts)`` starts fresh instances (any CLI option, e.g.
``articles=40, layout="modern", xss=True``) that are stopped at the end of the test.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler

ROOT = Path(__file__).resolve().parent.parent

# Loopback only: never go through a proxy configured in the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ReplicaClient:
    """A running replica subprocess and a tiny urllib client for it."""

    def __init__(self, **opts: Any) -> None:
        args = [sys.executable, "-m", "danvan_crawler.replica", "--host", "127.0.0.1"]
        opts.setdefault("port", 0)
        for key, value in opts.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value is not False and value is not None:
                args += [flag, str(value)]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("serving http://"):
            self.proc.kill()
            _, err = self.proc.communicate()
            raise RuntimeError(f"replica did not start: {line!r} {err}")
        self.url: str = line.split(" ", 1)[1]  # ends with "/"
        self.base: str = self.url.rstrip("/")

    # -- plain HTTP ----------------------------------------------------------------------
    def request(
        self,
        path: str,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        data: bytes | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
        try:
            with _OPENER.open(req, timeout=120) as resp:
                return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()

    def get(
        self, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """GET ``path`` (relative to the base or absolute); the body is decoded from gzip."""
        status, hdrs, body = self.request(path, headers)
        if hdrs.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return status, hdrs, body

    def text(self, path: str) -> str:
        status, _, body = self.get(path)
        assert status == 200, (path, status)
        return body.decode("utf-8")

    def _post_json(self, path: str) -> Any:
        status, _, body = self.request(path, method="POST", data=b"")
        assert status == 200, (path, status, body)
        return json.loads(body)

    # -- control endpoints ---------------------------------------------------------------
    def truth(self) -> list[dict[str, Any]]:
        return [
            json.loads(line) for line in self.text("/_replica/truth.jsonl").splitlines() if line
        ]

    def stats(self) -> dict[str, Any]:
        return json.loads(self.text("/_replica/stats"))

    def reset_stats(self) -> None:
        self._post_json("/_replica/stats/reset")

    def publish(self, n: int = 1) -> list[str]:
        return self._post_json(f"/_replica/publish?n={n}")

    def edit(self, n: int = 1) -> list[str]:
        return self._post_json(f"/_replica/edit?n={n}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream:
                stream.close()


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaClient]:
    """The default replica (300 articles, seed 1), shared by the session: do not mutate."""
    client = ReplicaClient()
    yield client
    client.stop()


@pytest.fixture
def replica_factory() -> Iterator[Callable[..., ReplicaClient]]:
    """Start fresh replicas with any CLI options; all are stopped after the test."""
    started: list[ReplicaClient] = []

    def start(**opts: Any) -> ReplicaClient:
        client = ReplicaClient(**opts)
        started.append(client)
        return client

    yield start
    for client in started:
        client.stop()


# -- the e2e marker ----------------------------------------------------------------------
#: Fixtures that start a process or a server: a test using one is end-to-end.
E2E_FIXTURES = frozenset({"replica", "replica_factory"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``e2e`` every test using a fixture of :data:`E2E_FIXTURES` (the others that
    start processes or servers carry the marker themselves)."""
    for item in items:
        if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)


class _NotE2E(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _fast_tests_start_nothing(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test without the ``e2e`` marker may not start a process, listen on a socket or
    run a Scrapy crawl, so that ``pytest -m "not e2e"`` stays quick and the marker honest."""
    if request.node.get_closest_marker("e2e") is not None:
        return
    name = request.node.nodeid

    def refuse(*_: Any, **__: Any) -> Any:
        raise _NotE2E(f"{name} starts a process, a server or a crawl: mark it e2e")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    monkeypatch.setattr(socket.socket, "listen", refuse)
    monkeypatch.setattr(Crawler, "crawl", refuse)


@pytest.fixture(autouse=True)
def _nothing_left_in_the_checkout() -> Iterator[None]:
    """A test's stores live in its temporary folder: a ``danvan.db`` appearing in the
    checkout means a command ran with the default store in the wrong folder."""
    stray = ROOT / "danvan.db"
    before = stray.exists()
    yield
    if not before and stray.exists():
        stray.unlink()
        pytest.fail("the test left danvan.db in the checkout (a command without --db/cwd)")
