"""The store: record, state, history, idempotency, late history, validation, erasure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from maysend.errors import ConfigError, InvalidEvent, LedgerUnavailable
from maysend.ledger import Ledger, Status
from maysend.ledger.bulk import RowsNotStored, StoreTimes, insert_rows, sqlite_time, update_rows
from maysend.ledger.engine import write_transaction
from maysend.ledger.events import NewEvent, format_time, new_event
from maysend.ledger.schema import UTCDateTime, current_state, events, evidence, subjects

from .conftest import settings

ADDR = "Reader@Example.COM"


def count(ledger: Ledger, table: sa.Table = events) -> int:
    with ledger.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_record_then_state_and_history(ledger: Ledger) -> None:
    stored = ledger.record(ADDR, "consent", at="2024-03-01T10:00:00Z", source="form", country="gb")
    assert stored.id == 1
    assert stored.country == "GB"
    state = ledger.state("  Reader@EXAMPLE.com ")
    assert state.subject == "Reader@example.com"
    assert state.status is Status.CONSENTED
    assert state.consent is not None
    assert state.consent.event_id == stored.id
    assert [e.id for e in ledger.history(ADDR)] == [1]
    # the local part is the provider's business: a different case is another subject
    assert ledger.state("reader@example.com").status is Status.NONE


def test_recording_the_same_event_twice_stores_it_once(ledger: Ledger) -> None:
    first = ledger.record(ADDR, "withdraw", at="2024-03-01T10:00:00Z", source="form")
    again = ledger.record(ADDR, "withdraw", at="2024-03-01T10:00:00Z", source="form")
    assert again.id == first.id
    assert count(ledger) == 1


@pytest.mark.parametrize(
    ("address", "event", "fields", "field"),
    [
        ("not-an-address", "consent", {}, "address"),
        (ADDR, "subscribe", {}, "event"),
        (ADDR, "consent", {"at": "yesterday-ish"}, "at"),
        (ADDR, "consent", {"at": "2999-01-01T00:00:00Z"}, "at"),
        (ADDR, "consent", {"evidence": "{not json"}, "evidence"),
        (ADDR, "consent", {"evidence": "[1, 2]"}, "evidence"),
        (ADDR, "consent", {"channel": "fax"}, "channel"),
        (ADDR, "consent", {"country": "Britain"}, "country"),
    ],
    ids=[
        "address",
        "event",
        "unparseable-time",
        "future-time",
        "bad-json",
        "json-not-object",
        "channel",
        "country",
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    ledger: Ledger, address: str, event: str, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidEvent) as caught:
        ledger.record(address, event, **fields)
    assert caught.value.field == field
    assert count(ledger) == 0
    assert count(ledger, subjects) == 0


def test_older_history_arriving_late_is_folded_in(ledger: Ledger) -> None:
    ledger.record(ADDR, "consent", at="2024-05-01T00:00:00Z")
    ledger.record(ADDR, "withdraw", at="2024-04-01T00:00:00Z")  # older: consent still stands
    assert ledger.state(ADDR).status is Status.CONSENTED
    ledger.record(ADDR, "complaint", at="2024-05-02T00:00:00Z")
    assert ledger.state(ADDR).status is Status.COMPLAINED
    ledger.record(ADDR, "consent", at="2024-03-01T00:00:00Z", topic="news")  # new key, late
    news = ledger.state(ADDR, topic="news")
    assert news.status is Status.COMPLAINED
    assert ledger.state(ADDR, at="2024-04-15T00:00:00Z", topic="news").status is Status.WITHDRAWN
    assert ledger.state(ADDR, at="2024-03-15T00:00:00Z", topic="news").status is Status.CONSENTED


def test_topic_without_its_own_events_follows_the_purpose(ledger: Ledger) -> None:
    ledger.record(ADDR, "consent", at="2024-05-01T00:00:00Z")
    assert ledger.state(ADDR, topic="offers").status is Status.CONSENTED
    ledger.record(ADDR, "withdraw", at="2024-05-02T00:00:00Z", channel="sms")
    assert ledger.state(ADDR, channel="sms").status is Status.WITHDRAWN
    assert ledger.state(ADDR).status is Status.CONSENTED


def test_update_rows_rewrites_stored_rows_and_refuses_keys_not_stored(ledger: Ledger) -> None:
    with write_transaction(ledger.engine) as connection:
        insert_rows(connection, subjects, [("k1", "a@example.com", None), ("k2", None, None)])
        update_rows(connection, subjects, [("k2", "b@example.com", None), ("k1", None, None)])
    with ledger.engine.connect() as connection:
        rows = connection.execute(sa.select(subjects).order_by(subjects.c.key)).all()
    assert [tuple(r) for r in rows] == [("k1", None, None), ("k2", "b@example.com", None)]
    with pytest.raises(RowsNotStored), write_transaction(ledger.engine) as connection:
        update_rows(connection, subjects, [("k1", "c@example.com", None), ("k3", None, None)])
    with ledger.engine.connect() as connection:
        assert connection.execute(sa.select(subjects.c.address)).scalars().all().count(None) == 1


def test_a_batch_updates_stored_rows_and_inserts_rows_of_new_keys(ledger: Ledger) -> None:
    """Rows stepped, opened from the purpose's row, refolded with a new key, of a new subject."""
    first = [
        new_event(ADDR, "consent", at="2024-05-01T00:00:00Z"),
        new_event("other@example.com", "consent", at="2024-05-01T00:00:00Z"),
    ]
    ledger.record_events(first)
    later = [
        new_event(ADDR, "withdraw", at="2024-05-03T00:00:00Z", topic="news"),  # opened, stepped
        new_event(ADDR, "purchase", at="2024-05-04T00:00:00Z", product="books"),
        new_event("other@example.com", "consent", at="2024-04-01T00:00:00Z", channel="sms"),
        new_event("new@example.com", "consent", at="2024-05-02T00:00:00Z"),
    ]
    ledger.record_events(later)
    assert ledger.state(ADDR, topic="news").status is Status.WITHDRAWN
    marketing = ledger.state(ADDR)
    assert marketing.status is Status.CONSENTED
    assert marketing.last_purchase is not None
    assert ledger.state("other@example.com", channel="sms").status is Status.CONSENTED
    assert ledger.state("other@example.com").status is Status.CONSENTED
    assert ledger.state("new@example.com").status is Status.CONSENTED
    assert count(ledger, current_state) == 5
    # A batch this small reads its current rows on its own connection; none is left out.
    assert ledger.engine.pool.checkedout() == 0


def test_double_opt_in_setting(db_url: str) -> None:
    with Ledger.open(db_url, settings=settings(db_url, require_double_opt_in=True)) as ledger:
        ledger.record(ADDR, "consent", at="2024-05-01T00:00:00Z")
        assert ledger.state(ADDR).status is Status.PENDING
        ledger.record(ADDR, "confirm", at="2024-05-01T00:10:00Z", evidence={"token": "t-1"})
        state = ledger.state(ADDR)
        assert state.status is Status.CONSENTED
        assert state.confirmed is not None


def test_erasure_keeps_only_a_keyed_suppression(ledger: Ledger) -> None:
    ledger.record(ADDR, "consent", at="2024-05-01T00:00:00Z", evidence={"ip": "192.0.2.7"})
    ledger.record(ADDR, "erase", at="2024-06-01T00:00:00Z")
    assert ledger.state(ADDR).status is Status.ERASED
    assert ledger.state(ADDR, channel="sms", topic="news").status is Status.ERASED
    with ledger.engine.connect() as connection:
        assert connection.execute(sa.select(subjects.c.address)).scalars().all() == [None]
        assert connection.execute(sa.select(sa.func.count()).select_from(evidence)).scalar() == 0
    assert all(e.evidence is None for e in ledger.history(ADDR))
    assert ledger.verify().intact
    # history imported after the erasure keeps no evidence either
    ledger.record(ADDR, "purchase", at="2024-01-01T00:00:00Z", evidence={"order": "o-1"})
    assert count(ledger, evidence) == 0
    assert ledger.verify().intact


def test_evidence_in_the_batch_of_an_erasure_is_kept_only_if_later(ledger: Ledger) -> None:
    def event(kind: str, at: str, **fields: object) -> NewEvent:
        return new_event(ADDR, kind, at=at, now=ledger.clock(), **fields)  # type: ignore[arg-type]

    ledger.record_events(
        [
            event("consent", "2024-05-01T00:00:00Z", evidence={"ip": "192.0.2.7"}),
            event("erase", "2024-06-01T00:00:00Z"),
            event("purchase", "2024-07-01T00:00:00Z", evidence={"order": "o-2"}),
        ]
    )
    assert count(ledger, evidence) == 1
    assert [e.evidence for e in ledger.history(ADDR)] == [None, None, {"order": "o-2"}]
    with ledger.engine.connect() as connection:
        assert connection.execute(sa.select(subjects.c.address)).scalars().all() == [None]
    ledger.record(ADDR, "inquiry", at="2024-05-02T00:00:00Z", evidence={"mail": "m-1"})
    assert count(ledger, evidence) == 1
    assert ledger.verify().intact


def test_hash_only_mode_stores_no_clear_address(db_url: str) -> None:
    config = settings(db_url, hash_secret="deployment-secret")
    with Ledger.open(db_url, settings=config) as ledger:
        ledger.record("someone@example.org", "withdraw", at="2024-05-01T00:00:00Z")
        state = ledger.state("someone@example.org")
        assert state.status is Status.WITHDRAWN
        assert "@" not in state.subject
        with ledger.engine.connect() as connection:
            dump = [
                str(row)
                for table in (events, subjects)
                for row in connection.execute(sa.select(table))
            ]
        assert not any("someone" in line for line in dump)
    with pytest.raises(ConfigError):
        Ledger.open(db_url, settings=settings(db_url, hash_secret="another-secret"))
    with pytest.raises(ConfigError):
        Ledger.open(db_url, settings=settings(db_url))


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/test",
        "sqlite:////nonexistent-directory/ledger.db",
    ],
    ids=["postgres-down", "sqlite-unwritable"],
)
def test_unreachable_store_fails_closed(url: str) -> None:
    with pytest.raises(LedgerUnavailable):
        Ledger.open(url, settings=settings(url))


def test_clock_is_used_for_default_time(db_url: str) -> None:
    fixed = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    with Ledger.open(db_url, settings=settings(db_url), clock=lambda: fixed) as ledger:
        stored = ledger.record(ADDR, "inquiry")
        assert stored.occurred_at == fixed == stored.recorded_at


@examples(max_examples=150, deadline=None)
@given(st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31), timezones=st.timezones()))
def test_bulk_times_are_spelled_as_sqlalchemy_stores_them_on_sqlite(moment: datetime) -> None:
    """Rows written in bulk and rows written through SQLAlchemy must compare and sort alike."""
    dialect = sqlite.dialect()
    store = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert store is not None
    naive_utc = UTCDateTime().process_bind_param(moment, dialect)
    assert sqlite_time(moment) == store(naive_utc)
    read_back = StoreTimes("sqlite").from_store(sqlite_time(moment))
    assert read_back == moment.astimezone(UTC)
    assert read_back.tzinfo is UTC


@examples(max_examples=150, deadline=None)
@given(st.datetimes(datetime(2, 1, 1), datetime(9998, 12, 31), timezones=st.timezones()))
def test_store_spellings_learnt_from_hash_spellings_are_the_store_spellings(
    moment: datetime,
) -> None:
    times = StoreTimes("sqlite")
    times.learn([moment], [format_time(moment)])
    learnt = moment in times._spelled  # not spelled again on first use
    assert learnt == (moment.astimezone(UTC).year >= 1000)
    assert times.to_store(moment) == sqlite_time(moment)
