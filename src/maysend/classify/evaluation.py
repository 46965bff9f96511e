"""Precision, recall and F1 per language on a labelled directory (marketing = positive).

Also counts the error the law punishes: a message labelled marketing that carries a
service purpose (a service message with a promotional element) classified as service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from maysend.classify.corpus import Labelled
from maysend.classify.verdict import Kind, Verdict


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Labelled
    verdict: Verdict

    @property
    def correct(self) -> bool:
        return self.verdict.kind is self.item.label


@dataclass(slots=True)
class Confusion:
    """Rows: labelled; columns: classified."""

    tp: int = 0  # marketing classified marketing
    fn: int = 0  # marketing classified service
    fp: int = 0  # service classified marketing
    tn: int = 0  # service classified service

    def add(self, labelled: Kind, classified: Kind) -> None:
        if labelled is Kind.MARKETING:
            self.tp += classified is Kind.MARKETING
            self.fn += classified is Kind.SERVICE
        else:
            self.fp += classified is Kind.MARKETING
            self.tn += classified is Kind.SERVICE

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def total(self) -> int:
        return self.tp + self.fn + self.fp + self.tn


@dataclass(slots=True)
class Report:
    by_language: dict[str, Confusion] = field(default_factory=dict)
    overall: Confusion = field(default_factory=Confusion)
    misclassified: list[Outcome] = field(default_factory=list)
    dressed_as_service: list[Outcome] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)


def evaluate(outcomes: list[Outcome], errors: list[tuple[Path, str]] | None = None) -> Report:
    report = Report(errors=list(errors or []))
    for outcome in outcomes:
        language = outcome.item.language or outcome.verdict.language
        confusion = report.by_language.setdefault(language, Confusion())
        confusion.add(outcome.item.label, outcome.verdict.kind)
        report.overall.add(outcome.item.label, outcome.verdict.kind)
        if not outcome.correct:
            report.misclassified.append(outcome)
            if outcome.item.label is Kind.MARKETING and outcome.verdict.service_basis:
                report.dressed_as_service.append(outcome)
    report.by_language = dict(sorted(report.by_language.items()))
    return report


__all__ = ["Confusion", "Outcome", "Report", "evaluate"]
