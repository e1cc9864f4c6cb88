"""Following a phrase: filters on any served feed, and feeds and a page of any search.

Filters (``?filter=``, ``?filterout=``, ``?limit=``, as RSSHub names them) apply to the
bytes of a feed, whichever made them: :func:`filter_feed` parses an RSS, Atom or JSON
Feed document, keeps the items whose title and text (summary, content, HTML tags
removed) match, and writes the document again. A term matches a whole word or phrase of
the folded text (:func:`~danvan_crawler.vietnamese.search_fold`: tone marks, ``đ`` and
case do not matter) as a search does (:func:`~danvan_crawler.store.search.parse_query`):
the words of a term are a phrase, ``,`` separates phrases that must all be there, and
``|`` separates alternatives (``filter=quỳnh lưu|diễn châu``, ``filter=dân vận, quỳnh lưu``).
The same document and parameters always give the same bytes, and a document that loses
no item is given back as it is.

A search (:mod:`danvan_crawler.store.search`) becomes a feed (:func:`search_feed`) with
the project's renderers, newest first, so a reader can subscribe to a phrase; and a page
(:func:`search_page`) in the look of ``index.html``, best match first.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from lxml import etree

from danvan_crawler.feeds.model import DEFAULT_ID_AUTHORITY, Feed, entry_from_article, tag_uri
from danvan_crawler.feeds.render import FORMATS, render_atom, render_json, render_rss
from danvan_crawler.store.search import words_of
from danvan_crawler.vietnamese import search_fold

__all__ = [
    "FeedFilter",
    "FilterError",
    "filter_feed",
    "parse_filters",
    "search_feed",
    "search_page",
]

#: The most items a filtered or search feed has (a larger ``limit`` is this).
MAX_LIMIT = 200
#: Items of a search feed without ``limit``.
SEARCH_FEED_LIMIT = 50
#: Results on the search page.
SEARCH_PAGE_LIMIT = 30
#: Longest filter term or query accepted (characters).
MAX_TERM = 500

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
_TAG_RE = re.compile(r"<[^>]*>")


class FilterError(ValueError):
    """A filter parameter that cannot be used (the web server answers 400)."""


def _alternatives(raw: str) -> tuple[re.Pattern[str], ...]:
    """One pattern an alternative (``|`` between them): its phrases (``,`` between
    them) all there, each its folded words in order, adjacent, anything but a letter or
    digit between them: the phrase semantics of a search."""
    if len(raw) > MAX_TERM:
        raise FilterError(f"filter longer than {MAX_TERM} characters")
    patterns = []
    for part in raw.split("|"):
        phrases = []
        for chunk in part.split(","):
            words = words_of(search_fold(chunk))
            if words:  # literal text (no user regex)
                body = r"[\W_]+".join(map(re.escape, words))
                phrases.append(rf"(?=.*?(?<![^\W_]){body}(?![^\W_]))")
        if phrases:
            patterns.append(re.compile(r"\A" + "".join(phrases), re.DOTALL))
    return tuple(patterns)


@dataclass(frozen=True)
class FeedFilter:
    """Which items of a feed to keep: matching any ``include`` pattern (when there are
    some), none of ``exclude``; the first ``limit`` of them."""

    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    limit: int | None = None

    def keeps(self, text: str) -> bool:
        folded = search_fold(text)
        if self.include and not any(p.search(folded) for p in self.include):
            return False
        return not any(p.search(folded) for p in self.exclude)


def _one(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise FilterError(f"{name} given more than once")
    return values[0]


def parse_limit(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise FilterError("limit must be a whole number of at least 1")
    return min(int(raw), MAX_LIMIT)


def parse_filters(args: Mapping[str, Sequence[str]]) -> FeedFilter | None:
    """The filter that query parameters ``args`` (name -> values) ask for; None when
    they ask for none. :class:`FilterError` for a bad value."""
    include, exclude, limit = _one(args, "filter"), _one(args, "filterout"), _one(args, "limit")
    if include is None and exclude is None and limit is None:
        return None
    return FeedFilter(
        include=_alternatives(include or ""),
        exclude=_alternatives(exclude or ""),
        limit=parse_limit(limit),
    )


def _html_text(value: str | None) -> str:
    return html.unescape(_TAG_RE.sub(" ", value)) if value else ""


def _xml_item_text(item: etree._Element) -> str:
    parts = []
    for child in item:
        tag = child.tag if isinstance(child.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if local == "title":
            parts.append(child.text or "")
        elif local in ("description", "summary") or tag == _CONTENT:
            parts.append(_html_text(child.text))
        elif local == "content":
            kind = child.get("type", "text")
            parts.append(_html_text(child.text) if kind == "html" else "".join(child.itertext()))
    return "\n".join(parts)


def _write_xml(root: etree._Element) -> bytes:
    """The document as the renderers write it (``&`` and ``<`` as hexadecimal
    references, see :func:`~danvan_crawler.feeds.render._for_browsers_and_old_readers`)."""
    head = [b"<?xml version='1.0' encoding='UTF-8'?>"]
    node = root.getprevious()
    while node is not None:  # the processing instructions before the root (feed.xsl)
        head.insert(1, etree.tostring(node, encoding="UTF-8", with_tail=False))
        node = node.getprevious()
    out = b"\n".join([*head, etree.tostring(root, encoding="UTF-8")]) + b"\n"
    return out.replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")


def filter_feed(data: bytes, kind: str, feed_filter: FeedFilter) -> bytes:
    """``data``, an RSS (``kind`` ``"rss"``), Atom (``"atom"``) or JSON Feed (``"json"``)
    document, with only the items ``feed_filter`` keeps. :class:`FilterError` when
    ``data`` is not such a document."""
    if kind == "json":
        try:
            document = json.loads(data)
            items = document["items"]
        except (ValueError, KeyError, TypeError) as exc:
            raise FilterError("not a JSON Feed") from exc
        kept = [
            item
            for item in items
            if isinstance(item, dict)
            and feed_filter.keeps(
                "\n".join(
                    [
                        str(item.get("title") or ""),
                        str(item.get("summary") or ""),
                        _html_text(item.get("content_html")),
                        str(item.get("content_text") or ""),
                    ]
                )
            )
        ][: feed_filter.limit]
        if len(kept) == len(items):
            return data
        document["items"] = kept
        return (json.dumps(document, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FilterError(f"not an {kind.upper()} feed") from exc
    if kind == "rss":
        parent = root.find("channel")
        items = parent.findall("item") if parent is not None else []
    else:
        parent = root
        items = root.findall(f"{_ATOM}entry")
    if parent is None:
        raise FilterError(f"not an {kind.upper()} feed")
    kept = [item for item in items if feed_filter.keeps(_xml_item_text(item))][: feed_filter.limit]
    if len(kept) == len(items):
        return data
    keep = set(kept)
    for item in items:
        if item not in keep:
            previous = item.getprevious()
            if previous is not None:  # the layout: what followed the item follows its predecessor
                previous.tail = item.tail
            parent.remove(item)
    return _write_xml(root)


# -- search feeds and page -------------------------------------------------------------


def search_url(base: str, query: str, ext: str = "", **extra: str) -> str:
    """The address of the search page (``ext`` ``""``) or feed (``".rss"`` ...)."""
    params = {"q": query, **{k: v for k, v in extra.items() if v}}
    return f"{base}search{ext}?{urlencode(params, quote_via=quote)}"


def _feed_key(query: str) -> str:
    """A stable name for the query in ids: its folded words."""
    return "-".join(re.findall(r"\w+", search_fold(query)))[:200] or "query"


def search_feed(
    hits: Sequence[Any],
    query: str,
    kind: str,
    base_url: str,
    *,
    ttl_minutes: int = 30,
    id_authority: str = DEFAULT_ID_AUTHORITY,
    home_url: str = "",
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """The feed (``kind``: ``"rss"``, ``"atom"``, ``"json"``) of the articles ``hits``
    (:class:`~danvan_crawler.store.search.Hit`, newest first), titled with ``query``;
    ``base_url`` is where the server is (self links), ``extra`` more parameters of the
    search (``category``) for its addresses."""
    entries = [e for e in (entry_from_article(h.record, id_authority) for h in hits) if e]
    feed = Feed(
        stem="search",
        id=tag_uri(id_authority, f"search/{_feed_key(query)}"),
        title=f"Tìm kiếm “{query}”",
        description=f"Các bài viết mới nhất có “{query}” (không phân biệt dấu, hoa thường).",
        home_url=home_url or search_url(base_url, query, **dict(extra or {})),
        self_urls={
            k: search_url(base_url, query, ext, **dict(extra or {}))
            for k, (ext, _) in FORMATS.items()
        },
        author="danvan-crawler",
        entries=entries,
        category_name="Tìm kiếm",
    )
    if kind == "rss":
        return render_rss(feed, ttl_minutes)
    if kind == "atom":
        return render_atom(feed)
    return render_json(feed)


_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def search_page(
    query: str,
    hits: Sequence[Any] | None,
    *,
    error: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """The search page: a form, then (``hits`` given) the results best first, each with
    its headline and a snippet, matched words in ``<mark>``, and the addresses of the
    query's feeds. Every text is escaped; links are relative to the server's root."""
    from danvan_crawler.store.search import mark_html

    e = html.escape
    extra = dict(extra or {})
    title = f"Tìm “{query}”" if query else "Tìm bài viết"
    out = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex">',
        f"<title>{e(title)}</title>",
        '<link rel="stylesheet" href="style.css">',
        '<script src="index.js" defer></script>',
    ]
    if query and hits is not None:
        for kind, (ext, media_type) in FORMATS.items():
            out.append(
                f'<link rel="alternate" type="{media_type}" title="{e(title)} ({_LABELS[kind]})" '
                f'href="{e(search_url("", query, ext, **extra))}">'
            )
    out += [
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        '<p class="meta"><a href="./">Mọi nguồn tin</a></p>',
        '<form class="search" action="search" method="get" role="search">',
        '<label for="q">Từ khóa</label> ',
        f'<input id="q" name="q" type="search" value="{e(query)}" required maxlength="{MAX_TERM}">',
        ' <button type="submit">Tìm</button>',
        "</form>",
        '<p class="meta">Không cần gõ dấu: <code>dan van kheo</code> cũng tìm ra “Dân vận '
        'khéo”. Cụm từ trong ngoặc kép (<code>"tinh uy nghe an"</code>), <code>-tu</code> để '
        "loại bài có từ đó, <code>tu*</code> cho mọi từ bắt đầu bằng nó.</p>",
        "</header>",
        "<main>",
    ]
    if error:
        out.append(f'<p class="empty">{e(error)}</p>')
    elif query and hits is not None:
        out.append('<section class="feed">')
        out.append("<h2>Theo dõi tìm kiếm này</h2>")
        out.append(
            "<p>Đăng ký một địa chỉ dưới đây trong trình đọc tin để nhận mọi bài mới có "
            "các từ này.</p>"
        )
        out.append('<ul class="formats">')
        for kind, (ext, media_type) in FORMATS.items():
            href = e(search_url("", query, ext, **extra))
            out.append(
                f'<li><a href="{href}" type="{media_type}">{_LABELS[kind]}</a>'
                f' <a class="copy" href="{href}" title="Sao chép địa chỉ {_LABELS[kind]}">'
                "Sao chép</a></li>"
            )
        out.append("</ul>")
        out.append("</section>")
        out.append(f'<p class="meta">{len(hits)} bài phù hợp nhất.</p>' if hits else "")
        if hits:
            out.append('<ol class="headlines results">')
            for hit in hits:
                record = hit.record
                link = record.get("canonicalUrl") or record.get("url") or ""
                if not str(link).startswith(("http://", "https://")):
                    link = ""
                date = str(record.get("datePublished") or "")[:10]
                heading = mark_html(hit.title) or e(str(record.get("headline") or ""))
                out.append(
                    f'<li><a href="{e(link)}">{heading}</a>'
                    + (f' <time class="date" datetime="{e(date)}">{e(date)}</time>' if date else "")
                    + (f"<p>{mark_html(hit.snippet)}</p>" if hit.snippet else "")
                    + "</li>"
                )
            out.append("</ol>")
        else:
            out.append('<p class="empty">Không tìm thấy bài nào.</p>')
    out += [
        "</main>",
        "<footer><p>Tạo bởi danvan-crawler.</p></footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(line for line in out if line).encode("utf-8")
