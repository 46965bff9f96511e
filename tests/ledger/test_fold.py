"""The fold: consent state from events, one row per rule with where it comes from."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.ledger import Status, fold_state
from maysend.ledger.events import StoredEvent

from .factory import day, ev

# (id, events as (kind, day, topic), ask topic, require DOI, expected status)
CASES = [
    ("no-events", [], None, False, Status.NONE),
    ("consent-counts:PECR-reg22(2)", [("consent", 1, None)], None, False, Status.CONSENTED),
    (
        "withdrawal-beats-earlier-consent:GDPR-Art7(3)",
        [("consent", 1, None), ("withdraw", 2, None)],
        None,
        False,
        Status.WITHDRAWN,
    ),
    (
        "later-consent-counts-from-its-time",
        [("withdraw", 1, None), ("consent", 2, None)],
        None,
        False,
        Status.CONSENTED,
    ),
    (
        "complaint-is-a-withdrawal:RFC5965",
        [("consent", 1, None), ("complaint", 2, None)],
        None,
        False,
        Status.COMPLAINED,
    ),
    (
        "objection-is-an-opt-out:GDPR-Art21(3)",
        [("consent", 1, None), ("object", 2, None)],
        None,
        False,
        Status.OBJECTED,
    ),
    (
        "doi-unconfirmed-is-pending:BGH-I-ZR-164/09",
        [("consent", 1, None)],
        None,
        True,
        Status.PENDING,
    ),
    (
        "doi-confirmed-consents",
        [("consent", 1, None), ("confirm", 2, None)],
        None,
        True,
        Status.CONSENTED,
    ),
    (
        "confirm-before-a-withdrawal-does-not-survive-it",
        [("consent", 1, None), ("confirm", 2, None), ("withdraw", 3, None), ("consent", 4, None)],
        None,
        True,
        Status.PENDING,
    ),
    (
        "confirm-without-consent-is-not-consent",
        [("confirm", 1, None)],
        None,
        False,
        Status.NONE,
    ),
    (
        "global-opt-out-overrides-topic",
        [("consent", 1, "news"), ("withdraw", 2, None)],
        "news",
        False,
        Status.WITHDRAWN,
    ),
    (
        "topic-opt-out-leaves-other-topics",
        [("consent", 1, None), ("withdraw", 2, "offers")],
        "news",
        False,
        Status.CONSENTED,
    ),
    (
        "opting-out-of-every-topic-is-not-global",
        [("consent", 1, None), ("withdraw", 2, "news"), ("withdraw", 2, "offers")],
        None,
        False,
        Status.CONSENTED,
    ),
    (
        "topic-consent-is-not-general-consent",
        [("consent", 1, "news")],
        None,
        False,
        Status.NONE,
    ),
    (
        "erasure-leaves-only-suppression:GDPR-Art17",
        [("consent", 1, None), ("erase", 2, "news")],
        None,
        False,
        Status.ERASED,
    ),
    (
        "same-instant-opt-out-beats-consent-fail-closed",
        [("withdraw", 1, None), ("consent", 1, None)],
        None,
        False,
        Status.WITHDRAWN,
    ),
    (
        "purchase-does-not-undo-opt-out:PECR-reg22(3)(c)",
        [("withdraw", 1, None), ("purchase", 2, None)],
        None,
        False,
        Status.WITHDRAWN,
    ),
]


def _events(spec: list[tuple[str, float, str | None]]) -> list[StoredEvent]:
    return [ev(i, kind, when, topic=topic) for i, (kind, when, topic) in enumerate(spec, 1)]


@pytest.mark.parametrize(
    ("events", "topic", "doi", "expected"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_fold_rules(
    events: list[tuple[str, float, str | None]], topic: str | None, doi: bool, expected: Status
) -> None:
    state = fold_state(
        _events(events),
        at=day(10),
        channel="email",
        purpose="marketing",
        topic=topic,
        require_double_opt_in=doi,
    )
    assert state.status is expected


def test_state_at_a_past_time_ignores_later_events() -> None:
    events = _events([("consent", 1, None), ("withdraw", 5, None)])
    past = fold_state(events, at=day(3), channel="email", purpose="marketing")
    assert past.status is Status.CONSENTED
    assert past.consent is not None
    assert past.consent.event_id == 1


def test_channel_and_purpose_are_separate() -> None:
    events = [ev(1, "consent", 1, channel="sms"), ev(2, "consent", 1, purpose="partners")]
    state = fold_state(events, at=day(5), channel="email", purpose="marketing")
    assert state.status is Status.NONE


def test_relationship_facts_are_kept() -> None:
    events = [
        ev(1, "purchase", 1, product="shoes", refusal_offered=True),
        ev(2, "inquiry", 2, country="CA"),
        ev(3, "withdraw", 3),
    ]
    state = fold_state(events, at=day(5), channel="email", purpose="marketing")
    assert state.last_purchase is not None
    assert (state.last_purchase.product, state.last_purchase.refusal_offered) == ("shoes", True)
    assert state.last_inquiry is not None
    assert state.last_inquiry.event_id == 2
    assert state.country == "CA"
    assert state.opt_out is not None
    assert state.status is Status.WITHDRAWN


KINDS = ["consent", "confirm", "withdraw", "object", "complaint", "purchase", "inquiry", "erase"]
event_specs = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 20),
        st.sampled_from([None, "news"]),
    ),
    min_size=0,
    max_size=12,
)


def _summary(events: list[StoredEvent], topic: str | None, doi: bool) -> tuple[object, ...]:
    s = fold_state(
        events,
        at=day(30),
        channel="email",
        purpose="marketing",
        topic=topic,
        require_double_opt_in=doi,
    )
    refs = (s.consent, s.confirmed, s.opt_out, s.last_inquiry)
    return (
        s.status,
        *((r.type, r.occurred_at) if r else None for r in refs),
        s.last_purchase.event.occurred_at if s.last_purchase else None,
    )


@settings(max_examples=150, deadline=None)
@given(spec=event_specs, order=st.randoms(use_true_random=False), doi=st.booleans())
def test_out_of_order_arrival_gives_the_same_state(
    spec: list[tuple[str, int, str | None]], order: object, doi: bool
) -> None:
    """Ids follow recording order: recording the same history shuffled changes nothing."""
    in_order = [
        ev(i, k, d, topic=t) for i, (k, d, t) in enumerate(sorted(spec, key=lambda x: x[1]), 1)
    ]
    shuffled_spec = list(spec)
    order.shuffle(shuffled_spec)  # type: ignore[attr-defined]
    shuffled = [ev(i, k, d, topic=t) for i, (k, d, t) in enumerate(shuffled_spec, 1)]
    for topic in (None, "news"):
        assert _summary(in_order, topic, doi) == _summary(shuffled, topic, doi)
