"""The replica's truth: what a crawl should extract from each article page, from the
world's metadata and the text it generates (``/_replica/truth``)."""

from __future__ import annotations

from typing import Any

from danvan_crawler.replica.sites import (
    CATEGORIES,
    MAIN,
    format_modified,
    format_published,
    iso,
)
from danvan_crawler.replica.text import clean
from danvan_crawler.replica.world import Meta, World


def truth(world: World, meta: Meta, base_url: str) -> dict[str, Any]:
    """The record a crawl should extract from ``meta``'s page (URLs under ``base_url``)."""
    art = world.article(meta)
    c = art.content
    site = world.site_of(meta)
    cat = CATEGORIES[meta.cat]
    body = [clean(c.lead)] + [clean(p.text) for p in c.paragraphs]
    url = base_url + art.path
    breadcrumbs = [{"name": "Trang chủ", "url": base_url + "/"}]
    if site is not MAIN:
        breadcrumbs.append({"name": site.name, "url": base_url + site.home})
    breadcrumbs.append({"name": cat.name, "url": base_url + cat.path})
    images = [
        {"url": base_url + img.src, "caption": clean(img.caption) if img.caption else None}
        for _, img in c.images
    ]
    categories = sorted(
        (
            {
                "name": CATEGORIES[k].name,
                "url": base_url + CATEGORIES[k].path,
                "slug": CATEGORIES[k].slug,
                "subSite": CATEGORIES[k].site.name,
            }
            for k in meta.categories
        ),
        key=lambda d: d["url"],
    )
    authors = []
    if c.author:
        authors.append(
            {
                "name": clean(c.author_name or c.author),
                "nameRaw": clean(c.author),
                "role": clean(c.role) if c.role else None,
            }
        )
    row: dict[str, Any] = {
        "articleId": str(meta.id),
        "url": url,
        "canonicalUrl": url,
        "headline": clean(c.title),
        "description": clean(c.lead),
        "articleBody": "\n".join(body),
        "datePublished": iso(meta.pub),
        "datePublishedRaw": format_published(meta.pub, meta.fmt),
        "dateModified": iso(meta.mod) if meta.mod else None,
        "dateModifiedRaw": format_modified(meta.mod) if meta.mod else None,
        "authors": authors,
        "breadcrumbs": breadcrumbs,
        "inLanguage": "vi",
        "mainImage": {"url": images[0]["url"]} if images else None,
        "images": images,
        "categories": categories,
        "subSite": site.name,
        "attachments": [{"url": base_url + p, "name": name} for p, name in c.attachments],
        "documentRefs": [r.as_truth() for r in art.refs],
        "duplicateOf": str(world.metas[meta.copy_of].id) if meta.copy_of is not None else None,
    }
    if meta.xss:
        row["xss"] = True
    return row
