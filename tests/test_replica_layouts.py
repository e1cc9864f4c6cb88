"""The replica's random layouts (``--layout random:SEED``): the same world, other markup.

Pages are rendered in-process (the replica is the world, tests may import it) for 60
seeds; the HTTP tests start servers in threads, the CLI test a subprocess.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from danvan_crawler.replica import render as R
from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.dateforms import DATE_FORMS, DateStyle, format_date
from danvan_crawler.replica.layouts import RandomLayout, make_layout, page_facts
from danvan_crawler.replica.pagetext import text_nodes
from danvan_crawler.replica.server import make_server
from danvan_crawler.replica.spec import FAMILIES, spec_for
from danvan_crawler.replica.text import clean
from danvan_crawler.replica.truth import truth as truth_of
from tests.conftest import ROOT, ReplicaClient

SEEDS = range(60)
BASE = "http://127.0.0.1:8080"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# --------------------------------------------------------------------------- helpers

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
BLOCK = {
    "div", "p", "table", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "figure", "form", "header", "footer", "main", "nav", "aside", "tr", "td",
}  # fmt: skip
INLINE = {"p", "span", "a", "strong", "em", "b", "i", "h1", "h2", "h3", "h4", "h5", "h6", "label"}


class _Checker(HTMLParser):
    """Tags nest strictly; no block element inside a paragraph, heading or inline one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.signature: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = " ".join(f"{k}={v}" for k, v in attrs if k in ("class", "id"))
        self.signature.append(f"{tag}[{names}]")
        if tag in VOID:
            return
        if tag in BLOCK and any(t in INLINE for t in self.stack):
            self.problems.append(f"<{tag}> inside <{'><'.join(self.stack[-3:])}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def check_html(page: str) -> tuple[list[str], list[str]]:
    """(problems, structure signature) of a page."""
    checker = _Checker()
    checker.feed(page)
    checker.close()
    if checker.stack:
        checker.problems.append(f"unclosed: {checker.stack}")
    if not page.lstrip().startswith("<!DOCTYPE"):
        checker.problems.append("no doctype")
    return checker.problems, checker.signature


def visible(page: str) -> str:
    """The page's visible text, cleaned, nodes glued as a browser shows them."""
    return clean("".join(f" {node}" if node else "" for node in text_nodes(page)))


def tight(page: str) -> str:
    """The page's visible text with text nodes joined as they are (no space added)."""
    return clean("".join(text_nodes(page)))


@pytest.fixture(scope="module")
def world() -> Wd.World:
    return Wd.World(articles=30, seed=7)


def ctx_for(world: Wd.World, layout: R.Classic) -> R.Ctx:
    return R.Ctx(world, BASE, layout.name)


def listing_page(world: Wd.World, layout: R.Classic, meta: Wd.Meta) -> str:
    """The listing page of ``meta``'s category that shows it."""
    items = world.listing(meta.cat)
    k = items.index(meta) // R.PER_PAGE
    last = max(1, -(-len(items) // R.PER_PAGE))
    cat = S.CATEGORIES[meta.cat]
    chunk = items[k * R.PER_PAGE : (k + 1) * R.PER_PAGE]
    return layout.listing(ctx_for(world, layout), cat, k + 1, last, chunk)


# --------------------------------------------------------------------------- every page


@pytest.mark.parametrize("seed", SEEDS)
def test_random_layout_renders_every_page_valid_and_holding_the_truth(
    world: Wd.World, seed: int
) -> None:
    layout = make_layout(f"random:{seed}")
    assert isinstance(layout, RandomLayout)
    ctx = ctx_for(world, layout)
    pages = {
        "home": layout.home(ctx, world.latest(6), world.latest(10)),
        "subsite": layout.subsite(ctx, S.SUB, world.latest(10, S.SUB)),
        "404": layout.not_found(ctx),
    }
    for meta in world.metas:
        pages[f"article {meta.id}"] = layout.article(ctx, world.article(meta))
    for cat in S.CATEGORIES:
        items = world.listing(cat.key)
        pages[f"listing {cat.slug}"] = layout.listing(ctx, cat, 1, 1, items[: R.PER_PAGE])
    for name, page in pages.items():
        problems, _ = check_html(page)
        assert not problems, (seed, name, problems[:5])
    menu = pages["home"]
    for cat in S.CATEGORIES:
        if cat.site is S.MAIN:
            assert f'href="{cat.path}"' in menu
    assert f'href="{S.SUB.home}"' in menu
    for cat in S.CATEGORIES:
        if cat.site is S.SUB:
            assert f'href="{cat.path}"' in pages["subsite"]
    for meta in world.metas:
        truth = truth_of(world, meta, BASE)
        page = pages[f"article {meta.id}"]
        shown, glued = visible(page), tight(page)
        assert truth["headline"] in shown
        for line in truth["articleBody"].split("\n"):
            assert line in glued or line in shown, (seed, meta.id, line[:60])
        for author in truth["authors"]:
            assert author["name"] in shown
        facts = page_facts(layout, ctx, world.article(meta))
        date = facts["date"]
        if date["where"] == "listing":
            assert date["printed"] not in shown
            assert date["printed"] in visible(listing_page(world, layout, meta))
        else:
            assert date["printed"] in shown
        assert read_date(date["printed"], date["time"]) == _expected(truth, date["time"])


def _expected(truth: dict[str, Any], has_time: bool) -> str:
    published = datetime.fromisoformat(truth["datePublished"])
    return f"{published:%Y-%m-%d %H:%M}" if has_time else f"{published:%Y-%m-%d}"


# --------------------------------------------------------------------------- dates

_NUM = re.compile(
    r"(?:(?P<y1>\d{4})[-/](?P<m1>\d{2})[-/](?P<d1>\d{2}))"
    r"|(?:(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4}))"
    r"|(?:ngày (?P<d3>\d{1,2}) tháng (?P<m3>\d{1,2}) năm (?P<y3>\d{4}))",
    re.IGNORECASE,
)
_TIME = re.compile(r"(?<![\d/.-])(\d{1,2})[:h](\d{2})(?::\d{2})?(?:\s*(SA|CH))?(?![\d/.-])")


def read_date(text: str, has_time: bool) -> str:
    """A printed date read back, by this test's own rules (not the crawler's)."""
    m = _NUM.search(text)
    assert m, text
    g = m.groupdict()
    y, mo, d = next(
        (g[f"y{k}"], g[f"m{k}"], g[f"d{k}"]) for k in (1, 2, 3) if g[f"y{k}"] is not None
    )
    day = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    if not has_time:
        assert not _TIME.search(text.replace(m.group(0), " ")), text
        return day
    t = _TIME.search(text.replace(m.group(0), " "))
    assert t, text
    hour = int(t.group(1))
    if t.group(3) == "SA":
        hour %= 12
    elif t.group(3) == "CH":
        hour = hour % 12 + 12
    return f"{day} {hour:02d}:{t.group(2)}"


@pytest.mark.parametrize("form", sorted(DATE_FORMS))
def test_every_date_form_prints_the_date_and_says_whether_it_has_a_time(form: str) -> None:
    start = datetime(2019, 1, 1, 0, 0, tzinfo=S.TZ)
    for k in range(200):
        dt = start + timedelta(days=k * 13, minutes=k * 97)
        for variant in range(DATE_FORMS[form]):
            for pad in (True, False):
                style = DateStyle(form, variant, pad, lower_weekday=k % 2 == 0)
                text, has_time = format_date(dt, style)
                want = f"{dt:%Y-%m-%d %H:%M}" if has_time else f"{dt:%Y-%m-%d}"
                assert read_date(text, has_time) == want, (style, text)


def test_the_issue_s_date_forms_are_all_printed() -> None:
    dt = datetime(2022, 9, 5, 7, 45, tzinfo=S.TZ)
    printed = {
        format_date(dt, DateStyle(form, v, pad, label="Ngày đăng:"))[0]
        for form, variants in DATE_FORMS.items()
        for v in range(variants)
        for pad in (True, False)
    }
    for wanted in (
        "Thứ Hai, 05/09/2022 07:45",
        "Ngày đăng: 05/09/2022 | 07:45",
        "07:45 - 05/09/2022",
        "Cập nhật lúc 07:45 ngày 5/9/2022",
        "5/9/2022, 07:45 (GMT+7)",
        "05-09-2022",
        "05.09.2022",
        "ngày 5 tháng 9 năm 2022",
    ):
        assert wanted in printed


# --------------------------------------------------------------------------- variety


def test_layouts_differ_in_structure_and_cover_every_choice(world: Wd.World) -> None:
    meta = world.metas[5]
    signatures = set()
    seen: dict[str, Counter[str]] = {
        k: Counter()
        for k in ("family", "naming", "date_where", "form", "author", "headline", "inline")
    }
    for seed in SEEDS:
        layout = make_layout(f"random:{seed}")
        assert isinstance(layout, RandomLayout)
        page = layout.article(ctx_for(world, layout), world.article(meta))
        signatures.add(tuple(check_html(page)[1]))
        spec = layout.spec
        seen["family"][spec.family] += 1
        seen["naming"][spec.naming] += 1
        seen["date_where"][spec.date_where] += 1
        seen["form"][spec.date_style.form] += 1
        seen["author"][spec.author_where] += 1
        seen["headline"][spec.headline_tag] += 1
        seen["inline"][spec.inline_related] += 1
    assert len(signatures) == len(SEEDS)
    assert set(seen["family"]) == set(FAMILIES)
    assert set(seen["naming"]) == {"meaningful", "random", "absent", "mixed"}
    assert set(seen["date_where"]) == {
        "before-headline",
        "after-headline",
        "meta-line",
        "after-sapo",
        "after-body",
        "listing",
    }
    assert set(seen["form"]) == set(DATE_FORMS)
    assert set(seen["author"]) == {"signature", "byline-top", "byline-after", "author-box"}
    assert {"h1", "h2", "div", "span", "td"} <= set(seen["headline"])
    assert set(seen["inline"]) == {"", "xem-them", "box"}


def test_same_seed_same_bytes_other_seed_other_bytes(world: Wd.World) -> None:
    meta = world.metas[3]
    cat = S.CATEGORIES[meta.cat]

    def render(name: str) -> list[str]:
        layout = make_layout(name)
        ctx = ctx_for(world, layout)
        return [
            layout.article(ctx, world.article(meta)),
            layout.listing(ctx, cat, 1, 1, world.listing(cat.key)[:10]),
            layout.home(ctx, world.latest(6), world.latest(10)),
        ]

    assert spec_for(11) == spec_for(11)
    assert render("random:11") == render("random:11")
    assert all(a != b for a, b in zip(render("random:11"), render("random:12"), strict=True))


def test_bad_layout_names_are_refused() -> None:
    for name in ("random", "random:", "random:x", "fancy", "random:1.5"):
        with pytest.raises(ValueError, match="classic, modern or random:SEED"):
            make_layout(name)
    assert make_layout("random:-3").name == "random:-3"


def test_facts_name_furniture_and_never_the_article_s_own_text(world: Wd.World) -> None:
    checked = 0
    for seed in SEEDS:
        layout = make_layout(f"random:{seed}")
        assert isinstance(layout, RandomLayout)
        if not layout.spec.columns:
            continue
        ctx = ctx_for(world, layout)
        meta = world.metas[4]
        facts = page_facts(layout, ctx, world.article(meta))
        truth = truth_of(world, meta, BASE)
        own = "\n".join([truth["headline"], truth["articleBody"]])
        furniture = facts["furniture"]
        assert all(f not in own for f in furniture if len(f) > 30)
        for column in layout.spec.columns:
            assert column.heading in furniture
        linked = re.findall(
            r'<a href="/vi-vn/tin/[^"]+">([^<]+)</a>', layout.article(ctx, world.article(meta))
        )
        titles = {clean(t) for t in linked} - {truth["headline"]}
        assert titles and titles <= set(furniture)
        checked += 1
    assert checked >= 20


def test_classic_and_modern_facts_match_their_pages(world: Wd.World) -> None:
    for name in ("classic", "modern"):
        layout = make_layout(name)
        ctx = ctx_for(world, layout)
        for meta in world.metas[:10]:
            facts = page_facts(layout, ctx, world.article(meta))
            page = layout.article(ctx, world.article(meta))
            assert facts["date"]["printed"] in visible(page)
            assert "Tin cùng chuyên mục" in facts["furniture"] or name == "modern"


# --------------------------------------------------------------------------- over HTTP


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[Any] = []

    def start(**opts: Any) -> str:
        server, replica = make_server("127.0.0.1", 0, **opts)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(server)
        return replica.base

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with _OPENER.open(url, timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


ARTICLE_RE = re.compile(r"^/vi-vn/tin/[^/]+/\d+-\d+-(\d+)/?$")
CATEGORY_RE = re.compile(r"^/vi-vn/chuyen-muc/[^/]+/\d+-\d+/?$")
SUBSITE_RE = re.compile(r"^/vi-vn/ban/[^/]+/?$")


def walk(base: str) -> tuple[set[str], int]:
    """Every article id reachable from the home page through category, pagination and
    sub-site links (by URL pattern only), and the number of listing pages seen."""
    todo, seen, ids, listings = [base + "/"], set(), set(), 0
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        status, page = get(url)
        assert status == 200, url
        listings += CATEGORY_RE.match(urlsplit(url).path) is not None
        for href in re.findall(r'href="([^"]+)"', page):
            link = urljoin(url, href.replace("&amp;", "&"))
            parts = urlsplit(link)
            if parts.netloc != urlsplit(base).netloc:
                continue
            article = ARTICLE_RE.match(parts.path)
            if article:
                ids.add(article.group(1))
            elif CATEGORY_RE.match(parts.path) and (
                not parts.query or parts.query.startswith("trang=")
            ):
                todo.append(f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else ""))
            elif SUBSITE_RE.match(parts.path):
                todo.append(f"{base}{parts.path}")
    return ids, listings


@pytest.mark.e2e
def test_every_listing_page_and_article_is_reachable_whatever_the_pager(serve: Any) -> None:
    by_pager: dict[str, int] = {}
    for seed in range(200):
        by_pager.setdefault(spec_for(seed).pager, seed)
    assert set(by_pager) == {"numbered", "links", "prevnext", "next", "text"}
    for pager, seed in sorted(by_pager.items()):
        base = serve(articles=160, seed=2, layout=f"random:{seed}")
        truth = [json.loads(line) for line in get(base + "/_replica/truth.jsonl")[1].splitlines()]
        ids, listings = walk(base)
        assert ids == {row["articleId"] for row in truth}, pager
        pages = sum(
            -(
                -sum(
                    1
                    for row in truth
                    if any(c["url"] == base + cat.path for c in row["categories"])
                )
                // 10
            )
            for cat in S.CATEGORIES
        )
        assert listings == pages, pager


@pytest.mark.e2e
def test_truth_is_the_world_s_and_layout_facts_cover_every_article(serve: Any) -> None:
    classic = serve(articles=25, seed=4)
    bases = [classic] + [serve(articles=25, seed=4, layout=f"random:{s}") for s in (1, 2, 3)]
    truths = [get(b + "/_replica/truth.jsonl")[1].replace(b, "BASE") for b in bases]
    assert truths[1:] == truths[:1] * 3
    for base in bases:
        facts = [json.loads(line) for line in get(base + "/_replica/layout.jsonl")[1].splitlines()]
        rows = [json.loads(line) for line in get(base + "/_replica/truth.jsonl")[1].splitlines()]
        assert [f["articleId"] for f in facts] == [r["articleId"] for r in rows]
        assert [f["url"] for f in facts] == [r["url"] for r in rows]
        for fact in facts:
            assert isinstance(fact["date"]["printed"], str) and isinstance(
                fact["date"]["time"], bool
            )
    info = json.loads(get(bases[2] + "/_replica/info")[1])
    assert info["layout"] == "random:2" and info["layout_spec"]["seed"] == 2
    assert json.loads(get(classic + "/_replica/info")[1])["layout_spec"] is None


@pytest.mark.e2e
def test_cli_serves_a_random_layout_and_refuses_a_bad_one(tmp_path: Any) -> None:
    client = ReplicaClient(articles=12, layout="random:9")
    try:
        info = json.loads(client.text("/_replica/info"))
        assert info["layout"] == "random:9"
        row = client.truth()[3]
        assert row["headline"] in visible(client.text(row["url"]))
    finally:
        client.stop()
    result = subprocess.run(
        [sys.executable, "-m", "danvan_crawler.replica", "--layout", "random:nine"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 2
    assert "classic, modern or random:SEED" in result.stderr


def test_the_replica_imports_only_the_standard_library_and_itself() -> None:
    import ast

    for path in sorted((ROOT / "danvan_crawler" / "replica").glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith(
                    "danvan_crawler.replica"
                ), (path.name, name)
