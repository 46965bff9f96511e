"""UK PECR: consent (reg 22(2)), soft opt-in (reg 22(3)), identity and opt-out address (reg 23),
and the ICO's decided cases with the ledger state those senders had."""

from __future__ import annotations

from maysend.classify.verdict import Category as C
from maysend.classify.verdict import ServiceBasis
from maysend.ledger.state import EventType as E
from maysend.ledger.state import Status as S
from maysend.policy import Action, Decision

from .cases import Case, check, named, table
from .factory import DATA, config, gap, marketing, message, placed, service, state

WITHDRAWN = state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 400))
CUSTOMER = state(purchase=200, product="broadband", refusal_offered=True)
A = Action

CASES = [
    Case(
        "PECR reg 22(2) consent on record",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.SEND,
        "UK_CONSENT",
        country="GB",
        trail=("UK_DIRECT_MARKETING", "JURISDICTION_BY_COUNTRY"),
    ),
    Case(
        "PECR reg 22(2) no consent recorded",
        marketing(C.OFFER),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "ICO v American Express 2021: 'get the most out of your card' to opted-out members",
        marketing(C.ENCOURAGE_USE, C.CHANNEL_NUDGE, C.LOYALTY),
        WITHDRAWN,
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v Flybe 2017: 'are your details correct?' with prize draw to opted-out",
        marketing(C.CONSENT_REQUEST, C.PRIZE_DRAW),
        WITHDRAWN,
        A.SUPPRESS,
        "OPTED_OUT",
        trail=("CONSENT_REQUEST_IS_MARKETING",),
    ),
    Case(
        "ICO v Honda 2017: 'would you like to hear from us?' with no consent recorded",
        service(ServiceBasis.REQUESTED_INFORMATION, C.CONSENT_REQUEST),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
        trail=("CONSENT_REQUEST_IS_MARKETING",),
    ),
    Case(
        "ICO v Morrisons 2017: 'your account details' with coupons to opted-out members",
        marketing(C.CONSENT_REQUEST, C.LOYALTY, C.OFFER),
        WITHDRAWN,
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v MoneySuperMarket 2017: T&C update with a preference-centre section to opted-out",
        marketing(C.CONSENT_REQUEST),
        WITHDRAWN,
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v Royal Mail 2018: parcel price drop to opted-out customers",
        marketing(C.OFFER),
        WITHDRAWN,
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v EE 2019: upgrade-eligibility countdown to customers who opted out",
        marketing(C.UPSELL, C.URGENCY),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 30), purchase=300),
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v Virgin Media 2021: price-freeze notice inviting opted-out customers back in",
        marketing(C.CONSENT_REQUEST),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 700), purchase=20),
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "ICO v Halfords 2022: repair voucher labelled 'service message', no consent recorded",
        marketing(C.OFFER),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "ICO v We Buy Any Car 2021: valuation follow-ups, no refusal offered at collection",
        marketing(C.REACTIVATION),
        state(purchase=40, product="broadband", refusal_offered=False),
        A.SUPPRESS,
        "UK_NO_CONSENT",
        trail=("UK_SOFT_OPT_IN",),
    ),
    Case(
        "ICO v Allay Claims 2026: 'service updates' encouraging further claims, no consent",
        marketing(C.ENCOURAGE_USE),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "PECR reg 22(3) soft opt-in: own similar product, refusal offered, not refused",
        marketing(C.OFFER),
        CUSTOMER,
        A.SEND,
        "UK_SOFT_OPT_IN",
    ),
    Case(
        "PECR reg 22(3)(b) product not similar to the purchase",
        marketing(C.OFFER),
        state(purchase=200, product="insurance"),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "PECR reg 22(3)(b) product configured as similar to the purchase",
        marketing(C.OFFER),
        state(purchase=200, product="TV "),
        A.SEND,
        "UK_SOFT_OPT_IN",
        policy=config(config_dir=DATA / "similar"),
    ),
    Case(
        "PECR reg 22(3) does not apply without a declared product",
        marketing(C.OFFER),
        CUSTOMER,
        A.SUPPRESS,
        "UK_NO_CONSENT",
        policy=config(product=None),
    ),
    Case(
        "PECR reg 22(3)(c) no refusal offered at collection",
        marketing(C.OFFER),
        state(purchase=200, refusal_offered=False),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "PECR reg 22(3)(c) no means of refusal in this message",
        marketing(C.OFFER),
        CUSTOMER,
        A.BLOCK,
        "UK_SOFT_OPT_IN_NO_REFUSAL_NOTICE",
        message=message(list_unsubscribe="", unsubscribe_link=False, footer=()),
        policy=config(bulk=False),
        requirements=("UK_SOFT_OPT_IN_NO_REFUSAL_NOTICE",),
    ),
    Case(
        "PECR reg 22(3)(c) customer who refused (opted out) is not a soft opt-in",
        marketing(C.OFFER),
        state(S.OBJECTED, opt_out=(E.OBJECT, 10), purchase=200),
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "PECR reg 23(b) no valid opt-out address at all",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.BLOCK,
        "NO_OPT_OUT_ADDRESS",
        message=message(list_unsubscribe="", unsubscribe_link=False, footer=()),
    ),
    Case(
        "PECR reg 23(a) sender concealed (no display name)",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.BLOCK,
        "SENDER_CONCEALED",
        message=message(sender=("", "news@example.com")),
    ),
    Case(
        "PECR reg 23(a) sender outside the organisation's domains",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.BLOCK,
        "SENDER_CONCEALED",
        message=message(sender=("Example Shop", "deals@example.net")),
    ),
    Case(
        "bulk-sender profile RFC 8058: no one-click unsubscribe",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.BLOCK,
        "NO_ONE_CLICK_UNSUBSCRIBE",
        message=message(one_click=False),
    ),
    Case(
        "bulk-sender profile off: RFC 8058 header not required",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=90),
        A.SEND,
        "UK_CONSENT",
        message=message(one_click=False),
        policy=config(bulk=False),
    ),
    Case(
        "service message (password reset) to an opted-out person is sent",
        service(),
        WITHDRAWN,
        A.SEND,
        "SERVICE_MESSAGE",
    ),
    Case(
        "ICO market research: a genuine survey is not marketing",
        marketing(C.REVIEW_REQUEST),
        state(),
        A.SEND,
        "UK_GENUINE_SURVEY",
    ),
    Case(
        "ICO: neutral branding alone in a service message is not marketing",
        marketing(C.BRAND_PROMOTION),
        state(),
        A.SEND,
        "UK_BRANDING_ONLY",
    ),
    Case(
        "ICO market research: the model reading the survey's own block adds no element",
        placed((C.REVIEW_REQUEST, "body:2"), (C.MODEL, "body:2")),
        state(),
        A.SEND,
        "UK_GENUINE_SURVEY",
    ),
    Case(
        "ICO market research: promotion the model alone found in another block is marketing",
        placed((C.REVIEW_REQUEST, "body:2"), (C.MODEL, "body:4")),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "ICO market research: a survey that also promotes is marketing",
        marketing(C.REVIEW_REQUEST, C.OFFER),
        state(),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "consent awaiting double opt-in (deployment requires it) is not consent",
        marketing(C.NEWSLETTER),
        state(S.PENDING, consent=3),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "consent dated after the decision time does not count",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=-2),
        A.SUPPRESS,
        "UK_NO_CONSENT",
    ),
    Case(
        "complaint (spam report) is a withdrawal",
        marketing(C.NEWSLETTER),
        state(S.COMPLAINED, opt_out=(E.COMPLAINT, 1)),
        A.SUPPRESS,
        "OPTED_OUT",
    ),
    Case(
        "classifier gap holds", gap(), state(S.CONSENTED, consent=9), A.HOLD, "HOLD_CLASSIFIER_GAP"
    ),
    Case(
        "no ledger answer holds marketing",
        marketing(C.OFFER),
        None,
        A.HOLD,
        "HOLD_NO_LEDGER_ANSWER",
    ),
    Case("no ledger answer does not hold service mail", service(), None, A.SEND, "SERVICE_MESSAGE"),
    Case(
        "unreadable message holds",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=9),
        A.HOLD,
        "HOLD_UNREADABLE_MESSAGE",
        message=None,
    ),
]


@table(CASES)
def test_uk_pecr(case: Case) -> None:
    check(case, "UK")


def test_no_declared_product_is_named_in_the_reason() -> None:
    decision: Decision = check(named(CASES, "PECR reg 22(3) does not apply"), "UK")
    soft = next(r for r in decision.reasons if r.code == "UK_SOFT_OPT_IN")
    assert "declares no product" in soft.explanation
    assert "declares no product" in decision.reasons[0].explanation


def test_opt_out_reason_cites_the_event() -> None:
    decision = check(named(CASES, "ICO v American Express"), "UK")
    assert decision.reasons[0].facts["opt_out"] == {
        "event_id": 3,
        "type": "withdraw",
        "occurred_at": WITHDRAWN.opt_out.occurred_at.isoformat(),  # type: ignore[union-attr]
        "source": "test",
    }


def test_service_to_opted_out_says_why() -> None:
    decision = check(named(CASES, "service message (password"), "UK")
    assert "does not stop service mail" in decision.reasons[0].explanation
    assert decision.requirements == ()
