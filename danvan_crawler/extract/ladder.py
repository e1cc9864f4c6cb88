"""The generic ladder: rules over a parsed page that name no site, class or tag of a
particular markup. :class:`~danvan_crawler.extract.article.ArticlePage` climbs it field by
field when the profile's selectors find nothing; nothing here runs on a page the profile
covers.

This module holds what its rungs share: tag classes, chrome names, :func:`text_nodes` and
:func:`title_keys` (the page's ``og:title`` / JSON-LD headline / ``<title>``, whole or
without the site's name). The rungs: :mod:`.ladder_headline`, :mod:`.ladder_body`,
:mod:`.ladder_lines`, :mod:`.ladder_signature`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from lxml import etree

from danvan_crawler.text import clean_text

__all__ = ["chrome_named", "text_key", "text_nodes", "title_keys"]


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
