"""Pure text normalization for Vietnamese portal text.

Every text field of the output goes through :func:`clean_text` (one line) or
:func:`clean_block` (paragraphs kept, one per line): Unicode NFC, zero-width and control
characters removed, NBSP and whitespace runs collapsed to one space, trimmed. Tone-mark
placement (``hoá``/``hóa``) is kept as printed; :func:`tone_key` gives a comparison key
under which both placements are equal.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["clean_block", "clean_text", "strip_invisible", "strip_invisible_spaced", "tone_key"]

#: Zero-width and invisible formatting characters dropped from text.
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e"
_ZERO_WIDTH_RE = re.compile(f"[{ZERO_WIDTH}]")
# C0/C1 controls except the whitespace ones (tab, LF, VT, FF, CR), handled as whitespace.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_INVISIBLE_RE = re.compile(f"[{ZERO_WIDTH}\x00-\x08\x0e-\x1f\x7f-\x9f]")
_HSPACE = r" \t\u00a0\u2000-\u200a\u2007\u202f\u205f\u3000\x0b\x0c\r"
_NEWLINES_RE = re.compile(r"[\n\u2028\u2029\x85]")
_SPACE_RUN_RE = re.compile(f"[{_HSPACE}\n\u2028\u2029\x85]{{2,}}|[{_HSPACE[1:]}\n\u2028\u2029\x85]")
# Anything :func:`clean_text` would change besides NFC and the final strip: an invisible or
# control character, a newline, a whitespace character other than " " (this class), or two
# spaces (``"  " in``: a class alone is scanned several times faster than an alternation).
# Text without any (most of it) skips the four substitutions, which would change nothing.
_SPECIAL_RE = re.compile(f"[{ZERO_WIDTH}\x00-\x08\x0e-\x1f\x7f-\x9f\n\u2028\u2029{_HSPACE[1:]}]")

#: Combining tone marks of Vietnamese (grave, acute, tilde, hook above, dot below).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def strip_invisible(value: str) -> str:
    """NFC-normalize and drop zero-width and control characters (whitespace is kept)."""
    value = unicodedata.normalize("NFC", value)
    # a printable text has no invisible character (see :func:`_plain`): str.isprintable
    # is a tighter loop than the regex, which still decides for the others
    if value.isprintable() or _INVISIBLE_RE.search(value) is None:
        return value
    return _INVISIBLE_RE.sub("", value)


def strip_invisible_spaced(value: str) -> str:
    """``strip_invisible(value)`` with its NBSPs, newlines, tabs and CRs replaced by
    spaces (deleting the invisible characters and replacing those, two disjoint sets,
    commute): the replaced text is checked with str.isprintable, and only a text that
    is not is searched for invisible characters."""
    value = _common_spaces(unicodedata.normalize("NFC", value))
    if value.isprintable() or _INVISIBLE_RE.search(value) is None:
        return value
    return _INVISIBLE_RE.sub("", value)


def clean_text(value: str | None) -> str:
    """One-line text: NFC, invisible characters removed, all whitespace runs -> one space."""
    if not value:
        return ""
    value = unicodedata.normalize("NFC", value)
    if value.isprintable():
        # nothing to drop or replace (see :func:`_plain`): only " " runs to collapse
        return _halve(value).strip()
    spaced = _common_spaces(value)
    if spaced.isprintable():
        # the other characters were NBSPs, newlines, tabs and CRs (the common ones): no
        # invisible character, no other whitespace of the class, and those are spaces now
        return _halve(spaced).strip()
    # invisible and control characters dropped (one class: the same as one class after
    # the other), then newlines and whitespace runs -> one space (one class: a newline
    # becoming a space inside a whitespace run is collapsed with it all the same)
    return _collapse_runs(_INVISIBLE_RE.sub("", value))


def clean_block(value: str | Iterable[str] | None) -> str:
    """Paragraph text: each paragraph cleaned like :func:`clean_text`, empty ones dropped,
    joined with ``\\n``. Accepts one string (paragraphs separated by newlines) or an
    iterable of paragraph strings."""
    if not value:
        return ""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value)
        found = _block_lines(value)
        if found is not None:
            return "\n".join(found)
        # invisible characters dropped, then each paragraph cleaned (NFC once more: what
        # the dropped characters kept apart may compose)
        value = _NEWLINES_RE.split(_INVISIBLE_RE.sub("", value))
    lines = (clean_text(part) for part in value)
    return "\n".join(line for line in lines if line)


def _block_lines(value: str) -> list[str] | None:
    """The non-empty lines of :func:`clean_block` of the NFC text ``value`` when it holds
    no invisible character (None otherwise). Then each paragraph is NFC too (split at
    newlines, which compose with nothing) and only needs its whitespace collapsed
    (:func:`_collapse_spaces`). Split at ``"\\n"`` first (a plain split), each line checked
    on its own: a printable line (``str.isprintable``, see :func:`_plain`) holds no
    invisible character and no other newline; another line without invisible characters
    is split at the other newlines. The same lines as ``_NEWLINES_RE.split`` of the whole
    text, each collapsed, without two regex scans of every character."""
    out: list[str] = []
    for line in value.split("\n"):
        if line.isprintable():
            line = line.strip() if "  " not in line else _collapse_runs(line)
            if line:
                out.append(line)
        elif (spaced := _common_spaces(line)).isprintable():
            # NBSPs, tabs and CRs only (no invisible character, no other newline)
            line = _halve(spaced).strip()
            if line:
                out.append(line)
        elif _INVISIBLE_RE.search(line) is None:
            for part in _NEWLINES_RE.split(line):
                part = _collapse_spaces(part)
                if part:
                    out.append(part)
        else:
            return None
    return out


def _collapse_spaces(value: str) -> str:
    """:func:`clean_text` of NFC text without invisible characters or newlines."""
    if "  " not in value and _plain(value):
        return value.strip()
    return _collapse_runs(value)


def _common_spaces(value: str) -> str:
    """``value`` with its NBSPs, newlines, tabs and CRs (the common characters of
    ``_SPACE_RUN_RE``'s class) replaced by spaces."""
    for char in _COMMON_SPACES:
        if char in value:
            value = value.replace(char, " ")
    return value


def _halve(value: str) -> str:
    """``value`` with its space runs halved until none is left (each becomes one space)."""
    while "  " in value:
        value = value.replace("  ", " ")
    return value


def _plain(value: str) -> bool:
    """``_SPECIAL_RE.search(value) is None``; a printable text (``str.isprintable``, a
    tighter loop than the regex) has none of its characters, all of them Unicode
    "Other" or "Separator" characters other than " "."""
    return value.isprintable() or _SPECIAL_RE.search(value) is None


def _collapse_runs(value: str) -> str:
    """``_SPACE_RUN_RE.sub(" ", value).strip()``: every whitespace character of the class
    replaced by a space, then space runs halved until none is left (a run of the class,
    whatever its characters, becomes one space all the same); about twice as cheap as
    the substitution (and as ``str.split``), which is tried at every character."""
    value = _common_spaces(value)
    if not value.isprintable():  # (a printable text has none of the others: see _plain)
        for char in _RARE_SPACES:
            if char in value:
                value = value.replace(char, " ")
    return _halve(value).strip()


#: the characters of ``_SPACE_RUN_RE``'s class other than " " (the common ones first)
_SPACE_CHARS = "\u00a0\n\t\r\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACE_CHARS += "\u202f\u205f\u3000\x0b\x0c\u2028\u2029\x85"
_COMMON_SPACES = _SPACE_CHARS[:4]
_RARE_SPACES = _SPACE_CHARS[4:]


def tone_key(value: str) -> str:
    """A comparison key equal for old and new tone-mark placement (``hoá`` == ``hóa``,
    ``uỷ`` == ``ủy``): in each word, tone marks are moved to the end of the word.
    Case and everything else are kept; the key is NFC."""
    out: list[str] = []
    for word in re.split(r"(\s+)", unicodedata.normalize("NFD", clean_text(value))):
        tones = [ch for ch in word if ch in TONE_MARKS]
        if tones:
            word = "".join(ch for ch in word if ch not in TONE_MARKS) + "".join(tones)
        out.append(word)
    return unicodedata.normalize("NFC", "".join(out))
