"""Learning a site profile from pages: the generic ladder's values turned into selectors.

Pure functions over HTML strings (no fetching): :func:`learn_profile` takes a few article
and listing pages of one site, runs the generic extraction (every site selector emptied)
on them, and for each field looks for a CSS selector that gives the ladder's value on the
pages it learns from, checked on held-out pages it did not see. Selectors are built from
tag names, meaningful class names, attributes and structure (``>``, ``:nth-of-type``),
never from generated ids (``dnn_ctr1410_...``) or random-looking classes (``sc-a81kq2``):
those change with the next deployment of the CMS.

The result is a profile TOML text (loadable by :func:`danvan_crawler.profile.load_profile`)
and a per-field coverage table.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from danvan_crawler.dates import parse_date
from danvan_crawler.extract.article import ArticlePage, ArticleResult
from danvan_crawler.extract.common import first_match, node_text, parse_html, select
from danvan_crawler.extract.listing import ListingPage
from danvan_crawler.extract.navigation import find_article_links
from danvan_crawler.profile import SiteProfile, normalize_base_url, profile_from_dict
from danvan_crawler.text import clean_text

__all__ = [
    "ARTICLE_FIELDS",
    "LISTING_FIELDS",
    "Coverage",
    "LearnError",
    "LearnResult",
    "Page",
    "generated_name",
    "learn_profile",
    "selector_candidates",
]

#: Fields learned from article pages, in table order.
ARTICLE_FIELDS = (
    "headline",
    "datePublished",
    "description",
    "content",
    "authors",
    "attachments",
    "breadcrumbs",
    "subSite",
)
#: Fields learned from listing pages.
LISTING_FIELDS = ("listing items", "listing time", "listing title")

#: Removed from the content before the body is read, whatever the site.
BASE_REMOVE = ("script", "style", "noscript", "iframe", "form", "input", "button")


class LearnError(Exception):
    """Nothing could be learned (one line why)."""


@dataclass(frozen=True)
class Page:
    url: str
    html: str


@dataclass
class Coverage:
    """One field: the selectors learned and on how many pages they give the ladder's value."""

    name: str
    selectors: tuple[str, ...] = ()
    learned: tuple[int, int] = (0, 0)  # (right, pages where the ladder found a value)
    held_out: tuple[int, int] = (0, 0)
    note: str = ""


@dataclass
class LearnResult:
    profile: SiteProfile
    toml: str
    coverage: list[Coverage] = field(default_factory=list)

    def table(self) -> str:
        """The per-field coverage table (learned pages, held-out pages)."""
        rows = [("field", "learned", "held-out", "selector")]
        for cov in self.coverage:
            rows.append(
                (
                    cov.name,
                    _frac(cov.learned),
                    _frac(cov.held_out),
                    (" | ".join(cov.selectors) or "-") + (f"  ({cov.note})" if cov.note else ""),
                )
            )
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(
            f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows
        )


def _frac(pair: tuple[int, int]) -> str:
    return f"{pair[0]}/{pair[1]}" if pair[1] else "-"


# --------------------------------------------------------------------------- names

_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"(?:uy|oa|oe|ue|[aeiouy])(?:[aeiouy]{0,2})"
    r"(?:ng|nh|ch|[cmnpt])?"
)
#: Words of class and id names (English, and CMS abbreviations); Vietnamese syllables
#: written without tone marks are recognised by their shape.
_WORDS = frozenset(
    (  # noqa: SIM905 (a list literal takes 100 lines)
        "a about abstract align article articles aside attach attachment attachments author "
        "authors avatar banner block body bold box breadcrumb breadcrumbs btn by byline "
        "caption card cat category center centre clearfix col column comment comments "
        "container content contents copy copyright count created credit date datetime day "
        "desc description detail details doc download email entry excerpt featured field "
        "figure file files first float focus font foot footer grid head header heading "
        "headline hero highlight hit hits hot image img info inner intro italic item items "
        "justify keyword keywords kicker label large last latest lbl lead left link links "
        "list listing logo main md media menu meta modified module more name nav navbar new "
        "news newest next normal other outer page pager paging pagination pane panel photo "
        "pnl popular portlet post posted prev primary print pub publish published rating read "
        "related right row same sapo secondary section share side sidebar signature size "
        "small social source span story sub subhead subtitle summary tag tags teaser text "
        "thumb thumbnail time timestamp title tool toolbar tools top topic updated video view "
        "views widget wrap wrapper writer xs sm lg dl zoom"
    ).split()
)
_SEGMENTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def generated_name(name: str) -> bool:
    """Whether a class or id value looks generated (a module number, a hash, random
    letters): such a name changes with the CMS's next deployment, so no selector uses it."""
    if not name or len(name) > 40 or re.search(r"\d{3,}", name):
        return True
    for part in re.split(r"[-_:.]+", name):
        if not part:
            continue
        if re.search(r"[a-zA-Z]\d|\d[a-zA-Z]", part):
            return True  # letters and digits mixed: a hash
        for seg in _SEGMENTS.findall(part):
            low = seg.lower()
            if low.isdigit():
                continue
            if low in _WORDS or _VI_SYLLABLE.fullmatch(low) or _vi_word(low):
                continue
            return True
    return False


def _vi_word(text: str) -> bool:
    """Whether ``text`` is one or more Vietnamese syllables written without tone marks
    (``tieude``, ``noidung``, ``ngaydang``)."""
    ok = [True] + [False] * len(text)
    for i in range(len(text)):
        if not ok[i]:
            continue
        for j in range(min(len(text), i + 7), i, -1):
            if not ok[j] and _VI_SYLLABLE.fullmatch(text[i:j]):
                ok[j] = True
    return ok[len(text)] and len(text) >= 2


# --------------------------------------------------------------------------- selectors

_SEMANTIC = frozenset(
    ["article", "main", "header", "footer", "nav", "aside", "section", "time", "figure", "h1"]
)
_ATTRS = ("itemprop", "role", "align")
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _steps(el: etree._Element) -> list[str]:
    """Ways of naming ``el`` alone (no position): its tag with a meaningful class, id or
    attribute, and the bare tag last."""
    tag = str(el.tag).lower()
    out: list[str] = []
    ident = (el.get("id") or "").strip()
    if ident and not generated_name(ident) and re.fullmatch(r"[A-Za-z][\w-]*", ident):
        out.append(f"{tag}#{ident}")
    elif "_" in ident:
        # a generated prefix, a meaningful control name (dnn_ctr1410_ViewNews_lblDate):
        # the name outlives the module number
        suffix = ident.rsplit("_", 1)[1]
        if len(suffix) >= 4 and not generated_name(suffix):
            out.append(f'{tag}[id$="_{suffix}"]')
    classes = [c for c in (el.get("class") or "").split() if c]
    good = [c for c in classes if not generated_name(c) and re.fullmatch(r"-?[A-Za-z_][\w-]*", c)]
    for cls in good:
        out.append(f"{tag}.{cls}")
    for attr in _ATTRS:
        value = (el.get(attr) or "").strip()
        if value and len(value) < 30 and not generated_name(value.replace(" ", "-")):
            out.append(f"{tag}[{attr}={_quote(value)}]")
    out.append(tag)
    return out


def _distinct(el: etree._Element) -> str | None:
    """The most specific name of ``el`` usable as an anchor (class, id, attribute, or a
    semantic tag), or None."""
    steps = _steps(el)
    if len(steps) > 1:
        return steps[0]
    tag = str(el.tag).lower()
    return tag if tag in _SEMANTIC or tag == "body" else None


def _positional(el: etree._Element) -> str:
    """``el``'s tag with ``:nth-of-type(k)`` when siblings share its tag."""
    tag = str(el.tag).lower()
    parent = el.getparent()
    if parent is None:
        return tag
    same = [c for c in parent if c.tag == el.tag]
    if len(same) == 1:
        return tag
    return f"{tag}:nth-of-type({same.index(el) + 1})"


def _from_end(el: etree._Element) -> str:
    """``el``'s tag with its position counted from the end among same-tag siblings."""
    tag = str(el.tag).lower()
    parent = el.getparent()
    if parent is None:
        return tag
    same = [c for c in parent if c.tag == el.tag]
    if len(same) == 1:
        return tag
    k = len(same) - same.index(el)
    return f"{tag}:last-of-type" if k == 1 else f"{tag}:nth-last-of-type({k})"


def _only_child(el: etree._Element) -> bool:
    parent = el.getparent()
    return (
        parent is not None
        and len([c for c in parent if isinstance(c.tag, str)]) == 1
        and not (parent.text or "").strip()
        and not (el.tail or "").strip()
    )


def selector_candidates(
    el: etree._Element, stop: etree._Element | None = None, depth: int = 8
) -> list[str]:
    """CSS selectors that may find ``el`` (under ``stop``, when given: relative ones),
    most meaningful first: its own names, then an anchoring ancestor's name before it,
    then a structural path from the nearest anchoring ancestor."""
    own = _steps(el)
    out: list[str] = [s for s in own if s != own[-1] or str(el.tag).lower() in _SEMANTIC]
    chain: list[etree._Element] = []
    node = el.getparent()
    while node is not None and node is not stop and len(chain) < depth:
        if not isinstance(node.tag, str) or node.tag in ("html",):
            break
        chain.append(node)
        node = node.getparent()
    for anc in chain:
        name = _distinct(anc)
        if name and name != "body":
            for step in own[:2]:
                out.append(f"{name} {step}")
    # structural: child steps from the nearest anchor (or the stop / body)
    path = [_positional(el)]
    plain = [str(el.tag).lower()]
    for anc in chain:
        name = _distinct(anc)
        if name:
            out.append(f"{name} > " + " > ".join(reversed(path)))
            out.append(f"{name} > " + " > ".join(reversed(plain)))
            if name != "body":
                break
        path.append(_positional(anc))
        plain.append(str(anc.tag).lower())
    else:
        if stop is not None:
            out.append(" > ".join(reversed(path)))
            out.append(" > ".join(reversed(plain)))
    out.append(own[-1])
    last = f"{own[-1]}:last-of-type"
    parent = el.getparent()
    if parent is not None and [c for c in parent if c.tag == el.tag][-1] is el:
        for anc in chain[:3]:
            name = _distinct(anc)
            if name:
                out.append(f"{name} {last}")
    # counted from the end (a signature: the name in the last paragraph or the one before
    # the role's), the element alone in its parent
    end_path = [own[-1] + ":only-child" if _only_child(el) else _from_end(el)]
    for anc in chain[:3]:
        name = _distinct(anc)
        if name and name != "body":
            out.append(f"{name} > " + " > ".join(reversed(end_path)))
            break
        end_path.append(_from_end(anc))
    # after a named sibling (the body after the date line, where blocks before it come
    # and go: a byline, a lead)
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is not None:
        # (a heading is an anchor here: the body after the headline)
        before = _distinct(prev) or (prev.tag if prev.tag in _HEADINGS else None)
        if before and before != "body":
            out.append(f"{before} + {own[-1]}")
            if chain and _distinct(chain[0]) not in (None, "body"):
                out.append(f"{_distinct(chain[0])} > {before} + {own[-1]}")
    # a signature: the last paragraph's name, wherever the body ends
    for k, anc in enumerate(chain[:2]):
        up = anc.getparent()
        if up is None or [c for c in up if c.tag == anc.tag][-1] is not anc:
            continue
        for top in chain[k + 1 : k + 4]:
            name = _distinct(top)
            if name and name != "body":
                out.append(f"{name} {str(anc.tag).lower()}:last-of-type {own[-1]}")
                break
    return list(dict.fromkeys(out))


def _choose(
    pages: Sequence[Any],
    candidates: Iterable[str],
    judge: Callable[[Any, str], bool | None],
) -> tuple[str | None, int]:
    """The candidate right on most ``pages`` (``judge``: True right, False wrong, None no
    value to check there); among equals the most precise (fewest elements matched on
    the pages: ``p.Normal`` may match a modified date first on a page not learned from,
    ``p[id$="_lblDate"]`` only the date), then the cheapest (:func:`_cost`), then the
    earlier; and how many it got right."""
    best: tuple[Any, ...] | None = None
    for order, css in enumerate(candidates):
        right = wrong = 0
        for page in pages:
            verdict = judge(page, css)
            if verdict is True:
                right += 1
            elif verdict is False:
                wrong += 1
        if not right:
            continue
        matched = sum(len(select(_root_of(page), css)) for page in pages)
        key = (right - 2 * wrong, -matched, -_cost(css), -order, css)
        if best is None or key > best:
            best = key
    if best is None:
        return None, 0
    css = best[-1]
    return css, sum(1 for page in pages if judge(page, css) is True)


def _root_of(page: Any) -> etree._Element:
    """The tree a page of :func:`_choose` is searched in (an article, a listing page and
    its tree, an item and its page)."""
    if isinstance(page, _Art):
        return page.root
    return page[1]


def _cost(css: str) -> int:
    """Fewer positions and shorter selectors first; an id (one element a page) before a
    class that other elements may share on pages not learned from."""
    bare = 12 if re.fullmatch(r"[a-z]+[0-6]?", css) and css not in _SEMANTIC else 0
    ids = 2 * len(css) // 3 if ("#" in css or "[id" in css) else 0
    return (
        len(css)
        + bare
        - ids
        + 15 * css.count("nth-of-type")
        + 10 * css.count("last-of-type")
        + 10 * css.count(" + ")
    )


# --------------------------------------------------------------------------- pages


@dataclass
class _Art:
    """An article page, its tree and what the generic ladder found on it."""

    page: Page
    root: etree._Element
    ladder: ArticleResult


def _keyed(text: str | None) -> str:
    """Text compared without case and whitespace (an element's text joins its text nodes
    with spaces, a body line does not)."""
    return "".join(clean_text(text or "").casefold().split())


def _text_elements(root: etree._Element, want: str, limit: int = 400) -> list[etree._Element]:
    """The elements in ``<body>`` whose text is ``want``, deepest first."""
    key = _keyed(want)
    if not key:
        return []
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "script", "style", "head"):
            continue
        text = "".join(el.itertext())
        if len(text) > len(want) * 3 + limit:
            continue
        if _keyed(node_text(el)) == key:
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _lead_match(text: str, want: str) -> bool:
    """Whether ``text`` is the ladder's lead ``want``, or its start when the ladder read
    the lead on one line with a short inline block after it (the date line)."""
    got, key = _keyed(text), _keyed(want)
    if got == key:
        return True
    return len(got) >= 40 and key.startswith(got) and len(key) - len(got) <= 40


def _lead_elements(root: etree._Element, want: str) -> list[etree._Element]:
    """The elements whose text is the start of the ladder's lead (:func:`_lead_match`),
    deepest first."""
    out = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and el.tag not in ("title", "script", "style", "head")
        and _lead_match(node_text(el), want)
    ]
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _head_dates(art: _Art, profile: SiteProfile) -> list[etree._Element]:
    """Where the ladder read no date: the date lines ("Ngày đăng: 21/04/2020") printed
    alone in an element between the headline and the body's first line (the ladder may
    have read one on a line with the lead), deepest first."""
    if art.ladder.fields.get("datePublished"):
        return []
    return _unmarked(_date_lines(art, profile), profile)


def _date_lines(art: _Art, profile: SiteProfile) -> list[etree._Element]:
    """The date lines printed alone in an element between the headline and the body's
    first line, deepest first."""
    from danvan_crawler.dates import find_date
    from danvan_crawler.extract.ladder_signature import date_line

    lines = _body_lines(art.ladder)
    heads = _text_elements(art.root, art.ladder.fields.get("headline") or "")
    starts = _text_elements(art.root, lines[min(1, len(lines) - 1)]) if lines else []
    if not heads or not starts:
        return []
    order = {el: k for k, el in enumerate(art.root.iter())}
    low, high = order[heads[0]], order[starts[0]]
    out = []
    for el in art.root.iter():
        if not isinstance(el.tag, str) or not low < order[el] < high or _in_link(el):
            continue
        if any(e.tag == "li" for e in el.iterancestors()) or starts[0] in el.iterdescendants():
            continue
        text = node_text(el)
        if not text or len(text) > 60:
            continue
        found = find_date(text, profile.date_patterns, profile.timezone)
        if found is not None and date_line(text, found[1]):
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    return out


def _date_key(value: str | None) -> str | None:
    return value[:16] if value else None


def _date_elements(root: etree._Element, art: _Art, profile: SiteProfile) -> list[etree._Element]:
    want = _date_key(art.ladder.fields.get("datePublished"))
    if not want:
        return []
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("title", "script", "style", "head", "meta"):
            continue
        text = node_text(el)
        if not text or len(text) > 120:
            continue
        parsed = parse_date(text, profile.date_patterns, profile.timezone)
        if parsed is not None and _date_key(parsed.isoformat()) == want:
            out.append(el)
    out.sort(key=lambda e: -sum(1 for _ in e.iterancestors()))
    plain = _unmarked(out, profile)
    # only a modified date gives the ladder's: no printed date to point at when the page
    # prints another date line by the headline (the published one)
    if (
        plain is out
        and any(_marked(el, profile) for el in out)
        and any(not _marked(el, profile) for el in _date_lines(art, profile))
    ):
        return []
    return plain


def _marked(el: etree._Element, profile: SiteProfile) -> bool:
    return bool(profile.fallback.modified_marker.search(node_text(el)))


def _unmarked(found: list[etree._Element], profile: SiteProfile) -> list[etree._Element]:
    """``found`` without the date lines saying "Chỉnh sửa" / "Cập nhật" (a modified date),
    unless all are (a site printing its only date so)."""
    plain = [el for el in found if not profile.fallback.modified_marker.search(node_text(el))]
    return plain or found


# --------------------------------------------------------------------------- the learner


def _base_dict(base: str) -> dict[str, Any]:
    """The packaged default profile as a dict (URL rules, date patterns, signature and
    fallback rules are the same for every portal of this URL scheme)."""
    text = resources.files("danvan_crawler").joinpath("profiles", "nghean.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["base_url"] = base
    return data


def _profile(data: dict[str, Any]) -> SiteProfile:
    return profile_from_dict(data, source="learned")


def _empty_selectors(data: dict[str, Any]) -> None:
    art = data["article"]
    for key in (
        "headline",
        "date_published",
        "date_modified",
        "description",
        "content",
        "breadcrumbs",
        "attachments",
        "byline",
        "end_markers",
    ):
        art[key] = []
    art["remove"] = list(BASE_REMOVE)
    art["image_block"] = ["figure"]
    art["image_caption"] = ["figcaption"]
    data["banner"]["selector"] = []
    lst = data["listing"]
    for key in ("title", "item", "item_link", "item_time", "item_lead", "scope", "end_markers"):
        lst[key] = []


def learn_profile(
    articles: Sequence[Page],
    listings: Sequence[Page],
    base_url: str,
    name: str = "learned",
    hold_out: int | None = None,
) -> LearnResult:
    """Learn a profile from ``articles`` and ``listings`` of the site at ``base_url``.
    The last ``hold_out`` pages of each kind (default: a third, at least one when there
    are three or more) are not learned from, only checked."""
    if len(articles) < 2:
        raise LearnError(f"need at least 2 article pages, got {len(articles)}")
    data = _base_dict(base_url)
    data["name"] = name
    data["layout"] = "learned"

    data["hosts"] = [urlsplit(normalize_base_url(base_url)).hostname or ""]
    _empty_selectors(data)
    generic = _profile(data)
    arts = []
    for page in articles:
        extracted = ArticlePage(page.html, page.url, generic).extract()
        arts.append(_Art(page, parse_html(page.html, html_elements=False), extracted))
    if not any(a.ladder.fields.get("headline") for a in arts):
        raise LearnError("the generic rules found no headline on any article page")

    def split(items: Sequence[Any]) -> tuple[list[Any], list[Any]]:
        k = hold_out if hold_out is not None else (len(items) // 3 if len(items) >= 3 else 0)
        k = min(k, max(0, len(items) - 2)) if len(items) >= 2 else 0
        return list(items[: len(items) - k]), list(items[len(items) - k :])

    learn_arts, held_arts = split(arts)
    coverage: dict[str, Coverage] = {}
    art_data = data["article"]

    # headline ----------------------------------------------------------------------
    def headline_judge(art: _Art, css: str) -> bool | None:
        want = art.ladder.fields.get("headline")
        if not want:
            return None
        found = select(art.root, css)
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    cands: list[str] = []
    for art in learn_arts:
        want = art.ladder.fields.get("headline")
        for el in _text_elements(art.root, want or "")[:3]:
            cands.extend(selector_candidates(el))
    css, _ = _choose(learn_arts, dict.fromkeys(cands), headline_judge)
    art_data["headline"] = [css] if css else []

    # date --------------------------------------------------------------------------
    heads = {id(art): _head_dates(art, generic) for art in learn_arts}
    printed_at = {id(art): _date_elements(art.root, art, generic) for art in learn_arts}

    def date_judge(art: _Art, css: str) -> bool | None:
        want = _date_key(art.ladder.fields.get("datePublished"))
        if not want and heads[id(art)]:
            found = select(art.root, css)
            return bool(found) and found[0] in heads[id(art)]
        if not want or "datePublished" not in art.ladder.fallbacks:
            return None  # (not on the page: the listing's, Last-Modified...)
        if not printed_at[id(art)] and art.ladder.fallbacks["datePublished"] != "htmldate":
            return None  # (the ladder read a modified date: no judge)
        found = select(art.root, css)
        if not found:
            return False
        parsed = parse_date(node_text(found[0]), generic.date_patterns, generic.timezone)
        return parsed is not None and _date_key(parsed.isoformat()) == want

    cands = []
    for art in learn_arts:
        # (htmldate's day, when an element prints it, is a printed date; a guessed day
        # matches no element's text)
        for el in printed_at[id(art)][:3] or heads[id(art)][:2]:
            cands.extend(selector_candidates(el))
    css, _ = _choose(learn_arts, dict.fromkeys(cands), date_judge)
    art_data["date_published"] = [css] if css else []
    printed = ("region-text", "meta", "json-ld", "time", "time-text")
    if not css and not any(
        art.ladder.fallbacks.get("datePublished") in printed for art in learn_arts
    ):
        # no page prints its date (htmldate guessed, or nothing): the listing's is taken
        art_data["date_on_page"] = False

    # lead --------------------------------------------------------------------------
    def lead_wanted(art: _Art) -> str | None:
        if art.ladder.fallbacks.get("description") not in ("class", "region-text"):
            return None  # not printed apart on the page
        return art.ladder.fields.get("description")

    def lead_judge(art: _Art, css: str) -> bool | None:
        want = lead_wanted(art)
        found = select(art.root, css)
        if not want:
            return False if found else None
        return bool(found) and _lead_match(node_text(found[0]), want)

    cands = []
    for art in learn_arts:
        want = lead_wanted(art)
        if want:
            els = _text_elements(art.root, want)[:3] or _lead_elements(art.root, want)[:3]
            for el in els:
                cands.extend(selector_candidates(el))
    css, _ = _choose(learn_arts, dict.fromkeys(cands), lead_judge)
    art_data["description"] = [css] if css else []

    # content -----------------------------------------------------------------------
    _learn_content(data, learn_arts)
    if art_data["content"]:
        _learn_images(data, learn_arts)

    # authors -----------------------------------------------------------------------
    _learn_authors(data, learn_arts)
    if not data["article"]["byline"]:
        _discover_byline(data, learn_arts)
    if art_data["content"]:
        art_data["remove"] = list(BASE_REMOVE) + _learn_remove(data, learn_arts)

    # attachments, breadcrumbs, banner ------------------------------------------------
    _learn_links(data, learn_arts, generic)
    _learn_banner(data, learn_arts, generic)

    profile = _profile(data)
    for fld in ARTICLE_FIELDS:
        coverage[fld] = _article_coverage(fld, data, profile, learn_arts, held_arts)

    # listings ----------------------------------------------------------------------
    lst_learn, lst_held = split(list(listings))
    _learn_listing(data, lst_learn, generic)
    profile = _profile(data)
    for fld in LISTING_FIELDS:
        coverage[fld] = _listing_coverage(fld, data, profile, lst_learn, lst_held)

    toml = dump_profile(data)
    profile = profile_from_dict(tomllib.loads(toml), source="learned")
    return LearnResult(profile, toml, [coverage[k] for k in (*ARTICLE_FIELDS, *LISTING_FIELDS)])


def _learned_page(profile: SiteProfile, art: _Art) -> ArticleResult:
    return ArticlePage(art.page.html, art.page.url, profile).extract()


def _body_lines(result: ArticleResult) -> list[str]:
    return [line for line in (result.fields.get("articleBody") or "").split("\n") if line]


def _content_score(result: ArticleResult, want: list[str]) -> tuple[int, int]:
    """(ladder lines present, lines not in the ladder's body)."""
    got = _body_lines(result)
    have = set(got)
    wanted = set(want)
    return sum(1 for line in want if line in have), sum(1 for line in got if line not in wanted)


def _learn_content(data: dict[str, Any], arts: list[_Art]) -> None:
    """The content selector: candidates for the smallest element holding the ladder's
    first and last body line, scored by extracting with them; then ``remove`` selectors
    for what the content holds that the ladder left out."""
    art_data = data["article"]
    cands: list[str] = []
    for art in arts:
        lines = _body_lines(art.ladder)
        if len(lines) < 2:
            continue
        holder = _holder(art.root, lines)
        # the element holding most of the body's paragraphs (a lead or a signature printed
        # outside it makes the holder of all lines a wrapper of the whole article)
        parents: dict[etree._Element, int] = {}
        for line in lines:
            for el in _text_elements(art.root, line)[:1]:
                up = el.getparent()
                while up is not None and up.tag in ("span", "strong", "b", "em", "i", "font"):
                    up = up.getparent()
                if up is not None and el.tag not in ("div", "td", "article", "section"):
                    up = up if up.tag not in ("p",) else up.getparent()
                if up is not None:
                    parents[up] = parents.get(up, 0) + 1
        if parents:
            dense = max(parents, key=lambda el: parents[el])
            if dense is not holder and parents[dense] * 2 > len(lines):
                cands.extend(selector_candidates(dense))
        node = holder
        for _ in range(3):
            if node is None or not isinstance(node.tag, str) or node.tag in ("body", "html"):
                break
            cands.extend(selector_candidates(node))
            node = node.getparent()
    cands = list(dict.fromkeys(cands))
    # a cheap first pass: the candidate's first match holds the first and last lines
    scored: list[tuple[int, str]] = []
    for order, css in enumerate(cands):
        hits = 0
        for art in arts:
            lines = _body_lines(art.ladder)
            found = select(art.root, css)
            if not lines or not found or not isinstance(found[0], etree._Element):
                continue
            text = _keyed(node_text(found[0]))
            if _keyed(lines[min(1, len(lines) - 1)]) in text and _keyed(lines[-1]) in text:
                hits += 1
        if hits:
            scored.append((-hits * 1000 + _cost(css) + order, css))
    scored.sort()
    # where the ladder read a name in bold ending the body, the content holds it: the
    # content is scored with the signature read that way too
    bolds = [False]
    if any(a.ladder.fallbacks.get("authors") == "signature" for a in arts):
        bolds.append(True)
    sig = data["signature"]
    best: tuple[Any, str, str, bool] | None = None
    for _, css in scored[:20]:
        for mode, bold in ((m, b) for m in ("blocks", "lines") for b in bolds):
            art_data["content"] = [css]
            art_data["body_lines"] = mode
            data["signature"] = dict(sig, bold=bold)
            profile = _profile(data)
            present = extra = 0
            for art in arts:
                want = _body_lines(art.ladder)
                p, e = _content_score(_learned_page(profile, art), want)
                present += p
                extra += e
            key = (present - extra, mode == "blocks", not bold, -_cost(css))
            if best is None or key > best[0]:
                best = (key, css, mode, bold)
    art_data["content"] = [best[1]] if best else []
    art_data["body_lines"] = best[2] if best else "blocks"
    data["signature"] = dict(sig, bold=best[3] if best else False)


def _learn_images(data: dict[str, Any], arts: list[_Art]) -> None:
    """Image blocks (an image and its caption in a ``<div>`` or ``<p>`` of the content,
    not a ``<figure>``) and their caption: without them the caption is read as a body
    line, and a remove rule taking it takes the image too."""
    art_data = data["article"]
    profile = _profile(data)
    wanted: list[tuple[_Art, etree._Element, list[etree._Element]]] = []
    cands: list[str] = []
    for art in arts:
        found = first_match(art.root, profile.article.content)
        if not found or not isinstance(found[0], etree._Element):
            continue
        content = found[0]
        blocks: list[etree._Element] = []
        for img in content.iter("img"):
            node = img
            # the largest element around the image holding no other image and no more
            # than a caption's text
            while True:
                parent = node.getparent()
                if parent is None or parent is content:
                    break
                if len(list(parent.iter("img"))) > 1 or len(node_text(parent)) > 200:
                    break
                node = parent
            if node is img or not node_text(node) or node in blocks:
                continue
            blocks.append(node)
            # named by what it holds: its position changes with the paragraphs before it
            tag = str(node.tag).lower()
            if img.getparent() is node:
                cands.append(f"{tag}:has(> img)")
            cands.append(f"{tag}:has(img)")
            cands.extend(selector_candidates(node, stop=content, depth=3))
        wanted.append((art, content, blocks))
    if not cands or any(el.tag == "figure" for _, _, bs in wanted for el in bs):
        return
    # the body is read from a copy of the content, its root: a selector matching that root
    # (``div:nth-of-type(1)``) would take the whole body for an image block
    copies = [copy.deepcopy(content) for _, content, _ in wanted]
    cands = [c for c in cands if not any(root in select(root, c) for root in copies)]

    def block_judge(page: tuple[_Art, etree._Element, list[etree._Element]], css: str) -> bool:
        _, content, blocks = page
        return [x for x in select(content, css) if isinstance(x, etree._Element)] == blocks

    css, right = _choose(
        [(w[0], w[1], w[2]) for w in wanted],
        dict.fromkeys(cands),
        lambda page, css: block_judge(page, css) if page[2] or select(page[1], css) else None,
    )
    if not css or right < 2:
        return
    pairs: list[tuple[_Art, etree._Element]] = []
    cap_c: list[str] = []
    for art, content, _ in wanted:
        for block in select(content, css):
            if not isinstance(block, etree._Element):
                continue
            pairs.append((art, block))
            for el in _text_elements(block, node_text(block))[:2]:
                if el is not block:
                    cap_c.extend(selector_candidates(el, stop=block, depth=2))

    def cap_judge(pair: tuple[_Art, etree._Element], sel: str) -> bool | None:
        want = node_text(pair[1])
        found = select(pair[1], sel)
        if not want:
            return None
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    cap, _ = _choose(pairs, dict.fromkeys(cap_c), cap_judge)
    captions = {_keyed(node_text(block)) for _, block in pairs}
    before = [set(_body_lines(_learned_page(profile, art))) for art in arts]
    art_data["image_block"] = ["figure", css]
    if cap:
        art_data["image_caption"] = ["figcaption", cap]
    after = _profile(data)
    for art, lines in zip(arts, before, strict=True):
        gone = lines - set(_body_lines(_learned_page(after, art)))
        if any(_keyed(line) not in captions for line in gone):
            # a body line taken for a caption: no image blocks
            art_data["image_block"], art_data["image_caption"] = ["figure"], ["figcaption"]
            return


def _holder(root: etree._Element, lines: list[str]) -> etree._Element | None:
    """The smallest element holding the text of the second and the last body line (the
    first may be a lead printed apart)."""
    first, last = _keyed(lines[min(1, len(lines) - 1)]), _keyed(lines[-1])
    best = None
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "head", "title"):
            continue
        text = _keyed(node_text(el))
        if first in text and last in text:
            best = el  # later in document order: deeper
    return best


def _learn_remove(data: dict[str, Any], arts: list[_Art]) -> list[str]:
    """Selectors, relative to the content, for blocks that are not the article's: lines
    the ladder's body does not hold (a share bar, the headline, the date line), lines
    printed alike on several articles (labels: "Xem thêm:", "Tin liên quan:") with the
    links they introduce. A selector is kept when, on every page, all it removes is such
    lines and links, and the authors stay the same."""
    profile = _profile(data)
    bodies = {id(art): _body_lines(_learned_page(profile, art)) for art in arts}
    counts: dict[str, int] = {}
    for lines in bodies.values():
        for line in set(lines):
            counts[line] = counts.get(line, 0) + 1
    repeated = {line for line, n in counts.items() if n >= 2 and len(line) <= 60}

    def removable(art: _Art, line: str, want: set[str]) -> bool:
        if line not in want or line in repeated:
            return True
        key = _keyed(line)
        return any(
            len(t) * 2 >= len(key) and t in key
            for t in (_keyed(node_text(a)) for a in art.root.iter("a"))
            if t
        )

    cands: list[str] = []
    for art in arts:
        want = set(_body_lines(art.ladder))
        found = first_match(art.root, profile.article.content)
        if not found or not isinstance(found[0], etree._Element):
            continue
        content = found[0]
        odd = [line for line in bodies[id(art)] if removable(art, line, want)]
        keep = [w for w in want if len(w) > 20 and w not in repeated]
        for line in odd:
            for el in _text_elements(content, line)[:1]:
                # the largest block under the content holding this line and no wanted one
                node = el
                while True:
                    parent = node.getparent()
                    if parent is None or parent is content:
                        break
                    text = _keyed(node_text(parent))
                    if any(_keyed(w) in text for w in keep):
                        break
                    node = parent
                label = _label(node)
                if label:
                    # a block printed under a fixed label wherever the editor pasted it:
                    # the label names it, not its position (a child of the content:
                    # ``:root >``, the content being the root of the copy cleaned, so
                    # that no wrapper holding the label with the body goes with it)
                    named = f"{str(node.tag).lower()}:contains({_quote(label)})"
                    if node.getparent() is content:
                        cands.append(f":root > {named}")
                    cands.append(named)
                cands.extend(selector_candidates(node, stop=content, depth=3))

    chosen: list[str] = []
    for css in dict.fromkeys(cands):
        if css in BASE_REMOVE:
            continue
        kept = list(BASE_REMOVE) + chosen
        base_profile = _profile(dict(data, article=dict(data["article"], remove=kept)))
        trial_profile = _profile(dict(data, article=dict(data["article"], remove=[*kept, css])))
        gain = 0
        ok = True
        for art in arts:
            want = set(_body_lines(art.ladder))
            old, new = _learned_page(base_profile, art), _learned_page(trial_profile, art)
            # (a line may merge with its neighbours when a block between them goes)
            after = "\n".join(_keyed(line) for line in _body_lines(new))
            gone = [line for line in _body_lines(old) if _keyed(line) not in after]
            if (
                not all(removable(art, line, want) for line in gone)
                or _authors_key(new) != _authors_key(old)
                or _image_urls(new) != _image_urls(old)
            ):
                ok = False
            if not ok:
                break
            gain += len(gone)
        if ok and gain > 0:
            chosen.append(css)
    return chosen


def _image_urls(result: ArticleResult) -> list[str]:
    return [str(x.get("url")) for x in result.fields.get("images") or []]


def _label(el: etree._Element) -> str | None:
    """The label a block starts with ("Tin liên quan:"), when its first text is one."""
    for text in el.itertext():
        text = clean_text(text)
        if text:
            return text if len(text) <= 40 and text.endswith(":") else None
    return None


def _authors_key(result: ArticleResult) -> list[str]:
    return sorted(_keyed(a.get("name")) for a in result.fields.get("authors") or [])


def _learn_authors(data: dict[str, Any], arts: list[_Art]) -> None:
    """Authors: when the content's signature rules (right-aligned, NBSP-indented trailing
    paragraphs) do not give the ladder's names, a byline selector for the name's element,
    and the name / role separator when the page prints "Name - Role" on one line."""

    def right(profile: SiteProfile) -> tuple[int, int]:
        good = total = 0
        for art in arts:
            want = _authors_key(art.ladder)
            got = _authors_key(_learned_page(profile, art))
            total += 1
            good += got == want
        return good, total

    best = right(_profile(data))
    if best[0] == best[1]:
        return
    # a name in bold ending the body, as the ladder reads it
    trial = dict(data, signature=dict(data["signature"], bold=True))
    score = right(_profile(trial))
    if score[0] > best[0]:
        data["signature"], best = trial["signature"], score
        if best[0] == best[1]:
            return
    best = _try_separators(data, right, best)
    if best[0] == best[1]:
        return
    cands: list[str] = []
    for art in arts:
        for author in art.ladder.fields.get("authors") or []:
            raw = author.get("nameRaw") or author.get("name")
            for el in _text_elements(art.root, raw or "")[:2]:
                cands.extend(selector_candidates(el))
    art_data = data["article"]
    chosen: list[str] = []
    for _ in range(2):  # a second selector for the pages the first misses
        pick = None
        for css in list(dict.fromkeys(cands))[:60]:
            if css in chosen:
                continue
            art_data["byline"] = [*chosen, css]
            score = right(_profile(data))
            if score[0] > best[0]:
                best, pick = score, css
            if best[0] == best[1]:
                break
        if pick is None:
            break
        chosen.append(pick)
        if best[0] == best[1]:
            break
    art_data["byline"] = chosen
    if chosen and best[0] < best[1]:
        # the byline prints "Name - Role" where the content's signature did not
        _try_separators(data, right, best)


def _try_separators(
    data: dict[str, Any],
    right: Callable[[SiteProfile], tuple[int, int]],
    best: tuple[int, int],
) -> tuple[int, int]:
    """Keeps the name / role separator (none, a dash, a comma) under which ``right``
    scores best; returns that score."""
    sig = data["signature"]
    for sep in (r"\s+[-–]\s+", r"\s*,\s+"):
        trial = dict(data, signature=dict(sig, name_role_separator=sep))
        score = right(_profile(trial))
        if score[0] > best[0]:
            data["signature"] = trial["signature"]
            best = score
    return best


_COMMENT = re.compile(r"(?i)comment|binh-?luan|y-?kien|feedback")
_LABEL = re.compile(r"^([^\W\d][^:\n]{0,24}?)\s*:\s*")


def _name_bearer(el: etree._Element) -> tuple[str, str | None] | None:
    """(name, label) when ``el`` prints an author: a short text whose first line, after
    a label ("Người viết:") and before " - Role", is a person's name."""
    from danvan_crawler.extract.article import _raw_text
    from danvan_crawler.extract.ladder_signature import name_like
    from danvan_crawler.text import clean_block

    if el.tag in ("a", "script", "style", "title", "html", "body", "head") or _in_link(el):
        return None
    for node in (el, *el.iterancestors()):
        # readers' comments name their writers, one item each: no byline
        if node.tag == "li" or _COMMENT.search(f"{node.get('id', '')} {node.get('class', '')}"):
            return None
    text = node_text(el)
    if not text or len(text) > 150:
        return None
    if sum(len(node_text(a)) for a in el.iter("a")) * 2 >= len(text):
        return None  # links ("Chia sẻ: Facebook Zalo"), not a byline
    first = next((x for x in clean_block(_raw_text(el)).split("\n") if x), "")
    label = None
    match = _LABEL.match(first)
    if match:
        label, first = match.group(1), first[match.end() :]
    name = re.split(r"\s+[-–]\s+", first, maxsplit=1)[0].strip()
    if len(name.split()) < 2 or not name_like(name):
        return None
    return name, label


def _label_candidates(el: etree._Element, label: str | None) -> list[str]:
    """``el`` named by the label it starts with under its parent (``article >
    div:contains("Bài:")``): a byline among unnamed blocks that are there or not from page
    to page has no stable position."""
    parent = el.getparent()
    if not label or parent is None or not isinstance(parent.tag, str):
        return []
    # (a parent with no name of its own: its structural selectors)
    anchor = _distinct(parent)
    anchors = [anchor] if anchor else selector_candidates(parent)[:4]
    named = f"{str(el.tag).lower()}:contains({_quote(label + ':')})"
    return [f"{a} > {named}" for a in anchors]


def _discover_byline(data: dict[str, Any], arts: list[_Art]) -> None:
    """A byline the ladder did not read (below the body, in an author box): elements
    printing a name (:func:`_name_bearer`) at the same selector on several pages, never
    anything else, giving the ladder's names where it found some; the labels before the
    names join the name prefixes."""
    art_data, sig = data["article"], data["signature"]
    found: dict[int, list[tuple[etree._Element, str, str | None]]] = {}
    cands: list[str] = []
    for art in arts:
        hits = []
        for el in art.root.iter():
            if isinstance(el.tag, str):
                got = _name_bearer(el)
                if got:
                    hits.append((el, *got))
        # the outermost element printing the name (the label and role with it)
        outer = [h for h in hits if not any(o[0] in h[0].iterancestors() for o in hits)]
        found[id(art)] = outer
        for el, _, label in outer[:4]:
            cands.extend(_label_candidates(el, label))
            cands.extend(selector_candidates(el))
    labels = {label for hits in found.values() for _, _, label in hits if label}
    if labels:
        alts = "|".join(re.escape(x) for x in sorted(labels))
        sig = dict(sig, name_prefix=f"{sig['name_prefix']}|(?i:^(?:{alts})\\s*:\\s*)")
    valid: list[tuple[str, set[int]]] = []
    for css in dict.fromkeys(cands):
        named: set[int] = set()
        ok = True
        distinct: set[str] = set()
        for art in arts:
            matched = select(art.root, css)
            if not matched:
                continue
            el = matched[0]
            bearer = _name_bearer(el) if isinstance(el, etree._Element) else None
            if bearer is None:
                ok = False
                break
            named.add(id(art))
            distinct.add(bearer[0])
        # authors differ from article to article; the same "name" on every page is a
        # label of the page ("Chia sẻ: Facebook Zalo")
        if ok and len(distinct) >= 2:
            valid.append((css, named))
    # the selector naming most pages, then one for the pages it misses (another label)
    chosen: list[str] = []
    covered: set[int] = set()
    for _ in range(3):
        pick = max(valid, key=lambda v: len(v[1] - covered), default=None)
        if pick is None or not pick[1] - covered:
            break
        chosen.append(pick[0])
        covered |= pick[1]
    # (articles may have no author: two pages, a quarter of them, are enough)
    if len(covered) < max(2, len(arts) // 4):
        return
    from danvan_crawler.extract.ladder_signature import name_like

    for sep, paragraph in (("", True), (r"\s+[-–]\s+", True), ("", False), (r"\s+[-–]\s+", False)):
        # (paragraph False: no signature read from the content, the byline gives it)
        trial_sig = dict(sig, name_role_separator=sep)
        if not paragraph:
            trial_sig["paragraph"] = []
        trial = dict(data, signature=trial_sig, article=dict(art_data, byline=chosen))
        profile = _profile(trial)
        agree = True
        for art in arts:
            # the ladder's names, when they are names (a role read as one is not)
            want = [
                _keyed(a.get("name"))
                for a in art.ladder.fields.get("authors") or []
                if name_like(a.get("name") or "")
            ]
            got_keys = _authors_key(_learned_page(profile, art))
            found_names = [_keyed(n) for _, n, _ in found[id(art)]]
            if want and got_keys != sorted(want):
                agree = False
            if not want and any(g not in found_names for g in got_keys):
                agree = False
        if agree:
            data["signature"] = trial_sig
            art_data["byline"] = chosen
            return


def _learn_links(data: dict[str, Any], arts: list[_Art], generic: SiteProfile) -> None:
    """Attachments and breadcrumbs: a selector of their links' container plus ``a``."""
    art_data = data["article"]
    for key, field_name in (("attachments", "attachments"), ("breadcrumbs", "breadcrumbs")):
        wanted = {
            id(art): [_keyed(x.get("name")) for x in art.ladder.fields.get(field_name) or []]
            for art in arts
        }
        cands: list[str] = []
        for art in arts:
            names = wanted[id(art)]
            if not names:
                continue
            # the smallest element whose links hold every name (the same words may be
            # in the menu too: "Trang chủ")
            holder = None
            fewest = 1 << 30
            for a in art.root.iter("a"):
                if _keyed(node_text(a)) != names[0]:
                    continue
                for anc in a.iterancestors():
                    links = [_keyed(node_text(x)) for x in anc.iter("a")]
                    if all(name in links for name in names):
                        if len(links) < fewest:
                            holder, fewest = anc, len(links)
                        break
            if holder is None:
                continue
            tail = " a[href]" if key == "attachments" else " a"
            cands.extend(f"{c}{tail}" for c in selector_candidates(holder)[:6])

        def judge(
            art: _Art, css: str, names: dict[int, list[str]] = wanted, kind: str = field_name
        ) -> bool | None:
            want = names[id(art)]
            found = select(art.root, css)
            got = [_keyed(node_text(a)) for a in found]
            if not want:
                return False if found else None
            return got == want or (kind == "attachments" and set(got) == set(want))

        css, _ = _choose(arts, dict.fromkeys(cands), judge)
        art_data[key] = [css] if css else []


def _learn_banner(data: dict[str, Any], arts: list[_Art], generic: SiteProfile) -> None:
    regex = generic.banner_site_name_re
    cands: list[str] = []
    for art in arts:
        for img in art.root.iter("img"):
            if regex.match(clean_text(img.get("alt") or "")):
                cands.extend(f"{c}::attr(alt)" for c in selector_candidates(img)[:6])
                break

    def judge(art: _Art, css: str) -> bool | None:
        want = art.ladder.fields.get("subSite")
        if not want:
            return None
        for alt in select(art.root, css):
            match = regex.match(clean_text(alt if isinstance(alt, str) else ""))
            if match and clean_text(match.group("name")):
                return clean_text(match.group("name")) == want
        return False

    css, _ = _choose(arts, dict.fromkeys(cands), judge)
    data["banner"]["selector"] = [css] if css else []


# --------------------------------------------------------------------------- listings


def _learn_listing(data: dict[str, Any], pages: Sequence[Page], generic: SiteProfile) -> None:
    """Items: the repeated element around each link of the page's main list (the most
    frequent container path among article links); the link, time and lead inside it;
    the category title: the element printing the page's title."""
    lst = data["listing"]
    trees = [(p, parse_html(p.html, html_elements=False)) for p in pages]
    cands: list[str] = []
    items_by_page: dict[str, list[etree._Element]] = {}
    groups_by_page: dict[str, dict[str, list[tuple[etree._Element, str]]]] = {}
    seen_on: dict[str, int] = {}  # article id -> listing pages linking it
    for page, root in trees:
        by_path: dict[str, list[tuple[etree._Element, str]]] = {}
        for a in root.iter("a"):
            entry = find_article_links([a], page.url, generic)
            if entry:
                path = "/".join(str(x.tag) for x in reversed([a, *a.iterancestors()]))
                by_path.setdefault(path, []).append((a, entry[0].article_id))
        for aid in {aid for group in by_path.values() for _, aid in group}:
            seen_on[aid] = seen_on.get(aid, 0) + 1
        groups_by_page[page.url] = by_path

    def climb(
        a: etree._Element, aid: str, url: str, limit: int | None, rows: bool = False
    ) -> tuple[Any, int]:
        """The anchor's item: its largest ancestor holding links to one article only (at
        most ``limit`` levels up; ``rows``: up to a row, never to a list's container),
        and the levels climbed."""
        node, levels = a, 0
        while limit is None or levels < limit:
            if rows and node.tag in _ROWS:
                break
            parent = node.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            if rows and (parent.tag in _LISTS or _titled(parent)):
                break
            if {x.article_id for x in find_article_links(parent, url, generic)} != {aid}:
                break
            node, levels = parent, levels + 1
        return node, levels

    # the site's own list: the links (grouped by their path in the page) no other listing
    # page shows (columns of latest or most read news repeat on every page), summed over
    # the pages, then the longest
    score: dict[str, tuple[bool, int, int]] = {}
    for by_path in groups_by_page.values():
        for path, group in by_path.items():
            multi, own, size = score.get(path, (False, 0, 0))
            aids = {aid for _, aid in group}
            own += sum(1 for aid in aids if seen_on.get(aid, 0) == 1)
            score[path] = (multi or len(aids) > 1, own, size + len(aids))
    if not score:
        return
    main_path = max(score, key=lambda path: (score[path][1], score[path][0], score[path][2]))
    # how far an item reaches above its link, from pages listing several articles (on a
    # page listing one, the climb would reach the list's container)
    reach = [
        climb(a, aid, page.url, None)[1]
        for page, _root in trees
        for group in [groups_by_page[page.url].get(main_path) or []]
        if len({aid for _, aid in group}) > 1
        for a, aid in group
    ]
    limit = min(reach) if reach else None
    for page, _root in trees:
        main_group = groups_by_page[page.url].get(main_path)
        if not main_group:
            continue
        items = [climb(a, aid, page.url, limit, rows=limit is None)[0] for a, aid in main_group]
        items_by_page[page.url] = list(dict.fromkeys(items))
        for item in items_by_page[page.url][:2]:
            cands.extend(selector_candidates(item))

    def item_judge(pr: tuple[Page, etree._Element], css: str) -> bool | None:
        want = items_by_page.get(pr[0].url)
        if not want:
            return None
        found = [x for x in select(pr[1], css) if isinstance(x, etree._Element)]
        return found == want

    css, _ = _choose(trees, dict.fromkeys(cands), item_judge)
    lst["item"] = [css] if css else []
    if not css:
        return
    # the list's container: where an empty category shows it lists nothing
    holders: dict[str, etree._Element] = {}
    scope_c: list[str] = []
    for page, root in trees:
        found = [x for x in select(root, css) if isinstance(x, etree._Element)]
        parent = found[0].getparent() if found else None
        if parent is not None and all(x.getparent() is parent for x in found):
            holders[page.url] = parent
            scope_c.extend(selector_candidates(parent))

    def scope_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        want = holders.get(pr[0].url)
        if want is None:
            return None
        found = select(pr[1], sel)
        return bool(found) and found[0] is want

    sel, _ = _choose(trees, dict.fromkeys(scope_c), scope_judge)
    lst["scope"] = [sel] if sel else []
    # inside an item: the title link, the time, the lead
    link_c: list[str] = []
    time_c: list[str] = []
    lead_c: list[str] = []
    pairs: list[tuple[Page, etree._Element]] = []
    for page, root in trees:
        for item in select(root, css):
            if not isinstance(item, etree._Element):
                continue
            pairs.append((page, item))
            titled = [
                a
                for a in item.iter("a")
                if node_text(a) and find_article_links([a], page.url, generic)
            ]
            if titled:
                link_c.extend(selector_candidates(titled[0], stop=item, depth=4))
            for el in item.iter():
                if not isinstance(el.tag, str) or el.tag == "a":
                    continue
                text = node_text(el)
                if text and len(text) < 60 and _YEAR.search(text):
                    if parse_date(text, generic.date_patterns, generic.timezone):
                        time_c.extend(selector_candidates(el, stop=item, depth=4))
                elif len(text) >= 40 and not list(el.iter("a")) and not _in_link(el):
                    lead_c.extend(selector_candidates(el, stop=item, depth=4))

    def link_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        return (
            bool(found)
            and bool(find_article_links(found[:1], pr[0].url, generic))
            and bool(node_text(found[0]))
        )

    sel, _ = _choose(pairs, dict.fromkeys(link_c), link_judge)
    lst["item_link"] = [sel] if sel else []

    def time_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        if not found:
            return None
        return parse_date(node_text(found[0]), generic.date_patterns, generic.timezone) is not None

    sel, _ = _choose(pairs, dict.fromkeys(time_c), time_judge)
    lst["item_time"] = [sel] if sel else []

    def lead_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        found = select(pr[1], sel)
        if not found:
            return None
        text = node_text(found[0])
        return len(text) >= 40 and not _YEAR_ONLY.fullmatch(text)

    sel, _ = _choose(pairs, dict.fromkeys(lead_c), lead_judge)
    lst["item_lead"] = [sel] if sel else []

    # the category title
    generic_title = {
        page.url: category_title(root, ListingPage(page.html, page.url, generic).title)
        for page, root in trees
    }
    title_c: list[str] = []
    for page, root in trees:
        want = generic_title[page.url]
        for el in _text_elements(root, want or "")[:3]:
            if el.tag != "a":
                title_c.extend(selector_candidates(el))

    def title_judge(pr: tuple[Page, etree._Element], sel: str) -> bool | None:
        want = generic_title[pr[0].url]
        if not want:
            return None
        found = select(pr[1], sel)
        return bool(found) and _keyed(node_text(found[0])) == _keyed(want)

    sel, _ = _choose(trees, dict.fromkeys(title_c), title_judge)
    lst["title"] = [sel] if sel else []


#: Elements that are a list's row, and a list's containers (an item learned from pages
#: listing one article only stops at the first, below the second).
_ROWS = frozenset(["li", "tr", "article"])
_LISTS = frozenset(["ul", "ol", "table", "tbody", "main", "section", "aside"])


def _titled(el: etree._Element) -> bool:
    """Whether ``el`` holds a heading that is no link (a list's title, not an item's)."""
    return any(next(h.iter("a"), None) is None for h in el.iter("h1", "h2", "h3"))


def category_title(root: etree._Element, title: str | None) -> str | None:
    """The category's name as the page prints it: the ladder's title (``og:title``, or
    ``<title>`` without a site suffix the profile's rule knows), or, printed nowhere, the
    longest heading that starts it before a separator ("Thời sự :: Tỉnh ủy Nghệ An"), or
    that ends the page's ``<title>`` after one ("Tỉnh ủy Nghệ An - Thời sự": the site's
    rule cut the category off as if it were the site's name)."""
    if not title or _text_elements(root, title):
        return title
    head = root.find(".//title")
    whole = node_text(head) if head is not None else ""
    best = None
    for el in root.iter("h1", "h2", "h3", "h4", "div", "span", "td", "strong", "p"):
        text = node_text(el)
        if not text or len(text) > 80:
            continue
        rest = title[len(text) :] if title.startswith(text) else ""
        before = whole[: -len(text)].rstrip() if whole.endswith(text) else ""
        starts = bool(rest) and not rest[0].isalnum()
        linked = _in_link(el) or next(el.iter("a"), None) is not None  # (a menu's item)
        ends = bool(before) and not before[-1].isalnum() and title in before and not linked
        if (starts or ends) and (best is None or len(text) > len(best)):
            best = text
    return best or title


_YEAR = re.compile(r"\d{4}")
_YEAR_ONLY = re.compile(r"[\d\s/:.,|-]+")


def _in_link(el: etree._Element) -> bool:
    return any(a.tag == "a" for a in el.iterancestors())


# --------------------------------------------------------------------------- coverage


def _field_value(fld: str, result: ArticleResult) -> Any:
    f = result.fields
    if fld == "content":
        return _body_lines(result)
    if fld == "datePublished":
        return _date_key(f.get("datePublished"))
    if fld == "authors":
        return _authors_key(result)
    if fld in ("attachments",):
        return sorted(x.get("url") for x in f.get(fld) or [])
    if fld == "breadcrumbs":
        return [x.get("name") for x in f.get(fld) or []]
    return f.get(fld)


def _same(fld: str, got: Any, want: Any) -> bool:
    """Whether the learned profile's value is the ladder's. A body may leave out what the
    ladder kept and the learner removed (labelled link blocks, repeated lines): none of
    its text outside the ladder's, at least nine tenths of the ladder's."""
    if fld == "description" and isinstance(got, str) and isinstance(want, str):
        return _lead_match(got, want)
    if fld != "content":
        return bool(got == want)
    theirs = sorted({_keyed(line) for line in want if line}, key=len, reverse=True)
    mine = [_keyed(line) for line in got]
    held = sum(map(len, mine)) >= 0.9 * sum(len(_keyed(line)) for line in want)
    return held and all(_composed(line, theirs) for line in mine)


def _composed(line: str, parts: list[str]) -> bool:
    """Whether ``line`` is a run of ``parts`` (lines merge where a block between them was
    removed)."""
    at = 0
    while at < len(line):
        step = next((len(p) for p in parts if line.startswith(p, at)), 0)
        if not step:
            return False
        at += step
    return True


_FALLBACK_NAMES = {
    "content": ("articleBody", "articleBodyHtml"),
    "headline": ("headline",),
    "datePublished": ("datePublished",),
    "description": ("description",),
    "authors": ("authors",),
    "attachments": ("attachments",),
    "breadcrumbs": ("breadcrumbs",),
    "subSite": ("subSite",),
}
_SELECTOR_KEYS = {
    "headline": ("article", "headline"),
    "datePublished": ("article", "date_published"),
    "description": ("article", "description"),
    "content": ("article", "content"),
    "authors": ("article", "byline"),
    "attachments": ("article", "attachments"),
    "breadcrumbs": ("article", "breadcrumbs"),
    "subSite": ("banner", "selector"),
}


def _article_coverage(
    fld: str,
    data: dict[str, Any],
    profile: SiteProfile,
    learned: list[_Art],
    held: list[_Art],
) -> Coverage:
    """Pages where the learned profile gives the ladder's value without a fallback, of
    the pages where the ladder found one (or used a fallback)."""

    def count(arts: list[_Art]) -> tuple[int, int]:
        good = total = 0
        if fld == "datePublished" and not profile.article.date_on_page:
            return good, total
        for art in arts:
            want = _field_value(fld, art.ladder)
            if not want and not any(n in art.ladder.fallbacks for n in _FALLBACK_NAMES[fld]):
                continue
            total += 1
            result = _learned_page(profile, art)
            if _same(fld, _field_value(fld, result), want) and not any(
                n in result.fallbacks for n in _FALLBACK_NAMES[fld]
            ):
                good += 1
        return good, total

    section, key = _SELECTOR_KEYS[fld]
    selectors = tuple(data[section][key])
    note = ""
    if fld == "content" and len(data["article"]["remove"]) > len(BASE_REMOVE):
        note = "remove: " + ", ".join(data["article"]["remove"][len(BASE_REMOVE) :])
    if fld == "datePublished" and not profile.article.date_on_page:
        note = "printed on no page: the listing's date (date_on_page = false)"
    if fld == "authors" and not selectors:
        note = "signature paragraphs of the content"
    return Coverage(fld, selectors, count(learned), count(held), note)


def _listing_coverage(
    fld: str,
    data: dict[str, Any],
    profile: SiteProfile,
    learned: Sequence[Page],
    held: Sequence[Page],
) -> Coverage:
    generic = profile.generic()

    def count(pages: Sequence[Page]) -> tuple[int, int]:
        good = total = 0
        for page in pages:
            ladder = ListingPage(page.html, page.url, generic)
            mine = ListingPage(page.html, page.url, profile)
            if fld == "listing items":
                if not ladder.entries:
                    continue
                total += 1
                ids = {e.article_id for e in mine.entries}
                good += (
                    bool(ids)
                    and ids <= {e.article_id for e in ladder.entries}
                    and ("listing_entries" not in mine.fallbacks)
                )
            elif fld == "listing time":
                entries = mine.entries
                if not entries or not profile.listing.item_time:
                    continue
                total += 1
                good += all(e.updated is not None for e in entries)
            else:
                want = category_title(ladder.root, ladder.title)
                if not want:
                    continue
                total += 1
                good += mine.title == want and "category_title" not in mine.fallbacks
        return good, total

    keys = {"listing items": "item", "listing time": "item_time", "listing title": "title"}
    selectors = tuple(data["listing"][keys[fld]])
    note = ""
    if fld == "listing items" and data["listing"]["item_link"]:
        note = "link: " + data["listing"]["item_link"][0]
    return Coverage(fld, selectors, count(learned), count(held), note)


# --------------------------------------------------------------------------- TOML


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if "'" not in value and "\n" not in value:
            return "'" + value + "'"
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return '"' + escaped + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_profile(data: dict[str, Any]) -> str:
    """``data`` (a profile as :func:`profile_from_dict` reads it) as TOML text."""
    lines = [
        "# Site profile learned by `danvan profile learn` from the generic rules' values on a",
        "# few pages (selectors checked on pages it did not learn from). Edit freely.",
        "",
    ]
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # never write what cannot be read back
    return text
