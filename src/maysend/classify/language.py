"""Which language a message is written in, and whether it mixes languages.

lingua is built once, for only the languages in `rules/languages.yaml` (building
it for every language is slow and its model large), in low-accuracy mode, and
reads a bounded sample: the subject and the first body blocks. Mixed-language
mail is found more cheaply by counting English and German function words per
block, which the tokens already give.
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


@dataclass(frozen=True, slots=True)
class LanguageSetup:
    supported: frozenset[str]
    detect: tuple[str, ...]
    sample_chars: int
    function_words: dict[str, frozenset[str]]


@cache
def language_setup() -> LanguageSetup:
    path = resources.files("maysend.classify") / "rules" / "languages.yaml"
    try:
        data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return LanguageSetup(
            supported=frozenset(data["supported"]),
            detect=tuple(data["detect"]),
            sample_chars=int(data["sample_chars"]),
            function_words={k: frozenset(v) for k, v in data["function_words"].items()},
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
        self._detector: LanguageDetector = (
            LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
        )

    def detect(self, texts: Sequence[str]) -> str:
        """ISO 639-1 code of the sample's language, or "unknown"."""
        text = sample(list(texts), self.setup.sample_chars)
        if sum(c.isalpha() for c in text) < _MIN_LETTERS:
            return UNKNOWN
        found = self._detector.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found is not None else UNKNOWN

    def marked(self, raw_tokens: Sequence[str]) -> str | None:
        """The supported language whose function words dominate a block's tokens, if any."""
        counts = dict.fromkeys(self.setup.function_words, 0)
        for token in raw_tokens:
            word = token.lower()
            for lang, words in self.setup.function_words.items():
                if word in words:
                    counts[lang] += 1
        best = max(counts, key=lambda k: counts[k])
        return (
            best if counts[best] >= 3 and list(counts.values()).count(counts[best]) == 1 else None
        )

    def is_mixed(self, blocks: Sequence[Sequence[str]]) -> bool:
        """True when substantial parts of the body (blocks as token lists) are in different
        supported languages."""
        marks = [m for m in (self.marked(b) for b in blocks) if m is not None]
        if len(marks) < 2:
            return False
        shares = [marks.count(lang) / len(marks) for lang in set(marks)]
        return len(shares) > 1 and sorted(shares)[-2] >= _MIXED_SHARE


@cache
def language_reader() -> LanguageReader:
    """The process-wide reader (lingua's models load once)."""
    return LanguageReader(language_setup())


__all__ = ["UNKNOWN", "LanguageReader", "LanguageSetup", "language_reader", "language_setup"]
