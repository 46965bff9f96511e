"""Features of a block of text for the statistical model: words, word pairs, word pieces.

Word pieces (character n-grams of long words) let the model read German compounds
and inflections it has not seen whole ("Frühlingsrabatt" shares "rabat" with
"Rabatt"). Features are counted (a word said twice counts twice) and a block's
score is normalised by the square root of its feature count, so that scoring can
sum per-token weights computed once per distinct token (see `BlockScorer`).
Numbers and currency signs are left out: prices are the rules' business, and
the model otherwise learns that any amount sells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from maysend.classify.text import NUMBER, normalise

_CACHE_LIMIT = 400_000
_AMOUNTS = frozenset({NUMBER, "%", "€", "£", "$", "¥", "§"})


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """How text becomes features; stored in the model artifact so scoring matches training."""

    char_n: int = 5
    char_min_len: int = 8
    pairs: bool = True
    min_tokens: int = 5  # blocks with fewer words (greetings, labels, buttons) are not scored
    amounts: bool = False  # read numbers and currency signs


class Featurizer:
    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}

    def token(self, raw: str) -> tuple[str, tuple[str, ...]]:
        """A token's word and its pieces (cached)."""
        found = self._cache.get(raw)
        if found is not None:
            return found
        word = normalise(raw)
        n = self.spec.char_n
        pieces: tuple[str, ...] = ()
        if len(word) >= self.spec.char_min_len:
            marked = f"<{word}>"
            pieces = tuple("~" + marked[i : i + n] for i in range(len(marked) - n + 1))
        found = (word, pieces)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = found
        return found

    def words(self, raw_tokens: list[str]) -> list[str]:
        skip = frozenset() if self.spec.amounts else _AMOUNTS
        return [w for w in (self.token(t)[0] for t in raw_tokens) if w not in skip]

    def counts(self, raw_tokens: list[str]) -> dict[str, int]:
        """A block's features with their counts; empty when it has too few words."""
        words = self.words(raw_tokens)
        if len(words) < self.spec.min_tokens:
            return {}
        found: dict[str, int] = {}
        for word in words:
            for feature in (word, *self.token(word)[1]):
                found[feature] = found.get(feature, 0) + 1
        if self.spec.pairs:
            for a, b in pairwise(words):
                pair = f"{a} {b}"
                found[pair] = found.get(pair, 0) + 1
        return found


class BlockScorer:
    """Linear block scores with each distinct token's weight summed once (cached).

    Word-pair weights are looked up by first word, then second, so that scoring does
    not build a "first second" string for every pair of a block.
    """

    def __init__(self, featurizer: Featurizer, weights: Mapping[str, float], bias: float) -> None:
        self.featurizer = featurizer
        self.weights = weights
        self.bias = bias
        self._cache: dict[str, tuple[str, float, int] | None] = {}
        self._pairs: dict[str, dict[str, float]] = {}
        for feature, weight in weights.items():
            first, space, second = feature.partition(" ")
            if space:
                self._pairs.setdefault(first, {})[second] = weight

    def _entry(self, raw: str) -> tuple[str, float, int] | None:
        """(word, summed weight of its features, their number), None for amounts."""
        word, pieces = self.featurizer.token(raw)
        entry = None
        if self.featurizer.spec.amounts or word not in _AMOUNTS:
            features = (word, *pieces)
            entry = (word, sum(self.weights.get(f, 0.0) for f in features), len(features))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = entry
        return entry

    def logit(self, raw_tokens: list[str]) -> float | None:
        """The block's logit, or None when it has too few words to be scored."""
        cache = self._cache
        words: list[str] = []
        total, count = 0.0, 0
        for raw in raw_tokens:
            entry = cache[raw] if raw in cache else self._entry(raw)
            if entry is not None:
                words.append(entry[0])
                total += entry[1]
                count += entry[2]
        if len(words) < self.featurizer.spec.min_tokens:
            return None
        if self.featurizer.spec.pairs:
            total += sum(self._pair_weights(words))
            count += len(words) - 1
        return self.bias + total / math.sqrt(count)

    def _pair_weights(self, words: list[str]) -> list[float]:
        """The weight of each adjacent pair of `words`, in order (0.0 if unknown)."""
        pairs = self._pairs
        found = []
        for a, b in pairwise(words):
            after = pairs.get(a)
            found.append(0.0 if after is None else after.get(b, 0.0))
        return found


__all__ = ["BlockScorer", "FeatureSpec", "Featurizer"]
