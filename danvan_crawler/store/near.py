"""Near-duplicate look-up: candidates by shared band keys, verified on their tokens, and
the older of two copies claiming the newer."""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, func, select, union_all, update
from sqlalchemy import exc as sa_exc

from danvan_crawler.similarity import (
    BANDS,
    MAX_BAND_SHARERS,
    MIN_ESTIMATED_JACCARD,
    MIN_SHARED_BANDS,
    article_tokens,
    estimated_jaccard,
    pack_sketch,
    similarity,
    sketch,
    unpack_sketch,
)
from danvan_crawler.store import schema as s
from danvan_crawler.store.base import StoreBase, _dumps
from danvan_crawler.store.executor import _Prepared

logger = logging.getLogger(__name__)

#: Most near-duplicate candidates verified per article (best band overlap first).
MAX_CANDIDATES = 200
#: Stored articles whose comparison tokens are kept in memory.
TOKEN_CACHE_SIZE = 256


class _Candidate(NamedTuple):
    """A stored article sharing band keys with the one being stored."""

    article_id: str
    article_num: int
    content_hash: str
    sketch: bytes | None
    duplicate_of: str | None
    date_published: datetime | None


#: Position of ``sketch`` in the candidate rows (:class:`_Candidate`).
_SKETCH_COLUMN = _Candidate._fields.index("sketch")


class _SketchEstimate:
    """``estimated_jaccard(signature, unpack_sketch(packed))`` for the packed sketches
    of the candidates of one text, the same value computed without unpacking: the equal
    bins are the all-zero 8-byte words of the two packings' XOR (one C-level pass)."""

    __slots__ = ("_bins", "_mine", "_signature", "_width")

    def __init__(self, signature: Sequence[int]) -> None:
        self._signature = signature
        self._bins = len(signature)
        self._width = 8 * self._bins
        self._mine = int.from_bytes(pack_sketch(signature), "little")

    def __call__(self, packed: bytes) -> float:
        width = self._width
        if len(packed) != width or not width:
            return estimated_jaccard(self._signature, unpack_sketch(packed))
        xor = (int.from_bytes(packed, "little") ^ self._mine).to_bytes(width, "little")
        return memoryview(xor).cast("Q").tolist().count(0) / self._bins

    def below(self, packed: bytes, threshold: float) -> bool:
        """``self(packed) < threshold``, decided without counting the equal bins exactly
        when an upper bound is already below: the runs of 8 zero bytes in the XOR
        (``bytes.count``, non-overlapping) are at least its all-zero aligned words (a
        zero run of length L holds at most L // 8 of them)."""
        width = self._width
        if len(packed) != width or not width:
            return self(packed) < threshold
        xor = (int.from_bytes(packed, "little") ^ self._mine).to_bytes(width, "little")
        if xor.count(_ZERO_WORD) / self._bins < threshold:
            return True
        return memoryview(xor).cast("Q").tolist().count(0) / self._bins < threshold


_ZERO_WORD = bytes(8)


class NearDuplicates(StoreBase):
    """:class:`~danvan_crawler.store.Store`'s near-duplicate look-up."""

    duplicate_threshold: float
    duplicate_min_tokens: int
    _token_cache: OrderedDict[tuple[str, str], list[str]]

    def _prepare_near(self) -> None:
        """The candidates' statement: under each band key of the text, the other
        articles, the first MAX_BAND_SHARERS by id (so a look-up costs the same whatever
        the store's size); those under at least MIN_SHARED_BANDS of the keys, the
        MAX_CANDIDATES under most (then by id), best first. One statement with one arm per
        band and its key parameter (a text with fewer distinct keys pads with -1, which no
        band key is), compiled once."""
        a, ab = s.articles.c, s.article_bands.c
        arms = [
            select(ab.article_id)
            .where(ab.band_key == bindparam(f"b_k{i}"))
            .where(ab.article_id != bindparam("b_aid"))
            .order_by(ab.article_id)
            .limit(MAX_BAND_SHARERS)
            .subquery(f"band{i}")
            for i in range(BANDS)
        ]
        sharers = union_all(*(select(arm.c.article_id) for arm in arms)).subquery("sharers")
        shared = func.count().label("shared")
        counted = (
            select(sharers.c.article_id, shared)
            .group_by(sharers.c.article_id)
            .having(shared >= MIN_SHARED_BANDS)
            .order_by(shared.desc(), sharers.c.article_id)
            .limit(MAX_CANDIDATES)
            .subquery("counted")
        )
        candidates = (
            select(*(a[name] for name in _Candidate._fields))
            .join(counted, counted.c.article_id == a.article_id)
            .order_by(counted.c.shared.desc(), a.article_id)
        )
        dialect = self.engine.dialect
        self._p_candidates = _Prepared(candidates, dialect)
        self._p_article_data = _Prepared(
            select(a.data).where(a.article_id == bindparam("b_aid")), dialect
        )

    def _sketch(self, tokens: Sequence[str]) -> list[int] | None:
        """The MinHash sketch of a text, None for texts too short to compare."""
        if len(tokens) < self.duplicate_min_tokens:
            return None
        return sketch(tokens)

    def _candidate_rows(self, conn: Connection, article_id: str, keys: Sequence[int]) -> list[Any]:
        """The raw rows (:class:`_Candidate` columns, best overlap first) of the stored
        articles sharing at least ``MIN_SHARED_BANDS`` band keys with a text, counted
        among the first ``MAX_BAND_SHARERS`` sharers (by id) of each key; the
        ``MAX_CANDIDATES`` sharing most (then by id). ``self._p_candidates.process``
        processes a row."""
        params: dict[str, Any] = {f"b_k{i}": keys[i] if i < len(keys) else -1 for i in range(BANDS)}
        params["b_aid"] = article_id
        return self._p_candidates.raw_rows(conn, params)

    def _near_matches(
        self,
        conn: Connection,
        article_id: str,
        tokens: Sequence[str],
        signature: Sequence[int] | None,
        keys: Sequence[int],
    ) -> list[_Candidate]:
        """Stored articles whose text is at least ``duplicate_threshold`` similar.

        Candidates (:meth:`_candidate_rows`) whose stored sketch estimates a low Jaccard
        similarity are skipped, the others verified exactly on their text.
        """
        if not keys or signature is None:
            return []
        rows = self._candidate_rows(conn, article_id, keys)
        # the sketch prefilter first, on the raw rows (most candidates fail it: formulaic
        # articles share bands with dozens); a candidate's row is processed and its record
        # (``data``) read only when it passes
        estimate = _SketchEstimate(signature)
        found = []
        for raw in rows:
            packed = raw[_SKETCH_COLUMN]
            if packed is not None and estimate.below(packed, MIN_ESTIMATED_JACCARD):
                continue
            row = _Candidate(*self._p_candidates.process(raw))
            other = self._stored_tokens(conn, row.article_id, row.content_hash)
            if similarity(tokens, other, self.duplicate_threshold) >= self.duplicate_threshold:
                found.append(row)
        return found

    def _stored_tokens(self, conn: Connection, article_id: str, digest: str) -> list[str]:
        """Comparison tokens of a stored article (small LRU cache by id and hash)."""
        key = (article_id, digest)
        tokens = self._token_cache.get(key)
        if tokens is None:
            rows = self._p_article_data.rows(conn, {"b_aid": article_id})
            if not rows:
                raise sa_exc.NoResultFound("No row was found when one was required")
            data = rows[0][0]
            # the tokens are interned (comparison_tokens): the cached lists share one
            # string per word (a few KB per article instead of ~100 KB of token strings)
            tokens = article_tokens(json.loads(data))
            self._token_cache[key] = tokens
            if len(self._token_cache) > TOKEN_CACHE_SIZE:
                self._token_cache.popitem(last=False)
        else:
            self._token_cache.move_to_end(key)
        return tokens

    @staticmethod
    def _age_key(published: datetime | None, num: int) -> tuple[datetime, int]:
        return (published or datetime.max, num)

    def _original_among(
        self, matches: Sequence[_Candidate], article_id: str, published: datetime | None, num: int
    ) -> str | None:
        """The original of a cluster is its oldest member (published, then id)."""
        if not matches:
            return None
        oldest = min(matches, key=lambda r: self._age_key(r.date_published, r.article_num))
        if self._age_key(published, num) <= self._age_key(
            oldest.date_published, oldest.article_num
        ):
            return None
        return str(oldest.duplicate_of or oldest.article_id)

    def _claim_copies(
        self,
        conn: Connection,
        article_id: str,
        published: datetime | None,
        num: int,
        matches: Sequence[_Candidate],
        now: datetime,
    ) -> tuple[str, ...]:
        """An original stored after its copies: mark the newer look-alikes as copies."""
        mine = self._age_key(published, num)
        copies = [
            str(r.article_id)
            for r in matches
            if self._age_key(r.date_published, r.article_num) > mine
            and r.duplicate_of != article_id
        ]
        if not copies:
            return ()
        # Copies of those copies follow them to the real original.
        dependants = conn.execute(
            select(s.articles.c.article_id).where(s.articles.c.duplicate_of.in_(copies))
        ).scalars()
        claimed = tuple(sorted({*copies, *dependants} - {article_id}))
        for copy_id in claimed:
            row = conn.execute(
                select(s.articles.c.data).where(s.articles.c.article_id == copy_id)
            ).one()
            record = json.loads(row.data)
            record["duplicateOf"] = article_id
            conn.execute(
                update(s.articles)
                .where(s.articles.c.article_id == copy_id)
                .values(duplicate_of=article_id, data=_dumps(record), changed_at=now)
            )
            logger.info("Article %s is now marked as a copy of %s", copy_id, article_id)
        return claimed
