"""Random layouts: the same world through a markup generated from a seed (``random:SEED``).

A :class:`spec.Spec` drawn from ``random.Random(f"layout:{seed}")`` decides what a CMS family
would: table layouts, DotNetNuke-style portlets (``dnn_ctr1410_...`` ids, the whole page in
one ``<form>``), semantic HTML5 or div soup; the headline's tag and classes; where and in
which Vietnamese form the date, the byline and the signature are printed; dated link
columns, share bars, comment forms, tag lists; class names meaningful, random or absent.
Articles, URLs and the truth stay the world's. Pages are pure functions of (spec, world
state): the same seed gives the same bytes.

The layout is built in layers, one job per module: :mod:`spec` draws the choices,
:mod:`naming` the class names, :mod:`dateforms` prints the dates (every form a portal
prints), :mod:`frame` renders the frame and the listings, :mod:`parts` the pieces of an
article page, and :class:`RandomLayout` here assembles the article page. What each article
page shows (date as printed, where, with or without a time; authors; text that is not the
article's) is in :meth:`RandomLayout.facts` (:mod:`facts` for the fixed layouts).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.dateforms import format_date
from danvan_crawler.replica.facts import _facts, classic_facts
from danvan_crawler.replica.modern import LAYOUTS
from danvan_crawler.replica.parts import RandomParts, _Page
from danvan_crawler.replica.render import (
    Classic,
    Ctx,
    _t,
    _text_mode,
)


class RandomLayout(RandomParts):
    """A layout drawn from a seed; the same URLs and data as the others."""

    def _article(self, ctx: Ctx, art: Wd.Article) -> tuple[str, _Page]:
        s, n = self.spec, self.n
        w = ctx.world
        meta, c = art.meta, art.content
        mode = _text_mode(ctx, meta)
        site = w.site_of(meta)
        rec = _Page()
        parts: list[str] = []
        if s.crumbs == "top":
            parts.append(self._crumbs(ctx, art))
        parts.append(self._heading_before(ctx, art))
        byline_top = s.author_where == "byline-top"
        if s.date_where == "before-headline":
            parts.append(self._date_html(ctx, art, rec))
        if byline_top and s.byline_first:
            parts.append(self._byline(c, mode, rec))
        parts.append(self._headline(ctx, art, mode))
        if s.crumbs == "after-headline":
            parts.append(self._crumbs(ctx, art))
        if s.date_where == "after-headline":
            parts.append(self._date_html(ctx, art, rec))
        elif s.date_where == "meta-line":
            parts.append(self._meta_line(ctx, art, rec))
        if byline_top and not s.byline_first:
            parts.append(self._byline(c, mode, rec))
        if s.share in ("top", "both"):
            parts.append(self._share(ctx, art))
        lead_inside = s.sapo != "element"
        if not lead_inside:
            tag = s.sapo_tag
            parts.append(f"<{tag}{n('sapo')}>{_t(c.lead, mode)}</{tag}>")
        if s.date_where == "after-sapo":
            parts.append(self._date_html(ctx, art, rec))
        parts.append(self._body(ctx, art, mode, rec, lead_inside))
        if s.author_where == "byline-after":
            parts.append(self._byline(c, mode, rec))
        if s.date_where == "after-body":
            parts.append(self._date_html(ctx, art, rec))
        if s.author_where == "author-box":
            parts.append(self._byline(c, mode, rec))
        parts.append(self._files(art))
        if s.tags:
            parts.append(self._tags(ctx, art))
        if s.share in ("bottom", "both"):
            parts.append(self._share(ctx, art))
        before, after, left, right = self._side(ctx, meta)
        if s.comments:
            after += self._comments(ctx, art)
        if s.date_where == "listing":
            rec.date = {"printed": None, "time": None, "where": "listing"}
        if c.author and rec.authors is None:
            rec.authors = {"where": s.author_where}
        inner = "\n".join(p for p in parts if p)
        if s.family == "html5":
            article = f"<article{n('article')}>{inner}</article>"
        elif s.family == "portlet":
            mid = n.module_id
            article = (
                f'<div class="DnnModule DnnModule-{n.module} DnnModule-{mid}"><a name="{mid}"></a>'
                f'<div id="dnn_ctr{mid}_ContentPane"><div id="dnn_ctr{mid}_ModuleContent" '
                f'class="DNNModuleContent Mod{n.module}C">{inner}</div></div></div>'
            )
        else:
            article = f"<div{n('article')}>{inner}</div>"
        main = before + article + after
        og_image = ctx.base + c.images[0][1].src if c.images else None
        head_title = c.title if not mode[0] else unicodedata.normalize("NFD", c.title)
        html = self.page(
            ctx, site, head_title, main, left=left, right=right, og=head_title, img=og_image
        )
        return html, rec

    def article(self, ctx: Ctx, art: Wd.Article) -> str:
        return self._article(ctx, art)[0]

    def describe(self) -> dict[str, Any]:
        """The layout's choices and the attributes of its main elements (``/_replica/info``)."""
        return {**self.spec.describe(), "attributes": self.n.describe()}

    # -- facts ------------------------------------------------------------------------------
    def listing_date(self, meta: Wd.Meta) -> tuple[str, bool] | None:
        if not self.spec.listing_date:
            return None
        return format_date(meta.pub, self.spec.listing_date_style)

    def facts(self, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
        html, rec = self._article(ctx, art)
        date = dict(rec.date or {})
        if date.get("where") == "listing":
            printed = self.listing_date(art.meta)
            assert printed is not None
            date.update(
                printed=printed[0], time=printed[1], **self.spec.listing_date_style.as_dict()
            )
        return _facts(art, html, date, rec.modified, rec.authors, rec.own, self.name)


def page_facts(layout: Classic, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
    """What the article page of ``art`` shows in ``layout`` (``/_replica/layout.jsonl``)."""
    if isinstance(layout, RandomLayout):
        return layout.facts(ctx, art)
    return classic_facts(layout, ctx, art)


def make_layout(name: str) -> Classic:
    """The layout called ``name``: ``classic``, ``modern`` or ``random:SEED``
    (``ValueError`` otherwise)."""
    if name in LAYOUTS:
        return LAYOUTS[name]()
    kind, sep, seed = name.partition(":")
    if kind == "random" and sep and seed.lstrip("-").isdigit():
        return RandomLayout(int(seed))
    raise ValueError(
        f"unknown layout {name!r}: expected classic, modern or random:SEED (SEED an integer)"
    )
