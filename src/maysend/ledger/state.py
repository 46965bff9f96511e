"""Consent state: what the ledger answers for one subject, channel and purpose at time t.

The policy package reads only this (it never queries the store), so the same
decision can be made from the live ledger, from a snapshot, or in a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class EventType(StrEnum):
    """Stable event names (the CLI and import files use them)."""

    CONSENT = "consent"
    CONFIRM = "confirm"  # double opt-in confirmation
    WITHDRAW = "withdraw"  # unsubscribe / withdrawal of consent
    OBJECT = "object"  # objection (GDPR Art 21(2), UWG §7(3) Nr. 3)
    COMPLAINT = "complaint"  # spam report: treated as a withdrawal
    PURCHASE = "purchase"  # sale or negotiation of a sale (soft opt-in basis)
    INQUIRY = "inquiry"  # CASL s.10(10)(c) basis
    ERASE = "erase"  # erasure request: only a keyed-hash suppression remains


OPT_OUTS = frozenset({EventType.WITHDRAW, EventType.OBJECT, EventType.COMPLAINT, EventType.ERASE})


class Status(StrEnum):
    """Marketing permission status, folded from events in occurred_at order."""

    NONE = "none"  # no consent and no opt-out on record
    CONSENTED = "consented"  # consent given (and confirmed where required)
    PENDING = "pending"  # consent given, double opt-in required but not confirmed
    WITHDRAWN = "withdrawn"
    OBJECTED = "objected"
    COMPLAINED = "complained"
    ERASED = "erased"


OPTED_OUT = frozenset({Status.WITHDRAWN, Status.OBJECTED, Status.COMPLAINED, Status.ERASED})


@dataclass(frozen=True, slots=True)
class EventRef:
    """Which event a fact comes from, so a reason can cite it."""

    event_id: int
    type: EventType
    occurred_at: datetime
    source: str = ""


@dataclass(frozen=True, slots=True)
class Relationship:
    """A sale or negotiation of a sale: the soft opt-in / UWG §7(3) basis."""

    event: EventRef
    product: str | None
    refusal_offered: bool


@dataclass(frozen=True, slots=True)
class ConsentState:
    """State of one subject for one channel and purpose (and topic) at `as_of`.

    `consent` is the consent event that counts (after the latest opt-out);
    `confirmed` its double-opt-in confirmation if any; `opt_out` the latest
    withdrawal, objection, complaint or erasure. Relationships are kept even
    after an opt-out (a later purchase does not undo an opt-out).
    """

    subject: str
    channel: str
    purpose: str
    topic: str | None
    status: Status
    as_of: datetime
    consent: EventRef | None = None
    confirmed: EventRef | None = None
    opt_out: EventRef | None = None
    last_purchase: Relationship | None = None
    last_inquiry: EventRef | None = None
    country: str | None = None

    @property
    def opted_out(self) -> bool:
        return self.status in OPTED_OUT


__all__ = [
    "OPTED_OUT",
    "OPT_OUTS",
    "ConsentState",
    "EventRef",
    "EventType",
    "Relationship",
    "Status",
]
