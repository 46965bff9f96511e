"""Bad input is a clear per-recipient hold, never a crash and never a send."""

from __future__ import annotations

from datetime import datetime

import pytest

from maysend.classify.verdict import Category
from maysend.errors import PolicyError
from maysend.ledger.state import Status
from maysend.policy import Action, Recipient, decide, hold_decision, reason_codes

from .factory import AT, config, marketing, message, service, state

POLICY = config()


@pytest.mark.parametrize("address", ["", "no-at-sign", "two@@example.com", "a b@example.com"])
def test_address_that_does_not_parse_is_held(address: str) -> None:
    recipient = Recipient(address, "GB", state(Status.CONSENTED, consent=3))
    for verdict in (marketing(Category.OFFER), service()):
        decision = decide(message(), verdict, recipient, AT, config=POLICY)
        assert (decision.action, decision.code) == (Action.HOLD, "HOLD_INVALID_ADDRESS")
        assert decision.reasons[0].explanation.startswith("the recipient's address does not parse")


def test_ledger_unavailable_hold_has_the_decision_shape() -> None:
    decision = hold_decision("a@example.org", "HOLD_LEDGER_UNAVAILABLE", "timeout", config=POLICY)
    shape = decision.to_dict()
    assert shape["action"] == "hold"
    assert list(shape) == ["recipient", "action", "kind", "jurisdiction", "reasons", "requirements"]
    assert list(shape["reasons"][0]) == ["rule", "citation", "explanation", "facts"]  # type: ignore[index]
    assert decision.code in reason_codes(POLICY)


def test_decision_time_without_a_zone_is_refused() -> None:
    with pytest.raises(PolicyError, match="time zone"):
        decide(
            message(), service(), Recipient("a@example.org"), datetime(2025, 1, 1), config=POLICY
        )
