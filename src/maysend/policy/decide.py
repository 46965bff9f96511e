"""decide(): one message, one recipient, one moment.

It is consent_facts + decide_facts, then each reason gets the concrete ledger
events it relied on (which event, when, from where), so a reason can be shown
to a regulator. The batch gate makes the same Outcome from SQL-computed facts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from maysend.classify.verdict import Verdict
from maysend.errors import InvalidAddress
from maysend.ledger import normalize_address
from maysend.ledger.state import ConsentState, EventRef
from maysend.message.model import Message
from maysend.policy.checks import check_message
from maysend.policy.config import PolicyConfig
from maysend.policy.facts import aware, consent_facts, on_or_before, require_aware
from maysend.policy.jurisdiction import JurisdictionChoice, choose_jurisdiction, recipient_country
from maysend.policy.model import Action, Decision, Reason, Recipient, Step
from maysend.policy.outcome import decide_facts, hold

WEEKEND = (5, 6)
OPTED_OUT_CODE = "OPTED_OUT"


def add_business_days(start: date, days: int) -> date:
    """Weekdays after `start` (public holidays are not counted out)."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        days -= current.weekday() not in WEEKEND
    return current


def event_facts(event: EventRef) -> dict[str, object]:
    return {
        "event_id": event.event_id,
        "type": event.type.value,
        "occurred_at": aware(event.occurred_at).isoformat(),
        "source": event.source,
    }


@dataclass(frozen=True, slots=True)
class Context:
    """What one decision knows concretely, to fill in the facts each step used."""

    verdict: Verdict
    choice: JurisdictionChoice
    state: ConsentState | None
    at: datetime
    grace_business_days: int | None


def ledger_facts(name: str, context: Context) -> dict[str, object]:
    """The event behind a consent fact, as of `at` (later events were not facts at `at`)."""
    state = context.state
    if state is None:
        return {}
    purchase = state.last_purchase
    refs = {
        "consent": state.consent,
        "confirmed": state.confirmed,
        "opt_out": state.opt_out,
        "last_purchase": purchase.event if purchase else None,
        "last_inquiry": state.last_inquiry,
    }
    facts: dict[str, object] = {"status": state.status.value, "as_of": state.as_of.isoformat()}
    ref = refs[name]
    if ref is not None and (name == "opt_out" or on_or_before(ref, context.at)):
        facts[name] = event_facts(ref)
        if name == "last_purchase" and purchase is not None:
            facts["product"] = purchase.product
            facts["refusal_offered"] = purchase.refusal_offered
    return facts


def verdict_facts(context: Context) -> dict[str, object]:
    verdict = context.verdict
    return {
        "categories": sorted(c.value for c in verdict.categories),
        "indicators": sorted({e.indicator for e in verdict.evidence}),
        "primary_purpose": verdict.primary_purpose.value,
        "service_basis": verdict.service_basis.value if verdict.service_basis else None,
        "score": round(verdict.score, 4),
        "gap": verdict.gap,
    }


def country_facts(context: Context) -> dict[str, object]:
    return {"country": context.choice.country, "basis": context.choice.basis.value}


def opt_out_deadline(facts: dict[str, object], context: Context) -> str:
    """CAN-SPAM's business-day allowance, reported: maysend honours opt-outs at once."""
    state, days = context.state, context.grace_business_days
    if state is None or state.opt_out is None or days is None:
        return ""
    deadline = add_business_days(aware(state.opt_out.occurred_at).date(), days)
    facts["statutory_deadline"] = deadline.isoformat()
    facts["within_statutory_period"] = context.at.date() <= deadline
    if context.at.date() > deadline:
        return ""
    return f"; the law would allow sending until {deadline.isoformat()}, maysend does not"


def reason(step: Step, context: Context) -> Reason:
    facts: dict[str, object] = {}
    for name in step.uses:
        if name == "verdict":
            facts.update(verdict_facts(context))
        elif name == "country":
            facts.update(country_facts(context))
        else:
            facts.update(ledger_facts(name, context))
    text = step.explanation
    if step.code == OPTED_OUT_CODE:
        text += opt_out_deadline(facts, context)
    return Reason(step.code, step.rule, step.citation, text, facts)


def choose(recipient: Recipient, config: PolicyConfig) -> JurisdictionChoice:
    """The recipient's own country first, else the country the ledger knows."""
    known = recipient.state.country if recipient.state is not None else None
    return choose_jurisdiction(recipient_country(recipient.country, known), config)


def decide(
    message: Message | None,
    verdict: Verdict,
    recipient: Recipient,
    at: datetime,
    *,
    config: PolicyConfig,
) -> Decision:
    """May `message` go to `recipient` at `at`? Pure: the ledger state comes in `recipient`.

    An address that does not parse is held before any rule is read (the gate
    rejects such rows before deciding, so decide_facts never sees them).
    """
    at = require_aware(at)
    try:
        normalize_address(recipient.address)
    except InvalidAddress as error:
        return hold_decision(
            recipient.address, "HOLD_INVALID_ADDRESS", error.message, config=config
        )
    choice = choose(recipient, config)
    state = recipient.state
    facts = None
    if state is not None and choice.code is not None:
        rules = config.jurisdiction(choice.code)
        facts = consent_facts(state, at, rules, config.declared_product, config.similar_products)
    outcome = decide_facts(check_message(message, config), verdict, choice, facts, config)
    grace = config.jurisdiction(choice.code).opted_out.grace_business_days if choice.code else None
    context = Context(verdict, choice, state, at, grace)
    reasons = tuple(reason(step, context) for step in outcome.trail)
    return Decision(
        recipient=recipient.address,
        action=outcome.action,
        kind=outcome.kind,
        jurisdiction=outcome.jurisdiction,
        reasons=reasons,
        requirements=outcome.requirements,
        policy_version=config.version,
    )


def hold_decision(address: str, code: str, detail: str, *, config: PolicyConfig) -> Decision:
    """A hold decided before the policy could run (bad address, ledger unreachable)."""
    outcome = hold(code, detail)
    reasons = tuple(Reason(s.code, s.rule, s.citation, s.explanation) for s in outcome.trail)
    return Decision(address, Action.HOLD, None, None, reasons, (), config.version)


__all__ = ["decide", "hold_decision"]
