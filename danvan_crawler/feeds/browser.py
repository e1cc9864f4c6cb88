"""What a person sees in a browser: the folder's ``index.html``, and the feeds themselves
made readable by ``feed.xsl``.

The page and the stylesheet link to the folder's own files by relative URL
(``all.rss``, ``index.opml``, ``style.css``), so they work wherever the folder is
served, opened from disk, or after the portal that was crawled is gone; only article
and category links are absolute (they point at the portal, and the page says so).
``style.css`` (system fonts, one column, light and dark) and ``index.js`` (the "copy
feed URL" links: they copy the address resolved against the page, and stay hidden
without script) are published next to the feeds; nothing is loaded from elsewhere.

Every function is pure: same input, same bytes. The only time on the page is the
store's (the newest run, or the newest crawl of a published article), never "now".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from importlib.resources import files

from danvan_crawler.feeds.model import PORTAL_TZ, Feed
from danvan_crawler.feeds.render import FEED_XSL, FORMATS, _group_by_sub_site

#: Files published with the feeds, as they are in ``danvan_crawler/feeds/assets``.
STYLE_CSS = "style.css"
INDEX_JS = "index.js"
ASSETS = (FEED_XSL, STYLE_CSS, INDEX_JS)
#: How the page names each format, in the order it lists them.
LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def asset_files() -> dict[str, bytes]:
    """The folder's static files, by name."""
    folder = files("danvan_crawler.feeds") / "assets"
    return {name: (folder / name).read_bytes() for name in ASSETS}


def nested_feed_xsl() -> bytes:
    """``feed.xsl`` for the feeds of a sub-folder (``places/``, ``documents/``): the
    same, its links to the folder's page and files one level up (a stylesheet's
    relative links resolve against the feed, not against the stylesheet)."""
    data = asset_files()[FEED_XSL]
    for name in (STYLE_CSS, INDEX_JS, "index.html"):
        data = data.replace(f'="{name}"'.encode(), f'="../{name}"'.encode())
    return data


def _when(moment: datetime) -> str:
    """Portal time, as people there write it."""
    return moment.astimezone(PORTAL_TZ).strftime("%H:%M, %d/%m/%Y")


def _day(moment: datetime) -> str:
    return moment.astimezone(PORTAL_TZ).strftime("%d/%m/%Y")


def _time(moment: datetime, text: str, css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return f'<time{attribute} datetime="{moment.isoformat()}">{escape(text)}</time>'


def _feed_block(feed: Feed, heading: str, label: str, headlines: int) -> list[str]:
    e = escape
    out = [f'<section class="feed" id="{e(feed.stem)}">', f"<{heading}>{e(label)}</{heading}>"]
    count = len(feed.entries)
    meta = [f"{count} bài"]
    if feed.entries:
        meta.append("cập nhật " + _time(feed.updated, _when(feed.updated)))
    meta.append(f'<a href="{e(feed.home_url)}">trang gốc</a>')
    out.append(f'<p class="meta">{" · ".join(meta)}</p>')
    out.append('<ul class="formats">')
    for kind, name in LABELS.items():
        extension, media_type = FORMATS[kind]
        href = e(feed.stem + extension)
        out.append(
            f'<li><a href="{href}" type="{media_type}">{name}</a>'
            f' <a class="copy" href="{href}" title="Sao chép địa chỉ {name}">Sao chép</a></li>'
        )
    out.append("</ul>")
    if feed.entries:
        out.append('<ol class="headlines">')
        for entry in feed.entries[:headlines]:
            out.append(
                f'<li><a href="{e(entry.link)}">{e(entry.title)}</a> '
                f"{_time(entry.published, _day(entry.published), 'date')}</li>"
            )
        out.append("</ol>")
    else:
        out.append('<p class="empty">Chưa có bài viết.</p>')
    out.append("</section>")
    return out


def _topic_section(heading: str, anchor: str, feeds: Sequence[Feed]) -> list[str]:
    """Place or document feeds: one line each (name, article count, the three formats),
    folded away under their heading, so the page stays readable with hundreds."""
    if not feeds:
        return []
    e = escape
    out = [
        f'<section class="topics" id="{anchor}">',
        f"<details><summary><h2>{e(heading)} ({len(feeds)})</h2></summary>",
        '<ul class="topics">',
    ]
    for feed in sorted(feeds, key=lambda f: (f.category_name.casefold(), f.stem)):
        links = " ".join(
            f'<a href="{e(feed.stem + FORMATS[kind][0])}" type="{FORMATS[kind][1]}">{name}</a>'
            for kind, name in LABELS.items()
        )
        out.append(
            f'<li>{e(feed.category_name)} <span class="meta">{len(feed.entries)} bài</span> '
            f"{links}</li>"
        )
    out += ["</ul>", "</details>", "</section>"]
    return out


def render_index(
    title: str,
    all_feed: Feed,
    category_feeds: Sequence[Feed],
    *,
    opml_name: str = "index.opml",
    public_url: str | None = None,
    site_name: str = "",
    last_crawl: datetime | None = None,
    headlines: int = 5,
    place_feeds: Sequence[Feed] = (),
    document_feeds: Sequence[Feed] = (),
) -> bytes:
    """The page for people: what the feeds are and how to subscribe, then every feed
    (name, article count, last update, one link and one "copy" per format, the newest
    headlines), the OPML list explained, and autodiscovery ``<link rel="alternate">``
    tags for readers. ``public_url`` is where the folder is published (the OPML's feed
    addresses start with it: the file is meant to be imported, so they are absolute);
    ``last_crawl`` the store's time of the newest crawl."""
    e = escape
    home = all_feed.home_url
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f'<link rel="stylesheet" href="{STYLE_CSS}">',
        f'<script src="{INDEX_JS}" defer></script>',
    ]
    for feed in (all_feed, *category_feeds):
        for kind, name in LABELS.items():
            extension, media_type = FORMATS[kind]
            out.append(
                f'<link rel="alternate" type="{media_type}" title="{e(feed.title)} ({name})" '
                f'href="{e(feed.stem + extension)}">'
            )
    out += ["</head>", "<body>", "<header>", f"<h1>{e(title)}</h1>"]
    source = f' của <a href="{e(home)}">{e(site_name)}</a>' if site_name else ""
    out.append(
        f'<p class="lead">Bài viết mới{source}, theo từng chuyên mục, dưới dạng nguồn tin '
        "RSS, Atom và JSON Feed.</p>"
    )
    if last_crawl is not None:
        out.append(
            f'<p class="meta">Lần thu thập gần nhất: {_time(last_crawl, _when(last_crawl))} '
            "(giờ Việt Nam).</p>"
        )
    opml_addresses = (
        f"; địa chỉ trong đó bắt đầu bằng <code>{e(public_url)}</code>" if public_url else ""
    )
    out += [
        "</header>",
        '<section class="help">',
        "<h2>Nguồn tin là gì, đăng ký thế nào?</h2>",
        "<ul>",
        "<li>Nguồn tin (feed) là một địa chỉ mà trình đọc tin (Feedly, Inoreader, "
        "NetNewsWire, Thunderbird, newsboat…) theo dõi để tự động nhận bài mới.</li>",
        "<li>Bấm <strong>Sao chép</strong> cạnh định dạng muốn dùng (RSS hợp với mọi trình "
        "đọc tin) rồi dán địa chỉ vào trình đọc tin. Mở một nguồn tin trong trình duyệt "
        "sẽ thấy bản dễ đọc của nó.</li>",
        f'<li>Đăng ký mọi chuyên mục một lần: nhập (import) tệp <a href="{e(opml_name)}" '
        'type="text/x-opml">danh sách OPML</a> vào trình đọc tin. Danh sách có từng chuyên '
        f"mục (không có nguồn tin chung, để mỗi bài chỉ hiện một lần){opml_addresses}.</li>",
        "</ul>",
        "</section>",
        "<main>",
    ]
    out += _feed_block(all_feed, "h2", "Tất cả chuyên mục", headlines * 2)
    for sub_site, feeds in _group_by_sub_site(category_feeds):
        out.append(f"<h2>{e(sub_site or 'Khác')}</h2>")
        for feed in feeds:
            out += _feed_block(feed, "h3", feed.category_name or feed.title, headlines)
    out += _topic_section("Theo địa phương", "places", place_feeds)
    out += _topic_section("Theo văn bản", "documents", document_feeds)
    out += [
        "</main>",
        "<footer>",
        "<p>Tiêu đề bài viết và “trang gốc” dẫn tới trang đã đăng bài"
        + (f' (<a href="{e(home)}">{e(home)}</a>)' if home else "")
        + "; nguồn tin mang cả nội dung bài, nên trình đọc tin vẫn đọc được khi không mở "
        "trang gốc.</p>",
        "<p>Tạo bởi danvan-crawler.</p>",
        "</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out).encode("utf-8")
