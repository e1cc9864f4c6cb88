"""The generic ladder's date lines and signature.

- :func:`date_line`: whether a line is a printed date (a date and a few label words), not
  a sentence that mentions one.
- :func:`signature_lines`: the author's signature at the end of the body (bold or
  right-aligned short lines; "Name - Role" or the role on the next line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from danvan_crawler.extract.ladder import _WORD_RE, SKIP_TAGS, _tag, _words, text_nodes
from danvan_crawler.extract.ladder_body import _size
from danvan_crawler.extract.ladder_lines import Line
from danvan_crawler.text import clean_text

__all__ = [
    "bold_line",
    "date_line",
    "leading_bold",
    "name_like",
    "signature_lines",
    "split_name_role",
    "text_before",
    "text_size",
]


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
