"""Is this message marketing? Message in, an explainable Verdict out.

    from maysend.classify import classify, load_classifier
    verdict = classify(message)              # the process-wide classifier, loaded once
    classifier = load_classifier(settings)   # or hold one yourself for a batch
    verdicts = [classifier.classify(m) for m in messages]

Indicators live in `rules/<lang>/*.yaml` (layered with a deployment's
local.d/override.d), the trained block model in `model/model.joblib`
(`maysend train` rebuilds it from the corpus).
"""

from __future__ import annotations

from functools import cache

from maysend.classify.engine import Classifier
from maysend.classify.settings import ClassifierSettings
from maysend.classify.verdict import (
    PROMOTIONAL,
    Category,
    Evidence,
    Kind,
    PrimaryPurpose,
    ServiceBasis,
    Verdict,
)
from maysend.message.model import Message


def load_classifier(settings: ClassifierSettings | None = None) -> Classifier:
    """A classifier for `settings`; the default one is built once per process."""
    return Classifier(settings) if settings is not None else _default()


@cache
def _default() -> Classifier:
    return Classifier(ClassifierSettings())


def classify(message: Message) -> Verdict:
    """Classify one message with the process-wide classifier."""
    return _default().classify(message)


__all__ = [
    "PROMOTIONAL",
    "Category",
    "Classifier",
    "ClassifierSettings",
    "Evidence",
    "Kind",
    "PrimaryPurpose",
    "ServiceBasis",
    "Verdict",
    "classify",
    "load_classifier",
]
