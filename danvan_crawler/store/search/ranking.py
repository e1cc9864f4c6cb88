"""bm25 over the SQLite index: which of the matches of a query come first.

FTS5's ``bm25()`` with column weights (:data:`COLUMN_WEIGHTS`: the headline above the
lead above the body), computed on a rewrite of the query (:func:`rank_match`) in which
each phrase is its rarest pair token. FTS5's bm25 takes a phrase's IDF from the count
of articles holding it, which it finds by walking every match of the phrase over the
whole index once a query: for a phrase of common syllables (``chuyển đổi số``, in a
quarter of the articles) most of the query's time, and no window bounds it. The rarest
pair token's doclist is short and has no positions to compare; it holds every article
the phrase is in, and few others (the phrase ``dan van kheo`` is almost every
``van+kheo``), so its IDF is the phrase's to a close approximation, and its count in a
field is the phrase's term frequency (exactly so for a phrase of one or two words).
Which matches are ranked is decided by the exact query; the rewrite only scores them.

FTS5's bm25 (k1 = 1.2, b = 0.75) adds, for each phrase, IDF × f × (k1 + 1) / (f + k1 ×
(1 − b + b × |d| / avgdl)), where f is the phrase's count in each column times that
column's weight and |d| the article's length in tokens: a phrase rare in the index
counts more than a common one, a second and third occurrence more than one (with
diminishing returns), and the same count in a short article more than in a long one.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from danvan_crawler.store.search.query import Query, Term, pairs_of

#: A query matching more articles than this ranks the ones stored last (see
#: :func:`rank_rowids`): ranking costs per match.
RANK_WINDOW = 500
#: bm25's weight of a phrase found in the headline, the lead, the body (the word and the
#: pair columns of each alike).
HEADLINE_WEIGHT = 10.0
LEAD_WEIGHT = 5.0
BODY_WEIGHT = 1.0
COLUMN_WEIGHTS = (HEADLINE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT) * 2

_BM25 = "bm25(article_search, " + ", ".join(f"{w:g}" for w in COLUMN_WEIGHTS) + ")"


def rarest(raw: Any, tokens: Sequence[str]) -> str:
    """The pair token of ``tokens`` in the fewest articles (the first of those), counted
    by the ``fts5vocab`` table (a walk of each token's doclist) once an index state
    (:func:`_counts`)."""
    counts = _counts(raw)
    for token in dict.fromkeys(tokens):
        if token not in counts:
            row = raw.execute(
                "SELECT doc FROM article_search_vocab WHERE term = ?", (token,)
            ).fetchone()
            counts[token] = int(row[0]) if row else 0
    return min(tokens, key=counts.__getitem__)


#: Articles holding a pair token, by database file and index state: the walks of common
#: tokens' doclists (a few ms for a set phrase in a quarter of the articles) made once,
#: not at every query of a phrase.
_COUNTS: dict[tuple[str, bytes], dict[str, int]] = {}


def _counts(raw: Any) -> dict[str, int]:
    """The token counts of the index as it is: keyed by its FTS5 structure record (row
    10 of ``article_search_data``), which every committed write to the index changes."""
    path = raw.execute("PRAGMA main.database_list").fetchone()[2]
    state = raw.execute("SELECT block FROM article_search_data WHERE id = 10").fetchone()
    if not path or state is None:  # an in-memory database: nothing to key on
        return {}
    key = (str(path), bytes(state[0]))
    if key not in _COUNTS and len(_COUNTS) >= 16:
        _COUNTS.clear()  # states gone by (the index was written since)
    return _COUNTS.setdefault(key, {})


def _in_pairs(token: str) -> str:
    return '{headline_pairs lead_pairs body_pairs} : "' + token + '"'


def rank_match(raw: Any, parsed: Query) -> str:
    """The FTS5 expression bm25 is computed on: each positive phrase of ``parsed`` as its
    rarest pair token (the first of the rarest); a word, or a phrase ending in a prefix,
    as itself. Every match of ``parsed`` matches it."""
    phrases = [t for t in parsed.terms if not t.negated]

    def one(term: Term) -> str:
        if len(term.words) > 2 and not term.prefix:
            return _in_pairs(rarest(raw, pairs_of(term.words)))
        return Query((term,)).fts5()

    return " AND ".join(f"({one(t)})" for t in phrases)


def rank_rowids(
    raw: Any,
    parsed: Query,
    window: int | None,
    join: str = "",
    since_sql: str = "",
    since_params: Sequence[str] = (),
) -> list[tuple[int, float]]:
    """(rowid, bm25) of the ``window`` matches stored last (every match with None), best
    first (bm25 as FTS5 gives it: lower is better), ties newest first.

    One backward walk of the doclists for the window (which stops there), then one
    forward walk of the rewritten query's doclists (:func:`rank_match`) from the
    window's oldest rowid, computing bm25. A query of words and two-word phrases,
    nothing negated, is its own rewrite: one backward walk computing bm25."""
    limit = "" if window is None else f" LIMIT {int(window)}"
    match = rank_match(raw, parsed)
    scored = f"SELECT rowid, {_BM25} FROM article_search WHERE article_search MATCH ?"
    if not join and all(len(t.words) <= 2 and not t.negated for t in parsed.terms):
        ranked = raw.execute(f"{scored} ORDER BY rowid DESC{limit}", (match,)).fetchall()
        return sorted(ranked, key=itemgetter(1))  # stable: ties stay newest first
    sql = (
        f"SELECT f.rowid FROM article_search f{join} WHERE article_search MATCH ?{since_sql}"
        f" ORDER BY f.rowid DESC{limit}"
    )
    rowids = [r for (r,) in raw.execute(sql, [parsed.fts5(), *since_params])]
    if not rowids:
        return []
    score = dict.fromkeys(rowids, 0.0)
    for rowid, value in raw.execute(f"{scored} AND rowid >= ?", (match, rowids[-1])):
        if rowid in score:
            score[rowid] = value
    return sorted(score.items(), key=itemgetter(1))
