"""The current-state table: the fold of all of a subject's events, kept for fast look-ups.

It is rewritten in the same transaction as the events that change it. New
events later than everything the subject has are applied as fold steps; an
event that lands earlier than the subject's latest (history imported late), or
that opens a new key for a subject with history, makes the subject be folded
again from its full history, so the table always equals the fold.

Rows hold the status without double opt-in; readers that require double
opt-in turn CONSENTED without a confirmation into PENDING.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from maysend.ledger.bulk import insert_rows
from maysend.ledger.events import StoredEvent
from maysend.ledger.fold import KeyFold, applies_to
from maysend.ledger.read import load_events
from maysend.ledger.schema import current_state
from maysend.ledger.state import EventRef, EventType, Relationship

Key = tuple[str, str, str | None]  # channel, purpose, topic
CHUNK = 2_000


def event_key(event: StoredEvent) -> Key:
    return (event.channel, event.purpose, event.topic)


def update_current(connection: sa.Connection, stored: Sequence[StoredEvent]) -> None:
    """Bring current_state in line with newly appended events."""
    by_subject: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in stored:
        by_subject[event.subject].append(event)
    existing = load_folds(connection, list(by_subject))
    refold: list[str] = []
    result: dict[str, dict[Key, KeyFold]] = {}
    for subject, new in by_subject.items():
        new.sort(key=lambda e: e.position)
        folds = existing.get(subject)
        if folds is None:
            result[subject] = fold_fresh(new)
        elif _can_step(folds, new):
            _step(folds, new)
            result[subject] = folds
        else:
            refold.append(subject)
    for subject, history in load_events(connection, refold).items():
        result[subject] = fold_fresh(history)
    _replace(connection, result, had_rows=[s for s in result if s in existing])


def _can_step(folds: dict[Key, KeyFold], new: list[StoredEvent]) -> bool:
    latest = max(f.last_position for f in folds.values() if f.last_position is not None)
    return new[0].position > latest and all(event_key(e) in folds for e in new)


def _step(folds: dict[Key, KeyFold], new: Iterable[StoredEvent]) -> None:
    for event in new:
        for (channel, purpose, topic), fold in folds.items():
            if applies_to(event, channel, purpose, topic):
                fold.apply(event)


def fold_fresh(history: Sequence[StoredEvent]) -> dict[Key, KeyFold]:
    """Fold every key a subject has from its whole history (sorted or not)."""
    ordered = sorted(history, key=lambda e: e.position)
    folds: dict[Key, KeyFold] = {event_key(e): KeyFold() for e in ordered}
    _step(folds, ordered)
    return folds


def load_folds(connection: sa.Connection, subjects: Sequence[str]) -> dict[str, dict[Key, KeyFold]]:
    found: dict[str, dict[Key, KeyFold]] = defaultdict(dict)
    for start in range(0, len(subjects), CHUNK):
        chunk = subjects[start : start + CHUNK]
        rows = connection.execute(
            sa.select(current_state).where(current_state.c.subject.in_(chunk))
        ).mappings()
        for row in rows:
            found[row["subject"]][(row["channel"], row["purpose"], row["topic"] or None)] = (
                row_to_fold(row)
            )
    return dict(found)


def _replace(
    connection: sa.Connection, folds: Mapping[str, dict[Key, KeyFold]], had_rows: Sequence[str]
) -> None:
    for start in range(0, len(had_rows), CHUNK):
        chunk = had_rows[start : start + CHUNK]
        connection.execute(current_state.delete().where(current_state.c.subject.in_(chunk)))
    rows = [
        fold_to_row(subject, key, fold)
        for subject, keyed in folds.items()
        for key, fold in keyed.items()
    ]
    insert_rows(connection, current_state, rows)


def _ref_values(prefix: str, ref: EventRef | None) -> dict[str, Any]:
    return {
        f"{prefix}_event_id": ref.event_id if ref else None,
        f"{prefix}_at": ref.occurred_at if ref else None,
        f"{prefix}_source": ref.source if ref else None,
    }


def fold_to_row(subject: str, key: Key, fold: KeyFold) -> dict[str, Any]:
    channel, purpose, topic = key
    assert fold.last_position is not None
    last_at, last_prec, last_id = fold.last_position
    purchase = fold.last_purchase
    return {
        "subject": subject,
        "channel": channel,
        "purpose": purpose,
        "topic": topic or "",
        "status": fold.status(False).value,
        **_ref_values("consent", fold.consent),
        **_ref_values("confirmed", fold.confirmed),
        **_ref_values("opt_out", fold.opt_out),
        "opt_out_type": fold.opt_out.type.value if fold.opt_out else None,
        **_ref_values("last_purchase", purchase.event if purchase else None),
        "last_purchase_product": purchase.product if purchase else None,
        "last_purchase_refusal_offered": purchase.refusal_offered if purchase else None,
        **_ref_values("last_inquiry", fold.last_inquiry),
        "country": fold.country,
        "last_at": last_at,
        "last_prec": last_prec,
        "last_id": last_id,
    }


def _ref(row: Mapping[Any, Any], prefix: str, kind: EventType) -> EventRef | None:
    event_id = row[f"{prefix}_event_id"]
    if event_id is None:
        return None
    return EventRef(event_id, kind, row[f"{prefix}_at"], row[f"{prefix}_source"] or "")


def row_to_fold(row: Mapping[Any, Any]) -> KeyFold:
    purchase = _ref(row, "last_purchase", EventType.PURCHASE)
    opt_out_type = EventType(row["opt_out_type"]) if row["opt_out_type"] else EventType.WITHDRAW
    return KeyFold(
        consent=_ref(row, "consent", EventType.CONSENT),
        confirmed=_ref(row, "confirmed", EventType.CONFIRM),
        opt_out=_ref(row, "opt_out", opt_out_type),
        last_purchase=Relationship(
            purchase, row["last_purchase_product"], bool(row["last_purchase_refusal_offered"])
        )
        if purchase
        else None,
        last_inquiry=_ref(row, "last_inquiry", EventType.INQUIRY),
        country=row["country"],
        last_position=(row["last_at"], row["last_prec"], row["last_id"]),
    )


__all__ = ["event_key", "fold_fresh", "fold_to_row", "load_folds", "row_to_fold", "update_current"]
