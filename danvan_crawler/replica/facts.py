"""What an article page shows (date as printed and where, authors, text that is not the
article's): the rows of ``/_replica/layout.jsonl`` for the fixed layouts and the helpers
:meth:`RandomLayout.facts` shares.
"""

from __future__ import annotations

from typing import Any

from danvan_crawler.replica import sites as S
from danvan_crawler.replica import world as Wd
from danvan_crawler.replica.pagetext import furniture
from danvan_crawler.replica.render import (
    Classic,
    Ctx,
)

# --------------------------------------------------------------------------- facts


def own_texts(art: Wd.Article) -> list[str]:
    """The article's own texts (cleaned): what a page prints that is not furniture."""
    c = art.content
    texts = [c.title, c.lead, *(p.text for p in c.paragraphs)]
    texts += [img.caption for _, img in c.images if img.caption]
    texts += [name for _, name in c.attachments]
    if c.author:
        texts.append(c.author)
    if c.role:
        texts.append(c.role)
    return texts


def _facts(
    art: Wd.Article,
    html: str,
    date: dict[str, Any],
    modified: dict[str, Any] | None,
    authors: dict[str, Any] | None,
    printed: list[str],
    layout: str,
) -> dict[str, Any]:
    own = own_texts(art) + printed
    if authors is not None and art.content.author:
        authors = {**authors, "names": [art.content.author_name or art.content.author]}
    return {
        "articleId": str(art.meta.id),
        "path": art.path,
        "layout": layout,
        "date": date,
        "modified": modified,
        "authors": authors,
        "furniture": furniture(html, own),
    }


def classic_facts(layout: Classic, ctx: Ctx, art: Wd.Article) -> dict[str, Any]:
    """:meth:`RandomLayout.facts` for the fixed layouts (classic, modern)."""
    meta = art.meta
    printed = S.format_published(meta.pub, meta.fmt)
    date = {
        "printed": printed,
        "time": S.DATE_FORMATS[meta.fmt] != "date",
        "where": "after-headline",
        "form": S.DATE_FORMATS[meta.fmt],
    }
    modified = None
    own = [printed]
    if meta.mod:
        printed_modified = S.format_modified(meta.mod)
        modified = {"printed": printed_modified, "time": True}
        own.append(printed_modified)
    authors = {"where": "signature"} if art.content.author else None
    html = layout.article(ctx, art)
    return _facts(art, html, date, modified, authors, own, layout.name)
