"""consent_facts: a ConsentState reduced to the discrete facts the law asks about."""

from __future__ import annotations

from datetime import datetime

import pytest

from maysend.errors import PolicyError
from maysend.ledger.state import ConsentState
from maysend.ledger.state import EventType as E
from maysend.ledger.state import Status as S
from maysend.policy import ConsentFacts, PolicyConfig, consent_facts, required_windows

from .factory import AT, DATA, config, state

POLICY = config()
SIMILAR = config(config_dir=DATA / "similar")


def facts(st: ConsentState, code: str = "CA", policy: PolicyConfig = POLICY) -> ConsentFacts:
    rules = policy.jurisdiction(code)
    return consent_facts(st, AT, rules, policy.declared_product, policy.similar_products)


ROWS = [
    ("consent on record", state(S.CONSENTED, consent=5), S.CONSENTED),
    ("consent dated after t, no earlier opt-out: none", state(S.CONSENTED, consent=-1), S.NONE),
    (
        "consent dated after t replacing an opt-out: the opt-out stood at t",
        state(S.CONSENTED, consent=-1, opt_out=(E.COMPLAINT, 10)),
        S.COMPLAINED,
    ),
    (
        "confirmation dated after t: pending at t",
        state(S.CONSENTED, consent=5, confirmed=-1),
        S.PENDING,
    ),
    ("an opt-out is never undone", state(S.WITHDRAWN, opt_out=(E.WITHDRAW, -3)), S.WITHDRAWN),
]


@pytest.mark.parametrize(("st", "status"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_effective_status(st: ConsentState, status: S) -> None:
    assert facts(st).status is status


def test_windows_are_those_of_the_jurisdiction() -> None:
    both = state(purchase=100, inquiry=100)
    assert facts(both, "CA").purchase_within == {"casl_purchase"}
    assert facts(both, "CA").inquiry_within == {"casl_inquiry"}
    assert facts(both, "UK").purchase_within == frozenset()


def test_events_after_t_are_not_facts() -> None:
    later = facts(state(purchase=-1, inquiry=-1, confirmed=-1))
    assert (later.purchase, later.inquiry, later.confirmed) == (False, False, False)


def test_similar_products_compare_trimmed_and_lower_cased() -> None:
    assert facts(state(purchase=10, product=" BroadBand "), "UK").product_similar
    assert not facts(state(purchase=10, product="tv"), "UK").product_similar
    assert facts(state(purchase=10, product="TV"), "UK", SIMILAR).product_similar


def test_no_declared_product_matches_nothing() -> None:
    found = facts(state(purchase=10), "UK", config(product=None))
    assert (found.product_declared, found.product_similar) == (False, False)


def test_required_windows_for_sql() -> None:
    windows = required_windows(POLICY)
    assert {n: (w.event.value, w.days) for n, w in windows.items()} == {
        "casl_purchase": ("purchase", 730),
        "casl_inquiry": ("inquiry", 181),
    }


def test_facts_are_hashable_and_take_sql_strings() -> None:
    from_sql = ConsentFacts(status="withdrawn")  # type: ignore[arg-type]
    assert from_sql == ConsentFacts(status=S.WITHDRAWN)
    assert hash(from_sql) == hash(ConsentFacts(status=S.WITHDRAWN))


def test_unknown_status_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="unknown consent status"):
        ConsentFacts(status="subscribed")  # type: ignore[arg-type]


def test_decision_time_needs_a_zone() -> None:
    with pytest.raises(PolicyError, match="time zone"):
        consent_facts(
            state(), datetime(2025, 1, 1), POLICY.jurisdiction("UK"), None, POLICY.similar_products
        )
