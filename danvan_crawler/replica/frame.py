"""The frame of a random layout's pages (head, menu, banner, dated link columns) and its
listings, home and sub-site pages (:class:`RandomFrame`); the article page is in
:mod:`parts` and :mod:`layouts`.
"""

from __future__ import annotations

import random
from urllib.parse import quote

from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.dateforms import format_date
from danvan_crawler.replica.naming import Namer
from danvan_crawler.replica.render import (
    Classic,
    Ctx,
    _menu_items,
    _pages,
    _t,
    _text_mode,
    attr,
    esc,
    link_variant,
    page_href,
)
from danvan_crawler.replica.spec import Column, spec_for


class RandomFrame(Classic):
    """A random layout's frame and listing pages (see :class:`layouts.RandomLayout`)."""

    def __init__(self, seed: int) -> None:
        self.spec = spec_for(seed)
        self.name = f"random:{seed}"
        self.n = Namer(random.Random(f"layout:{seed}:names"), self.spec.naming, self.spec.family)

    # -- frame ----------------------------------------------------------------------------
    def _head(self, ctx: Ctx, title: str, site: S.Site, og: str | None, img: str | None) -> str:
        s = self.spec
        name = site.name
        form = s.title_form
        if form == 0:
            full = f"{title} - {name}"
        elif form == 1:
            full = f"{title} | {name}"
        elif form == 2:
            full = f"{title} – {name}"
        elif form == 3:
            full = f"{name} - {title}"
        elif form == 4:
            full = title
        else:
            full = f"{title} :: {name}"
        doctype = "<!DOCTYPE html>"
        if s.family == "table":
            doctype = (
                '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
                '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
            )
        parts = [
            doctype,
            '<html lang="vi"><head><meta charset="utf-8">',
            f"<title>{esc(full)}</title>",
        ]
        if og and s.og_title:
            parts.append(f'<meta property="og:title" content="{attr(og)}">')
        if img:
            parts.append(f'<meta property="og:image" content="{attr(img)}">')
        parts.append('<link rel="stylesheet" href="/Uploads/css/site.css"></head>')
        return "\n".join(parts)

    def _menu(self, ctx: Ctx, site: S.Site) -> str:
        s, n = self.spec, self.n
        items = []
        for label, href, children in _menu_items(ctx, site):
            sub = ""
            if children and s.menu_nested:
                sub = (
                    f"<ul{n('submenu')}>"
                    + "".join(f'<li><a href="{attr(h)}">{esc(c)}</a></li>' for c, h in children)
                    + "</ul>"
                )
            items.append(f'<li><a href="{attr(href)}">{esc(label)}</a>{sub}</li>')
        ul = f"<ul{n('menu')}>" + "".join(items) + "</ul>"
        return f"<nav>{ul}</nav>" if s.family == "html5" else f"<div{n('menu')}>{ul}</div>"

    def _today(self, ctx: Ctx) -> str:
        if not self.spec.header_today:
            return ""
        text, _ = format_date(ctx.world.now, self.spec.today_style)
        return f"<div{self.n('today')}>{esc(text)}</div>"

    def _banner(self, site: S.Site) -> str:
        src = "/Uploads/images/banner/" + ("home" if site is S.MAIN else site.key) + ".jpg"
        return (
            f'<a href="{attr(site.home)}"><img{self.n("banner")} src="{src}" '
            f'alt="{attr(site.banner)}"></a>'
        )

    def page(
        self,
        ctx: Ctx,
        site: S.Site,
        title: str,
        main: str,
        *,
        left: str = "",
        right: str = "",
        og: str | None = None,
        img: str | None = None,
    ) -> str:
        s, n = self.spec, self.n
        head = self._head(ctx, title, site, og, img)
        top = self._banner(site) + self._today(ctx)
        menu = self._menu(ctx, site)
        foot = f"<p>{esc(s.footer)}</p>"
        script = '<script src="/Uploads/js/site.js"></script>'
        if s.family == "table":
            cols = ""
            if left:
                cols += f'<td width="220" valign="top"{n("sidebar")}>{left}</td>'
            cols += f'<td valign="top"{n("main")}>{main}</td>'
            if right:
                cols += f'<td width="220" valign="top"{n("sidebar")}>{right}</td>'
            span = 1 + bool(left) + bool(right)
            body = (
                f'<table width="100%" cellpadding="0" cellspacing="0" border="0"{n("wrapper")}>'
                f'<tr><td colspan="{span}"{n("header")}>{top}</td></tr>'
                f'<tr><td colspan="{span}">{menu}</td></tr>'
                f"<tr>{cols}</tr>"
                f'<tr><td colspan="{span}"{n("footer")}>{foot}</td></tr></table>'
            )
        elif s.family == "portlet":
            state = quote(f"{s.seed}:{title}".encode())[:40]
            panes = ""
            if left:
                panes += f'<div id="dnn_LeftPane" class="LeftPane">{left}</div>'
            panes += f'<div id="dnn_ContentPane" class="ContentPane">{main}</div>'
            if right:
                panes += f'<div id="dnn_RightPane" class="RightPane">{right}</div>'
            body = (
                '<form method="post" action="" id="Form" enctype="multipart/form-data">'
                f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{attr(state)}">'
                f'<div id="dnn_wrapper"{n("wrapper")}><div id="dnn_HeaderPane">{top}</div>'
                f'<div id="dnn_MenuPane">{menu}</div><div id="dnn_Panes">{panes}</div>'
                f'<div id="dnn_FooterPane"{n("footer")}>{foot}</div></div></form>'
            )
        elif s.family == "html5":
            aside_l = f"<aside{n('sidebar')}>{left}</aside>" if left else ""
            aside_r = f"<aside{n('sidebar')}>{right}</aside>" if right else ""
            body = (
                f"<header{n('header')}>{top}{menu}</header>"
                f"{aside_l}<main{n('main')}>{main}</main>{aside_r}"
                f"<footer{n('footer')}>{foot}</footer>"
            )
        else:
            side = n("sidebar")
            col_l = f"<div{side}>{left}</div>" if left else ""
            col_r = f"<div{side}>{right}</div>" if right else ""
            body = (
                f"<div{n('wrapper')}><div{n('header')}>{top}</div>{menu}"
                f'<div class="row">{col_l}<div{n("main")}>{main}</div>{col_r}</div>'
                f"<div{n('footer')}>{foot}</div></div>"
            )
        return f"{head}\n<body>\n{body}\n{script}\n</body></html>\n"

    # -- dated link columns ---------------------------------------------------------------
    def _column_items(self, ctx: Ctx, col: Column, current: Wd.Meta | None) -> list[Wd.Meta]:
        w = ctx.world
        if col.kind == "latest":
            pool = w.latest(col.count + 1)
        elif col.kind == "related" and current is not None:
            pool = [m for m in w.listing(current.cat) if m.id != current.id][: col.count]
            if len(pool) < col.count:
                pool += [m for m in w.latest(col.count + 1) if m.id != current.id and m not in pool]
        else:
            rng = random.Random(f"{self.spec.seed}:popular:{w.seed}")
            k = min(len(w.metas), col.count + 1)
            pool = [w.metas[i] for i in sorted(rng.sample(range(len(w.metas)), k))]
        return [m for m in pool if current is None or m.id != current.id][: col.count]

    def _column(self, ctx: Ctx, col: Column, current: Wd.Meta | None) -> str:
        n = self.n
        w = ctx.world
        rows = []
        for m in self._column_items(ctx, col, current):
            href = attr(link_variant(ctx, m, "related" if col.kind == "related" else "home"))
            title = esc(w.title_info(m)[0])
            date = ""
            if col.dated:
                text, _ = format_date(m.pub, col.date_style)
                date = f"({text})" if col.bracket and not text.startswith("(") else text
                date = f" <span{n('item-date')}>{esc(date)}</span>"
            link = f'<a href="{href}">{title}</a>'
            if col.markup == "ul":
                rows.append(f"<li>{link}{date}</li>")
            elif col.markup == "table":
                rows.append(f"<tr><td>{link}{date}</td></tr>")
            else:
                rows.append(f"<div{n('item')}>{link}{date}</div>")
        if col.markup == "ul":
            inner = f"<ul{n('column-list')}>" + "".join(rows) + "</ul>"
        elif col.markup == "table":
            inner = f'<table width="100%"{n("column-list")}>' + "".join(rows) + "</table>"
        else:
            inner = f"<div{n('column-list')}>" + "".join(rows) + "</div>"
        heading = f"<h3{n('column-title')}>{esc(col.heading)}</h3>"
        if self.spec.family == "html5":
            return f"<section{n('column')}>{heading}{inner}</section>"
        return f"<div{n('column')}>{heading}{inner}</div>"

    def _columns(self, ctx: Ctx, current: Wd.Meta | None) -> dict[str, str]:
        out = {"before": "", "after": "", "left": "", "right": ""}
        for col in self.spec.columns:
            out[col.where] += self._column(ctx, col, current)
        return out

    # -- listings ---------------------------------------------------------------------------
    def news_item(self, ctx: Ctx, meta: Wd.Meta, where: str = "listing") -> str:
        s, n = self.spec, self.n
        art = ctx.world.article(meta)
        mode = _text_mode(ctx, meta)
        href = attr(link_variant(ctx, meta, where))
        title_text = _t(art.content.title, mode)
        tt = s.listing_title_tag
        if tt == "a":
            title = f'<a{n("item-title")} href="{href}">{title_text}</a>'
        else:
            title = f'<{tt}{n("item-title")}><a href="{href}">{title_text}</a></{tt}>'
        thumb = ""
        if s.listing_thumb and art.content.images:
            src = attr(art.content.images[0][1].src)
            thumb = f'<a href="{href}"><img src="{src}" alt=""></a>'
        date = ""
        if s.listing_date:
            text, _ = format_date(meta.pub, s.listing_date_style)
            date = f"<span{n('item-date')}>{esc(text)}</span>"
        lead = f"<div{n('item-lead')}>{_t(art.content.lead, mode)}</div>" if s.listing_lead else ""
        parts = [thumb, date, title, lead] if s.listing_date_first else [thumb, title, date, lead]
        inner = "".join(parts)
        if s.listing_markup == "ul":
            return f"<li{n('item')}>{inner}</li>"
        if s.listing_markup == "table":
            return f"<tr><td{n('item')}>{inner}</td></tr>"
        if s.listing_markup == "article":
            return f"<article{n('item')}>{inner}</article>"
        return f"<div{n('item')}>{inner}</div>"

    def _items(self, ctx: Ctx, metas: list[Wd.Meta], where: str) -> str:
        n = self.n
        rows = "".join(self.news_item(ctx, m, where) for m in metas)
        markup = self.spec.listing_markup
        if markup == "ul":
            return f"<ul{n('list')}>{rows}</ul>"
        if markup == "table":
            return f'<table width="100%"{n("list")}>{rows}</table>'
        if markup == "article":
            return f"<section{n('list')}>{rows}</section>"
        return f"<div{n('list')}>{rows}</div>"

    def pager(self, path: str, page: int, last: int) -> str:
        s, n = self.spec, self.n
        if last <= 1:
            return ""
        first_w, prev_w, next_w, last_w = s.pager_words

        def link(k: int, text: str) -> str:
            return f'<a href="{attr(page_href(path, k))}">{esc(text)}</a>'

        parts: list[str] = []
        if s.pager in ("numbered", "links"):
            if page > 1 and s.pager == "links":
                parts.append(link(page - 1, prev_w))
            for k in _pages(page, last):
                if k == page and s.pager == "numbered":
                    parts.append(f"<span>{k}</span>")
                else:
                    parts.append(link(k, str(k)))
            if page < last:
                parts.append(link(page + 1, next_w))
        elif s.pager == "prevnext":
            if page > 1:
                parts += [link(1, first_w), link(page - 1, prev_w)]
            parts.append(f"<span>{page}</span>")
            if page < last:
                parts += [link(page + 1, next_w), link(last, last_w)]
        elif s.pager == "next":
            if page > 1:
                parts.append(link(page - 1, prev_w))
            if page < last:
                parts.append(link(page + 1, next_w))
        else:
            parts.append(f"<span>Trang {page}/{last}</span>")
            if page > 1:
                parts.append(link(page - 1, prev_w))
            if page < last:
                parts.append(link(page + 1, next_w))
        return f"<div{n('pager')}>" + " ".join(parts) + "</div>"

    def _side(self, ctx: Ctx, current: Wd.Meta | None) -> tuple[str, str, str, str]:
        cols = self._columns(ctx, current)
        return cols["before"], cols["after"], cols["left"], cols["right"]

    def listing(self, ctx: Ctx, cat: S.Category, page: int, last: int, items: list[Wd.Meta]) -> str:
        n = self.n
        before, after, left, right = self._side(ctx, None)
        main = (
            f"<h1{n('cat-title')}>{esc(cat.name)}</h1>"
            + self._items(ctx, items, "listing")
            + self.pager(cat.path, page, last)
        )
        return self.page(ctx, cat.site, cat.name, main, left=left + before, right=right + after)

    def home(self, ctx: Ctx, featured: list[Wd.Meta], latest: list[Wd.Meta]) -> str:
        n = self.n
        w = ctx.world
        links = "".join(
            f'<li><a href="{attr(link_variant(ctx, m, "home"))}">{esc(w.title_info(m)[0])}</a></li>'
            for m in featured
        )
        main = (
            f"<div{n('column')}><h2{n('column-title')}>Tin nổi bật</h2><ul>{links}</ul></div>"
            + self._items(ctx, latest, "home-latest")
        )
        return self.page(ctx, S.MAIN, "Trang chủ", main)

    def subsite(self, ctx: Ctx, site: S.Site, latest: list[Wd.Meta]) -> str:
        main = f"<h1{self.n('cat-title')}>{esc(site.name)}</h1>" + self._items(
            ctx, latest, "sub-latest"
        )
        return self.page(ctx, site, site.name, main)

    def not_found(self, ctx: Ctx) -> str:
        main = "<h1>Không tìm thấy trang</h1><p>Trang bạn yêu cầu không tồn tại.</p>"
        return self.page(ctx, S.MAIN, "Không tìm thấy trang", main)
