"""One row per legal case: the table every jurisdiction's test runs."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from maysend.classify.verdict import Verdict
from maysend.ledger.state import ConsentState
from maysend.message.model import Message
from maysend.policy import Action, Decision, PolicyConfig, Recipient, decide

from .factory import AT, config, message

DEFAULT_CONFIG = config()


@dataclass(frozen=True)
class Case:
    """`id` names the rule or decided case reproduced, with its citation."""

    id: str
    verdict: Verdict
    state: ConsentState | None
    action: Action
    code: str
    message: Message | None = field(default_factory=message)
    country: str | None = None
    trail: tuple[str, ...] = ()  # codes that must also appear among the reasons
    requirements: tuple[str, ...] = ()  # requirement codes that must be reported
    policy: PolicyConfig = DEFAULT_CONFIG


def run(case: Case) -> Decision:
    recipient = Recipient("someone@example.org", case.country, case.state)
    return decide(case.message, case.verdict, recipient, AT, config=case.policy)


def check(case: Case, jurisdiction: str | None) -> Decision:
    decision = run(case)
    codes = [r.code for r in decision.reasons]
    assert (decision.action, decision.code) == (case.action, case.code), codes
    assert decision.jurisdiction == jurisdiction or decision.action is Action.HOLD
    assert set(case.trail) <= set(codes), codes
    assert set(case.requirements) <= {r.code for r in decision.requirements}
    assert all(r.citation for r in decision.reasons), "every reason cites its rule"
    return decision


def named(cases: list[Case], prefix: str) -> Case:
    return next(c for c in cases if c.id.startswith(prefix))


def table(cases: list[Case]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("case", cases, ids=[c.id for c in cases])
