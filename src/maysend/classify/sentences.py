"""Labelled sentences: one promotional or neutral sentence per line, per language.

The files under `corpus/classify/sentences/<lang>.txt` hold the sentences the
classifier is held to one by one (tests/classify/test_one_sentence.py places each in
a plain delivery notice). Training reads them too, as blocks whose label is known:
a marketing message says only that one of its blocks promotes, a sentence says which
text does, and the sentences are dense with the categories that messages carry once
(a priced extra in a footer, a referral line, a question hook before a product).

Format: `m|sentence` (promotes) or `s|sentence` (neutral); `mS|` / `sS|` mark a
sentence that the test adds to the subject line instead of the body. Lines starting
with `#` and blank lines are comments.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from maysend.errors import InputError

LANGUAGES = ("en", "de")


@dataclass(frozen=True, slots=True)
class Sentence:
    lang: str
    promotes: bool
    in_subject: bool
    text: str
    line: int


def read_sentences(path: Path, lang: str) -> list[Sentence]:
    """The labelled sentences of one file; a line without a known mark is an error."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        mark, bar, text = line.partition("|")
        if not bar or mark not in {"m", "s", "mS", "sS"} or not text.strip():
            raise InputError(
                "a labelled sentence must read 'm|…', 's|…', 'mS|…' or 'sS|…'",
                file=str(path),
                line=number,
            )
        found.append(Sentence(lang, mark[0] == "m", mark.endswith("S"), text.strip(), number))
    return found


def sentence_files(directory: Path) -> list[tuple[str, Path]]:
    """(language, file) of each `<lang>.txt` under `directory`, in a fixed order."""
    return [(lang, path) for lang in LANGUAGES if (path := directory / f"{lang}.txt").is_file()]


def sentence_corpus(directory: Path) -> list[Sentence]:
    """Every labelled sentence under `directory` (`<lang>.txt`), in a fixed order."""
    return [s for lang, path in sentence_files(directory) for s in read_sentences(path, lang)]


__all__ = ["LANGUAGES", "Sentence", "read_sentences", "sentence_corpus", "sentence_files"]
