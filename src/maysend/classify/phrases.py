"""Phrase patterns over tokens: how indicator files say what to look for.

A phrase is a row of items separated by spaces, matched against tokens
(see `maysend.classify.text`), case-insensitively and always on word bounds:

    download [our|the] ~2 app      `[..]` optional, `a|b` either, `~N` up to N any tokens
    (check out|browse) our range   `(..)` a group whose options may be several words
    discount*   *rabatt   *angebot*  stem, compound tail (German), anywhere in a word
    # % off                          `#` any number; `%`, `€`, `£`, `$` themselves

Inflection and compounds (`Morphology`, from `rules/morphology.yaml`): German
phrase words are written in their base form, and a phrase compiled with a
morphology also matches the regular endings ("sonderpreis" matches
"Sonderpreisen", "exklusiv" "exklusiven") and, for designated head words,
compounds ending in them ("sale" matches "Flugsale", "bonus" "Reparaturbonus"),
except listed false friends ("Transaktion" is no "Aktion"). Such words carry an
extra `+stem` key; a text token resolves to `+stem` for each stem it reduces to.

Why not one regular expression per indicator: a few hundred alternations cost
tens of milliseconds per message in a backtracking engine. Phrases compile to
token keys instead; each distinct token is resolved to its keys once (cached),
so matching a message is one dictionary lookup per token plus a short walk
for the rare tokens that start a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from maysend.classify.text import NUMBER, normalise, tokens
from maysend.errors import ConfigError

DEFAULT_SKIP = 3
BARRIER = "\x00"  # the token (and key) that separates segments read in one pass
_CACHE_LIMIT = 400_000
_MAX_VARIANTS = 64
_BARRIER_KEYS = frozenset({BARRIER})
_PARTS = re.compile(r"\[[^\]]*\]|\([^)]*\)|[^\s\[(]+|[\[(]\S*")


@dataclass(frozen=True, slots=True)
class Morphology:
    """A language's regular endings, its compound head words and their false friends."""

    endings: tuple[str, ...] = ()
    min_stem: int = 4
    heads: frozenset[str] = frozenset()
    not_compounds: tuple[str, ...] = ()
    exact: frozenset[str] = frozenset()  # phrase words that never take endings

    def stems(self, word: str) -> set[str]:
        """The base forms `word` may be an inflection or a compound of."""
        found = {word}
        found.update(
            word[: -len(e)]
            for e in self.endings
            if word.endswith(e) and len(word) - len(e) >= self.min_stem
        )
        heads = {
            h
            for stem in found
            for h in self.heads
            if len(stem) > len(h) and stem.endswith(h) and not stem.endswith(self.not_compounds)
        }
        return found | heads

    def inflected(self, keys: frozenset[str]) -> frozenset[str]:
        """`keys` plus the `+stem` key of each word long enough to inflect."""
        extra = {
            "+" + k[1:]
            for k in keys
            if k[0] == "="
            and len(k) - 1 >= self.min_stem
            and k[1:].isalpha()
            and k[1:] not in self.exact
        }
        return keys | extra


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
        if any(item.skip for item in self.items):
            return _match(self.items, 0, keys, start)
        end = start + len(self.items)
        if end > len(keys):
            return -1
        for item, found in zip(self.items, keys[start:end], strict=True):
            if item.options.isdisjoint(found):
                return -1
        return end - 1


def _match(items: tuple[Item, ...], k: int, keys: list[frozenset[str]], pos: int) -> int:
    n = len(keys)
    while k < len(items):
        item = items[k]
        if item.skip:
            for jump in range(item.skip + 1):
                if jump and pos + jump - 1 < n and BARRIER in keys[pos + jump - 1]:
                    break  # a gap never reaches into the next segment
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
    if "?" in option:  # regular-expression habit; the word before would silently stay required
        raise ConfigError(
            "'?' is not phrase syntax: write an optional item as [a|b]", phrase=source, item=option
        )
    if any(word.startswith("~") for word in option.split()):  # would read as the number N
        raise ConfigError(
            "a gap cannot stand inside a group: write one phrase per option",
            phrase=source,
            item=option,
        )
    head, tail = option.startswith("*"), option.endswith("*") and len(option) > 1
    # `#` is not a token character, so an option's numbers ("ab # €") are found apart
    words = [
        word
        for part in option.strip("*").split()
        for word in (["#"] if part == "#" else tokens(part))
    ]
    if not words:
        raise ConfigError("a phrase item has no word in it", phrase=source, item=option)
    if (head and words[0] == "#") or (tail and words[-1] == "#"):
        raise ConfigError(
            "a number cannot be a stem or a compound tail", phrase=source, item=option
        )
    keys = [NUMBER if w == "#" else _word_key(w) for w in words]
    if head and tail and len(words) == 1:
        return ("*" + normalise(words[0]),)
    if head:
        keys[0] = "$" + normalise(words[0])
    if tail:
        keys[-1] = "^" + normalise(words[-1])
    return tuple(keys)


def _variants(part: str, source: str, morphology: Morphology | None) -> list[tuple[Item, ...]]:
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

    def item(keys: frozenset[str]) -> Item:
        return Item(options=morphology.inflected(keys) if morphology else keys)

    single = frozenset(k[0] for k in options if len(k) == 1)
    rows: list[tuple[Item, ...]] = [(item(single),)] if single else []
    rows.extend(tuple(item(frozenset({k})) for k in keys) for keys in options if len(keys) > 1)
    return [*rows, ()] if optional else rows


def compile_phrase(source: str, morphology: Morphology | None = None) -> tuple[Phrase, ...]:
    """Compile one written phrase into the phrases it stands for (ConfigError if malformed);
    with a `morphology`, its words also match their inflected and compound forms."""
    rows: list[tuple[Item, ...]] = [()]
    for part in _PARTS.findall(source):
        if part[0] in "([" and part[-1] not in ")]":
            raise ConfigError("a group is not closed", phrase=source, item=part)
        rows = [row + tail for row in rows for tail in _variants(part, source, morphology)]
        if len(rows) > _MAX_VARIANTS:
            raise ConfigError("a phrase expands to too many variants", phrase=source)
    phrases = []
    for items in rows:
        if not items or items[0].skip or items[-1].skip:
            raise ConfigError("a phrase starts and ends with a word, not a gap", phrase=source)
        phrases.append(Phrase(source=source, items=items))
    return tuple(phrases)


def _selectivity(item: Item) -> int:
    """How rare an item's words are likely to be: the length of its shortest option
    (common words are short; numbers and symbols are everywhere)."""
    if item.skip:
        return -1
    return min(0 if k == NUMBER else len(k) - 1 for k in item.options)


class PhraseIndex:
    """Many phrases, matched together over a token list.

    Each phrase has an anchor, its rarest item; only phrases whose anchor and other
    items all occur somewhere in the text are walked, from the positions of their first
    item. Most text starts no walk at all.

    `frequency` (word -> number of messages it occurs in, from the training corpus)
    says which item is rarest: "your" and "order" open many phrases and occur in
    nearly every message, so a phrase is better looked up by its other words. It
    changes only the order of work, never what matches; without it word length stands
    in for rarity.
    """

    def __init__(
        self,
        phrases: list[Phrase],
        morphology: Morphology | None = None,
        frequency: Mapping[str, int] | None = None,
    ) -> None:
        self.phrases = phrases
        self._morphology = morphology
        self._anchors: dict[str, list[int]] = {}
        keys: set[str] = set()
        for phrase in phrases:
            for item in phrase.items:
                keys |= item.options
        self._keys = frozenset(keys)
        self._prefix_lens = sorted({len(k) - 1 for k in keys if k[0] == "^"})
        self._suffix_lens = sorted({len(k) - 1 for k in keys if k[0] == "$"})
        self._infixes = sorted(k[1:] for k in keys if k[0] == "*")
        self._cache: dict[str, frozenset[str]] = {}
        seen = self._key_frequency(frequency or {})

        def rarity(item: Item) -> tuple[int, int]:
            """Lower is rarer: how often its commonest option occurs, then shortness."""
            return max(seen.get(k, 0) for k in item.options), -_selectivity(item)

        self._windows: list[tuple[frozenset[str], int, int]] = []
        for pid, phrase in enumerate(phrases):
            words = [n for n, item in enumerate(phrase.items) if not item.skip]
            at = min(words, key=lambda n: rarity(phrase.items[n]))
            before = phrase.items[:at]
            shortest = sum(1 for i in before if not i.skip)
            self._windows.append(
                (phrase.items[at].options, shortest, shortest + sum(i.skip for i in before))
            )
            for key in phrase.items[at].options:
                self._anchors.setdefault(key, []).append(pid)
        # per phrase: the options of its word items, rarest first (a check fails early)
        self._needs = [
            tuple(i.options for i in sorted((i for i in p.items if not i.skip), key=rarity))
            for p in phrases
        ]
        # per phrase: its items' options when it has no gap (matched inline), else None
        self._fixed = [
            None if any(i.skip for i in p.items) else tuple(i.options for i in p.items)
            for p in phrases
        ]

    def _key_frequency(self, frequency: Mapping[str, int]) -> dict[str, int]:
        """How many messages each key occurs in, from word frequencies (a key such as a
        stem or a compound tail counts every word that resolves to it)."""
        seen: dict[str, int] = {}
        for word, count in frequency.items():
            for key in self._resolve(word):
                seen[key] = seen.get(key, 0) + count
        return seen

    def _resolve(self, raw: str) -> frozenset[str]:
        if raw == BARRIER:
            return _BARRIER_KEYS
        word = normalise(raw)
        found = {NUMBER, "=" + raw} if word == NUMBER else {"=" + word}
        found.update("^" + word[:n] for n in self._prefix_lens if len(word) >= n)
        found.update("$" + word[-n:] for n in self._suffix_lens if len(word) >= n)
        found.update("*" + infix for infix in self._infixes if infix in word)
        if self._morphology is not None and word.isalpha():
            found.update("+" + stem for stem in self._morphology.stems(word))
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

    def _positions(self, keys: list[frozenset[str]]) -> dict[str, list[int]]:
        """The token positions of each key, ascending. Tokens are grouped by their key
        set first (text repeats its words), so each key is visited once per distinct set."""
        by_set: dict[frozenset[str], list[int]] = {}
        for i, token_keys in enumerate(keys):
            if token_keys:
                found = by_set.get(token_keys)
                if found is None:
                    by_set[token_keys] = [i]
                else:
                    found.append(i)
        by_set.pop(_BARRIER_KEYS, None)
        positions: dict[str, list[int]] = {}
        merged: list[str] = []
        for token_keys, at in by_set.items():
            for key in token_keys:
                known = positions.get(key)
                if known is None:
                    positions[key] = at
                else:
                    positions[key] = known + at
                    merged.append(key)
        for key in merged:
            positions[key].sort()
        return positions

    def find(self, raw_tokens: list[str]) -> list[tuple[int, int, int]]:
        """Every (phrase id, first token, last token) that matches, one per phrase and start."""
        keys = self.keys(raw_tokens)
        positions = self._positions(keys)
        if not positions:
            return []
        present = positions.keys()
        anchors = self._anchors
        viable = {pid for key in present if key in anchors for pid in anchors[key]}
        hits: list[tuple[int, int, int]] = []
        needs = self._needs
        for pid in sorted(viable):
            for options in needs[pid]:
                if present.isdisjoint(options):
                    break
            else:
                fixed = self._fixed[pid]
                if fixed is not None:
                    self._walk_fixed(pid, fixed, keys, positions, hits)
                else:
                    self._walk_gapped(pid, keys, positions, hits)
        return hits

    def _walk_fixed(
        self,
        pid: int,
        items: tuple[frozenset[str], ...],
        keys: list[frozenset[str]],
        positions: dict[str, list[int]],
        hits: list[tuple[int, int, int]],
    ) -> None:
        """Matches of a phrase without gaps: one start per anchor position."""
        options, near, _ = self._windows[pid]
        first = items[0]
        size = len(items)
        limit = len(keys) - size
        tried: set[int] = set()
        for key in options:
            for at in positions.get(key, ()):
                start = at - near
                if start < 0 or start in tried or first.isdisjoint(keys[start]):
                    continue
                tried.add(start)
                if start > limit:
                    continue
                for n in range(1, size):
                    if items[n].isdisjoint(keys[start + n]):
                        break
                else:
                    hits.append((pid, start, start + size - 1))

    def _walk_gapped(
        self,
        pid: int,
        keys: list[frozenset[str]],
        positions: dict[str, list[int]],
        hits: list[tuple[int, int, int]],
    ) -> None:
        phrase = self.phrases[pid]
        options, near, far = self._windows[pid]
        first = phrase.items[0].options
        tried: set[int] = set()
        for key in options:
            for at in positions.get(key, ()):
                for start in range(max(at - far, 0), at - near + 1):
                    if start in tried or first.isdisjoint(keys[start]):
                        continue
                    tried.add(start)
                    end = _match(phrase.items, 0, keys, start)
                    if end >= 0:
                        hits.append((pid, start, end))


__all__ = ["BARRIER", "Item", "Morphology", "Phrase", "PhraseIndex", "compile_phrase"]
