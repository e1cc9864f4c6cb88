"""From a page's bytes to an lxml tree (:func:`parse_html`): the encoding found as a browser
would, and what lxml refuses (characters XML forbids, NCRs of them) made safe first.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode


def parse_html(
    html: str | bytes, encoding: str | None = None, *, html_elements: bool = True
) -> etree._Element:
    """The root element of ``html`` (the tree a ``parsel.Selector(text=..., type="html")``
    holds), without the selector; bytes are decoded by BOM, ``<meta charset>`` or
    ``encoding`` (windows-1258 pages included), NCR entities resolved by the parser.
    ``html_elements=False``: the same tree of plain ``lxml.etree`` elements (no
    ``lxml.html`` element classes, whose lookup is a Python call per element touched)."""
    if isinstance(html, bytes):
        content_type = f"text/html; charset={encoding}" if encoding else None
        _, html = html_to_unicode(content_type, html)
    # libxml2 stops at a stray ``</html>``/``</body>`` in the middle of a page (tag soup
    # CMSs print them): drop those end tags, the parser closes the document at its end
    if html:
        html = _END_OF_DOCUMENT_RE.sub("", html)
    # what parsel's create_root_node does with a text: strip, drop NULs, UTF-8, lxml.html
    # parser in recovery mode (huge trees allowed), an empty <html> when nothing is left
    body = _xml_safe_utf8(html) if html else b"<html></html>"
    parser_class = lxml_html.HTMLParser if html_elements else etree.HTMLParser
    parser = parser_class(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root


_END_OF_DOCUMENT_RE = re.compile(r"</\s*(?:html|body)\s*>", re.IGNORECASE)
#: characters XML 1.0 forbids (lxml refuses them in text it is given back: ValueError)
_XML_BAD_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NCR_RE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")


def _ncr(match: re.Match[str]) -> str:
    hex_digits, digits = match.groups()
    try:
        code = int(hex_digits, 16) if hex_digits else int(digits)
    except ValueError:
        return ""
    if code > 0x10FFFF or _XML_BAD_RE.match(chr(code)):
        return ""  # an NCR to a control character, a surrogate or beyond Unicode
    return match.group(0)


def _xml_safe_utf8(html: str) -> bytes:
    """``(xml_safe_markup(html) or "<html></html>").strip().replace("\\x00", "")`` in
    UTF-8 (``b"<html/>"`` when empty), as parsel's ``create_root_node`` prepares a text;
    cheaper when no character needs removing (most pages): the characters XML forbids are
    looked for in the UTF-8 bytes (one byte each; U+FFFE and U+FFFF in the text; a
    surrogate does not encode). Stripping first is the same: of those characters, only
    whitespace ones can be stripped away, and those are removed anyway."""
    try:
        body = html.strip().encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        if (
            body
            and b"&#" not in body  # NCRs: the slow path resolves the forbidden ones
            and len(body.translate(None, _XML_BAD_BYTES)) == len(body)
            and "\ufffe" not in html  # (one-character searches are the fastest)
            and "\uffff" not in html
        ):
            return body
    if "&#" in html:
        html = _NCR_RE.sub(_ncr, html)
    html = _XML_BAD_RE.sub("", html) or "<html></html>"
    return html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"


_XML_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def xml_safe_markup(html: str) -> str:
    """``html`` without the characters (raw or as NCRs like ``&#8;``) that XML 1.0
    forbids: the parser would put them in text nodes lxml then refuses to handle."""
    if "&#" in html:
        html = _NCR_RE.sub(_ncr, html)
    return _XML_BAD_RE.sub("", html)
