"""Running an import: rows in, whole batches out, every bad row reported by line.

Each batch is one transaction, and events carry an idempotency key over their
content, so an import that was killed leaves whole batches behind and running
it again stores only what is missing. Batches are written on a thread of their
own while the next one is read (`pipeline.BatchWriter`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from maysend.errors import InvalidEvent
from maysend.ledger.events import NewEvent
from maysend.ledger.importers.formats import Skip, get_format, row_events
from maysend.ledger.importers.pipeline import BatchWriter
from maysend.ledger.importers.tabular import Row, apply_mapping, read_rows

if TYPE_CHECKING:
    from maysend.ledger.ledger import Ledger

# Per-batch costs (the lock, a handful of statements, a commit that waits for the disk) fade
# by 20,000 events, and more subjects share a batch; a batch's working memory stays modest.
BATCH_SIZE = 20_000


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
    pending: list[NewEvent] = []

    def committed(events: int, stored: int) -> None:
        report.events += events
        report.imported += stored
        report.duplicates += events - stored
        report.batches += 1

    with collector_paused(), BatchWriter(ledger, committed) as writer:
        for line, row in rows:
            report.rows += 1
            if isinstance(row, str):
                report.failed.append((line, row))
                continue
            try:
                result = row_events(spec, apply_mapping(row, mapping or {}), now=ledger.clock())
            except InvalidEvent as exc:
                report.failed.append((line, f"{exc.field}: {exc}"))
                continue
            if isinstance(result, Skip):
                report.skipped.append((line, result.reason))
                continue
            pending.extend(result)
            if len(pending) >= batch_size:
                writer.put(pending)
                pending = []
        writer.put(pending)
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
) -> ImportReport:
    """Import a CSV or JSON Lines file; `on_read(bytes)` reports progress."""
    get_format(format)
    return import_rows(
        ledger,
        read_rows(path, on_read=on_read),
        format=format,
        mapping=mapping,
        batch_size=batch_size,
    )


__all__ = ["BATCH_SIZE", "ImportReport", "import_file", "import_rows"]
