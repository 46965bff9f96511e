"""Features of a block of text for the statistical model: words, word pairs, word pieces.

Word pieces (character n-grams of long words) let the model read German compounds
and inflections it has not seen whole ("Frühlingsrabatt" shares "rabat" with
"Rabatt"). Every distinct token's features are computed once and cached, so
scoring a block costs a dictionary lookup per token and per adjacent pair.
"""

from __future__ import annotations

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
    min_tokens: int = 5  # shorter blocks (greetings, labels, bare buttons) are not scored
    amounts: bool = False  # read numbers and currency signs (prices are the rules' job)


class Featurizer:
    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._cache: dict[str, tuple[str, tuple[str, ...]]] = {}

    def _token(self, raw: str) -> tuple[str, tuple[str, ...]]:
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

    def features(self, raw_tokens: list[str]) -> set[str]:
        """The set of features of one block (presence, not counts); empty when the block
        has fewer than `min_tokens` words, which is not scored."""
        cache = self._cache
        words: list[str] = []
        found: set[str] = set()
        skip = frozenset() if self.spec.amounts else _AMOUNTS
        for raw in raw_tokens:
            entry = cache.get(raw) or self._token(raw)
            if entry[0] in skip:
                continue
            words.append(entry[0])
            found.update(entry[1])
        if len(words) < self.spec.min_tokens:
            return set()
        found.update(words)
        if self.spec.pairs:
            found.update(f"{a} {b}" for a, b in pairwise(words))
        return found


__all__ = ["FeatureSpec", "Featurizer"]
