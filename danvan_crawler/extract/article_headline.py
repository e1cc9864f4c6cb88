"""The headline, the description and the lead of an article page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import etree

from danvan_crawler.dates import find_date
from danvan_crawler.extract.article_tree import _string_value
from danvan_crawler.extract.common import json_ld_value, meta, node_text, page_property
from danvan_crawler.extract.ladder import title_keys
from danvan_crawler.extract.ladder_headline import headline_element, lead_like, prominent_heading
from danvan_crawler.extract.ladder_lines import in_link_list
from danvan_crawler.extract.ladder_signature import date_line
from danvan_crawler.extract.selectors import first_match, select
from danvan_crawler.text import clean_text

if TYPE_CHECKING:
    from danvan_crawler.extract.article_page import _Page


class _HeadlineFields:
    """ArticlePage's headline, description and lead."""

    @page_property
    def _headline_match(self: _Page) -> Any:
        """What the profile's headline selectors find (an element or a string), or None."""
        found = first_match(self.root, self.profile.article.headline, self._names, self._scope)
        return found[0] if found else None

    @page_property
    def _title_headline(self: _Page) -> etree._Element | None:
        """The element whose text is the page's title (``og:title``, JSON-LD headline,
        ``<title>``, whole or without the site's name), whatever its tag."""
        keys = title_keys(
            [
                meta(self.root, "og:title"),
                meta(self.root, "twitter:title"),
                _string_value(json_ld_value(self._json_ld, "headline")),
                self._title_raw(),
            ],
            self.profile.article.title_suffix,
            [meta(self.root, "og:site_name"), urlsplit(self.response_url).hostname],
        )
        return headline_element(self.root, keys)

    @page_property
    def _ladder_headline(self: _Page) -> tuple[etree._Element, str] | None:
        """The ladder's headline element and the rule that found it: the element whose
        text is the page's title ("title-match"), else the most prominent heading before
        the body ("heading")."""
        el = self._title_headline
        if el is not None:
            return el, "title-match"
        el = prominent_heading(self.root, self._body_element)
        if el is not None:
            return el, "heading"
        return None

    @page_property
    def _headline_element(self: _Page) -> etree._Element | None:
        """The headline's element in :attr:`root` (the profile's, else the ladder's)."""
        match = self._headline_match
        if isinstance(match, etree._Element) and node_text(match):
            return match
        found = self._ladder_headline
        return found[0] if found else None

    @page_property
    def headline(self: _Page) -> str | None:
        found = self._headline_match
        if found is not None and node_text(found):
            return node_text(found)
        ladder_found = self._ladder_headline
        if ladder_found is not None and node_text(ladder_found[0]):
            self._fallback("headline", ladder_found[1])
            return node_text(ladder_found[0])
        h1 = select(self.root, "h1")
        for source, value in (
            ("og:title", meta(self.root, "og:title")),
            ("json-ld", json_ld_value(self._json_ld, "headline")),
            ("title", self._title_text()),
            ("h1", node_text(h1[0]) if h1 else None),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("headline", source)
                return clean_text(value)
        return None

    @page_property
    def _description_element(self: _Page) -> etree._Element | None:
        """The lead's element in :attr:`root`: the profile's, else the first match of the
        generic class names that reads as a lead (:func:`lead_like`), or None."""
        found = first_match(self.root, self.profile.article.description, self._names, self._scope)
        if found:
            return found[0] if isinstance(found[0], etree._Element) else None
        for css in self.profile.fallback.description:
            for el in select(self.root, css, self._names):
                if isinstance(el, etree._Element) and lead_like(el):
                    return el
        return None

    @page_property
    def description(self: _Page) -> str | None:
        found = first_match(self.root, self.profile.article.description, self._names, self._scope)
        if found:
            return node_text(found[0]) or None
        generic = self._description_element
        for source, value in (
            ("class", node_text(generic) if generic is not None else None),
            ("region-text", " ".join(self._region_lead)),
            ("og:description", meta(self.root, "og:description")),
            ("meta:description", meta(self.root, "description")),
            ("json-ld", json_ld_value(self._json_ld, "description")),
        ):
            if isinstance(value, str) and clean_text(value):
                self._fallback("description", source)
                return clean_text(value)
        return None

    @page_property
    def _lead(self: _Page) -> list[str]:
        """The lead's paragraphs when the page prints them (found by a selector or between
        the headline and the body, not read from metadata): the body's first ones."""
        description = self.description
        source = self.fallbacks.get("description")
        if description and source in (None, "class"):
            return [description]
        if source == "region-text":
            return list(self._region_lead)
        return []

    @page_property
    def _region_lead(self: _Page) -> list[str]:
        """Prose printed between the headline and the body (a standfirst in a block of its
        own): the lines there of 40 characters or more that are not dates, bylines or
        links (at most three)."""
        region, headline = self._region, self._headline_element
        if region is None or headline is None or self._body_element is None:
            return []
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        prefix = self.profile.signature.name_prefix
        out: list[str] = []
        # (a block starting "Tác giả: Name": its next lines are the author's role)
        bylines = {id(x.element) for x in self._region_lines if prefix.match(x.text)}
        for line in self._region_lines:
            if line.where != "after":
                continue
            text = line.text
            if len(text) < 40 or line.links * 4 > len(text) or prefix.match(text):
                continue
            if id(line.element) in bylines:
                continue
            if in_link_list(line.element, region):
                continue
            found = find_date(text, patterns, tz)
            if found is not None and date_line(text, found[1]):
                continue
            out.append(text)
        return out[:3]
