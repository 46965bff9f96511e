"""Train the block model on the labelled corpus, reproducibly.

Why per block: the law asks whether *any* element promotes, so the model scores
each block and its evidence points at the block, not at the message.

Per-block labels are not in the corpus (labels are per message), so they are
inferred as multiple-instance learning, seeded by the rules:
- every block of a service message is negative (by its label, nothing in it promotes);
- a block of a marketing message in which a decisive promotional indicator fires is
  positive and stays positive;
- the other blocks of a marketing message start as weak positives, and are then
  relabelled for a few rounds by the model itself (positive only where it scores them
  promotional), keeping at least the highest-scoring block of each marketing message
  positive. Greetings, order tables and sign-offs that marketing messages share with
  their service twins thereby end up negative, and the model learns what the rules'
  wording has in common with promotional text the rules do not name.
Footer blocks and legal boilerplate are never read (a plain unsubscribe footer does
not count).

A message promotional throughout (a newsletter whose every block sells a little, none
enough alone) is caught by the message-level aggregate: the second-highest block
probability, with its own threshold chosen on the same out-of-fold scores and the same
service false-positive budget, so that two moderately promotional blocks together count.

Labelled sentences (`maysend.classify.sentences`, corpus/classify/sentences) are read as
blocks whose label is their own: in every fold's training, never relabelled, never scored
out of fold. A marketing message says only that one of its blocks promotes; a sentence
says which text does, and the sentences are dense with what messages carry once (a priced
extra in a footer, a referral line, a question hook before a product). On four fresh
sentence batteries (880 sentences, en and de, read by neither model) this cut the
misread sentences from 91 to 57 with no more false positives.

The message-level probability is calibrated on out-of-fold block scores
(stratified folds over messages): a logistic map of the summed rule weight, the
top block logit and whether a service purpose was found. The block threshold at
which MODEL_PROMOTIONAL_TEXT fires is chosen on the same out-of-fold scores.

Deterministic: files in sorted order, a sorted vocabulary, fixed seeds, and a
solver without randomness, so `maysend train` reproduces the shipped artifact.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from maysend.classify.blockmodel import BlockModel, Calibration, sigmoid
from maysend.classify.corpus import Labelled, labelled_corpus
from maysend.classify.decision import promotional_weight, service_basis
from maysend.classify.engine import Classifier, MessageReading
from maysend.classify.features import FeatureSpec, Featurizer
from maysend.classify.frequency import count_words
from maysend.classify.sentences import Sentence, sentence_corpus, sentence_files
from maysend.classify.text import tokens
from maysend.classify.verdict import PROMOTIONAL, Kind
from maysend.message import parse_file

SEED = 0
FOLDS = 5
ROUNDS = 4
C = 10.0
MIN_DF = 2
SEED_WEIGHT = 1.0  # a rule hit of at least this weight seeds a positive block
# Share of service messages the model alone may flag, out of fold. Chosen on a held-out split
# used once for this choice (0.005 / 0.01 / 0.02 / 0.04 gave F1 0.855 / 0.873 / 0.884 / 0.879
# there). 0.02 scored best there but flagged a plain unsubscribe confirmation among the decided
# cases (tests/classify/test_decided_cases.py), so the next step down is used.
MAX_SERVICE_FPR = 0.01
MAX_SUPPORTED_FPR = 0.05  # the same for the lower threshold used beside weak rule evidence
_CODE = (
    "training.py",
    "features.py",
    "text.py",
    "blockmodel.py",
    "phrases.py",
    "matching.py",
    "sentences.py",
)


@dataclass(frozen=True, slots=True)
class Units:
    """Every block the model reads, over the whole corpus."""

    features: list[dict[str, int]]
    message: np.ndarray  # message index of each unit
    seeded: np.ndarray  # a decisive promotional indicator fired in the unit
    labels: np.ndarray  # 1 = marketing, per message
    rule_weight: np.ndarray  # per message
    has_service: np.ndarray  # per message
    # per unit: -1 for a message's block, 0 or 1 for a labelled sentence (whose label is
    # its own, never inferred, and which is in every fold's training and no fold's scores)
    fixed: np.ndarray


def corpus_version(
    items: Sequence[Labelled], root: Path, sentence_files: Sequence[Path] = ()
) -> str:
    """Hash of the corpus, the sentences, the rules and the training code: the model's
    version."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(str(item.path.relative_to(root) if root.is_dir() else item.path).encode())
        digest.update(item.path.read_bytes())
    for path in sentence_files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    package = resources.files("maysend.classify")
    rules = sorted(
        (p for p in Path(str(package / "rules")).rglob("*.yaml")), key=lambda p: p.as_posix()
    )
    for path in [*(Path(str(package / name)) for name in _CODE), *rules]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def read_corpus(items: Sequence[Labelled], classifier: Classifier) -> list[MessageReading]:
    return [classifier.read(parse_file(item.path)) for item in items]


def collect_units(
    readings: Sequence[MessageReading],
    labels: Sequence[Kind],
    spec: FeatureSpec,
    sentences: Sequence[Sentence] = (),
) -> Units:
    featurizer = Featurizer(spec)
    features: list[dict[str, int]] = []
    message: list[int] = []
    seeded: list[bool] = []
    fixed: list[int] = []
    for n, reading in enumerate(readings):
        decisive = {
            h.segment.where
            for h in reading.hits
            if h.indicator.category in PROMOTIONAL and h.indicator.weight >= SEED_WEIGHT
        }
        for i in reading.units:
            found = featurizer.counts(reading.tokens[i])
            if not found:
                continue
            features.append(found)
            message.append(n)
            seeded.append(reading.segments.items[i].where in decisive)
            fixed.append(-1)
    for sentence in sentences:
        found = featurizer.counts(tokens(sentence.text))
        if found:
            features.append(found)
            message.append(0)  # not a message's: `fixed` says so
            seeded.append(sentence.promotes)
            fixed.append(int(sentence.promotes))
    return Units(
        features,
        np.array(message, dtype=int),
        np.array(seeded, dtype=bool),
        np.array([label is Kind.MARKETING for label in labels], dtype=int),
        np.array([promotional_weight(r.hits) for r in readings]),
        np.array([service_basis(r.hits) is not None for r in readings], dtype=bool),
        np.array(fixed, dtype=int),
    )


def design(features: list[dict[str, int]], vocabulary: dict[str, int]) -> csr_matrix:
    """Counts scaled by 1/sqrt(total count), as `BlockScorer.logit` scores them."""
    indptr: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []
    for found in features:
        scale = 1.0 / math.sqrt(sum(found.values())) if found else 0.0
        columns = sorted((vocabulary[f], n) for f, n in found.items() if f in vocabulary)
        indices.extend(c for c, _ in columns)
        values.extend(n * scale for _, n in columns)
        indptr.append(len(indices))
    return csr_matrix((values, indices, indptr), shape=(len(features), len(vocabulary)))


def build_vocabulary(features: list[dict[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in features:
        for f in found:
            counts[f] = counts.get(f, 0) + 1
    kept = sorted(f for f, c in counts.items() if c >= MIN_DF)
    return {f: i for i, f in enumerate(kept)}


def fit_blocks(x: csr_matrix, units: Units, rows: np.ndarray) -> LogisticRegression:
    """Multiple-instance fit over the units in `rows` (see the module docstring)."""
    msg = units.message[rows]
    fixed = units.fixed[rows]
    of_message = fixed < 0
    positive_msg = np.where(of_message, units.labels[msg] == 1, fixed == 1)
    open_ = positive_msg & ~units.seeded[rows] & of_message
    y = positive_msg.astype(int)
    use = ~open_  # first round: seeded positives against service blocks only
    model = _fit(x[rows][use], y[use])
    for _ in range(ROUNDS):
        score = model.decision_function(x[rows])
        relabelled = np.where(open_, (score > 0).astype(int), y)
        for m in np.unique(msg[positive_msg & of_message]):
            mine = (msg == m) & of_message
            if not relabelled[mine].any():
                relabelled[np.flatnonzero(mine)[np.argmax(score[mine])]] = 1
        if use.all() and np.array_equal(relabelled, y):
            break
        y, use = relabelled, np.ones_like(use)
        model = _fit(x[rows], y)
    return model


def _fit(x: csr_matrix, y: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=SEED)
    return model.fit(x, y)


def out_of_fold_top(x: csr_matrix, units: Units) -> tuple[np.ndarray, np.ndarray]:
    """Per message, the highest and second-highest block logits from a model that did not
    see the message."""
    top = np.full(len(units.labels), -10.0)
    second = np.full(len(units.labels), -10.0)
    of_message = units.fixed < 0
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train_msgs, held_msgs in folds.split(np.zeros(len(units.labels)), units.labels):
        rows = np.flatnonzero((np.isin(units.message, train_msgs) & of_message) | ~of_message)
        model = fit_blocks(x, units, rows)
        held = np.flatnonzero(np.isin(units.message, held_msgs) & of_message)
        if held.size:
            for row, score in zip(held, model.decision_function(x[held]), strict=True):
                m = units.message[row]
                value = float(score)
                if value > top[m]:
                    top[m], second[m] = value, top[m]
                elif top[m] > value > second[m]:  # a repeated text scores the same: once
                    second[m] = value
    return top, second


def choose_threshold(units: Units, top: np.ndarray, max_fpr: float = MAX_SERVICE_FPR) -> float:
    """Block probability at which MODEL_PROMOTIONAL_TEXT fires: the lowest at which the
    model alone, out of fold, flags at most `max_fpr` of the service messages.

    In steps of 0.0025: with steps of 0.01 the threshold alternated between 0.95 and 0.96
    as the corpus grew, and each jump flipped every text the model scored in between.

    Not tuned jointly with the rules: they were written against this split, so out of
    fold they leave the model nothing to find and would push the threshold to 1.
    """
    service = np.array([sigmoid(t) for t in top])[units.labels == 0]
    for tau in np.arange(0.50, 0.995, 0.0025):
        if service.size == 0 or np.mean(service >= tau) <= max_fpr:
            return round(float(tau), 4)
    return 0.995


def calibrate(units: Units, top: np.ndarray) -> Calibration:
    features = np.column_stack(
        [np.minimum(units.rule_weight, 3.0), top, units.has_service.astype(float)]
    )
    model = LogisticRegression(C=1.0, solver="lbfgs").fit(features, units.labels)
    promo, block, service = (float(c) for c in model.coef_[0])
    return Calibration(promo=promo, block=block, service=service, bias=float(model.intercept_[0]))


def fit_model(
    readings: Sequence[MessageReading],
    labels: Sequence[Kind],
    spec: FeatureSpec,
    sentences: Sequence[Sentence] = (),
) -> BlockModel:
    """The block model, its threshold and calibration, from read messages and their labels
    and labelled sentences (blocks only: thresholds and calibration are the messages')."""
    units = collect_units(readings, labels, spec, sentences)
    vocabulary = build_vocabulary(units.features)
    x = design(units.features, vocabulary)
    top, second = out_of_fold_top(x, units)
    final = fit_blocks(x, units, np.arange(len(units.features)))
    coefficients = final.coef_[0]
    return BlockModel(
        weights={f: float(coefficients[i]) for f, i in vocabulary.items() if coefficients[i]},
        bias=float(final.intercept_[0]),
        threshold=choose_threshold(units, top),
        support_threshold=choose_threshold(units, top, MAX_SUPPORTED_FPR),
        pair_threshold=choose_threshold(units, second),
        calibration=calibrate(units, top),
        spec=spec,
        stats={
            "messages": len(readings),
            "marketing": int(units.labels.sum()),
            "blocks": len(units.features),
            "sentences": int((units.fixed >= 0).sum()),
            "features": len(vocabulary),
        },
    )


def train(
    corpus: Path, spec: FeatureSpec | None = None, sentences: Path | None = None
) -> BlockModel:
    """Train from the labelled files under `corpus` (the train split only) and, if given,
    the labelled sentences under `sentences`."""
    return train_with_frequency(corpus, spec, sentences)[0]


def train_with_frequency(
    corpus: Path, spec: FeatureSpec | None = None, sentences: Path | None = None
) -> tuple[BlockModel, dict[str, int]]:
    """The model and the corpus's word frequencies (`maysend.classify.frequency`), from
    one reading of the corpus (the sentences are not counted: they would tilt the phrase
    index towards the words the table repeats)."""
    items = labelled_corpus(corpus)
    labelled = sentence_corpus(sentences) if sentences is not None else []
    classifier = Classifier(rules_only=True)
    readings = read_corpus(items, classifier)
    model = fit_model(readings, [item.label for item in items], spec or FeatureSpec(), labelled)
    frequency = count_words(
        [token for block in reading.tokens for token in block] for reading in readings
    )
    files = [path for _, path in sentence_files(sentences)] if sentences is not None else []
    return replace(model, version=corpus_version(items, corpus, files)), frequency


__all__ = ["corpus_version", "fit_model", "read_corpus", "train", "train_with_frequency"]
