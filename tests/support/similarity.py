"""The store's near-duplicate look-up in memory (no SQL): a definition the tests check
the sketch, the bands and the exact verification against."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from danvan_crawler.similarity import (
    DEFAULT_MIN_TOKENS,
    DEFAULT_THRESHOLD,
    MAX_BAND_SHARERS,
    MIN_SHARED_BANDS,
    band_keys,
    similarity,
    sketch,
)


class NearDuplicateIndex:
    """In-memory candidate index with exact verification (the store's logic, no SQL)."""

    def __init__(
        self, threshold: float = DEFAULT_THRESHOLD, min_tokens: int = DEFAULT_MIN_TOKENS
    ) -> None:
        self.threshold = threshold
        self.min_tokens = min_tokens
        self._buckets: dict[int, set[str]] = defaultdict(set)
        self._tokens: dict[str, list[str]] = {}

    def add(self, key: str, tokens: Sequence[str]) -> None:
        self._tokens[key] = list(tokens)
        if len(tokens) >= self.min_tokens:
            for band_key in band_keys(sketch(tokens)):
                self._buckets[band_key].add(key)

    def matches(self, tokens: Sequence[str], exclude: str | None = None) -> list[tuple[str, float]]:
        """Keys whose text is at least ``threshold`` similar, best first."""
        if len(tokens) < self.min_tokens:
            return []
        shared: Counter[str] = Counter()
        for band_key in set(band_keys(sketch(tokens))):
            sharers = self._buckets.get(band_key, set()) - {exclude or ""}
            shared.update(sorted(sharers)[:MAX_BAND_SHARERS])
        candidates = {k for k, n in shared.items() if n >= MIN_SHARED_BANDS}
        found = []
        for key in candidates:
            score = similarity(tokens, self._tokens[key], self.threshold)
            if score >= self.threshold:
                found.append((key, score))
        found.sort(key=lambda kv: (-kv[1], kv[0]))
        return found
