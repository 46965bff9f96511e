"""Which language a message is written in, and whether it mixes languages.

lingua is built once, for only the languages in `rules/languages.yaml` (building
it for every language is slow and its model large), in low-accuracy mode, and
reads a bounded sample: the subject and the first body blocks. Function words
(the, and, der, und ...) settle the clear cases before lingua is asked, and find
mixed-language mail, cheaply, from the tokens the rules already cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml
from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from maysend.classify.text import sample
from maysend.errors import ConfigError

UNKNOWN = "unknown"
_MIN_LETTERS = 12  # shorter samples are not worth a guess
_MIXED_SHARE = 0.2  # each language needs at least this share of marked blocks
_MIXED_BLOCKS = 40  # blocks sampled for the mixed-language check
_CLEAR_MARKS = 8  # function words needed before they alone may name the language
_CLEAR_SHARE = 0.2  # ... making up at least this share of the sample's tokens
_CLEAR_PURITY = 0.85  # ... and nearly all of one language
_REMEMBERED = 100_000  # tokens whose function-word language is kept; emptied when full


@dataclass(frozen=True, slots=True)
class LanguageSetup:
    supported: frozenset[str]
    detect: tuple[str, ...]
    sample_chars: int
    function_words: dict[str, frozenset[str]]


def _words(raw: object, lang: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(w, str) for w in raw):
        raise ConfigError("function words must be strings (quote yes/no/on/off)", lang=lang)
    return raw


@cache
def language_setup() -> LanguageSetup:
    path = resources.files("maysend.classify") / "rules" / "languages.yaml"
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return LanguageSetup(
            supported=frozenset(data["supported"]),
            detect=tuple(data["detect"]),
            sample_chars=int(data["sample_chars"]),
            function_words={k: frozenset(_words(v, k)) for k, v in data["function_words"].items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"cannot read languages.yaml: {error}", file=str(path)) from error


class LanguageReader:
    """Detects a message's language; built once per process (see `language_reader`)."""

    def __init__(self, setup: LanguageSetup) -> None:
        self.setup = setup
        try:
            languages = [
                Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                for code in setup.detect
            ]
        except AttributeError as error:
            raise ConfigError(f"unknown language code in languages.yaml: {error}") from error
        self._marks = {w: lang for lang, ws in setup.function_words.items() for w in sorted(ws)}
        self._seen: dict[str, str] = {}  # token -> its function-word language, "" for none
        self._detector: LanguageDetector = (
            LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
        )

    def detect(self, texts: Sequence[str], sample_tokens: Sequence[str] = ()) -> str:
        """ISO 639-1 code of the sample's language, or "unknown".

        When the sample's function words leave no doubt (plenty of them, nearly all
        of one supported language) that language is taken; lingua decides the rest,
        including every text in a language without function words listed.
        """
        clear = self._clearly(sample_tokens)
        if clear is not None:
            return clear
        text = sample(list(texts), self.setup.sample_chars)
        if sum(c.isalpha() for c in text) < _MIN_LETTERS:
            return UNKNOWN
        found = self._detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else UNKNOWN

    def _clearly(self, sample_tokens: Sequence[str]) -> str | None:
        counts = self._count(sample_tokens)
        marked = sum(counts.values())
        if marked < _CLEAR_MARKS or marked < _CLEAR_SHARE * len(sample_tokens):
            return None
        best = max(counts, key=lambda k: counts[k])
        return best if counts[best] >= _CLEAR_PURITY * marked else None

    def _mark_of(self, token: str) -> str:
        """The language `token` is a function word of, "" if none (remembered per token)."""
        lang = self._marks.get(token) or self._marks.get(token.lower()) or ""
        if len(self._seen) >= _REMEMBERED:
            self._seen.clear()
        self._seen[token] = lang
        return lang

    def _count(self, raw_tokens: Sequence[str]) -> dict[str, int]:
        counts = dict.fromkeys(self.setup.function_words, 0)
        seen = self._seen
        for token in raw_tokens:
            lang = seen.get(token)
            if lang is None:
                lang = self._mark_of(token)
            if lang:
                counts[lang] += 1
        return counts

    def marked(self, raw_tokens: Sequence[str]) -> str | None:
        """The supported language whose function words dominate a block's tokens, if any."""
        counts = self._count(raw_tokens)
        best = max(counts, key=lambda k: counts[k])
        return (
            best if counts[best] >= 3 and list(counts.values()).count(counts[best]) == 1 else None
        )

    def is_mixed(self, blocks: Sequence[Sequence[str]]) -> bool:
        """True when substantial parts of the body (blocks as token lists) are in different
        supported languages."""
        sampled = [b for b in blocks if len(b) >= 5][:_MIXED_BLOCKS]
        marks = [m for m in (self.marked(b) for b in sampled) if m is not None]
        if len(marks) < 2:
            return False
        shares = [marks.count(lang) / len(marks) for lang in set(marks)]
        return len(shares) > 1 and sorted(shares)[-2] >= _MIXED_SHARE


@cache
def language_reader() -> LanguageReader:
    """The process-wide reader (lingua's models load once)."""
    return LanguageReader(language_setup())


__all__ = ["UNKNOWN", "LanguageReader", "LanguageSetup", "language_reader", "language_setup"]
