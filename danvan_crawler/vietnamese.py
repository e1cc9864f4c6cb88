"""Vietnamese tone-mark placement, folded for keys and comparison.

Vietnamese writes a syllable's tone mark on one vowel of its nucleus, and two
conventions disagree on which one for open syllables ending in ``oa``, ``oe`` and
``uy``: the old style writes ``hóa``, ``khỏe``, ``thủy``, the new style ``hoá``,
``khoẻ``, ``thuỷ``. Both are correct NFC text and a reader sees one word; ``==``
does not. The portal mixes both, even inside one article.

:func:`tone_normalize` removes each syllable's tone mark and puts it back on the
vowel chosen by one rule (below), so that every placement of the same syllable gives
the same string. It works by rule on the syllable's structure, not from a word list:

1. split the syllable into onset consonants (``qu`` and ``gi`` before another vowel
   count as onset), vowel nucleus and final consonants;
2. a vowel carrying a quality mark (``ă â ê ô ơ ư``) takes the tone; in ``ươ``
   the ``ơ``;
3. else a single vowel takes it;
4. else, when final consonants follow, the last vowel of the nucleus;
5. else (open syllable) three vowels: the middle one; two vowels: the second for
   ``oa``, ``oe``, ``uy`` (the "new" style), the first otherwise.

Syllables that are not Vietnamese (no tone mark, two tone marks, no vowel, Latin
words) are left exactly as they are. Display text keeps what was printed; use these
functions only for keys and comparisons. :func:`fold_key` adds case folding and
whitespace collapsing: the key to compare or index text by.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

logger = logging.getLogger(__name__)

__all__ = [
    "TONE_MARKS",
    "fold_chunk",
    "fold_key",
    "search_fold",
    "strip_tone_marks",
    "tone_normalize",
]

#: The five combining tone marks: grave, acute, tilde, hook above, dot below.
TONE_MARKS: frozenset[str] = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: Vowel quality marks (circumflex, breve, horn): part of the letter, not the tone.
_QUALITY_MARKS = frozenset("\u0302\u0306\u031b")
_VOWELS = frozenset("aeiouy")
_OPEN_SECOND = frozenset({"oa", "oe", "uy"})

# A word: letters with their combining marks (run on NFD text).
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*")
_WORD_SPLIT_RE = re.compile(f"({_WORD_RE.pattern})")


def _letters(word_nfd: str) -> list[list[str]]:
    """Split an NFD word into letters, each [base, *combining marks]."""
    letters: list[list[str]] = []
    for ch in word_nfd:
        if unicodedata.combining(ch) and letters:
            letters[-1].append(ch)
        else:
            letters.append([ch])
    return letters


def _tone_position(bases: list[str], quality: list[bool]) -> int | None:
    """Index of the letter that carries the tone, or None when not a syllable."""
    n = len(bases)
    i = 0
    # Onset: leading consonants (đ is a consonant too).
    while i < n and bases[i] not in _VOWELS:
        i += 1
    if i == n:
        return None
    onset = "".join(bases[:i])
    # "qu" + vowel and "gi" + vowel: the u / i belongs to the onset.
    if (onset == "q" and bases[i] == "u" and i + 1 < n and bases[i + 1] in _VOWELS) or (
        onset == "g" and bases[i] == "i" and i + 1 < n and bases[i + 1] in _VOWELS
    ):
        i += 1
    start = i
    while i < n and bases[i] in _VOWELS:
        i += 1
    end = i
    coda = "".join(bases[end:])
    if any(b in _VOWELS for b in bases[end:]):
        return None  # vowel after a consonant inside one word: not one syllable
    if coda not in {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"}:
        return None
    nucleus = list(range(start, end))
    if len(nucleus) > 3:
        return None
    marked = [k for k in nucleus if quality[k]]
    if marked:
        return marked[-1]
    if len(nucleus) == 1:
        return nucleus[0]
    if coda:
        return nucleus[-1]
    if len(nucleus) == 3:
        return nucleus[1]
    pair = bases[nucleus[0]] + bases[nucleus[1]]
    return nucleus[1] if pair in _OPEN_SECOND else nucleus[0]


@lru_cache(maxsize=16384)
def _normalize_nfd_word(word: str) -> str:
    """One NFD word with its tone mark moved by the rule (cached: the vocabulary is small)."""
    letters = _letters(word)
    tones = [(k, m) for k, letter in enumerate(letters) for m in letter[1:] if m in TONE_MARKS]
    if len(tones) != 1:
        return word
    bases = [letter[0].lower() for letter in letters]
    quality = [any(m in _QUALITY_MARKS for m in letter[1:]) for letter in letters]
    target = _tone_position(bases, quality)
    if target is None or target == tones[0][0]:
        return word
    tone = tones[0][1]
    source = letters[tones[0][0]]
    source.remove(tone)
    letters[target].append(tone)
    return "".join("".join(letter) for letter in letters)


def tone_normalize(text: str) -> str:
    """``text`` in NFC with every syllable's tone mark on the vowel the rule picks.

    >>> tone_normalize("hóa") == tone_normalize("hoá")
    True
    >>> tone_normalize("Thủy") == tone_normalize("Thuỷ")
    True
    """
    nfd = unicodedata.normalize("NFD", text)
    # split on the words (kept, at odd indices) rather than ``sub`` with a callback per
    # word: the same result, the per-word work being one cached call
    parts = _WORD_SPLIT_RE.split(nfd)
    parts[1::2] = map(_normalize_nfd_word, parts[1::2])
    return unicodedata.normalize("NFC", "".join(parts))


def strip_tone_marks(text: str) -> str:
    """``text`` in NFC without tone marks (quality marks and ``đ`` kept)."""
    nfd = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in nfd if ch not in TONE_MARKS))


_SPACE_RE = re.compile(r"\s+")


def fold_key(text: str) -> str:
    """Comparison key: NFC, tone placement normalized, case-folded, spaces collapsed.

    Computed chunk by chunk between whitespace runs (each chunk's key cached): no step
    crosses whitespace (the words of :func:`tone_normalize` hold none, NFC/NFD never
    compose or reorder across a whitespace character, case folding maps characters one by
    one and never yields whitespace), so the key of the text is the keys of its chunks
    joined with one space, the same string as the whole-text computation."""
    return " ".join(map(_fold_chunk, text.split()))


def _fold_text(text: str) -> str:
    """:func:`fold_key` computed over the whole text at once (the reference definition)."""
    folded = tone_normalize(text).casefold()
    return unicodedata.normalize("NFC", _SPACE_RE.sub(" ", folded).strip())


def fold_chunk(chunk: str) -> str:
    """:func:`fold_key` of one chunk without whitespace (not cached: for callers that
    cache what they derive from it)."""
    if chunk.isascii():
        return chunk.casefold()  # no tone marks, nothing to normalize
    return _fold_text(chunk)


#: :func:`fold_chunk`, cached (the vocabulary is small).
_fold_chunk = lru_cache(maxsize=16384)(fold_chunk)


def _search_table() -> dict[int, str]:
    """``str.translate`` table of :func:`search_fold`: every Latin letter with marks to
    its lowercase ASCII base letter (``Ệ`` -> ``e``), ``đ``/``Đ`` to ``d``, and every other
    letter whose lowercase is one letter to it. Letters only, one character for one: a
    letter stays a letter, so text and its fold split into the same words."""
    table: dict[int, str] = {}
    for code in range(0x10000):
        char = chr(code)
        if not unicodedata.category(char).startswith("L"):
            continue
        bases = [c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)]
        if len(bases) == 1 and bases[0].isascii() and bases[0].isalpha():
            folded = bases[0].lower()
        else:
            folded = char.lower()
            if len(folded) != 1 or not unicodedata.category(folded).startswith("L"):
                continue
        if folded != char:
            table[code] = folded
    table[ord("đ")] = table[ord("Đ")] = "d"
    return table


_SEARCH_TABLE: dict[int, str] | None = None
_SEARCH_SOURCES: dict[str, str] | None = None


def search_fold_sources() -> dict[str, str]:
    """The inverse of :func:`search_fold`'s table: a folded letter -> every other letter
    folding to it (``"a"`` -> ``"AÀÁ…àá…"``): a pattern of these classes finds a folded
    word in the printed text without folding it."""
    global _SEARCH_TABLE, _SEARCH_SOURCES
    if _SEARCH_SOURCES is None:
        if _SEARCH_TABLE is None:
            _SEARCH_TABLE = _search_table()
        sources: dict[str, list[str]] = {}
        for code, folded in _SEARCH_TABLE.items():
            sources.setdefault(folded, []).append(chr(code))
        _SEARCH_SOURCES = {k: "".join(v) for k, v in sources.items()}
    return _SEARCH_SOURCES


def search_fold(text: str) -> str:
    """The key text is searched and filtered by: NFC, every mark removed (tone and
    quality marks alike, so old and new tone placement fold together), ``đ`` -> ``d``,
    lowercase. ``"Dân vận khéo"``, ``"DÂN VẬN KHÉO"`` and ``"dan van kheo"`` give one
    string; so do ``"Tỉnh uỷ"``, ``"Tỉnh ủy"`` and ``"tinh uy"``.

    One character for one (NFC text in, same length out) and a letter for a letter: the
    words of the fold are the words of the text at the same places, which lets a search
    index built on folds highlight the text as printed (:mod:`danvan_crawler.store.search`)."""
    global _SEARCH_TABLE
    if _SEARCH_TABLE is None:  # built on first use (~30 ms), not at import
        _SEARCH_TABLE = _search_table()
    return unicodedata.normalize("NFC", text).translate(_SEARCH_TABLE)
