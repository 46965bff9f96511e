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
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from itertools import repeat
from json.encoder import encode_basestring as _json_string  # what canonical_json uses
from operator import methodcaller
from typing import Any, NamedTuple

import psycopg
import sqlalchemy as sa

from maysend.ledger.bulk import Row, StoreTimes, insert_rows, inserting, one_of
from maysend.ledger.chain import digest
from maysend.ledger.current import Key, load_rows, plan_current, write_current
from maysend.ledger.events import NewEvent, StoredEvent, canonical_json, format_time
from maysend.ledger.keys import Keyring
from maysend.ledger.schema import chain_head, events, evidence, subjects
from maysend.ledger.state import EventType

_TYPE_NAMES = {t: t.value for t in EventType}  # a dict look-up is cheaper than `.value`
# A row refused by a key: raised by the drivers themselves (`bulk` writes through them).
_KEY_REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError, sa.exc.IntegrityError)


class AlreadyStored(Exception):
    """A batch appended with `expect_new` holds an event stored before: roll back, append again."""


_TIME_TEXT = 27  # `format_time` of a year from 1000 on: 'YYYY-MM-DDTHH:MM:SS.ffffffZ'
READ_BESIDE_MIN = 1_000  # events in a batch from which current rows are read beside the COPY


@dataclass(frozen=True, slots=True)
class PreparedEvents:
    """A batch of validated events with everything computed that does not need the lock.

    One sequence per value (columns), position i of each being the i-th event:
    the first twelve are `NewEvent`'s fields, the rest what preparing adds.
    `head` and `tail` are the canonical JSON of the event's CHAINED values on
    either side of `recorded_at` (without the id before, with the idempotency
    key after): under the lock only the id, the recording time and the previous
    hash are left to splice in, so hashing an event costs one sha256.

    Columns because an import's batches are prepared in another process and
    sent here: a few dozen lists pickle in C, where a named tuple per event is
    rebuilt through Python. On the way (`__reduce__`) the event times are left
    out and parsed again from their hash spelling, which costs less than
    sending them.
    """

    address: Sequence[str]
    type: Sequence[EventType]
    occurred_at: Sequence[datetime]
    channel: Sequence[str]
    purpose: Sequence[str]
    topic: Sequence[str | None]
    source: Sequence[str]
    country: Sequence[str | None]
    notice: Sequence[str | None]
    product: Sequence[str | None]
    refusal_offered: Sequence[bool]
    evidence: Sequence[Mapping[str, Any] | None]
    subject: Sequence[str]
    occurred_text: Sequence[str]  # the event time as hashes spell it
    evidence_text: Sequence[str | None]
    evidence_digest: Sequence[str | None]
    idempotency_key: Sequence[str]
    head: Sequence[str]  # subject .. occurred_at, comma-separated JSON
    tail: Sequence[str]  # source .. idempotency_key, comma-separated JSON, closing bracket

    def __len__(self) -> int:
        return len(self.idempotency_key)

    def columns(self) -> tuple[Sequence[Any], ...]:
        return tuple(getattr(self, name) for name in _COLUMNS)

    def take(self, picked: Sequence[int]) -> PreparedEvents:
        """The events at positions `picked`, in that order."""
        if len(picked) == len(self) and all(i == n for n, i in enumerate(picked)):
            return self
        return PreparedEvents(*([column[i] for i in picked] for column in self.columns()))

    def __reduce__(self) -> tuple[Any, ...]:
        columns: list[Any] = list(self.columns())
        times = self.occurred_at
        # Times that `format_time` spells the strftime way (years before 1000) travel as they are.
        odd = {i: times[i] for i, text in enumerate(self.occurred_text) if len(text) != _TIME_TEXT}
        columns[_OCCURRED_AT] = odd
        return (_arrived, tuple(columns))


_COLUMNS = tuple(f.name for f in fields(PreparedEvents))
_STORED_AFTER_RECORDED = StoredEvent._fields[StoredEvent._fields.index("channel") : -2]
_OCCURRED_AT = _COLUMNS.index("occurred_at")


def _arrived(*columns: Any) -> PreparedEvents:
    """A `PreparedEvents` from its `__reduce__` form: event times parsed from their spelling."""
    listed = list(columns)
    odd: dict[int, datetime] = listed[_OCCURRED_AT]
    times = list(map(_from_hash_time, listed[_COLUMNS.index("occurred_text")]))
    for i, moment in odd.items():
        times[i] = moment
    listed[_OCCURRED_AT] = times
    return PreparedEvents(*listed)


def _from_hash_time(text: str) -> datetime | None:
    """The UTC time `format_time` spelled as `text` (None for the strftime spelling)."""
    return datetime.fromisoformat(text) if len(text) == _TIME_TEXT else None


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


def identity_values(batch: PreparedEvents, i: int) -> list[Any]:
    """What the idempotency key of event `i` is the hash of (the canonical JSON of this list)."""
    return [
        batch.subject[i],
        batch.channel[i],
        batch.purpose[i],
        batch.topic[i],
        batch.type[i].value,
        batch.occurred_text[i],
        batch.source[i],
        batch.country[i],
        batch.notice[i],
        batch.product[i],
        batch.refusal_offered[i],
        batch.evidence_digest[i],
    ]


KNOWN_SUBJECTS = 100_000  # addresses an import remembers the subject key of (about 25 MB)


def prepare_batch(
    batch: Iterable[NewEvent], keyring: Keyring, known: dict[str, str] | None = None
) -> PreparedEvents:
    """Key each event's subject (each address once) and compute its idempotency key.

    The idempotency key hashes the canonical JSON of `identity_values`; the
    text is put together from per-value spellings, equal to `canonical_json`
    of the list (a test holds them equal), those of values that repeat
    worked out once per batch. `known`: subject keys of addresses met
    before, kept by the caller across an import's batches (a person's events
    are often spread over a file); emptied when it outgrows `KNOWN_SUBJECTS`.

    Column by column: the spellings of a column are one `map` over it, and
    the parts of an event's text are joined in C (`str.join` over a zip of
    the spelled columns); only the hash itself takes a Python step per event.
    Subject keys (hex digests) and times (`format_time`) need no escaping.
    """
    given = list(batch)
    if not given:
        return PreparedEvents(*([] for _ in _COLUMNS))
    subjects: dict[str, str] = {} if known is None else known
    if len(subjects) > KNOWN_SUBJECTS:
        subjects.clear()
    (
        addresses, kinds, moments, channels, purposes, topics,
        sources, countries, notices, products, refusals, evidences,
    ) = zip(*given, strict=True)  # fmt: skip
    subject = [
        subjects.get(address) or subjects.setdefault(address, keyring.key(address))
        for address in addresses
    ]
    occurred = _hash_times(moments)
    texts = [canonical_json(e) if e is not None else None for e in evidences]
    digests = [digest(text) if text is not None else None for text in texts]
    sp = _Spellings().__getitem__
    join = ",".join
    head = list(
        map(
            join,
            zip(
                [f'"{key}"' for key in subject],
                map(sp, channels),
                map(sp, purposes),
                map(sp, topics),
                map(_TYPE_JSON.__getitem__, kinds),
                [f'"{text}"' for text in occurred],
                strict=True,
            ),
        )
    )
    middle = map(
        join,
        zip(
            map(sp, sources),
            map(sp, countries),
            map(sp, notices),
            map(sp, products),
            map(sp, refusals),
            map(json_value, digests),
            strict=True,
        ),
    )
    sha256 = hashlib.sha256
    keys: list[str] = []
    tail: list[str] = []
    append_key, append_tail = keys.append, tail.append
    for first, rest in zip(head, middle, strict=True):
        key = sha256(f"[{first},{rest}]".encode()).hexdigest()
        append_key(key)
        append_tail(f'{rest},"{key}"]')
    return PreparedEvents(
        addresses, kinds, moments, channels, purposes, topics, sources, countries, notices,
        products, refusals, evidences, subject, occurred, texts, digests, keys, head, tail,
    )  # fmt: skip


def _hash_times(moments: Sequence[datetime]) -> list[str]:
    """`format_time` of each of `moments`: ISO text cut to shape where that is the same text.

    The cut applies to times at UTC (offset +00:00) from the year 1000 on;
    any other (another zone, a naive time, an earlier year) takes `format_time`.
    """
    return [
        text[:-6] + "Z" if text[-6:] == "+00:00" and text[0] != "0" else format_time(moment)
        for text, moment in zip(map(_ISO_MICROSECONDS, moments), moments, strict=True)
    ]


_ISO_MICROSECONDS = methodcaller("isoformat", timespec="microseconds")
_TYPE_JSON = {t: json_value(t.value) for t in EventType}


def append(
    connection: sa.Connection,
    batch: PreparedEvents,
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
        _point_lookups(connection)
    last_id, last_hash = connection.execute(
        sa.select(chain_head.c.last_id, chain_head.c.last_hash)
        .where(chain_head.c.id == 1)
        .with_for_update()
    ).one()
    # The first event of each idempotency key, in batch order.
    first = dict(zip(reversed(batch.idempotency_key), range(len(batch) - 1, -1, -1), strict=True))
    unique = sorted(first.values())
    fresh = batch.take(unique if expect_new else _unseen(connection, batch, unique))
    if not len(fresh):
        return []
    chained = _chained(fresh, last_id, last_hash, now)
    stored = chained.stored
    times = StoreTimes.of(connection)
    times.learn(fresh.occurred_at, fresh.occurred_text)
    batch_subjects = sorted(set(fresh.subject))
    # A second connection only for a bulk batch: a single event gains nothing from it, and
    # many single writers each waiting on the chain lock with a pooled connection could
    # leave the lock holder no connection to read with.
    beside = connection.dialect.name == "postgresql" and len(fresh) >= READ_BESIDE_MIN
    current = {} if beside else load_rows(connection, batch_subjects)
    try:
        with inserting(connection, events, _event_rows(fresh, chained, times, now)):
            # Worked out while the database stores the events (`bulk.inserting`).
            if beside:
                current = _rows_beside(connection, batch_subjects)
            changes = plan_current(stored, times, current)
    except _KEY_REFUSED as exc:
        if expect_new:
            raise AlreadyStored from exc
        raise
    erased_at = _subjects(connection, fresh, keyring, current)
    bodies = [
        (s.id, text)
        for s, text in zip(stored, fresh.evidence_text, strict=True)
        if text is not None and not _covered(erased_at.get(s.subject), s.occurred_at)
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
    write_current(connection, changes, times)
    return stored


def _point_lookups(connection: sa.Connection) -> None:
    """Plan the rest of `connection`'s PostgreSQL transaction for an append's statements.

    Every read is a point look-up on a key column; during a large import the
    planner's statistics lag behind the table and it would scan instead. With
    scans priced out, a plan that still has one (the merge of a batch's
    current-state rows reads their staging table whole) costs past the JIT
    thresholds, and compiling it took 50-220 ms a batch (more under load)
    against 250-350 ms for running it: JIT is turned off.
    """
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL jit = off")


def _rows_beside(connection: sa.Connection, subjects: Sequence[str]) -> dict[str, dict[Key, Row]]:
    """`load_rows` of `subjects` on a PostgreSQL connection of its own, while `connection` works.

    Called with the chain lock held and the batch's events being copied on
    `connection`: the other connection's server process reads the rows, and
    they are turned into tuples here, while `connection`'s process stores the
    events (reading them first, on `connection`, took a fifth of a batch).
    The rows read are those `connection` would read: every write to
    current_state is made under the chain lock, which `connection` holds, and
    the batch before committed before it let go of the lock; nothing of this
    transaction is written to current_state yet.
    """
    with connection.engine.connect() as reader:
        _point_lookups(reader)
        return load_rows(reader, subjects)


def _covered(erased_at: datetime | None, occurred_at: datetime) -> bool:
    return erased_at is not None and occurred_at <= erased_at


def _unseen(connection: sa.Connection, batch: PreparedEvents, unique: list[int]) -> list[int]:
    """The positions of `unique` (one per idempotency key) whose key is not stored yet."""
    keys = batch.idempotency_key
    known = set(
        connection.execute(
            sa.select(events.c.idempotency_key).where(
                one_of(connection, events.c.idempotency_key, sorted(keys[i] for i in unique))
            )
        ).scalars()
    )
    return [i for i in unique if keys[i] not in known]


class _Chained(NamedTuple):
    """A batch's events numbered and hashed: as `StoredEvent`s, and as rows of `events`."""

    stored: list[StoredEvent]
    ids: range
    prev_hashes: list[str]
    hashes: list[str]


def _chained(fresh: PreparedEvents, last_id: int, prev: str, now: datetime) -> _Chained:
    """Number and hash the events in order, each hash over its content and the previous hash.

    The text hashed is `canonical_json` of the CHAINED values followed by the
    previous hash (`chain.link_values`), spliced from `PreparedEvents.head`/`tail`.
    Only the hashes need a Python loop (each is over the one before); the events
    are put together from the columns by `zip`, in C, and the ids and hashes are
    kept as columns for `_event_rows`.
    """
    recorded = json_value(format_time(now))
    sha256 = hashlib.sha256
    ids = range(last_id + 1, last_id + 1 + len(fresh))
    prev_hashes = [prev]
    hashes: list[str] = []
    append_hash = hashes.append
    for event_id, head, tail in zip(ids, fresh.head, fresh.tail, strict=True):
        prev = sha256(f"[{event_id},{head},{recorded},{tail}{prev}".encode()).hexdigest()
        append_hash(prev)
    prev_hashes.extend(hashes)
    del prev_hashes[-1]
    stored = list(
        map(
            StoredEvent._make,
            zip(
                ids,
                fresh.subject,
                fresh.type,
                fresh.occurred_at,
                repeat(now, len(fresh)),
                # StoredEvent's values after `recorded_at` up to `prev_hash`
                # (channel .. idempotency_key: columns of `fresh` under the same names).
                *(getattr(fresh, name) for name in _STORED_AFTER_RECORDED),
                prev_hashes,
                hashes,
                strict=True,
            ),
        )
    )
    return _Chained(stored, ids, prev_hashes, hashes)


def _event_rows(
    fresh: PreparedEvents, chained: _Chained, times: StoreTimes, now: datetime
) -> list[Row]:
    """Rows of the `events` table, in its column order, zipped from the batch's columns."""
    return list(
        zip(
            chained.ids,
            fresh.subject,
            fresh.channel,
            fresh.purpose,
            fresh.topic,
            map(_TYPE_NAMES.__getitem__, fresh.type),
            times.column(fresh.occurred_at),
            repeat(times.to_store(now), len(fresh)),
            fresh.source,
            fresh.country,
            fresh.notice,
            fresh.product,
            fresh.refusal_offered,
            fresh.evidence_digest,
            fresh.idempotency_key,
            chained.prev_hashes,
            chained.hashes,
            strict=True,
        )
    )


def _subjects(
    connection: sa.Connection,
    fresh: PreparedEvents,
    keyring: Keyring,
    current: Collection[str],
) -> dict[str, datetime | None]:
    """Register new subjects (with their address unless hash-only); return erasure times.

    A subject is new unless it has `current` state rows: every stored event
    writes its subject's rows in its own transaction, so a registered subject
    has them, and no look-up of `subjects` is needed to tell. Erasure times are
    read only where they are used: for subjects with evidence or an erasure
    in the batch (others map to None). Keys are added in key order (see
    `write_current`).
    """
    wanted = dict(zip(fresh.subject, fresh.address, strict=True))
    unknown = sorted(k for k in wanted if k not in current)
    insert_rows(
        connection, subjects, [(k, None if keyring.hash_only else wanted[k], None) for k in unknown]
    )
    result: dict[str, datetime | None] = dict.fromkeys(wanted)
    erase = EventType.ERASE
    asked = sorted(
        {
            subject
            for subject, text, kind in zip(
                fresh.subject, fresh.evidence_text, fresh.type, strict=True
            )
            if text is not None or kind is erase
        }.intersection(current)
    )
    if asked:
        rows = connection.execute(
            sa.select(subjects.c.key, subjects.c.erased_at).where(
                one_of(connection, subjects.c.key, asked)
            )
        )
        result.update(rows.all())
    for subject, kind, moment in zip(fresh.subject, fresh.type, fresh.occurred_at, strict=True):
        if kind is erase:
            previous = result[subject]
            result[subject] = max(previous, moment) if previous else moment
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
    "PreparedEvents",
    "append",
    "identity_values",
    "json_value",
    "prepare_batch",
]
