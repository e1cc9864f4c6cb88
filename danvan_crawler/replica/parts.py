"""The parts of a random layout's article page (date, byline, signature, body, images,
share bar, tags, comments, crumbs, headline), each recording what it printed that is
not plain page text (:class:`_Page`, read by :meth:`RandomLayout.facts`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.dateforms import DateStyle, _dmy, format_date
from danvan_crawler.replica.frame import RandomFrame
from danvan_crawler.replica.generator import Content, Paragraph
from danvan_crawler.replica.render import (
    XSS_PAYLOADS,
    Classic,
    Ctx,
    _t,
    attr,
    esc,
    link_variant,
)
from danvan_crawler.replica.spec import COMMENT_NAMES, COMMENT_TEXTS, MODULE_TITLES, TAG_WORDS
from danvan_crawler.replica.text import NBSP


@dataclass
class _Page:
    """What the article renderer printed that is not plain page text (see ``facts``)."""

    date: dict[str, Any] | None = None
    modified: dict[str, Any] | None = None
    authors: dict[str, Any] | None = None
    own: list[str] = field(default_factory=list)


class RandomParts(RandomFrame):
    """The parts of a random layout's article page (assembled by :class:`RandomLayout`)."""

    # -- article parts --------------------------------------------------------------------
    def _date_html(self, ctx: Ctx, art: Wd.Article, rec: _Page) -> str:
        s, n = self.spec, self.n
        meta = art.meta
        text, has_time = format_date(meta.pub, s.date_style)
        rec.date = {
            "printed": text,
            "time": has_time,
            "where": s.date_where,
            **s.date_style.as_dict(),
        }
        rec.own.append(text)
        icon = '<i class="fa fa-clock-o"></i> ' if s.date_icon else ""
        tag = s.date_tag
        extra = ""
        if tag == "time" and s.time_attr:
            d = meta.pub.astimezone(S.TZ)
            extra = f' datetime="{d.isoformat()}"' if has_time else f' datetime="{d:%Y-%m-%d}"'
        out = f"<{tag}{n('date', extra)}>{icon}{esc(text)}</{tag}>"
        if s.show_modified and meta.mod is not None:
            d = meta.mod.astimezone(S.TZ)
            label = s.modified_label
            if label == "Cập nhật lúc":
                printed = f"{label} {d:%H:%M} ngày {_dmy(d, s.date_style.pad)}"
            else:
                printed = f"{label} {_dmy(d, s.date_style.pad)} {d:%H:%M}"
            mod_time = True
            rec.modified = {"printed": printed, "time": mod_time}
            rec.own.append(printed)
            mod_html = f"<{tag}{n('modified')}>{esc(printed)}</{tag}>"
            out = mod_html + " " + out if s.modified_before else out + " " + mod_html
        return out

    def _meta_line(self, ctx: Ctx, art: Wd.Article, rec: _Page) -> str:
        n = self.n
        cat = S.CATEGORIES[art.meta.cat]
        bits = [f'<a href="{attr(cat.path)}">{esc(cat.name)}</a>', self._date_html(ctx, art, rec)]
        if self.spec.views:
            bits.append(f"<span{n('views')}>Lượt xem: {self._views(ctx, art.meta)}</span>")
        return f"<div{n('meta')}>" + " | ".join(bits) + "</div>"

    def _views(self, ctx: Ctx, meta: Wd.Meta) -> str:
        count = random.Random(f"{self.spec.seed}:views:{meta.index}").randint(120, 25000)
        return f"{count:,}".replace(",", ".")

    def _byline(self, c: Content, mode: tuple[bool, bool], rec: _Page) -> str:
        """The author printed above or below the body (not in it)."""
        s, n = self.spec, self.n
        if not c.author:
            return ""
        rec.authors = {"where": s.author_where, "style": "byline"}
        name = _t(c.author, mode)
        if s.author_where == "author-box":
            role_html = f" <span>{_t(c.role, mode)}</span>" if c.role else ""
            return f"<div{n('author')}><strong>{name}</strong>{role_html}</div>"
        # the layout's label, unless the author line carries its own credit ("Bài, ảnh: ")
        label = s.byline_label if c.author == c.author_name else ""
        line = label + c.author
        role = ""
        if c.role and s.byline_dash_role:
            line += " - " + c.role
            role = " - " + _t(c.role, mode)
        elif c.role:
            role = f"<br>{_t(c.role, mode)}"
        rec.own.append(line)
        tag = "p" if s.author_where == "byline-after" else "div"
        return f"<{tag}{n('author')}>{esc(label)}{name}{role}</{tag}>"

    def _signature(self, c: Content, mode: tuple[bool, bool], rec: _Page) -> list[str]:
        """The signature at the end of the body, as blocks."""
        s = self.spec
        if not c.author:
            return []
        rec.authors = {"where": "signature", "style": s.sig_style}
        pre = NBSP * 30 + " " if s.sig_pad else ""
        name = esc(pre) + _t(c.author, mode)
        role = _t(c.role, mode) if c.role else ""
        if s.sig_style == "right-dash" and c.role:
            rec.own.append(f"{c.author} - {c.role}")
        style = s.sig_style
        if style == "right-2":
            out = [f'<p style="text-align: right;"><strong>{name}</strong></p>']
            if role:
                out.append(f'<p style="text-align: right;">{role}</p>')
            return out
        if style == "right-dash":
            line = f"{name} - {role}" if role else name
            return [f'<p style="text-align:right"><strong>{line}</strong></p>']
        if style == "right-br":
            tail = f"<br><em>{role}</em>" if role else ""
            return [f'<p style="text-align:right"><b>{name}</b>{tail}</p>']
        if style == "align-right":
            out = [f'<p align="right"><strong>{name}</strong></p>']
            if role:
                out.append(f'<p align="right"><em>{role}</em></p>')
            return out
        if style == "div-right":
            tail = f"<div>{role}</div>" if role else ""
            return [f'<div style="text-align: right;"><b>{name}</b>{tail}</div>']
        out = [f"<p><strong>{name}</strong></p>"]
        if role:
            out.append(f"<p><em>{role}</em></p>")
        return out

    def _image(self, src: str, caption: str | None, mode: tuple[bool, bool]) -> list[str]:
        n = self.n
        style = self.spec.image_style
        cap = _t(caption, mode) if caption else ""
        img = f'<img src="{attr(src)}" alt="">'
        if style == "figure":
            fc = f"<figcaption>{cap}</figcaption>" if cap else ""
            return [f"<figure{n('figure')}>{img}{fc}</figure>"]
        if style == "table":
            row = f"<tr><td{n('caption')}>{cap}</td></tr>" if cap else ""
            return [f'<table align="center"{n("figure")}><tr><td>{img}</td></tr>{row}</table>']
        if style == "div-center":
            fc = f"<p{n('caption')}><em>{cap}</em></p>" if cap else ""
            return [f'<div style="text-align:center"{n("figure")}>{img}{fc}</div>']
        out = [f'<p style="text-align: center;">{img}</p>']
        if cap:
            out.append(f'<p style="text-align: center;"><em>{cap}</em></p>')
        return out

    def _paragraph(self, inner: str) -> str:
        style = self.spec.body_paragraphs
        if style == "p-justify":
            return f'<p style="text-align: justify;">{inner}</p>'
        if style == "p-span":
            return f'<p><span style="font-size:14px;">{inner}</span></p>'
        if style == "div":
            return f"<div>{inner}</div>"
        return f"<p>{inner}</p>"

    def _body(
        self, ctx: Ctx, art: Wd.Article, mode: tuple[bool, bool], rec: _Page, lead_inside: bool
    ) -> str:
        """The content element: (lead), paragraphs, images, payloads, signature."""
        s, n = self.spec, self.n
        c = art.content
        rng = random.Random(f"{ctx.world.seed}:xss:{art.meta.index}:{art.meta.version}")
        # paragraphs as inner HTML, other blocks (images, payloads) marked as such
        pieces: list[tuple[bool, str]] = []
        if lead_inside:
            lead = _t(c.lead, mode)
            pieces.append((True, f"<strong>{lead}</strong>" if s.sapo == "in-body-bold" else lead))
        images = list(c.images)
        for k, p in enumerate(c.paragraphs):
            pieces.append((True, self.paragraph_html(p, mode)))
            while images and images[0][0] == k:
                img = images.pop(0)[1]
                pieces += [(False, block) for block in self._image(img.src, img.caption, mode)]
            if art.meta.xss and rng.random() < 0.6:
                pieces.append((False, rng.choice(XSS_PAYLOADS)))
            if k == min(1, len(c.paragraphs) - 2) and s.inline_related:
                pieces.append((False, self._inline_related(ctx, art)))
        sig = [] if s.author_where != "signature" else self._signature(c, mode, rec)
        if s.body_paragraphs in ("br", "br1"):
            # text runs separated by line breaks, as old editors save them
            sep = "<br><br>" if s.body_paragraphs == "br" else "<br>"
            out: list[str] = []
            after_text = False
            for is_text, piece in pieces:
                if is_text and after_text:
                    out.append(sep)
                out.append(piece)
                after_text = is_text
            html_body = "\n".join(out) + "".join(sig)
        else:
            blocks = [self._paragraph(piece) if is_text else piece for is_text, piece in pieces]
            html_body = "\n".join(blocks + sig)
        if s.body_wrap:
            html_body = f'<div class="{attr(self._wrap_class())}">{html_body}</div>'
        tag = s.body_tag
        if tag == "td":
            return f'<table width="100%"><tr><td{n("content")}>{html_body}</td></tr></table>'
        return f"<{tag}{n('content')}>{html_body}</{tag}>"

    def _inline_related(self, ctx: Ctx, art: Wd.Article) -> str:
        """Links to other articles inside the body, as editors paste them."""
        w = ctx.world
        others = [m for m in w.latest(4) if m.id != art.meta.id][:3]
        if not others:
            return ""

        def link(m: Wd.Meta) -> str:
            href = attr(link_variant(ctx, m, "related"))
            return f'<a href="{href}">{esc(w.title_info(m)[0])}</a>'

        if self.spec.inline_related == "xem-them":
            return f"<p><strong>Xem thêm:</strong> {link(others[0])}</p>"
        items = "".join(f"<li>{link(m)}</li>" for m in others)
        return (
            f"<div{self.n('inline-related')}><strong>Tin liên quan:</strong><ul>{items}</ul></div>"
        )

    def _wrap_class(self) -> str:
        return random.Random(f"layout:{self.spec.seed}:wrap").choice(
            ("inner", "clearfix", "text", "fck-content", "ExternalClass")
        )

    def paragraph_html(self, p: Paragraph, mode: tuple[bool, bool]) -> str:
        return Classic.paragraph_html(self, p, mode)

    def _share(self, ctx: Ctx, art: Wd.Article) -> str:
        n = self.n
        url = quote(ctx.base + art.path, safe="")
        links = []
        for label in self.spec.share_labels:
            if "Facebook" in label:
                href = f"https://www.facebook.com/sharer/sharer.php?u={url}"
            elif "Zalo" in label:
                href = f"https://sp.zalo.me/share_inline?url={url}"
            elif "Twitter" in label:
                href = f"https://twitter.com/intent/tweet?url={url}"
            elif label.endswith(":") or label.startswith("Cỡ chữ"):
                links.append(f"<span>{esc(label)}</span>")
                continue
            else:
                href = "javascript:void(0)"
            links.append(f'<a href="{attr(href)}">{esc(label)}</a>')
        return f"<div{n('share')}>" + " ".join(links) + "</div>"

    def _tags(self, ctx: Ctx, art: Wd.Article) -> str:
        rng = random.Random(f"{self.spec.seed}:tags:{art.meta.index}")
        words = rng.sample(TAG_WORDS, rng.randint(2, 4))
        links = ", ".join(f'<a href="/Search?tag={quote(w)}">{esc(w)}</a>' for w in words)
        return f"<div{self.n('tags')}><span>{esc(self.spec.tag_label)}</span> {links}</div>"

    def _comments(self, ctx: Ctx, art: Wd.Article) -> str:
        s, n = self.spec, self.n
        listed = ""
        if s.comments == "form+list":
            rng = random.Random(f"{s.seed}:comments:{art.meta.index}")
            rows = []
            for k in range(rng.randint(1, 3)):
                when = art.meta.pub + timedelta(hours=rng.randint(2, 200))
                date, _ = format_date(when, DateStyle("slash", 1))
                rows.append(
                    f"<li><strong>{esc(rng.choice(COMMENT_NAMES))}</strong> <span>{date}</span>"
                    f"<p>{esc(rng.choice(COMMENT_TEXTS))}</p></li>"
                )
                del k
            listed = "<ul>" + "".join(rows) + "</ul>"
        form = (
            '<form action="/Comment/Post" method="post">'
            '<label>Họ và tên</label> <input type="text" name="name">'
            '<label>Email</label> <input type="email" name="email">'
            '<label>Nội dung ý kiến</label> <textarea name="body"></textarea>'
            '<button type="submit">Gửi ý kiến</button></form>'
        )
        if s.family == "portlet":
            # the page is already one <form>: ASP.NET pages post the whole page back
            form = form.replace('<form action="/Comment/Post" method="post">', "<div>").replace(
                "</form>", "</div>"
            )
        return f"<div{n('comments')}><h3>{esc(s.comment_heading)}</h3>{listed}{form}</div>"

    def _files(self, art: Wd.Article) -> str:
        if not art.content.attachments:
            return ""
        links = " ".join(f'<a href="{attr(p)}">{esc(nm)}</a>' for p, nm in art.content.attachments)
        return f"<div{self.n('files')}><span>{esc(self.spec.files_label)}</span> {links}</div>"

    def _crumbs(self, ctx: Ctx, art: Wd.Article) -> str:
        s = self.spec
        site = ctx.world.site_of(art.meta)
        cat = S.CATEGORIES[art.meta.cat]
        links = ['<a href="/">Trang chủ</a>']
        if site is not S.MAIN:
            links.append(f'<a href="{attr(site.home)}">{esc(site.name)}</a>')
        links.append(f'<a href="{attr(cat.path)}">{esc(cat.name)}</a>')
        sep = f" {esc(s.crumb_sep)} " if s.crumb_sep else " "
        return f"<div{self.n('crumbs')}>" + sep.join(links) + "</div>"

    def _headline(self, ctx: Ctx, art: Wd.Article, mode: tuple[bool, bool]) -> str:
        s, n = self.spec, self.n
        text = _t(art.content.title, mode)
        if s.headline_link:
            text = f'<a href="{attr(art.path)}">{text}</a>'
        tag = s.headline_tag
        if tag == "td":
            return f'<table width="100%"><tr><td{n("headline")}>{text}</td></tr></table>'
        out = f"<{tag}{n('headline')}>{text}</{tag}>"
        if s.headline_wrap or tag in ("span", "strong"):
            out = f"<div>{out}</div>"
        return out

    def _heading_before(self, ctx: Ctx, art: Wd.Article) -> str:
        kind = self.spec.heading_before
        n = self.n
        if kind == "module":
            title = random.Random(f"layout:{self.spec.seed}:module").choice(MODULE_TITLES)
            return f"<h2{n('module')}>{esc(title)}</h2>"
        if kind == "category":
            cat = S.CATEGORIES[art.meta.cat]
            return f'<h2{n("module")}><a href="{attr(cat.path)}">{esc(cat.name)}</a></h2>'
        if kind == "logo":
            return f"<h1{n('module')}>{esc(ctx.world.site_of(art.meta).name)}</h1>"
        return ""
