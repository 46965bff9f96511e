"""Lawful routes to send marketing, one small function per route type.

Each returns a Step: PASS (the route allows sending), FAIL (it does not, and
why, every unmet condition named), or DEFECT (the person qualifies but this
message lacks what the route needs, e.g. the soft opt-in's refusal notice).
"""

from __future__ import annotations

from collections.abc import Callable

from maysend.ledger.state import Status
from maysend.policy.checks import MessageChecks
from maysend.policy.facts import ConsentFacts
from maysend.policy.model import Result, Step
from maysend.policy.rules import JurisdictionRules, Route, RouteType


def step(route: Route, result: Result, text: str, uses: tuple[str, ...]) -> Step:
    return Step(route.code, route.rule, route.citation, result, text, uses)


def window_text(rules: JurisdictionRules, route: Route, what: str) -> str:
    days = rules.windows[route.window].days if route.window else 0
    return f"the last {what} is more than {days} days old ({route.window})"


def consent(
    rules: JurisdictionRules, route: Route, facts: ConsentFacts, checks: MessageChecks
) -> Step:
    uses = ("consent", "confirmed")
    if facts.status is Status.NONE:
        return step(route, Result.FAIL, "no consent is on record", uses)
    if facts.status is Status.PENDING:
        return step(route, Result.FAIL, "consent awaits its double opt-in confirmation", uses)
    if route.double_opt_in and not facts.confirmed:
        text = "consent is on record but was not confirmed by double opt-in, required here"
        return step(route, Result.FAIL, text, uses)
    text = "consent is on record" + (" and confirmed" if facts.confirmed else "")
    return step(route, Result.PASS, text, uses)


def relationship_gaps(rules: JurisdictionRules, route: Route, facts: ConsentFacts) -> list[str]:
    """Every condition of the existing-customer route the person does not meet."""
    if not facts.purchase:
        return ["no sale or negotiation of a sale is on record"]
    gaps = []
    if route.window is not None and route.window not in facts.purchase_within:
        gaps.append(window_text(rules, route, "purchase"))
    if route.product_match and not facts.product_declared:
        gaps.append("the campaign declares no product (--product), so it does not apply")
    elif route.product_match and not facts.product_similar:
        gaps.append("the declared product is not the purchased one nor configured as similar")
    if route.refusal_at_collection and not facts.refusal_offered:
        gaps.append("no refusal was offered when the details were collected")
    return gaps


def relationship(
    rules: JurisdictionRules, route: Route, facts: ConsentFacts, checks: MessageChecks
) -> Step:
    uses = ("last_purchase",)
    gaps = relationship_gaps(rules, route, facts)
    if gaps:
        return step(route, Result.FAIL, "; ".join(gaps), uses)
    if route.notice is not None and route.notice.check not in checks.passed:
        text = f"the customer qualifies, but this message lacks {route.notice.description}"
        return step(route, Result.DEFECT, text, uses)
    return step(route, Result.PASS, "an existing customer who has not refused", uses)


def inquiry(
    rules: JurisdictionRules, route: Route, facts: ConsentFacts, checks: MessageChecks
) -> Step:
    uses = ("last_inquiry",)
    if not facts.inquiry:
        return step(route, Result.FAIL, "no inquiry is on record", uses)
    if route.window is not None and route.window not in facts.inquiry_within:
        return step(route, Result.FAIL, window_text(rules, route, "inquiry"), uses)
    return step(route, Result.PASS, "an inquiry within the window", uses)


def no_consent_needed(
    rules: JurisdictionRules, route: Route, facts: ConsentFacts, checks: MessageChecks
) -> Step:
    text = "no consent is needed and no opt-out is on record"
    return step(route, Result.PASS, text, ("opt_out",))


RouteCheck = Callable[[JurisdictionRules, Route, ConsentFacts, MessageChecks], Step]
ROUTES: dict[RouteType, RouteCheck] = {
    RouteType.CONSENT: consent,
    RouteType.RELATIONSHIP: relationship,
    RouteType.INQUIRY: inquiry,
    RouteType.NO_CONSENT_NEEDED: no_consent_needed,
}


def evaluate_routes(
    rules: JurisdictionRules, facts: ConsentFacts, checks: MessageChecks
) -> tuple[Step, ...]:
    """Routes in the jurisdiction's order, stopping at the first that passes."""
    steps: list[Step] = []
    for route in rules.routes:
        steps.append(ROUTES[route.type](rules, route, facts, checks))
        if steps[-1].result is Result.PASS:
            break
    return tuple(steps)


def unconfirmed_consent(rules: JurisdictionRules, facts: ConsentFacts) -> Route | None:
    """The consent route whose only failure is a missing double opt-in, if any."""
    if facts.status not in {Status.CONSENTED, Status.PENDING}:
        return None
    for route in rules.routes:
        missing = route.double_opt_in and not facts.confirmed
        unconfirmed = facts.status is Status.PENDING or missing
        if route.type is RouteType.CONSENT and route.unconfirmed is not None and unconfirmed:
            return route
    return None


__all__ = ["evaluate_routes", "unconfirmed_consent"]
