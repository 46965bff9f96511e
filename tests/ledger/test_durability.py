"""No acknowledged event is lost; killed imports leave whole batches; the chain never forks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from maysend.ledger import Ledger, Status
from maysend.ledger import ledger as ledger_module
from maysend.ledger.engine import write_transaction
from maysend.ledger.events import NewEvent, new_event
from maysend.ledger.schema import events
from maysend.ledger.write import AlreadyStored, append, prepare_batch

from .conftest import settings

CHILD = Path(__file__).with_name("writer_process.py")


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args], stdout=subprocess.PIPE, text=True, bufsize=1
    )


def _event_ids(ledger: Ledger) -> list[int]:
    with ledger.engine.connect() as connection:
        return list(connection.execute(sa.select(events.c.id).order_by(events.c.id)).scalars())


def test_acknowledged_write_survives_kill_9(db_url: str) -> None:
    Ledger.open(db_url, settings=settings(db_url)).close()
    child = _spawn("record-then-wait", db_url)
    assert child.stdout is not None
    line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert line.startswith("ok")
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        assert ledger.state("durable@example.com").status is Status.CONSENTED
        assert ledger.verify().intact


@pytest.mark.parametrize("where", ["here", "apart"])
def test_killed_import_leaves_whole_batches_and_resumes(
    db_url: str, tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every resumed batch is first taken to be new: the stored ones are appended again.
    monkeypatch.setattr(ledger_module, "EXPECT_NEW_MIN", 1)
    rows = 2_000
    batch = 100
    source = tmp_path / "big.csv"
    lines = ["address,event,at"] + [
        f"person{i}@example.com,consent,2024-01-01T00:00:{i % 60:02d}Z" for i in range(rows)
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    Ledger.open(db_url, settings=settings(db_url)).close()
    child = _spawn("import-slowly", db_url, str(source), str(batch), where)
    assert child.stdout is not None
    for _ in range(3):
        assert child.stdout.readline().startswith("batch")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        stored = len(_event_ids(ledger))
        assert stored % batch == 0
        assert 3 * batch <= stored < rows
        report = ledger.import_file(source, batch_size=batch, apart=where == "apart")
        assert report.imported == rows - stored
        assert report.duplicates == stored
        assert _event_ids(ledger) == list(range(1, rows + 1))
        assert ledger.verify().intact


def test_concurrent_writers_do_not_fork_the_chain(db_url: str) -> None:
    per_writer = 25
    Ledger.open(db_url, settings=settings(db_url)).close()
    children = [_spawn("write-many", db_url, f"proc{n}", str(per_writer)) for n in range(2)]

    def write(tag: str) -> None:
        with Ledger.open(db_url, settings=settings(db_url)) as ledger:
            for i in range(per_writer):
                ledger.record(f"{tag}-{i}@example.com", "withdraw", at="2024-01-02T00:00:00Z")

    threads = [threading.Thread(target=write, args=(f"thread{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for child in children:
        assert child.wait(timeout=120) == 0
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        assert _event_ids(ledger) == list(range(1, 5 * per_writer + 1))
        result = ledger.verify()
        assert result.intact, result.problems


@pytest.mark.parametrize("batch", [1, 7])
def test_import_batch_size_does_not_change_the_result(
    db_url: str, tmp_path: Path, batch: int
) -> None:
    source = tmp_path / "small.csv"
    source.write_text(
        "address,event,at\n"
        "e@example.com,consent,2024-01-01T00:00:00Z\n"
        "e@example.com,withdraw,2024-01-02T00:00:00Z\n"
        "e@example.com,consent,2024-01-03T00:00:00Z\n",
        encoding="utf-8",
    )
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        ledger.import_file(source, batch_size=batch)
        assert ledger.state("e@example.com").status is Status.CONSENTED


def _consents(first: int, last: int) -> str:
    return "address,event,at\n" + "".join(
        f"person{i}@example.com,consent,2024-01-01T00:{i // 60:02d}:{i % 60:02d}Z\n"
        for i in range(first, last)
    )


def test_a_batch_taken_for_new_that_holds_stored_events_is_appended_again(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "EXPECT_NEW_MIN", 1)
    earlier, later = tmp_path / "earlier.csv", tmp_path / "later.csv"
    earlier.write_text(_consents(0, 30), encoding="utf-8")
    later.write_text(_consents(20, 90), encoding="utf-8")  # 10 stored, then 60 new
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        assert ledger.import_file(earlier, batch_size=10).imported == 30
        report = ledger.import_file(later, batch_size=25)
        assert (report.imported, report.duplicates) == (60, 10)
        assert _event_ids(ledger) == list(range(1, 91))
        assert ledger.verify().intact
        assert ledger.state("person25@example.com").status is Status.CONSENTED


def _consent(ledger: Ledger, name: str) -> NewEvent:
    return new_event(
        f"{name}@example.com", "consent", at="2024-01-01T00:00:00Z", now=ledger.clock()
    )


def test_appending_a_stored_event_as_new_is_refused_and_appended_again(db_url: str) -> None:
    with Ledger.open(db_url, settings=settings(db_url)) as ledger:
        ledger.record_events([_consent(ledger, "kept")])
        batch = prepare_batch(
            [_consent(ledger, name) for name in ("new0", "kept", "new1", "new2")], ledger.keyring
        )
        with pytest.raises(AlreadyStored), write_transaction(ledger.engine) as connection:
            append(connection, batch, ledger.keyring, ledger.clock(), expect_new=True)
        assert _event_ids(ledger) == [1]
        assert len(ledger.record_prepared(batch)) == 3
        assert _event_ids(ledger) == [1, 2, 3, 4]
        assert ledger.verify().intact
