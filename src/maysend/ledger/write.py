"""Appending events: one transaction per batch, chained, idempotent, state kept current.

Appends serialise on the `chain_head` row (SELECT ... FOR UPDATE on
PostgreSQL; BEGIN IMMEDIATE on SQLite), so concurrent writers can neither fork
the chain nor take the same id. The idempotency key is a hash over the event's
content (subject key, not address), so the same row imported twice, or a
webhook delivered twice, is stored once.

A batch expected to be new (`append(expect_new=True)`) is not looked up key by
key first: the key's unique index checks every inserted row anyway, so the
look-up is the same index walked twice. If the index finds a key stored
already, `AlreadyStored` is raised before anything else is written, the
caller rolls the transaction back and appends the batch again the careful way.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime
from json.encoder import encode_basestring as _json_string  # what canonical_json uses
from typing import Any, NamedTuple

import psycopg
import sqlalchemy as sa

from maysend.ledger.bulk import Row, StoreTimes, insert_rows, one_of
from maysend.ledger.chain import digest
from maysend.ledger.current import load_rows, update_current
from maysend.ledger.events import NewEvent, StoredEvent, canonical_json, format_time
from maysend.ledger.keys import Keyring
from maysend.ledger.schema import chain_head, events, evidence, subjects
from maysend.ledger.state import EventType

_TYPE_NAMES = {t: t.value for t in EventType}  # a dict look-up is cheaper than `.value`
# A row refused by a key: raised by the drivers themselves (`bulk` writes through them).
_KEY_REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError, sa.exc.IntegrityError)


class AlreadyStored(Exception):
    """A batch appended with `expect_new` holds an event stored before: roll back, append again."""


class Prepared(NamedTuple):
    """A validated event with everything computed that does not need the lock.

    `head` and `tail` are the canonical JSON of the event's CHAINED values on
    either side of `recorded_at` (without the id before, with the idempotency
    key after): under the lock only the id, the recording time and the previous
    hash are left to splice in, so hashing an event costs one sha256.
    """

    event: NewEvent
    subject: str
    occurred_text: str  # the event time as hashes spell it
    evidence_text: str | None
    evidence_digest: str | None
    idempotency_key: str
    head: str  # subject .. occurred_at, comma-separated JSON
    tail: str  # source .. idempotency_key, comma-separated JSON, with the closing bracket


def json_value(value: str | bool | None) -> str:
    """One value as `canonical_json` spells it inside a list (strings, booleans, null)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _json_string(value)


class _Spellings(dict[str | bool | None, str]):
    """`json_value` of the values that repeat across a batch (channel, source, ...), each once."""

    def __missing__(self, value: str | bool | None) -> str:
        text = self[value] = json_value(value)
        return text


def prepare(
    event: NewEvent,
    keyring: Keyring,
    subject: str | None = None,
    spellings: dict[str | bool | None, str] | None = None,
) -> Prepared:
    """Key the subject (unless `subject` is its key already) and compute the idempotency key.

    The idempotency key hashes the canonical JSON of `identity_values`; the
    text is put together from per-value spellings, equal to `canonical_json`
    of the list (a test holds them equal). `spellings` (see `prepare_batch`)
    remembers those of values that repeat.
    """
    subject = subject or keyring.key(event.address)
    occurred = format_time(event.occurred_at)
    text = canonical_json(event.evidence) if event.evidence is not None else None
    ev_digest = digest(text) if text is not None else None
    js = json_value
    sp = (spellings if spellings is not None else _Spellings()).__getitem__
    head = f"{js(subject)},{sp(event.channel)},{sp(event.purpose)},{sp(event.topic)}," + (
        f"{sp(event.type.value)},{js(occurred)}"
    )
    middle = f"{sp(event.source)},{sp(event.country)},{sp(event.notice)},{sp(event.product)}," + (
        f"{sp(event.refusal_offered)},{js(ev_digest)}"
    )
    key = hashlib.sha256(f"[{head},{middle}]".encode()).hexdigest()
    return Prepared(event, subject, occurred, text, ev_digest, key, head, f'{middle},"{key}"]')


def identity_values(p: Prepared) -> list[Any]:
    """What the idempotency key of `p` is the hash of (the canonical JSON of this list)."""
    e = p.event
    return [
        p.subject,
        e.channel,
        e.purpose,
        e.topic,
        e.type.value,
        p.occurred_text,
        e.source,
        e.country,
        e.notice,
        e.product,
        e.refusal_offered,
        p.evidence_digest,
    ]


def prepare_batch(batch: Iterable[NewEvent], keyring: Keyring) -> list[Prepared]:
    """`prepare` each event, keying each address once per batch."""
    subjects: dict[str, str] = {}
    spellings = _Spellings()
    prepared = []
    for event in batch:
        subject = subjects.get(event.address)
        if subject is None:
            subject = subjects[event.address] = keyring.key(event.address)
        prepared.append(prepare(event, keyring, subject, spellings))
    return prepared


def append(
    connection: sa.Connection,
    batch: Sequence[Prepared],
    keyring: Keyring,
    now: datetime,
    *,
    expect_new: bool = False,
) -> list[StoredEvent]:
    """Store the events of `batch` not stored before; return those stored.

    `expect_new`: skip the look-up of stored idempotency keys; if one of the
    batch's is stored already, raise `AlreadyStored` (the transaction must then
    be rolled back: part of the batch may be in it).
    """
    if connection.dialect.name == "postgresql":
        # Every read here is a point look-up on a key column; during a large import the
        # planner's statistics lag behind the table and it would scan instead.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    last_id, last_hash = connection.execute(
        sa.select(chain_head.c.last_id, chain_head.c.last_hash)
        .where(chain_head.c.id == 1)
        .with_for_update()
    ).one()
    unique = list({p.idempotency_key: p for p in batch}.values())
    fresh = unique if expect_new else _unseen(connection, unique)
    if not fresh:
        return []
    stored = _chain(fresh, last_id, last_hash, now)
    times = StoreTimes.of(connection)
    times.learn((p.event.occurred_at for p in fresh), (p.occurred_text for p in fresh))
    rows = _event_rows(stored, times.to_store)
    try:
        insert_rows(connection, events, rows)
    except _KEY_REFUSED as exc:
        if expect_new:
            raise AlreadyStored from exc
        raise
    current = load_rows(connection, sorted({s.subject for s in stored}))
    erased_at = _subjects(connection, fresh, keyring, current)
    bodies = [
        (s.id, p.evidence_text)
        for s, p in zip(stored, fresh, strict=True)
        if p.evidence_text is not None and not _covered(erased_at.get(s.subject), s.occurred_at)
    ]
    insert_rows(connection, evidence, bodies)
    connection.execute(
        chain_head.update()
        .where(chain_head.c.id == 1)
        .values(last_id=stored[-1].id, last_hash=stored[-1].hash)
    )
    _erase(
        connection, {s.subject: erased_at[s.subject] for s in stored if s.type is EventType.ERASE}
    )
    update_current(connection, stored, times, current)
    return stored


def _covered(erased_at: datetime | None, occurred_at: datetime) -> bool:
    return erased_at is not None and occurred_at <= erased_at


def _unseen(connection: sa.Connection, unique: Sequence[Prepared]) -> list[Prepared]:
    """The events of `unique` (one per idempotency key) not stored yet."""
    keys = sorted(p.idempotency_key for p in unique)
    known = set(
        connection.execute(
            sa.select(events.c.idempotency_key).where(
                one_of(connection, events.c.idempotency_key, keys)
            )
        ).scalars()
    )
    return [p for p in unique if p.idempotency_key not in known]


def _chain(fresh: Sequence[Prepared], last_id: int, prev: str, now: datetime) -> list[StoredEvent]:
    """Number and hash the events in order, each hash over its content and the previous hash.

    The text hashed is `canonical_json` of the CHAINED values followed by the
    previous hash (`chain.link_values`), spliced from `Prepared.head`/`tail`.
    """
    recorded = json_value(format_time(now))
    sha256 = hashlib.sha256
    stored: list[StoredEvent] = []
    append_stored = stored.append
    for event_id, p in enumerate(fresh, start=last_id + 1):
        e = p.event
        event_hash = sha256(f"[{event_id},{p.head},{recorded},{p.tail}{prev}".encode()).hexdigest()
        append_stored(
            StoredEvent(
                event_id,
                p.subject,
                e.type,
                e.occurred_at,
                now,
                e.channel,
                e.purpose,
                e.topic,
                e.source,
                e.country,
                e.notice,
                e.product,
                e.refusal_offered,
                e.evidence,
                p.evidence_digest,
                p.idempotency_key,
                prev,
                event_hash,
            )
        )
        prev = event_hash
    return stored


def _event_rows(stored: Sequence[StoredEvent], time: Callable[[datetime], Any]) -> list[Row]:
    """Rows of the `events` table, in its column order."""
    recorded = time(stored[0].recorded_at)
    return [
        (
            s.id,
            s.subject,
            s.channel,
            s.purpose,
            s.topic,
            _TYPE_NAMES[s.type],
            time(s.occurred_at),
            recorded,
            s.source,
            s.country,
            s.notice,
            s.product,
            s.refusal_offered,
            s.evidence_digest,
            s.idempotency_key,
            s.prev_hash,
            s.hash,
        )
        for s in stored
    ]


def _subjects(
    connection: sa.Connection,
    fresh: Sequence[Prepared],
    keyring: Keyring,
    current: Collection[str],
) -> dict[str, datetime | None]:
    """Register new subjects (with their address unless hash-only); return erasure times.

    A subject is new unless it has `current` state rows: every stored event
    writes its subject's rows in its own transaction, so a registered subject
    has them, and no look-up of `subjects` is needed to tell. Erasure times are
    read only where they are used: for subjects with evidence or an erasure
    in the batch (others map to None). Keys are added in key order (see
    `write_folds`).
    """
    wanted = {p.subject: p.event.address for p in fresh}
    unknown = sorted(k for k in wanted if k not in current)
    insert_rows(
        connection, subjects, [(k, None if keyring.hash_only else wanted[k], None) for k in unknown]
    )
    result: dict[str, datetime | None] = dict.fromkeys(wanted)
    asked = sorted(
        {
            p.subject
            for p in fresh
            if p.evidence_text is not None or p.event.type is EventType.ERASE
        }.intersection(current)
    )
    if asked:
        rows = connection.execute(
            sa.select(subjects.c.key, subjects.c.erased_at).where(
                one_of(connection, subjects.c.key, asked)
            )
        )
        result.update(rows.all())
    for p in fresh:
        if p.event.type is EventType.ERASE:
            previous = result[p.subject]
            result[p.subject] = (
                max(previous, p.event.occurred_at) if previous else p.event.occurred_at
            )
    return result


def _erase(connection: sa.Connection, erasures: dict[str, datetime | None]) -> None:
    """Forget the clear address and the evidence of everything up to the erasure."""
    for subject, moment in erasures.items():
        assert moment is not None
        covered = sa.select(events.c.id).where(
            events.c.subject == subject, events.c.occurred_at <= moment
        )
        connection.execute(evidence.delete().where(evidence.c.event_id.in_(covered)))
        connection.execute(
            subjects.update()
            .where(subjects.c.key == subject)
            .values(address=None, erased_at=moment)
        )


__all__ = [
    "AlreadyStored",
    "Prepared",
    "append",
    "identity_values",
    "json_value",
    "prepare",
    "prepare_batch",
]
