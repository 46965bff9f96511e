"""What a decision says: an action, the reasons in the order they mattered, and
what the message itself lacks.

`Outcome` is the facts-only answer (hashable, cacheable: the batch gate makes
one per distinct combination of facts); `Decision` is that answer for one
recipient, with the concrete ledger events each reason relied on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from maysend.classify.verdict import Kind
from maysend.ledger.state import ConsentState
from maysend.policy.rules import RequirementRule, Severity


class Action(StrEnum):
    SEND = "send"
    SUPPRESS = "suppress"  # this recipient may not get it
    BLOCK = "block"  # the message as it stands may not go: fix the message
    HOLD = "hold"  # a gap: cannot decide, so marketing does not go


class Result(StrEnum):
    """How one evaluated rule came out."""

    PASS = "pass"
    FAIL = "fail"
    DEFECT = "defect"  # the person qualifies but the message lacks what the rule needs
    INFO = "info"  # a finding that frames the decision (jurisdiction, kind)


FACT_SOURCES = (
    "verdict",
    "country",
    "consent",
    "confirmed",
    "opt_out",
    "last_purchase",
    "last_inquiry",
)


@dataclass(frozen=True, slots=True)
class Step:
    """One rule evaluated: the trail of a decision is a tuple of these.

    `uses` names the consent facts the rule read (a subset of FACT_SOURCES),
    so that decide() can attach the concrete events.
    """

    code: str
    rule: str
    citation: str
    result: Result
    explanation: str
    uses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Requirement:
    """Something the message lacks for this jurisdiction (or the bulk-sender profile)."""

    code: str
    check: str
    citation: str
    severity: Severity
    description: str

    @classmethod
    def unmet(cls, rule: RequirementRule) -> Requirement:
        return cls(rule.code, rule.check, rule.citation, rule.severity, rule.description)

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "check": self.check,
            "citation": self.citation,
            "severity": self.severity.value,
            "description": self.description,
        }


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision from discrete facts alone; `trail[0]` is the deciding rule."""

    action: Action
    kind: Kind | None
    jurisdiction: str | None
    requirements: tuple[Requirement, ...]
    trail: tuple[Step, ...]

    @property
    def code(self) -> str:
        return self.trail[0].code

    @property
    def citation(self) -> str:
        return self.trail[0].citation


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule's outcome for one recipient, with the consent facts it used."""

    code: str
    rule: str
    citation: str
    explanation: str
    facts: Mapping[str, object] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The CLI's JSON shape: `rule` carries the stable code."""
        return {
            "rule": self.code,
            "citation": self.citation,
            "explanation": self.explanation,
            "facts": dict(self.facts),
        }


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who the message would go to. `state` None means the ledger gave no answer."""

    address: str
    country: str | None = None
    state: ConsentState | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    recipient: str
    action: Action
    kind: Kind | None
    jurisdiction: str | None
    reasons: tuple[Reason, ...]
    requirements: tuple[Requirement, ...]
    policy_version: str = ""

    @property
    def code(self) -> str:
        return self.reasons[0].code

    def to_dict(self) -> dict[str, object]:
        """One object of `maysend check --json`."""
        return {
            "recipient": self.recipient,
            "action": self.action.value,
            "kind": self.kind.value if self.kind else None,
            "jurisdiction": self.jurisdiction,
            "reasons": [r.to_dict() for r in self.reasons],
            "requirements": [r.to_dict() for r in self.requirements],
        }


__all__ = [
    "FACT_SOURCES",
    "Action",
    "Decision",
    "Outcome",
    "Reason",
    "Recipient",
    "Requirement",
    "Result",
    "Step",
]
