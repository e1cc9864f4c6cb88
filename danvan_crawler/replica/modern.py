"""The replica's "modern" layout (:class:`Modern`): the classic one's data at the same URLs in
HTML5 markup with other class names; :data:`LAYOUTS` names the two fixed layouts.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.generator import Content
from danvan_crawler.replica.render import (
    FOOTER_TEXT,
    Classic,
    Ctx,
    _head,
    _menu_items,
    _pages,
    _t,
    _text_mode,
    attr,
    esc,
    link_variant,
    page_href,
)


class Modern(Classic):
    """Same data, different structure and class names (a redesign)."""

    name = "modern"

    def frame(self, ctx: Ctx, site: S.Site, title: str, body: str, head: str | None = None) -> str:
        nav = []
        for label, href, children in _menu_items(ctx, site):
            sub = ""
            if children:
                sub = (
                    '<div class="dropdown">'
                    + "".join(
                        f'<a class="dropdown__link" href="{attr(h)}">{esc(n)}</a>'
                        for n, h in children
                    )
                    + "</div>"
                )
            nav.append(
                f'<div class="nav__item"><a class="nav__link" href="{attr(href)}">'
                f"{esc(label)}</a>{sub}</div>"
            )
        logo = "/Uploads/images/brand/" + ("home" if site is S.MAIN else site.key) + ".jpg"
        return (
            (head or _head(f"{title} | {site.name}"))
            + '\n<body class="theme-2025">\n<header class="site-header">'
            + f'<a class="brand" href="{attr(site.home)}"><img class="brand__logo" src="{logo}" '
            + f'alt="{attr(site.banner)}"></a>'
            + '<nav class="nav">'
            + "".join(nav)
            + '</nav></header>\n<main class="page">\n'
            + body
            + "\n</main>\n"
            + f'<footer class="site-footer"><small>{esc(FOOTER_TEXT)}</small></footer>\n'
            + '<script src="/Uploads/js/app.js"></script>\n</body></html>\n'
        )

    def news_item(self, ctx: Ctx, meta: Wd.Meta, where: str = "listing") -> str:
        art = ctx.world.article(meta)
        mode = _text_mode(ctx, meta)
        href = link_variant(ctx, meta, where)
        return (
            f'<article class="card"><h2 class="card__title"><a href="{attr(href)}">'
            f"{_t(art.content.title, mode)}</a></h2>"
            f'<p class="card__meta">{meta.updated.astimezone(S.TZ):%H:%M | %d.%m.%Y}</p>'
            f'<p class="card__excerpt">{_t(art.content.lead, mode)}</p></article>'
        )

    def home(self, ctx: Ctx, featured: list[Wd.Meta], latest: list[Wd.Meta]) -> str:
        w = ctx.world
        links = "".join(
            f'<a class="hot__link" href="{attr(link_variant(ctx, m, "home"))}">'
            f"{esc(w.title_info(m)[0])}</a>"
            for m in featured
        )
        body = (
            f'<section class="hot"><h2 class="section-title">Tin nổi bật</h2>{links}</section>\n'
            '<section class="stream">'
            + "".join(self.news_item(ctx, m, "home-latest") for m in latest)
            + "</section>"
        )
        return self.frame(ctx, S.MAIN, "Trang chủ", body, _head(S.MAIN.name))

    def subsite(self, ctx: Ctx, site: S.Site, latest: list[Wd.Meta]) -> str:
        body = (
            f'<h1 class="section-title">{esc(site.name)}</h1><section class="stream">'
            + "".join(self.news_item(ctx, m, "sub-latest") for m in latest)
            + "</section>"
        )
        return self.frame(ctx, site, site.name, body)

    def pager(self, path: str, page: int, last: int) -> str:
        if last <= 1:
            return ""
        parts = []
        for k in _pages(page, last):
            cls = "pagination__item is-active" if k == page else "pagination__item"
            parts.append(f'<a class="{cls}" href="{attr(page_href(path, k))}">{k}</a>')
        if page < last:
            parts.append(
                f'<a class="pagination__next" href="{attr(page_href(path, page + 1))}">›</a>'
            )
        return '<nav class="pagination">' + "".join(parts) + "</nav>"

    def listing(self, ctx: Ctx, cat: S.Category, page: int, last: int, items: list[Wd.Meta]) -> str:
        body = (
            f'<h1 class="section-title">{esc(cat.name)}</h1>\n<section class="stream">'
            + "\n".join(self.news_item(ctx, m) for m in items)
            + "</section>\n"
            + self.pager(cat.path, page, last)
        )
        return self.frame(ctx, cat.site, cat.name, body)

    def signature(self, c: Content, mode: tuple[bool, bool]) -> str:
        if not c.author:
            return ""
        role = f'<span class="byline__role">{_t(c.role, mode)}</span>' if c.role else ""
        name = _t(c.author, mode)
        return f'<div class="byline"><span class="byline__name">{name}</span>{role}</div>'

    def image(self, src: str, caption: str | None, mode: tuple[bool, bool]) -> str:
        cap = f"<figcaption>{_t(caption, mode)}</figcaption>" if caption else ""
        img = f'<img src="{attr(src)}" alt="" loading="lazy">'
        return f'<figure class="post__figure">{img}{cap}</figure>'

    def attachments(self, art: Wd.Article) -> str:
        if not art.content.attachments:
            return ""
        links = "".join(
            f'<li><a class="file" href="{attr(p)}" download>{esc(n)}</a></li>'
            for p, n in art.content.attachments
        )
        return f'<ul class="post__files">{links}</ul>'

    def share(self, ctx: Ctx, art: Wd.Article) -> str:
        url = quote(ctx.base + art.path, safe="")
        return (
            f'<aside class="social"><a href="https://www.facebook.com/sharer/sharer.php?u={url}">f</a>'
            f'<a href="https://sp.zalo.me/share_inline?url={url}">z</a></aside>'
        )

    def article(self, ctx: Ctx, art: Wd.Article) -> str:
        w = ctx.world
        meta = art.meta
        c = art.content
        mode = _text_mode(ctx, meta)
        site = w.site_of(meta)
        cat = S.CATEGORIES[meta.cat]
        crumbs = ['<li><a href="/">Trang chủ</a></li>']
        if site is not S.MAIN:
            crumbs.append(f'<li><a href="{attr(site.home)}">{esc(site.name)}</a></li>')
        crumbs.append(f'<li><a href="{attr(cat.path)}">{esc(cat.name)}</a></li>')
        dates = esc(S.format_published(meta.pub, meta.fmt))
        if meta.mod:
            dates += f' <em class="post__updated">{esc(S.format_modified(meta.mod))}</em>'
        og_image = ctx.base + c.images[0][1].src if c.images else None
        head_title = c.title if not mode[0] else unicodedata.normalize("NFD", c.title)
        head = _head(f"{head_title} | {site.name}", head_title, og_image)
        rel = "".join(
            f'<a class="more__link" href="{attr(link_variant(ctx, m, "related"))}">'
            f"{esc(w.title_info(m)[0])}</a>"
            for m in self.related(ctx, art)
        )
        body = (
            '<ol class="crumbs">' + "".join(crumbs) + "</ol>\n"
            '<article class="post">\n'
            f'<h1 class="post__title">{_t(c.title, mode)}</h1>\n'
            f'<p class="post__meta">{dates}</p>\n'
            f'<p class="post__summary"><b>{_t(c.lead, mode)}</b></p>\n'
            '<div class="post__body">\n'
            + "\n".join(self.body_blocks(ctx, art, mode))
            + "\n</div>\n"
            + self.signature(c, mode)
            + self.attachments(art)
            + self.share(ctx, art)
            + "\n</article>\n"
            + f'<section class="more"><h2>Cùng chuyên mục</h2>{rel}</section>'
        )
        return self.frame(ctx, site, c.title, body, head)


LAYOUTS: dict[str, type[Classic]] = {"classic": Classic, "modern": Modern}
