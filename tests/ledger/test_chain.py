"""verify() names every event changed, removed or inserted behind the ledger's back."""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DBAPIError

from maysend.ledger import Ledger, new_event
from maysend.ledger.chain import link
from maysend.ledger.events import NewEvent, canonical_json, format_time
from maysend.ledger.keys import Keyring
from maysend.ledger.schema import events
from maysend.ledger.state import EventType
from maysend.ledger.write import (
    PreparedEvents,
    _chained,
    _hash_times,
    identity_values,
    prepare_batch,
)

ADDR = "chain@example.net"


def _fill(ledger: Ledger) -> None:
    ledger.record(ADDR, "consent", at="2024-01-01T00:00:00Z", evidence={"ip": "192.0.2.1"})
    ledger.record(ADDR, "confirm", at="2024-01-01T00:05:00Z")
    ledger.record(ADDR, "withdraw", at="2024-02-01T00:00:00Z")


def _tamper(ledger: Ledger, *statements: str) -> None:
    """Raw SQL as a database administrator would run it, append-only guard switched off."""
    with ledger.engine.connect() as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_append_only")
        else:
            connection.exec_driver_sql("DROP TRIGGER events_no_update")
            connection.exec_driver_sql("DROP TRIGGER events_no_delete")
        for statement in statements:
            connection.exec_driver_sql(statement)


def _rehash_row_2(ledger: Ledger) -> None:
    """Change event 2 and recompute its own hash: only the link to event 3 betrays it."""
    with ledger.engine.connect() as connection:
        row = dict(connection.execute(sa.select(events).where(events.c.id == 2)).mappings().one())
    row["type"] = "consent"
    new_hash = link(row, row["prev_hash"])
    _tamper(ledger, f"UPDATE events SET type = 'consent', hash = '{new_hash}' WHERE id = 2")


CASES: list[tuple[str, Callable[[Ledger], None], str]] = [
    (
        "changed",
        lambda lg: _tamper(lg, "UPDATE events SET type = 'consent' WHERE id = 3"),
        "event 3: changed",
    ),
    ("removed", lambda lg: _tamper(lg, "DELETE FROM events WHERE id = 2"), "event 2: removed"),
    (
        "removed-last",
        lambda lg: _tamper(lg, "DELETE FROM events WHERE id = 3"),
        "events 3..3 removed",
    ),
    (
        "inserted",
        lambda lg: _tamper(
            lg,
            "INSERT INTO events SELECT 4, subject, channel, purpose, topic, 'consent', occurred_at,"
            " recorded_at, source, country, notice_version, product, refusal_offered,"
            " evidence_digest, 'forged-key', hash, hash FROM events WHERE id = 3",
        ),
        "event 4: inserted",
    ),
    ("rewritten-and-rehashed", _rehash_row_2, "event 3: does not follow event 2"),
    (
        "evidence-changed",
        lambda lg: _tamper(lg, 'UPDATE evidence SET body = \'{"ip":"198.51.100.9"}\''),
        "event 1: evidence changed",
    ),
    (
        "evidence-removed",
        lambda lg: _tamper(lg, "DELETE FROM evidence"),
        "event 1: evidence removed",
    ),
]


def test_intact_chain_verifies(ledger: Ledger) -> None:
    _fill(ledger)
    result = ledger.verify()
    assert result.intact
    assert result.checked == 3
    assert ledger.head()[0] == 3


@pytest.mark.parametrize(("tamper", "named"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_tampering_is_named(ledger: Ledger, tamper: Callable[[Ledger], None], named: str) -> None:
    _fill(ledger)
    tamper(ledger)
    result = ledger.verify()
    assert not result.intact
    assert any(named in problem for problem in result.problems), result.problems


def test_events_table_refuses_updates_and_deletes(ledger: Ledger) -> None:
    _fill(ledger)
    for statement in ("UPDATE events SET type = 'consent'", "DELETE FROM events"):
        with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert ledger.verify().intact


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31), timezones=st.timezones())
)  # clear of the range's ends, which shifting to UTC could overflow
def test_time_spelling_in_hashes_is_strftimes(moment: datetime) -> None:
    """Hashes of events stored by earlier versions must still verify."""
    expected = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert format_time(moment) == expected


@settings(max_examples=150, deadline=None)
@given(JSON_VALUES)
def test_canonical_json_is_json_dumps_with_fixed_options(value: object) -> None:
    expected = json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    assert canonical_json(value) == expected


def test_appended_hashes_match_the_stored_rows(ledger: Ledger) -> None:
    """The hash computed while appending covers exactly what `verify` reads back."""
    stored = ledger.record_events(
        [
            new_event(ADDR, "purchase", at="2024-01-01T00:00:00Z", product='Books "&" more'),
            new_event(ADDR, "consent", at="0999-01-01T00:00:00Z", topic="news", notice="v\t2"),
        ]
    )
    with ledger.engine.connect() as connection:
        rows = connection.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    assert [link(row, row["prev_hash"]) for row in rows] == [e.hash for e in stored]
    assert [row["hash"] for row in rows] == [e.hash for e in stored]


TEXTS = st.none() | st.text(max_size=30)  # quotes, backslashes, controls, non-ASCII


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS, TEXTS, st.booleans(), st.text(min_size=1, max_size=20))
def test_spliced_identity_and_chain_text_are_canonical_json(
    topic: str | None, notice: str | None, product: str | None, refusal: bool, source: str
) -> None:
    """`prepare` and `_chained` build hashed text from per-value spellings: it must be
    exactly `canonical_json` of the value lists, or keys and hashes would drift."""
    keyring = Keyring("k" * 64, hash_only=False)
    event = NewEvent(
        ADDR,
        EventType.PURCHASE,
        datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        topic=topic,
        source=source,
        country="DE",
        notice=notice,
        product=product,
        refusal_offered=refusal,
        evidence={"ip": "192.0.2.1", "ua": 'Mozilla "x" \u00e9'},
    )
    prepared = prepare_batch([event], keyring)
    identity = canonical_json(identity_values(prepared, 0))
    assert prepared.idempotency_key[0] == hashlib.sha256(identity.encode()).hexdigest()
    now = datetime(2024, 6, 1, tzinfo=UTC)
    (stored,) = _chained(prepared, 41, "p" * 64, now).stored
    row = stored._asdict() | {"notice_version": stored.notice, "type": stored.type.value}
    assert stored.hash == link(row, "p" * 64)


def _prepared(years: list[int]) -> PreparedEvents:
    return prepare_batch(
        [
            NewEvent(
                f"p{i}@example.com",
                EventType.CONSENT,
                datetime(year, 2, 3, 4, 5, 6, 7 * i, tzinfo=UTC),
                topic="news" if i % 2 else None,
                evidence={"row": i} if i % 3 else None,
            )
            for i, year in enumerate(years)
        ],
        Keyring("k" * 64, hash_only=False),
    )


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=9999), max_size=8))
def test_prepared_events_travel_between_processes_unchanged(years: list[int]) -> None:
    """A batch prepared in another process arrives as it left: times (years before 1000
    too, which travel as they are), tzinfo, evidence and every spliced text."""
    batch = _prepared(years)
    arrived = pickle.loads(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))
    assert [list(c) for c in arrived.columns()] == [list(c) for c in batch.columns()]
    assert all(moment.tzinfo is UTC for moment in arrived.occurred_at)


def test_taking_events_keeps_their_columns_in_line() -> None:
    batch = _prepared([2020, 2021, 999, 2023])
    taken = batch.take([1, 2])
    assert len(taken) == 2
    assert [list(c) for c in taken.columns()] == [list(c[1:3]) for c in batch.columns()]
    assert batch.take([0, 1, 2, 3]) is batch


ZONES = st.sampled_from(
    [UTC, None, timezone(timedelta(0)), timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), ZONES
        ),
        max_size=6,
    )
)
def test_hash_times_are_format_time(moments: list[tuple[datetime, timezone | None]]) -> None:
    """The batch's cut ISO spelling of times is `format_time`'s for every zone and year
    (naive times, other offsets and years before 1000 take `format_time` itself)."""
    times = [moment.replace(tzinfo=zone) for moment, zone in moments]
    assert _hash_times(times) == [format_time(moment) for moment in times]
