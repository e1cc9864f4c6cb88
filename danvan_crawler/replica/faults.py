"""Fault injection for the replica: ``danvan replica --faults SPEC``.

A spec is a comma-separated list of ``name=value`` or bare ``name`` (a switch), e.g.
``5xx=0.1,timeout=0.05,truncate=0.02,reset=0.02,429=0.05,cp1258,trap``.

Transient faults (probabilities, decided per *attempt*: the n-th request of a path+query
gets ``u = hash(seed, path+query, n)`` in [0, 1); the intervals of the kinds below are
laid end to end, so a retry of the same URL draws again and can succeed):

``5xx``       500, 502 or 503 with an error page
``timeout``   no answer for ``hang`` seconds, then the connection is closed
``truncate``  the page cut short: Content-Length of the whole page but part of the body
              then close (data loss), or a cut page with a matching Content-Length, or an
              empty 200 body
``reset``     the connection reset (RST) before any byte is sent
``429``       429 Too Many Requests with ``Retry-After: <retry_after>``

Content faults (decided per path, the same on every attempt: the page is *wrong*, not
unlucky; the text it carries stays the same):

``cp1258``    (alias ``charset``; bare: 0.25) the page in windows-1258 bytes (Vietnamese
              with combining tone marks, NCR for what the code page lacks); half of them
              with no charset in Content-Type (only ``<meta charset="windows-1258">``), half
              with the right header and a stale ``<meta charset="utf-8">``
``ncr``       (bare: 0.25) every non-ASCII character written as an NCR (``&#7841;``)
``malformed`` (bare: 0.25) ``</p>``/``</li>`` end tags dropped, a stray ``</body></html>``
              after the header, an unclosed ``<font>`` in the menu
``duplicates`` (bare: 0.5) listing pages (classic layout) repeat their first entry

Switches (``name`` or ``name=1``; ``name=0`` is off):

``trap``      every category's pager goes on forever: pages past the last one repeat the
              last page's entries and link a next page
``loop``      the home page links a category that redirects in a loop
              (``A -> A?vong=1 -> A?vong=2 -> A?vong=3 -> A``)
``offsite``   one article (see ``/_replica/info``) redirects to the same path on
              ``localhost`` (another host name for the same server: requests that arrive
              with that Host are counted as ``offsite_served``)
``huge``      one article (see ``/_replica/info``) is padded to ``huge`` MB (bare: 24)
              with an inline ``data:`` image; never gzip-compressed

Parameters: ``hang`` (seconds, default 10), ``retry_after`` (seconds, default 1),
``seed`` (default: the world's seed).

Faults never touch ``/_replica/*``; the truth is the truth. Counts by kind are in
``/_replica/stats`` under ``"faults"``. This module imports only the standard library.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import random
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

__all__ = [
    "CONTENT_KINDS",
    "LOOP_PATH",
    "TRANSIENT_KINDS",
    "FaultSpec",
    "Faults",
    "encode_cp1258",
    "encode_ncr",
    "malform",
    "parse_spec",
]

TRANSIENT_KINDS = ("5xx", "timeout", "truncate", "reset", "429")
CONTENT_KINDS = ("cp1258", "ncr", "malformed", "duplicates")
SWITCHES = ("trap", "loop", "offsite", "huge")
ALIASES = {"charset": "cp1258", "windows-1258": "cp1258", "redirect-loop": "loop"}
BARE_DEFAULTS = {"cp1258": 0.25, "ncr": 0.25, "malformed": 0.25, "duplicates": 0.5}
LOOP_PATH = "/vi-vn/chuyen-muc/chuyen-muc-vong-lap/900000-900001"
LOOP_HOPS = 3
#: Vietnamese tone marks: windows-1258 writes them as separate (combining) characters.
TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


@dataclass
class FaultSpec:
    """What to inject. Probabilities in [0, 1]; transient ones add up to at most 1."""

    transient: dict[str, float] = field(default_factory=dict)
    content: dict[str, float] = field(default_factory=dict)
    trap: bool = False
    loop: bool = False
    offsite: bool = False
    huge_mb: float = 0.0
    hang: float = 10.0
    retry_after: int = 1
    seed: int | None = None

    @property
    def active(self) -> bool:
        return bool(
            any(self.transient.values())
            or any(self.content.values())
            or self.trap
            or self.loop
            or self.offsite
            or self.huge_mb
        )

    def describe(self) -> str:
        parts = [f"{k}={v:g}" for k, v in self.transient.items() if v]
        parts += [f"{k}={v:g}" for k, v in self.content.items() if v]
        parts += [name for name in ("trap", "loop", "offsite") if getattr(self, name)]
        if self.huge_mb:
            parts.append(f"huge={self.huge_mb:g}")
        return ",".join(parts)


def parse_spec(text: str) -> FaultSpec:
    """Parse a ``--faults`` spec; ``ValueError`` with a one-line message when it is bad."""
    spec = FaultSpec()
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name = ALIASES.get(name.strip().lower(), name.strip().lower())
        value = value.strip()
        if name in TRANSIENT_KINDS or name in CONTENT_KINDS:
            if not sep:
                if name not in BARE_DEFAULTS:
                    raise ValueError(f"fault {name!r} needs a probability ({name}=0.1)")
                prob = BARE_DEFAULTS[name]
            else:
                prob = _number(name, value)
            if not 0 <= prob <= 1:
                raise ValueError(f"fault {name!r}: probability must be in [0, 1], got {value}")
            (spec.transient if name in TRANSIENT_KINDS else spec.content)[name] = prob
        elif name in ("trap", "loop", "offsite"):
            setattr(spec, name, not sep or _number(name, value) != 0)
        elif name == "huge":
            spec.huge_mb = 24.0 if not sep else _number(name, value)
            if spec.huge_mb < 0:
                raise ValueError("fault 'huge': size in MB must be >= 0")
        elif name == "hang":
            spec.hang = _number(name, value)
        elif name in ("retry_after", "retry-after"):
            spec.retry_after = int(_number(name, value))
        elif name == "seed":
            spec.seed = int(_number(name, value))
        else:
            known = ", ".join((*TRANSIENT_KINDS, *CONTENT_KINDS, *SWITCHES))
            raise ValueError(f"unknown fault {name!r} (known: {known}, hang, retry_after, seed)")
    if sum(spec.transient.values()) > 1:
        raise ValueError("transient fault probabilities add up to more than 1")
    return spec


def _number(name: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"fault {name!r}: not a number: {value!r}") from None


def unit(seed: int, *parts: object) -> float:
    """A uniform number in [0, 1) from a seeded hash of ``parts`` (stable across runs)."""
    key = "|".join(str(p) for p in (seed, *parts)).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") / 2**64


# --- encodings ----------------------------------------------------------------------------


def _cp1258_errors(exc: UnicodeError) -> tuple[str, int]:
    """Encode-error handler: decompose (base + combining tone mark) or fall back to an NCR."""
    assert isinstance(exc, UnicodeEncodeError)
    out = []
    for ch in exc.object[exc.start : exc.end]:
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
        marks = "".join(c for c in decomposed if c in TONES)
        candidate = base + marks
        try:
            candidate.encode("cp1258")
        except UnicodeEncodeError:
            candidate = f"&#{ord(ch)};"
        out.append(candidate)
    return "".join(out), exc.end


codecs.register_error("danvan-replica-cp1258", _cp1258_errors)


def encode_cp1258(html: str) -> bytes:
    """``html`` in windows-1258 bytes (what old Vietnamese CMSs send)."""
    return html.encode("cp1258", errors="danvan-replica-cp1258")


def encode_ncr(html: str) -> bytes:
    """``html`` as ASCII with every other character an NCR (``&#7841;``)."""
    return html.encode("ascii", errors="xmlcharrefreplace")


_META_UTF8 = '<meta charset="utf-8">'


def malform(html: str) -> str:
    """Tag soup a browser (and lxml) still reads: missing end tags, a stray ``</html>``."""
    html = html.replace("</p>", "").replace("</li>", "")
    html = html.replace('<div id="menu">', '</body></html>\n<div id="menu"><font color="red">', 1)
    return html


_ITEM_RE = re.compile(r'<div class="news-item">.*?</div></div>', re.S)


def duplicate_entries(html: str) -> str:
    """A listing page listing its first entry twice more (at the end and in the middle)."""
    items = _ITEM_RE.findall(html)
    if not items:
        return html
    first = items[0]
    html = html.replace(items[-1], items[-1] + "\n" + first, 1)
    if len(items) > 2:
        html = html.replace(items[len(items) // 2], first + "\n" + items[len(items) // 2], 1)
    return html


# --- the injector -------------------------------------------------------------------------


class Faults:
    """Decisions and counters; shared by the server's handler threads."""

    def __init__(self, spec: FaultSpec, seed: int) -> None:
        self.spec = spec
        self.seed = spec.seed if spec.seed is not None else seed
        self.lock = threading.Lock()
        self.attempts: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()
        self.huge_path: str | None = None
        self.offsite_path: str | None = None
        self._huge_body: bytes | None = None

    def pick_articles(self, paths: list[tuple[int, str]]) -> None:
        """Choose the ``huge`` and ``offsite`` articles among ``(id, primary path)``."""
        ranked = sorted(paths, key=lambda p: unit(self.seed, "special", p[0]))
        if self.spec.offsite and ranked:
            self.offsite_path = ranked[0][1]
        if self.spec.huge_mb and len(ranked) > 1:
            self.huge_path = ranked[1][1]

    def count(self, kind: str) -> None:
        with self.lock:
            self.counts[kind] += 1

    def stats(self) -> dict[str, int]:
        with self.lock:
            return dict(sorted(self.counts.items()))

    def reset(self) -> None:
        with self.lock:
            self.counts.clear()

    def info(self, base: str) -> dict[str, object]:
        return {
            "spec": self.spec.describe(),
            "seed": self.seed,
            "loop_url": base + LOOP_PATH if self.spec.loop else None,
            "huge_url": base + self.huge_path if self.huge_path else None,
            "offsite_url": base + self.offsite_path if self.offsite_path else None,
        }

    # -- transient ----------------------------------------------------------------------
    def transient(self, target: str) -> str | None:
        """The transient fault for this attempt at ``target`` (path + query), or None."""
        if not self.spec.transient:
            return None
        with self.lock:
            self.attempts[target] += 1
            attempt = self.attempts[target]
        u = unit(self.seed, "attempt", target, attempt)
        edge = 0.0
        for kind in TRANSIENT_KINDS:
            edge += self.spec.transient.get(kind, 0.0)
            if u < edge:
                return kind
        return None

    def variant(self, target: str, name: str, count: int) -> int:
        """A stable choice among ``count`` variants of a fault for ``target``."""
        return int(unit(self.seed, "variant", name, target) * count)

    # -- content --------------------------------------------------------------------------
    def rewrite(self, body: bytes, content_type: str, path: str, kind: str) -> tuple[bytes, str]:
        """The page as this fault set serves it (same text, different bytes)."""
        if not content_type.startswith("text/html") or not body:
            return body, content_type
        content = self.spec.content
        html: str | None = None
        if path == "/" and self.spec.loop:
            html = body.decode("utf-8")
            link = f'<p class="loop"><a href="{LOOP_PATH}">Chuyên mục vòng lặp</a></p>'
            html = html.replace('<div id="main">', '<div id="main">\n' + link, 1)
        if kind == "listing" and unit(self.seed, "duplicates", path) < content.get("duplicates", 0):
            html = duplicate_entries(html if html is not None else body.decode("utf-8"))
            self.count("duplicates")
        if unit(self.seed, "malformed", path) < content.get("malformed", 0):
            html = malform(html if html is not None else body.decode("utf-8"))
            self.count("malformed")
        u = unit(self.seed, "encoding", path)
        p_cp = content.get("cp1258", 0.0)
        p_ncr = content.get("ncr", 0.0)
        if u < p_cp and path != "/robots.txt":
            text = html if html is not None else body.decode("utf-8")
            self.count("cp1258")
            if self.variant(path, "cp1258", 2) == 0:
                text = text.replace(_META_UTF8, '<meta charset="windows-1258">', 1)
                return encode_cp1258(text), "text/html"
            return encode_cp1258(text), "text/html; charset=windows-1258"
        if p_cp <= u < p_cp + p_ncr:
            text = html if html is not None else body.decode("utf-8")
            self.count("ncr")
            return encode_ncr(text), content_type
        if html is not None:
            return html.encode("utf-8"), content_type
        return body, content_type

    def huge(self, body: bytes) -> bytes:
        """The huge article: its page with an inline image of ``huge`` MB."""
        with self.lock:
            if self._huge_body is None:
                size = int(self.spec.huge_mb * 1024 * 1024 * 3 / 4)
                blob = base64.b64encode(random.Random(self.seed).randbytes(size))
                pad = b'<p><img alt="" src="data:image/jpeg;base64,' + blob + b'"></p>'
                marker = b'<div class="news-content">'
                if marker in body:
                    self._huge_body = body.replace(marker, marker + pad, 1)
                else:
                    self._huge_body = body.replace(b"</body>", pad + b"</body>", 1)
            return self._huge_body

    def loop_target(self, path: str, query: dict[str, list[str]]) -> str | None:
        """Where the loop category redirects to, or None when ``path`` is not it."""
        if not self.spec.loop or path.rstrip("/") != LOOP_PATH:
            return None
        try:
            hop = int(query.get("vong", ["0"])[0])
        except ValueError:
            hop = 0
        self.count("redirect_loop")
        return LOOP_PATH if hop >= LOOP_HOPS else f"{LOOP_PATH}?vong={hop + 1}"

    def truncate(self, body: bytes, target: str) -> tuple[str, bytes]:
        """A truncated variant: ``("dataloss", part)``, ``("cut", part)`` or ``("empty", b"")``."""
        which = ("dataloss", "cut", "empty")[self.variant(target, "truncate", 3)]
        if which == "empty" or len(body) < 16:
            return "empty", b""
        frac = 0.2 + 0.7 * unit(self.seed, "cut", target)
        return which, body[: int(len(body) * frac)]
