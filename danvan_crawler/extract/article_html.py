"""The articleBodyHtml markup: the allow-listed tags and attributes, the sanitizer and
the whitespace cleaning of its output.
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from lxml import etree

from danvan_crawler.text import strip_invisible_spaced

#: Tags kept in articleBodyHtml.
HTML_TAGS = frozenset(
    [
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "sub",
        "sup",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "td",
        "th",
        "figure",
        "figcaption",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "div",
        "span",
    ]
)


HTML_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def _inner_html(el: etree._Element) -> str:
    """``el``'s text escaped, then each child serialized as HTML with its tail: ``el`` is
    serialized once, as a bare ``<div>`` (its text, attributes and tag changed: ``el`` is
    a working copy), instead of a serialization call per child. The text is left out of
    the serialization and escaped here; a ``<div>`` prints its children and their tails
    as any element other than the raw-text ones (``<script>``, ``<style>``) does."""
    text = el.text if isinstance(el.text, str) else ""
    el.text = None
    el.attrib.clear()
    el.tag = "div"
    markup = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    return _escape(text) + markup[len("<div>") : -len("</div>")]


def _sanitize(html: str) -> str:
    """``html`` through nh3 with the articleBodyHtml allow-list (one :class:`nh3.Cleaner`
    built once where nh3 has it: the options are not converted at every call)."""
    if _CLEANER is not None:
        return _CLEANER.clean(html)
    return nh3.clean(html, **_NH3_OPTIONS)


_NH3_OPTIONS: dict[str, Any] = {
    "tags": set(HTML_TAGS),
    "attributes": HTML_ATTRIBUTES,
    "link_rel": None,
    "strip_comments": True,
}


_CLEANER = nh3.Cleaner(**_NH3_OPTIONS) if hasattr(nh3, "Cleaner") else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BLANK_RE = re.compile(r"(?:[\u00a0]|&nbsp;|&#160;|&#xa0;)+", re.IGNORECASE)


_BLANK_ENTITY_RE = re.compile(r"&(?:nbsp|#160|#xa0);", re.IGNORECASE)


_EMPTY_P_RE = re.compile(r"<p>\s*</p>")


def clean_html_text(value: str) -> str:
    """Normalize the text of cleaned HTML: NFC, zero-width characters removed, NBSP runs
    to one space, empty paragraphs dropped, whitespace between tags collapsed."""
    # (the same as ``strip_invisible``, then ``_BLANK_RE.sub(" ", value)`` then
    # ``[ \t\r\n]+`` -> one space, with str.replace: a regex scanning every character
    # costs a tenth of a page's extraction; the NBSP entities hold no whitespace, so
    # replacing them after the tabs and newlines is the same)
    value = strip_invisible_spaced(value)
    if "&" in value:
        value = _BLANK_ENTITY_RE.sub(" ", value)
    while "  " in value:
        value = value.replace("  ", " ")
    value = _EMPTY_P_RE.sub("", value)
    # the same markup with or without optional end tags (``</p>``, ``</li>``) gives the
    # same string: no space just inside a closing block tag or between block tags
    value = _strip_space_before_blocks(value)
    value = _BLOCK_SPACE_AFTER_RE.sub(_first_group, value)
    return value.strip()


def _strip_space_before_blocks(value: str) -> str:
    """``_BLOCK_SPACE_BEFORE_RE.sub(r"\\1", value)``: whitespace runs before a block tag
    removed. The regex starts with ``\\s+`` and so is tried at every space between words;
    here the tags are found (their ``<`` is a literal prefix the regex engine skips to) and
    the whitespace before each taken back, not before the end of the previous removal (the
    regex's matches do not overlap; a tag not preceded by whitespace is no match, and the
    whitespace ending it may still start the next one). ``\\s`` is ``str.isspace``."""
    parts: list[str] = []
    done = 0  # end of the last match: value[:done] is in parts
    for match in _BLOCK_TAG_BEFORE_RE.finditer(value):
        start = match.start()
        space = start
        while space > done and value[space - 1].isspace():
            space -= 1
        if space < start:
            parts.append(value[done:space])
            parts.append(match.group(0))
            done = match.end()
    if not parts:
        return value
    parts.append(value[done:])
    return "".join(parts)


def _first_group(match: re.Match[str]) -> str:
    """``\\1`` as a function (cheaper than a template expanded at every match)."""
    return match.group(1)


_BLOCKS = r"(?:p|div|li|ul|ol|table|thead|tbody|tr|td|th|h[1-6]|blockquote|figure|figcaption)"


_BLOCK_SPACE_BEFORE_RE = re.compile(rf"\s+(</{_BLOCKS}>|<{_BLOCKS}[\s>])")


_BLOCK_TAG_BEFORE_RE = re.compile(rf"</{_BLOCKS}>|<{_BLOCKS}[\s>]")


_BLOCK_SPACE_AFTER_RE = re.compile(rf"(</{_BLOCKS}>|<{_BLOCKS}(?:\s[^>]*)?>)\s+")
