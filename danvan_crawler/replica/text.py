"""Text helpers of the replica: cleaning as DESIGN.md defines it, slugs, awkward variants.

Pure functions; the replica's ground truth uses :func:`clean` on its own data (never on
its own HTML).
"""

from __future__ import annotations

import random
import re
import unicodedata

NBSP = "\u00a0"
ZWSP = "\u200b"
BOM = "\ufeff"

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WS_RE = re.compile(r"[\s\u00a0]+")


def clean(text: str) -> str:
    """NFC, zero-width/control characters removed, whitespace runs (NBSP too) -> one space."""
    text = unicodedata.normalize("NFC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    return _WS_RE.sub(" ", text).strip()


_COMBINING_RE = re.compile("[\u0300-\u036f]")
_NON_SLUG_RE = re.compile("[^a-z0-9\u201c\u201d\ufffd]+")


def fold(text: str) -> str:
    """Accent-fold Vietnamese text to ASCII (đ -> d), keeping other characters."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return _COMBINING_RE.sub("", unicodedata.normalize("NFD", text))


#: Punctuation the CMS keeps (percent-encoded) in slugs.
_KEPT = {"\u201c": "%E2%80%9C", "\u201d": "%E2%80%9D", "\ufffd": "%EF%BF%BD"}


def slugify(title: str, *, keep_quotes: bool = False, mojibake_at: int | None = None) -> str:
    """Lower-case accent-folded slug, percent-encoded upper-case.

    ``keep_quotes`` keeps curly quotes (as ``%E2%80%9C``/``%E2%80%9D``); ``mojibake_at``
    replaces the n-th non-ASCII letter of the title by U+FFFD (as the CMS does).
    """
    text = unicodedata.normalize("NFC", title)
    if mojibake_at is not None:
        seen = 0
        for i, ch in enumerate(text):
            if ord(ch) > 127 and ch.isalpha():
                if seen == mojibake_at:
                    text = text[:i] + "\ufffd" + text[i + 1 :]
                    break
                seen += 1
    if not keep_quotes:
        text = text.replace("\u201c", " ").replace("\u201d", " ")
    slug = _NON_SLUG_RE.sub("-", fold(text).lower()).strip("-")
    for ch, escaped in _KEPT.items():
        slug = slug.replace(ch, escaped)
    return slug


def lower_percent(path: str) -> str:
    """The same path with lower-case percent-encoding hex digits."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path)


def raw_quotes(path: str) -> str:
    """The same path with curly quotes written raw (unencoded), as some links carry them."""
    return path.replace("%E2%80%9C", "\u201c").replace("%E2%80%9D", "\u201d")


# Tone-mark placement: new style (first) and old style (second).
_TONE_PAIRS: tuple[tuple[str, str], ...] = (
    ("hóa", "hoá"),
    ("hòa", "hoà"),
    ("ủy", "uỷ"),
    ("thủy", "thuỷ"),
    ("khỏe", "khoẻ"),
    ("xóa", "xoá"),
    ("tòa", "toà"),
    ("lũy", "luỹ"),
    ("họa", "hoạ"),
    ("thỏa", "thoả"),
)
_TONE_MAP: dict[str, str] = {}
for _new, _old in _TONE_PAIRS:
    _TONE_MAP[_new] = _old
    _TONE_MAP[_new.capitalize()] = _old.capitalize()
_PUNCT = ",.;:!?()“”\"'"


def mix_tones(text: str, rng: random.Random, p: float) -> str:
    """Rewrite each new-style word (hóa, ủy...) in the old style with probability ``p``."""
    if p <= 0:
        return text
    words = text.split(" ")
    changed = False
    for i, word in enumerate(words):
        core = word.strip(_PUNCT)
        old = _TONE_MAP.get(core)
        if old is not None and rng.random() < p:
            words[i] = word.replace(core, old, 1)
            changed = True
    return " ".join(words) if changed else text


def roughen(text: str, rng: random.Random, *, nbsp: float, zw: float) -> str:
    """Replace some spaces by NBSP (or a double space) and put zero-width spaces after some.

    A zero-width character is only ever put next to a space, so removing it (as DESIGN
    says) or treating it as a space gives the same cleaned text.
    """
    if nbsp <= 0 and zw <= 0:
        return text
    parts = text.split(" ")
    n = len(parts) - 1
    if n <= 0:
        return text
    k = min(n, int(n * (nbsp + zw) + rng.random()))
    if not k:
        return text
    seps = [" "] * n
    share = nbsp / (nbsp + zw)
    for pos in rng.sample(range(n), k):
        if rng.random() < share:
            seps[pos] = NBSP if rng.random() < 0.7 else " " + NBSP
        else:
            seps[pos] = " " + (ZWSP if rng.random() < 0.8 else BOM)
    out = [parts[0]]
    for sep, part in zip(seps, parts[1:], strict=True):
        out.append(sep)
        out.append(part)
    return "".join(out)
