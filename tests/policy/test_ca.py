"""Canada: CASL. Express consent, or implied consent from a purchase within two years or an
inquiry within six months (s.10(9)-(10)); the exemption only for solely transactional
messages (s.6(6)); identification, contact information and unsubscribe (s.6(2))."""

from __future__ import annotations

from maysend.classify.verdict import Category as C
from maysend.classify.verdict import ServiceBasis
from maysend.ledger.state import EventType as E
from maysend.ledger.state import Status as S
from maysend.policy import Action as A

from .cases import Case, check, table
from .factory import config, marketing, message, service, state

CASES = [
    Case(
        "CASL s.10(1) express consent does not expire",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=3000),
        A.SEND,
        "CASL_EXPRESS_CONSENT",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(a) purchase a year ago: implied consent",
        marketing(C.OFFER),
        state(purchase=365, refusal_offered=False),
        A.SEND,
        "CASL_IMPLIED_PURCHASE",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(a) purchase three years ago: implied consent expired",
        marketing(C.OFFER),
        state(purchase=3 * 365),
        A.SUPPRESS,
        "CASL_NO_CONSENT",
        country="CA",
        trail=("CASL_IMPLIED_PURCHASE",),
    ),
    Case(
        "CASL s.10(10)(a) purchase exactly 730 days ago still counts",
        marketing(C.OFFER),
        state(purchase=730),
        A.SEND,
        "CASL_IMPLIED_PURCHASE",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(a) purchase 730 days and a minute ago does not",
        marketing(C.OFFER),
        state(purchase=730 + 1 / 1440),
        A.SUPPRESS,
        "CASL_NO_CONSENT",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(a) any product: no similarity test",
        marketing(C.OFFER),
        state(purchase=100, product="furniture"),
        A.SEND,
        "CASL_IMPLIED_PURCHASE",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(e) inquiry three months ago: implied consent",
        marketing(C.OFFER),
        state(inquiry=90),
        A.SEND,
        "CASL_IMPLIED_INQUIRY",
        country="CA",
    ),
    Case(
        "CASL s.10(10)(e) inquiry seven months ago: expired",
        marketing(C.OFFER),
        state(inquiry=213),
        A.SUPPRESS,
        "CASL_NO_CONSENT",
        country="CA",
    ),
    Case(
        "CASL s.6(6) solely transactional message is exempt",
        service(ServiceBasis.DELIVERY),
        state(),
        A.SEND,
        "SERVICE_MESSAGE",
        country="CA",
    ),
    Case(
        "CASL s.6(6) delivery notice with one promotion is not solely transactional",
        service(ServiceBasis.DELIVERY, C.OFFER),
        state(),
        A.SUPPRESS,
        "CASL_NO_CONSENT",
        country="CA",
        trail=("CASL_COMMERCIAL",),
    ),
    Case(
        "CASL s.1(3) a request for consent is itself a commercial message",
        marketing(C.CONSENT_REQUEST),
        state(),
        A.SUPPRESS,
        "CASL_NO_CONSENT",
        country="CA",
        trail=("CONSENT_REQUEST_IS_MARKETING",),
    ),
    Case(
        "CASL s.11(3) unsubscribe honoured at once, despite a recent purchase",
        marketing(C.OFFER),
        state(S.WITHDRAWN, opt_out=(E.WITHDRAW, 2), purchase=10),
        A.SUPPRESS,
        "OPTED_OUT",
        country="CA",
    ),
    Case(
        "CASL s.6(2)(b) no contact information",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=30),
        A.BLOCK,
        "NO_CONTACT_INFORMATION",
        country="CA",
        message=message(footer=("Advertisement.",)),
    ),
    Case(
        "CASL s.6(2)(c) no unsubscribe mechanism in the message",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=30),
        A.BLOCK,
        "NO_UNSUBSCRIBE_MECHANISM",
        country="CA",
        message=message(unsubscribe_link=False),
        policy=config(bulk=False),
    ),
    Case(
        "CASL s.6(2)(a) sender not identified",
        marketing(C.OFFER),
        state(S.CONSENTED, consent=30),
        A.BLOCK,
        "SENDER_NOT_IDENTIFIED",
        country="CA",
        message=message(sender=None),
    ),
]


@table(CASES)
def test_ca_casl(case: Case) -> None:
    check(case, "CA")
