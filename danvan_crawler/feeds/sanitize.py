"""Making article text and HTML safe to put in a feed.

Four concerns, each a pure function:

* :func:`xml_safe` removes the characters XML 1.0 forbids (C0 controls other than tab,
  LF and CR, lone surrogates, U+FFFE/U+FFFF) and the C1 controls; lxml refuses the first
  kind outright, and readers choke on both.
* :func:`safe_url` turns any link into an absolute, percent-encoded http(s) URL (a raw
  curly quote in a slug becomes ``%E2%80%9D``), or ``None`` when it is not http(s).
* :func:`sanitize_html` runs the article HTML through nh3 (ammonia): an allow-list of
  plain formatting tags, no script/style/iframe/object/embed/form/svg/math (removed with
  their content), no ``on*`` or ``style`` attributes, only http(s)/mailto URLs, every
  relative URL resolved against the article's own URL and percent-encoded. The result
  is a :class:`SafeHtml`.
* :func:`plain_text` makes a text field (a title, a name, a lead) safe in any slot of any
  feed format, including those some readers render as HTML (RSS titles and
  descriptions, OPML outlines): XML-safe, whitespace collapsed, and, when some piece a
  browser would read as a tag could do something (an HTML element other than plain
  formatting, or any attribute with a value: ``<script>``, ``<img src=x onerror=...>``),
  without any such piece (``<`` followed by a letter, ``/``, ``!`` or ``?``, up to the
  next ``>``). Text whose tag-like pieces are inert stays as it is: ``<<Tìm hiểu>>``
  (Vietnamese quotes), ``a < b``, ``<b>``. The page showed such text as text; the feeds'
  HTML content keeps it, escaped.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import nh3
from lxml.html import defs as html_defs
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)

# XML 1.0 Char production, minus the C1 controls (U+007F-U+009F).
_XML_FORBIDDEN = re.compile(
    "[^\u0009\u000a\u000d\u0020-\u007e\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

#: Tags kept (their attributes are in :data:`ALLOWED_ATTRIBUTES`); others are unwrapped.
ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "div", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p",
        "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
        "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

#: Tags removed together with everything inside them.
REMOVED_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "form", "textarea", "select", "button", "noscript", "template", "svg", "math",
        "audio", "video", "canvas", "link", "meta", "base",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}

#: URL schemes allowed in links and images.
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})

_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "jpe": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "svg": "image/svg+xml",
    "avif": "image/avif",
    "tif": "image/tiff",
    "tiff": "image/tiff",
}
_FILE_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "zip": "application/zip",
    "rar": "application/vnd.rar",
    "txt": "text/plain",
}


class SafeHtml(str):
    """HTML that went through :func:`sanitize_html` (the feed model takes it as is)."""

    __slots__ = ()


# A tag, end tag, comment, doctype or processing instruction as an HTML tokenizer starts
# one, up to the next ">" (or the end: an unclosed tag eats the rest).
_TAG_LIKE = re.compile(r"<[A-Za-z/!?][^>]*(?:>|$)")
# The name an HTML tokenizer reads in a tag: from the letter after "<" or "</" up to
# white space, "/" or ">".
_TAG_NAME = re.compile(r"</?([A-Za-z][^\s/>]*)")
_SPACES = re.compile(r"\s+")
#: Elements that do nothing when written without attributes.
_INERT_ELEMENTS = frozenset(
    {"b", "i", "em", "strong", "u", "s", "small", "sub", "sup", "span", "br", "q", "abbr",
     "code", "mark", "cite", "del", "ins", "p", "div", "kbd", "var", "dfn", "wbr"}
)  # fmt: skip


def _inert_tag(tag: str) -> bool:
    """Whether a tag-like piece of text does nothing when a reader renders it as HTML:
    a comment or the like, or an element without attributes that is either no HTML
    element at all (Vietnamese ``<<Tên>>`` quotes read as one) or a formatting one."""
    if tag.startswith(("<!", "<?")):
        return True
    if "=" in tag:
        return False  # an attribute with a value: an event handler, a style, a URL...
    name = _TAG_NAME.match(tag)
    if name is None:
        return True  # "</ x>": a bogus comment to a browser
    element = name.group(1).lower()
    return element in _INERT_ELEMENTS or element not in html_defs.tags


def plain_text(value: object) -> str:
    """A text field made safe for every feed slot (see the module doc); ``""`` for
    None or empty values."""
    if not value:
        return ""
    text = xml_safe(str(value))
    if "<" in text and not all(map(_inert_tag, _TAG_LIKE.findall(text))):
        while True:  # again and again: removing a tag may join the halves of another
            stripped = _TAG_LIKE.sub(" ", text)
            if stripped == text:
                break
            text = stripped
    return _SPACES.sub(" ", text).strip()


def xml_safe(text: str | None) -> str:
    """``text`` without the characters XML 1.0 forbids (and C1 controls); ``""`` for None."""
    if not text:
        return ""
    return _XML_FORBIDDEN.sub("", text)


# An absolute http(s) URL that percent-encoding would leave as it is.
_PLAIN_URL = re.compile(r"^https?://[A-Za-z0-9.:\[\]-]+(/[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?$")


@lru_cache(maxsize=8192)
def safe_url(url: str | None, base: str | None = None) -> str | None:
    """``url`` resolved against ``base``, percent-encoded; None unless http(s)."""
    if not url:
        return None
    url = xml_safe(url).strip()
    if _PLAIN_URL.match(url):
        return url
    if base:
        url = urljoin(base, url)
    try:
        encoded = safe_url_string(url)
    except ValueError:
        return None
    parts = urlsplit(encoded)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return encoded


def media_type(url: str, default: str = "application/octet-stream") -> str:
    """The MIME type suggested by the extension of ``url``'s path (fixed table, so the
    answer does not depend on the machine's ``/etc/mime.types``)."""
    path = urlsplit(url).path.lower()
    ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return _IMAGE_TYPES.get(ext) or _FILE_TYPES.get(ext) or default


# Markup as an HTML5 serializer writes it (what the extraction's sanitizer stores as
# articleBodyHtml): lower-case tags, double-quoted attributes, text and values escaped.
_MARKUP_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?: [a-z]+="[^"<>]*")*)>|[^<>]+')
_MARKUP_ATTRIBUTE = re.compile(r' ([a-z]+)="([^"]*)"')
_TEXT_AMPERSAND = re.compile(r"&(?!(?:amp|nbsp|lt|gt);)")
_VALUE_AMPERSAND = re.compile(r"&(?!(?:amp|nbsp|quot);)")
_VOID_ELEMENTS = frozenset({"br", "img", "hr"})
_LINK_REL = ' rel="noopener noreferrer nofollow"'


def serialized_safe(html: str) -> str | None:
    """What :func:`sanitize_html` gives for ``html`` when ``html`` already is serialized,
    balanced markup within the allow-lists, with only plain absolute http(s) URLs (the
    form the extraction's sanitizer stores): the same markup with ``rel`` on links, found
    by one regex scan instead of a second parse. None for anything else (older records,
    hand-made HTML, any doubt): those go through nh3."""
    if html != html.strip() or _XML_FORBIDDEN.search(html):
        return None
    parts: list[str] = []
    open_tags: list[str] = []
    end = 0
    for token in _MARKUP_TOKEN.finditer(html):
        if token.start() != end:
            return None  # a "<" or ">" outside a well-formed tag
        end = token.end()
        closing, tag, attributes = token.group(1, 2, 3)
        if tag is None:
            if _TEXT_AMPERSAND.search(token.group()):
                return None
            parts.append(token.group())
            continue
        if tag not in ALLOWED_TAGS:
            return None
        if closing:
            if attributes or not open_tags or open_tags.pop() != tag:
                return None
            parts.append(token.group())
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, ())
        seen: set[str] = set()
        for name, value in _MARKUP_ATTRIBUTE.findall(attributes):
            if name not in allowed or name in seen or _VALUE_AMPERSAND.search(value):
                return None
            seen.add(name)
            if name in _URL_ATTRIBUTES and ("&" in value or not _PLAIN_URL.match(value)):
                return None
        if tag not in _VOID_ELEMENTS:
            open_tags.append(tag)
        parts.append(token.group()[:-1] + _LINK_REL + ">" if tag == "a" else token.group())
    if end != len(html) or open_tags:
        return None
    return "".join(parts)


def sanitize_html(html: str | None, base_url: str) -> SafeHtml:
    """Article HTML made safe: see the module docstring. ``base_url`` is the article URL.
    HTML the extraction already sanitized is checked and finished by
    :func:`serialized_safe`, not parsed again."""
    if not html:
        return SafeHtml("")
    trusted = serialized_safe(html)
    if trusted is not None:
        return SafeHtml(trusted)
    return sanitize_with_nh3(html, base_url)


def sanitize_with_nh3(html: str, base_url: str) -> SafeHtml:
    """:func:`sanitize_html` by parsing ``html`` (what any HTML needs)."""

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute in _URL_ATTRIBUTES:
            if value.strip().lower().startswith("mailto:"):
                return value.strip()
            return safe_url(value, base_url)
        return value

    cleaned = nh3.clean(
        xml_safe(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # Character references (&#1;) come out of the parser as the characters they name.
    return SafeHtml(xml_safe(cleaned).strip())
