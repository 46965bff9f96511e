"""The shape of a jurisdiction's rules, as read from policy/jurisdictions/*.yaml.

Every citation, time window, lawful route and message requirement is data;
these frozen models only give it a checked shape (unknown keys are errors, so
a typo in a deployment's local.d file cannot silently drop a rule). They are
hashable, so an `Outcome` computed from them can be cached.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from maysend.classify.verdict import Category
from maysend.ledger.state import EventType


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Severity(StrEnum):
    """What an unmet requirement does: `block` the message, or `advise` only."""

    BLOCK = "block"
    ADVISE = "advise"


class MarketingTest(StrEnum):
    """How a jurisdiction reads the verdict (domain.md §3, 'What counts')."""

    KIND = "kind"  # UK/EU: the classifier's one-element test
    PRIMARY_PURPOSE = "primary_purpose"  # US 16 CFR 316.3
    SOLELY_TRANSACTIONAL = "solely_transactional"  # CASL s.6(6): any promotion is commercial


class RouteType(StrEnum):
    """Lawful routes to send marketing; each is one small function in routes.py."""

    CONSENT = "consent"
    RELATIONSHIP = "relationship"  # soft opt-in, UWG §7(3), CASL purchase
    INQUIRY = "inquiry"  # CASL s.10(10)(e)
    NO_CONSENT_NEEDED = "no_consent_needed"  # CAN-SPAM: opt-out regime


class RuleRef(Frozen):
    """A rule as a reason names it: stable code, short name, citation."""

    code: str
    rule: str
    citation: str


class CategoryRule(RuleRef):
    category: Category


class RequirementRule(Frozen):
    """Something every marketing message must carry, checked on the message."""

    check: str
    code: str
    citation: str
    severity: Severity
    description: str
    unless: str | None = None  # "affirmative_consent": not needed when the person consented


class Window(Frozen):
    """How long an implied-consent event counts: while `at - occurred_at <= days`."""

    event: EventType
    days: int


class Marketing(RuleRef):
    test: MarketingTest
    always: tuple[CategoryRule, ...] = ()  # categories that are marketing here, whatever the kind
    not_alone: tuple[CategoryRule, ...] = ()  # not marketing unless something else promotes


class OptedOut(RuleRef):
    grace_business_days: int | None = None  # CAN-SPAM's deadline, reported not relied on


class Route(RuleRef):
    type: RouteType
    double_opt_in: bool = False
    unconfirmed: RuleRef | None = None  # the reason when consent exists but is unconfirmed
    window: str | None = None
    product_match: bool = False
    refusal_at_collection: bool = False
    notice: RequirementRule | None = None  # what this message must say when relying on it


class JurisdictionRules(Frozen):
    code: str
    name: str
    countries: frozenset[str]
    strictness: int
    windows: dict[str, Window] = {}
    marketing: Marketing
    service: RuleRef
    opted_out: OptedOut
    no_basis: RuleRef | None = None
    routes: tuple[Route, ...]
    requirements: tuple[RequirementRule, ...] = ()

    def __hash__(self) -> int:
        return hash((self.code, self.name, self.strictness, self.routes, self.requirements))

    @model_validator(mode="after")
    def _routes_are_complete(self) -> JurisdictionRules:
        for route in self.routes:
            if route.window is not None and route.window not in self.windows:
                raise ValueError(f"route {route.code} names unknown window {route.window!r}")
        open_ended = any(r.type is RouteType.NO_CONSENT_NEEDED for r in self.routes)
        if self.no_basis is None and not open_ended:
            raise ValueError("no_basis is required unless a route needs no consent")
        return self

    def route_windows(self) -> dict[str, Window]:
        """The windows this jurisdiction's routes read (what consent_facts computes)."""
        return {r.window: self.windows[r.window] for r in self.routes if r.window is not None}


class Profile(Frozen):
    """A non-legal rule set applied on top of the law, e.g. the bulk-sender profile."""

    code: str
    name: str
    requirements: tuple[RequirementRule, ...]


__all__ = [
    "CategoryRule",
    "JurisdictionRules",
    "Marketing",
    "MarketingTest",
    "OptedOut",
    "Profile",
    "RequirementRule",
    "Route",
    "RouteType",
    "RuleRef",
    "Severity",
    "Window",
]
