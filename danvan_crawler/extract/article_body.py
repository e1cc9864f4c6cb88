"""The body of an article page: where it is (the profile's content element, the ladder's
region or trafilatura's text), what is dropped from it, its paragraphs.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from lxml import etree

from danvan_crawler.extract.article_agree import FURNITURE_MIN, _agree, _squash
from danvan_crawler.extract.article_tree import (
    _at_path,
    _common_ancestor,
    _drop_before,
    _drop_matches,
    _is_under,
    _leaf_blocks,
    _raw_text,
    _relative_path,
)
from danvan_crawler.extract.common import node_text, page_property
from danvan_crawler.extract.external import trafilatura_body
from danvan_crawler.extract.ladder import text_key, text_nodes
from danvan_crawler.extract.ladder_body import clean_content, content_parts, drop_element
from danvan_crawler.extract.ladder_lines import Line, text_lines
from danvan_crawler.extract.ladder_signature import (
    bold_line,
    name_like,
    split_name_role,
    text_before,
    text_size,
)
from danvan_crawler.extract.selectors import first_match, select
from danvan_crawler.text import clean_block, clean_text

if TYPE_CHECKING:
    from danvan_crawler.extract.article_page import _Page


#: A line of the ladder's body shorter than this (characters) that trafilatura leaves out
#: is boilerplate (see ``ArticlePage._drop_rejected_lines``).
SHORT = 200


#: A body found by the ladder's region rule holding less text than this (characters) is
#: no body: the next rung (trafilatura) is tried.
MIN_BODY = 100

#: Letters of the content outside its blocks from which they are a body printed as loose
#: lines (see ``ArticlePage._bold_signature``).
_LOOSE_BODY = 100


def _letters(el: etree._Element) -> int:
    """How many non-space characters ``el`` holds."""
    return sum(len(part) for text in el.itertext() for part in text.split())


class _BodyFields:
    """ArticlePage's body."""

    @page_property
    def _content_match(self: _Page) -> etree._Element | None:
        """The element the profile's content selectors find in :attr:`root`, or None."""
        found = first_match(self.root, self.profile.article.content, self._names, self._scope)
        return found[0] if found and isinstance(found[0], etree._Element) else None

    @page_property
    def _body_parts(self: _Page) -> list[etree._Element]:
        """Where the body is in :attr:`root`: the profile's content element, else the
        ladder's parts (:func:`content_parts`)."""
        if self._content_match is not None:
            return [self._content_match]
        exclude = [el for el in (self._title_headline, self._description_element) if el is not None]
        return content_parts(self.root, exclude)

    @page_property
    def _body_element(self: _Page) -> etree._Element | None:
        """The element holding the body (:attr:`_body_parts`, or their common ancestor)."""
        parts = self._body_parts
        if not parts:
            return None
        node = parts[0]
        for part in parts[1:]:
            node = _common_ancestor(node, part)
        return node

    @property
    def _content_source(self: _Page) -> str:
        """Where :attr:`_content_node` comes from: "profile", "main-content" (the
        ladder's region rule), "trafilatura", or "" (nowhere)."""
        self._content_node  # noqa: B018 (set with it)
        return self._source

    @page_property
    def _content_node(self: _Page) -> etree._Element | None:
        """A working copy of the content block, unwanted parts removed: the profile's
        content element; else the ladder's region rule, kept when trafilatura's
        extraction of the page agrees with it (:func:`_agree`) or finds nothing; else
        trafilatura's."""
        source = "profile"
        if self._content_match is not None:
            node = copy.deepcopy(self._content_match)
        else:
            node = self._ladder_content()
            source = "main-content"
            library = trafilatura_body(self.html)
            if library is not None:
                agree = node is not None and _agree(
                    node, library, self._lead, self.headline, self._furniture_texts
                )
                if not agree:
                    node, source = library, "trafilatura"
                    self._drop_headline_line(node)
                else:
                    self._drop_rejected_lines(node, library)
            if node is None:
                return None
            self._fallback("articleBody", source)
            self._fallback("articleBodyHtml", source)  # (the same node, as HTML)
        self._source = source
        _drop_matches(node, self.profile.article.remove, self._names)
        return node

    @page_property
    def _furniture_texts(self: _Page) -> set[str]:
        """Texts of the page that are no body's, whitespace removed, of
        :data:`FURNITURE_MIN` characters or more: its link texts outside the ladder's
        body (a list of links in it may be the article's), and, when the headline is the
        title's (not a heading that may be a section's), the lines outside the article
        region (columns, a footer)."""
        inside_body = {el for part in self._body_parts for el in part.iter()}
        texts = [
            _squash("".join(text_nodes(a))) for a in self.root.iter("a") if a not in inside_body
        ]
        region = self._region
        titled = self._title_headline is not None or isinstance(
            self._headline_match, etree._Element
        )
        if titled and region is not None:
            inside = set(region.iter())
            body = self.root.find("body")
            for line in text_lines(body if body is not None else self.root):
                if line.element not in inside:
                    texts.append(_squash(line.text))
        return {text for text in texts if len(text) >= FURNITURE_MIN}

    def _drop_headline_line(self: _Page, node: etree._Element) -> None:
        """Remove the headline from the top of trafilatura's body (it keeps it at times)."""
        lines = text_lines(node)
        headline = self._headline_element
        if not lines or headline is None or lines[0].element is node:
            return
        if text_key(lines[0].text) == text_key(node_text(headline)):
            drop_element(lines[0].element)

    def _drop_rejected_lines(self: _Page, node: etree._Element, library: etree._Element) -> None:
        """Remove from ``node`` (the ladder's body) the blocks holding one short line
        (under :data:`SHORT` characters) that trafilatura's extraction of the page, which
        agrees with the rest, left out as boilerplate ("Share this", "Advertisement", a
        "read more" teaser). A signature among the last lines is kept (trafilatura does
        not know it is one), and so are image captions (not body text anyway)."""
        theirs = " ".join(line.text for line in text_lines(library))
        lines = text_lines(node)
        last = {id(line) for line in lines[-self.profile.signature.max_lines :]}
        for line in lines:
            el = line.element
            if len(line.text) >= SHORT or line.text in theirs or el is node:
                continue
            if id(line) in last and self._signature_like(line):
                continue
            if self._in_image_block(el, node):
                continue  # a caption: the image's, not the body's
            if clean_text("".join(text_nodes(el))) == line.text:
                drop_element(el)

    def _signature_like(self: _Page, line: Line) -> bool:
        """Whether a line may be an author's signature: a name prefix, or a name (or
        "Name - Role") printed in bold or right-aligned."""
        rules = self.profile.signature
        if rules.name_prefix.match(line.text):
            return True
        if not name_like(split_name_role(line.text)[0]):
            return False
        el = line.element
        aligned = any(
            str(a.get("align", "")).lower() == "right"
            or rules.align_right.search(str(a.get("style", "")))
            for a in (el, *el.iterancestors())
        )
        return aligned or bold_line(el)

    def _ladder_content(self: _Page) -> etree._Element | None:
        """A copy of the ladder's body parts (one element, or a ``<div>`` holding them)
        without page chrome, the headline and what precedes it, and the date lines found
        in it; None when it holds less than :data:`MIN_BODY` characters of text."""
        parts = self._body_parts
        if not parts:
            return None
        headline = self._headline_element
        date_lines = [
            found[1].element
            for found in self._region_dates
            if found is not None and found[1].where == "body"
        ]
        copies: list[etree._Element] = []
        for part in parts:
            doomed = [el for el in date_lines if el is not part and _is_under(el, part)]
            head = headline is not None and headline is not part and _is_under(headline, part)
            if head:
                doomed.insert(0, headline)
            paths = [_relative_path(part, el) for el in doomed]
            node = copy.deepcopy(part)
            node.tail = None
            targets = [_at_path(node, path) for path in paths]
            before = text_before(part, headline) if head else 0
            if head and before < 200 and before * 4 < text_size(part):
                _drop_before(node, targets[0])  # a kicker, breadcrumbs: the headline's header
            for target in targets:
                drop_element(target)
            copies.append(node)
        if len(copies) == 1:
            node = copies[0]
            clean_content(node)
        else:
            node = etree.Element("div")
            node.extend(copies)
            clean_content(node)
            if len(node) == 1 and not (node.text or "").strip():
                node = node[0]  # one part left: itself, not a wrapper
        if sum(len(line.text) for line in text_lines(node)) < MIN_BODY:
            return None
        return node

    @page_property
    def _content_blocks(self: _Page) -> list[etree._Element]:
        """The leaf blocks of the content node (read for the signature and the body)."""
        node = self._content_node
        return [] if node is None else _leaf_blocks(node)

    @page_property
    def _signature_nodes(self: _Page) -> list[etree._Element]:
        """The trailing right-aligned / NBSP-indented paragraphs of the content."""
        node = self._content_node
        if node is None:
            return []
        rules = self.profile.signature
        tags = {t.lower() for t in rules.paragraph}
        blocks = [b for b in self._content_blocks if not self._in_image_block(b, node)]
        sig: list[etree._Element] = []
        for block in reversed(blocks):
            raw = self._block_text(block)
            if not clean_text(raw):
                continue
            if len(sig) >= rules.max_lines or block.tag.lower() not in tags:
                break
            right = False
            for el in (block, *block.iterancestors()):  # the block, up to the content node
                align = str(el.get("align", "")).lower()
                if align == "right" or rules.align_right.search(str(el.get("style", ""))):
                    right = True
                    break
                if el is node:
                    break
            if right or rules.nbsp_indent.match(raw):
                sig.append(block)
            else:
                break
        sig.reverse()
        if not sig and (self._content_source != "profile" or rules.bold):
            sig = self._bold_signature(blocks)
        return sig

    def _bold_signature(self: _Page, blocks: list[etree._Element]) -> list[etree._Element]:
        """The ladder's signature: the body's last blocks when the first of them is a
        name (or "Name - Role") printed in bold or after a name prefix ("Bài và ảnh:"),
        and the rest (at most two) short role lines."""
        rules = self.profile.signature
        texts = [(b, clean_block(self._block_text(b))) for b in blocks]
        texts = [(b, t) for b, t in texts if t]
        # a body printed as loose lines (text and <br>s in the content itself) is body
        # before the signature too, though no block holds it
        node = self._content_node
        own = sum(_letters(b) for b in blocks)
        loose = node is not None and _letters(node) - own >= _LOOSE_BODY
        for count in range(min(rules.max_lines, len(texts) - (0 if loose else 1)), 0, -1):
            tail = texts[-count:]
            first_block, first_text = tail[0]
            first = first_text.split("\n")[0]
            roles = [line for _, t in tail for line in t.split("\n")][1:]
            if len(first) > 80 or len(roles) > 2:
                continue
            if any(len(r) > 80 or r.endswith((".", "!", "?", ":")) for r in roles):
                continue
            prefixed = bool(rules.name_prefix.match(first))
            name = split_name_role(rules.name_prefix.sub("", first))[0]
            if name_like(name) and (prefixed or bold_line(first_block)):
                return [b for b, _ in tail]
        return []

    def _block_text(self: _Page, block: etree._Element) -> str:
        """``_raw_text(block)`` of a content block, read once (the signature, the body and
        the authors read the trailing blocks; the content node is not changed)."""
        raw = self._raw_text_cache.get(block)
        if raw is None:
            raw = self._raw_text_cache[block] = _raw_text(block)
        return raw

    def _image_blocks(self: _Page, node: etree._Element) -> list[etree._Element]:
        """The image blocks (image + caption) under ``node``."""
        cached = self._image_block_cache.get(id(node))
        if cached is not None and cached[0] is node:
            return cached[1]
        out: list[etree._Element] = []
        for css in self.profile.article.image_block or ("figure",):
            out.extend(select(node, css, self._names))
        self._image_block_cache[id(node)] = (node, out)
        return out

    def _in_image_block(self: _Page, el: etree._Element, node: etree._Element) -> bool:
        """Whether ``el`` is an image block of ``node`` or inside one."""
        cached = self._inside_image_cache.get(id(node))
        if cached is None or cached[0] is not node:
            inside = {d for block in self._image_blocks(node) for d in block.iter()}
            cached = self._inside_image_cache[id(node)] = (node, inside)
        return el in cached[1]

    @page_property
    def body_paragraphs(self: _Page) -> list[str]:
        """Body paragraphs (lead excluded): no captions, signature, attachments, related."""
        node = self._content_node
        if node is None:
            return []
        skip = set(self._signature_nodes)
        if self._content_source != "profile" or self.profile.article.body_lines == "lines":
            return self._ladder_paragraphs(node, skip)
        paragraphs: list[str] = []
        blocks = self._content_blocks
        if not blocks:
            return [line for line in clean_block(_raw_text(node)).split("\n") if line]
        for block in blocks:
            if block in skip or self._in_image_block(block, node):
                continue
            text = clean_block(self._block_text(block))
            if text:
                paragraphs.extend(text.split("\n"))
        return paragraphs

    def _ladder_paragraphs(
        self: _Page, node: etree._Element, skip: set[etree._Element]
    ) -> list[str]:
        """The lines of a body the ladder found (any block or ``<br>`` ends one, text
        outside blocks included), without the signature and the image blocks."""
        out: list[str] = []
        for line in text_lines(node):
            el = line.element
            if self._in_image_block(el, node):
                continue
            if el in skip or any(a in skip for a in el.iterancestors()):
                continue
            out.append(line.text)
        return out

    @page_property
    def article_body(self: _Page) -> str:
        body = self.body_paragraphs
        first = body[: len(self._lead)]
        lead = [line for line in self._lead if line not in first]  # (printed twice)
        return "\n".join([*lead, *body])
