"""decide_facts: the whole policy over discrete facts, with no I/O and no clock.

Order of questions, the first answer deciding:
  1. can anything be decided? (readable message, classifier verdict, jurisdiction)
  2. is it marketing here? service mail is sent: consent is a marketing question
  3. does the ledger answer? no answer holds marketing
  4. has the person opted out? then suppress, whatever else is on record
  5. a lawful route, in the jurisdiction's order (consent, soft opt-in, ...)
  6. does the message carry what every marketing message must? else block
"""

from __future__ import annotations

from dataclasses import replace

from maysend.classify.verdict import Kind, Verdict
from maysend.errors import PolicyError
from maysend.ledger.state import OPTED_OUT, Status
from maysend.policy.checks import MessageChecks
from maysend.policy.config import PolicyConfig
from maysend.policy.facts import ConsentFacts
from maysend.policy.jurisdiction import Basis, JurisdictionChoice
from maysend.policy.marketing import marketing_step
from maysend.policy.model import Action, Outcome, Requirement, Result, Step
from maysend.policy.routes import evaluate_routes, unconfirmed_consent
from maysend.policy.rules import JurisdictionRules, RequirementRule, RuleRef, Severity

AFFIRMATIVE_CONSENT = "affirmative_consent"
FAIL_CLOSED = "maysend fail-closed rule: a gap is never sent as marketing"
HOLDS = {
    "HOLD_UNREADABLE_MESSAGE": "the message could not be read",
    "HOLD_CLASSIFIER_GAP": "the classifier could not give a trustworthy verdict",
    "HOLD_INVALID_COUNTRY": "the recipient's country is not an ISO 3166 code",
    "HOLD_UNKNOWN_JURISDICTION": "no jurisdiction claims the recipient and no default is set",
    "HOLD_NO_LEDGER_ANSWER": "the consent ledger gave no answer for this recipient",
    "HOLD_INVALID_ADDRESS": "the recipient's address does not parse",
    "HOLD_LEDGER_UNAVAILABLE": "the consent ledger cannot be reached, so nothing is sent",
}
SERVICE_CODE = "SERVICE_MESSAGE"
UNPLACED = "JURISDICTION_UNKNOWN"
CONFIGURED = "maysend policy settings (default_jurisdiction)"
PLACES = {
    Basis.COUNTRY: "JURISDICTION_BY_COUNTRY",
    Basis.DEFAULT: "JURISDICTION_DEFAULT",
    Basis.STRICTEST: "JURISDICTION_STRICTEST",
}


def hold(code: str, detail: str = "", *trail: Step, uses: tuple[str, ...] = ()) -> Outcome:
    text = HOLDS[code] + (f": {detail}" if detail else "")
    first = Step(code, "gap", FAIL_CLOSED, Result.FAIL, text, uses)
    return Outcome(Action.HOLD, None, None, (), (first, *trail))


def place_step(choice: JurisdictionChoice, rules: JurisdictionRules) -> Step:
    if choice.basis is Basis.COUNTRY:
        text = f"country {choice.country} is governed by {rules.code}"
    else:
        which = "the strictest configured" if choice.basis is Basis.STRICTEST else "the default"
        where = "no country on record"
        if choice.country:
            where = f"country {choice.country} is claimed by no jurisdiction"
        text = f"{where}: {which} jurisdiction, {rules.code}, applies"
    return Step(PLACES[choice.basis], "jurisdiction", rules.name, Result.INFO, text, ("country",))


def unmet(
    config: PolicyConfig,
    rules: JurisdictionRules,
    checks: MessageChecks,
    facts: ConsentFacts | None,
) -> tuple[Requirement, ...]:
    """Requirements of the jurisdiction and the bulk-sender profile this message fails."""
    profile = config.bulk_sender.requirements if config.bulk_sender else ()
    consented = facts is not None and facts.status is Status.CONSENTED
    found: dict[str, Requirement] = {}
    for rule in (*rules.requirements, *profile):
        if rule.check in checks.passed or (rule.unless == AFFIRMATIVE_CONSENT and consented):
            continue
        found.setdefault(rule.code, Requirement.unmet(rule))
    return tuple(found.values())


def lacking(requirement: Requirement, result: Result = Result.FAIL) -> Step:
    text = f"the message lacks {requirement.description}"
    rule = requirement.check.replace("_", " ")
    return Step(requirement.code, rule, requirement.citation, result, text)


def service_step(kind_step: Step, facts: ConsentFacts | None) -> Step:
    """Service mail is sent: an opt-out from marketing does not reach it."""
    if facts is None or facts.status not in OPTED_OUT:
        return replace(kind_step, result=Result.PASS)
    text = kind_step.explanation + "; the marketing opt-out on record does not stop service mail"
    uses = (*kind_step.uses, "opt_out")
    return replace(kind_step, result=Result.PASS, explanation=text, uses=uses)


def opted_out_step(rules: JurisdictionRules, facts: ConsentFacts) -> Step:
    ref = rules.opted_out
    text = f"the person's latest word is an opt-out ({facts.status.value}), honoured at once"
    return Step(ref.code, ref.rule, ref.citation, Result.FAIL, text, ("opt_out",))


def no_basis_step(rules: JurisdictionRules, facts: ConsentFacts, routes: tuple[Step, ...]) -> Step:
    """Suppression names the nearest miss: unconfirmed consent (DE_NO_DOI), else no basis."""
    pending = unconfirmed_consent(rules, facts)
    ref = pending.unconfirmed if pending is not None else rules.no_basis
    if ref is None:
        raise PolicyError("every route failed and the jurisdiction names no basis", code=rules.code)
    text = "no lawful basis: " + "; ".join(s.explanation for s in routes)
    uses = tuple(dict.fromkeys(name for s in routes for name in s.uses))
    return Step(ref.code, ref.rule, ref.citation, Result.FAIL, text, uses)


Choice = tuple[Action, Step, tuple[Step, ...], tuple[Requirement, ...]]


def marketing(
    checks: MessageChecks,
    rules: JurisdictionRules,
    facts: ConsentFacts,
    required: tuple[Requirement, ...],
) -> Choice:
    """Steps 4-6: the action, the deciding step, the routes tried, the requirements."""
    if facts.status in OPTED_OUT:
        return Action.SUPPRESS, opted_out_step(rules, facts), (), required
    routes = evaluate_routes(rules, facts, checks)
    if routes[-1].result is Result.PASS:
        stoppers = [r for r in required if r.severity is Severity.BLOCK]
        if stoppers:
            return Action.BLOCK, lacking(stoppers[0]), routes, required
        return Action.SEND, routes[-1], routes[:-1], required
    for route, tried in zip(rules.routes, routes, strict=False):
        if tried.result is Result.DEFECT and route.notice is not None:
            notice = Requirement.unmet(route.notice)
            return Action.BLOCK, lacking(notice, Result.DEFECT), routes, (*required, notice)
    return Action.SUPPRESS, no_basis_step(rules, facts, routes), routes, required


def unplaced(verdict: Verdict, choice: JurisdictionChoice, config: PolicyConfig) -> Outcome:
    """No jurisdiction: service mail still goes if every configured law calls it service."""
    invalid = choice.basis is Basis.INVALID_COUNTRY
    code = "HOLD_INVALID_COUNTRY" if invalid else "HOLD_UNKNOWN_JURISDICTION"
    gap = hold(code, choice.country or "", uses=("country",))
    readings = [marketing_step(verdict, rules) for rules in config.jurisdictions]
    if not readings or any(kind is Kind.MARKETING for kind, _ in readings):
        return gap
    citations = "; ".join(dict.fromkeys(rules.service.citation for rules in config.jurisdictions))
    text = "service mail under every configured jurisdiction's test, so no consent is needed"
    first = Step(SERVICE_CODE, "service message", citations, Result.PASS, text, ("verdict",))
    where = f"{HOLDS[code]}: {choice.country}" if choice.country else HOLDS[code]
    place = Step(UNPLACED, "jurisdiction", CONFIGURED, Result.INFO, where, ("country",))
    return Outcome(Action.SEND, Kind.SERVICE, None, (), (first, place))


def decide_facts(
    message_checks: MessageChecks,
    verdict: Verdict,
    jurisdiction: JurisdictionChoice,
    facts: ConsentFacts | None,
    config: PolicyConfig,
) -> Outcome:
    """The decision from discrete facts: pure, deterministic, hashable inputs."""
    if not message_checks.readable:
        return hold("HOLD_UNREADABLE_MESSAGE", verdict.gap or "")
    if verdict.is_gap:
        return hold("HOLD_CLASSIFIER_GAP", verdict.gap or "", uses=("verdict",))
    if jurisdiction.code is None:
        return unplaced(verdict, jurisdiction, config)
    rules = config.jurisdiction(jurisdiction.code)
    place = place_step(jurisdiction, rules)
    kind, kind_step = marketing_step(verdict, rules)
    if kind is Kind.SERVICE:
        first = service_step(kind_step, facts)
        return Outcome(Action.SEND, kind, rules.code, (), (first, place))
    required = unmet(config, rules, message_checks, facts)
    if facts is None:
        gap = hold("HOLD_NO_LEDGER_ANSWER", rules.code, kind_step, place)
        return replace(gap, kind=kind, jurisdiction=rules.code, requirements=required)
    action, first, routes, required = marketing(message_checks, rules, facts, required)
    trail = (first, *(s for s in routes if s is not first), kind_step, place)
    return Outcome(action, kind, rules.code, required, trail)


def rule_codes(rules: JurisdictionRules) -> set[str]:
    refs: list[RuleRef | RequirementRule] = [rules.marketing, rules.service, rules.opted_out]
    refs += [*rules.marketing.always, *rules.marketing.not_alone, *rules.routes]
    refs += [*rules.requirements, *(r.notice for r in rules.routes if r.notice is not None)]
    refs += [r.unconfirmed for r in rules.routes if r.unconfirmed is not None]
    if rules.no_basis is not None:
        refs.append(rules.no_basis)
    return {ref.code for ref in refs}


def reason_codes(config: PolicyConfig) -> frozenset[str]:
    """Every reason code this configuration can give (for reports and the gate's schema)."""
    codes = set(HOLDS) | set(PLACES.values()) | {SERVICE_CODE, UNPLACED}
    for rules in config.jurisdictions:
        codes |= rule_codes(rules)
    if config.bulk_sender is not None:
        codes |= {r.code for r in config.bulk_sender.requirements}
    return frozenset(codes)


__all__ = ["decide_facts", "reason_codes"]
