"""``danvan serve`` as a real server in a subprocess on 127.0.0.1: media types,
ETag/Last-Modified and 304, and no way out of the folder."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, Path]]:
    top = tmp_path_factory.mktemp("serve")
    root = top / "feeds"
    root.mkdir()
    (top / "secret.txt").write_text("secret outside the folder")
    (root / "all.rss").write_bytes(b"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'/>")
    (root / "all.atom").write_bytes(b"<feed xmlns='http://www.w3.org/2005/Atom'/>")
    (root / "all.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    (root / "index.opml").write_bytes(b"<opml version='2.0'/>")
    (root / "index.html").write_bytes(b"<!DOCTYPE html><title>feeds</title>")
    (root / ".all.rss.abc.tmp").write_bytes(b"half a file")
    (root / "escape.rss").symlink_to(top / "secret.txt")
    (root / "inside.rss").symlink_to(root / "all.rss")
    (root / "sub").mkdir()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "danvan_crawler", "serve", "--dir", str(root), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("serving http://127.0.0.1:") and line.endswith("/"), line
        port = int(line.rsplit(":", 1)[1].rstrip("/"))
        yield "127.0.0.1", port, root
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def get(served, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    host, port, _ = served
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/all.rss", "application/rss+xml"),
        ("/all.atom", "application/atom+xml"),
        ("/all.json", "application/feed+json"),
        ("/index.opml", "text/x-opml"),
        ("/index.html", "text/html"),
        ("/", "text/html"),
        ("/inside.rss", "application/rss+xml"),
    ],
)
def test_media_types(served, path: str, media_type: str) -> None:
    status, headers, body = get(served, path)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == media_type
    assert int(headers["Content-Length"]) == len(body) > 0
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")


def test_head_has_no_body(served) -> None:
    status, headers, body = get(served, "/all.rss", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_conditional_requests_get_304(served) -> None:
    _, headers, _ = get(served, "/all.rss")
    status, again, body = get(served, "/all.rss", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    status, _, body = get(served, "/all.rss", {"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304 and body == b""
    status, _, _ = get(served, "/all.rss", {"If-None-Match": '"something-else"'})
    assert status == 200
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert get(served, "/all.rss", {"If-Modified-Since": old})[0] == 200
    # If-None-Match wins over If-Modified-Since
    both = {"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]}
    assert get(served, "/all.rss", both)[0] == 200


def test_changed_file_gets_a_new_etag(served) -> None:
    _, _, root = served
    _, before, _ = get(served, "/all.json")
    (root / "all.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1", "x": 1}')
    status, after, _ = get(served, "/all.json", {"If-None-Match": before["ETag"]})
    assert status == 200 and after["ETag"] != before["ETag"]


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/..%2fsecret.txt",
        "/..%2Fsecret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "/..%5csecret.txt",
        "/all.rss%00.html",
        "/escape.rss",
        "//etc/passwd",
        "/%252e%252e/secret.txt",
        "/.all.rss.abc.tmp",
        "/sub/",
        "/missing.rss",
    ],
)
def test_nothing_outside_the_folder(served, path: str) -> None:
    status, _, body = get(served, path)
    assert status in (403, 404), (path, status)
    assert b"secret" not in body
