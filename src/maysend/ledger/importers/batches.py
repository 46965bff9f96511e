"""An import's rows grouped into batches of validated events, with the rows left out.

Both ways of importing (`run.import_rows` in this process, `apart` in a
process of its own) read rows through `row_batches`, so a row fails, is
skipped, or becomes events the same way in both, and is reported under the
same line number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from maysend.errors import InvalidEvent
from maysend.ledger.events import NewEvent
from maysend.ledger.importers.formats import FormatSpec, Skip, row_events
from maysend.ledger.importers.tabular import Row, apply_mapping

Clock = Callable[[], datetime]
Noted = list[tuple[int, str]]  # (line, reason)


@dataclass(slots=True)
class RowBatch:
    """The events of up to a batch's worth of rows, and the rows that gave none."""

    events: list[NewEvent] = field(default_factory=list)
    rows: int = 0
    failed: Noted = field(default_factory=list)
    skipped: Noted = field(default_factory=list)


def row_batches(
    rows: Iterable[Row],
    spec: FormatSpec,
    mapping: Mapping[str, str],
    batch_size: int,
    clock: Clock,
) -> Iterator[RowBatch]:
    """Batches of at least `batch_size` events (the last one may have fewer, or none).

    Each row is validated at the time `clock` gives when it is read (so a
    timestamp in the future is judged against the moment of reading).
    """
    batch = RowBatch()
    for line, row in rows:
        batch.rows += 1
        if isinstance(row, str):
            batch.failed.append((line, row))
            continue
        try:
            result = row_events(spec, apply_mapping(row, mapping), now=clock())
        except InvalidEvent as exc:
            batch.failed.append((line, f"{exc.field}: {exc}"))
            continue
        if isinstance(result, Skip):
            batch.skipped.append((line, result.reason))
            continue
        batch.events.extend(result)
        if len(batch.events) >= batch_size:
            yield batch
            batch = RowBatch()
    yield batch


__all__ = ["Clock", "RowBatch", "row_batches"]
