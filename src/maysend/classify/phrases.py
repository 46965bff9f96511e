"""Phrase patterns over tokens: how indicator files say what to look for.

A phrase is a row of items separated by spaces, matched against tokens
(see `maysend.classify.text`), case-insensitively and always on word bounds:

    download [our|the] ~2 app      `[..]` optional, `a|b` either, `~N` up to N any tokens
    (check out|browse) our range   `(..)` a group whose options may be several words
    discount*   *rabatt   *angebot*  stem, compound tail (German), anywhere in a word
    # % off                          `#` any number; `%`, `€`, `£`, `$` themselves

Why not one regular expression per indicator: a few hundred alternations cost
tens of milliseconds per message in a backtracking engine. Phrases compile to
token keys instead; each distinct token is resolved to its keys once (cached),
so matching a message is one dictionary lookup per token plus a short walk
for the rare tokens that start a phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from maysend.classify.text import NUMBER, normalise, tokens
from maysend.errors import ConfigError

DEFAULT_SKIP = 3
_CACHE_LIMIT = 400_000
_MAX_VARIANTS = 64
_PARTS = re.compile(r"\[[^\]]*\]|\([^)]*\)|[^\s\[(]+|[\[(]\S*")


@dataclass(frozen=True, slots=True)
class Item:
    """One token position in a phrase: the keys it accepts, or a gap of up to `skip` tokens."""

    options: frozenset[str] = frozenset()
    skip: int = 0


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str
    items: tuple[Item, ...]

    def match_at(self, keys: list[frozenset[str]], start: int) -> int:
        """Index of the last token of a match starting at `start`, or -1."""
        return _match(self.items, 0, keys, start)


def _match(items: tuple[Item, ...], k: int, keys: list[frozenset[str]], pos: int) -> int:
    n = len(keys)
    while k < len(items):
        item = items[k]
        if item.skip:
            for jump in range(item.skip + 1):
                end = _match(items, k + 1, keys, pos + jump)
                if end >= 0:
                    return end
            return -1
        if pos >= n or item.options.isdisjoint(keys[pos]):
            return -1
        pos += 1
        k += 1
    return pos - 1


def _word_key(word: str) -> str:
    """A written word's key; a written number ("0") matches only itself, `#` any number."""
    return "=" + (word if word[0].isdigit() else normalise(word))


def _option_keys(option: str, source: str) -> tuple[str, ...]:
    """The token keys one option stands for: one per token ("pre-order" has two).

    A trailing `*` makes the last token a stem, a leading `*` the first a compound tail.
    """
    if option == "#":
        return (NUMBER,)
    head, tail = option.startswith("*"), option.endswith("*") and len(option) > 1
    words = tokens(option.strip("*"))
    if not words:
        raise ConfigError("a phrase item has no word in it", phrase=source, item=option)
    keys = [_word_key(w) for w in words]
    if head and tail and len(words) == 1:
        return ("*" + normalise(words[0]),)
    if head:
        keys[0] = "$" + normalise(words[0])
    if tail:
        keys[-1] = "^" + normalise(words[-1])
    return tuple(keys)


def _variants(part: str, source: str) -> list[tuple[Item, ...]]:
    """The item rows one written item can stand for."""
    if part.startswith("~"):
        count = part[1:] or str(DEFAULT_SKIP)
        if not count.isdigit() or not 0 < int(count) <= 12:
            raise ConfigError("a gap is ~ or ~1 .. ~12", phrase=source, item=part)
        return [(Item(skip=int(count)),)]
    optional = part.startswith("[")
    grouped = optional or part.startswith("(")
    body = part[1:-1] if grouped else part
    options = [_option_keys(o.strip(), source) for o in body.split("|")]
    single = frozenset(k[0] for k in options if len(k) == 1)
    rows: list[tuple[Item, ...]] = [(Item(options=single),)] if single else []
    rows.extend(
        tuple(Item(options=frozenset({k})) for k in keys) for keys in options if len(keys) > 1
    )
    return [*rows, ()] if optional else rows


def compile_phrase(source: str) -> tuple[Phrase, ...]:
    """Compile one written phrase into the phrases it stands for (ConfigError if malformed)."""
    rows: list[tuple[Item, ...]] = [()]
    for part in _PARTS.findall(source):
        if part[0] in "([" and part[-1] not in ")]":
            raise ConfigError("a group is not closed", phrase=source, item=part)
        rows = [row + tail for row in rows for tail in _variants(part, source)]
        if len(rows) > _MAX_VARIANTS:
            raise ConfigError("a phrase expands to too many variants", phrase=source)
    phrases = []
    for items in rows:
        if not items or items[0].skip or items[-1].skip:
            raise ConfigError("a phrase starts and ends with a word, not a gap", phrase=source)
        phrases.append(Phrase(source=source, items=items))
    return tuple(phrases)


class PhraseIndex:
    """Many phrases, matched together in one pass over a token list."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases
        self._starts: dict[str, list[int]] = {}
        keys: set[str] = set()
        for pid, phrase in enumerate(phrases):
            for item in phrase.items:
                keys |= item.options
            for key in phrase.items[0].options:
                self._starts.setdefault(key, []).append(pid)
        self._keys = frozenset(keys)
        self._prefix_lens = sorted({len(k) - 1 for k in keys if k[0] == "^"})
        self._suffix_lens = sorted({len(k) - 1 for k in keys if k[0] == "$"})
        self._infixes = sorted(k[1:] for k in keys if k[0] == "*")
        self._cache: dict[str, frozenset[str]] = {}

    def _resolve(self, raw: str) -> frozenset[str]:
        word = normalise(raw)
        found = {NUMBER, "=" + raw} if word == NUMBER else {"=" + word}
        found.update("^" + word[:n] for n in self._prefix_lens if len(word) >= n)
        found.update("$" + word[-n:] for n in self._suffix_lens if len(word) >= n)
        found.update("*" + infix for infix in self._infixes if infix in word)
        keys = frozenset(found & self._keys)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[raw] = keys
        return keys

    def keys(self, raw_tokens: list[str]) -> list[frozenset[str]]:
        get = self._cache.get
        found = [get(t) for t in raw_tokens]
        if None in found:
            return [
                k if k is not None else self._resolve(t)
                for k, t in zip(found, raw_tokens, strict=True)
            ]
        return found  # type: ignore[return-value]

    def find(self, raw_tokens: list[str]) -> list[tuple[int, int, int]]:
        """Every (phrase id, first token, last token) that matches, one per phrase and start."""
        keys = self.keys(raw_tokens)
        hits: list[tuple[int, int, int]] = []
        starts = self._starts
        for i, token_keys in enumerate(keys):
            if not token_keys:
                continue
            tried: set[int] = set()
            for key in token_keys:
                for pid in starts.get(key, ()):
                    if pid in tried:
                        continue
                    tried.add(pid)
                    end = self.phrases[pid].match_at(keys, i)
                    if end >= 0:
                        hits.append((pid, i, end))
        return hits


__all__ = ["Item", "Phrase", "PhraseIndex", "compile_phrase"]
