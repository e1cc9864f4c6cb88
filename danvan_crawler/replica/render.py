"""HTML of the replica's pages: the "classic" layout (DESIGN.md) and the helpers every
layout shares (escaping, the context of a request, link variants, pager numbers).

Every layout (:mod:`modern`, the random ones of :mod:`layouts`) shows the same data at the
same URLs; only structure and class names differ.
"""

from __future__ import annotations

import html
import random
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.generator import Content, Paragraph
from danvan_crawler.replica.text import NBSP, lower_percent, raw_quotes

PER_PAGE = 10

XSS_PAYLOADS: tuple[str, ...] = (
    '<script>alert("xss-script")</script>',
    '<img src="javascript:alert(1)" onerror="alert(\'xss-onerror\')" class="xss">',
    '<a href="javascript:alert(\'xss-link\')" class="xss"></a>',
    '<svg onload="alert(\'xss-svg\')"><circle r="1"></circle></svg>',
    '<iframe src="javascript:alert(\'xss-iframe\')" width="0" height="0"></iframe>',
    "<style>.news-content{background:url(javascript:alert(1))}</style>",
    "<div onmouseover=\"alert('xss-div')\"><b><i></b></i></div>",
    "<object data=\"javascript:alert('xss-object')\"></object>",
    '<form action="javascript:alert(1)"><input type="submit" value=""></form>',
)


def esc(text: str, *, ncr: bool = False) -> str:
    out = html.escape(text, quote=False).replace(NBSP, "&nbsp;")
    if ncr:
        out = "".join(
            f"&#{ord(ch)};" if ord(ch) > 0x1E00 and ord(ch) % 3 == 0 else ch for ch in out
        )
    return out


def attr(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class Ctx:
    """Per-request rendering context."""

    world: Wd.World
    base: str  # http://host:port
    layout: str = "classic"


def _text_mode(ctx: Ctx, meta: Wd.Meta) -> tuple[bool, bool]:
    """(nfd, ncr) for an article's text."""
    if meta.nfd:
        return True, False
    ncr = random.Random(f"{ctx.world.seed}:ncr:{meta.index}").random() < 0.05
    return False, ncr


def _t(text: str, mode: tuple[bool, bool]) -> str:
    nfd, ncr = mode
    if nfd:
        text = unicodedata.normalize("NFD", text)
    return esc(text, ncr=ncr)


def link_variant(ctx: Ctx, meta: Wd.Meta, where: str) -> str:
    """A link to an article as some page prints it (same article, different URL)."""
    w = ctx.world
    path = w.path(meta)
    rng = random.Random(f"{w.seed}:link:{where}:{meta.index}")
    if where == "listing":
        return path + "?" + rng.choice(Wd.TRACKING) if rng.random() < 0.15 else path
    v = rng.randrange(8)
    if v == 1:
        return path + "?" + rng.choice(Wd.TRACKING)
    if v == 2:
        return path + "/"
    if v == 3:
        return w.alt_path(meta)
    if v == 4:
        return lower_percent(path) if "%" in path else w.alt_path(meta) + "/"
    if v == 5:
        return raw_quotes(path) if "%E2" in path else lower_percent(path) + "?" + Wd.TRACKING[2]
    if v == 6 and where == "home":
        scheme, _, rest = ctx.base.partition("://")
        return ("https" if scheme == "http" else "http") + "://" + rest + path
    return path


# --------------------------------------------------------------------------- shared


def _menu_items(ctx: Ctx, site: S.Site) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """[(label, href, children)] for a site's menu."""
    items: list[tuple[str, str, list[tuple[str, str]]]] = [("Trang chủ", "/", [])]
    if site is S.MAIN:
        for cat in S.CATEGORIES:
            if cat.site is S.MAIN:
                items.append((cat.name, cat.path, []))
        for sub in S.SITES[1:]:
            children = [(c.name, c.path) for c in S.CATEGORIES if c.site is sub]
            items.append((sub.name, sub.home, children))
    else:
        items.append((site.name, site.home, []))
        for cat in S.CATEGORIES:
            if cat.site is site:
                items.append((cat.name, cat.path, []))
    return items


def _head(title: str, og_title: str | None = None, og_image: str | None = None) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
    ]
    if og_title:
        parts.append(f'<meta property="og:title" content="{attr(og_title)}">')
    if og_image:
        parts.append(f'<meta property="og:image" content="{attr(og_image)}">')
    parts.append('<link rel="stylesheet" href="/Uploads/css/site.css">')
    parts.append("</head>")
    return "\n".join(parts)


FOOTER_TEXT = (
    "Cơ quan chủ quản: Tỉnh ủy Nghệ An. Địa chỉ: số 2 đường Trường Thi, TP Vinh, Nghệ An. "
    "Ghi rõ nguồn khi phát hành lại thông tin từ website này."
)


def _pages(current: int, last: int) -> list[int]:
    if last <= 10:
        return list(range(1, last + 1))
    shown = {1, 2, last - 1, last, *range(current - 2, current + 3)}
    return sorted(p for p in shown if 1 <= p <= last)


def page_href(path: str, k: int) -> str:
    return path if k == 1 else f"{path}?trang={k}"


# --------------------------------------------------------------------------- layouts


class Classic:
    name = "classic"

    def frame(self, ctx: Ctx, site: S.Site, title: str, body: str, head: str | None = None) -> str:
        menu = []
        for label, href, children in _menu_items(ctx, site):
            if children:
                sub = "".join(f'<li><a href="{attr(h)}">{esc(n)}</a></li>' for n, h in children)
                menu.append(
                    f'<li class="has-sub"><a href="{attr(href)}">{esc(label)}</a>'
                    f'<ul class="sub-menu">{sub}</ul></li>'
                )
            else:
                menu.append(f'<li><a href="{attr(href)}">{esc(label)}</a></li>')
        banner_src = "/Uploads/images/banner/" + ("home" if site is S.MAIN else site.key) + ".jpg"
        return (
            (head or _head(f"{title} - {site.name}"))
            + '\n<body>\n<div id="wrapper">\n<div id="header">'
            + f'<a href="{attr(site.home)}"><img class="banner" src="{banner_src}" '
            + f'alt="{attr(site.banner)}"></a>'
            + '</div>\n<div id="menu"><ul class="main-menu">'
            + "".join(menu)
            + "</ul></div>\n"
            + '<div id="main">\n'
            + body
            + "\n</div>\n"
            + f'<div id="footer"><p>{esc(FOOTER_TEXT)}</p></div>\n</div>\n'
            + '<script src="/Uploads/js/site.js"></script>\n</body></html>\n'
        )

    def news_item(self, ctx: Ctx, meta: Wd.Meta, where: str = "listing") -> str:
        w = ctx.world
        art = w.article(meta)
        mode = _text_mode(ctx, meta)
        href = link_variant(ctx, meta, where)
        thumb = ""
        if art.content.images:
            src = attr(art.content.images[0][1].src)
            thumb = f'<a href="{attr(href)}"><img class="news-thumb" src="{src}" alt=""></a>'
        return (
            f'<div class="news-item">{thumb}<h3><a class="news-link" href="{attr(href)}">'
            f"{_t(art.content.title, mode)}</a></h3>"
            f'<span class="news-time">{meta.updated.astimezone(S.TZ):%d/%m/%Y %H:%M}</span>'
            f'<div class="news-lead">{_t(art.content.lead, mode)}</div></div>'
        )

    def home(self, ctx: Ctx, featured: list[Wd.Meta], latest: list[Wd.Meta]) -> str:
        w = ctx.world
        links = []
        for m in featured:
            href = link_variant(ctx, m, "home")
            links.append(f'<li><a href="{attr(href)}">{esc(w.title_info(m)[0])}</a></li>')
        body = (
            '<div class="featured"><h2>Tin nổi bật</h2><ul>' + "".join(links) + "</ul></div>\n"
            '<div class="list-news latest">'
            + "".join(self.news_item(ctx, m, "home-latest") for m in latest)
            + "</div>"
        )
        return self.frame(ctx, S.MAIN, "Trang chủ", body, _head(S.MAIN.name))

    def subsite(self, ctx: Ctx, site: S.Site, latest: list[Wd.Meta]) -> str:
        body = (
            f'<h1 class="site-title">{esc(site.name)}</h1>\n<div class="list-news">'
            + "".join(self.news_item(ctx, m, "sub-latest") for m in latest)
            + "</div>"
        )
        return self.frame(ctx, site, site.name, body)

    def pager(self, path: str, page: int, last: int) -> str:
        if last <= 1:
            return ""
        parts = []
        for k in _pages(page, last):
            if k == page:
                parts.append(f'<span class="current">{k}</span>')
            else:
                parts.append(f'<a href="{attr(page_href(path, k))}">{k}</a>')
        if page < last:
            parts.append(f'<a class="next" href="{attr(page_href(path, page + 1))}">Trang sau</a>')
        return '<div class="pager">' + " ".join(parts) + "</div>"

    def listing(self, ctx: Ctx, cat: S.Category, page: int, last: int, items: list[Wd.Meta]) -> str:
        body = (
            f'<h1 class="category-title">{esc(cat.name)}</h1>\n<div class="list-news">'
            + "\n".join(self.news_item(ctx, m) for m in items)
            + "</div>\n"
            + self.pager(cat.path, page, last)
        )
        return self.frame(ctx, cat.site, cat.name, body)

    def signature(self, c: Content, mode: tuple[bool, bool]) -> str:
        out = []
        if c.author:
            pre, post = c.author_pad
            out.append(
                f'<p style="text-align: right;">{esc(pre)}'
                f"<strong>{_t(c.author, mode)}</strong>{esc(post)}</p>"
            )
            if c.role:
                pre, post = c.role_pad
                out.append(
                    f'<p style="text-align: right;">{esc(pre)}{_t(c.role, mode)}{esc(post)}</p>'
                )
        return "\n".join(out)

    def paragraph_html(self, p: Paragraph, mode: tuple[bool, bool]) -> str:
        if p.bold_first and len(p.sentences) > 1:
            inner = f"<strong>{_t(p.sentences[0], mode)}</strong> " + _t(
                " ".join(p.sentences[1:]), mode
            )
        else:
            inner = _t(p.text, mode)
        if p.italic:
            inner = f"<em>{inner}</em>"
        return inner

    def body_blocks(self, ctx: Ctx, art: Wd.Article, mode: tuple[bool, bool]) -> list[str]:
        c = art.content
        rng = random.Random(f"{ctx.world.seed}:xss:{art.meta.index}:{art.meta.version}")
        blocks = []
        images = list(c.images)
        for k, p in enumerate(c.paragraphs):
            blocks.append(f"<p>{self.paragraph_html(p, mode)}</p>")
            while images and images[0][0] == k:
                img = images.pop(0)[1]
                blocks.append(self.image(img.src, img.caption, mode))
            if art.meta.xss and rng.random() < 0.6:
                blocks.append(rng.choice(XSS_PAYLOADS))
        return blocks

    def image(self, src: str, caption: str | None, mode: tuple[bool, bool]) -> str:
        cap = f'<tr><td class="image-caption">{_t(caption, mode)}</td></tr>' if caption else ""
        return (
            f'<table class="image" align="center"><tr><td><img src="{attr(src)}" alt=""></td></tr>'
            f"{cap}</table>"
        )

    def related(self, ctx: Ctx, art: Wd.Article) -> list[Wd.Meta]:
        w = ctx.world
        out: list[Wd.Meta] = []
        i = art.meta.index - 1
        while i >= 0 and len(out) < 6 and art.meta.index - i < 600:
            m = w.metas[i]
            if m.cat == art.meta.cat:
                out.append(m)
            i -= 1
        return out

    def share(self, ctx: Ctx, art: Wd.Article) -> str:
        url = quote(ctx.base + art.path, safe="")
        return (
            '<div class="news-share"><script>function printNews(){window.print();}</script>'
            '<a class="fb" href="https://www.facebook.com/sharer/sharer.php'
            f'?u={url}">Chia sẻ Facebook</a> '
            f'<a class="zalo" href="https://sp.zalo.me/share_inline?url={url}">Zalo</a> '
            '<a class="print" href="javascript:printNews()">In bài viết</a></div>'
        )

    def attachments(self, art: Wd.Article) -> str:
        if not art.content.attachments:
            return ""
        links = " ".join(f'<a href="{attr(p)}">{esc(n)}</a>' for p, n in art.content.attachments)
        return f'<div class="news-attachments"><span>Tệp đính kèm:</span> {links}</div>'

    def article(self, ctx: Ctx, art: Wd.Article) -> str:
        w = ctx.world
        meta = art.meta
        c = art.content
        mode = _text_mode(ctx, meta)
        site = w.site_of(meta)
        cat = S.CATEGORIES[meta.cat]
        crumbs = ['<a href="/">Trang chủ</a>']
        if site is not S.MAIN:
            crumbs.append(f'<a href="{attr(site.home)}">{esc(site.name)}</a>')
        crumbs.append(f'<a href="{attr(cat.path)}">{esc(cat.name)}</a>')
        updated = (
            f'<div class="news-updated">{esc(S.format_modified(meta.mod))}</div>\n'
            if meta.mod
            else ""
        )
        title = _t(c.title, mode)
        og_image = ctx.base + c.images[0][1].src if c.images else None
        head_title = c.title if not mode[0] else unicodedata.normalize("NFD", c.title)
        head = _head(f"{head_title} - {site.name}", head_title, og_image)
        rel_items = []
        for m in self.related(ctx, art):
            href = link_variant(ctx, m, "related")
            t = esc(w.title_info(m)[0])
            rel_items.append(
                f'<li><a href="{attr(href)}"><img src="/Uploads/images/thumbs/{m.id}.jpg" '
                f'alt="{attr(w.title_info(m)[0])}"></a><p class="caption">{t}</p>'
                f'<a class="related-link" href="{attr(href)}">{t}</a></li>'
            )
        body = (
            '<div class="breadcrumb">' + " ".join(crumbs) + "</div>\n"
            '<div class="news-detail">\n'
            f'<h1 class="news-title">{title}</h1>\n'
            f'<div class="news-date">{esc(S.format_published(meta.pub, meta.fmt))}</div>\n'
            + updated
            + f'<div class="news-sapo">{_t(c.lead, mode)}</div>\n'
            '<div class="news-content">\n'
            + "\n".join(self.body_blocks(ctx, art, mode))
            + "\n"
            + self.signature(c, mode)
            + "\n</div>\n"
            + self.attachments(art)
            + self.share(ctx, art)
            + "\n</div>\n"
            + '<div class="related-news"><h3>Tin cùng chuyên mục</h3><ul>'
            + "".join(rel_items)
            + "</ul></div>"
        )
        return self.frame(ctx, site, c.title, body, head)

    def not_found(self, ctx: Ctx) -> str:
        body = (
            '<div class="error"><h1>Không tìm thấy trang</h1>'
            "<p>Trang bạn yêu cầu không tồn tại.</p></div>"
        )
        return self.frame(ctx, S.MAIN, "Không tìm thấy trang", body)
