"""The body's HTML bounded before nh3 (``extract.bounds``): the rewrites happen, are
named, and give the output of the plain definition (nh3 over the unbounded input)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from danvan_crawler.extract import ArticlePage
from danvan_crawler.extract import article as article_module
from danvan_crawler.extract.article_html import _sanitize, clean_html_text
from danvan_crawler.extract.bounds import bound_for_sanitizer, split_text_runs
from danvan_crawler.profile import load_profile

PAGES = Path(__file__).parent / "fixtures" / "pages"
SEED = PAGES / "seed_article"


def _page(extra: str) -> tuple[str, str]:
    """The seed article page with ``extra`` appended to its content; (html, url)."""
    html = (SEED / "body.html").read_text(encoding="utf-8")
    marker = '<div class="news-content">'
    assert marker in html
    return html.replace(marker, marker + extra, 1), (SEED / "url.txt").read_text().strip()


def _profile(url: str) -> object:
    return load_profile("nghean", base_url=url.split("/vi-vn", 1)[0])


def _plain(html: str) -> str:
    """The definition: the cleaned output of nh3 over the input as it is."""
    return clean_html_text(_sanitize(html))


def _bounded(html: str, **limits: int) -> str:
    bounded, _ = bound_for_sanitizer(html, **limits)
    return clean_html_text(_sanitize(bounded))


def _unbounded_body_html(monkeypatch: pytest.MonkeyPatch, html: str, url: str) -> str:
    """``articleBodyHtml`` with the bounding switched off: the plain definition."""
    with monkeypatch.context() as patch:
        patch.setattr(article_module, "bound_for_sanitizer", lambda value: (value, []))
        return ArticlePage(html, url, _profile(url)).article_body_html  # type: ignore[arg-type]


def test_nbsp_runs_are_collapsed_counted_and_give_the_plain_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = "<p>" + ("\u00a0" * 300 + "chữ &amp; ") * 12 + "</p>"  # 3 600 NBSPs
    html, url = _page(runs)
    result = ArticlePage(html, url, _profile(url)).extract()  # type: ignore[arg-type]
    assert "nbsp" in result.bounds
    assert result.fields["articleBodyHtml"] == _unbounded_body_html(monkeypatch, html, url)
    assert "\u00a0" not in result.fields["articleBodyHtml"]
    assert "&nbsp;" not in result.fields["articleBodyHtml"]


def test_long_text_runs_are_split_counted_and_give_the_plain_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = ("Hội nghị « lần thứ » 3 &amp; 4 ° ngày\u00a0mới. " * 300).strip()
    html, url = _page(f"<p>{text}</p><table><tr><td>{text}</td></tr></table>")
    result = ArticlePage(html, url, _profile(url)).extract()  # type: ignore[arg-type]
    assert result.bounds == ["long_text"]
    assert result.fields["articleBodyHtml"] == _unbounded_body_html(monkeypatch, html, url)


def test_an_ordinary_page_is_handed_over_unchanged() -> None:
    html = (SEED / "body.html").read_text(encoding="utf-8")
    assert bound_for_sanitizer(html) == (html, [])


def test_oversized_input_is_capped_at_a_tag_and_counted() -> None:
    html = "<p>" + "chữ " * 50 + "</p>" + "<p>một hai ba</p>" * 100
    bounded, done = bound_for_sanitizer(html, max_chars=1000)
    assert done == ["capped"]
    assert len(bounded) <= 1000 and html.startswith(bounded)
    assert html[len(bounded)] == "<"  # cut where a tag starts
    assert clean_html_text(_sanitize(bounded)).endswith("</p>")


def test_split_never_lands_in_a_reference_a_comment_a_tag_or_raw_text() -> None:
    text = "a&amp;b" * 40 + "<!-- " + "c" * 300 + " -->" + "<title>" + "t" * 300 + "</title>"
    text += '<a title="' + "x" * 300 + '">' + "&#7841;" * 100 + "</a>"
    split = split_text_runs(text, 16)
    assert split.replace("<!---->", "") == text
    for piece in split.split("<!---->")[1:]:
        assert not piece.startswith(("amp;", "mp;", "p;", ";", "#", "7841")), piece[:10]
    assert "<!---->" not in split[split.index("<!-- ") : split.index(" -->")]
    assert "<!---->" not in split[split.index("<title>") : split.index("</title>")]
    assert "<!---->" not in split[split.index('<a title="') : split.index('">')]


def _saved_pages() -> Iterator[tuple[str, str]]:
    for case in sorted(PAGES.iterdir()):
        body = case / "body.html"
        if body.is_file():
            yield case.name, body.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "html"), list(_saved_pages()))
def test_forced_bounding_gives_the_plain_output_on_every_saved_page(name: str, html: str) -> None:
    # every rewrite forced (any NBSP collapsed, text split every 64 characters): the
    # cleaned output is the plain one
    assert _bounded(html, nbsp_limit=-1, text_run=64) == _plain(html), name


_PIECES = [
    "<p>", "</p>", "<table>", "<tr>", "<td>", "</td>", "</tr>", "</table>", "<ul>", "<li>",
    "<b>", "</b>", "<div>", "</div>", "<br>", "<!-- c -->", "<script>x<y</script>",
    "chữ", " ", "\u00a0", "\u00a0\u00a0\u00a0", "&amp;", "&lt;", "&nbsp;", "«", "°", "\n",
    "\u00ad", "\t", '<a href="/x?a=1&amp;b=2">', "</a>", '<img alt="a\u00a0\u00a0b">',
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60).map("".join))
def test_forced_bounding_gives_the_plain_output_on_any_markup(html: str) -> None:
    assert _bounded(html, nbsp_limit=-1, text_run=8) == _plain(html)
