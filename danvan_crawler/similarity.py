"""Near-duplicate detection: re-published copies of an article under a new id.

Similarity is measured on *comparison text*: headline and body, NFC, tone placement
normalized and case-folded (:func:`danvan_crawler.vietnamese.fold_key`), split into
word tokens (punctuation dropped). Two texts are near duplicates when
:func:`similarity` (the difflib ratio over their token sequences: the share of tokens
the two have in common, in order) is at least the threshold (0.9 by default,
setting ``DANVAN_DUPLICATE_THRESHOLD``).

Comparing every pair does not scale, so candidates come from a MinHash sketch with
locality-sensitive banding: :func:`sketch` hashes each word-bigram shingle once
(``h1(first word) XOR h2(second word)``, :func:`shingle_hashes`; one-permutation
MinHash with densification, :data:`SKETCH_SIZE` bins) and
:func:`band_keys` cuts the sketch into :data:`BANDS` bands of :data:`ROWS` rows, each
hashed to a 63-bit integer. Texts sharing at least :data:`MIN_SHARED_BANDS` band keys
are candidates, and each candidate is verified exactly with :func:`similarity`. With
24 bands of 4 rows and 2 shared bands required, a pair with bigram Jaccard 0.6 is a
candidate with probability 0.84, at 0.7 with 0.99, at 0.8 with 0.99999, while
formulaic but different articles (Jaccard 0.3, common on the portal) are with 0.02;
a 0.9 token ratio gives a bigram Jaccard above 0.8 in practice. The store keeps the
band keys in an indexed table.
A look-up reads at most :data:`MAX_BAND_SHARERS` other texts a band key (the first by
id), so its cost does not grow with the number of articles: a key shared by more is a
formulaic passage (the replica's most common key is shared by 469 of 5 000 articles),
and a copy is still found through the bands it shares with its original alone (with a
bigram Jaccard of 0.8, 10 of the 24 on average) or through another member of a
family of copies read in the sample.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import operator
import re
import struct
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from danvan_crawler.vietnamese import fold_chunk, fold_key

logger = logging.getLogger(__name__)

__all__ = [
    "BANDS",
    "DEFAULT_MIN_TOKENS",
    "DEFAULT_THRESHOLD",
    "MAX_BAND_SHARERS",
    "MIN_ESTIMATED_JACCARD",
    "MIN_SHARED_BANDS",
    "ROWS",
    "SKETCH_SIZE",
    "band_keys",
    "comparison_tokens",
    "estimated_jaccard",
    "pack_sketch",
    "similarity",
    "sketch",
    "unpack_sketch",
]

BANDS = 24
ROWS = 4
SKETCH_SIZE = BANDS * ROWS
MIN_SHARED_BANDS = 2
#: Texts read a band key at most, besides the one looked up (the first by id).
MAX_BAND_SHARERS = 100
#: Candidates whose estimated bigram Jaccard is below this are not verified exactly
#: (a 0.9 token ratio means a Jaccard around 0.67 at worst: 3.5 standard errors above).
MIN_ESTIMATED_JACCARD = 0.5
DEFAULT_THRESHOLD = 0.9
#: Texts shorter than this (tokens) are not checked: short notices legitimately look alike.
DEFAULT_MIN_TOKENS = 20

_MASK64 = (1 << 64) - 1
_EMPTY = _MASK64
_TOKEN_RE = re.compile(r"\w+")


def comparison_tokens(texts: str | Iterable[str | None]) -> list[str]:
    """Word tokens of ``texts`` after tone and case folding.

    The same tokens as ``_TOKEN_RE.findall(fold_key(text))`` for each text (see
    :func:`_reference_tokens`), computed per whitespace-delimited chunk: ``fold_key``
    folds each chunk on its own and joins the results with a space, which no token
    crosses, so the tokens of a text are those of its chunks in order; a chunk's tokens
    are cached (the portal's vocabulary is small and words repeat).
    """
    if isinstance(texts, str):
        texts = [texts]
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens.extend(_text_tokens(text))
    return tokens


def _reference_tokens(texts: str | Iterable[str | None]) -> list[str]:
    """:func:`comparison_tokens` by its definition (whole texts folded, then split)."""
    if isinstance(texts, str):
        texts = [texts]
    tokens: list[str] = []
    for text in texts:
        if text:
            tokens.extend(_TOKEN_RE.findall(fold_key(text)))
    return tokens


#: Most chunks whose tokens are remembered (the cache is emptied when it grows past this).
CHUNK_CACHE_SIZE = 16384
_chunk_cache: dict[str, tuple[str, ...]] = {}


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """The tokens of one chunk without whitespace, interned (token lists of different
    texts share their strings)."""
    return tuple(map(sys.intern, _TOKEN_RE.findall(fold_chunk(chunk))))


def _text_tokens(text: str) -> list[str]:
    chunks = text.split()
    cache = _chunk_cache
    values = list(map(cache.get, chunks))
    try:
        return list(chain.from_iterable(values))  # type: ignore[arg-type]  # None: below
    except TypeError:  # a chunk missing from the cache (None is not iterable)
        pass
    _fill_misses(cache, CHUNK_CACHE_SIZE, chunks, values, _chunk_tokens)
    return list(chain.from_iterable(values))  # type: ignore[arg-type]


def _fill_misses(
    cache: dict[Any, Any],
    limit: int,
    keys: Sequence[Any],
    values: list[Any],
    compute: Callable[[Any], Any],
) -> None:
    """Fill the ``None`` entries of ``values`` (``cache``'s values of ``keys``, in
    order) with ``compute(key)``, remembered in ``cache``; a cache holding more than
    ``limit`` entries is emptied first (bounded without LRU bookkeeping)."""
    if len(cache) > limit:
        cache.clear()
    for i, value in enumerate(values):
        if value is None:
            key = keys[i]
            value = cache.get(key)
            if value is None:
                value = cache[key] = compute(key)
            values[i] = value


def article_tokens(article: Mapping[str, object]) -> list[str]:
    """Comparison tokens of an output-schema article: headline, then body."""
    parts = [article.get("headline"), article.get("articleBody")]
    return comparison_tokens([p for p in parts if isinstance(p, str)])


def similarity(a: Sequence[str], b: Sequence[str], at_least: float = 0.0) -> float:
    """Exact similarity of two token sequences in [0, 1] (difflib ratio).

    When a cheap upper bound is already below ``at_least`` that bound is returned
    instead (the answer to "is it at least ``at_least``?" is the same).
    """
    if not a and not b:
        return 1.0
    # difflib's two upper bounds, computed as difflib does (the same floats) but before
    # building a matcher (whose index of ``b`` costs more than both): real_quick_ratio
    # (the shorter length), then quick_ratio (the tokens in common, with multiplicity)
    length = len(a) + len(b)
    upper = 2.0 * min(len(a), len(b)) / length
    if upper < at_least:
        return upper
    in_a, in_b = Counter(a), Counter(b)
    upper = 2.0 * sum(map(min, in_a.values(), map(in_b.get, in_a, repeat(0)))) / length
    if upper < at_least:
        return upper
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


#: Most words remembered per word hash (the cache is emptied when it grows past this).
WORD_CACHE_SIZE = 16384


class _WordHash:
    """A 64-bit hash of words (BLAKE2b personalized by ``person``), cached per word in a
    plain dict read with ``map(dict.get, ...)`` (a third of an ``lru_cache`` hit's cost);
    emptied when it holds more than :data:`WORD_CACHE_SIZE` words."""

    __slots__ = ("_cache", "_person")

    def __init__(self, person: bytes) -> None:
        self._person = person
        self._cache: dict[str, int] = {}

    def __call__(self, word: str) -> int:
        digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8, person=self._person)
        return int.from_bytes(digest.digest(), "big")

    def many(self, words: Sequence[str]) -> list[int]:
        """The hash of each word, in order."""
        cache = self._cache
        try:
            return list(map(cache.__getitem__, words))  # all cached (no scan for misses)
        except KeyError:
            pass
        values = list(map(cache.get, words))
        _fill_misses(cache, WORD_CACHE_SIZE, words, values, self)
        return values  # type: ignore[return-value]


#: Two independent word hashes: a bigram (a, b) hashes to ``_first(a) ^ _second(b)``.
_first = _WordHash(b"danvan-bigram-1")
_second = _WordHash(b"danvan-bigram-2")


def _mix64(x: int) -> int:
    """splitmix64 finalizer: a 64-bit integer -> a well-mixed 64-bit integer."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _MASK64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _MASK64
    return x ^ (x >> 31)


def shingle_hashes(tokens: Sequence[str]) -> set[int]:
    """64-bit hashes of the word bigrams of ``tokens`` (the single token if only one).

    A bigram (a, b) hashes to ``h1(a) XOR h2(b)`` with two independent word hashes
    (simple tabulation hashing, a good min-wise hash): two cached look-ups and an XOR
    per bigram, all in C loops (the previous per-bigram arithmetic in Python cost most of
    a sketch; schema migration 3 recomputed the sketches stored with it).
    """
    first = _first.many(tokens)
    if len(first) < 2:
        return set(first)
    return set(map(operator.xor, first, _second.many(tokens[1:])))


_BINS = range(SKETCH_SIZE)


def sketch(tokens: Sequence[str]) -> list[int]:
    """One-permutation MinHash of the word-bigram shingles of ``tokens``."""
    shingles = shingle_hashes(tokens)
    if not shingles:
        return [_EMPTY] * SKETCH_SIZE
    # The smallest shingle per bin (bin = h mod size): in descending order of h, the
    # last one a bin gets; the bin's value is that shingle div size.
    ordered = sorted(shingles, reverse=True)
    smallest = dict(zip(map(operator.mod, ordered, repeat(SKETCH_SIZE)), ordered, strict=True))
    if len(smallest) == SKETCH_SIZE:
        return list(map(operator.floordiv, map(smallest.__getitem__, _BINS), repeat(SKETCH_SIZE)))
    bins = [smallest[b] // SKETCH_SIZE if b in smallest else _EMPTY for b in _BINS]
    # Densification: an empty bin borrows from the next non-empty one (circularly),
    # salted by the distance so that borrowed values differ from the lender's.
    filled = list(bins)
    for b in range(SKETCH_SIZE):
        if bins[b] == _EMPTY:
            d = 1
            while bins[(b + d) % SKETCH_SIZE] == _EMPTY:
                d += 1
            filled[b] = _mix64(bins[(b + d) % SKETCH_SIZE] + d * 0x9E3779B97F4A7C15) >> 8
    return filled


def pack_sketch(signature: Sequence[int]) -> bytes:
    """A sketch as bytes (the store's ``articles.sketch``): 8 bytes a bin, big-endian."""
    return struct.pack(f">{len(signature)}Q", *signature)


def unpack_sketch(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f">{len(data) // 8}Q", data)


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of equal bins: an estimate of the bigram Jaccard similarity of two texts."""
    if len(a) != len(b) or not a:
        return 0.0
    return sum(map(operator.eq, a, b)) / len(a)


def band_keys(signature: Sequence[int]) -> list[int]:
    """One non-negative 63-bit key per band (fits a BIGINT column), band index mixed in:
    BLAKE2b of the band's bins as packed by :func:`pack_sketch`, salted by the band."""
    packed = pack_sketch(signature)
    width = ROWS * 8
    blake2b = hashlib.blake2b
    return [
        int.from_bytes(
            blake2b(
                packed[band * width : (band + 1) * width], digest_size=8, salt=_SALTS[band]
            ).digest(),
            "big",
        )
        >> 1
        for band in range(BANDS)
    ]


_SALTS = [band.to_bytes(16, "big") for band in range(BANDS)]
