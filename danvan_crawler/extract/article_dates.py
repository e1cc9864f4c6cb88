"""The publication and modification dates of an article page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from lxml import etree

from danvan_crawler.dates import ParsedDate, find_date, parse_date
from danvan_crawler.extract.article_tree import (
    _COMMENT_WORDS,
    _SENTENCE_RE,
    _YEAR_RE,
    _common_ancestor,
    _is_under,
)
from danvan_crawler.extract.common import json_ld_value, meta, node_text, page_property
from danvan_crawler.extract.external import htmldate_day
from danvan_crawler.extract.ladder_body import subtree_stats
from danvan_crawler.extract.ladder_lines import (
    Line,
    in_link_list,
    in_list_of_links,
    region_lines,
    text_lines,
)
from danvan_crawler.extract.ladder_signature import date_line
from danvan_crawler.extract.selectors import first_match, select
from danvan_crawler.text import clean_text

if TYPE_CHECKING:
    from danvan_crawler.extract.article_page import _Page


#: How many levels above the article region dates are looked for when it holds none.
WIDEN = 2


#: list markup whose items, nearly all dated, are other things' dates (see _in_dated_list)
_DATED_LIST_TAGS = frozenset(["ul", "ol", "tbody", "table", "dl"])


#: Separators trimmed from a date line's part before the modified marker.
_SEGMENT_TRIM = " |-–—·•,;/"


#: The earliest publication year a date printed on a page is taken for (older: a
#: misreading, "18.10.19" + "21:44" read as 18/10/1921).
EARLIEST_YEAR = 1990


def _plausible(value: datetime) -> bool:
    """Whether a date read from a page's text can be a publication date: from
    :data:`EARLIEST_YEAR` to a day from now."""
    now = datetime.now(tz=value.tzinfo)
    return value.year >= EARLIEST_YEAR and value <= now + timedelta(days=1)


_PERIOD_RE = re.compile(r"\s*(?:[-–—~]|đến|tới|to|until|bis|au)\s*", re.IGNORECASE)


def _period(text: str, end: int, patterns: Sequence[re.Pattern[str]], tz: str) -> bool:
    """Whether the date ending at ``end`` in ``text`` starts a period ("21/10/2019 -
    27/10/2019", "từ 21/10/2019 đến 27/10/2019"): another date right after a dash or "đến"."""
    joint = _PERIOD_RE.match(text, end)
    if joint is None:
        return False
    found = find_date(text[joint.end() :], patterns, tz)
    return found is not None and found[1][0] == 0


#: The longest text a selector's match other than the first is read as a date line from.
MAX_DATE_LINE = 80


def selected_date(
    found: Sequence[Any],
    patterns: Sequence[re.Pattern[str]],
    tz: str,
    marker: re.Pattern[str] | None,
) -> tuple[int, ParsedDate] | None:
    """The date a date selector's matches ``found`` print, and the index of the match
    giving it: the first match when it reads as a date ``marker`` (the modified date's
    label) does not mark; else the first later date line it does not mark (a selector
    naming the blocks after the body, the date line among them, finds the date whatever
    blocks come and go before it: a byline, a modified date); else the first match's."""
    first = parse_date(node_text(found[0]), patterns, tz) if found else None
    if first is not None and (marker is None or not marker.search(node_text(found[0]))):
        return 0, first
    if marker is not None:
        for k, el in enumerate(found[1:], 1):
            if not isinstance(el, etree._Element):
                continue
            text = node_text(el)
            if not text or len(text) > MAX_DATE_LINE or marker.search(text):
                continue
            hit = find_date(text, patterns, tz)
            if hit is not None and date_line(text, hit[1]):
                return k, hit[0]
    return (0, first) if first is not None else None


class _DateFields:
    """ArticlePage's dates."""

    @page_property
    def dates(self: _Page) -> tuple[ParsedDate | None, ParsedDate | None]:
        """(published, modified)."""
        published = self._date("datePublished", self.profile.article.date_published)
        # the profile's selectors found the date block: no modified date in it is none
        # printed, not one to look for elsewhere
        covered = (
            published is not None and "datePublished" not in self.fallbacks
        ) or not self.profile.article.date_on_page
        modified = self._date("dateModified", self.profile.article.date_modified, covered)
        return published, modified

    def _date(
        self: _Page, field_name: str, selectors: tuple[str, ...], covered: bool = False
    ) -> ParsedDate | None:
        """The date ladder: the profile's selectors, the page's markup (meta, JSON-LD,
        ``<time>``), the date lines of the article region (unless ``covered``: the
        profile found the page's dates), then (published date) htmldate."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        found = first_match(self.root, selectors, self._names, self._scope)
        if found:
            marker = (
                self.profile.fallback.modified_marker if field_name == "datePublished" else None
            )
            picked = selected_date(found, patterns, tz, marker)
            if picked:
                return picked[1]
        published = field_name == "datePublished"
        if published and not self.profile.article.date_on_page:
            return None  # nothing on the page to guess from: the listing's date is taken
        candidates = [
            ("meta", meta(self.root, f"article:{'published' if published else 'modified'}_time")),
            ("json-ld", json_ld_value(self._json_ld, field_name)),
        ]
        if published:
            datetimes = select(self.root, "time::attr(datetime)")
            candidates.append(("time", datetimes[0] if datetimes else None))
            times = select(self.root, "time")
            candidates.append(("time-text", node_text(times[0]) if times else None))
        read: list[tuple[str, ParsedDate]] = []
        for source, value in candidates:
            if isinstance(value, str) and value.strip():
                parsed = parse_date(value, patterns, tz)
                if parsed:
                    read.append((source, parsed))
        if read:
            source, parsed = read[0]
            if published and len({p.value.date() for _, p in read}) > 1:
                # the page's markup contradicts itself: an outside reader decides
                day = htmldate_day(self.html)
                source, parsed = next(
                    ((s, p) for s, p in read if p.value.date().isoformat() == day), read[0]
                )
            self._fallback(field_name, source)
            return parsed
        if covered:
            return None
        region = self._region_dates[0 if published else 1]
        if region is not None:
            self._fallback(field_name, "region-text")
            return region[0]
        if not published:
            return None
        day = htmldate_day(self.html)
        if day:
            try:
                value = datetime.fromisoformat(day[:10]).replace(tzinfo=ZoneInfo(tz))
            except ValueError:
                return None
            # another article's date, the page printing none of its own: told only in the
            # profile's language, whose printed forms the patterns read
            language = self.in_language == self.profile.language
            if language and self._printed_only_in_link_lists(value.date()):
                return None
            self._fallback(field_name, "htmldate")
            return ParsedDate(value, day)
        return None

    def _printed_only_in_link_lists(self: _Page, day: date) -> bool:
        """Whether ``day`` is printed on the page, and only in lists of links (a "latest
        news" column dates other articles) or outside the article (its region widened as
        for the date lines: today's date in the page's header): htmldate, which reads the
        whole page, found another date than the article's. (A date that is a link, the
        permalink's, is the page's.)"""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        body = self.root.find("body")
        if body is None:
            return False
        year = str(day.year)
        seen = False
        # the article: its region, widened as the date lines are looked for
        scope = self._region
        for _ in range(WIDEN):
            if scope is None or scope.getparent() is None or scope.getparent().tag == "body":
                break
            scope = scope.getparent()
        if scope is not None and scope.tag in ("body", "html"):
            scope = None
        stats = subtree_stats(body, prune_chrome=False)
        for line in text_lines(body):
            if year not in line.text:
                continue
            found = find_date(line.text, patterns, tz)
            if found is None or found[0].value.date() != day:
                continue
            if in_list_of_links(line.element, body, stats) or (
                scope is not None
                and line.element is not scope
                and not _is_under(line.element, scope)
            ):
                seen = True
                continue
            return False
        return seen

    @page_property
    def _region(self: _Page) -> etree._Element | None:
        """The article region: the smallest element holding the headline and the body
        (or, missing one, the other's parent)."""
        headline, body = self._headline_element, self._body_element
        if headline is not None and body is not None:
            return _common_ancestor(headline, body)
        node = body if body is not None else headline
        if node is None:
            return None
        parent = node.getparent()
        return parent if parent is not None else node

    @page_property
    def _region_lines(self: _Page) -> list[Line]:
        """The article region's lines where dates, lead and byline are looked for
        (:func:`region_lines`)."""
        region = self._region
        if region is None:
            return []
        limit = self.profile.fallback.date_search_nodes
        return region_lines(region, self._headline_element, self._body_parts, limit)

    @page_property
    def _region_dates(
        self: _Page,
    ) -> tuple[tuple[ParsedDate, Line] | None, tuple[ParsedDate, Line] | None]:
        """(published, modified) dates printed in the article region, each with its line:
        the first date lines (:func:`date_line`) nearest the headline, outside
        links and lists of links. A line with the modified marker ("Cập nhật") before its
        date gives the modified date; with no other date, the published one. None in the
        region: its parent's lines, then its grandparent's (a date line above the block
        holding headline and body)."""
        region: Any = self._region
        for _ in range(1 + WIDEN):
            if region is None or region.tag in ("body", "html"):
                break
            if region is self._region:
                lines = self._region_lines
            else:
                limit = self.profile.fallback.date_search_nodes
                lines = region_lines(region, self._headline_element, self._body_parts, limit)
            found = self._dates_in(region, lines)
            if found != (None, None):
                return found
            region = region.getparent()
        return None, None

    def _in_dated_list(self: _Page, el: etree._Element, region: etree._Element, line: str) -> bool:
        """Whether ``el`` is an item of a list (``ul``, ``ol``, table rows) below ``region``
        of three items or more, nearly all printing a date: comments, a schedule, dated
        headlines without links; or a list item holding a sentence besides the date line
        (a comment: its author, its date, what it says). None of them dates the article."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        for node in (el, *el.iterancestors()):
            if node is region:
                return False
            if node.tag == "li":
                rest = clean_text(" ".join(node.itertext())).replace(line, " ")
                if any(len(s.split()) >= _COMMENT_WORDS for s in _SENTENCE_RE.findall(rest)):
                    return True
            if node.tag not in _DATED_LIST_TAGS:
                continue
            items = [c for c in node if isinstance(c.tag, str)]
            if len(items) < 3:
                continue
            dated = 0
            for item in items:
                text = " ".join(item.itertext())
                if _YEAR_RE.search(text) and find_date(text, patterns, tz) is not None:
                    dated += 1
            if dated * 3 >= len(items) * 2:
                return True
        return False

    def _dates_in(
        self: _Page, region: etree._Element, lines: list[Line]
    ) -> tuple[tuple[ParsedDate, Line] | None, tuple[ParsedDate, Line] | None]:
        """:attr:`_region_dates` in one region's ``lines``."""
        patterns, tz = self.profile.date_patterns, self.profile.timezone
        marker = self.profile.fallback.modified_marker
        rank = {"after": 0, "before": 1, "body": 2, "end": 3}
        plain: tuple[ParsedDate, Line] | None = None
        marked: tuple[ParsedDate, Line] | None = None
        for line in lines:
            if line.links * 2 > len(line.text):
                continue
            if not _YEAR_RE.search(line.text) or find_date(line.text, patterns, tz) is None:
                continue  # (most lines: the costlier test below is left for date lines)
            if in_link_list(line.element, region) or self._in_dated_list(
                line.element, region, line.text
            ):
                continue
            # "17-06-2019 Cập nhật lúc 04:01 ngày 23/06/2019": published before the marker
            label = marker.search(line.text)
            segments = [(line.text, False)]
            if label is not None:
                head = line.text[: label.start()].strip(_SEGMENT_TRIM)
                segments = [(head, False)] if head else []
                rest = line.text[label.start() :]
                # "Sửa lần cuối: 27/06/2023 02:27 Thứ Bảy, 24/06/2023, 12:41": the
                # label's date, then the published one after it
                own = find_date(rest, patterns, tz)
                end = own[1][1] if own else len(rest)
                tail = rest[end:].strip(_SEGMENT_TRIM)
                segments.append((rest[:end], True))
                if tail:
                    segments.append((tail, False))
            for segment, modified in segments:
                found = find_date(segment, patterns, tz)
                if found is None or not date_line(segment, found[1]):
                    continue
                if not _plausible(found[0].value):
                    continue
                if _period(segment, found[1][1], patterns, tz):
                    continue  # "từ 21/10/2019 đến 27/10/2019": an event's, not the article's
                if modified:
                    marked = marked or (found[0], line)
                else:
                    plain = plain or (found[0], line)
            if plain and marked:
                break
        if plain is not None and (marked is None or rank[plain[1].where] <= rank[marked[1].where]):
            return plain, marked
        return marked, None
