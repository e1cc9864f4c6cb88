"""What a search asks: a query as typed, parsed into phrases (:func:`parse_query`), and
the words and pair tokens the indexes hold (:func:`words_of`, :func:`pairs_of`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from danvan_crawler.vietnamese import search_fold

#: The record fields searched: headline, lead, body.
FIELDS = ("headline", "description", "articleBody")
#: A word: letters and digits (what FTS5's unicode61 tokenizer keeps; ``_`` separates).
_WORD_RE = re.compile(r"[^\W_]+")
#: Joins the two words of a pair token (private use: a token character for unicode61,
#: removed from the text before it is indexed, so no text forges a pair).
PAIR_JOIN = "\ue002"
#: Typographic quotes (what phones type) delimit a phrase too.
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»", '"'))
_SEGMENT_RE = re.compile(r'"([^"]*)"?|([^",]+)')
#: ``-`` after a space (or at the start) starts a negated phrase; inside a word
#: (``25-NQ/TW``) it separates words.
_NEGATION_RE = re.compile(r"(?:^|\s)-(?=[^\s-])")
_DASH_END_RE = re.compile(r"(?:^|\s)-\s*$")


class QueryError(ValueError):
    """A query with nothing to search for."""


def words_of(folded: str) -> list[str]:
    """The words of a folded text, as the index holds them."""
    return _WORD_RE.findall(folded)


#: Most chunks whose folded words are remembered (emptied when it grows past this).
CHUNK_CACHE_SIZE = 16384
_chunk_words: dict[str, tuple[str, ...]] = {}


def folded_words(text: str) -> list[str]:
    """``words_of(search_fold(text))``, computed per whitespace-delimited chunk of the
    NFC text, each chunk's words cached (the portal's vocabulary is small: folding every
    character of every body with ``str.translate`` cost twice this).

    The same list: :func:`search_fold` maps a letter to a letter and leaves every other
    character as it is, so no character changes from word (:data:`_WORD_RE`) to non-word, and
    whitespace, never part of a word, splits no word."""
    cache = _chunk_words
    if len(cache) > CHUNK_CACHE_SIZE:
        cache.clear()
    words: list[str] = []
    for chunk in unicodedata.normalize("NFC", text).split():
        found = cache.get(chunk)
        if found is None:
            found = cache[chunk] = tuple(_WORD_RE.findall(search_fold(chunk)))
        words.extend(found)
    return words


def pairs_of(words: Sequence[str]) -> list[str]:
    """Adjacent words as pair tokens: ``dan van kheo`` -> ``dan+van``, ``van+kheo``."""
    return list(map(PAIR_JOIN.join, pairwise(words)))


@dataclass(frozen=True)
class Term:
    """Words that must follow one another, adjacent and in order (one word, or a
    phrase)."""

    words: tuple[str, ...]
    prefix: bool = False  # the last word is a prefix
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: every positive term must match, no negated one."""

    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """The FTS5 MATCH expression over the SQLite index: a one-word term in the word
        columns; a phrase of n words as the phrase of its n - 1 pair tokens in the pair
        columns (the same articles, read from doclists far shorter than a common
        syllable's)."""

        def one(term: Term) -> str:
            star = "*" if term.prefix else ""
            if len(term.words) == 1:
                return '{headline lead body} : "' + term.words[0] + '"' + star
            pairs = " ".join(pairs_of(term.words))
            return '{headline_pairs lead_pairs body_pairs} : "' + pairs + '"' + star

        positive = " AND ".join(f"({one(t)})" for t in self.terms if not t.negated)
        negative = "".join(f" NOT ({one(t)})" for t in self.terms if t.negated)
        return positive + negative

    def fts5_any(self, column: str) -> str:
        """Any positive phrase of the query in ``column`` (``headline``, ``lead`` or
        ``body``: its words or pairs column), as an FTS5 MATCH expression."""

        def one(term: Term) -> str:
            star = "*" if term.prefix else ""
            if len(term.words) == 1:
                return "{" + column + '} : "' + term.words[0] + '"' + star
            pairs = " ".join(pairs_of(term.words))
            return "{" + column + '_pairs} : "' + pairs + '"' + star

        return " OR ".join(f"({one(t)})" for t in self.terms if not t.negated)

    def tsquery(self) -> str:
        """The PostgreSQL ``to_tsquery`` text: words quoted, phrases with ``<->``."""

        def one(term: Term) -> str:
            words = [f"'{w}'" for w in term.words]
            if term.prefix:
                words[-1] += ":*"
            inner = " <-> ".join(words)
            inner = f"({inner})" if len(words) > 1 else inner
            return ("!" if term.negated else "") + inner

        return " & ".join(one(t) for t in self.terms)

    def words(self) -> list[str]:
        return [w for t in self.terms if not t.negated for w in t.words]


def parse_query(raw: str) -> Query:
    """``raw`` (what a person typed) as a :class:`Query`; :class:`QueryError` when it
    has no word to look for.

    Vietnamese writes a word as space-separated syllables, so the words typed are one
    phrase: ``dân vận khéo`` finds the three in that order, adjacent (any spaces or
    punctuation between them: ``25-NQ/TW`` is the phrase ``25 nq tw``). A comma or
    quotes separate phrases, which must all be there (``dân vận khéo, quỳnh lưu``);
    ``-`` before a phrase (after a space or a comma) says it must not be; ``*`` after
    the last word makes it a prefix. Words are folded (:func:`search_fold`) and kept to
    letters and digits, so FTS syntax is only ever read as this syntax."""
    terms: list[Term] = []
    negate_next = False  # a "-" right before a quoted phrase
    for match in _SEGMENT_RE.finditer(search_fold(raw or "").translate(_QUOTES)):
        quoted = match.group(1) is not None
        chunk = match.group(1) if quoted else match.group(2)
        if quoted:
            pieces = [(chunk, negate_next)]
            negate_next = False
        else:
            parts = _NEGATION_RE.split(chunk)
            pieces = [(parts[0], False), *((part, True) for part in parts[1:])]
            negate_next = bool(_DASH_END_RE.search(chunk))
        for body, negated in pieces:
            words = tuple(w.lower() for w in _WORD_RE.findall(body))
            if words:
                prefix = body.rstrip().endswith("*")
                terms.append(Term(words, prefix=prefix, negated=negated))
    if not any(not t.negated for t in terms):
        raise QueryError("nothing to search for: give at least one word")
    return Query(tuple(terms))
