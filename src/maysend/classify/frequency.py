"""How common each word is in the training corpus: the order in which phrases are looked up.

`maysend train` writes `word_frequency.txt` beside the model it writes, and the classifier
reads it from beside the model it loads: the commonest words of
the training split, each with the number of messages it occurs in. The phrase index
anchors each phrase on its rarest word (`maysend.classify.phrases.PhraseIndex`), so that
"your" and "order", which occur in nearly every message, do not open hundreds of
phrases per message. The file changes only how fast text is matched, never what
matches; without it the index falls back to word length.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from maysend.classify.text import normalise
from maysend.errors import ConfigError

FILE_NAME = "word_frequency.txt"
KEEP = 4000  # words kept, commonest first; rarer words count as rare (0)
_HEADER = "# word<TAB>messages it occurs in (training split); written by `maysend train`\n"


def count_words(messages: Iterable[Iterable[str]]) -> dict[str, int]:
    """Per normalised word, the number of messages (token lists) it occurs in; the `KEEP`
    commonest, ties broken by the word so that the same corpus gives the same file. Every
    number counts as the one word `#`, as phrases read it."""
    counts: Counter[str] = Counter()
    for message in messages:
        counts.update({w for w in map(normalise, message) if w})
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:KEEP])


def save(path: Path, frequency: dict[str, int]) -> None:
    lines = (f"{word}\t{count}\n" for word, count in frequency.items())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_HEADER + "".join(lines), encoding="utf-8")


def beside(model: Path) -> Path:
    """Where the word frequencies of the corpus `model` was trained on are kept."""
    return model.with_name(FILE_NAME)


def load(path: Path) -> dict[str, int]:
    """The frequencies in `path`; {} if there is no file (phrases then anchor on length)."""
    if not path.is_file():
        return {}
    frequency: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line or line.startswith("# "):  # a comment ("#" alone is the word for numbers)
            continue
        word, _, count = line.partition("\t")
        if not word or not count.isdigit():
            raise ConfigError("a line is not 'word<TAB>count'", file=str(path), line=number)
        frequency[word] = int(count)
    return frequency


__all__ = ["FILE_NAME", "beside", "count_words", "load", "save"]
