"""Fold steps taken on current-state rows as stored, for a batch's usual subject.

Most subjects a batch touches already have a row for every key their new
events bear on (or a purpose-wide row a new topic's row starts from), and the
new events all come after everything those rows have seen. Then each new
event is one fold step on the rows it applies to, and the step can be taken
on the stored row itself: `step_rows` copies the row and changes the columns
`KeyFold.apply` would change, so the row read is never turned into a fold and
back. Stored values are kept as the driver gave them (times as text on
SQLite), and the event's time is written as `StoreTimes` spells it, so the
row written is the one `fold_to_row` would write (a test holds the two equal
for random histories). Any other subject (a new channel or purpose, history
imported late) returns None and is folded again from its history.

Column positions follow `schema.current_state`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from maysend.ledger.bulk import Row
from maysend.ledger.events import PRECEDENCE, StoredEvent
from maysend.ledger.fold import OPT_OUT_STATUS
from maysend.ledger.state import OPT_OUTS, EventType, Status

Key = tuple[str, str, str | None]  # channel, purpose, topic (None for none)

TOPIC, STATUS, CONSENT, CONFIRMED, OPT_OUT, OPT_OUT_TYPE = 3, 4, 5, 8, 11, 14
PURCHASE, INQUIRY, COUNTRY, LAST_AT, LAST_PREC, LAST_ID = 15, 20, 23, 24, 25, 26
_CONSENTED = Status.CONSENTED.value
_OPTED_OUT = {kind: OPT_OUT_STATUS[kind].value for kind in OPT_OUTS}
_NO_CONSENT = (None,) * (OPT_OUT - CONSENT)  # the consent and confirmation refs
_NONE = Status.NONE.value
_NAMES = {kind: kind.value for kind in EventType}  # a look-up is cheaper than `.value`
_EMPTY = (None,) * (LAST_ID - STATUS)  # a row's columns after the status, before any event


def step_rows(
    rows: Mapping[Key, Row], new: Sequence[StoredEvent], time: Callable[[datetime], Any]
) -> list[Row] | None:
    """The rows `new` (sorted by position) changes, stepped; None where the fold must be used.

    `rows`: every current-state row of one subject, by key, as read.
    """
    first = new[0]
    start = (time(first.occurred_at), PRECEDENCE[first.type], first.id)
    if len(rows) == 1:  # the usual subject: one row, which every event of its key steps
        ((key, stored),) = rows.items()
        if start <= (stored[LAST_AT], stored[LAST_PREC], stored[LAST_ID]):
            return None
        only = list(stored)
        for event in new:
            if (event.channel, event.purpose, event.topic) != key:
                break  # a topic of its own: the rows are opened below
            _step(only, event, time(event.occurred_at))
        else:
            return [tuple(only)]
    else:
        for row in rows.values():
            if start <= (row[LAST_AT], row[LAST_PREC], row[LAST_ID]):
                return None
    every = _opened(rows, new)
    if every is None:
        return None
    changed: dict[Key, list[Any]] = {}
    for event in new:
        at = time(event.occurred_at)
        for target in _bears_on(event, every):
            stepped = changed.get(target)
            if stepped is None:
                stepped = changed[target] = list(every[target])
            _step(stepped, event, at)
    return [tuple(row) for row in changed.values()]


def _opened(rows: Mapping[Key, Row], new: Sequence[StoredEvent]) -> Mapping[Key, Row] | None:
    """`rows` with a row for every key of `new`, or None where one cannot be had.

    A topic the subject has no row for starts as its purpose-wide row: a
    topic sees its own events, the purpose's events without a topic, and
    erasures, and with none of its own yet that is what the purpose-wide row
    has seen. Any other new key (a channel or purpose) needs the history.
    """
    missing = {(e.channel, e.purpose, e.topic) for e in new}.difference(rows)
    if not missing:
        return rows
    every = dict(rows)
    for channel, purpose, topic in missing:
        whole = rows.get((channel, purpose, None)) if topic is not None else None
        if whole is None:
            return None
        every[(channel, purpose, topic)] = (*whole[:TOPIC], topic, *whole[TOPIC + 1 :])
    return every


def fresh_rows(
    subject: str, new: Sequence[StoredEvent], time: Callable[[datetime], Any]
) -> list[Row]:
    """The rows of a subject new to the ledger, from its events `new` (sorted by position).

    What `fold_to_row` gives for each key of `current.fold_fresh(new)`: every
    key the events name starts as an empty row and each event is a step on
    the rows it bears on, so no fold is made to be turned into a row (a
    batch's first events are mostly those of new subjects).
    """
    if len(new) == 1:  # most new subjects have one event in a batch: one row, one step
        event = new[0]
        row = [subject, event.channel, event.purpose, event.topic or "", _NONE, *_EMPTY]
        _step(row, event, time(event.occurred_at))
        return [tuple(row)]
    rows = {
        key: [subject, *key[:2], key[2] or "", _NONE, *_EMPTY]
        for key in dict.fromkeys((e.channel, e.purpose, e.topic) for e in new)
    }
    for event in new:
        at = time(event.occurred_at)
        for target in _bears_on(event, rows):
            _step(rows[target], event, at)
    return [tuple(row) for row in rows.values()]


def _bears_on(event: StoredEvent, keys: Iterable[Key]) -> Sequence[Key]:
    """The keys of the rows `event` steps, among `keys` (which hold the event's own key).

    An event with a topic bears on its topic's row alone; one without a topic
    on every row of its channel and purpose; an erasure on every row.
    """
    if event.topic is not None and event.type is not EventType.ERASE:
        return ((event.channel, event.purpose, event.topic),)
    if event.type is EventType.ERASE:
        return list(keys)
    return [key for key in keys if key[0] == event.channel and key[1] == event.purpose]


def _step(row: list[Any], event: StoredEvent, at: Any) -> None:
    """`KeyFold.apply` on a stored row (see `fold.KeyFold.apply`); `at`: the event's time."""
    kind = event.type
    if kind is EventType.CONSENT:
        if row[CONSENT] is None:  # the earliest consent of an unbroken run is the proof
            row[CONSENT : CONSENT + 3] = (event.id, at, event.source)
            row[STATUS] = _CONSENTED
    elif kind is EventType.CONFIRM:
        if row[CONSENT] is not None and row[CONFIRMED] is None:
            row[CONFIRMED : CONFIRMED + 3] = (event.id, at, event.source)
    elif kind in OPT_OUTS:
        row[CONSENT:OPT_OUT] = _NO_CONSENT
        row[OPT_OUT : OPT_OUT_TYPE + 1] = (event.id, at, event.source, _NAMES[kind])
        row[STATUS] = _OPTED_OUT[kind]
    elif kind is EventType.PURCHASE:
        row[PURCHASE : PURCHASE + 5] = (
            event.id,
            at,
            event.source,
            event.product,
            event.refusal_offered,
        )
    elif kind is EventType.INQUIRY:
        row[INQUIRY : INQUIRY + 3] = (event.id, at, event.source)
    if event.country:
        row[COUNTRY] = event.country
    row[LAST_AT : LAST_ID + 1] = (at, PRECEDENCE[kind], event.id)


__all__ = ["fresh_rows", "step_rows"]
