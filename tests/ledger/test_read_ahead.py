"""Rows read ahead of an append are used only while nothing else wrote since (PostgreSQL).

An import reads a batch's current-state rows while the batch before it is
written (`current.read_ahead`). They are taken as current only if the chain,
under the append's lock, is where the read saw it, or was moved by the one
append in between, whose own subjects are read again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from maysend.ledger import Ledger, Status, current, new_event, write
from maysend.ledger.write import prepare_batch

from .conftest import settings

pytestmark = pytest.mark.postgres
T0 = datetime(2024, 3, 1, tzinfo=UTC)
PEOPLE = [f"p{i}@example.com" for i in range(5)]


@pytest.fixture
def pg_ledger(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    monkeypatch.setattr(current, "ASIDE_MIN", 1)  # read ahead however small the batch
    with Ledger.open(pg_url, settings=settings(pg_url)) as ledger:
        yield ledger


@pytest.fixture
def reads_under_lock(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The subjects each append read itself, under its lock (not taken from a read ahead)."""
    seen: list[list[str]] = []
    read_aside = write.rows_read_aside

    def spy(connection: sa.Connection, subjects: Sequence[str]) -> Any:
        seen.append(list(subjects))
        return read_aside(connection, subjects)

    monkeypatch.setattr(write, "rows_read_aside", spy)
    return seen


def batch(ledger: Ledger, event: str, hour: int, people: Sequence[str] = PEOPLE) -> object:
    at = T0.replace(hour=hour)
    return prepare_batch([new_event(p, event, at=at) for p in people], ledger.keyring)


@pytest.mark.parametrize("read", ["before", "after"])
def test_rows_read_ahead_are_used_when_only_the_append_before_wrote(
    pg_ledger: Ledger, reads_under_lock: list[list[str]], read: str
) -> None:
    """Read before the batch before is written, or after: both are the state `second` needs."""
    pg_ledger.record(PEOPLE[4], "consent", at=T0)
    first = batch(pg_ledger, "consent", 1, PEOPLE[:3])
    second = batch(pg_ledger, "withdraw", 2, PEOPLE[2:])
    if read == "after":
        pg_ledger.record_prepared(first)  # type: ignore[arg-type]
    ahead = pg_ledger.read_ahead(second, first)  # type: ignore[arg-type]
    assert ahead is not None
    ahead.reading.result()
    if read == "before":
        pg_ledger.record_prepared(first)  # type: ignore[arg-type]
    reads_under_lock.clear()
    pg_ledger.record_prepared(second, ahead)  # type: ignore[arg-type]
    # p2 was in both batches: read again; p3 and p4 came from the read ahead.
    assert reads_under_lock == [[pg_ledger.keyring.key(PEOPLE[2])]]
    assert [pg_ledger.state(p).status for p in PEOPLE] == [
        Status.CONSENTED,
        Status.CONSENTED,
        Status.WITHDRAWN,
        Status.WITHDRAWN,
        Status.WITHDRAWN,
    ]


def test_rows_read_ahead_are_dropped_when_another_writer_wrote(
    pg_ledger: Ledger, pg_url: str, reads_under_lock: list[list[str]]
) -> None:
    pg_ledger.record_prepared(batch(pg_ledger, "consent", 1))  # type: ignore[arg-type]
    coming = batch(pg_ledger, "purchase", 3)
    ahead = pg_ledger.read_ahead(coming)  # type: ignore[arg-type]
    assert ahead is not None
    ahead.reading.result()  # every subject consented, as read
    with Ledger.open(pg_url, settings=settings(pg_url)) as other:
        other.record(PEOPLE[0], "withdraw", at=T0.replace(hour=2))
    reads_under_lock.clear()
    pg_ledger.record_prepared(coming, ahead)  # type: ignore[arg-type]
    assert sorted(reads_under_lock[0]) == sorted(pg_ledger.keyring.key(p) for p in PEOPLE)
    # Stepped from the rows read ahead, the purchase would have left p0 consented.
    assert pg_ledger.state(PEOPLE[0]).status is Status.WITHDRAWN
    assert pg_ledger.state(PEOPLE[1]).status is Status.CONSENTED
