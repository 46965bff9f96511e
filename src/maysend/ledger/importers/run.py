"""Running an import: rows in, whole batches out, every bad row reported by line.

Each batch is one transaction, and events carry an idempotency key over their
content, so an import that was killed leaves whole batches behind and running
it again stores only what is missing. A large file is read and prepared in a
process of its own while this one writes (`apart`); otherwise batches are
written on a thread of their own while the next one is read
(`pipeline.BatchWriter`).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from maysend.ledger.importers.apart import PreparedBatch, can_send, prepared_apart
from maysend.ledger.importers.batches import RowBatch, row_batches
from maysend.ledger.importers.formats import get_format
from maysend.ledger.importers.pipeline import BatchWriter
from maysend.ledger.importers.tabular import Row, read_rows

if TYPE_CHECKING:
    from maysend.ledger.ledger import Ledger

# Per-batch costs (the lock, a handful of statements, a commit that waits for the disk) fade
# by 20,000 events; past that, the larger the batch the more of its events share a subject,
# and a subject's current-state rows are read and written once per batch, not per event.
# 50,000 against 20,000, 300,000 events over 60,000 subjects: importing-process CPU 17.4 s
# against 20.8 s on SQLite, wall 30.3 s against 40.5 s on PostgreSQL; peak RSS of the
# importing process 507 MB against 453 MB (100,000: 15.5 s and 664 MB).
BATCH_SIZE = 50_000
# From this size on a file is prepared in a process of its own (`apart`): starting one
# takes about a second, which a file this large repays.
APART_MIN_BYTES = 8 << 20


@dataclass(slots=True)
class ImportReport:
    """What an import did: counts, and each skipped or failed row with its line and reason."""

    rows: int = 0
    events: int = 0
    imported: int = 0
    duplicates: int = 0
    batches: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def read(self, batch: RowBatch | PreparedBatch) -> None:
        """Count a batch's rows and note the ones that failed or were skipped."""
        self.rows += batch.rows
        self.failed.extend(batch.failed)
        self.skipped.extend(batch.skipped)

    def committed(self, events: int, stored: int) -> None:
        """Count a batch written: `events` handed over, `stored` of them new."""
        self.events += events
        self.imported += stored
        self.duplicates += events - stored
        self.batches += 1


def import_rows(
    ledger: Ledger,
    rows: Iterable[Row],
    *,
    format: str = "native",
    mapping: Mapping[str, str] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import (line, row) pairs in batches of `batch_size` events."""
    spec = get_format(format)
    report = ImportReport()
    with collector_paused(), BatchWriter(ledger, report.committed) as writer:
        for batch in row_batches(rows, spec, mapping or {}, batch_size, ledger.clock):
            report.read(batch)
            writer.put(batch.events)
    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of an import.

    A batch keeps a few hundred thousand small objects alive (events, folds,
    rows), none of them in reference cycles, so reference counting frees them;
    the collector would walk them all again every few thousand allocations,
    about a tenth of an import's time. The rest of the process keeps running:
    only its cyclic garbage waits for the import to end.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def import_file(
    ledger: Ledger,
    path: Path,
    *,
    format: str = "native",
    mapping: Mapping[str, str] | None = None,
    batch_size: int = BATCH_SIZE,
    on_read: Callable[[int], None] | None = None,
    apart: bool | None = None,
) -> ImportReport:
    """Import a CSV or JSON Lines file; `on_read(bytes)` reports progress.

    `apart`: prepare the batches in a process of their own (None: when the
    file is large, there is a second core, and the ledger's clock can be sent).
    """
    get_format(format)
    if apart if apart is not None else _worth_apart(ledger, path):
        return _import_apart(ledger, path, format, mapping or {}, batch_size, on_read)
    return import_rows(
        ledger,
        read_rows(path, on_read=on_read),
        format=format,
        mapping=mapping,
        batch_size=batch_size,
    )


def _worth_apart(ledger: Ledger, path: Path) -> bool:
    try:
        size = path.stat().st_size
    except OSError:
        return False  # reading it will say why
    return (
        size >= APART_MIN_BYTES
        and (os.cpu_count() or 1) > 1
        and bool(sys.executable)  # the preparing process is this interpreter again
        and can_send(ledger.clock)
    )


def _import_apart(
    ledger: Ledger,
    path: Path,
    format: str,
    mapping: Mapping[str, str],
    batch_size: int,
    on_read: Callable[[int], None] | None,
) -> ImportReport:
    """Write, here, the batches another process reads and prepares (see `apart`)."""
    report = ImportReport()
    batches = prepared_apart(
        path,
        format=format,
        mapping=mapping,
        batch_size=batch_size,
        keyring=ledger.keyring,
        clock=ledger.clock,
    )
    with collector_paused():
        for batch in batches:
            report.read(batch)
            if on_read is not None and batch.read_bytes:
                on_read(batch.read_bytes)
            if batch.prepared:
                stored = ledger.record_prepared(batch.prepared)
                report.committed(len(batch.prepared), len(stored))
    return report


__all__ = ["APART_MIN_BYTES", "BATCH_SIZE", "ImportReport", "import_file", "import_rows"]
