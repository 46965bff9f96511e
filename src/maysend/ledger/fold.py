"""The fold: consent state at time t from a subject's events, with no I/O.

Events are taken in (occurred_at, precedence, id) order, so history imported
late gives the same answer as history recorded in order. Rules:

- a withdrawal, objection, complaint or erasure ends any earlier consent;
- a consent after it counts from its own time; where double opt-in is
  required it counts only once a later confirmation arrives (PENDING before);
- the events for topic T are those for T and those without a topic, so a
  global marketing opt-out overrides every topic, while opting out of every
  topic one by one never produces a global opt-out;
- an erasure applies to every channel, purpose and topic of the subject;
- purchases and inquiries are kept whatever the consent status: they are
  facts about the relationship, and the policy decides what they allow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from maysend.ledger.events import StoredEvent
from maysend.ledger.state import ConsentState, EventRef, EventType, Relationship, Status

OPT_OUT_STATUS: dict[EventType, Status] = {
    EventType.WITHDRAW: Status.WITHDRAWN,
    EventType.OBJECT: Status.OBJECTED,
    EventType.COMPLAINT: Status.COMPLAINED,
    EventType.ERASE: Status.ERASED,
}


def applies_to(event: StoredEvent, channel: str, purpose: str, topic: str | None) -> bool:
    """Does this event bear on the state of (channel, purpose, topic)?"""
    if event.type is EventType.ERASE:
        return True
    if event.channel != channel or event.purpose != purpose:
        return False
    return event.topic is None or event.topic == topic


@dataclass(slots=True)
class KeyFold:
    """Running state for one (subject, channel, purpose, topic); `apply` is one fold step."""

    consent: EventRef | None = None
    confirmed: EventRef | None = None
    opt_out: EventRef | None = None
    last_purchase: Relationship | None = None
    last_inquiry: EventRef | None = None
    country: str | None = None
    last_position: tuple[datetime, int, int] | None = field(default=None)

    def apply(self, event: StoredEvent) -> None:
        kind = event.type
        if kind is EventType.CONSENT:
            if self.consent is None:  # the earliest consent of an unbroken run is the proof
                self.consent = event.ref
        elif kind is EventType.CONFIRM:
            if self.consent is not None and self.confirmed is None:
                self.confirmed = event.ref
        elif event.is_opt_out:
            self.opt_out, self.consent, self.confirmed = event.ref, None, None
        elif kind is EventType.PURCHASE:
            self.last_purchase = Relationship(event.ref, event.product, event.refusal_offered)
        elif kind is EventType.INQUIRY:
            self.last_inquiry = event.ref
        if event.country:
            self.country = event.country
        self.last_position = event.position

    def status(self, require_double_opt_in: bool) -> Status:
        if self.consent is not None:
            if require_double_opt_in and self.confirmed is None:
                return Status.PENDING
            return Status.CONSENTED
        if self.opt_out is not None:
            return OPT_OUT_STATUS[self.opt_out.type]
        return Status.NONE

    def state(
        self,
        *,
        subject: str,
        channel: str,
        purpose: str,
        topic: str | None,
        at: datetime,
        require_double_opt_in: bool = False,
    ) -> ConsentState:
        return ConsentState(
            subject=subject,
            channel=channel,
            purpose=purpose,
            topic=topic,
            status=self.status(require_double_opt_in),
            as_of=at,
            consent=self.consent,
            confirmed=self.confirmed,
            opt_out=self.opt_out,
            last_purchase=self.last_purchase,
            last_inquiry=self.last_inquiry,
            country=self.country,
        )


def fold_state(
    events: Iterable[StoredEvent],
    *,
    at: datetime,
    channel: str,
    purpose: str,
    topic: str | None = None,
    require_double_opt_in: bool = False,
    subject: str | None = None,
) -> ConsentState:
    """State of one subject at `at` from its events (any order; later ones are ignored)."""
    chosen = sorted(
        (e for e in events if e.occurred_at <= at and applies_to(e, channel, purpose, topic)),
        key=lambda e: e.position,
    )
    fold = KeyFold()
    for event in chosen:
        fold.apply(event)
    name = subject if subject is not None else (chosen[0].subject if chosen else "")
    return fold.state(
        subject=name,
        channel=channel,
        purpose=purpose,
        topic=topic,
        at=at,
        require_double_opt_in=require_double_opt_in,
    )


__all__ = ["OPT_OUT_STATUS", "KeyFold", "applies_to", "fold_state"]
