"""Germany: UWG §7(2) Nr. 2 prior express consent (double opt-in by default), the §7(3)
existing-customer exception with all four conditions, and the German decided cases."""

from __future__ import annotations

from maysend.classify.verdict import Category as C
from maysend.classify.verdict import ServiceBasis
from maysend.ledger.state import EventType as E
from maysend.ledger.state import Status as S
from maysend.policy import Action as A

from .cases import Case, check, table
from .factory import DATA, config, marketing, message, placed, service, state

CONFIRMED = state(S.CONSENTED, consent=60, confirmed=59)
UNCONFIRMED = state(S.CONSENTED, consent=60)
CUSTOMER = state(purchase=100, product="broadband", refusal_offered=True)
NO_NOTICE = message(footer=("Example Shop GmbH, Hauptstraße 5, 10115 Berlin",))

CASES = [
    Case(
        "UWG §7(2) Nr. 2 express consent confirmed by double opt-in",
        marketing(C.NEWSLETTER),
        CONFIRMED,
        A.SEND,
        "DE_CONSENT",
        country="DE",
    ),
    Case(
        "BGH I ZR 164/09: consent without double-opt-in confirmation",
        marketing(C.NEWSLETTER),
        UNCONFIRMED,
        A.SUPPRESS,
        "DE_NO_DOI",
        country="DE",
    ),
    Case(
        "BGH I ZR 164/09: consent pending confirmation",
        marketing(C.NEWSLETTER),
        state(S.PENDING, consent=2),
        A.SUPPRESS,
        "DE_NO_DOI",
        country="DE",
    ),
    Case(
        "UWG §7(2) Nr. 2 no consent recorded",
        marketing(C.OFFER),
        state(),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
    ),
    Case(
        "BGH VI ZR 225/17: review request inside an invoice email, no consent",
        service(ServiceBasis.STATEMENT_BILLING, C.REVIEW_REQUEST),
        state(),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
        trail=("DE_REVIEW_REQUEST_ADVERTISING",),
    ),
    Case(
        "BGH VI ZR 225/17: satisfaction survey alone is advertising",
        marketing(C.REVIEW_REQUEST),
        state(),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
    ),
    Case(
        "BGH VI ZR 225/17: a survey the model also read is still advertising",
        placed((C.REVIEW_REQUEST, "body:2"), (C.MODEL, "body:2")),
        state(),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
    ),
    Case(
        "LG Stendal 22 S 87/20: double-opt-in mail with a 'welcome to' greeting is advertising",
        service(ServiceBasis.DOUBLE_OPT_IN, C.BRAND_PROMOTION),
        state(S.PENDING, consent=0.01),
        A.SUPPRESS,
        "DE_NO_DOI",
        country="DE",
        trail=("DE_IMAGE_ADVERTISING",),
    ),
    Case(
        "a plain double-opt-in confirmation request is a service message",
        service(ServiceBasis.DOUBLE_OPT_IN),
        state(S.PENDING, consent=0.01),
        A.SEND,
        "SERVICE_MESSAGE",
        country="DE",
    ),
    Case(
        "UWG §7(3) all four conditions met",
        marketing(C.CROSS_SELL),
        CUSTOMER,
        A.SEND,
        "DE_EXISTING_CUSTOMER",
        country="DE",
    ),
    Case(
        "UWG §7(3) Nr. 4 no notice of the right to object in this message",
        marketing(C.CROSS_SELL),
        CUSTOMER,
        A.BLOCK,
        "DE_NO_OBJECTION_NOTICE",
        country="DE",
        message=NO_NOTICE,
        requirements=("DE_NO_OBJECTION_NOTICE",),
    ),
    Case(
        "UWG §7(3) Nr. 2 without a declared product it does not apply",
        marketing(C.CROSS_SELL),
        CUSTOMER,
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
        policy=config(product=None),
    ),
    Case(
        "UWG §7(3) Nr. 2 goods not similar",
        marketing(C.CROSS_SELL),
        state(purchase=100, product="furniture"),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
    ),
    Case(
        "UWG §7(3) Nr. 3 customer objected",
        marketing(C.CROSS_SELL),
        state(S.OBJECTED, opt_out=(E.OBJECT, 5), purchase=100),
        A.SUPPRESS,
        "OPTED_OUT",
        country="DE",
    ),
    Case(
        "UWG §7(3) Nr. 4 not told of the right to object at collection",
        marketing(C.CROSS_SELL),
        state(purchase=100, refusal_offered=False),
        A.SUPPRESS,
        "DE_NO_CONSENT",
        country="DE",
    ),
    Case(
        "UWG §7(3) exception when consent lacks its double opt-in",
        marketing(C.CROSS_SELL),
        state(S.CONSENTED, consent=10, purchase=100),
        A.SEND,
        "DE_EXISTING_CUSTOMER",
        country="DE",
        trail=("DE_CONSENT",),
    ),
    Case(
        "GDPR Art 21(3): objection to direct marketing is absolute",
        marketing(C.NEWSLETTER),
        state(S.OBJECTED, opt_out=(E.OBJECT, 1), consent=None),
        A.SUPPRESS,
        "OPTED_OUT",
        country="DE",
    ),
    Case(
        "complaint after double-opt-in consent",
        marketing(C.NEWSLETTER),
        state(S.COMPLAINED, opt_out=(E.COMPLAINT, 1)),
        A.SUPPRESS,
        "OPTED_OUT",
        country="DE",
    ),
    Case(
        "UWG §7(2) Nr. 3 no valid address to stop",
        marketing(C.NEWSLETTER),
        CONFIRMED,
        A.BLOCK,
        "NO_OPT_OUT_ADDRESS",
        country="DE",
        message=message(list_unsubscribe="", unsubscribe_link=False, footer=()),
    ),
    Case(
        "UWG §7(2) Nr. 2 double opt-in switched off by the deployment (local.d)",
        marketing(C.NEWSLETTER),
        UNCONFIRMED,
        A.SEND,
        "DE_CONSENT",
        country="DE",
        policy=config(config_dir=DATA / "no_doi"),
    ),
    Case(
        "account security alert to an objector is sent",
        service(),
        state(S.OBJECTED, opt_out=(E.OBJECT, 3)),
        A.SEND,
        "SERVICE_MESSAGE",
        country="DE",
    ),
]


@table(CASES)
def test_de_uwg(case: Case) -> None:
    check(case, "DE")
