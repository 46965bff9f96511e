"""The labelled corpus: one .eml per message, labelled in its own headers.

    X-Maysend-Label: marketing | service
    X-Maysend-Rationale: one line saying why

Files are read in sorted order so that training is reproducible; the language
is the `en` / `de` directory a file sits in, when it sits in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path

from maysend.classify.verdict import Kind
from maysend.errors import InputError

LABEL_HEADER = "X-Maysend-Label"
RATIONALE_HEADER = "X-Maysend-Rationale"
_HEAD_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Labelled:
    path: Path
    label: Kind
    language: str  # from the directory, or "" when the path does not say
    rationale: str


def corpus_files(root: Path) -> list[Path]:
    """Every .eml under `root` (or `root` itself), sorted."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("corpus directory not found", path=str(root))
    return sorted(root.rglob("*.eml"))


def language_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts[:-1] if root.is_dir() else ()
    return next((p for p in reversed(parts) if p in {"en", "de"}), "")


def read_label(path: Path, root: Path) -> Labelled:
    """The label of one corpus file; InputError when it has none."""
    try:
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except OSError as error:
        raise InputError(f"cannot read corpus file: {error}", path=str(path)) from error
    headers = BytesHeaderParser().parsebytes(head)
    raw = str(headers.get(LABEL_HEADER, "")).strip().lower()
    try:
        label = Kind(raw)
    except ValueError as error:
        raise InputError(f"missing or unknown {LABEL_HEADER}: {raw!r}", path=str(path)) from error
    rationale = " ".join(str(headers.get(RATIONALE_HEADER, "")).split())
    return Labelled(path, label, language_of(path, root), rationale)


def labelled_corpus(root: Path) -> list[Labelled]:
    return [read_label(path, root) for path in corpus_files(root)]


__all__ = ["LABEL_HEADER", "Labelled", "corpus_files", "labelled_corpus", "read_label"]
