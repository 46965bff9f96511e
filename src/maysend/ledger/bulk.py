"""Inserting many rows inside the caller's transaction: COPY on PostgreSQL, else executemany.

The driver is used directly because per-value processing in the ORM layer costs
more than the insert itself. On SQLite, times are written exactly as the
`UTCDateTime` column type writes them (naive UTC text with microseconds), so
rows inserted here and rows inserted through SQLAlchemy compare and sort alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
import sqlalchemy as sa

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def insert_rows(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert `rows` (dicts keyed by column name) into `table`."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        pg = cast("psycopg.Connection[Any]", raw)
        with (
            pg.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row([row.get(name) for name in names])
    elif connection.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in names)
        cursor = cast(Any, raw).cursor()
        cursor.executemany(
            f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})",
            [[_sqlite(row.get(name)) for name in names] for row in rows],
        )
        cursor.close()
    else:
        connection.execute(table.insert(), list(rows))


def _sqlite(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(SQLITE_TIME)
    if isinstance(value, bool):
        return int(value)
    return value


__all__ = ["insert_rows"]
