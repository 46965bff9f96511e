"""The classifier's answer: a Verdict that explains itself.

Categories are kept apart so that each jurisdiction's policy can weigh them
(a review request is advertising in Germany, a consent request is marketing
everywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    MARKETING = "marketing"
    SERVICE = "service"


class PrimaryPurpose(StrEnum):
    """The US test (16 CFR 316.3)."""

    COMMERCIAL = "commercial"
    TRANSACTIONAL = "transactional"


class Category(StrEnum):
    """Legal categories an indicator can meet.

    Promotional categories make a message marketing (UK/EU "one element");
    `SERVICE_*` categories describe a service purpose and never outweigh one.
    """

    OFFER = "offer"  # discounts, vouchers, free gifts, price promotions
    ENCOURAGE_USE = "encourage_use"  # "get the most out of", use more, shop with
    PRODUCT_PROMOTION = "product_promotion"  # new products/features promoted
    CROSS_SELL = "cross_sell"
    UPSELL = "upsell"  # upgrades, eligibility nudges
    RENEWAL = "renewal"
    CHANNEL_NUDGE = "channel_nudge"  # download the app, follow us
    LOYALTY = "loyalty"  # points, rewards, membership benefits promoted
    PRIZE_DRAW = "prize_draw"
    CONSENT_REQUEST = "consent_request"  # opt in / update preferences to hear more
    REVIEW_REQUEST = "review_request"  # satisfaction, review, rating, survey
    REFERRAL = "referral"
    REACTIVATION = "reactivation"
    EVENT_INVITATION = "event_invitation"
    THIRD_PARTY = "third_party"
    URGENCY = "urgency"
    NEWSLETTER = "newsletter"
    BRAND_PROMOTION = "brand_promotion"  # image advertising, e.g. a "welcome to" greeting
    FUNDRAISING = "fundraising"  # appeals for donations: promotion of aims and ideals
    MODEL = "model"  # the statistical model found promotional text no rule named
    SERVICE = "service"  # a service purpose (see ServiceBasis)
    FLAG = "flag"  # red flags that are not evidence either way


PROMOTIONAL = frozenset(c for c in Category if c not in {Category.SERVICE, Category.FLAG})


class ServiceBasis(StrEnum):
    ORDER_CONFIRMATION = "order_confirmation"
    DELIVERY = "delivery"
    ACCOUNT_SECURITY = "account_security"
    STATEMENT_BILLING = "statement_billing"
    TERMS_CHANGE = "terms_change"
    SERVICE_INTERRUPTION = "service_interruption"
    SAFETY_RECALL = "safety_recall"
    LEGAL_NOTICE = "legal_notice"
    REQUESTED_INFORMATION = "requested_information"
    DOUBLE_OPT_IN = "double_opt_in"


@dataclass(frozen=True, slots=True)
class Evidence:
    """One indicator that fired: what matched, where, and its weight."""

    indicator: str  # stable UPPER_SNAKE id
    category: Category
    text: str  # the exact text matched
    where: str  # subject | preheader | body:N | footer:N | link:N | image_alt:N
    weight: float


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    score: float  # calibrated probability of marketing
    language: str  # ISO 639-1, or "unknown"
    primary_purpose: PrimaryPurpose
    evidence: tuple[Evidence, ...] = ()
    service_basis: ServiceBasis | None = None
    flags: tuple[str, ...] = ()
    gap: str | None = None  # why no trustworthy verdict could be given
    model_version: str = ""

    @property
    def categories(self) -> frozenset[Category]:
        """Promotional categories that fired (what the policy weighs)."""
        return frozenset(e.category for e in self.evidence if e.category in PROMOTIONAL)

    @property
    def is_gap(self) -> bool:
        return self.gap is not None

    def to_dict(self, source: str = "") -> dict[str, object]:
        """The stable JSON shape of `maysend classify --json`."""
        return {
            "source": source,
            "kind": self.kind.value,
            "score": round(self.score, 4),
            "language": self.language,
            "primary_purpose": self.primary_purpose.value,
            "service_basis": self.service_basis.value if self.service_basis else None,
            "evidence": [
                {
                    "indicator": e.indicator,
                    "category": e.category.value,
                    "text": e.text,
                    "where": e.where,
                    "weight": e.weight,
                }
                for e in self.evidence
            ],
            "flags": list(self.flags),
            "gap": self.gap,
        }


__all__ = [
    "PROMOTIONAL",
    "Category",
    "Evidence",
    "Kind",
    "PrimaryPurpose",
    "ServiceBasis",
    "Verdict",
]
