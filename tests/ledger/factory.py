"""Build StoredEvent values for pure fold tests (no store involved)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from maysend.ledger.events import StoredEvent
from maysend.ledger.state import EventType

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def ev(
    event_id: int,
    kind: str,
    when: float,
    *,
    topic: str | None = None,
    channel: str = "email",
    purpose: str = "marketing",
    country: str | None = None,
    product: str | None = None,
    refusal_offered: bool = False,
    subject: str = "s",
) -> StoredEvent:
    return StoredEvent(
        id=event_id,
        subject=subject,
        type=EventType(kind),
        occurred_at=day(when),
        recorded_at=day(when),
        channel=channel,
        purpose=purpose,
        topic=topic,
        source="test",
        country=country,
        notice=None,
        product=product,
        refusal_offered=refusal_offered,
        evidence=None,
        evidence_digest=None,
        idempotency_key=f"k{event_id}",
        prev_hash="",
        hash="",
    )
