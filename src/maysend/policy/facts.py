"""Consent facts: the discrete answers a decision needs from a ConsentState.

A ConsentState carries events and times; the law only asks yes/no questions
of them (is there consent? is the purchase within two years?). Reducing a
state to those answers first is what lets the batch gate compute them in
SQL for millions of recipients and call the policy once per distinct answer.
Every rule here is stated so that SQL can compute the same booleans.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from maysend.errors import PolicyError
from maysend.ledger.state import ConsentState, EventRef, EventType, Status
from maysend.policy.config import PolicyConfig, SimilarProducts, normalise_product
from maysend.policy.rules import JurisdictionRules, Window

CONSENT_STATUSES = frozenset({Status.CONSENTED, Status.PENDING})
OPT_OUT_STATUS = {
    EventType.WITHDRAW: Status.WITHDRAWN,
    EventType.OBJECT: Status.OBJECTED,
    EventType.COMPLAINT: Status.COMPLAINED,
    EventType.ERASE: Status.ERASED,
}


@dataclass(frozen=True, slots=True)
class ConsentFacts:
    """What the policy may know about one recipient's consent, and nothing else.

    status           the ledger status as it stood at `at` (effective_status)
    confirmed        a double-opt-in confirmation dated at or before `at`
    purchase         a sale or negotiation dated at or before `at`
    purchase_within  names of this jurisdiction's purchase windows it falls in
    product_declared the campaign declared what it promotes (--product)
    product_similar  the purchase's product equals it or is configured similar
    refusal_offered  a refusal was offered when the details were collected
    inquiry          an inquiry dated at or before `at`
    inquiry_within   names of this jurisdiction's inquiry windows it falls in
    """

    status: Status
    confirmed: bool = False
    purchase: bool = False
    purchase_within: frozenset[str] = frozenset()
    product_declared: bool = False
    product_similar: bool = False
    refusal_offered: bool = False
    inquiry: bool = False
    inquiry_within: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        """Accept the status as SQL returns it ('withdrawn'), so rules compare enums."""
        try:
            object.__setattr__(self, "status", Status(self.status))
        except ValueError as error:
            raise PolicyError(f"unknown consent status {self.status!r}") from error


def aware(moment: datetime) -> datetime:
    """Times without a zone are read as UTC (SQLite drops the zone)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def require_aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise PolicyError("the decision time must carry a time zone", at=at.isoformat())
    return at


def on_or_before(event: EventRef | None, at: datetime) -> bool:
    return event is not None and aware(event.occurred_at) <= at


def within(event: EventRef | None, window: Window, at: datetime) -> bool:
    """The window rule: counts while `at - days <= occurred_at <= at`."""
    if event is None:
        return False
    return at - timedelta(days=window.days) <= aware(event.occurred_at) <= at


def effective_status(state: ConsentState, at: datetime) -> Status:
    """The status at `at` when the state may be newer than `at`, failing closed.

    A consent dated after `at` was not given yet: the opt-out it replaced (if
    any) still stood, else there was none. A confirmation dated after `at` had
    not arrived: the consent was pending. Opt-outs are never undone.
    """
    if state.status not in CONSENT_STATUSES:
        return state.status
    if not on_or_before(state.consent, at):
        return OPT_OUT_STATUS[state.opt_out.type] if state.opt_out is not None else Status.NONE
    if state.confirmed is not None and not on_or_before(state.confirmed, at):
        return Status.PENDING
    return state.status


def windows_for(rules: JurisdictionRules, event: EventType) -> dict[str, Window]:
    return {n: w for n, w in rules.route_windows().items() if w.event is event}


def consent_facts(
    state: ConsentState,
    at: datetime,
    jurisdiction_rules: JurisdictionRules,
    declared_product: str | None,
    similar_products: SimilarProducts,
) -> ConsentFacts:
    """Reduce one state to the facts `jurisdiction_rules` can ask about at `at`."""
    at = require_aware(at)
    purchase = state.last_purchase
    if purchase is not None and not on_or_before(purchase.event, at):
        purchase = None
    bought = purchase.event if purchase is not None else None
    inquiry = state.last_inquiry if on_or_before(state.last_inquiry, at) else None
    purchases = windows_for(jurisdiction_rules, EventType.PURCHASE)
    inquiries = windows_for(jurisdiction_rules, EventType.INQUIRY)
    return ConsentFacts(
        status=effective_status(state, at),
        confirmed=on_or_before(state.confirmed, at),
        purchase=purchase is not None,
        purchase_within=frozenset(n for n, w in purchases.items() if within(bought, w, at)),
        product_declared=bool(normalise_product(declared_product)),
        product_similar=purchase is not None
        and similar_products.match(declared_product, purchase.product),
        refusal_offered=purchase is not None and purchase.refusal_offered,
        inquiry=inquiry is not None,
        inquiry_within=frozenset(n for n, w in inquiries.items() if within(inquiry, w, at)),
    )


def required_windows(config: PolicyConfig) -> dict[str, Window]:
    """Every window the configured jurisdictions read, by name (names are global).

    The gate computes, per window, `<event>_at >= at - days AND <event>_at <= at`
    where `<event>` is `window.event` (last_purchase_at or last_inquiry_at).
    """
    found: dict[str, Window] = {}
    for rules in config.jurisdictions:
        for name, window in rules.route_windows().items():
            if found.setdefault(name, window) != window:
                raise PolicyError(f"window {name!r} is declared twice with different terms")
    return found


__all__ = [
    "OPT_OUT_STATUS",
    "ConsentFacts",
    "consent_facts",
    "effective_status",
    "required_windows",
]
