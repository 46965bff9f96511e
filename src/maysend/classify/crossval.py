"""Cross-validation on the training split: how the classifier does on messages it did not see.

The test split is read once, at the end; everything tuned before that is measured here.
Two schemes, both retraining the block model per fold and classifying the held-out
messages end to end (rules, model, thresholds):

- `stratified`: per language, five folds stratified by label; each fold trains on the
  other folds of its language and all of the other language.
- `grouped`: leave one writer out. Corpus files are named `<writer>-<n>-<slug>.eml`;
  holding out a whole writer shows how the classifier does on phrasing it has never
  seen, which a random split flatters (a writer's messages share turns of phrase).

The indicators were written against this split, so both figures measure the model and
the decision on unseen text, not the rules' reach to new phrasing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from maysend.classify.corpus import Labelled, labelled_corpus
from maysend.classify.engine import Classifier, MessageReading
from maysend.classify.evaluation import Outcome, Report, evaluate
from maysend.classify.features import FeatureSpec
from maysend.classify.sentences import Sentence, sentence_corpus
from maysend.classify.training import SEED, fit_model
from maysend.classify.verdict import Kind
from maysend.message import parse_file
from maysend.message.model import Message

FOLDS = 5
SCHEMES = ("stratified", "grouped")


@dataclass(frozen=True, slots=True)
class Corpus:
    """The split, parsed and read by the rules once for all folds."""

    items: list[Labelled]
    messages: list[Message]
    readings: list[MessageReading]
    sentences: list[Sentence] = field(default_factory=list)  # in every fold's training


def writer_of(item: Labelled) -> str:
    """The writer a corpus file comes from: its name up to the first dash."""
    return item.path.name.split("-", 1)[0]


def _stratified(items: Sequence[Labelled]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    language = np.array([i.language for i in items])
    labels = np.array([i.label is Kind.MARKETING for i in items], dtype=int)
    for lang in sorted(set(language)):
        mine, others = np.flatnonzero(language == lang), np.flatnonzero(language != lang)
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
        for train, held in folds.split(mine, labels[mine]):
            yield np.concatenate([mine[train], others]), mine[held]


def _grouped(items: Sequence[Labelled]) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    writers = np.array([writer_of(i) for i in items])
    for writer in sorted(set(writers)):
        yield np.flatnonzero(writers != writer), np.flatnonzero(writers == writer)


def load(root: Path, sentences: Path | None = None) -> Corpus:
    items = labelled_corpus(root)
    classifier = Classifier(rules_only=True)
    messages = [parse_file(item.path) for item in items]
    labelled = sentence_corpus(sentences) if sentences is not None else []
    return Corpus(items, messages, [classifier.read(m) for m in messages], labelled)


def cross_validate(corpus: Corpus, scheme: str, spec: FeatureSpec | None = None) -> Report:
    """Every message classified by a model trained without it (or without its writer)."""
    splits = _stratified(corpus.items) if scheme == "stratified" else _grouped(corpus.items)
    outcomes: list[Outcome] = []
    for train, held in splits:
        model = fit_model(
            [corpus.readings[i] for i in train],
            [corpus.items[i].label for i in train],
            spec or FeatureSpec(),
            corpus.sentences,
        )
        fold = Classifier(model=model)
        outcomes += [Outcome(corpus.items[i], fold.classify(corpus.messages[i])) for i in held]
    outcomes.sort(key=lambda o: o.item.path)
    return evaluate(outcomes)


__all__ = ["FOLDS", "SCHEMES", "Corpus", "cross_validate", "load", "writer_of"]
