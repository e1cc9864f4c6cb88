"""The generic ladder: rules over a parsed page that name no site, class or tag of a
particular markup. :class:`~danvan_crawler.extract.article.ArticlePage` climbs it field by
field when the profile's selectors find nothing; nothing here runs on a page the profile
covers.

- :func:`title_keys` / :func:`headline_element`: the element whose text is the page's
  ``og:title`` / JSON-LD headline / ``<title>`` (whole, or without the site's name),
  whatever its tag; :func:`prominent_heading`: the most prominent heading before the body.
- :func:`content_parts`: where the body is: the element whose paragraphs (any block
  holding text, ``<p>`` or not) hold the most text that is not link text, discounted by
  its own link density and by class/id names saying chrome (share, related, comment...),
  with its siblings and same-class neighbours that hold text too.
- :func:`clean_content`: a copy of it without chrome, link lists and forms.
- :func:`text_lines`: an element's text as the lines a browser shows (blocks and ``<br>``
  end them), each with the block holding it; :func:`region_lines`: the lines of the
  article region (the smallest element holding headline and body) in the order the date
  and byline are looked for: after the headline, before it, then around the body.
- :func:`date_line`: whether a line is a printed date (a date and a few label words), not
  a sentence that mentions one; :func:`in_link_list`: whether an element sits in a list
  of links (a dated "latest news" column).
- :func:`signature_lines`: the author's signature at the end of the body (bold or
  right-aligned short lines; "Name - Role" or the role on the next line).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from danvan_crawler.text import clean_text

__all__ = [
    "Line",
    "clean_content",
    "content_parts",
    "date_line",
    "headline_element",
    "in_link_list",
    "prominent_heading",
    "region_lines",
    "signature_lines",
    "text_lines",
    "text_nodes",
    "title_keys",
]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Elements whose content is never read as text.
SKIP_TAGS = _words(
    "script style noscript template head title meta link svg math iframe frame frameset "
    "object embed applet button select option optgroup datalist textarea input canvas map "
    "area video audio source track picture"
)
#: HTML5 page chrome: never the body's container, removed from it.
CHROME_TAGS = _words("nav aside footer header menu dialog")
#: Elements that do not end a line.
INLINE_TAGS = _words(
    "a abbr acronym b bdi bdo big cite code data dfn em font i img kbd label mark q rp rt "
    "ruby s samp small span strike strong sub sup time tt u var wbr ins del nobr"
)
#: Blocks that are a paragraph of their parent (their text scores the parent).
PARAGRAPH_TAGS = _words("p li dd dt blockquote pre h1 h2 h3 h4 h5 h6 figcaption caption address")
#: Blocks that hold their own text as a container does (table cells, sections).
HOLDER_TAGS = _words("td th body article main section center form")
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")

#: Class or id words of page chrome (English and Vietnamese CMS names, unaccented).
_CHROME_NAMES = re.compile(
    r"comment|binh-?luan|y-?kien|share|sharing|social|chia-?se|related|lien-?quan|tin-?khac|"
    r"cung-?chuyen-?muc|cung-?loai|xem-?them|doc-?them|sidebar|side-bar|widget|footer|"
    r"navbar|navigation|menu|breadcrumb|advert|quang-?cao|promo|newsletter|subscribe|popup|"
    r"modal|cookie|pagination|paging|phan-?trang|keyword|tu-?khoa|rating|toolbar|"
    r"most-?read|doc-?nhieu|xem-?nhieu|moi-?nhat|tin-?moi|latest|top-?news|tieu-?diem|"
    r"author|byline|print|banner|masthead|copyright|disclaimer|logo|site-?(?:title|name)",
    re.IGNORECASE,
)
#: Short chrome words, matched as whole tokens of a class or id.
_CHROME_TOKENS = _words("nav tags tag ad ads meta share social tools")
_CONTENT_NAMES = re.compile(
    r"article|content|entry|post|story|detail|main|body|text|noi-?dung|chi-?tiet|bai-?viet",
    re.IGNORECASE,
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_WORD_RE = re.compile(r"[^\W\d_]+")


def _names(el: etree._Element) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}".strip()


def chrome_named(el: etree._Element) -> bool:
    """Whether ``el``'s class or id names page chrome (share, related, comment...)."""
    names = _names(el)
    if not names:
        return False
    if _CHROME_NAMES.search(names):
        return True
    return any(token.lower() in _CHROME_TOKENS for token in _TOKEN_SPLIT.split(names))


def _tag(el: etree._Element) -> str | None:
    return el.tag.lower() if isinstance(el.tag, str) else None


def _is_block(tag: str | None) -> bool:
    return tag is not None and tag not in INLINE_TAGS and tag != "br"


# -- text keys for comparing titles ------------------------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u2026": "...",
    }
)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—»·•:/]|::)\s+|\s*[|»•]\s*")
_DOMAIN_RE = re.compile(r"^\s*(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\s*$")
_KEY_TRIM = re.compile(r"^[\W_]+|[\W_]+$")


def text_key(text: str) -> str:
    """A comparison key: NFC, case folded, quotes and dashes unified, whitespace collapsed,
    punctuation at both ends dropped (``„Titel“`` and ``"titel"`` are the same)."""
    text = unicodedata.normalize("NFC", clean_text(text)).casefold().translate(_QUOTES)
    return _KEY_TRIM.sub("", " ".join(text.split()))


def title_keys(
    titles: Iterable[str | None],
    suffix: re.Pattern[str] | None = None,
    site_names: Iterable[str | None] = (),
) -> list[str]:
    """Keys of what the headline may be, strongest first: each title as given, without
    the site's name (``suffix``), then its parts between separators (``Headline | Site``,
    ``Site - Headline``, ``Kicker: Headline``) of at least three words or 20 characters
    that are not the site's name (``site_names``) nor a domain name."""
    whole: list[str] = []
    parts: list[str] = []
    sites = {text_key(name) for name in site_names if name}
    for title in titles:
        if not title or not clean_text(title):
            continue
        whole.append(text_key(title))
        if suffix is not None:
            stripped = suffix.sub("", clean_text(title))
            # (a site's name is shorter than the headline it follows)
            if len(stripped) * 2 >= len(clean_text(title)):
                whole.append(text_key(stripped))
        pieces = [p for p in _TITLE_SEPARATORS.split(clean_text(title)) if p.strip()]
        if len(pieces) > 1:
            # the longest runs of pieces first: "A - B - Site" gives "A - B" before "A"
            # (of the same number of pieces, the longest first: a headline is longer than
            # the site's name printed before or after it)
            for size in range(len(pieces) - 1, 0, -1):
                runs = [
                    " - ".join(pieces[start : start + size])
                    for start in range(0, len(pieces) - size + 1)
                ]
                for joined in sorted(runs, key=len, reverse=True):
                    if _DOMAIN_RE.match(joined) or text_key(joined) in sites:
                        continue
                    if len(_WORD_RE.findall(joined)) >= 3 or len(joined) >= 20:
                        parts.append(text_key(joined))
    return [k for k in dict.fromkeys([*whole, *parts]) if k]


# -- the headline ------------------------------------------------------------------------

_MAX_HEADLINE = 400


def _visible_text(el: etree._Element, limit: int) -> str | None:
    """``el``'s text (skipped elements left out), None when longer than ``limit``."""
    parts: list[str] = []
    size = 0
    for node in text_nodes(el):
        parts.append(node)
        size += len(node)
        if size > limit * 3:  # (whitespace counts; the cleaned text is checked below)
            return None
    text = clean_text("".join(parts))
    return text if len(text) <= limit else None


def text_nodes(el: etree._Element) -> Iterator[str]:
    """The text nodes under ``el`` in document order, skipped elements' content left out
    (their tails kept)."""
    if el.text and _tag(el) not in SKIP_TAGS:
        yield el.text
    stack: list[tuple[etree._Element, bool]] = [(c, True) for c in reversed(el)]
    while stack:
        node, enter = stack.pop()
        if enter:
            tag = _tag(node)
            if tag is None or tag in SKIP_TAGS:
                if node.tail:
                    yield node.tail
                continue
            if node.text:
                yield node.text
            stack.append((node, False))
            stack.extend((c, True) for c in reversed(node))
        elif node.tail:
            yield node.tail


def _body_of(root: etree._Element) -> etree._Element:
    body = root.find("body")
    return body if body is not None else root


def headline_element(root: etree._Element, keys: list[str]) -> etree._Element | None:
    """The element of the page's body whose text has one of ``keys`` (see
    :func:`title_keys`; the earlier key wins), whatever its tag: the outermost such
    element, a heading before any other element, an element outside links and page
    chrome before one inside; never the site's logo or a link to its home page."""
    if not keys:
        return None
    rank = {key: n for n, key in enumerate(keys)}
    longest = max(len(k) for k in keys)
    best: tuple[tuple[int, int, int, int], etree._Element] | None = None
    order = 0
    stack = [_body_of(root)]
    while stack:
        el = stack.pop()
        for child in reversed(el):
            tag = _tag(child)
            if tag is None or tag in SKIP_TAGS:
                continue
            order += 1
            text = _visible_text(child, min(_MAX_HEADLINE, longest + 40))
            if text is None:
                stack.append(child)  # too long to be the headline: look inside
                continue
            key = text_key(text)
            if key in rank:
                if _site_mark(child):
                    continue  # the site's name: a title that is only the site's name
                score = (rank[key], _heading_rank(child), _chrome_rank(child), order)
                if best is None or score < best[0]:
                    best = (score, child)
                continue  # the outermost element with the text
            if key and len(key) > 2:
                stack.append(child)
    return best[1] if best else None


_LOGO_NAMES = re.compile(r"logo|brand|site-?(?:title|name)", re.IGNORECASE)


def _site_mark(el: etree._Element) -> bool:
    """Whether ``el`` is the site's logo or name: named so (itself or its two nearest
    ancestors), or inside a link to the site's home page."""
    for n, node in enumerate((el, *el.iterancestors())):
        if n <= 2 and _LOGO_NAMES.search(_names(node)):
            return True
        if _tag(node) == "a":
            href = (node.get("href") or "").strip()
            path = re.sub(r"^(?:https?:)?//[^/]+", "", href)
            return path in ("", "/", "/index.html", "/index.php", "/default.aspx")
    return False


def _heading_rank(el: etree._Element) -> int:
    """0 for h1 ... 5 for h6, 6 for an element named like a title, 7 for the rest (what the
    element itself or the single element it holds is)."""
    node: etree._Element | None = el
    while node is not None:
        tag = _tag(node)
        if tag in HEADING_TAGS:
            return HEADING_TAGS.index(tag)
        if re.search(r"title|headline|heading|tieu-?de", _names(node), re.IGNORECASE):
            return 6
        children = [c for c in node if isinstance(c.tag, str)]
        node = children[0] if len(children) == 1 else None
    return 7


def _chrome_rank(el: etree._Element) -> int:
    """1 when ``el`` is inside a link, page chrome or a link list; 0 otherwise."""
    for node in (el, *el.iterancestors()):
        tag = _tag(node)
        if tag == "a" or (tag in CHROME_TAGS and tag != "header"):
            return 1  # (an article's header holds its headline and lead)
        if tag != "body" and chrome_named(node):
            return 1
    return 0


def prominent_heading(root: etree._Element, body: etree._Element | None) -> etree._Element | None:
    """The most prominent heading before ``body`` (the body's element): from the body up,
    the first ancestor holding a heading (``h1``-``h6``, or an element whose class or id
    says title/headline) before the body; of its headings, the highest level, then the
    nearest the body. Without a body: the page's first most prominent heading."""
    if body is None:
        for tag in HEADING_TAGS[:3]:
            for el in _body_of(root).iter(tag):
                if _usable_heading(el):
                    return el
        return None
    node = body
    for ancestor in body.iterancestors():
        found: list[tuple[int, int, etree._Element]] = []
        position = 0
        for el in ancestor.iter():
            if el is node or el is body:
                break
            if not isinstance(el.tag, str):
                continue
            position += 1
            rank = _heading_rank(el) if _tag(el) in HEADING_TAGS else 7
            if rank == 7 and re.search(r"title|headline|tieu-?de", _names(el), re.IGNORECASE):
                rank = 6
            if rank < 7 and _usable_heading(el):
                found.append((rank, -position, el))
        if found:
            return min(found, key=lambda item: (item[0], item[1]))[2]
        node = ancestor
    return None


def lead_like(el: etree._Element) -> bool:
    """Whether ``el`` reads as an article's lead: 30 to 1 500 characters in at most three
    lines, few of them link text, outside links and page chrome."""
    text = _visible_text(el, 1500)
    if text is None or len(text) < 30 or _chrome_rank(el):
        return False
    lines = text_lines(el)
    if len(lines) > 3:
        return False
    return sum(line.links for line in lines) * 4 < len(text)


def _usable_heading(el: etree._Element) -> bool:
    text = _visible_text(el, _MAX_HEADLINE)
    if not text or len(_WORD_RE.findall(text)) < 2:
        return False
    return not _chrome_rank(el)


# -- the body ----------------------------------------------------------------------------


@dataclass
class _Stats:
    text: int = 0  # visible characters of the subtree (whitespace runs count one)
    links: int = 0  # of which inside links
    block: bool = False  # holds a block element
    anchors: int = 0  # links in the subtree
    prose: int = 0  # the most characters outside links of one block's own text in it


def _size(text: str | None) -> int:
    if not text:
        return 0
    return len(" ".join(text.split()))


def subtree_stats(root: etree._Element, prune_chrome: bool) -> dict[etree._Element, _Stats]:
    """Per element under ``root`` (``root`` included): its visible text size, link text
    size, whether it holds a block, its link count. Skipped elements (and page chrome,
    with ``prune_chrome``) are left out, as their subtrees."""
    order: list[etree._Element] = []
    stack = [root]
    while stack:
        el = stack.pop()
        order.append(el)
        for child in el:
            tag = _tag(child)
            if tag is None or tag in SKIP_TAGS:
                continue
            if prune_chrome and tag in CHROME_TAGS:
                continue
            stack.append(child)
    stats: dict[etree._Element, _Stats] = {}
    for el in reversed(order):  # children before parents
        own = _Stats(text=_size(el.text))
        for child in el:
            if child.tail:
                own.text += _size(child.tail)
            sub = stats.get(child)
            if sub is None:
                continue
            own.text += sub.text
            own.links += sub.links
            own.anchors += sub.anchors
            own.block = own.block or sub.block or _is_block(_tag(child))
            own.prose = max(own.prose, sub.prose)
        if _tag(el) == "a":
            own.links = own.text
            own.anchors += 1
        if _is_block(_tag(el)):
            size, links = _own_text(el, stats)
            own.prose = max(own.prose, size - links)
        stats[el] = own
    return stats


def _own_text(el: etree._Element, stats: dict[etree._Element, _Stats]) -> tuple[int, int]:
    """(characters, link characters) of ``el``'s own text: its text, its inline
    children's, and its children's tails (not the text of its block children)."""
    size = _size(el.text)
    links = size if _tag(el) == "a" else 0
    for child in el:
        size += _size(child.tail)
        sub = stats.get(child)
        if sub is not None and not sub.block and not _is_block(_tag(child)):
            size += sub.text
            links += sub.links
    return size, links


#: A paragraph shorter than this (characters) does not vote for its container.
MIN_PARAGRAPH = 25


def _br_paragraphs(el: etree._Element, stats: dict[etree._Element, _Stats]) -> int:
    """How many paragraphs (runs of at least :data:`MIN_PARAGRAPH` characters) ``el``'s
    own text holds between its ``<br>`` children: a block of several is a body printed
    as ``<br>`` runs, the container of its paragraphs."""
    if next(el.iterchildren("br"), None) is None:
        return 0
    count = 0
    run = _size(el.text)
    for child in el:
        sub = stats.get(child)
        if _tag(child) == "br" or _is_block(_tag(child)) or (sub is not None and sub.block):
            count += run >= MIN_PARAGRAPH  # (a block ends the line as a <br> does)
            run = 0
        elif sub is not None:
            run += sub.text
        run += _size(child.tail)
    return count + (run >= MIN_PARAGRAPH)


def content_parts(
    root: etree._Element, exclude: Iterable[etree._Element] = ()
) -> list[etree._Element]:
    """Where the body is: elements of ``root``'s tree (not copies), in document order;
    empty when no element holds a paragraph of text. ``exclude``: elements that are no
    part of it (the headline, the lead printed apart).

    Each block's own text (any tag) that is long enough and mostly not link text votes for
    its container (the parent of a paragraph-like block; a cell, a section, a block with
    text of its own next to its blocks or cut into paragraphs by ``<br>`` itself) with
    its length, and half as much for the next one up. A container's score is its votes
    discounted by its link density and by class/id names saying chrome. The best
    container comes with its siblings that score at least a fifth of it (a sibling of the
    same class gets a bonus), or that are long paragraphs with few links, and with the
    elements of the same tag and class nearby scoring as much (an article cut into
    several blocks by pictures and ads)."""
    body = _body_of(root)
    stats = subtree_stats(body, prune_chrome=True)
    excluded = set(exclude)
    votes: dict[etree._Element, float] = {}
    for el, st in stats.items():
        tag = _tag(el)
        if not _is_block(tag) or el in excluded:
            continue
        size, links = _own_text(el, stats)
        if size < MIN_PARAGRAPH or links * 2 > size:
            continue
        weight = float(size - links)
        if tag in HOLDER_TAGS or (
            tag not in PARAGRAPH_TAGS and (st.block or _br_paragraphs(el, stats) >= 2)
        ):
            holder = el  # text of its own next to its blocks, or cut by <br>: a container
        else:
            holder = el.getparent() if el is not body else el
        if holder is None:
            continue
        votes[holder] = votes.get(holder, 0.0) + weight
        upper = holder.getparent()
        if upper is not None and upper in stats:
            votes[upper] = votes.get(upper, 0.0) + weight / 2
    if not votes:
        return []
    scores: dict[etree._Element, float] = {}
    for el, vote in votes.items():
        st = stats[el]
        density = st.links / st.text if st.text else 1.0
        score = vote * (1.0 - density)
        if el is not body and chrome_named(el):
            score *= 0.3
        elif _CONTENT_NAMES.search(_names(el)):
            score *= 1.25
        scores[el] = score
    best = max(scores, key=lambda el: scores[el])
    best_score = scores[best]
    if best_score <= 0:
        return []
    threshold = max(2.0 * MIN_PARAGRAPH, best_score * 0.2)
    parts: set[etree._Element] = {best}
    parent = best.getparent()
    best_class = (best.get("class") or "").strip()
    if parent is not None and best is not body:
        siblings = [c for c in parent if c in stats]
        at = siblings.index(best)
        chosen = [at]
        for n, sibling in enumerate(siblings):
            if sibling is best or sibling in excluded:
                continue
            twin = bool(best_class) and sibling.get("class") == best.get("class")
            bonus = best_score * 0.2 if twin else 0.0
            sibling_score = scores.get(sibling)
            if sibling_score is not None and sibling_score + bonus >= threshold:
                chosen.append(n)
                continue
            st = stats[sibling]
            tag = _tag(sibling)
            if n < at or st.block or not _is_block(tag) or tag in HEADING_TAGS or not st.text:
                continue  # (one before the best is a lead, printed apart: the description)
            density = st.links / st.text
            if (st.text > 80 and density < 0.25) or (
                st.links == 0 and re.search(r"[.!?…]\s*$", "".join(text_nodes(sibling)))
            ):
                chosen.append(n)
        # what lies between two parts is part of the article (chrome is cleaned later)
        parts.update(s for s in siblings[min(chosen) : max(chosen) + 1] if s not in excluded)
    if best_class and best is not body:
        scope = best
        for _ in range(5):
            up = scope.getparent()
            if up is None or up not in stats:
                break
            scope = up
        for twin in scope.iter(best.tag):
            if (
                twin.get("class") == best.get("class")
                and scores.get(twin, 0.0) >= 2 * MIN_PARAGRAPH
            ):
                parts.add(twin)
    # (a part inside another is in it already)
    parts = {p for p in parts if not any(a in parts for a in p.iterancestors())}
    if len(parts) == 1:
        return [best]
    position = {el: n for n, el in enumerate(body.iter())}
    return sorted(parts, key=lambda el: position.get(el, 0))


#: A block with this much text outside links (characters) is prose, not a list of links.
PROSE = 100


def link_list(el: etree._Element, stats: dict[etree._Element, _Stats] | None = None) -> bool:
    """Whether ``el`` is a list of links: three links or more, more than half its text
    link text, and no block of prose (a paragraph citing links is none)."""
    st = (stats or subtree_stats(el, prune_chrome=False)).get(el)
    if st is None or st.anchors < 3 or not st.text:
        return False
    return st.links * 2 > st.text and st.prose < PROSE


def _link_teaser(st: _Stats) -> bool:
    """A paragraph that is a link with a label ("Xem thêm: <a>title</a>"): another
    article's title pasted into the body, not its text."""
    return st.anchors >= 1 and st.links * 2 > st.text and st.text - st.links < 40


def clean_content(node: etree._Element, keep: Iterable[etree._Element] = ()) -> None:
    """Remove from ``node`` (a working copy) what is not the body: skipped elements, page
    chrome (HTML5 chrome tags, class/id names saying share, related, comment...), forms
    with fields, lists of links, unless (``keep``) they hold the text kept."""
    kept = set(keep)
    stats = subtree_stats(node, prune_chrome=False)
    total = stats[node].text or 1
    drop: list[etree._Element] = []
    stack = [c for c in node if isinstance(c.tag, str)]
    while stack:
        el = stack.pop()
        if el in kept:
            stack.extend(c for c in el if isinstance(c.tag, str))
            continue
        tag = _tag(el)
        st = stats.get(el)
        share = st.text / total if st else 0.0
        if (
            tag is None
            or tag in SKIP_TAGS
            or tag in CHROME_TAGS
            or (tag == "form" and next(el.iter("input", "textarea", "select"), None) is not None)
            or (chrome_named(el) and share < 0.5)
            or (tag != "a" and st is not None and share < 0.5 and link_list(el, stats))
            or (tag in PARAGRAPH_TAGS and st is not None and share < 0.5 and _link_teaser(st))
        ):
            drop.append(el)
            continue
        stack.extend(c for c in el if isinstance(c.tag, str))
    for el in drop:
        drop_element(el)


def drop_element(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# -- lines -------------------------------------------------------------------------------


@dataclass
class Line:
    """One line of text as a browser shows it."""

    text: str  # cleaned
    element: etree._Element  # the block holding it (or the element of its first text)
    links: int  # characters of it inside links
    where: str = ""  # region_lines: "after" / "before" the headline, "body", "end"


def text_lines(
    node: etree._Element, skip: Collection[etree._Element] = (), limit: int | None = None
) -> list[Line]:
    """``node``'s text cut into lines where a block starts or ends and at ``<br>``; blank
    lines left out; skipped elements' text left out. ``skip``: elements not walked, each
    marked by an empty line in its place; ``limit``: at most this many lines."""
    lines: list[Line] = []
    parts: list[str] = []
    link_size = 0
    holder: list[etree._Element] = [node]

    def flush() -> None:
        nonlocal link_size
        if parts:
            text = clean_text("".join(parts))
            if text:
                lines.append(Line(text, holder[-1], min(link_size, len(text))))
        parts.clear()
        link_size = 0

    def add(text: str | None, in_link: int) -> None:
        nonlocal link_size
        # (blank text between two inline elements is the space between their words)
        if text and (text.strip() or parts):
            parts.append(text)
            if in_link:
                link_size += _size(text)

    # (element, entering, links open) in a stack: the walk needs no recursion
    stack: list[tuple[etree._Element, bool, int]] = [(node, True, 0)]
    while stack:
        if limit is not None and len(lines) >= limit:
            return lines[:limit]
        el, enter, in_link = stack.pop()
        tag = _tag(el)
        if enter:
            if el is not node and (tag is None or tag in SKIP_TAGS):
                add(el.tail, in_link)
                continue
            if el in skip and el is not node:
                flush()
                lines.append(Line("", el, 0))
                add(el.tail, in_link)
                continue
            if tag == "br":
                flush()
                add(el.tail, in_link)
                continue
            block = _is_block(tag)
            if block:
                flush()
                holder.append(el)
            inner = in_link + (tag == "a")
            add(el.text, inner)
            stack.append((el, False, in_link))
            stack.extend((c, True, inner) for c in reversed(el))
        else:
            if _is_block(tag):
                flush()
                holder.pop()
            if el is not node:
                add(el.tail, in_link)
    flush()
    return lines if limit is None else lines[:limit]


def region_lines(
    region: etree._Element,
    headline: etree._Element | None,
    body: Iterable[etree._Element],
    limit: int = 12,
) -> list[Line]:
    """The lines of ``region`` where a date or byline is looked for, nearest the
    headline first: the lines after the headline up to the body (its elements: ``body``;
    ``where`` "after"), the ``limit`` lines before the headline, nearest first
    ("before"), the body's first ``limit`` lines ("body"), then the ``limit`` lines after
    the body starts, outside it ("end"). Without a headline, the lines before the body
    count as "before". Lines inside the headline are left out."""
    after: list[Line] = []
    before: list[Line] = []
    inside: list[Line] = []
    end: list[Line] = []
    inside_headline = set(headline.iter()) if headline is not None else set()
    parts = [part for part in body if part is not region]
    if len(parts) < len(list(body)):
        parts = []  # the region is the body: its lines are where they are
    seen_headline = headline is None
    seen_body = False
    # the body's parts are not walked (only their first lines are of use)
    for line in text_lines(region, skip=set(parts)):
        el = line.element
        if not line.text:  # a part
            seen_body = True
            for inner in text_lines(el, limit=limit + 2):
                if inner.element not in inside_headline and len(inside) < limit:
                    inner.where = "body"
                    inside.append(inner)
            continue
        if el in inside_headline or (headline is not None and _holds(el, headline)):
            seen_headline = True
            continue
        if seen_body:
            line.where = "end"
            end.append(line)
        elif seen_headline and headline is not None:
            line.where = "after"
            after.append(line)
        else:
            line.where = "before"
            before.append(line)
    before = before[::-1][:limit]
    return [*after[: limit * 2], *before, *inside[:limit], *end[:limit]]


def _holds(el: etree._Element, other: etree._Element) -> bool:
    """Whether the line's block ``el`` is an ancestor of ``other`` whose line is
    ``other``'s text (a block holding the headline as inline text)."""
    return any(a is el for a in other.iterancestors()) and not _is_block(_tag(other))


_LIST_TAGS = frozenset(["ul", "ol", "table", "tbody", "dl", "div", "section"])


def in_link_list(
    el: etree._Element,
    region: etree._Element,
    stats: dict[etree._Element, _Stats] | None = None,
) -> bool:
    """Whether ``el`` is inside a link, or inside a list of links below ``region``: mostly
    link text (:func:`link_list`), or three items or more, nearly all holding a linked
    title, and no prose (a "latest news" column: a linked title and a date per item). ``stats``:
    :func:`subtree_stats` of ``region``, when at hand (else each list's own)."""
    for node in (el, *el.iterancestors()):
        if node is region:
            return False
        tag = _tag(node)
        if tag == "a":
            return True
        if tag in _LIST_TAGS:
            sub = stats if stats is not None and node in stats else None
            if sub is None:
                sub = subtree_stats(node, prune_chrome=False)
            if link_list(node, sub) or _linked_items(node, sub):
                return True
    return False


def in_list_of_links(
    el: etree._Element, top: etree._Element, stats: dict[etree._Element, _Stats]
) -> bool:
    """Whether ``el`` is inside a list of links below ``top`` (see :func:`in_link_list`;
    a link alone is none). ``stats``: :func:`subtree_stats` of ``top``."""
    for node in (el, *el.iterancestors()):
        if node is top:
            return False
        listed = _tag(node) in _LIST_TAGS and node in stats
        if listed and (link_list(node, stats) or _linked_items(node, stats)):
            return True
    return False


def _linked_items(node: etree._Element, stats: dict[etree._Element, _Stats]) -> bool:
    items = [c for c in node if c in stats and stats[c].text]
    if len(items) < 3 or stats[node].prose >= PROSE:
        return False
    # a linked title per item (a share bar or a "comment" link is no list of articles)
    linked = sum(1 for item in items if stats[item].links >= 15)
    return linked * 3 >= len(items) * 2


# -- dates in text -----------------------------------------------------------------------

#: Words printed around a date that say nothing else (weekdays, labels, zones).
_DATE_WORDS = _words(
    "thứ hai ba tư tu năm nam sáu sau bảy bay chủ chu nhật nhat cn t ngày ngay đăng dang "
    "lúc luc cập cap nhật nhat giờ gio phút phut tháng thang xuất xuat bản ban gửi gui "
    "sửa sua chỉnh chinh đổi doi lần lan cuối cuoi sa ch am pm sáng sang chiều chieu "
    "tối toi trưa trua gmt utc ict published posted updated update modified on at date "
    "time created"
)
#: At most this many other words on a date line: more, and it is a sentence.
MAX_DATE_LINE_WORDS = 8


def date_line(text: str, span: tuple[int, int]) -> bool:
    """Whether ``text``, where a date was found at ``span``, is a date line (the date, a
    label, a weekday, a byline, a view count...) rather than a sentence mentioning a date:
    at most :data:`MAX_DATE_LINE_WORDS` words besides the date and the words printed
    around dates."""
    rest = text[: span[0]] + " " + text[span[1] :]
    words = [w for w in _WORD_RE.findall(rest.casefold()) if w not in _DATE_WORDS]
    return len(words) <= MAX_DATE_LINE_WORDS


# -- signature ---------------------------------------------------------------------------

#: Words that make a line a role, not a name (a role is printed lower case in part).
_NAME_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.\-]*\.?$")


def name_like(text: str) -> bool:
    """Whether ``text`` looks like a person's name (or a few, joined by "và", "and", ",",
    " - "):
    two to six words per name, each capitalized, no digit."""
    text = clean_text(text)
    if not text or len(text) > 80 or any(ch.isdigit() for ch in text):
        return False
    for name in re.split(r"\s*(?:,|;|&|\s[-–]\s|\bvà\b|\band\b|\bund\b)\s*", text):
        words = name.split()
        if not words:
            continue
        if not 1 <= len(words) <= 6:
            return False
        if not all(_NAME_WORD.match(w) and w[0].isupper() for w in words):
            return False
    return True


def bold_line(el: etree._Element) -> bool:
    """Whether all of ``el``'s text is inside ``<b>``/``<strong>`` (or a bold style)."""
    if _BOLD_STYLE.search(el.get("style") or ""):
        return True
    total = _size("".join(text_nodes(el)))
    if not total:
        return False
    bold = 0
    for child in el.iter("b", "strong"):
        if child is el or any(_tag(a) in ("b", "strong") for a in _ancestors_below(child, el)):
            continue  # (nested bold counted once, with its outermost bold)
        bold += _size("".join(text_nodes(child)))
    if _tag(el) in ("b", "strong"):
        bold = total
    return bold >= total


def leading_bold(el: etree._Element, text: str) -> str | None:
    """The text of the ``<b>``/``<strong>`` that starts ``el``'s line ``text`` (a name in
    bold followed by a role), or None."""
    for child in el.iter("b", "strong"):
        bold = clean_text("".join(text_nodes(child)))
        if bold and text.startswith(bold):
            return bold
        break
    return None


_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)


def _ancestors_below(el: etree._Element, top: etree._Element) -> Iterator[etree._Element]:
    for a in el.iterancestors():
        if a is top:
            return
        yield a


def signature_lines(lines: list[Line], max_lines: int = 3) -> int:
    """How many of the body's last ``lines`` are the author's signature: up to
    ``max_lines`` short lines at the end, the first of them a name (possibly "Name -
    Role"), printed in bold; 0 when there is none."""
    if not lines:
        return 0
    for count in range(min(max_lines, len(lines) - 1), 0, -1):
        tail = lines[-count:]
        first = tail[0]
        if len(first.text) > 80 or any(len(line.text) > 120 for line in tail):
            continue
        name = split_name_role(first.text)[0]
        if name_like(name) and bold_line(first.element):
            return count
    return 0


_ROLE_SEPARATOR = re.compile(r"\s+[-–—]\s+|\s*\(\s*")


def split_name_role(text: str) -> tuple[str, str | None]:
    """``"Nguyễn Văn A - Phóng viên"`` -> ``("Nguyễn Văn A", "Phóng viên")``: split at a
    dash (or an opening parenthesis) when what follows is not a name (two authors are not
    a name and a role)."""
    parts = _ROLE_SEPARATOR.split(clean_text(text), maxsplit=1)
    if len(parts) == 2:
        name, role = parts[0].strip(), parts[1].strip().rstrip(")").strip()
        if name and role and name_like(name) and not name_like(role):
            return name, role
    return clean_text(text), None


def text_size(el: etree._Element) -> int:
    """Visible characters under ``el`` (whitespace runs count one)."""
    return sum(_size(t) for t in text_nodes(el))


def text_before(root: etree._Element, target: etree._Element) -> int:
    """Visible characters under ``root`` before ``target`` in document order."""
    size = 0
    if root.text and _tag(root) not in SKIP_TAGS:
        size += _size(root.text)
    stack: list[tuple[etree._Element, bool]] = [(c, True) for c in reversed(root)]
    while stack:
        node, enter = stack.pop()
        if node is target:
            return size
        if enter:
            tag = _tag(node)
            if tag is None or tag in SKIP_TAGS:
                size += _size(node.tail)
                continue
            size += _size(node.text)
            stack.append((node, False))
            stack.extend((c, True) for c in reversed(node))
        else:
            size += _size(node.tail)
    return size
