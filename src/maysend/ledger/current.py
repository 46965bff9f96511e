"""The current-state table: the fold of all of a subject's events, kept for fast look-ups.

It is rewritten in the same transaction as the events that change it, a whole
batch at once: the rows of the batch's subjects are read in one query, each
subject's new events are folded in memory with the ledger's own fold, and the
changed rows are written back: stored rows in one update, rows of keys new
to the table in one insert. New events later than everything
the subject has are applied as fold steps on the stored rows themselves
(`current_row`), where a topic the subject has never had starts from a copy of
its purpose-wide row (which has seen exactly the events that topic sees). An
event earlier than the subject's latest (history imported late), or a new key
with nothing to start from, makes the subject be folded again from its full
history, so the table always equals the fold.

Rows hold the status without double opt-in; readers that require double
opt-in turn CONSENTED without a confirmation into PENDING.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from maysend.ledger.bulk import Row, StoreTimes, insert_rows, rows_where, update_rows
from maysend.ledger.current_row import fresh_rows, step_rows
from maysend.ledger.events import StoredEvent, parse_event_type
from maysend.ledger.fold import KeyFold, applies_to
from maysend.ledger.read import load_events
from maysend.ledger.schema import current_state
from maysend.ledger.state import EventRef, EventType, Relationship

Key = tuple[str, str, str | None]  # channel, purpose, topic
TimeRead = Callable[[Any], datetime]


def event_key(event: StoredEvent) -> Key:
    return (event.channel, event.purpose, event.topic)


def _position(event: StoredEvent) -> tuple[datetime, int, int]:
    return event.position


def update_current(
    connection: sa.Connection,
    stored: Sequence[StoredEvent],
    times: StoreTimes | None = None,
    existing: Mapping[str, Mapping[Key, Row]] | None = None,
) -> None:
    """Bring current_state in line with newly appended events (`times`: the transaction's).

    `existing`: the stored rows of the events' subjects (`load_rows`), if read
    already. A subject without rows has no events before these: its rows are
    inserted as they are (see `write_current`).
    """
    times = times or StoreTimes.of(connection)
    if existing is None:
        existing = load_rows(connection, sorted({e.subject for e in stored}))
    write_current(connection, plan_current(stored, times, existing), times)


@dataclass(slots=True)
class CurrentChanges:
    """What a batch changes in current_state, worked out in memory (`plan_current`).

    `stepped`: stored rows stepped (`current_row`); `added`: rows of keys the
    table does not have yet (a subject new to the ledger, or a new topic of
    one it has); `refold`: subjects to fold again from their whole history,
    which needs the batch's events in the table, with the keys they have rows
    for. Stored rows are updated and the others inserted (`write_current`):
    the rows read (`load_rows`, under the chain lock) tell which is which.
    """

    stepped: list[Row] = field(default_factory=list)
    added: list[Row] = field(default_factory=list)
    refold: dict[str, Collection[Key]] = field(default_factory=dict)


def plan_current(
    stored: Sequence[StoredEvent], times: StoreTimes, existing: Mapping[str, Mapping[Key, Row]]
) -> CurrentChanges:
    """The changes `stored` makes to the subjects' rows `existing` (`load_rows`), without I/O.

    Reads nothing from the database, so an append works this out while the
    database is still storing the batch's events.
    """
    by_subject: dict[str, list[StoredEvent]] = defaultdict(list)
    for event in stored:
        by_subject[event.subject].append(event)
    changes = CurrentChanges()
    stepped, added = changes.stepped, changes.added
    for subject, new in by_subject.items():
        if len(new) > 1:  # most subjects have one event in a batch
            new.sort(key=_position)
        rows = existing.get(subject)
        if rows is None:
            added.extend(fresh_rows(subject, new, times.to_store))
        elif (changed_rows := step_rows(rows, new, times.to_store)) is not None:
            for row in changed_rows:
                # A row of a topic the subject has no row for is opened from its purpose's.
                (stepped if (row[1], row[2], row[3] or None) in rows else added).append(row)
        else:
            changes.refold[subject] = rows.keys()
    return changes


def write_current(connection: sa.Connection, changes: CurrentChanges, times: StoreTimes) -> None:
    """Store `changes` (the batch's events are in the table: subjects refold from them).

    Rows go in subject order, so the table's key index is walked once from one
    end to the other instead of at random: pages are read and dirtied once.
    Rows under keys not stored are inserted as they are (on PostgreSQL one
    COPY); one there after all fails the batch on the table's key, as any
    conflicting insert does.
    """
    stepped, added = list(changes.stepped), list(changes.added)
    to_store = times.to_store
    refolded = load_events(connection, list(changes.refold))
    for subject, history in refolded.items():
        keys = changes.refold[subject]
        for key, fold in fold_fresh(history).items():
            row = fold_to_row(subject, key, fold, to_store)
            (stepped if key in keys else added).append(row)
    update_rows(connection, current_state, sorted(stepped, key=_subject_of))
    insert_rows(connection, current_state, sorted(added, key=_subject_of))


def _as_folds(rows: Mapping[Key, Row], times: StoreTimes) -> dict[Key, KeyFold]:
    return {key: row_to_fold(row, times.from_store) for key, row in rows.items()}


def fold_fresh(history: Sequence[StoredEvent]) -> dict[Key, KeyFold]:
    """Fold every key a subject has from its whole history (sorted or not)."""
    ordered = sorted(history, key=_position)
    folds: dict[Key, KeyFold] = {event_key(e): KeyFold() for e in ordered}
    for event in ordered:
        for key, fold in folds.items():
            if applies_to(event, *key):
                fold.apply(event)
    return folds


def load_folds(
    connection: sa.Connection, subjects: Sequence[str], times: StoreTimes | None = None
) -> dict[str, dict[Key, KeyFold]]:
    """The stored folds of `subjects`, by subject and key (subjects without rows are absent)."""
    times = times or StoreTimes.of(connection)
    return {
        subject: _as_folds(rows, times) for subject, rows in load_rows(connection, subjects).items()
    }


def load_rows(connection: sa.Connection, subjects: Sequence[str]) -> dict[str, dict[Key, Row]]:
    """The stored rows of `subjects` as the driver gives them, by subject and key."""
    found: dict[str, dict[Key, Row]] = defaultdict(dict)
    for row in rows_where(connection, current_state, current_state.c.subject, subjects):
        subject, channel, purpose, topic = row[:4]
        found[subject][(channel, purpose, topic or None)] = row
    return dict(found)


def _subject_of(row: Row) -> str:
    subject: str = row[0]
    return subject


_NO_REF = (None, None, None)


def fold_to_row(subject: str, key: Key, fold: KeyFold, time: Callable[[datetime], Any]) -> Row:
    """The current_state row (in column order) of one key's fold; `time` gives its times."""
    channel, purpose, topic = key
    assert fold.last_position is not None
    last_at, last_prec, last_id = fold.last_position
    consent, confirmed, opt_out, inquiry = (
        fold.consent,
        fold.confirmed,
        fold.opt_out,
        fold.last_inquiry,
    )
    purchase = fold.last_purchase
    bought = purchase.event if purchase else None
    return (
        subject,
        channel,
        purpose,
        topic or "",
        fold.status(False).value,
        *((consent.event_id, time(consent.occurred_at), consent.source) if consent else _NO_REF),
        *(
            (confirmed.event_id, time(confirmed.occurred_at), confirmed.source)
            if confirmed
            else _NO_REF
        ),
        *((opt_out.event_id, time(opt_out.occurred_at), opt_out.source) if opt_out else _NO_REF),
        opt_out.type.value if opt_out else None,
        *((bought.event_id, time(bought.occurred_at), bought.source) if bought else _NO_REF),
        purchase.product if purchase else None,
        purchase.refusal_offered if purchase else None,
        *((inquiry.event_id, time(inquiry.occurred_at), inquiry.source) if inquiry else _NO_REF),
        fold.country,
        time(last_at),
        last_prec,
        last_id,
    )


def _ref(
    event_id: int | None, kind: EventType, at: Any, source: str | None, time: TimeRead
) -> EventRef | None:
    if event_id is None:
        return None
    return EventRef(event_id, kind, time(at), source or "")


def row_to_fold(row: Sequence[Any], time: TimeRead) -> KeyFold:
    """The fold stored in one current_state row (columns in table order, times as `time` reads)."""
    (
        *_key,
        _status,
        consent_id, consent_at, consent_source,
        confirmed_id, confirmed_at, confirmed_source,
        opt_out_id, opt_out_at, opt_out_source, opt_out_type,
        purchase_id, purchase_at, purchase_source, product, refusal_offered,
        inquiry_id, inquiry_at, inquiry_source,
        country, last_at, last_prec, last_id,
    ) = row  # fmt: skip
    purchase = _ref(purchase_id, EventType.PURCHASE, purchase_at, purchase_source, time)
    opt_out_kind = parse_event_type(opt_out_type) if opt_out_type else EventType.WITHDRAW
    return KeyFold(
        consent=_ref(consent_id, EventType.CONSENT, consent_at, consent_source, time),
        confirmed=_ref(confirmed_id, EventType.CONFIRM, confirmed_at, confirmed_source, time),
        opt_out=_ref(opt_out_id, opt_out_kind, opt_out_at, opt_out_source, time),
        last_purchase=Relationship(purchase, product, bool(refusal_offered)) if purchase else None,
        last_inquiry=_ref(inquiry_id, EventType.INQUIRY, inquiry_at, inquiry_source, time),
        country=country,
        last_position=(time(last_at), last_prec, last_id),
    )


__all__ = [
    "CurrentChanges",
    "event_key",
    "fold_fresh",
    "fold_to_row",
    "load_folds",
    "load_rows",
    "plan_current",
    "row_to_fold",
    "update_current",
    "write_current",
]
