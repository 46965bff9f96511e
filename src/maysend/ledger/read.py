"""Reading events back from the store as StoredEvent values."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from maysend.ledger.bulk import one_of
from maysend.ledger.events import StoredEvent
from maysend.ledger.schema import events, evidence
from maysend.ledger.state import EventType


def row_to_event(row: Mapping[Any, Any]) -> StoredEvent:
    body = row.get("body")
    return StoredEvent(
        id=row["id"],
        subject=row["subject"],
        type=EventType(row["type"]),
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        channel=row["channel"],
        purpose=row["purpose"],
        topic=row["topic"],
        source=row["source"],
        country=row["country"],
        notice=row["notice_version"],
        product=row["product"],
        refusal_offered=bool(row["refusal_offered"]),
        evidence=json.loads(body) if body else None,
        evidence_digest=row["evidence_digest"],
        idempotency_key=row["idempotency_key"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _select(with_evidence: bool) -> sa.Select[Any]:
    if not with_evidence:
        return sa.select(events)
    return sa.select(events, evidence.c.body).select_from(
        events.outerjoin(evidence, evidence.c.event_id == events.c.id)
    )


def load_events(
    connection: sa.Connection,
    subjects: Sequence[str],
    *,
    until: datetime | None = None,
    with_evidence: bool = False,
) -> dict[str, list[StoredEvent]]:
    """Every event of the given subjects (occurring no later than `until`), in id order."""
    found: dict[str, list[StoredEvent]] = defaultdict(list)
    if not subjects:
        return {}
    query = _select(with_evidence).where(one_of(connection, events.c.subject, subjects))
    if until is not None:
        query = query.where(events.c.occurred_at <= until)
    for row in connection.execute(query.order_by(events.c.id)).mappings():
        found[row["subject"]].append(row_to_event(row))
    return dict(found)


def subject_history(connection: sa.Connection, subject: str) -> list[StoredEvent]:
    """One subject's events with evidence, in fold order (occurred_at, precedence, id)."""
    history = load_events(connection, [subject], with_evidence=True).get(subject, [])
    return sorted(history, key=lambda e: e.position)


__all__ = ["load_events", "row_to_event", "subject_history"]
