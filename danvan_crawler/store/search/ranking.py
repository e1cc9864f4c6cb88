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
RANK_WINDOW = 1000
#: bm25's weight of a phrase found in the headline, the lead, the body (the word and the
#: pair columns of each alike).
HEADLINE_WEIGHT = 10.0
LEAD_WEIGHT = 5.0
BODY_WEIGHT = 1.0
COLUMN_WEIGHTS = (HEADLINE_WEIGHT, LEAD_WEIGHT, BODY_WEIGHT) * 2

_BM25 = "bm25(article_search, " + ", ".join(f"{w:g}" for w in COLUMN_WEIGHTS) + ")"


def document_counts(raw: Any, tokens: Sequence[str]) -> dict[str, int]:
    """How many articles hold each of ``tokens`` (from the ``fts5vocab`` table: a walk of
    the token's doclist, no positions compared); a token no article holds is left out."""
    counts: dict[str, int] = {}
    for token in dict.fromkeys(tokens):
        row = raw.execute(
            "SELECT doc FROM article_search_vocab WHERE term = ?", (token,)
        ).fetchone()
        if row is not None:
            counts[token] = int(row[0])
    return counts


def rank_match(raw: Any, parsed: Query) -> str:
    """The FTS5 expression bm25 is computed on: each positive phrase of ``parsed`` as its
    rarest pair token (in the pair columns); a word, or a phrase ending in a prefix, as
    itself. Every match of ``parsed`` matches it."""
    phrases = [t for t in parsed.terms if not t.negated]
    pairs = {t: pairs_of(t.words) for t in phrases if len(t.words) > 1 and not t.prefix}
    counts = document_counts(raw, [p for ps in pairs.values() for p in ps])

    def one(term: Term) -> str:
        if term in pairs:
            rarest = min(pairs[term], key=lambda p: counts.get(p, 0))
            return '{headline_pairs lead_pairs body_pairs} : "' + rarest + '"'
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
    window's oldest rowid, computing bm25."""
    sql = (
        f"SELECT f.rowid FROM article_search f{join} WHERE article_search MATCH ?{since_sql}"
        " ORDER BY f.rowid DESC"
    )
    params: list[Any] = [parsed.fts5(), *since_params]
    if window is not None:
        sql += " LIMIT ?"
        params.append(window)
    rowids = [r for (r,) in raw.execute(sql, params)]
    if not rowids:
        return []
    score = dict.fromkeys(rowids, 0.0)
    for rowid, value in raw.execute(
        f"SELECT rowid, {_BM25} FROM article_search WHERE article_search MATCH ? AND rowid >= ?",
        (rank_match(raw, parsed), rowids[-1]),
    ):
        if rowid in score:
            score[rowid] = value
    # stable: ties stay newest first
    return sorted(score.items(), key=itemgetter(1))
