"""United States: CAN-SPAM. Commercial by primary purpose; no consent needed, opt-outs
honoured (at once here, though the Act allows 10 business days); opt-out mechanism, postal
address, honest subject and ad identification in every commercial message."""

from __future__ import annotations

from maysend.classify.verdict import Category as C
from maysend.classify.verdict import PrimaryPurpose, ServiceBasis
from maysend.ledger.state import EventType as E
from maysend.ledger.state import Status as S
from maysend.policy import Action as A

from .cases import Case, check, named, table
from .factory import marketing, message, service, state

UNLABELLED = message(
    footer=("Example Shop Inc., 100 Main Street, Springfield, IL 62701", "Unsubscribe here")
)
CASES = [
    Case(
        "15 U.S.C. 7704(a)(3) commercial email, no consent needed, no opt-out on record",
        marketing(C.OFFER),
        state(),
        A.SEND,
        "US_COMMERCIAL_NO_OPT_OUT",
        country="US",
        trail=("US_COMMERCIAL",),
    ),
    Case(
        "15 U.S.C. 7704(a)(4) opt-out honoured at once (inside the 10 business days)",
        marketing(C.OFFER),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 3)),
        A.SUPPRESS,
        "OPTED_OUT",
        country="US",
    ),
    Case(
        "15 U.S.C. 7704(a)(4) opt-out long past the 10 business days",
        marketing(C.OFFER),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 90)),
        A.SUPPRESS,
        "OPTED_OUT",
        country="US",
    ),
    Case(
        "complaint (spam report) is an opt-out",
        marketing(C.OFFER),
        state(S.COMPLAINED, opt_out=(E.COMPLAINT, 1)),
        A.SUPPRESS,
        "OPTED_OUT",
        country="US",
    ),
    Case(
        "Experian 2023 (FTC): commercial pitch to account holders with no opt-out mechanism",
        marketing(C.CROSS_SELL),
        state(purchase=30),
        A.BLOCK,
        "NO_OPT_OUT_MECHANISM",
        country="US",
        message=message(
            list_unsubscribe="",
            unsubscribe_link=False,
            footer=("This is not a marketing email.", "Example Inc., Costa Mesa, CA 92626"),
        ),
    ),
    Case(
        "16 CFR 316.3(a)(2) transactional primary purpose is not commercial",
        marketing(C.CROSS_SELL, purpose=PrimaryPurpose.TRANSACTIONAL),
        state(),
        A.SEND,
        "SERVICE_MESSAGE",
        country="US",
    ),
    Case(
        "16 CFR 316.3 order confirmation to an opted-out customer",
        service(ServiceBasis.ORDER_CONFIRMATION),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 3)),
        A.SEND,
        "SERVICE_MESSAGE",
        country="US",
    ),
    Case(
        "15 U.S.C. 7704(a)(5)(A)(iii) no physical postal address",
        marketing(C.OFFER),
        state(),
        A.BLOCK,
        "NO_POSTAL_ADDRESS",
        country="US",
        message=message(footer=("Advertisement.",)),
    ),
    Case(
        "15 U.S.C. 7704(a)(5)(A)(i) no ad identification and no affirmative consent",
        marketing(C.OFFER),
        state(),
        A.SEND,
        "US_COMMERCIAL_NO_OPT_OUT",
        country="US",
        message=UNLABELLED,
        requirements=("NO_AD_IDENTIFICATION",),
    ),
    Case(
        "15 U.S.C. 7704(a)(5)(B) affirmative consent: no ad identification needed",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=20),
        A.SEND,
        "US_AFFIRMATIVE_CONSENT",
        country="US",
        message=UNLABELLED,
    ),
    Case(
        "15 U.S.C. 7704(a)(2) fake 'RE:' subject line is reported",
        marketing(C.OFFER),
        state(),
        A.SEND,
        "US_COMMERCIAL_NO_OPT_OUT",
        country="US",
        message=message(subject="RE: your account"),
        requirements=("DECEPTIVE_SUBJECT",),
    ),
    Case(
        "15 U.S.C. 7702(2)(A) a donation appeal alone is not commercial",
        marketing(C.FUNDRAISING),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 3)),
        A.SEND,
        "US_NOT_COMMERCIAL_FUNDRAISING",
        country="US",
    ),
    Case(
        "15 U.S.C. 7702(2)(A) a donation appeal with a product offer is commercial",
        marketing(C.FUNDRAISING, C.OFFER),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 3)),
        A.SUPPRESS,
        "OPTED_OUT",
        country="US",
    ),
    Case(
        "15 U.S.C. 7702(2)(A) a request to receive ads is commercial",
        service(ServiceBasis.REQUESTED_INFORMATION, C.CONSENT_REQUEST),
        state(),
        A.SEND,
        "US_COMMERCIAL_NO_OPT_OUT",
        country="US",
        trail=("CONSENT_REQUEST_IS_MARKETING",),
    ),
]


@table(CASES)
def test_us_can_spam(case: Case) -> None:
    check(case, "US")


def test_opt_out_inside_the_statutory_period_is_reported() -> None:
    decision = check(named(CASES, "15 U.S.C. 7704(a)(4) opt-out honoured at once"), "US")
    facts = decision.reasons[0].facts
    assert facts["within_statutory_period"] is True
    assert facts["statutory_deadline"] == "2025-06-13"  # Fri 30 May + 10 business days
    assert "maysend does not" in decision.reasons[0].explanation


def test_old_opt_out_is_outside_the_statutory_period() -> None:
    decision = check(named(CASES, "15 U.S.C. 7704(a)(4) opt-out long past"), "US")
    assert decision.reasons[0].facts["within_statutory_period"] is False


def test_affirmative_consent_drops_only_the_ad_identification() -> None:
    decision = check(named(CASES, "15 U.S.C. 7704(a)(5)(B)"), "US")
    assert "NO_AD_IDENTIFICATION" not in {r.code for r in decision.requirements}
