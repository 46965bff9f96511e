"""The evidence record a regulator asks for: who agreed, when, how, and what they were told.

For each consent: channel, purpose/topic, when it occurred and was recorded,
the source, the notice wording shown (by version, with its hash), the online
evidence (IP, user agent, token), its double opt-in confirmation and the
opt-out that ended it, if any. Sales and inquiries are listed with the product
class and whether a free refusal was offered at collection; opt-outs with when
and through what. Every item names its event id and chain hash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from maysend.ledger.events import StoredEvent, format_time
from maysend.ledger.fold import applies_to
from maysend.ledger.state import EventType


@dataclass(frozen=True, slots=True)
class Notice:
    """The wording a person was shown, by version."""

    version: str
    text: str | None
    text_sha256: str | None


@dataclass(frozen=True, slots=True)
class ConsentProof:
    consent: StoredEvent
    notice: Notice | None
    confirmation: StoredEvent | None
    ended_by: StoredEvent | None


@dataclass(frozen=True, slots=True)
class ProofRecord:
    subject: str
    generated_at: datetime
    erased: bool
    consents: list[ConsentProof] = field(default_factory=list)
    relationships: list[StoredEvent] = field(default_factory=list)
    opt_outs: list[StoredEvent] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "generated_at": format_time(self.generated_at),
            "erased": self.erased,
            "consents": [
                {
                    **event_dict(c.consent),
                    "notice": None
                    if c.notice is None
                    else {
                        "version": c.notice.version,
                        "text": c.notice.text,
                        "text_sha256": c.notice.text_sha256,
                    },
                    "confirmation": event_dict(c.confirmation) if c.confirmation else None,
                    "ended_by": event_dict(c.ended_by) if c.ended_by else None,
                }
                for c in self.consents
            ],
            "relationships": [event_dict(e) for e in self.relationships],
            "opt_outs": [event_dict(e) for e in self.opt_outs],
        }


def event_dict(event: StoredEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "type": event.type.value,
        "occurred_at": format_time(event.occurred_at),
        "recorded_at": format_time(event.recorded_at),
        "channel": event.channel,
        "purpose": event.purpose,
        "topic": event.topic,
        "source": event.source,
        "country": event.country,
        "notice": event.notice,
        "product": event.product,
        "refusal_offered": event.refusal_offered,
        "evidence": event.evidence,
        "hash": event.hash,
    }


def build_proof(
    subject: str,
    history: Sequence[StoredEvent],
    notices: Mapping[str, Notice],
    generated_at: datetime,
) -> ProofRecord:
    """Assemble the record from a subject's history (in fold order) and the notices on file."""
    record = ProofRecord(
        subject=subject,
        generated_at=generated_at,
        erased=any(e.type is EventType.ERASE for e in history),
    )
    for index, event in enumerate(history):
        if event.type is EventType.CONSENT:
            record.consents.append(_consent_proof(event, history[index + 1 :], notices))
        elif event.type in (EventType.PURCHASE, EventType.INQUIRY):
            record.relationships.append(event)
        elif event.is_opt_out:
            record.opt_outs.append(event)
    return record


def _consent_proof(
    consent: StoredEvent, later: Sequence[StoredEvent], notices: Mapping[str, Notice]
) -> ConsentProof:
    confirmation = ended_by = None
    for event in later:
        if not applies_to(event, consent.channel, consent.purpose, consent.topic):
            continue
        if event.is_opt_out:
            ended_by = event
            break
        if event.type is EventType.CONFIRM and confirmation is None:
            confirmation = event
    notice = None
    if consent.notice:
        notice = notices.get(consent.notice, Notice(consent.notice, None, None))
    return ConsentProof(consent, notice, confirmation, ended_by)


__all__ = ["ConsentProof", "Notice", "ProofRecord", "build_proof", "event_dict"]
