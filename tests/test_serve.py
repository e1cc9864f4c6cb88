"""``danvan serve`` as a real server in a subprocess on 127.0.0.1: media types with their
charset, ETag/Last-Modified and 304, no way out of the folder, and service that holds
when clients misbehave (half-sent requests by the thousand, slow heads, disconnects)."""

from __future__ import annotations

import contextlib
import http.client
import os
import resource
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HALF_REQUEST = b"GET /all.rss HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: half\r\n"


@contextlib.contextmanager
def serving(root: Path, *options: str, stderr: Path | None = None) -> Iterator[int]:
    """``danvan serve --dir root --port 0 [options]`` in a subprocess; yields its port.
    Its stderr goes to ``stderr`` (a file the test reads afterwards) when given."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env.pop("DANVAN_DB", None)  # the store is the options' (serve looks for one in its folder)
    cmd = [sys.executable, "-m", "danvan_crawler", "serve", "--dir", str(root), "--port", "0"]
    with open(stderr or os.devnull, "wb") as err:
        proc = subprocess.Popen(
            [*cmd, *options],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
            cwd=root.parent,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline().strip()
            assert line.startswith("serving http://127.0.0.1:") and line.endswith("/"), line
            yield int(line.rsplit(":", 1)[1].rstrip("/"))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()


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
    (root / "feed.xsl").write_bytes(b"<xsl:stylesheet/>")
    (root / "style.css").write_bytes(b"body{}")
    (root / "index.js").write_bytes(b"void 0;")
    (root / ".all.rss.abc.tmp").write_bytes(b"half a file")
    (root / "escape.rss").symlink_to(top / "secret.txt")
    (root / "inside.rss").symlink_to(root / "all.rss")
    (root / "sub").mkdir()
    with serving(root) as port:
        yield "127.0.0.1", port, root


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
        ("/all.rss", "application/rss+xml; charset=utf-8"),
        ("/all.atom", "application/atom+xml; charset=utf-8"),
        ("/all.json", "application/feed+json; charset=utf-8"),
        ("/index.opml", "text/x-opml; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/inside.rss", "application/rss+xml; charset=utf-8"),
        ("/feed.xsl", "text/xsl; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/index.js", "text/javascript; charset=utf-8"),
    ],
)
def test_media_types_say_utf_8_and_nosniff(served, path: str, media_type: str) -> None:
    status, headers, body = get(served, path)
    assert status == 200
    assert headers["Content-Type"] == media_type
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert int(headers["Content-Length"]) == len(body) > 0
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
READER_ACCEPT = "application/atom+xml,application/rdf+xml,application/rss+xml,application/xml"


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/all.rss", BROWSER_ACCEPT, "application/xml; charset=utf-8"),
        ("/all.atom", BROWSER_ACCEPT, "application/xml; charset=utf-8"),
        ("/all.rss", READER_ACCEPT, "application/rss+xml; charset=utf-8"),
        ("/all.atom", READER_ACCEPT, "application/atom+xml; charset=utf-8"),
        ("/all.rss", "*/*", "application/rss+xml; charset=utf-8"),
        ("/all.json", BROWSER_ACCEPT, "application/feed+json; charset=utf-8"),
    ],
)
def test_browsers_get_feeds_as_xml_they_render(
    served, path: str, accept: str, media_type: str
) -> None:
    """Chromium shows application/rss+xml as text and Firefox saves it; as
    application/xml both apply the feed's XSL stylesheet. Readers get the feed's type."""
    status, headers, _ = get(served, path, {"Accept": accept})
    assert status == 200 and headers["Content-Type"] == media_type
    if path.endswith((".rss", ".atom")):
        assert headers["Vary"] == "Accept"


def test_head_has_no_body(served) -> None:
    status, headers, body = get(served, "/all.rss", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0


def test_other_methods_are_refused(served) -> None:
    status, headers, _ = get(served, "/all.rss", method="POST")
    assert status == 405 and headers["X-Content-Type-Options"] == "nosniff"


def test_conditional_requests_get_304(served) -> None:
    _, headers, _ = get(served, "/all.rss")
    status, again, body = get(served, "/all.rss", {"If-None-Match": headers["ETag"]})
    assert status == 304 and body == b"" and again["ETag"] == headers["ETag"]
    assert again.get("Content-Length") in (None, headers["Content-Length"])  # never a false 0
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


# --- service under misbehaving clients ------------------------------------------------


def open_files_for(count: int) -> None:
    """Let this process hold ``count`` more sockets (or skip the test)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the open-files limit ({hard}) is below {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def half_requests(port: int, count: int, budget: float = 60.0) -> list[socket.socket]:
    """Up to ``count`` connections that each send a request head without its end, then
    nothing; stops early when ``budget`` seconds are spent (a server that stops
    accepting makes each connect wait)."""
    held: list[socket.socket] = []
    deadline = time.monotonic() + budget
    while len(held) < count and time.monotonic() < deadline:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
            sock.sendall(HALF_REQUEST)
        except OSError:
            continue
        held.append(sock)
    return held


def fetch(port: int, path: str = "/all.rss", timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def closed_by_server(sock: socket.socket, within: float, trickle: bytes = b"") -> bool:
    """True when the server closes ``sock`` within ``within`` seconds; meanwhile send
    ``trickle`` a byte at a time, every 0.2 s (a client slow on purpose)."""
    deadline = time.monotonic() + within
    sock.settimeout(0.2)
    sent = 0
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            pass
        except ConnectionResetError:
            return True
        if sent < len(trickle):
            try:
                sock.send(trickle[sent : sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                return True
            sent += 1
    return False


@pytest.fixture
def feeds_folder(tmp_path: Path) -> Path:
    root = tmp_path / "feeds"
    root.mkdir()
    item = "<item><title>Dân vận khéo</title><link>https://example.org/1</link></item>"
    body = f"<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>{item * 4000}"
    (root / "all.rss").write_bytes((body + "</channel></rss>").encode())  # ~300 KB
    return root


@pytest.mark.e2e
def test_a_client_gets_its_feed_while_1000_half_requests_are_open(
    feeds_folder: Path, tmp_path: Path
) -> None:
    open_files_for(1000)
    expected = (feeds_folder / "all.rss").read_bytes()
    with serving(feeds_folder, stderr=tmp_path / "stderr") as port:
        held = half_requests(port, 1000)
        try:
            status, body = fetch(port)
            opened = len(held)
        finally:
            for sock in held:
                sock.close()
        assert (status, body == expected) == (200, True)
        assert opened == 1000
        # and the server still answers once they are gone
        assert fetch(port)[0] == 200
    assert b"Traceback" not in (tmp_path / "stderr").read_bytes()


@pytest.mark.e2e
def test_at_the_connection_cap_the_longest_waiting_connection_makes_room(
    feeds_folder: Path,
) -> None:
    open_files_for(200)
    with serving(feeds_folder, "--max-connections", "20") as port:
        held = half_requests(port, 200)
        try:
            assert len(held) == 200
            assert closed_by_server(held[0], within=30)  # the oldest was closed for room
            assert fetch(port)[0] == 200
        finally:
            for sock in held:
                sock.close()


@pytest.mark.e2e
def test_a_request_head_trickling_in_is_cut_off(feeds_folder: Path) -> None:
    options = ("--request-timeout", "1", "--idle-timeout", "300")
    with serving(feeds_folder, *options) as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            # One byte every 0.2 s keeps the idle timeout from ever firing; the head
            # deadline still closes the connection.
            assert closed_by_server(sock, within=30, trickle=HALF_REQUEST * 20)
        finally:
            sock.close()
        assert fetch(port)[0] == 200


@pytest.mark.e2e
def test_a_request_body_trickling_in_is_cut_off(feeds_folder: Path) -> None:
    options = ("--request-timeout", "1", "--idle-timeout", "300")
    with serving(feeds_folder, *options) as port:
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        try:
            sock.sendall(b"POST /all.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            assert closed_by_server(sock, within=30, trickle=b"x" * 1000)
        finally:
            sock.close()


@pytest.mark.e2e
def test_an_idle_kept_alive_connection_is_closed(feeds_folder: Path) -> None:
    with serving(feeds_folder, "--request-timeout", "1", "--idle-timeout", "1") as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/all.rss")
            response = conn.getresponse()
            assert response.status == 200 and response.getheader("Connection") != "close"
            response.read()
            assert conn.sock is not None
            assert closed_by_server(conn.sock, within=30)
        finally:
            conn.close()


@pytest.mark.e2e
def test_clients_that_go_away_are_not_errors(feeds_folder: Path, tmp_path: Path) -> None:
    big = feeds_folder / "big.rss"
    big.write_bytes(b"<rss>" + b"x" * 8_000_000 + b"</rss>")  # more than socket buffers hold
    stderr = tmp_path / "stderr"
    reset = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
    with serving(feeds_folder, stderr=stderr) as port:
        for request in (b"", HALF_REQUEST, b"GET /big.rss HTTP/1.1\r\nHost: x\r\n\r\n"):
            for linger in (False, True):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                if request:
                    sock.sendall(request)
                if request.startswith(b"GET /big"):
                    sock.recv(1024)  # the response has started
                if linger:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, reset)
                sock.close()
        assert fetch(port)[0] == 200
        time.sleep(0.5)  # let the server log whatever it would about the dropped ones
    assert stderr.read_bytes() == b""
