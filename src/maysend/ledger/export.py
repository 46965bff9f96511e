"""Export the state of every subject at time T, for the batch gate to join on.

One row per (subject, channel, purpose, topic) the ledger has events for:

    subject                        join key: the normalised address, or the subject key in
                                   hash-only mode (and for an erased subject: its key)
    channel, purpose               text
    topic                          text, NULL for the purpose as a whole; a subject with no row
                                   for topic T is answered by its NULL-topic row
    status                         none | consented | pending | withdrawn | objected |
                                   complained | erased (pending only with double opt-in)
    consent_at, consent_event_id   the consent that counts (after the latest opt-out)
    confirmed_at                   its double opt-in confirmation
    opt_out_at, opt_out_type, opt_out_event_id          the latest opt-out (event name)
    last_purchase_at, last_purchase_event_id, last_purchase_product,
    last_purchase_refusal_offered  the latest sale or negotiation of a sale
    last_inquiry_at, last_inquiry_event_id              the latest inquiry
    country                        latest country known, ISO 3166 alpha-2
    subject_key                    HMAC subject key (always set)

Times are UTC microsecond timestamps. The rows come from SQL and stream
into Parquet or CSV in Arrow batches: for T at or after the newest event the
current-state table is read as it is; for an earlier T the fold is done in SQL
over the events up to T (the same rules as `fold_state`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import sqlalchemy as sa

from maysend.errors import InputError
from maysend.ledger.export_sql import FOLD_AT_SQL, column_types
from maysend.ledger.schema import UTCDateTime, current_state, events, subjects

TS = pa.timestamp("us", tz="UTC")
EXPORT_SCHEMA = pa.schema(
    [
        ("subject", pa.string()),
        ("channel", pa.string()),
        ("purpose", pa.string()),
        ("topic", pa.string()),
        ("status", pa.string()),
        ("consent_at", TS),
        ("consent_event_id", pa.int64()),
        ("confirmed_at", TS),
        ("opt_out_at", TS),
        ("opt_out_type", pa.string()),
        ("opt_out_event_id", pa.int64()),
        ("last_purchase_at", TS),
        ("last_purchase_event_id", pa.int64()),
        ("last_purchase_product", pa.string()),
        ("last_purchase_refusal_offered", pa.bool_()),
        ("last_inquiry_at", TS),
        ("last_inquiry_event_id", pa.int64()),
        ("country", pa.string()),
        ("subject_key", pa.string()),
    ]
)
EXPORT_COLUMNS = tuple(EXPORT_SCHEMA.names)
FORMATS = ("parquet", "csv")
BATCH = 100_000


def _current_query(hash_only: bool, require_double_opt_in: bool) -> sa.Select[Any]:
    cs = current_state.c
    subject = cs.subject if hash_only else sa.func.coalesce(subjects.c.address, cs.subject)
    status: sa.ColumnElement[Any] = cs.status
    if require_double_opt_in:
        pending = sa.and_(cs.status == "consented", cs.confirmed_event_id.is_(None))
        status = sa.case((pending, "pending"), else_=cs.status)
    return sa.select(
        subject.label("subject"),
        cs.channel,
        cs.purpose,
        sa.func.nullif(cs.topic, "").label("topic"),
        status.label("status"),
        cs.consent_at,
        cs.consent_event_id,
        cs.confirmed_at,
        cs.opt_out_at,
        cs.opt_out_type,
        cs.opt_out_event_id,
        cs.last_purchase_at,
        cs.last_purchase_event_id,
        cs.last_purchase_product,
        cs.last_purchase_refusal_offered,
        cs.last_inquiry_at,
        cs.last_inquiry_event_id,
        cs.country,
        cs.subject.label("subject_key"),
    ).select_from(current_state.outerjoin(subjects, subjects.c.key == cs.subject))


def _fold_query(at: datetime, hash_only: bool, require_double_opt_in: bool) -> sa.TextualSelect:
    subject = "f.subject" if hash_only else "COALESCE(s.address, f.subject)"
    sql = FOLD_AT_SQL.format(subject=subject, doi="1 = 1" if require_double_opt_in else "1 = 0")
    types = column_types()
    return (
        sa.text(sql)
        .bindparams(sa.bindparam("at", at, type_=UTCDateTime))
        .columns(**{name: types.get(name, sa.String) for name in EXPORT_COLUMNS})
    )


def state_rows(
    connection: sa.Connection, at: datetime, *, hash_only: bool, require_double_opt_in: bool
) -> Iterator[Sequence[Any]]:
    """Rows of EXPORT_COLUMNS for every subject at `at`, streamed."""
    newest = connection.execute(sa.select(sa.func.max(events.c.occurred_at))).scalar()
    query: sa.Executable
    if newest is None or at >= newest:
        query = _current_query(hash_only, require_double_opt_in)
    else:
        query = _fold_query(at, hash_only, require_double_opt_in)
    result = connection.execution_options(stream_results=True, yield_per=BATCH).execute(query)
    for partition in result.partitions(BATCH):
        yield from partition


def _batches(rows: Iterator[Sequence[Any]]) -> Iterator[pa.RecordBatch]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= BATCH:
            yield _to_batch(chunk)
            chunk = []
    if chunk:
        yield _to_batch(chunk)


def _to_batch(chunk: list[Sequence[Any]]) -> pa.RecordBatch:
    columns = list(zip(*chunk, strict=True))
    arrays = [
        pa.array(_bools(values) if field.type == pa.bool_() else values, type=field.type)
        for field, values in zip(EXPORT_SCHEMA, columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=EXPORT_SCHEMA)


def _bools(values: Sequence[Any]) -> list[bool | None]:
    return [None if v is None else bool(int(v)) for v in values]


def write_export(rows: Iterator[Sequence[Any]], path: Path, fmt: str) -> int:
    """Write rows to `path` as Parquet or CSV; return how many were written."""
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (parquet or csv)")
    written = 0
    writer: pq.ParquetWriter | pa_csv.CSVWriter
    writer = (
        pq.ParquetWriter(path, EXPORT_SCHEMA)
        if fmt == "parquet"
        else pa_csv.CSVWriter(path, EXPORT_SCHEMA)
    )
    with writer:
        for batch in _batches(rows):
            writer.write_batch(batch)
            written += batch.num_rows
    return written


__all__ = ["EXPORT_COLUMNS", "EXPORT_SCHEMA", "FORMATS", "state_rows", "write_export"]
