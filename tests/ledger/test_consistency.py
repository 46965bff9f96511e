"""current_state, the SQL export fold and the Python fold must always agree.

Random histories are recorded in shuffled order (older events arriving late),
then every key is compared three ways: `Ledger.state` (current-state table),
the export at now (current-state table) and at a past time (SQL fold), against
`fold_state` over the history.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from maysend.ledger import EXPORT_COLUMNS, Ledger, NewEvent, fold_state, new_event
from maysend.ledger.write import READ_BESIDE_MIN

from .conftest import settings

T0 = datetime(2024, 1, 1, tzinfo=UTC)
KINDS = ["consent", "confirm", "withdraw", "object", "complaint", "purchase", "inquiry", "erase"]
WEIGHTS = [6, 3, 3, 1, 1, 2, 2, 0.3]


def random_history(rng: random.Random, n: int) -> list[dict[str, object]]:
    people = [f"p{i}@example.com" for i in range(6)]
    rows = []
    for _ in range(n):
        rows.append(
            {
                "address": rng.choice(people),
                "event": rng.choices(KINDS, WEIGHTS)[0],
                "at": T0 + timedelta(hours=rng.randrange(0, 200)),
                "topic": rng.choice([None, None, "news", "offers"]),
                "channel": rng.choice(["email", "email", "sms"]),
                "country": rng.choice([None, "DE", "GB"]),
                "product": rng.choice([None, "books"]),
            }
        )
    return rows


def as_event(row: dict[str, object]) -> NewEvent:
    fields = {k: v for k, v in row.items() if k not in ("address", "event")}
    return new_event(str(row["address"]), str(row["event"]), **fields)  # type: ignore[arg-type]


def expected_rows(
    ledger: Ledger, at: datetime, doi: bool
) -> dict[tuple[object, ...], tuple[object, ...]]:
    """The export computed in Python from each subject's history."""
    expected = {}
    for address in (f"p{i}@example.com" for i in range(6)):
        full = ledger.history(address)
        erased = any(e.type.value == "erase" for e in full)  # the address is gone for good
        name = ledger.keyring.key(address) if erased else address
        history = [e for e in full if e.occurred_at <= at]
        for key in {(e.channel, e.purpose, e.topic) for e in history}:
            s = fold_state(
                history,
                at=at,
                channel=key[0],
                purpose=key[1],
                topic=key[2],
                require_double_opt_in=doi,
            )
            expected[(name, *key)] = (
                s.status.value,
                s.consent.event_id if s.consent else None,
                s.confirmed.occurred_at if s.confirmed else None,
                s.opt_out.event_id if s.opt_out else None,
                s.opt_out.type.value if s.opt_out else None,
                s.last_purchase.event.event_id if s.last_purchase else None,
                s.last_inquiry.event_id if s.last_inquiry else None,
                s.country,
            )
    return expected


def exported_rows(path: Path) -> dict[tuple[object, ...], tuple[object, ...]]:
    table = pq.read_table(path)
    assert tuple(table.column_names) == EXPORT_COLUMNS
    return {
        (r["subject"], r["channel"], r["purpose"], r["topic"]): (
            r["status"],
            r["consent_event_id"],
            r["confirmed_at"],
            r["opt_out_event_id"],
            r["opt_out_type"],
            r["last_purchase_event_id"],
            r["last_inquiry_event_id"],
            r["country"],
        )
        for r in table.to_pylist()
    }


def assert_state_agrees_with_fold(ledger: Ledger, tmp_path: Path, doi: bool) -> None:
    now = ledger.clock()
    for at in (now, T0 + timedelta(hours=100)):
        out = tmp_path / f"export-{at.timestamp()}.parquet"
        ledger.export(out, at=at)
        assert exported_rows(out) == expected_rows(ledger, at, doi)
    for address in (f"p{i}@example.com" for i in range(6)):
        full = ledger.history(address)
        for topic in (None, "news", "offers"):
            looked_up = ledger.state(address, topic=topic)
            folded = fold_state(
                full,
                at=now,
                channel="email",
                purpose="marketing",
                topic=topic,
                require_double_opt_in=doi,
                subject=address,
            )
            assert looked_up.status == folded.status
            assert looked_up.consent == folded.consent
            assert looked_up.opt_out == folded.opt_out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("doi", [False, True], ids=["single-opt-in", "double-opt-in"])
def test_current_state_export_and_fold_agree(
    db_url: str, tmp_path: Path, seed: int, doi: bool
) -> None:
    rng = random.Random(seed)
    history = random_history(rng, 60)
    with Ledger.open(db_url, settings=settings(db_url, require_double_opt_in=doi)) as ledger:
        for start in range(0, len(history), 7):  # batches, each in shuffled order
            chunk = history[start : start + 7]
            rng.shuffle(chunk)
            for row in chunk:
                ledger.record(str(row.pop("address")), str(row.pop("event")), **row)  # type: ignore[arg-type]
        assert_state_agrees_with_fold(ledger, tmp_path, doi)


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize("late", [0.0, 0.2], ids=["in-order", "some-history-late"])
def test_batches_keep_current_state_equal_to_the_fold(
    db_url: str, tmp_path: Path, seed: int, late: float
) -> None:
    """Whole batches of many subjects: steps, topics opened from the purpose, refolds."""
    rng = random.Random(seed)
    history = sorted(random_history(rng, 150), key=lambda row: str(row["at"]))
    held_back = [row for row in history if rng.random() < late]
    in_order = [row for row in history if row not in held_back]
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        for rows in (in_order, held_back):
            for start in range(0, len(rows), 20):
                ledger.record_events([as_event(row) for row in rows[start : start + 20]])
        assert_state_agrees_with_fold(ledger, tmp_path, False)


def test_bulk_batches_keep_current_state_equal_to_the_fold(db_url: str, tmp_path: Path) -> None:
    """Batches large enough that PostgreSQL reads their current rows on a second connection
    while the events are copied (`write.READ_BESIDE_MIN`): the state read there must be
    the one the batch's own transaction would have read."""
    rng = random.Random(9)
    size = READ_BESIDE_MIN + 200
    history = sorted(random_history(rng, 2 * size), key=lambda row: str(row["at"]))
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        for start in range(0, len(history), size):
            ledger.record_events([as_event(row) for row in history[start : start + size]])
        # On PostgreSQL the rows were read on a connection of their own, given back since.
        assert ledger.engine.pool.checkedout() == 0
        assert_state_agrees_with_fold(ledger, tmp_path, False)


@pytest.mark.parametrize("seed", [7, 8])
def test_an_import_prepared_apart_keeps_current_state_equal_to_the_fold(
    db_url: str, tmp_path: Path, seed: int
) -> None:
    """A file's batches, prepared in another process, each a transaction of many subjects."""
    rng = random.Random(seed)
    history = sorted(random_history(rng, 150), key=lambda row: str(row["at"]))
    path = tmp_path / "history.csv"
    names = ["address", "event", "at", "topic", "channel", "country", "product"]
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(names) + "\n")
        for row in history:
            at = row["at"]
            assert isinstance(at, datetime)
            values = {**row, "at": at.isoformat()}
            out.write(",".join("" if values[n] is None else str(values[n]) for n in names) + "\n")
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        report = ledger.import_file(path, batch_size=15, apart=True)
        assert (report.imported, report.failed) == (150, [])
        assert_state_agrees_with_fold(ledger, tmp_path, False)
