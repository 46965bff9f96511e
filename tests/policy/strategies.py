"""hypothesis strategies: random event histories (folded by the ledger's own fold),
random verdicts, recipients and messages."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import strategies as st

from maysend.classify.verdict import (
    PROMOTIONAL,
    Category,
    Evidence,
    Kind,
    PrimaryPurpose,
    ServiceBasis,
    Verdict,
)
from maysend.ledger import ConsentState, EventType, StoredEvent, fold_state
from maysend.message.model import Message

from .factory import AT, DATA, config, message

POLICIES = [
    config("UK"),
    config("strictest"),
    config("US", product=None),
    config("none", config_dir=DATA / "similar"),
]
COUNTRIES = [None, "GB", "DE", "US", "CA", "FR", "uk", "XX"]
PRODUCTS = ["broadband", "tv", "insurance", None]
MESSAGES: list[Message] = [
    message(),
    message(footer=()),
    message(list_unsubscribe="", unsubscribe_link=False, footer=()),
    message(one_click=False, sender=("", "x@example.com")),
]


def stored(
    event_id: int, kind: EventType, when: datetime, product: str | None, refusal: bool
) -> StoredEvent:
    return StoredEvent(
        id=event_id,
        subject="s",
        type=kind,
        occurred_at=when,
        recorded_at=when,
        channel="email",
        purpose="marketing",
        topic=None,
        source="test",
        country=None,
        notice=None,
        product=product,
        refusal_offered=refusal,
        evidence=None,
        evidence_digest=None,
        idempotency_key=f"k{event_id}",
        prev_hash="",
        hash="",
    )


@st.composite
def histories(draw: st.DrawFn, *, after: int = 60) -> list[StoredEvent]:
    """Up to 8 events between ~4 years before AT and `after` days after it (minute steps)."""
    size = draw(st.integers(0, 8))
    events = []
    for event_id in range(1, size + 1):
        minutes = draw(st.integers(-4 * 365 * 1440, after * 1440))
        events.append(
            stored(
                event_id,
                draw(st.sampled_from(list(EventType))),
                AT + timedelta(minutes=minutes),
                draw(st.sampled_from(PRODUCTS)),
                draw(st.booleans()),
            )
        )
    return events


def fold(events: list[StoredEvent], at: datetime, doi: bool) -> ConsentState:
    return fold_state(
        events, at=at, channel="email", purpose="marketing", require_double_opt_in=doi, subject="s"
    )


@st.composite
def verdicts(draw: st.DrawFn) -> Verdict:
    categories = draw(st.lists(st.sampled_from(sorted(PROMOTIONAL)), max_size=3))
    evidence = tuple(Evidence(c.name, c, c.value, "body:0", 1.0) for c in categories)
    if draw(st.booleans()):
        evidence += (Evidence("RECEIPT", Category.SERVICE, "receipt", "body:1", -1.0),)
    return Verdict(
        kind=draw(st.sampled_from(list(Kind))),
        score=0.5,
        language="en",
        primary_purpose=draw(st.sampled_from(list(PrimaryPurpose))),
        evidence=evidence,
        service_basis=draw(st.none() | st.sampled_from(list(ServiceBasis))),
        gap=draw(st.sampled_from([None, None, None, "language unsupported"])),
    )


@st.composite
def service_verdicts(draw: st.DrawFn) -> Verdict:
    """Service mail by every jurisdiction's test: no promotional element, transactional."""
    return Verdict(
        Kind.SERVICE,
        0.02,
        "en",
        PrimaryPurpose.TRANSACTIONAL,
        (Evidence("RECEIPT", Category.SERVICE, "receipt", "body:0", -1.0),),
        service_basis=draw(st.sampled_from(list(ServiceBasis))),
    )
