"""The authors of an article page: the profile's byline, JSON-LD, the byline line and
the signature at the end of the body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lxml import etree

from danvan_crawler.dates import find_date
from danvan_crawler.extract.article_tree import (
    _COMMENT_WORDS,
    _SENTENCE_RE,
    _YEAR_RE,
    _common_ancestor,
    _is_under,
    _raw_text,
    _text_parents,
)
from danvan_crawler.extract.common import json_ld_value, meta, node_text, page_property
from danvan_crawler.extract.ladder import HEADING_TAGS, text_nodes
from danvan_crawler.extract.ladder_lines import Line, in_link_list, text_lines
from danvan_crawler.extract.ladder_signature import (
    bold_line,
    leading_bold,
    name_like,
    split_name_role,
)
from danvan_crawler.extract.selectors import first_match
from danvan_crawler.text import clean_block, clean_text

if TYPE_CHECKING:
    from danvan_crawler.extract.article_page import _Page


#: How many of the body's last lines :meth:`ArticlePage._page_signature` reads.
SIGNATURE_SEARCH = 20


_TAIL = 40


#: A signature is never inside these, nor inside an element named so (a comment's author,
#: a related article's).
_NOT_SIGNATURE_TAGS = frozenset(["li", "dd", "dt", "form", "nav", "aside", "footer", "a"])


_NOT_SIGNATURE = re.compile(
    r"comment|binh-?luan|y-?kien|related|lien-?quan|tin-?khac|footer|sidebar", re.IGNORECASE
)


#: One bare name: two to five words of letters.
_BARE_NAME = re.compile(r"[^\W\d_]+(?:\s+[^\W\d_]+){1,4}")


#: How a sentence ends (a role line never does).
_SENTENCE_ENDS = (".", "!", "?", ":", "/.")


def _no_signature_place(el: etree._Element, top: etree._Element) -> bool:
    """Whether ``el`` or an ancestor below ``top`` is a list item, a form, page chrome, or
    named as comments or related articles (where a name is a commenter's, another
    article's author)."""
    for a in (el, *_ancestors_to(el, top)):
        names = f"{a.get('class') or ''} {a.get('id') or ''}"
        if a.tag in _NOT_SIGNATURE_TAGS or _NOT_SIGNATURE.search(names):
            return True
    return False


def _commenter(line: Line, following: list[Line], region: etree._Element) -> bool:
    """Whether ``line`` (a name after the body) heads a comment: one of the ``following``
    lines, in a block below ``region`` holding both, says a sentence."""
    for nxt in following:
        if _common_ancestor(line.element, nxt.element) is region:
            return False
        if any(len(s.split()) >= _COMMENT_WORDS for s in _SENTENCE_RE.findall(nxt.text)):
            return True
    return False


def _ancestors_to(el: etree._Element, top: etree._Element) -> list[etree._Element]:
    """``el``'s ancestors below ``top``."""
    out = []
    for a in el.iterancestors():
        if a is top:
            break
        out.append(a)
    return out


def _json_ld_author(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) else None


class _AuthorFields:
    """ArticlePage's authors."""

    @page_property
    def authors(self: _Page) -> list[dict[str, str | None]]:
        lines: list[str] = []
        for node in self._signature_nodes:
            lines.extend(clean_block(self._block_text(node)).split("\n"))
        lines = [line for line in lines if line]
        generic = self._content_source != "profile"
        if generic:
            # the lines the reader sees, not the blocks: a name in bold and its role in
            # a block of its own may share a block
            found = self._line_signature() or self._page_signature()
            if found is not None:
                self._fallback("authors", "signature")
                return [found]
            lines = []
        if lines:
            return [self._author(lines, generic)]
        block = first_match(
            self.root, self.profile.article.byline, self._names, self._scope
        )  # the profile's byline
        if block:
            el = block[0]
            if isinstance(el, etree._Element) and next(el.iter("br"), None) is not None:
                # "Tác giả: Name<br>Role": one line per <br>, not one per text holder
                parts = clean_block(_raw_text(el)).split("\n")
            else:
                parts = [node_text(n) for n in _text_parents(el)]
            lines = [p for p in dict.fromkeys(parts) if p]
            if lines:
                return [self._author(lines)]
        byline = first_match(self.root, self.profile.fallback.byline, self._names, self._scope)
        if byline and isinstance(byline[0], etree._Element) and generic:
            found = self._byline_block(byline[0])
            if found is not None:
                self._fallback("authors", "byline")
                return [found]
        if byline:
            parts = [node_text(n) for n in _text_parents(byline[0])]
            lines = [p for p in dict.fromkeys(parts) if p] or [node_text(byline[0])]
            lines = [line for line in lines if line]
            if lines:
                self._fallback("authors", "byline")
                return [self._author(lines, generic=True)]
        line = self._byline_line
        if line is not None:
            self._fallback("authors", "byline-text")
            return [self._author([line], generic=True)]
        if generic:
            found = self._region_byline()
            if found is not None:
                self._fallback("authors", "byline-text")
                return [found]
        for source, value in (
            ("meta:author", meta(self.root, "author", "article:author")),
            ("json-ld", _json_ld_author(json_ld_value(self._json_ld, "author"))),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("authors", source)
                name = clean_text(value)
                return [{"name": name, "nameRaw": name, "role": None}]
        return []

    @page_property
    def _byline_line(self: _Page) -> str | None:
        """A byline printed above the body: a line of the article region near the
        headline that starts with a name prefix ("Bài và ảnh:", "Tác giả:") followed by a
        name."""
        region = self._region
        if region is None:
            return None
        prefix = self.profile.signature.name_prefix
        for line in self._region_lines:
            if line.where not in ("after", "before") or len(line.text) > 80:
                continue
            match = prefix.match(line.text)
            if match and name_like(split_name_role(line.text[match.end() :])[0]):
                return line.text
        return None

    def _aligned_right(self: _Page, el: etree._Element, top: etree._Element | None) -> bool:
        rules = self.profile.signature
        for a in (el, *el.iterancestors()):
            if str(a.get("align", "")).lower() == "right" or rules.align_right.search(
                str(a.get("style", ""))
            ):
                return True
            if a is top:
                break
        return False

    def _author_line(
        self: _Page, line: Line, top: etree._Element | None, marked: bool
    ) -> tuple[str, str | None, str] | None:
        """(name, role on the line, the name as printed) when ``line`` starts with an
        author's name: after a name prefix ("Bài:", "Tác giả:"), in bold ("**Name**
        Role"), or (``marked``: the line is set apart, right-aligned, bold) the whole line
        is "Name" or "Name - Role"."""
        text = line.text
        if len(text) > 120 or line.links * 2 > len(text):
            return None
        rules = self.profile.signature
        bold = leading_bold(line.element, text)
        if bold:
            # "**Bài và ảnh: Name** Role", "**Name - Role**", "**Name** - Role": the bold
            # run bounds the name where nothing else separates it from the role
            name, role = split_name_role(rules.name_prefix.sub("", bold))
            if name_like(name):
                rest = clean_text(text[len(bold) :]).lstrip("-–—,: ").strip()
                raw = bold if rest else text
                return name, " ".join(r for r in (role, rest) if r) or None, raw
        prefix = rules.name_prefix.match(text)
        if prefix is not None:
            name, role = split_name_role(text[prefix.end() :])
            return (name, role, text) if name_like(name) else None
        name, role = split_name_role(text)
        if name_like(name) and len(name.split()) >= 2:
            if marked or role is not None or self._aligned_right(line.element, top):
                return name, role, text
            if bold_line(line.element):
                return name, role, text
        return None

    def _line_signature(self: _Page) -> dict[str, str | None] | None:
        """The ladder's signature: among the body's last three lines, a name (after a
        prefix, in bold, or right-aligned; "Name - Role" split), the lines after it short
        role lines."""
        node = self._content_node
        if node is None:
            return None
        lines = [line for line in text_lines(node) if not self._in_image_block(line.element, node)]
        for count in range(min(self.profile.signature.max_lines, len(lines) - 1), 0, -1):
            tail = lines[-count:]
            roles = [line.text for line in tail[1:]]
            if any(len(r) > 100 or r.endswith((".", "!", "?", ":", "/.")) for r in roles):
                continue
            found = self._author_line(tail[0], node, marked=False)
            if found is None:
                continue
            name, role, raw = found
            role = " ".join([role, *roles] if role else roles) or None
            return {"name": name, "nameRaw": raw, "role": role}
        return None

    @page_property
    def _page_lines(self: _Page) -> list[Line]:
        """The lines of the page's ``<body>`` (read where the body's own markup matters)."""
        body = self.root.find("body")
        return text_lines(body if body is not None else self.root)

    def _page_signature(self: _Page) -> dict[str, str | None] | None:
        """The signature where the body found runs past it or leaves it out (a library's
        body that goes on into comments, related lists or the footer, and drops the
        markup that sets the signature apart), read on the page: the line after one of
        the body's last :data:`SIGNATURE_SEARCH` lines, when it is a name (see
        :meth:`_author_line`) and ends, with at most two short role lines, the block it
        shares with that line; never inside a list, a form or page chrome, no date on
        it or its role lines (a comment's: name, date, what it says)."""
        node = self._content_node
        if node is None or self._content_source == "profile":
            return None
        lines = [line for line in text_lines(node) if not self._in_image_block(line.element, node)]
        page = self._page_lines
        # (by their last characters: the library may have joined two of the page's blocks)
        where: dict[str, list[int]] = {}
        for j, line in enumerate(page[:-1]):
            where.setdefault(line.text[-_TAIL:], []).append(j)
        for k in range(len(lines) - 1, max(-1, len(lines) - 1 - SIGNATURE_SEARCH), -1):
            for j in where.get(lines[k].text[-_TAIL:], ()):
                found = self._signature_at(page, j + 1)
                if found is not None:
                    return found
        return None

    def _signature_at(self: _Page, page: list[Line], j: int) -> dict[str, str | None] | None:
        """:meth:`_page_signature` at the page's line ``j``."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        el = page[j].element
        top = _common_ancestor(page[j - 1].element, el)
        if _no_signature_place(el, top):
            return None
        if _YEAR_RE.search(page[j].text) and find_date(page[j].text, patterns, tz) is not None:
            return None
        roles: list[str] = []
        for line in page[j + 1 :]:
            # an attachment list or share bar after the signature is no role of it
            if not _is_under(line.element, top) or _no_signature_place(line.element, top):
                break
            if len(roles) == 2 or len(line.text) > 100 or line.text.endswith(_SENTENCE_ENDS):
                return None
            if _YEAR_RE.search(line.text) and find_date(line.text, patterns, tz) is not None:
                return None
            roles.append(line.text)
        found = self._author_line(page[j], top, marked=False)
        if found is None:
            return None
        name, role, raw = found
        role = " ".join([role, *roles] if role else roles) or None
        return {"name": name, "nameRaw": raw, "role": role}

    def _byline_block(self: _Page, el: etree._Element) -> dict[str, str | None] | None:
        """The author in a byline block: its first line a name (see :meth:`_author_line`),
        the role after it on the line or on the next lines."""
        lines = text_lines(el)
        if not lines or len(lines) > 3:
            return None
        found = self._author_line(lines[0], el, marked=True)
        if found is None:
            return None
        name, role, raw = found
        roles = [line.text for line in lines[1:]]
        role = " ".join([role, *roles] if role else roles) or None
        return {"name": name, "nameRaw": raw, "role": role}

    def _region_byline(self: _Page) -> dict[str, str | None] | None:
        """A byline printed apart from the body: the first lines after the body, or the
        lines next to the headline, starting with a name (see :meth:`_author_line`);
        never a line of a list of links."""
        region = self._region
        if region is None:
            return None
        lines = self._region_lines
        ends = [line for line in lines if line.where == "end"]
        groups = [
            ends[:2],
            [line for line in lines if line.where == "after"][:6],
            [line for line in lines if line.where == "before"][:3],
        ]
        for group in groups:
            for k, line in enumerate(group):
                if group is groups[0] and (
                    line.element.tag in HEADING_TAGS or _no_signature_place(line.element, region)
                ):
                    break  # after the body, a heading starts comments, related articles...
                if in_link_list(line.element, region):
                    continue
                if group is groups[0] and _commenter(line, ends[k + 1 : k + 3], region):
                    break
                # the line after it on the page (the lines before the headline are listed
                # nearest the headline first)
                if group is groups[2]:
                    nxt = group[k - 1] if k > 0 else None
                else:
                    nxt = group[k + 1] if k + 1 < len(group) else None
                # set apart: the first line after the body, a line with its role on the
                # next line of its block ("Name<br>Role"), or a block of its own by the
                # headline (a bare name there is the byline; comments come after the body)
                apart = (
                    (group is groups[0] and k == 0)
                    or (nxt is not None and nxt.element is line.element and len(nxt.text) <= 100)
                    or (group is not groups[0] and self._own_block(line))
                )
                found = self._author_line(line, region, marked=apart)
                if found is None:
                    continue
                name, role, raw = found
                if role is None and nxt is not None and nxt.element is line.element:
                    role = nxt.text  # "Name<br>Role"
                return {"name": name, "nameRaw": raw, "role": role}
        return None

    @staticmethod
    def _own_block(line: Line) -> bool:
        """Whether ``line`` is one bare name (two to five words, no dash or comma: not a
        "Category - Section" label) and all the text of its block, the block no heading."""
        el = line.element
        if el.tag in HEADING_TAGS or not _BARE_NAME.fullmatch(line.text):
            return False
        return clean_text("".join(text_nodes(el))) == line.text

    def _author(self: _Page, lines: list[str], generic: bool = False) -> dict[str, str | None]:
        """``generic``: lines the ladder found ("Name - Role" on one line is split when
        the part after the dash is no name)."""
        rules = self.profile.signature
        name_raw = lines[0]
        role = " ".join(lines[1:]) or None
        name = rules.name_prefix.sub("", name_raw).strip()
        if role is None and rules.name_role_separator is not None:
            parts = rules.name_role_separator.split(name, maxsplit=1)
            if len(parts) == 2 and parts[0] and parts[1]:
                name, role = parts[0].strip(), parts[1].strip()
        if role is None and generic:
            name, role = split_name_role(name)
        return {"name": name or name_raw, "nameRaw": name_raw, "role": role}
