"""From evidence to a verdict: kind, service basis, primary purpose, gap.

UK/EU: one promotional element of sufficient weight (or a block the model scores
as promotional) makes the whole message marketing; a service purpose never
outweighs it. US (16 CFR 316.3(a)(2)): a message with both kinds of content is
commercial when its subject carries the promotion, when no transactional content
is found, or when the transactional content does not come first in the body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from maysend.classify.matching import Hit
from maysend.classify.verdict import PROMOTIONAL, Category, PrimaryPurpose, ServiceBasis
from maysend.errors import ConfigError


@dataclass(frozen=True, slots=True)
class DecisionRules:
    marketing_threshold: float
    supported_weight: float
    red_flags: frozenset[str]
    flagged_threshold: float
    model_id: str
    model_description: str
    budget_chars: int
    quote_chars: int


def load_decision_rules(config_dir: Path | None = None) -> DecisionRules:
    """rules/decision.yaml, with `<config_dir>/local.d/decision.yaml` keys merged over it."""
    path = resources.files("maysend.classify") / "rules" / "decision.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    local = config_dir / "local.d" / "decision.yaml" if config_dir else None
    try:
        if local is not None and local.is_file():
            data |= yaml.safe_load(local.read_text(encoding="utf-8")) or {}
        return DecisionRules(
            marketing_threshold=float(data["marketing_threshold"]),
            supported_weight=float(data["supported_weight"]),
            red_flags=frozenset(str(f) for f in data["red_flags"]),
            flagged_threshold=float(data["flagged_threshold"]),
            model_id=str(data["model_indicator"]["id"]),
            model_description=str(data["model_indicator"]["description"]).strip(),
            budget_chars=int(data["budget_chars"]),
            quote_chars=int(data["quote_chars"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"cannot use decision rules: {error}", file=str(local or path)) from error


def promotional_weight(hits: Iterable[Hit]) -> float:
    """Summed weight of promotional indicators, each indicator's strongest hit once."""
    best: dict[str, float] = {}
    for hit in hits:
        if hit.indicator.category in PROMOTIONAL:
            ident = hit.indicator.id
            best[ident] = max(best.get(ident, 0.0), hit.indicator.weight)
    return sum(best.values())


def red_flagged(hits: Iterable[Hit], rules: DecisionRules) -> bool:
    """A red flag fired: the message vouches for itself, so weak evidence counts more."""
    return any(hit.indicator.id in rules.red_flags for hit in hits)


def service_basis(hits: Iterable[Hit]) -> ServiceBasis | None:
    """The service purpose with most weight; the earliest wins a tie."""
    totals: dict[ServiceBasis, float] = {}
    first: dict[ServiceBasis, int] = {}
    for hit in hits:
        basis = hit.indicator.basis
        if basis is None:
            continue
        totals[basis] = totals.get(basis, 0.0) + hit.indicator.weight
        first.setdefault(basis, hit.segment.order)
    if not totals:
        return None
    return min(totals, key=lambda b: (-totals[b], first[b], b.value))


def primary_purpose(
    promotional: list[tuple[str, int]], service: list[int], is_marketing: bool
) -> PrimaryPurpose:
    """16 CFR 316.3: `promotional` holds (where, order) of promotional evidence,
    `service` the order of service evidence in the message."""
    if not is_marketing:
        return PrimaryPurpose.TRANSACTIONAL
    if not service or any(where == "subject" for where, _ in promotional):
        return PrimaryPurpose.COMMERCIAL
    first_promo = min(order for _, order in promotional) if promotional else None
    body_service = [o for o in service if o >= 0]
    if not body_service or (first_promo is not None and first_promo < min(body_service)):
        return PrimaryPurpose.COMMERCIAL
    return PrimaryPurpose.TRANSACTIONAL


def is_flag(hit: Hit) -> bool:
    return hit.indicator.category is Category.FLAG


__all__ = [
    "DecisionRules",
    "is_flag",
    "load_decision_rules",
    "primary_purpose",
    "promotional_weight",
    "red_flagged",
    "service_basis",
]
