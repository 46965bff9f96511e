"""Which law applies: the recipient's country, the ledger's country, the default, strictest."""

from __future__ import annotations

import pytest

from maysend.classify.verdict import Category
from maysend.policy import (
    Action,
    Basis,
    Decision,
    PolicyConfig,
    Recipient,
    choose_jurisdiction,
    decide,
)

from .factory import AT, config, marketing, message, service, state

UK_DEFAULT = config("UK")
STRICTEST = config("strictest")
NO_DEFAULT = config("none")

ROWS = [
    ("GB is the UK", "GB", UK_DEFAULT, "UK", Basis.COUNTRY),
    ("lower case and spaces are tolerated", " de ", UK_DEFAULT, "DE", Basis.COUNTRY),
    ("the alias UK means GB", "UK", UK_DEFAULT, "UK", Basis.COUNTRY),
    ("a US territory is under CAN-SPAM", "PR", UK_DEFAULT, "US", Basis.COUNTRY),
    ("Canada", "CA", UK_DEFAULT, "CA", Basis.COUNTRY),
    ("Austria is not claimed by DE: the default applies", "AT", UK_DEFAULT, "UK", Basis.DEFAULT),
    ("an unclaimed country falls to the default", "FR", UK_DEFAULT, "UK", Basis.DEFAULT),
    ("no country falls to the default", None, UK_DEFAULT, "UK", Basis.DEFAULT),
    ("strictest picks UWG §7 for an unclaimed country", "FR", STRICTEST, "DE", Basis.STRICTEST),
    ("strictest does not override a claimed country", "US", STRICTEST, "US", Basis.COUNTRY),
    ("no default: an unclaimed country is a gap", "FR", NO_DEFAULT, None, Basis.NO_DEFAULT),
    ("not an ISO 3166 code is a gap", "XX", UK_DEFAULT, None, Basis.INVALID_COUNTRY),
    ("a country name is not a code", "Germany", UK_DEFAULT, None, Basis.INVALID_COUNTRY),
]


@pytest.mark.parametrize(
    ("country", "policy", "code", "basis"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_choose_jurisdiction(
    country: str | None, policy: PolicyConfig, code: str | None, basis: Basis
) -> None:
    choice = choose_jurisdiction(country, policy)
    assert (choice.code, choice.basis) == (code, basis)


def decide_for(country: str | None, ledger_country: str | None, policy: PolicyConfig) -> Decision:
    recipient = Recipient("a@example.org", country, state(country=ledger_country))
    return decide(message(), marketing(Category.OFFER), recipient, AT, config=policy)


def test_recipient_country_overrides_the_ledger_country() -> None:
    decision = decide_for("US", "DE", UK_DEFAULT)
    assert decision.jurisdiction == "US"


def test_ledger_country_used_when_the_recipient_has_none() -> None:
    decision = decide_for(None, "DE", UK_DEFAULT)
    assert decision.jurisdiction == "DE"


@pytest.mark.parametrize(
    ("country", "policy", "code"),
    [("XX", UK_DEFAULT, "HOLD_INVALID_COUNTRY"), ("FR", NO_DEFAULT, "HOLD_UNKNOWN_JURISDICTION")],
    ids=["invalid country code holds", "no jurisdiction and no default holds"],
)
def test_gaps_hold_marketing(country: str, policy: PolicyConfig, code: str) -> None:
    decision = decide_for(country, None, policy)
    assert (decision.action, decision.code) == (Action.HOLD, code)


@pytest.mark.parametrize("country", ["XX", "FR"], ids=["invalid country", "no default"])
def test_service_mail_goes_when_every_law_calls_it_service(country: str) -> None:
    recipient = Recipient("a@example.org", country, state())
    decision = decide(message(), service(), recipient, AT, config=NO_DEFAULT)
    assert (decision.action, decision.code, decision.jurisdiction) == (
        Action.SEND,
        "SERVICE_MESSAGE",
        None,
    )
